/**
 * OVER aggregation (spec `over-aggregate`, Flink's RowTime/ProcTime {Rows,Range}{Bounded,Unbounded}Preceding
 * functions in one operator): appends to every input row the aggregates over its frame within its
 * partition.
 *
 * State: one value per partition key (`OverState`):
 * - `acc`: the accumulators of the current frame contents;
 * - `retained`: for bounded frames, the rows in the frame, oldest first, so they can be retracted when
 *   they fall out (ROWS: beyond `preceding` rows back; RANGE: older than `t − preceding`);
 * - `pending` (event time): rows waiting for the watermark, by timestamp, each list in arrival order;
 * - `lastTriggered` (event time): the latest timestamp emitted, below which rows are late.
 *
 * Event time: a row is buffered and a keyed event-time timer is registered at its timestamp; when the
 * watermark passes it, the timer fires (timers fire in timestamp order per key) and the rows of that
 * timestamp are emitted. RANGE peers (equal timestamps) are accumulated together and share one result;
 * ROWS rows are accumulated one at a time in arrival order. Everything that must survive a failure is the
 * keyed state plus the timers.
 *
 * Processing time: rows are emitted on arrival with the wall clock as their time (no buffering); RANGE
 * rows arriving at the same clock reading are treated one after the other, not as peers.
 *
 * Rows in state are plain arrays of their JS cell values; to run the aggregates over them (which read
 * batches), the rows of one step (those leaving the frame, then those entering it) are written into a
 * small scratch batch.
 */
import { internalError } from '../../common/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { OverAggregateSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { AggregateSet } from '../aggregate/aggregate-set.js';
import type { AggState } from '../aggregate/aggregate-set.js';
import { distinctBatchKeys } from '../common/batch-keys.js';
import { readCell } from '../common/cell.js';

interface RetainedRow {
  readonly ts: number;
  readonly row: unknown[];
}

interface OverState {
  readonly acc: AggState;
  /** Bounded frames: rows in the frame, oldest first. Empty for UNBOUNDED frames. */
  readonly retained: RetainedRow[];
  /** Event time: timestamp → rows waiting for the watermark (arrival order). */
  readonly pending: Map<number, unknown[][]>;
  lastTriggered: number;
}

