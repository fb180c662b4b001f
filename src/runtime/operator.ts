/**
 * The operator contract: what the runtime guarantees to an operator and what it asks of one.
 *
 * One `Operator` instance runs one subtask of one node of a job. The runtime calls it from a single thread
 * (the worker that hosts the subtask), never concurrently: a call that returns a Promise is awaited before
 * the next call into the same operator. Operators in a chain are called in order, inside one task.
 *
 * Lifecycle: `open` → any interleaving of `processBatch`, `processWatermark`, timer callbacks (for
 * `TimerOperator`s) → `endInput(i)` once per input when that input is exhausted (bounded input) → `close`.
 * After every input ended the runtime sends a final watermark of +Infinity, so event-time operators flush.
 *
 * Watermarks: the runtime tracks per-input watermarks (minimum over the input's upstream subtasks) and
 * calls `processWatermark` with the operator's combined watermark (minimum over its inputs) whenever that
 * advances. Watermarks only grow. An operator forwards a watermark downstream with `ctx.emitWatermark`
 * after it has emitted everything the watermark completes (default: forward unchanged after processing).
 *
 * Warning: a batch passed to `processBatch` is owned by the caller and may be shared with other
 * consumers; do not mutate its arrays. A batch passed to `ctx.emit` must not be mutated afterwards.
 */
import { internalError } from '../common/index.js';
import type { RecordBatch, RowType } from '../types/index.js';
import type { JobSpec, NodeSpec, OperatorSpec } from '../spec/index.js';
import type { KeyedStateBackend, KeyGroupRange } from '../state/index.js';

export interface Operator {
  /** Called once before any data. May load state, compile expressions, open connections. */
  open(ctx: OperatorContext): Promise<void> | void;
  /** Rows from input `input` (0-based, in `NodeSpec.inputs` order). Sources never get this call. */
  processBatch(input: number, batch: RecordBatch): Promise<void> | void;
  /** The combined input watermark advanced to `watermark` (epoch ms; +Infinity at end of input). */
  processWatermark(watermark: number): Promise<void> | void;
  /** Input `input` is exhausted (bounded input). Called before the final +Infinity watermark. */
  endInput?(input: number): Promise<void> | void;
  /** Release resources. Called after success, failure or cancellation; must not throw for cleanup. */
  close(): Promise<void> | void;
}

/**
 * Checkpointing (exactly-once by aligned barriers, DESIGN.md principle 5). The runtime snapshots, for every
 * operator, its keyed state (`ctx.keyedState()`) and its timers (`ctx.timers()`) by itself: an operator
 * that keeps all state there needs nothing more. Operator memory that must survive a failure and is not
 * keyed (source positions, a sink's open transaction) is declared with these optional methods:
 *
 * - `prepareSnapshotPreBarrier(id)` is called first, when barrier `id` has arrived on every input: an
 *   operator that pre-aggregates in memory (a window buffer) moves that memory into keyed state here, so
 *   the snapshot of its keyed state is complete. It must not emit rows (operators chained after it are
 *   snapshotted at the same time).
 * - `snapshotOperatorState(id)` is called when barrier `id` has arrived on every input, after all batches
 *   before it were processed and before the barrier goes downstream. It returns independent entries
 *   (structured-cloneable values). On restore with a different parallelism the entries of all old subtasks
 *   are spread round-robin over the new ones, so an entry must make sense on any subtask (a split and
 *   its position, not "subtask 3's offset").
 * - The restored entries are in `ctx.restoredOperatorState` during `open` (undefined on a fresh start).
 * - `notifyCheckpointComplete(id, reports)` is called once checkpoint `id` is durable everywhere: the moment
 *   a sink makes the transaction of that checkpoint visible. It may be called again for the same id after a
 *   recovery (commits must be idempotent); a missed call is made up by the next one (ids only grow).
 * - `checkpointReport(id)`, called right after `snapshotOperatorState`, returns a small structured-cloneable
 *   value that travels to the checkpoint coordinator with the acknowledgement. When the checkpoint
 *   completes, every subtask of the operator gets the reports of ALL its subtasks (`reports`, in subtask
 *   order; undefined reports left out), so one of them can act on the progress of the whole operator
 *   (a source recording how far all its splits got in an external system, as Paimon's consumer ids do).
 *
 * - `snapshotKeyedOperatorState()` returns keyed operator memory (an index of pending windows, say) as
 *   (state key, value) pairs; on restore each subtask gets the pairs whose key is in its key groups, in
 *   `ctx.restoredKeyedOperatorState`.
 *
 * Operator memory that can be rebuilt from keyed state (caches, indexes) needs no snapshot, but must be
 * rebuilt in `open` when `ctx.isRestored` is true.
 *
 * A subtask that finished (all input processed) is snapshotted without keyed state and timers: on restore
 * it is not run again; its operators are opened (so a sink can commit what its restored entries name) and
 * closed at once.
 */
export interface CheckpointedOperator extends Operator {
  prepareSnapshotPreBarrier?(checkpointId: number): Promise<void> | void;
  snapshotOperatorState?(checkpointId: number): Promise<readonly unknown[]> | readonly unknown[];
  snapshotKeyedOperatorState?(): readonly (readonly [string, unknown])[];
  checkpointReport?(checkpointId: number): unknown;
  notifyCheckpointComplete?(checkpointId: number, reports?: readonly unknown[]): Promise<void> | void;
}

