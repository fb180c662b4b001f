/**
 * Session window aggregation (spec `session-window-aggregate`, Flink's merging session windows).
 *
 * A row at time t opens the window [t, t + gap). Windows of one group key that overlap or touch
 * (Flink's `TimeWindow.intersects`: `a.start <= b.end && a.end >= b.start`) merge into one session whose
 * accumulators are the merge of theirs, so a row arriving out of order can bridge two sessions and turn
 * them into one. A session [start, end) fires when the watermark reaches `end - 1`, where `end` is the
 * latest row time plus the gap.
 *
 * State: one value per group key (`KeySessions`): the key's values and its open sessions, sorted by start,
 * pairwise neither overlapping nor touching (the merge keeps that invariant). Per batch: one `getMany`
 * for the batch's distinct keys, rows applied in order, one `putMany`.
 *
 * Timers: one keyed timer per open session at `end - 1` (event time, or processing time for `procTime`).
 * A session that grows or merges deletes the timers of the sessions it replaced and registers its own, so
 * everything that must survive a failure is keyed state plus timers. A timer whose session is gone (it
 * was merged away between the delete and a restore) finds no session ending there and does nothing.
 *
 * Lateness (event time): a row whose own window is already complete (`t + gap - 1 <= watermark`) and
 * merges with no open session is dropped and counted in `numLateRecordsDropped` (an open session ends
 * after the watermark, so a row merging with one is never late). NULL times are dropped and counted in
 * `numNullTimeRecordsDropped`.
 *
 * Output per fired session: group keys, aggregates, window_start (first row time), window_end (last row
 * time + gap), window_time (window_end − 1); insert-only, in timer order (end, then encoded key).
 */
