/**
 * `ScanOperator`: the generic source operator for a `SourceSpec`. Per subtask it
 * 1. asks the connector for splits and keeps split i when i mod parallelism = subtask index;
 * 2. pulls batches of physical rows from each split's reader in turn (`execution.batch-size` rows, default
 *    4096), awaiting `ctx.backpressure()` after every emitted batch, stopping when `ctx.cancelled`, and
 *    ending the input early when `ctx.endOfInputRequested` (stop with drain);
 * 3. appends computed columns, computes each split's watermark (the maximum of `watermark.expr` over the
 *    split's rows), filters and projects, and emits;
 * 4. emits the subtask watermark — the minimum over splits that are neither finished nor idle — whenever
 *    it advanced (after each batch). A split is idle after `table.exec.source.idle-timeout` without rows
 *    (0, the default, disables idleness); when every remaining split is idle the subtask is marked idle.
 * It returns when every split is exhausted; the runtime then sends the final +Infinity watermark.
 */
import { internalError, parseDurationMs, unsupported } from '../common/index.js';
import { compileCalc, compileProjection, loadUdfs, type CompileOptions, type ExprIR } from '../expr/index.js';
import type { NodeSpec, SourceSpec } from '../spec/index.js';
import type { CheckpointedOperator, OperatorContext, SourceContext, SourceOperator } from '../runtime/index.js';
import type { Column, RecordBatch, RowType } from '../types/index.js';
import type { ConnectorContext, SourceCheckpointListener, SourceConnector, SourceSplit, SplitPosition, SplitReader } from './connector.js';

/**
 * One split in a checkpoint: the split itself (so any subtask can take it over after rescaling), the
 * reader's position and the split's watermark (restored, so downstream does not see late rows become
 * on-time after a recovery). Finished splits are not kept: a restored source never reads them again.
 */
interface SplitCheckpoint extends SplitPosition {
  readonly watermark: number;
}

export const DEFAULT_BATCH_SIZE = 4096;

/** How long to wait before polling again when no split had rows (unbounded sources between events). */
const POLL_INTERVAL_MS = 5;

interface SplitState {
  readonly id: string;
  readonly split: SourceSplit;
  readonly reader: SplitReader;
  watermark: number;
  finished: boolean;
  idle: boolean;
  lastRowsAt: number;
}

/** Longest stretch of synchronous reading before the loop lets other tasks run. */
const YIELD_INTERVAL_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function isPromise<T>(v: Promise<T> | T): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** Reads `execution.batch-size` (rows per batch a source emits; default 4096). */
export function batchSizeFrom(config: (key: string) => string | undefined): number {
  const text = config('execution.batch-size');
  if (text === undefined) return DEFAULT_BATCH_SIZE;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw unsupported('CONFIG.VALUE', `configuration 'execution.batch-size' must be a positive integer, got '${text}'`);
  }
  return n;
}

/** Reads `table.exec.source.idle-timeout` in ms (0 = idleness detection off). */
export function idleTimeoutFrom(config: (key: string) => string | undefined): number {
  const text = config('table.exec.source.idle-timeout');
  if (text === undefined) return 0;
  const ms = parseDurationMs(text);
  if (ms === null) throw unsupported('CONFIG.VALUE', `configuration 'table.exec.source.idle-timeout' must be a duration such as '5 s', got '${text}'`);
  return ms;
}

export class ScanOperator implements SourceOperator, CheckpointedOperator {
  private readonly extendedType: RowType;
  private computedFn: ((batch: RecordBatch) => Column[]) | null = null;
  private watermarkFn: ((batch: RecordBatch) => Column[]) | null = null;
  private calcFn: ((batch: RecordBatch) => RecordBatch) | null = null;
  private splits: SplitState[] = [];
  private emittedWatermark = -Infinity;
  private markedIdle = false;
  private skippedFinished = 0;
  private restored: readonly SplitCheckpoint[] | undefined;
  private started = false;
  private cctx: ConnectorContext | null = null;
  /** Subtask 0's listener of completed checkpoints (the connector's `checkpointListener`), else null. */
  private checkpointListener: SourceCheckpointListener | null = null;
  private reportsPositions = false;
  /** What the last `snapshotOperatorState` recorded: the checkpoint report of a connector that wants one. */
  private lastSnapshot: readonly SplitCheckpoint[] = [];

