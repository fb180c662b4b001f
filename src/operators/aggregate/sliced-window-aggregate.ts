/**
 * Event-time window aggregation over slices (Flink's SlicingWindowOperator): each row updates exactly one
 * slice accumulator of its group key (see `SliceAssigner`), and a window's result is the merge of its
 * slices when it fires (HOP: size / gcd(size, slide) slices; CUMULATE: the slices from the period start;
 * TUMBLE: its one slice, used as is).
 *
 * Pre-aggregation (Flink's window buffer with a combiner): when every aggregate merges exactly
 * (`mergesExactly`), rows update a `SliceBuffer` accumulator per (key, slice) and keyed state is not read
 * per batch. The buffer moves into state (`flushBuffer`) before a checkpoint barrier, when it holds
 * `table.exec.window-agg.buffer-size-limit` entries, and when a window that has state fires. A window
 * with one slice and no state fires straight from the buffer. Other aggregates (DISTINCT, LISTAGG, …)
 * on one-slice windows update state per batch as below, since merging their parts would not be exact.
 *
 * State: one value per group key (`KeySlices`): the key's values and its live slices, sorted by end.
 * Without the buffer, per batch the operator reads the batch's distinct keys with one `getMany`, updates
 * one slice per row in row order, and writes them back with one `putMany`.
 *
 * Firing without timers: `PendingWindows` lists, per window end, the keys that have a slice in that
 * window (a key is added when its first slice of the window is created). When the watermark reaches
 * `end - 1`, the windows fire in end order, visiting only those keys. After a window fires, each visited
 * key frees the slices no later window needs; a key with no slice left is deleted.
 *
 * Row order within a fired window: the order in which the keys' first rows of the window arrived. The
 * buffer keeps entries in insertion order and moves them into state in that order, so the pending lists
 * are in arrival order too, and a window emits the same rows in the same order whether it fires from the
 * buffer, from state, or from both (after a checkpoint moved part of it). Sorting the keys instead (timer
 * order) was a third of the cost of firing; Flink does not order them either.
 *
 * Lateness: a row is late when its slice has fired (`sliceEnd - 1 <= watermark`): dropped and counted in
 * `numLateRecordsDropped`. Then every window containing the slice has fired, and a row that is not late
 * only touches windows that are still pending. Rows with a NULL time are dropped and counted in
 * `numNullTimeRecordsDropped`. Output is insert-only: group keys, aggregates, window_start, window_end,
 * window_time (= window_end − 1).
 */
