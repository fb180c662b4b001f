/**
 * Projection and filter (spec `calc`): one compiled function per batch (`compileCalc` from expr/), which
 * evaluates the condition, keeps the passing rows and computes the projection over them. Row kinds pass
 * through unchanged (a filter over a changelog drops a row's -U together with its +U only if both fail,
 * which is correct for deterministic conditions). User functions are loaded in `open` before compiling.
 */
import { internalError } from '../../common/index.js';
import { compileCalc, loadUdfs } from '../../expr/index.js';
import type { ExprIR } from '../../expr/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { CalcSpec } from '../../spec/index.js';
import type { RecordBatch } from '../../types/index.js';

export class CalcOperator implements Operator {
  private ctx!: OperatorContext;
  private fn!: (batch: RecordBatch) => RecordBatch;

  constructor(readonly spec: CalcSpec) {}

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('calc needs one input');
    const exprs: ExprIR[] = [...this.spec.projection];
    if (this.spec.condition !== null) exprs.push(this.spec.condition);
    await loadUdfs(exprs);
    // Temporal functions depend on the session time zone (Flink's `table.local-time-zone`).
    const context = { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' };
    this.fn = compileCalc(this.spec.projection, this.spec.condition, inputType, ctx.outputType, { context });
  }

  processBatch(_input: number, batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    const out = this.fn(batch);
    if (out.numRows > 0) this.ctx.emit(out);
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}
}
