/**
 * Event-time temporal join (spec `temporal-join`; Flink's TemporalRowTimeJoinOperator): each left row
 * joins the version of the right (versioned) table current at the left row's time, once the watermark
 * has passed that time.
 *
 * State, keyed by the join key:
 * - left rows waiting for the watermark: map state, user key = the row time, value = the rows of that
 *   time in arrival order;
 * - right versions: map state, user key = the version time, value = the row and whether it is a live
 *   version (+I/+U) or a deletion (-D). A later row at the same time replaces the version (as Flink's
 *   `rightState.put(rowTime, row)`).
 * Timers: an event-time timer at every buffered row's time. When timers of a key fire (watermark `wm`),
 * its left rows with time <= wm are joined in time order (arrival order within a time) against the
 * latest version at or before their time, and removed; then the versions before the latest one at or
 * before wm are removed (no left row can need them any more: later left rows have time > wm).
 *
 * Flink's rules kept here: a deletion as the current version means no match; the non-equi condition
 * failing means no match; a LEFT join emits the left row NULL-padded when nothing matches. Late left
 * rows (time <= wm on arrival) are joined at the next timer firing, against the versions still kept.
 */
import { internalError } from '../../common/index.js';
import { compileTwoInputPredicate, loadUdfs } from '../../expr/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { TemporalJoinSpec } from '../../spec/index.js';
import { encodeBatchKeys, encodeValue } from '../../state/index.js';
import type { MapState } from '../../state/index.js';
import { BatchBuilder, isAccumulate, RowKind } from '../../types/index.js';
import type { RecordBatch } from '../../types/index.js';
import { nullKeyRows } from './join-keys.js';
import { loadRow, oneRowBatch, readRow } from './row-scratch.js';

/** One version of a right-side (versioned table) key. */
export interface TemporalVersion {
  readonly row: unknown[];
  /** False for a deletion (-D): from its time on the key has no version. */
  readonly live: boolean;
}

const PAIR_SEPARATOR = '\u001d';

