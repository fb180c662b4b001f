/**
 * Event-time window aggregation over slices (Flink's SlicingWindowOperator): each row updates exactly one
 * slice accumulator of its group key (see `SliceAssigner`), and a window's result is the merge of its
 * slices when it fires (HOP: size / gcd(size, slide) slices; CUMULATE: the slices from the period start;
 * TUMBLE: its one slice, used as is).
 *
 * State: one value per group key (`KeySlices`): the key's values and its live slices, sorted by end. Per
 * batch the operator reads the batch's distinct keys with one `getMany`, updates one slice per row in
 * row order, and writes them back with one `putMany`.
 *
 * Firing without timers: `PendingWindows` lists, per window end, the keys that have a slice in that
 * window (a key is added when its first slice of the window is created). When the watermark reaches
 * `end - 1`, the windows fire in end order, keys in encoded-key order (the order the per-window timers
 * fired in), visiting only those keys. After a window fires, each visited key frees the slices no later
 * window needs; a key with no slice left is deleted.
 *
 * Lateness: a row is late when its slice has fired (`sliceEnd - 1 <= watermark`): dropped and counted in
 * `numLateRecordsDropped`. Then every window containing the slice has fired, and a row that is not late
 * only touches windows that are still pending. Rows with a NULL time are dropped and counted in
 * `numNullTimeRecordsDropped`. Output is insert-only: group keys, aggregates, window_start, window_end,
 * window_time (= window_end − 1).
 */
import { internalError } from '../../common/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { WindowAggregateSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch } from '../../types/index.js';
import { distinctBatchKeys } from '../common/batch-keys.js';
import { readCell } from '../common/cell.js';
import { SliceAssigner } from '../window/slice-assigner.js';
import type { AggregateFunction } from './aggregate-function.js';
import { AggregateSet } from './aggregate-set.js';
import type { AggState } from './aggregate-set.js';
import { createAggregateFunction } from './create-aggregate-function.js';
import { PendingWindows } from './pending-windows.js';

/** The live slices of one group key. Invariant: `ends` ascending, `slices[i]` accumulates slice `ends[i]`. */
interface KeySlices {
  readonly key: unknown[];
  readonly ends: number[];
  readonly slices: AggState[];
}

export class SlicedWindowAggregate implements TimerOperator {
  private ctx!: OperatorContext;
  private aggs!: AggregateSet;
  /** The same functions as `aggs` holds (stateless), for merging slice accumulators. */
  private fns!: readonly AggregateFunction[];
  private state!: ValueState<KeySlices>;
  private writer!: BatchBuilder;
  private boolKeyColumns!: ReadonlySet<number>;
  private keyIsBool!: readonly boolean[];
  private lateDropped!: { inc(n?: number): void };
  private nullTimeDropped!: { inc(n?: number): void };
  private readonly slicer: SliceAssigner;
  private readonly pending = new PendingWindows();
  private watermark = -Infinity;
  private values: unknown[] = [];
  /** Scratch accumulator of a window merged from several slices (never stored). */
  private merged!: AggState;
  private rowEnd = new Float64Array(0);
  /** 1 for a row of the batch that is dropped (late, or no time): `distinctBatchKeys` skips it. */
  private rowDropped = new Uint8Array(0);

