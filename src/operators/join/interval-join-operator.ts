/**
 * Event-time interval join (spec `interval-join`; Flink's RowTimeIntervalJoin over TimeIntervalJoin,
 * row for row): `l` and `r` with equal keys join when `r.time + lowerBound <= l.time <= r.time + upperBound`
 * and the residual condition holds. Insert-only in, insert-only out.
 *
 * State, per side: a map state keyed by the join key; user key = the row time; value = the rows of that
 * key and time, each with an `emitted` flag (whether it joined, for outer padding). Per input batch: read
 * the other side's rows of the batch's distinct keys and this side's rows at the batch's (key, time)
 * pairs (one `getMany`, one `getEntries`), process the rows in order, write back (one `putEntries` each).
 *
 * With `wm` the current watermark (the same for both inputs: the operator's combined watermark):
 * - a left row at `t` joins the buffered right rows in [t - upperBound, t - lowerBound]; it is buffered
 *   while a future (non-late, time > wm) right row may still join it, i.e. while `wm < t - lowerBound`,
 *   with a cleanup timer at `t - lowerBound + 1`; a right row at `r` symmetrically, while
 *   `wm < r + upperBound`, timer at `r + upperBound + 1`.
 * - a row that is not buffered (it is late: its whole window is behind the watermark) still joins what is
 *   buffered; if it is on an outer side and joined nothing it is emitted NULL-padded at once.
 * - a timer for key k removes k's expired rows of both sides (left `t <= wm + lowerBound - 1`, right
 *   `r <= wm - upperBound - 1`, Flink's expiration times) and emits the outer side's never-joined ones
 *   NULL-padded.
 * - rows with a NULL key or a NULL time never join (outer: padded at once).
 * The output watermark is held back by the larger relative window size (Flink's max output delay), so
 * joined rows are never behind the watermark that follows them.
 */