export class TemporalJoinOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private writer!: BatchBuilder;
  private leftState!: MapState<unknown[][]>;
  private rightState!: MapState<TemporalVersion>;
  private condition: ((left: RecordBatch, lrow: number, right: RecordBatch, rrow: number) => boolean) | null = null;
  private leftScratch!: RecordBatch;
  private rightScratch!: RecordBatch;
  private leftBool!: boolean[];
  private rightBool!: boolean[];
  private leftBoolColumns!: ReadonlySet<number>;
  private rightBoolColumns!: ReadonlySet<number>;

  constructor(readonly spec: TemporalJoinSpec) {
    if (spec.leftKeys.length !== spec.rightKeys.length || spec.leftKeys.length === 0) {
      throw internalError(`temporal join: ${spec.leftKeys.length} left keys but ${spec.rightKeys.length} right keys`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const spec = this.spec;
    const backend = ctx.keyedState();
    this.leftState = backend.mapState<unknown[][]>({ name: 'temporal-join-left' });
    this.rightState = backend.mapState<TemporalVersion>({ name: 'temporal-join-right' });
    this.writer = new BatchBuilder(ctx.outputType);
    this.leftScratch = oneRowBatch(spec.leftType);
    this.rightScratch = oneRowBatch(spec.rightType);
    this.leftBool = spec.leftType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.rightBool = spec.rightType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.leftBoolColumns = new Set(this.leftBool.flatMap((b, i) => (b ? [i] : [])));
    this.rightBoolColumns = new Set(this.rightBool.flatMap((b, i) => (b ? [i] : [])));
    if (spec.condition !== null) {
      await loadUdfs([spec.condition]);
      const context = { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' };
      this.condition = compileTwoInputPredicate(spec.condition, spec.leftType, spec.rightType, { context });
    }
  }

  async processBatch(input: number, batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    if (input === 0) await this.processLeft(batch);
    else if (input === 1) await this.processRight(batch);
    else throw internalError(`temporal join has inputs 0 and 1, got ${input}`);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  private async processLeft(batch: RecordBatch): Promise<void> {
    const spec = this.spec;
    const n = batch.numRows;
    const keys = encodeBatchKeys(batch, spec.leftKeys, this.leftBoolColumns);
    const nullKey = nullKeyRows(batch, spec.leftKeys);
    const timeCol = batch.columns[spec.leftTimeIndex]!;
    const times = timeCol.data as Float64Array;
    const timers = this.ctx.timers();
    // Rows grouped by (key, time) in arrival order, appended to what the state holds.
    const slotByPair = new Map<string, number>();
    const pairKeys: string[] = [];
    const pairTimes: string[] = [];
    const added: unknown[][][] = [];
    for (let r = 0; r < n; r++) {
      if ((nullKey !== null && nullKey[r] === 1) || (timeCol.nulls !== null && timeCol.nulls[r] === 1)) {
        if (spec.joinType === 'LEFT') this.emit(readRow(batch, r, this.leftBool), null);
        continue;
      }
      const key = keys[r]!;
      const t = times[r]!;
      const tk = encodeValue(t);
      const id = key + PAIR_SEPARATOR + tk;
      let p = slotByPair.get(id);
      if (p === undefined) {
        p = pairKeys.length;
        slotByPair.set(id, p);
        pairKeys.push(key);
        pairTimes.push(tk);
        added.push([]);
        timers.registerEventTimeTimer(key, t);
      }
      added[p]!.push(readRow(batch, r, this.leftBool));
    }
    if (pairKeys.length === 0) return;
    const existing = await this.leftState.getEntries(pairKeys, pairTimes);
    const values = existing.map((rows, p) => (rows === undefined ? added[p]! : [...rows, ...added[p]!]));
    await this.leftState.putEntries(pairKeys, pairTimes, values);
  }

  private async processRight(batch: RecordBatch): Promise<void> {
    const spec = this.spec;
    const n = batch.numRows;
    const keys = encodeBatchKeys(batch, spec.rightKeys, this.rightBoolColumns);
    const nullKey = nullKeyRows(batch, spec.rightKeys);
    const timeCol = batch.columns[spec.rightTimeIndex]!;
    const times = timeCol.data as Float64Array;
    const kinds = batch.kinds;
    const timers = this.ctx.timers();
    // The last row per (key, time) of the batch wins, as consecutive puts would.
    const slotByPair = new Map<string, number>();
    const pairKeys: string[] = [];
    const pairTimes: string[] = [];
    const versions: TemporalVersion[] = [];
    for (let r = 0; r < n; r++) {
      const kind = kinds === null ? RowKind.INSERT : kinds[r]!;
      // -U is not requested from the input; the +U that follows it carries the new version.
      if (kind === RowKind.UPDATE_BEFORE) continue;
      // A NULL key never matches a left row, and a version without a time has no place in the history.
      if ((nullKey !== null && nullKey[r] === 1) || (timeCol.nulls !== null && timeCol.nulls[r] === 1)) continue;
      const key = keys[r]!;
      const t = times[r]!;
      const tk = encodeValue(t);
      const id = key + PAIR_SEPARATOR + tk;
      const version: TemporalVersion = { row: readRow(batch, r, this.rightBool), live: isAccumulate(kind) };
      const p = slotByPair.get(id);
      if (p !== undefined) {
        versions[p] = version;
        continue;
      }
      slotByPair.set(id, pairKeys.length);
      pairKeys.push(key);
      pairTimes.push(tk);
      versions.push(version);
      timers.registerEventTimeTimer(key, t);
    }
    if (pairKeys.length > 0) await this.rightState.putEntries(pairKeys, pairTimes, versions);
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], _timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time') return;
    const unique = [...new Set(keys)];
    const wm = this.ctx.timers().currentWatermark();
    const spec = this.spec;
    const [lefts, rights] = await Promise.all([this.leftState.getMany(unique), this.rightState.getMany(unique)]);
    const delLeftKeys: string[] = [];
    const delLeftTimes: string[] = [];
    const delRightKeys: string[] = [];
    const delRightTimes: string[] = [];
    for (let k = 0; k < unique.length; k++) {
      const key = unique[k]!;
      const versions = [...rights[k]!].map(([tk, v]) => ({ tk, t: v.row[spec.rightTimeIndex] as number, v })).sort((a, b) => a.t - b.t);
      const due = [...lefts[k]!].map(([tk, rows]) => ({ tk, t: rows[0]![spec.leftTimeIndex] as number, rows })).filter((e) => e.t <= wm).sort((a, b) => a.t - b.t);
      for (const e of due) {
        const version = latestAtOrBefore(versions, e.t);
        for (const row of e.rows) {
          const match = version !== null && version.v.live && this.matches(row, version.v.row) ? version.v.row : null;
          if (match !== null || spec.joinType === 'LEFT') this.emit(row, match);
        }
        delLeftKeys.push(key);
        delLeftTimes.push(e.tk);
      }
      // Versions before the latest one at or before the watermark can no longer be current for any row.
      let keep = -1;
      for (let i = 0; i < versions.length && versions[i]!.t <= wm; i++) keep = i;
      for (let i = 0; i < keep; i++) {
        delRightKeys.push(key);
        delRightTimes.push(versions[i]!.tk);
      }
    }
    if (delLeftKeys.length > 0) await this.leftState.putEntries(delLeftKeys, delLeftTimes, new Array<undefined>(delLeftKeys.length).fill(undefined));
    if (delRightKeys.length > 0) await this.rightState.putEntries(delRightKeys, delRightTimes, new Array<undefined>(delRightKeys.length).fill(undefined));
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  private matches(left: readonly unknown[], right: readonly unknown[]): boolean {
    const cond = this.condition;
    if (cond === null) return true;
    loadRow(this.leftScratch, left);
    loadRow(this.rightScratch, right);
    return cond(this.leftScratch, 0, this.rightScratch, 0);
  }

  /** Emits `left` joined with `right`, or NULL-padded when `right` is null. */
  private emit(left: readonly unknown[], right: readonly unknown[] | null): void {
    const w = this.writer;
    w.beginRow(RowKind.INSERT);
    const nl = left.length;
    for (let c = 0; c < nl; c++) w.set(c, left[c]);
    const nr = this.spec.rightType.fields.length;
    if (right === null) for (let c = 0; c < nr; c++) w.setNull(nl + c);
    else for (let c = 0; c < nr; c++) w.set(nl + c, right[c]);
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}
}

/** The version with the largest time <= `t` in `sorted` (ascending by time), or null. */
function latestAtOrBefore<V extends { readonly t: number }>(sorted: readonly V[], t: number): V | null {
  let lo = 0;
  let hi = sorted.length - 1;
  let found: V | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v.t <= t) {
      found = v;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
