/**
 * UNION ALL (spec `union`): forwards every input's batches unchanged (the inputs share one row type).
 * The runtime combines the inputs' watermarks (minimum), so the combined watermark is forwarded as is.
 */
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { UnionSpec } from '../../spec/index.js';
import type { RecordBatch } from '../../types/index.js';

export class UnionOperator implements Operator {
  private ctx!: OperatorContext;

  constructor(readonly spec: UnionSpec) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  processBatch(_input: number, batch: RecordBatch): void {
    if (batch.numRows > 0) this.ctx.emit(batch);
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}
}