  constructor(readonly spec: WindowAggregateSpec) {
    if (spec.procTime) throw internalError('sliced window aggregation is event-time only');
    this.slicer = new SliceAssigner(spec.window);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('window-aggregate needs one input');
    // Window aggregation consumes insert-only input (the spec says so), so no retracting accumulators.
    this.aggs = new AggregateSet(this.spec.aggregates, inputType, false);
    this.fns = this.spec.aggregates.map((c) => createAggregateFunction(c, false));
    this.state = ctx.keyedState().valueState<KeySlices>({ name: 'window-agg-slices' });
    // The pending-window index is operator memory: restored from the checkpoint, key groups filtered.
    for (const [key, end] of (ctx.restoredKeyedOperatorState ?? []) as readonly (readonly [string, number])[]) this.pending.add(end, key);
    this.writer = new BatchBuilder(ctx.outputType);
    this.keyIsBool = this.spec.groupKeys.map((c) => inputType.fields[c]?.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.groupKeys.filter((_, i) => this.keyIsBool[i]));
    this.lateDropped = ctx.metrics().counter('numLateRecordsDropped');
    this.nullTimeDropped = ctx.metrics().counter('numNullTimeRecordsDropped');
    this.values = new Array<unknown>(this.aggs.size);
    this.merged = this.aggs.createState();
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const spec = this.spec;
    const timeCol = batch.columns[spec.timeIndex]!;
    const times = timeCol.data as Float64Array;
    const timeNulls = timeCol.nulls;
    if (this.rowEnd.length < n) {
      this.rowEnd = new Float64Array(n);
      this.rowDropped = new Uint8Array(n);
    }
    const rowEnd = this.rowEnd;
    const dropped = this.rowDropped;
    const slicer = this.slicer;
    const watermark = this.watermark;

    // Pass 1: each row's slice; late rows and rows without a time are dropped (their keys are not read).
    let late = 0;
    let nullTime = 0;
    for (let r = 0; r < n; r++) {
      dropped[r] = 1;
      if (timeNulls !== null && timeNulls[r] === 1) {
        nullTime++;
        continue;
      }
      const end = slicer.sliceEnd(times[r]!);
      if (end - 1 <= watermark) {
        late++;
        continue;
      }
      dropped[r] = 0;
      rowEnd[r] = end;
    }
    if (late > 0) this.lateDropped.inc(late);
    if (nullTime > 0) this.nullTimeDropped.inc(nullTime);
    if (late + nullTime === n) return;
    const { uniqueKeys: distinct, slotOf: rowSlot, firstRow } = distinctBatchKeys(batch, spec.groupKeys, this.boolKeyColumns, dropped);

    const states = (await this.state.getMany(distinct)) as KeySlices[];
    for (let s = 0; s < distinct.length; s++) if (states[s] === undefined) states[s] = this.newKeySlices(batch, firstRow[s]!);

    // Pass 2: one slice accumulator per row, in row order.
    const aggs = this.aggs;
    for (let r = 0; r < n; r++) {
      const slot = rowSlot[r]!;
      if (slot < 0) continue;
      const ks = states[slot]!;
      const end = rowEnd[r]!;
      const ends = ks.ends;
      // Rows mostly hit the key's newest slice: search from the back.
      let i = ends.length - 1;
      while (i >= 0 && ends[i]! > end) i--;
      const acc = i >= 0 && ends[i] === end ? ks.slices[i]! : this.addSlice(ks, distinct[slot]!, i + 1, end);
      acc.rows++;
      aggs.apply(acc, batch, r, false);
    }
    await this.state.putMany(distinct, states);
  }

  async processWatermark(watermark: number): Promise<void> {
    this.watermark = watermark;
    const pending = this.pending;
    while (pending.size > 0 && pending.minEnd() - 1 <= watermark) {
      const end = pending.minEnd();
      const keys = pending.takeMin();
      // Encoded-key order, as the per-(key, window) timers fired.
      keys.sort();
      await this.fire(end, keys);
    }
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
    this.ctx.emitWatermark(watermark);
  }

  snapshotKeyedOperatorState(): readonly (readonly [string, unknown])[] {
    return this.pending.entries();
  }

  /** No timers are registered: windows fire from the pending index on watermarks. */
  onTimers(_domain: TimeDomain, _keys: readonly string[], _timestamps: readonly number[]): void {}

  close(): void {}

