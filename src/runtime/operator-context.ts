/**
 * The runtime's implementation of `OperatorContext` / `SourceContext` for one operator subtask.
 * Output calls go to the operator's driver; state and timers are created lazily on first use.
 */
import { internalError, unsupported } from '../common/index.js';
import type { RecordBatch, RowType } from '../types/index.js';
import type { JobSpec, NodeSpec } from '../spec/index.js';
import type { ObjectStore } from '../storage/index.js';
import { createHeapKeyedStateBackend, createLsmKeyedStateBackend, keyGroupRangeForSubtask, lsmOptionsFromConfig, openLsmKeyedStateBackend, registerLsmGauges } from '../state/index.js';
import type { KeyedStateBackend, KeyedStateSnapshot, KeyGroupRange, LsmKeyedStateBackend, LsmKeyedStateBackendOptions } from '../state/index.js';
import { jobFolderName, readCheckpointSettings } from './checkpoint-config.js';
import type { Operator, OperatorMetrics, SourceContext, TimerService } from './operator.js';
import { isTimerOperator } from './operator.js';
import { HeapTimerService } from './timer-service.js';
import type { TimersSnapshot } from './timer-service.js';
import { OperatorMetricGroup } from './metrics.js';
import { LOG_LEVELS } from './runtime-config.js';
import type { LogLevel, RuntimeConfig } from './runtime-config.js';
import type { OperatorDriver } from './operator-driver.js';

/** What a context needs from the subtask that hosts it. */
export interface ContextOwner {
  readonly cancelled: boolean;
  readonly endOfInputRequested: boolean;
  backpressure(): Promise<void> | void;
  sendToClient(nodeId: number, subtask: number, message: unknown): void;
}

export class OperatorContextImpl implements SourceContext {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly inputTypes: readonly RowType[];
  readonly outputType: RowType;
  isRestored = false;
  restoredOperatorState: readonly unknown[] | undefined = undefined;
  restoredKeyedOperatorState: readonly (readonly [string, unknown])[] | undefined = undefined;
  readonly metricGroup = new OperatorMetricGroup();
  timerService: HeapTimerService | null = null;
  private state: KeyedStateBackend | null = null;
  private restoredTimers: { snapshots: TimersSnapshot[]; owns: (key: string) => boolean } | null = null;
  private driver: OperatorDriver | null = null;
  private operator: Operator | null = null;
  private readonly minLevel: number;

  constructor(
    readonly job: JobSpec,
    readonly node: NodeSpec,
    readonly subtaskIndex: number,
    readonly parallelism: number,
    runtimeConfig: RuntimeConfig,
    private readonly owner: ContextOwner,
  ) {
    this.maxParallelism = runtimeConfig.maxParallelism;
    this.keyGroupRange = keyGroupRangeForSubtask(this.maxParallelism, parallelism, subtaskIndex);
    this.inputTypes = node.inputs.map((e) => job.nodes[e.from]!.outputType);
    this.outputType = node.outputType;
    this.minLevel = LOG_LEVELS.indexOf(runtimeConfig.logLevel);
  }

  /** Wires the context to its operator and driver (they are created after the context). */
  bind(operator: Operator, driver: OperatorDriver): void {
    this.operator = operator;
    this.driver = driver;
  }

  get cancelled(): boolean {
    return this.owner.cancelled;
  }

  get endOfInputRequested(): boolean {
    return this.owner.endOfInputRequested;
  }

  config(key: string): string | undefined {
    return this.job.config[key];
  }

  keyedState(): KeyedStateBackend {
    if (this.state === null) {
      const kind = (this.job.config['state.backend.type'] ?? 'heap').trim().toLowerCase();
      if (kind === 'lsm') this.state = this.withLsmGauges(createLsmKeyedStateBackend(this.lsmOptions()));
      else if (kind !== 'heap' && kind !== 'hashmap') {
        throw unsupported('RUNTIME.STATE_BACKEND_UNAVAILABLE', `state backend '${kind}' is not available; use 'heap' or 'lsm'`);
      } else this.state = createHeapKeyedStateBackend({ maxParallelism: this.maxParallelism, keyGroupRange: this.keyGroupRange });
    }
    return this.state;
  }

