/**
 * A window TVF used directly (spec `window-table-function`): appends window_start, window_end and
 * window_time (= window_end − 1 ms, the window's rowtime) to each input row, one output row per window the
 * row belongs to (one for TUMBLE, size/slide for HOP, up to size/step for CUMULATE). Stateless.
 * Rows with a NULL time attribute belong to no window and are dropped (counted in
 * `numNullTimeRecordsDropped`). Processing-time windows (a proctime time column) use the processing time
 * at which the batch is processed.
 */
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { WindowTableFunctionSpec } from '../../spec/index.js';
import { isProctime, selectRows } from '../../types/index.js';
import type { Column, RecordBatch } from '../../types/index.js';
import { WindowAssigner } from './window-assigner.js';

export class WindowTableFunctionOperator implements Operator {
  private ctx!: OperatorContext;
  private readonly assigner: WindowAssigner;
  private procTime = false;
  private nullTimeDropped!: { inc(n?: number): void };
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;

  constructor(readonly spec: WindowTableFunctionSpec) {
    this.assigner = new WindowAssigner(spec.window);
    this.starts = new Float64Array(this.assigner.maxWindowsPerRow);
    this.ends = new Float64Array(this.assigner.maxWindowsPerRow);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const timeType = ctx.inputTypes[0]?.fields[this.spec.timeIndex]?.type;
    this.procTime = timeType !== undefined && isProctime(timeType);
    this.nullTimeDropped = ctx.metrics().counter('numNullTimeRecordsDropped');
  }

  processBatch(_input: number, batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const timeCol = batch.columns[this.spec.timeIndex]!;
    const times = timeCol.data as Float64Array;
    const nulls = this.procTime ? null : timeCol.nulls;
    const now = this.procTime ? this.ctx.processingTime() : 0;
    const cap = n * this.assigner.maxWindowsPerRow;
    const indices = new Int32Array(cap);
    const outStarts = new Float64Array(cap);
    const outEnds = new Float64Array(cap);
    const outTimes = new Float64Array(cap);
    let count = 0;
    let dropped = 0;
    for (let r = 0; r < n; r++) {
      if (nulls !== null && nulls[r] === 1) {
        dropped++;
        continue;
      }
      const k = this.assigner.assign(this.procTime ? now : times[r]!, this.starts, this.ends);
      for (let w = 0; w < k; w++) {
        indices[count] = r;
        outStarts[count] = this.starts[w]!;
        outEnds[count] = this.ends[w]!;
        outTimes[count] = this.ends[w]! - 1;
        count++;
      }
    }
    if (dropped > 0) this.nullTimeDropped.inc(dropped);
    if (count === 0) return;
    // Without drops every row yields at least one window, so count === n means exactly one per row, in
    // order: the input columns can be reused as they are.
    const sameRows = dropped === 0 && count === n;
    const base = sameRows ? batch : selectRows(batch, indices, count);
    const columns: Column[] = [
      ...base.columns,
      { data: outStarts.subarray(0, count), nulls: null },
      { data: outEnds.subarray(0, count), nulls: null },
      { data: outTimes.subarray(0, count), nulls: null },
    ];
    this.ctx.emit({ numRows: count, kinds: base.kinds, columns });
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}
}
