/**
 * `SinkOperator`: the generic sink operator for a `SinkSpec`. Opens the connector's writer for this subtask,
 * hands it every input batch in order, and flushes it (`finish`) when the input ends. Sinks emit nothing
 * and forward no watermarks. The planner already checked that the sink accepts the input's changelog.
 *
 * Writers that act on time get it here: `onWatermark` with every watermark advance, and `onProcessingTime`
 * from a processing-time timer re-armed every `processingTimeIntervalMs` (Flink's check interval).
 */
import { unsupported } from '../common/index.js';
import type { NodeSpec, SinkSpec } from '../spec/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../runtime/index.js';
import type { RecordBatch } from '../types/index.js';
import type { SinkConnector, SinkWriter } from './connector.js';

export class SinkOperator implements TimerOperator {
  private writer: SinkWriter | null = null;
  private ctx: OperatorContext | null = null;
  private readonly timerKey = '';
  private finished = false;
  private rowsOut: { inc(n?: number): void } | null = null;

  constructor(
    readonly spec: SinkSpec,
    readonly node: NodeSpec,
    private readonly connector: SinkConnector,
  ) {
    if (spec.version !== 1) {
      throw unsupported('SPEC.VERSION', `sink spec version ${spec.version} of table '${spec.tableName}' is not supported by this Floe (knows 1)`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.rowsOut = ctx.metrics().counter('numRecordsOut');
    this.writer = await this.connector.createWriter({
      tableName: this.spec.tableName,
      options: this.spec.options,
      physicalType: this.spec.schema,
      partitionKeys: this.spec.partitionKeys,
      config: (key) => ctx.config(key),
      subtaskIndex: ctx.subtaskIndex,
      parallelism: ctx.parallelism,
      sendToClient: (message) => ctx.sendToClient(message),
      processingTime: () => ctx.processingTime(),
    });
    this.ctx = ctx;
    this.armProcessingTimer();
  }

  private armProcessingTimer(): void {
    const interval = this.writer?.processingTimeIntervalMs ?? 0;
    if (this.finished || this.writer?.onProcessingTime === undefined || !(interval > 0)) return;
    this.ctx!.timers().registerProcessingTimeTimer(this.timerKey, this.ctx!.processingTime() + interval);
  }

  async onTimers(domain: TimeDomain): Promise<void> {
    if (domain !== 'processing-time' || this.finished || this.writer === null) return;
    await this.writer.onProcessingTime?.(this.ctx!.processingTime());
    this.armProcessingTimer();
  }

  processBatch(_input: number, batch: RecordBatch): Promise<void> | void {
    this.rowsOut?.inc(batch.numRows);
    return this.writer!.write(batch);
  }

  processWatermark(watermark: number): Promise<void> | void {
    return this.writer?.onWatermark?.(watermark);
  }

  async endInput(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.writer!.finish();
  }

  async close(): Promise<void> {
    try {
      await this.writer?.close();
    } catch {
      // Cleanup must not throw; a write/finish failure was already reported.
    }
    this.writer = null;
  }
}