import { internalError } from '../../common/index.js';
import type { CheckpointedOperator, OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { SessionWindowAggregateSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch } from '../../types/index.js';
import { distinctBatchKeys } from '../common/batch-keys.js';
import { readCell } from '../common/cell.js';
import { AggregateSet } from './aggregate-set.js';
import type { AggState } from './aggregate-set.js';

interface Session {
  start: number;
  end: number;
  readonly acc: AggState;
}

/** Invariant: `sessions` sorted by start; for consecutive a, b: `a.end < b.start`. */
interface KeySessions {
  readonly key: unknown[];
  readonly sessions: Session[];
}

/** Separates key and time in the in-memory index of open processing-time sessions. */
const PAIR_SEPARATOR = '\u001d';

export class SessionWindowAggregateOperator implements TimerOperator, CheckpointedOperator {
  private ctx!: OperatorContext;
  private aggs!: AggregateSet;
  private state!: ValueState<KeySessions>;
  private writer!: BatchBuilder;
  private boolKeyColumns!: ReadonlySet<number>;
  private keyIsBool!: readonly boolean[];
  private lateDropped!: { inc(n?: number): void };
  private nullTimeDropped!: { inc(n?: number): void };
  private values: unknown[] = [];
  private watermark = -Infinity;
  /**
   * Processing-time sessions not yet fired (key + time → timer), so that bounded runs fire them at end of
   * input. Processing-time results are not deterministic and not restored exactly (DESIGN.md principle 6).
   */
  private readonly openProcTimers = new Map<string, { key: string; ts: number }>();

  constructor(readonly spec: SessionWindowAggregateSpec) {
    if (!(spec.gap > 0)) throw internalError(`session gap must be positive, got ${spec.gap}`);
    if (spec.aggregates.some((a) => a.distinct)) throw internalError('session windows cannot merge DISTINCT aggregates (the planner rejects them)');
  }

  snapshotKeyedOperatorState(): readonly (readonly [string, unknown])[] {
    return [...this.openProcTimers.values()].map((t) => [t.key, t.ts] as const);
  }

  open(ctx: OperatorContext): void {
    // Processing-time sessions still open: their index survives a restore (the timers are restored by the runtime).
    for (const [key, ts] of (ctx.restoredKeyedOperatorState ?? []) as readonly (readonly [string, number])[]) {
      this.openProcTimers.set(key + PAIR_SEPARATOR + ts, { key, ts });
    }
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('session-window-aggregate needs one input');
    this.aggs = new AggregateSet(this.spec.aggregates, inputType, false);
    this.state = ctx.keyedState().valueState<KeySessions>({ name: 'session-window-agg' });
    this.writer = new BatchBuilder(ctx.outputType);
    this.keyIsBool = this.spec.groupKeys.map((c) => inputType.fields[c]?.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.groupKeys.filter((_, i) => this.keyIsBool[i]));
    this.lateDropped = ctx.metrics().counter('numLateRecordsDropped');
    this.nullTimeDropped = ctx.metrics().counter('numNullTimeRecordsDropped');
    this.values = new Array<unknown>(this.aggs.size);
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const spec = this.spec;
    const { uniqueKeys, slotOf, firstRow } = distinctBatchKeys(batch, spec.groupKeys, this.boolKeyColumns);
    const states = (await this.state.getMany(uniqueKeys)) as (KeySessions | undefined)[];
    const procTime = spec.procTime;
    const now = procTime ? this.ctx.processingTime() : 0;
    const timeCol = batch.columns[spec.timeIndex]!;
    const times = timeCol.data as Float64Array;
    const timeNulls = procTime ? null : timeCol.nulls;
    const touched = new Uint8Array(uniqueKeys.length);
    let late = 0;
    let nullTime = 0;
    for (let r = 0; r < n; r++) {
      if (timeNulls !== null && timeNulls[r] === 1) {
        nullTime++;
        continue;
      }
      const slot = slotOf[r]!;
      const ts = procTime ? now : times[r]!;
      let ks = states[slot];
      const session = this.sessionFor(ks, uniqueKeys[slot]!, ts);
      if (session === null) {
        late++;
        continue;
      }
      if (ks === undefined) {
        ks = states[slot] = { key: this.keyOf(batch, firstRow[slot]!), sessions: [] };
      }
      const acc = session === 'new' ? this.openSession(ks, uniqueKeys[slot]!, ts) : session.acc;
      acc.rows++;
      this.aggs.apply(acc, batch, r, false);
      touched[slot] = 1;
    }
    if (late > 0) this.lateDropped.inc(late);
    if (nullTime > 0) this.nullTimeDropped.inc(nullTime);
    const putKeys: string[] = [];
    const putValues: KeySessions[] = [];
    for (let s = 0; s < uniqueKeys.length; s++) {
      if (touched[s] === 0) continue;
      putKeys.push(uniqueKeys[s]!);
      putValues.push(states[s]!);
    }
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
  }

  /**
   * The session row time `ts` of key `key` joins, merging the sessions its window [ts, ts + gap) bridges;
   * `'new'` when it merges with none and opens its own; null when it is late.
   */
  private sessionFor(ks: KeySessions | undefined, key: string, ts: number): Session | 'new' | null {
    const gap = this.spec.gap;
    const wEnd = ts + gap;
    const sessions = ks?.sessions;
    let lo = 0;
    if (sessions !== undefined) {
      // Sessions are few per key: a linear scan for the first one that does not end before the window.
      while (lo < sessions.length && sessions[lo]!.end < ts) lo++;
      let hi = lo;
      while (hi < sessions.length && sessions[hi]!.start <= wEnd) hi++;
      if (hi > lo) return this.merge(sessions, key, lo, hi, ts, wEnd);
    }
    if (!this.spec.procTime && wEnd - 1 <= this.watermark) return null;
    return 'new';
  }

  /** Merges sessions [lo, hi) and the window [start, end) into `sessions[lo]`, moving the timers. */
  private merge(sessions: Session[], key: string, lo: number, hi: number, start: number, end: number): Session {
    const base = sessions[lo]!;
    const newStart = Math.min(start, base.start);
    const newEnd = Math.max(end, sessions[hi - 1]!.end);
    let keepsTimer = false;
    for (let i = lo; i < hi; i++) {
      const s = sessions[i]!;
      if (s.end === newEnd) keepsTimer = true;
      else this.deleteTimer(key, s.end - 1);
      if (i > lo) this.aggs.merge(base.acc, s.acc);
    }
    if (hi - lo > 1) sessions.splice(lo + 1, hi - lo - 1);
    base.start = newStart;
    base.end = newEnd;
    if (!keepsTimer) this.registerTimer(key, newEnd - 1);
    return base;
  }

  private openSession(ks: KeySessions, key: string, ts: number): AggState {
    const sessions = ks.sessions;
    let i = sessions.length;
    while (i > 0 && sessions[i - 1]!.start > ts) i--;
    const session: Session = { start: ts, end: ts + this.spec.gap, acc: this.aggs.createState() };
    sessions.splice(i, 0, session);
    this.registerTimer(key, session.end - 1);
    return session.acc;
  }

  private registerTimer(key: string, ts: number): void {
    const timers = this.ctx.timers();
    if (this.spec.procTime) {
      timers.registerProcessingTimeTimer(key, ts);
      this.openProcTimers.set(key + PAIR_SEPARATOR + ts, { key, ts });
    } else timers.registerEventTimeTimer(key, ts);
  }

  private deleteTimer(key: string, ts: number): void {
    const timers = this.ctx.timers();
    if (this.spec.procTime) {
      timers.deleteProcessingTimeTimer(key, ts);
      this.openProcTimers.delete(key + PAIR_SEPARATOR + ts);
    } else timers.deleteEventTimeTimer(key, ts);
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> {
    const n = keys.length;
    if (n === 0) return;
    if (domain === 'processing-time') for (let i = 0; i < n; i++) this.openProcTimers.delete(keys[i]! + PAIR_SEPARATOR + timestamps[i]!);
    // A key can have several due timers (several sessions): read each key once.
    const slotByKey = new Map<string, number>();
    const distinct: string[] = [];
    for (let i = 0; i < n; i++) {
      if (!slotByKey.has(keys[i]!)) {
        slotByKey.set(keys[i]!, distinct.length);
        distinct.push(keys[i]!);
      }
    }
    const states = await this.state.getMany(distinct);
    const changed = new Uint8Array(distinct.length);
    const writer = this.writer;
    const nKeys = this.spec.groupKeys.length;
    const width = this.aggs.size;
    const values = this.values;
    for (let i = 0; i < n; i++) {
      const slot = slotByKey.get(keys[i]!)!;
      const ks = states[slot];
      if (ks === undefined) continue;
      const end = timestamps[i]! + 1;
      const sessions = ks.sessions;
      const at = sessions.findIndex((s) => s.end === end);
      // No session ends here: its timer outlived a merge (see the module comment).
      if (at < 0) continue;
      const s = sessions[at]!;
      this.aggs.getValues(s.acc, values);
      writer.beginRow(RowKind.INSERT);
      for (let k = 0; k < nKeys; k++) writer.set(k, ks.key[k]);
      for (let a = 0; a < width; a++) writer.set(nKeys + a, values[a]);
      writer.set(nKeys + width, s.start);
      writer.set(nKeys + width + 1, end);
      writer.set(nKeys + width + 2, end - 1);
      sessions.splice(at, 1);
      changed[slot] = 1;
    }
    const putKeys: string[] = [];
    const putValues: KeySessions[] = [];
    const deleteKeys: string[] = [];
    for (let s = 0; s < distinct.length; s++) {
      if (changed[s] === 0) continue;
      const ks = states[s]!;
      if (ks.sessions.length === 0) deleteKeys.push(distinct[s]!);
      else {
        putKeys.push(distinct[s]!);
        putValues.push(ks);
      }
    }
    if (deleteKeys.length > 0) await this.state.deleteMany(deleteKeys);
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
    if (writer.numRows > 0) this.ctx.emit(writer.finish());
  }

  processWatermark(watermark: number): void {
    this.watermark = watermark;
    this.ctx.emitWatermark(watermark);
  }

  /** Bounded input: processing-time sessions still open fire now (event-time ones fire at the +∞ watermark). */
  async endInput(): Promise<void> {
    if (!this.spec.procTime || this.openProcTimers.size === 0) return;
    const open = [...this.openProcTimers.values()].sort((a, b) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const timers = this.ctx.timers();
    for (const t of open) timers.deleteProcessingTimeTimer(t.key, t.ts);
    await this.onTimers(
      'processing-time',
      open.map((t) => t.key),
      open.map((t) => t.ts),
    );
  }

  close(): void {}

  private keyOf(batch: RecordBatch, row: number): unknown[] {
    const keys = this.spec.groupKeys;
    const out = new Array<unknown>(keys.length);
    for (let k = 0; k < keys.length; k++) out[k] = readCell(batch.columns[keys[k]!]!, row, this.keyIsBool[k]!);
    return out;
  }
}