import { internalError, readOption } from '../../common/index.js';
import type { CheckpointedOperator, OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
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
import { createAggregateFunction, mergesExactly } from './create-aggregate-function.js';
import { PendingWindows } from './pending-windows.js';
import { SliceBuffer } from './slice-buffer.js';
import type { TakenSlices } from './slice-buffer.js';

/** Flink's option: buffered (key, slice) accumulators before the buffer moves into state. */
const BUFFER_LIMIT_OPTION = 'table.exec.window-agg.buffer-size-limit';

/** The live slices of one group key. Invariant: `ends` ascending, `slices[i]` accumulates slice `ends[i]`. */
interface KeySlices {
  readonly key: unknown[];
  readonly ends: number[];
  readonly slices: AggState[];
}

export class SlicedWindowAggregate implements TimerOperator, CheckpointedOperator {
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
  /** Null when some aggregate does not merge exactly (see the module comment). */
  private buffer: SliceBuffer | null = null;
  private bufferLimit = 0;

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
    if (this.spec.aggregates.every(mergesExactly)) {
      this.buffer = new SliceBuffer(this.spec.groupKeys, this.keyIsBool, this.boolKeyColumns, () => this.aggs.createState());
      // SET checks that the value is an integer; a limit below 1 moves the buffer into state every batch.
      this.bufferLimit = Math.max(1, Number(readOption((key) => ctx.config(key), BUFFER_LIMIT_OPTION)));
    }
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
    const buffer = this.buffer;
    if (buffer !== null) {
      const aggs = this.aggs;
      buffer.beginBatch(batch);
      for (let r = 0; r < n; r++) {
        if (dropped[r] === 1) continue;
        const acc = buffer.accumulatorFor(batch, r, rowEnd[r]!);
        acc.rows++;
        aggs.apply(acc, batch, r, false);
      }
      if (buffer.size >= this.bufferLimit) await this.flushBuffer(Infinity);
      return;
    }
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
    const buffer = this.buffer;
    if (buffer !== null && buffer.size > 0 && buffer.minEnd() - 1 <= watermark) {
      if (this.slicer.slicesPerWindow === 1) {
        // A window is one slice: a window fires from the buffer alone unless state has some of it too.
        while (buffer.size > 0 && buffer.minEnd() - 1 <= watermark) {
          const end = buffer.minEnd();
          while (pending.size > 0 && pending.minEnd() < end) await this.fire(pending.minEnd(), pending.takeMin());
          if (pending.size > 0 && pending.minEnd() === end) await this.flushBuffer(end);
          else this.emitFromBuffer(buffer.takeByEnd(end));
        }
      } else {
        // Windows merge several slices, which may be in state: everything moves there first (as Flink).
        await this.flushBuffer(Infinity);
      }
    }
    while (pending.size > 0 && pending.minEnd() - 1 <= watermark) {
      const end = pending.minEnd();
      await this.fire(end, pending.takeMin());
    }
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
    this.ctx.emitWatermark(watermark);
  }

  /** The buffer moves into keyed state, so the checkpoint's state holds every accumulated row. */
  async prepareSnapshotPreBarrier(_checkpointId: number): Promise<void> {
    if (this.buffer !== null && this.buffer.size > 0) await this.flushBuffer(Infinity);
  }

  snapshotKeyedOperatorState(): readonly (readonly [string, unknown])[] {
    return this.pending.entries();
  }

  /** No timers are registered: windows fire from the pending index on watermarks. */
  onTimers(_domain: TimeDomain, _keys: readonly string[], _timestamps: readonly number[]): void {}

  close(): void {}

  /** Emits window `(windowStartOf(end), end)` for `keys` and frees the slices no later window needs. */
  private async fire(end: number, keys: readonly string[]): Promise<void> {
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

  /**
   * Moves the buffered slices ending at or before `maxEnd` into keyed state: merged into the key's slice
   * when state has it, else inserted as the key's slice (listing the key under its pending windows).
   */
  private async flushBuffer(maxEnd: number): Promise<void> {
    const taken = this.buffer!.takeForState(maxEnd);
    const indexOf = new Map<string, number>();
    const keys: string[] = [];
    for (const key of taken.keys!) {
      if (indexOf.has(key)) continue;
      indexOf.set(key, keys.length);
      keys.push(key);
    }
    const states = (await this.state.getMany(keys)) as (KeySlices | undefined)[];
    for (let e = 0; e < taken.ends.length; e++) {
      const s = indexOf.get(taken.keys![e]!)!;
      const ks = (states[s] ??= { key: taken.keyValues[e]!, ends: [], slices: [] });
      const end = taken.ends[e]!;
      const ends = ks.ends;
      let i = ends.length - 1;
      while (i >= 0 && ends[i]! > end) i--;
      if (i >= 0 && ends[i] === end) this.aggs.merge(ks.slices[i]!, taken.accs[e]!);
      else this.addSlice(ks, keys[s]!, i + 1, end, taken.accs[e]!);
    }
    await this.state.putMany(keys, states as KeySlices[]);
  }

  /** Emits one-slice windows taken from the buffer whose keys have no state (rows in firing order). */
  private emitFromBuffer(taken: TakenSlices): void {
    const writer = this.writer;
    const nKeys = this.spec.groupKeys.length;
    const width = this.aggs.size;
    const values = this.values;
    for (let e = 0; e < taken.ends.length; e++) {
      const end = taken.ends[e]!;
      const key = taken.keyValues[e]!;
      this.aggs.getValues(taken.accs[e]!, values);
      writer.beginRow(RowKind.INSERT);
      for (let k = 0; k < nKeys; k++) writer.set(k, key[k]);
      for (let a = 0; a < width; a++) writer.set(nKeys + a, values[a]);
      writer.set(nKeys + width, this.slicer.windowStartOf(end));
      writer.set(nKeys + width + 1, end);
      writer.set(nKeys + width + 2, end - 1);
    }
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
   * Inserts slice `acc` (empty by default) ending at `end` at index `at` of `ks`, and lists `key` under
   * every window containing the slice in which the key had no slice yet (those windows are all still
   * pending).
   */
  private addSlice(ks: KeySlices, key: string, at: number, end: number, acc: AggState = this.aggs.createState()): AggState {
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