/**
 * A source operator has no inputs: the runtime calls `run` once and the source emits through its context
 * until its input is exhausted (bounded: resolve) or `cancelled` becomes true (resolve promptly).
 * It must await `ctx.backpressure()` between batches so bounded queues can slow it down.
 */
export interface SourceOperator extends Operator {
  run(ctx: SourceContext): Promise<void>;
}

/** Operators that register timers implement this; the runtime calls it in timestamp order. */
export interface TimerOperator extends Operator {
  /**
   * Timers that are due: event-time timers when the watermark passes their timestamp (called before
   * `processWatermark` for that watermark), processing-time timers when the wall clock passes theirs.
   * `keys[i]` fired at `timestamps[i]`; timers are sorted by timestamp, then key.
   */
  onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> | void;
}

export type TimeDomain = 'event-time' | 'processing-time';

export interface OperatorContext {
  readonly job: JobSpec;
  readonly node: NodeSpec;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The key groups this subtask owns (meaningful for hash-partitioned inputs). */
  readonly keyGroupRange: KeyGroupRange;
  readonly inputTypes: readonly RowType[];
  readonly outputType: RowType;
  /** True when the subtask starts from a checkpoint or savepoint (keyed state and timers are restored). */
  readonly isRestored: boolean;
  /** Entries of `snapshotOperatorState` assigned to this subtask on restore; undefined on a fresh start. */
  readonly restoredOperatorState: readonly unknown[] | undefined;
  /** Pairs of `snapshotKeyedOperatorState` in this subtask's key groups, on restore; else undefined. */
  readonly restoredKeyedOperatorState: readonly (readonly [string, unknown])[] | undefined;
  /** Configuration value by Flink key, or undefined. */
  config(key: string): string | undefined;
  /** Keyed state for this subtask (created lazily by the runtime's configured backend). */
  keyedState(): KeyedStateBackend;
  /** Keyed timers (event time and processing time); only for `TimerOperator`s. */
  timers(): TimerService;
  /** Sends a batch downstream (to the next chained operator or the outgoing exchanges). */
  emit(batch: RecordBatch): void;
  /** Sends a watermark downstream. */
  emitWatermark(watermark: number): void;
  /** Current processing time (wall clock, epoch ms). */
  processingTime(): number;
  /** Counters and gauges that show up in the job's metrics and progress line. */
  metrics(): OperatorMetrics;
  /** Sends a message to the job client (the process that submitted the job), e.g. collected results. */
  sendToClient(message: unknown): void;
  /** Log line attributed to this subtask. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export interface SourceContext extends OperatorContext {
  /** True once the job is being cancelled: stop emitting and return. */
  readonly cancelled: boolean;
  /**
   * True once the job is being stopped with drain (`STOP JOB … WITH SAVEPOINT WITH DRAIN`): stop reading
   * as if every split had ended and return; the runtime then emits the final watermark, so event-time
   * windows and timers fire, and the final checkpoint becomes the savepoint.
   */
  readonly endOfInputRequested: boolean;
  /** Resolves when downstream queues have room; await it after each emitted batch. */
  backpressure(): Promise<void> | void;
  /** Marks this source subtask idle (no watermark contribution) or active again. */
  markIdle(idle: boolean): void;
}

export interface TimerService {
  registerEventTimeTimer(key: string, timestamp: number): void;
  deleteEventTimeTimer(key: string, timestamp: number): void;
  registerProcessingTimeTimer(key: string, timestamp: number): void;
  deleteProcessingTimeTimer(key: string, timestamp: number): void;
  currentWatermark(): number;
}

export interface OperatorMetrics {
  counter(name: string): { inc(n?: number): void };
  gauge(name: string, read: () => number): void;
}

/** Builds an operator for a spec. Registered by `type` in an `OperatorRegistry`. */
export type OperatorFactory = (spec: OperatorSpec, node: NodeSpec) => Operator;

/**
 * Where the runtime finds operator implementations. The runtime itself registers nothing: the layer that
 * assembles a job (`src/api/`) registers operators and connectors, both in the main thread and (through a
 * bootstrap module named in the worker's start data) in every worker.
 */
export class OperatorRegistry {
  private readonly factories = new Map<string, OperatorFactory>();

  register(type: string, factory: OperatorFactory): void {
    this.factories.set(type, factory);
  }

  create(spec: OperatorSpec, node: NodeSpec): Operator {
    const factory = this.factories.get(spec.type);
    if (!factory) throw internalError(`no operator registered for spec type '${spec.type}' (node ${node.id} ${node.name})`);
    return factory(spec, node);
  }

  has(type: string): boolean {
    return this.factories.has(type);
  }
}

export function isSourceOperator(op: Operator): op is SourceOperator {
  return typeof (op as Partial<SourceOperator>).run === 'function';
}

export function isTimerOperator(op: Operator): op is TimerOperator {
  return typeof (op as Partial<TimerOperator>).onTimers === 'function';
}