  constructor(
    readonly spec: SourceSpec,
    readonly node: NodeSpec,
    private readonly connector: SourceConnector,
  ) {
    if (spec.version !== 1) {
      throw unsupported('SPEC.VERSION', `source spec version ${spec.version} of table '${spec.tableName}' is not supported by this Floe (knows 1)`);
    }
    this.extendedType = {
      fields: [...spec.physicalType.fields, ...spec.computed.map((c) => ({ name: c.name, type: c.expr.type }))],
    };
  }

  async open(ctx: OperatorContext): Promise<void> {
    const spec = this.spec;
    const exprs: ExprIR[] = spec.computed.map((c) => c.expr);
    if (spec.watermark !== null) exprs.push(spec.watermark.expr);
    if (spec.filter !== null) exprs.push(spec.filter);
    await loadUdfs(exprs);
    const options: CompileOptions = { context: { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' } };
    if (spec.computed.length > 0) this.computedFn = compileProjection(spec.computed.map((c) => c.expr), spec.physicalType, options);
    if (spec.watermark !== null) this.watermarkFn = compileProjection([spec.watermark.expr], this.extendedType, options);
    const n = this.extendedType.fields.length;
    const identity = spec.filter === null && spec.projection.length === n && spec.projection.every((p, i) => p === i);
    if (!identity) {
      const projection: ExprIR[] = spec.projection.map((i) => ({ kind: 'input', index: i, type: this.extendedType.fields[i]!.type }));
      this.calcFn = compileCalc(projection, spec.filter, this.extendedType, ctx.outputType, options);
    }
    ctx.metrics().gauge('numSkippedRecords', () => this.skippedRecords);
    this.restored = ctx.restoredOperatorState as readonly SplitCheckpoint[] | undefined;
    this.cctx = this.connectorContext(ctx);
    const listener = this.connector.checkpointListener?.(this.cctx) ?? null;
    this.reportsPositions = listener !== null;
    if (ctx.subtaskIndex === 0) this.checkpointListener = listener;
  }

  snapshotOperatorState(): readonly SplitCheckpoint[] {
    // Called between batches (the runtime injects barriers at `backpressure()`), so positions match the
    // rows emitted. Before `run` set up the readers, the restored or not-yet-created splits stand.
    if (this.splits.length === 0 && !this.started) return (this.lastSnapshot = this.restored ?? []);
    return (this.lastSnapshot = this.splits.map((s) => {
      if (s.reader.position === undefined) {
        throw unsupported('CHECKPOINT.SOURCE_POSITION', `the '${this.spec.options['connector'] ?? '?'}' source of table '${this.spec.tableName}' cannot record its position, so it cannot be checkpointed`);
      }
      return { split: s.split, position: s.reader.position(), watermark: s.watermark };
    }));
  }

  /** The split positions just snapshotted, for a connector that acts on completed checkpoints. */
  checkpointReport(): readonly SplitPosition[] | undefined {
    if (!this.reportsPositions) return undefined;
    return this.lastSnapshot.map((c) => ({ split: c.split, position: c.position }));
  }

  notifyCheckpointComplete(checkpointId: number, reports?: readonly unknown[]): Promise<void> | void {
    if (this.checkpointListener === null || reports === undefined) return;
    return this.checkpointListener(checkpointId, (reports as (readonly SplitPosition[])[]).flat());
  }

  /** Rows the readers skipped as unparsable (ignore-parse-errors), over all splits so far. */
  get skippedRecords(): number {
    let n = this.skippedFinished;
    for (const s of this.splits) n += s.reader.skippedRecords;
    return n;
  }

  private connectorContext(ctx: OperatorContext): ConnectorContext {
    return {
      tableName: this.spec.tableName,
      options: this.spec.options,
      physicalType: this.spec.physicalType,
      ...(this.spec.partitionKeys ? { partitionKeys: this.spec.partitionKeys } : {}),
      ...(this.spec.filter !== null ? { filter: this.spec.filter } : {}),
      config: (key) => ctx.config(key),
    };
  }

  async run(ctx: SourceContext): Promise<void> {
    const cctx = this.cctx!;
    const batchSize = batchSizeFrom((k) => ctx.config(k));
    const idleTimeout = idleTimeoutFrom((k) => ctx.config(k));
    const now = ctx.processingTime();
    if (this.restored !== undefined) {
      // Recovery: exactly the splits (and positions) this subtask was given from the checkpoint.
      for (const c of this.restored) {
        const reader = await this.connector.createReader(cctx, c.split, c.position);
        this.splits.push({ id: c.split.id, split: c.split, reader, watermark: c.watermark, finished: false, idle: false, lastRowsAt: now });
      }
    } else {
      const all = await this.connector.createSplits(cctx, ctx.parallelism);
      for (let i = ctx.subtaskIndex; i < all.length; i += ctx.parallelism) {
        const split = all[i]!;
        const reader = await this.connector.createReader(cctx, split);
        this.splits.push({ id: split.id, split, reader, watermark: -Infinity, finished: false, idle: false, lastRowsAt: now });
      }
    }
    this.started = true;
    const rowsIn = ctx.metrics().counter('numRecordsIn');
    let lastYield = Date.now();
    while (!ctx.cancelled) {
      if (ctx.endOfInputRequested) {
        // Stop with drain: the input ends here, for every split (the runtime emits the final watermark).
        for (const s of this.splits) await s.reader.close();
        this.splits = [];
        return;
      }
      let anyRows = false;
      for (const s of this.splits) {
        if (s.finished) continue;
        if (ctx.cancelled || ctx.endOfInputRequested) break;
        const r = s.reader.next(batchSize);
        const batch = isPromise(r) ? await r : r;
        if (batch === null) {
          s.finished = true;
          this.skippedFinished += s.reader.skippedRecords;
          await s.reader.close();
          this.splits = this.splits.filter((x) => x !== s);
          this.advanceWatermark(ctx);
          continue;
        }
        if (batch.numRows === 0) {
          if (idleTimeout > 0 && !s.idle && ctx.processingTime() - s.lastRowsAt >= idleTimeout) {
            s.idle = true;
            this.advanceWatermark(ctx);
          }
          continue;
        }
        anyRows = true;
        rowsIn.inc(batch.numRows);
        s.lastRowsAt = ctx.processingTime();
        s.idle = false;
        this.processSplitBatch(ctx, s, batch);
        this.advanceWatermark(ctx);
        const bp = ctx.backpressure();
        if (isPromise(bp)) {
          await bp;
          lastYield = Date.now();
        } else if (Date.now() - lastYield >= YIELD_INTERVAL_MS) {
          // Readers and backpressure can all be synchronous (a generator feeding a chained sink); yield to
          // the event loop now and then so that cancellation and other messages get through.
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
      if (this.splits.length === 0) return;
      if (!anyRows) {
        // No rows: still a point between batches, where a pending checkpoint barrier can go out.
        const bp = ctx.backpressure();
        if (isPromise(bp)) await bp;
        await sleep(POLL_INTERVAL_MS);
      }
    }
  }

  private processSplitBatch(ctx: OperatorContext, s: SplitState, physical: RecordBatch): void {
    let batch = physical;
    if (this.computedFn !== null) {
      batch = { numRows: physical.numRows, kinds: physical.kinds, columns: [...physical.columns, ...this.computedFn(physical)] };
    }
    if (this.watermarkFn !== null) {
      const col = this.watermarkFn(batch)[0]!;
      const data = col.data as Float64Array;
      const nulls = col.nulls;
      let max = s.watermark;
      for (let i = 0; i < batch.numRows; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        const v = data[i]!;
        if (v > max) max = v;
      }
      s.watermark = max;
    }
    const out = this.calcFn === null ? batch : this.calcFn(batch);
    if (out.numRows > 0) ctx.emit(out);
  }

  /** Emits min(watermark of open, non-idle splits) when it advanced; tracks subtask idleness. */
  private advanceWatermark(ctx: SourceContext): void {
    if (this.watermarkFn === null) return;
    let min = Infinity;
    let active = 0;
    for (const s of this.splits) {
      if (s.finished || s.idle) continue;
      active++;
      if (s.watermark < min) min = s.watermark;
    }
    if (active === 0) {
      // Every remaining split is idle (or none is left): stop holding back downstream watermarks.
      if (this.splits.length > 0 && !this.markedIdle) {
        this.markedIdle = true;
        ctx.markIdle(true);
      }
      return;
    }
    if (this.markedIdle) {
      this.markedIdle = false;
      ctx.markIdle(false);
    }
    if (min > this.emittedWatermark && min !== Infinity) {
      this.emittedWatermark = min;
      ctx.emitWatermark(min);
    }
  }

  processBatch(): void {
    throw internalError(`source operator for table '${this.spec.tableName}' received an input batch`);
  }

  processWatermark(): void {}

  async close(): Promise<void> {
    for (const s of this.splits) {
      try {
        await s.reader.close();
      } catch {
        // Closing must not throw during cleanup; the job's real error (if any) is already reported.
      }
    }
    this.splits = [];
  }
}