import { internalError } from '../../common/index.js';
import { compileTwoInputPredicate, loadUdfs } from '../../expr/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { IntervalJoinSpec } from '../../spec/index.js';
import { encodeBatchKeys, encodeValue } from '../../state/index.js';
import type { MapState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { nullKeyRows } from './join-keys.js';
import { loadRow, oneRowBatch, readRow } from './row-scratch.js';

/** A buffered row and whether it has joined (outer sides emit the never-joined ones NULL-padded). */
export interface IntervalRow {
  readonly row: unknown[];
  readonly emitted: boolean;
}

interface Side {
  readonly type: RowType;
  readonly keys: readonly number[];
  readonly timeIndex: number;
  readonly boolColumns: ReadonlySet<number>;
  readonly isBool: readonly boolean[];
  readonly state: MapState<IntervalRow[]>;
  readonly outer: boolean;
  readonly scratch: RecordBatch;
}

const PAIR_SEPARATOR = '\u001d';

export class IntervalJoinOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private sides!: [Side, Side];
  private writer!: BatchBuilder;
  private condition: ((left: RecordBatch, lrow: number, right: RecordBatch, rrow: number) => boolean) | null = null;
  /** Flink's max output delay: the larger of the two relative window sizes. */
  private readonly watermarkDelay: number;

  constructor(readonly spec: IntervalJoinSpec) {
    if (spec.leftKeys.length !== spec.rightKeys.length) {
      throw internalError(`interval join: ${spec.leftKeys.length} left keys but ${spec.rightKeys.length} right keys`);
    }
    this.watermarkDelay = Math.max(0, -spec.lowerBound, spec.upperBound);
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const spec = this.spec;
    const backend = ctx.keyedState();
    const t = spec.joinType;
    const side = (type: RowType, keys: readonly number[], timeIndex: number, outer: boolean, name: string): Side => {
      const isBool = type.fields.map((f) => f.type.kind === 'BOOLEAN');
      return {
        type,
        keys,
        timeIndex,
        boolColumns: new Set(isBool.flatMap((b, i) => (b ? [i] : []))),
        isBool,
        state: backend.mapState<IntervalRow[]>({ name }),
        outer,
        scratch: oneRowBatch(type),
      };
    };
    this.sides = [
      side(spec.leftType, spec.leftKeys, spec.leftTimeIndex, t === 'LEFT' || t === 'FULL', 'interval-join-left'),
      side(spec.rightType, spec.rightKeys, spec.rightTimeIndex, t === 'RIGHT' || t === 'FULL', 'interval-join-right'),
    ];
    this.writer = new BatchBuilder(ctx.outputType);
    if (spec.condition !== null) {
      await loadUdfs([spec.condition]);
      const context = { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' };
      this.condition = compileTwoInputPredicate(spec.condition, spec.leftType, spec.rightType, { context });
    }
  }

  async processBatch(input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    if (input !== 0 && input !== 1) throw internalError(`interval join has inputs 0 and 1, got ${input}`);
    const own = this.sides[input]!;
    const other = this.sides[1 - input]!;
    const isLeft = input === 0;
    const spec = this.spec;
    const wm = this.ctx.timers().currentWatermark();
    const keys = encodeBatchKeys(batch, own.keys, own.boolColumns);
    const nullKey = nullKeyRows(batch, own.keys);
    const timeCol = batch.columns[own.timeIndex]!;
    const timeData = timeCol.data as Float64Array;
    const timeNulls = timeCol.nulls;

    // Distinct keys (other side's rows) and distinct (key, time) pairs of rows to buffer (own entries).
    const keySlot = new Int32Array(n).fill(-1);
    const slotByKey = new Map<string, number>();
    const uniqueKeys: string[] = [];
    const pairSlot = new Int32Array(n).fill(-1);
    const slotByPair = new Map<string, number>();
    const pairKeys: string[] = [];
    const pairTimes: string[] = [];
    for (let r = 0; r < n; r++) {
      if ((nullKey !== null && nullKey[r] === 1) || (timeNulls !== null && timeNulls[r] === 1)) continue;
      const key = keys[r]!;
      let s = slotByKey.get(key);
      if (s === undefined) {
        s = uniqueKeys.length;
        slotByKey.set(key, s);
        uniqueKeys.push(key);
      }
      keySlot[r] = s;
      const t = timeData[r]!;
      if (!this.buffered(isLeft, t, wm)) continue;
      const tk = encodeValue(t);
      const id = key + PAIR_SEPARATOR + tk;
      let p = slotByPair.get(id);
      if (p === undefined) {
        p = pairKeys.length;
        slotByPair.set(id, p);
        pairKeys.push(key);
        pairTimes.push(tk);
      }
      pairSlot[r] = p;
    }
    const otherMaps = uniqueKeys.length === 0 ? [] : await other.state.getMany(uniqueKeys);
    const ownLists = pairKeys.length === 0 ? [] : await own.state.getEntries(pairKeys, pairTimes);
    const ownNew: (IntervalRow[] | undefined)[] = ownLists.map((l) => (l === undefined ? undefined : l.slice()));
    /** Other-side entries whose `emitted` flags changed: index into changed*. */
    const changedSlot = new Map<string, number>();
    const changedKeys: string[] = [];
    const changedTimes: string[] = [];
    const changedLists: IntervalRow[][] = [];
    const timers = this.ctx.timers();
    // Right rows at time r join left t when t - upper <= r <= t - lower; left rows at t join right r when r + lower <= t <= r + upper.
    const lo = isLeft ? -spec.upperBound : spec.lowerBound;
    const hi = isLeft ? -spec.lowerBound : spec.upperBound;
    const cond = this.condition;

    for (let r = 0; r < n; r++) {
      const slot = keySlot[r]!;
      if (slot < 0) {
        if (own.outer) this.emitPadded(batch, r, isLeft);
        continue;
      }
      const t = timeData[r]!;
      const from = t + lo;
      const to = t + hi;
      let joined = false;
      const key = uniqueKeys[slot]!;
      for (const [tk, list] of otherMaps[slot]!) {
        const ot = list.length > 0 ? (list[0]!.row[other.timeIndex] as number) : NaN;
        if (!(ot >= from && ot <= to)) continue;
        let updated: IntervalRow[] | null = null;
        for (let i = 0; i < list.length; i++) {
          const o = list[i]!;
          if (cond !== null) {
            loadRow(other.scratch, o.row);
            if (!(isLeft ? cond(batch, r, other.scratch, 0) : cond(other.scratch, 0, batch, r))) continue;
          }
          joined = true;
          this.emitPair(batch, r, o.row, isLeft);
          if (other.outer && !o.emitted) {
            updated ??= list.slice();
            updated[i] = { row: o.row, emitted: true };
          }
        }
        if (updated !== null) {
          otherMaps[slot]!.set(tk, updated);
          const id = key + PAIR_SEPARATOR + tk;
          const c = changedSlot.get(id);
          if (c === undefined) {
            changedSlot.set(id, changedKeys.length);
            changedKeys.push(key);
            changedTimes.push(tk);
            changedLists.push(updated);
          } else changedLists[c] = updated;
        }
      }
      const p = pairSlot[r]!;
      if (p >= 0) {
        const list = (ownNew[p] ??= []);
        list.push({ row: readRow(batch, r, own.isBool), emitted: joined });
        timers.registerEventTimeTimer(key, isLeft ? t - spec.lowerBound + 1 : t + spec.upperBound + 1);
      } else if (own.outer && !joined) {
        this.emitPadded(batch, r, isLeft);
      }
    }
    if (pairKeys.length > 0) await own.state.putEntries(pairKeys, pairTimes, ownNew);
    if (changedKeys.length > 0) await other.state.putEntries(changedKeys, changedTimes, changedLists);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  /** Whether a row at time `t` must wait for future rows of the other side (see the class comment). */
  private buffered(isLeft: boolean, t: number, wm: number): boolean {
    return isLeft ? wm < t - this.spec.lowerBound : wm < t + this.spec.upperBound;
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], _timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time') return;
    const unique = [...new Set(keys)];
    const wm = this.ctx.timers().currentWatermark();
    const spec = this.spec;
    await this.expire(0, unique, wm + spec.lowerBound - 1);
    await this.expire(1, unique, wm - spec.upperBound - 1);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  /** Removes rows of side `s` with time <= `expiration` for `keys`, padding never-joined outer rows. */
  private async expire(s: 0 | 1, keys: readonly string[], expiration: number): Promise<void> {
    const side = this.sides[s];
    const maps = await side.state.getMany(keys);
    const delKeys: string[] = [];
    const delTimes: string[] = [];
    for (let k = 0; k < keys.length; k++) {
      for (const [tk, list] of maps[k]!) {
        if (list.length === 0 || (list[0]!.row[side.timeIndex] as number) > expiration) continue;
        if (side.outer) for (const o of list) if (!o.emitted) this.emitPaddedStored(o.row, s === 0);
        delKeys.push(keys[k]!);
        delTimes.push(tk);
      }
    }
    if (delKeys.length > 0) await side.state.putEntries(delKeys, delTimes, new Array<IntervalRow[] | undefined>(delKeys.length).fill(undefined));
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark === Infinity ? Infinity : watermark - this.watermarkDelay);
  }

  close(): void {}

  private emitPair(batch: RecordBatch, r: number, stored: readonly unknown[], inputIsLeft: boolean): void {
    const w = this.writer;
    w.beginRow(RowKind.INSERT);
    const nl = this.spec.leftType.fields.length;
    if (inputIsLeft) {
      for (let c = 0; c < nl; c++) w.copyFrom(c, batch, c, r);
      for (let c = 0; c < stored.length; c++) w.set(nl + c, stored[c]);
    } else {
      for (let c = 0; c < nl; c++) w.set(c, stored[c]);
      const nr = batch.columns.length;
      for (let c = 0; c < nr; c++) w.copyFrom(nl + c, batch, c, r);
    }
  }

  private emitPadded(batch: RecordBatch, r: number, inputIsLeft: boolean): void {
    const w = this.writer;
    w.beginRow(RowKind.INSERT);
    const nl = this.spec.leftType.fields.length;
    const nr = this.spec.rightType.fields.length;
    if (inputIsLeft) {
      for (let c = 0; c < nl; c++) w.copyFrom(c, batch, c, r);
      for (let c = 0; c < nr; c++) w.setNull(nl + c);
    } else {
      for (let c = 0; c < nl; c++) w.setNull(c);
      for (let c = 0; c < nr; c++) w.copyFrom(nl + c, batch, c, r);
    }
  }

  private emitPaddedStored(stored: readonly unknown[], isLeft: boolean): void {
    const w = this.writer;
    w.beginRow(RowKind.INSERT);
    const nl = this.spec.leftType.fields.length;
    const nr = this.spec.rightType.fields.length;
    if (isLeft) {
      for (let c = 0; c < nl; c++) w.set(c, stored[c]);
      for (let c = 0; c < nr; c++) w.setNull(nl + c);
    } else {
      for (let c = 0; c < nl; c++) w.setNull(c);
      for (let c = 0; c < nr; c++) w.set(nl + c, stored[c]);
    }
  }
}