  /** Emits window `(windowStartOf(end), end)` for `keys` and frees the slices no later window needs. */
  private async fire(end: number, keys: string[]): Promise<void> {
    const states = await this.state.getMany(keys);
    const slicer = this.slicer;
    const start = slicer.windowStartOf(end);
    const bound = slicer.freeBound(end);
    const writer = this.writer;
    const nKeys = this.spec.groupKeys.length;
    const width = this.aggs.size;
    const values = this.values;
    const compact = slicer.sharesWindowStart;
    const putKeys: string[] = [];
    const putValues: KeySlices[] = [];
    const deleteKeys: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const ks = states[i];
      if (ks === undefined) continue;
      const ends = ks.ends;
      let changed = false;
      let lo = 0;
      while (lo < ends.length && ends[lo]! <= start) lo++;
      let hi = lo;
      while (hi < ends.length && ends[hi]! <= end) hi++;
      if (hi > lo) {
        let acc: AggState;
        if (hi - lo === 1) acc = ks.slices[lo]!;
        else if (compact && bound < end) {
          // CUMULATE before the period's last window: keep the fired slices as one merged slice ending
          // at `end`, so each later window of the period merges only the slices after it.
          acc = this.merge(ks.slices, lo, hi, this.aggs.createState());
          ends.splice(lo, hi - lo, end);
          ks.slices.splice(lo, hi - lo, acc);
          changed = true;
        } else acc = this.merge(ks.slices, lo, hi, this.merged);
        this.aggs.getValues(acc, values);
        writer.beginRow(RowKind.INSERT);
        for (let k = 0; k < nKeys; k++) writer.set(k, ks.key[k]);
        for (let a = 0; a < width; a++) writer.set(nKeys + a, values[a]);
        writer.set(nKeys + width, start);
        writer.set(nKeys + width + 1, end);
        writer.set(nKeys + width + 2, end - 1);
      }
      let freed = 0;
      while (freed < ends.length && ends[freed]! <= bound) freed++;
      if (freed === 0) {
        if (changed) {
          putKeys.push(keys[i]!);
          putValues.push(ks);
        }
        continue;
      }
      if (freed === ends.length) {
        deleteKeys.push(keys[i]!);
        continue;
      }
      ends.splice(0, freed);
      ks.slices.splice(0, freed);
      putKeys.push(keys[i]!);
      putValues.push(ks);
    }
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
    if (deleteKeys.length > 0) await this.state.deleteMany(deleteKeys);
  }

  /** Merges `slices[lo..hi)` in slice order into `out` (reset first); the slices are left unchanged. */
  private merge(slices: readonly AggState[], lo: number, hi: number, out: AggState): AggState {
    const fns = this.fns;
    out.rows = 0;
    for (let a = 0; a < fns.length; a++) out.accs[a] = fns[a]!.init();
    for (let j = lo; j < hi; j++) {
      const s = slices[j]!;
      out.rows += s.rows;
      for (let a = 0; a < fns.length; a++) out.accs[a] = fns[a]!.merge(out.accs[a], s.accs[a]);
    }
    return out;
  }

  /**
   * Inserts an empty slice ending at `end` at index `at` of `ks`, and lists `key` under every window
   * containing the slice in which the key had no slice yet (those windows are all still pending).
   */
  private addSlice(ks: KeySlices, key: string, at: number, end: number): AggState {
    const slicer = this.slicer;
    const ends = ks.ends;
    // The key is listed at window w iff it has a slice in (start(w), w]. Window starts grow with w, so
    // `j` (the first slice ending after the start) only moves forward: O(windows + slices).
    let j = 0;
    for (let w = slicer.firstWindowEnd(end); !Number.isNaN(w); w = slicer.nextWindowEnd(end, w)) {
      const start = slicer.windowStartOf(w);
      while (j < ends.length && ends[j]! <= start) j++;
      if (j === ends.length || ends[j]! > w) this.pending.add(w, key);
    }
    const acc = this.aggs.createState();
    ends.splice(at, 0, end);
    ks.slices.splice(at, 0, acc);
    return acc;
  }

  private newKeySlices(batch: RecordBatch, row: number): KeySlices {
    const key = new Array<unknown>(this.spec.groupKeys.length);
    for (let k = 0; k < key.length; k++) key[k] = readCell(batch.columns[this.spec.groupKeys[k]!]!, row, this.keyIsBool[k]!);
    return { key, ends: [], slices: [] };
  }
}