export class OverAggregateOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private aggs!: AggregateSet;
  private state!: ValueState<OverState>;
  private writer!: BatchBuilder;
  private scratch!: BatchBuilder;
  private inputType!: RowType;
  private isBool!: readonly boolean[];
  private boolKeyColumns!: ReadonlySet<number>;
  private lateDropped!: { inc(n?: number): void };
  private nullTimeDropped!: { inc(n?: number): void };
  private values: unknown[] = [];
  private readonly bounded: boolean;
  /** Event-time RANGE frame with a bound: partitions get a cleanup timer after their last frame ends. */
  private readonly cleansRange: boolean;

  constructor(readonly spec: OverAggregateSpec) {
    const p = spec.frame.preceding;
    if (p !== null && !(p >= 0)) throw internalError(`OVER frame offset must be >= 0, got ${p}`);
    this.bounded = p !== null;
    this.cleansRange = this.bounded && spec.frame.unit === 'RANGE' && !spec.procTime;
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('over-aggregate needs one input');
    this.inputType = inputType;
    // Bounded frames retract rows that leave the frame.
    this.aggs = new AggregateSet(this.spec.aggregates, inputType, this.bounded);
    this.state = ctx.keyedState().valueState<OverState>({ name: 'over-agg' });
    this.writer = new BatchBuilder(ctx.outputType);
    this.scratch = new BatchBuilder(inputType, 64);
    this.isBool = inputType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.partitionKeys.filter((c) => this.isBool[c]));
    this.lateDropped = ctx.metrics().counter('numLateRecordsDropped');
    this.nullTimeDropped = ctx.metrics().counter('numNullTimeRecordsDropped');
    this.values = new Array<unknown>(this.aggs.size);
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const { uniqueKeys, slotOf } = distinctBatchKeys(batch, this.spec.partitionKeys, this.boolKeyColumns);
    const states = (await this.state.getMany(uniqueKeys)) as (OverState | undefined)[];
    for (let s = 0; s < states.length; s++) if (states[s] === undefined) states[s] = this.newState();
    if (this.spec.procTime) this.processOnArrival(batch, uniqueKeys, slotOf, states as OverState[]);
    else this.buffer(batch, uniqueKeys, slotOf, states as OverState[]);
    await this.state.putMany(uniqueKeys, states as OverState[]);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  /** Event time: keep each row until the watermark passes its time; one timer per (key, time). */
  private buffer(batch: RecordBatch, keys: readonly string[], slotOf: Int32Array, states: OverState[]): void {
    const timeCol = batch.columns[this.spec.timeIndex]!;
    const times = timeCol.data as Float64Array;
    const timers = this.ctx.timers();
    let late = 0;
    let nullTime = 0;
    for (let r = 0; r < batch.numRows; r++) {
      if (timeCol.nulls !== null && timeCol.nulls[r] === 1) {
        nullTime++;
        continue;
      }
      const slot = slotOf[r]!;
      const st = states[slot]!;
      const ts = times[r]!;
      // Flink drops a row whose time its partition has already emitted (it would be out of order).
      if (ts <= st.lastTriggered) {
        late++;
        continue;
      }
      let rows = st.pending.get(ts);
      if (rows === undefined) {
        rows = [];
        st.pending.set(ts, rows);
        timers.registerEventTimeTimer(keys[slot]!, ts);
      }
      rows.push(this.readRow(batch, r));
    }
    if (late > 0) this.lateDropped.inc(late);
    if (nullTime > 0) this.nullTimeDropped.inc(nullTime);
  }

  /** Processing time: each row in arrival order, at the current clock. */
  private processOnArrival(batch: RecordBatch, _keys: readonly string[], slotOf: Int32Array, states: OverState[]): void {
    const now = this.ctx.processingTime();
    const one: unknown[][] = [[]];
    for (let r = 0; r < batch.numRows; r++) {
      one[0] = this.readRow(batch, r);
      this.step(states[slotOf[r]!]!, now, one);
    }
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time' || keys.length === 0) return;
    const slotByKey = new Map<string, number>();
    const distinct: string[] = [];
    for (const k of keys) {
      if (!slotByKey.has(k)) {
        slotByKey.set(k, distinct.length);
        distinct.push(k);
      }
    }
    const states = await this.state.getMany(distinct);
    for (let i = 0; i < keys.length; i++) {
      const st = states[slotByKey.get(keys[i]!)!];
      const ts = timestamps[i]!;
      if (st === undefined) continue;
      const rows = st.pending.get(ts);
      if (rows === undefined) {
        // A cleanup timer (RANGE frames): rows older than ts − preceding can no longer be in any frame.
        if (this.cleansRange) this.evictRange(st, ts);
        continue;
      }
      st.pending.delete(ts);
      st.lastTriggered = ts;
      this.step(st, ts, rows);
      // An idle partition would keep its last frame forever: schedule its eviction after the frame ends.
      if (this.cleansRange) this.ctx.timers().registerEventTimeTimer(keys[i]!, ts + this.spec.frame.preceding! + 1);
    }
    const put: string[] = [];
    const putValues: OverState[] = [];
    const del: string[] = [];
    for (let s = 0; s < distinct.length; s++) {
      const st = states[s];
      if (st === undefined) continue;
      // An unbounded frame keeps its accumulator forever; a bounded one is empty when nothing is retained.
      if (this.bounded && st.retained.length === 0 && st.pending.size === 0) del.push(distinct[s]!);
      else {
        put.push(distinct[s]!);
        putValues.push(st);
      }
    }
    if (del.length > 0) await this.state.deleteMany(del);
    if (put.length > 0) await this.state.putMany(put, putValues);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  /**
   * Emits `rows` (all with time `ts`, arrival order) of one partition, updating its frame: RANGE rows are
   * peers (accumulated together, one shared result); ROWS rows enter one at a time.
   */
  private step(st: OverState, ts: number, rows: readonly unknown[][]): void {
    const frame = this.spec.frame;
    const aggs = this.aggs;
    const retained = st.retained;
    const k = rows.length;
    if (frame.unit === 'RANGE' || frame.preceding === null) {
      // Rows leaving a RANGE frame: retained rows older than ts − preceding.
      let out = 0;
      if (frame.unit === 'RANGE' && frame.preceding !== null) {
        const bound = ts - frame.preceding;
        while (out < retained.length && retained[out]!.ts < bound) out++;
      }
      const batch = this.scratchBatch(retained, out, rows);
      for (let r = 0; r < out; r++) {
        st.acc.rows--;
        aggs.apply(st.acc, batch, r, true);
      }
      if (out > 0) retained.splice(0, out);
      if (frame.unit === 'RANGE') {
        for (let r = 0; r < k; r++) {
          st.acc.rows++;
          aggs.apply(st.acc, batch, out + r, false);
        }
        aggs.getValues(st.acc, this.values);
        for (let r = 0; r < k; r++) this.emitRow(rows[r]!);
      } else {
        // ROWS UNBOUNDED PRECEDING: each row sees itself and everything before it.
        for (let r = 0; r < k; r++) {
          st.acc.rows++;
          aggs.apply(st.acc, batch, out + r, false);
          aggs.getValues(st.acc, this.values);
          this.emitRow(rows[r]!);
        }
      }
      if (this.bounded) for (let r = 0; r < k; r++) retained.push({ ts, row: rows[r]! });
      return;
    }
    // ROWS n PRECEDING: the frame holds at most n + 1 rows; the oldest leave as new ones enter. The rows
    // that leave are the first `leave` of (retained ++ rows).
    const size = frame.preceding + 1;
    const total = retained.length + k;
    const leave = Math.max(0, total - size);
    const fromRetained = Math.min(leave, retained.length);
    const batch = this.scratchBatch(retained, fromRetained, rows);
    // Combined index c: c < fromRetained → batch row c; c >= retained.length → batch row fromRetained + (c − retained.length).
    const base = retained.length;
    let next = 0;
    for (let r = 0; r < k; r++) {
      st.acc.rows++;
      aggs.apply(st.acc, batch, fromRetained + r, false);
      // After adding the row at combined index base + r, the frame may hold one row too many.
      while (base + r + 1 - next > size) {
        const row = next < base ? next : fromRetained + (next - base);
        st.acc.rows--;
        aggs.apply(st.acc, batch, row, true);
        next++;
      }
      aggs.getValues(st.acc, this.values);
      this.emitRow(rows[r]!);
    }
    retained.splice(0, Math.min(next, base));
    const keepNew = next > base ? next - base : 0;
    for (let r = keepNew; r < k; r++) retained.push({ ts, row: rows[r]! });
  }

  /** Retracts and drops the retained rows older than `ts − preceding` (RANGE frames). */
  private evictRange(st: OverState, ts: number): void {
    const retained = st.retained;
    const bound = ts - this.spec.frame.preceding!;
    let out = 0;
    while (out < retained.length && retained[out]!.ts < bound) out++;
    if (out === 0) return;
    const batch = this.scratchBatch(retained, out, []);
    for (let r = 0; r < out; r++) {
      st.acc.rows--;
      this.aggs.apply(st.acc, batch, r, true);
    }
    retained.splice(0, out);
  }

  /** A batch of `retained[0, count)` then `rows`, for the aggregates to read. */
  private scratchBatch(retained: readonly RetainedRow[], count: number, rows: readonly unknown[][]): RecordBatch {
    const b = this.scratch;
    const width = this.inputType.fields.length;
    for (let r = 0; r < count; r++) {
      const row = retained[r]!.row;
      b.beginRow(RowKind.INSERT);
      for (let c = 0; c < width; c++) b.set(c, row[c]);
    }
    for (const row of rows) {
      b.beginRow(RowKind.INSERT);
      for (let c = 0; c < width; c++) b.set(c, row[c]);
    }
    return b.finish();
  }

  private emitRow(row: readonly unknown[]): void {
    const w = this.writer;
    const width = row.length;
    const values = this.values;
    w.beginRow(RowKind.INSERT);
    for (let c = 0; c < width; c++) w.set(c, row[c]);
    for (let a = 0; a < values.length; a++) w.set(width + a, values[a]);
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}

  private newState(): OverState {
    return { acc: this.aggs.createState(), retained: [], pending: new Map(), lastTriggered: -Infinity };
  }

  private readRow(batch: RecordBatch, r: number): unknown[] {
    const cols = batch.columns;
    const isBool = this.isBool;
    const row = new Array<unknown>(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = readCell(cols[c]!, r, isBool[c]!);
    return row;
  }
}