  /**
   * Options of this subtask's lsm backend: files under `<primary-dir>/<job>/lsm/node-<id>-<subtask>-…`,
   * where the primary dir defaults to the checkpoint dir, and snapshot files kept as long as the
   * checkpoints that may be restored can reference them.
   */
  private lsmOptions(): LsmKeyedStateBackendOptions {
    const settings = readCheckpointSettings(this.job.config, this.job.name);
    return lsmOptionsFromConfig(this.job.config, {
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      defaultPrimaryDir: settings?.dir ?? null,
      filePrefix: `${settings?.jobFolder ?? jobFolderName(this.job.config['pipeline.name'] ?? this.job.name)}/lsm/node-${this.node.id}-${this.subtaskIndex}`,
      ...(settings === null ? {} : { defaultRetainedSnapshots: settings.numRetained + settings.tolerableFailures + 1 }),
    });
  }

  /** Shows the backend's read-path counters (remote bytes, cache hits, …) as `state.lsm.*` gauges. */
  private withLsmGauges(backend: LsmKeyedStateBackend): LsmKeyedStateBackend {
    registerLsmGauges(backend, (name, read) => this.metricGroup.gauge(name, read));
    return backend;
  }

  /** The keyed state backend if the operator created one (snapshots skip operators without state). */
  get keyedStateIfCreated(): KeyedStateBackend | null {
    return this.state;
  }

  /**
   * Installs restored state before `open`: the keyed backend (null: none was snapshotted), the timers to
   * re-register (filtered to this subtask's key groups by `owns`) and the operator-state entries.
   */
  installRestored(restored: {
    keyed: KeyedStateBackend | null;
    timers: TimersSnapshot[];
    owns: (key: string) => boolean;
    operatorState: readonly unknown[] | undefined;
    keyedOperatorState: readonly (readonly [string, unknown])[] | undefined;
    /** LSM manifests to open here, where the job configuration (caches, primary dir) is at hand. */
    lsmSnapshots?: readonly KeyedStateSnapshot[] | undefined;
    snapshotStore?: ObjectStore | undefined;
  }): void {
    this.isRestored = true;
    this.state = restored.lsmSnapshots !== undefined ? this.withLsmGauges(openLsmKeyedStateBackend(restored.lsmSnapshots, this.lsmOptions(), restored.snapshotStore)) : restored.keyed;
    this.restoredTimers = restored.timers.length > 0 ? { snapshots: restored.timers, owns: restored.owns } : null;
    this.restoredOperatorState = restored.operatorState;
    this.restoredKeyedOperatorState = restored.keyedOperatorState;
    // Restored timers must fire even if the operator only asks for its timer service later.
    if (this.restoredTimers !== null) this.timers();
  }

  timers(): TimerService {
    if (this.timerService === null) {
      if (this.operator === null || !isTimerOperator(this.operator)) {
        throw internalError(`operator ${this.node.name} (node ${this.node.id}) asked for timers but does not implement onTimers`);
      }
      const driver = this.driver!;
      this.timerService = new HeapTimerService(
        () => this.processingTime(),
        () => driver.processingTimersDue(),
      );
      if (this.restoredTimers !== null) {
        for (const snap of this.restoredTimers.snapshots) this.timerService.restore(snap, this.restoredTimers.owns);
        this.restoredTimers = null;
      }
    }
    return this.timerService;
  }

  emit(batch: RecordBatch): void {
    this.driver!.emit(batch);
  }

  emitWatermark(watermark: number): void {
    this.driver!.emitWatermark(watermark);
  }

  processingTime(): number {
    return Date.now();
  }

  metrics(): OperatorMetrics {
    return this.metricGroup;
  }

  sendToClient(message: unknown): void {
    this.owner.sendToClient(this.node.id, this.subtaskIndex, message);
  }

  log(level: LogLevel, message: string): void {
    if (LOG_LEVELS.indexOf(level) < this.minLevel) return;
    process.stderr.write(`[${this.job.name}/${this.node.name}/${this.subtaskIndex}] ${level.toUpperCase()} ${message}\n`);
  }

  backpressure(): Promise<void> | void {
    return this.owner.backpressure();
  }

  markIdle(idle: boolean): void {
    this.driver!.emitStatus(idle);
  }

  /** Releases keyed state after the operator closed. */
  disposeState(): Promise<void> | void {
    const s = this.state;
    this.state = null;
    return s?.dispose();
  }
}
