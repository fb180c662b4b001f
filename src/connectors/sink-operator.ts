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
import { readCheckpointSettings } from '../runtime/index.js';
import type { CheckpointedOperator, OperatorContext, TimeDomain, TimerOperator } from '../runtime/index.js';
import type { RecordBatch } from '../types/index.js';
import type { SinkConnector, SinkWriter } from './connector.js';

/** A pre-committed transaction of one checkpoint, kept in operator state until it is committed. */
interface PendingCommit {
  readonly checkpointId: number;
  readonly committable: unknown;
}

export class SinkOperator implements TimerOperator, CheckpointedOperator {
  /** Transactions pre-committed at a checkpoint and not yet known committed (oldest first). */
  private pending: PendingCommit[] = [];
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
      exactlyOnce: readCheckpointSettings(ctx.job.config, ctx.job.name) !== null,
    });
    this.ctx = ctx;
    // Recovery: the restored checkpoint is complete, so its transactions are committed now (again, if
    // the crash came after their first commit: commits are idempotent).
    const restored = ctx.restoredOperatorState as readonly PendingCommit[] | undefined;
    if (restored !== undefined && restored.length > 0) await this.writer.commit?.(restored.map((p) => p.committable));
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

  async snapshotOperatorState(checkpointId: number): Promise<readonly PendingCommit[]> {
    const committables = (await this.writer?.preCommit?.(checkpointId)) ?? [];
    for (const committable of committables) this.pending.push({ checkpointId, committable });
    return this.pending.slice();
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const due: unknown[] = [];
    while (this.pending.length > 0 && this.pending[0]!.checkpointId <= checkpointId) due.push(this.pending.shift()!.committable);
    if (due.length > 0) await this.writer?.commit?.(due);
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
