/**
 * The job client: `executeJob` runs a `JobSpec` and returns a handle with the outcome, live metrics and
 * cancellation.
 *
 * Threads: W = `execution.worker-threads` (default: available cores), capped by the largest parallelism in
 * the job. W = 1 runs every subtask in the calling thread (no workers), unless
 * `execution.worker-threads.force` is true. Otherwise W workers start, each with the spec, the bootstrap
 * module URL and one MessagePort per peer worker (a MessageChannel per worker pair, created here and
 * transferred); subtask i of every chain runs on worker i mod W.
 *
 * Protocol: every host opens its subtasks and reports `ready`; once all are ready the coordinator sends
 * `start` (so no element can reach a subtask that is not open yet). Hosts report metrics periodically and
 * `finished` / `cancelled` / `failed` at the end. The first failure cancels every other host, waits for
 * them to stop (at most `CANCEL_GRACE_MS`), terminates all workers and rejects `done` with the failing
 * task's FloeError (kind, code and message preserved across the thread boundary).
 *
 * Cancellation (`cancel()` or the abort signal) stops every subtask, closes operators and resolves `done`
 * with `status: 'cancelled'`.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { FloeError, runtimeError, userError } from '../common/index.js';
import type { JobSpec } from '../spec/index.js';
import { buildJobGraph } from './job-graph.js';
import { readRuntimeConfig } from './runtime-config.js';
import { loadOperatorRegistry } from './bootstrap.js';
import { TaskHost } from './task-host.js';
import type { CoordinatorMessage, HostMessage } from './task-host.js';
import { MetricsAggregator } from './metrics.js';
import type { JobMetrics } from './metrics.js';
import { deserializeError, toTaskError } from './error-transport.js';
import type { WorkerStartData } from './worker-main.js';
import { spawnWorker } from './worker-spawn.js';
import type { HostCheckpointSetup, HostRestoreSetup } from './task-host.js';
import type { ObjectStore } from '../storage/index.js';
import { readOption } from '../common/index.js';
import { readCheckpointSettings, readRestartStrategy, RestartPolicy } from './checkpoint-config.js';
import type { CheckpointSettings } from './checkpoint-config.js';
import { findLatestCheckpoint, listCheckpointIds, openRestorePath, openStore } from './checkpoint-storage.js';
import type { CheckpointStats, FoundCheckpoint } from './checkpoint-storage.js';
import { checkRestoreCompatible } from './checkpoint-restore.js';
import { CheckpointCoordinator } from './checkpoint-coordinator.js';
import { LsmGarbageCollector } from './lsm-garbage.js';

/** How long stopping hosts may take before workers are terminated regardless. */
export const CANCEL_GRACE_MS = 5000;

export interface ExecuteJobOptions {
  /** URL of a module exporting `register(registry: OperatorRegistry): void | Promise<void>`. */
  readonly bootstrapModule: string;
  /** Messages from `ctx.sendToClient`, in order per (node, subtask). Throwing fails the job. */
  readonly onClientMessage?: (nodeId: number, subtask: number, message: unknown) => void;
  /** Aborting cancels the job. */
  readonly signal?: AbortSignal;
  /** Warnings for the user (a skipped corrupt checkpoint, a restart); default: stderr. */
  readonly warn?: (message: string) => void;
  /**
   * Resume from the latest complete checkpoint of the job (by `pipeline.name`) under
   * `execution.checkpointing.dir`, or start fresh when there is none (`floe run --recover`). An explicit
   * `execution.savepoint.path` wins.
   */
  readonly recover?: boolean;
  /** Called after each completed checkpoint. */
  readonly onCheckpoint?: (stats: CheckpointStats) => void;
}

export interface NodeResult {
  readonly nodeId: number;
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

export interface JobResult {
  readonly status: 'finished' | 'cancelled';
  readonly durationMs: number;
  /** Worker threads used (0 = ran in the calling thread). */
  readonly workerThreads: number;
  readonly nodes: readonly NodeResult[];
  readonly metrics: JobMetrics;
  /** Completed checkpoints of this run (all attempts), oldest first. */
  readonly checkpoints: readonly CheckpointStats[];
  /** Restarts after task failures (restart strategy). */
  readonly restarts: number;
  /** The checkpoint or savepoint id the first attempt started from, or null for a fresh start. */
  readonly restoredFrom: number | null;
  /** The savepoint a stop-with-savepoint wrote, else null. */
  readonly savepointPath: string | null;
}

export interface JobHandle {
  /** Resolves when every subtask finished (bounded input) or the job was cancelled; rejects with the first failure. */
  readonly done: Promise<JobResult>;
  /** Cancels the job; resolves once it stopped. */
  cancel(): Promise<void>;
  /** Live metrics (workers report every `execution.metrics.interval`). */
  metrics(): JobMetrics;
  /** Checkpoints completed so far (all attempts), oldest first. */
  checkpoints(): readonly CheckpointStats[];
  /**
   * Stop-with-savepoint: takes a savepoint (sinks commit what it covers), then stops the job. Resolves to
   * the savepoint folder, which `execution.savepoint.path` / `floe run --from-savepoint` restores. Needs
   * checkpointing (`execution.checkpointing.interval` and `.dir`). With `drain`, see StopWithSavepointOptions.
   */
  stopWithSavepoint(options?: StopWithSavepointOptions): Promise<string>;
}

export interface StopWithSavepointOptions {
  /**
   * Flink's `--drain`: the sources end their input first, so every event-time window and timer fires on
   * the final watermark; the savepoint is the final checkpoint and the job ends FINISHED. A job restored
   * from it has nothing left to do; use it to end a pipeline for good, not to pause it.
   */
  readonly drain?: boolean;
}

/** Starts `spec`; see the module comment for threads, protocol and failure handling. */
export function executeJob(spec: JobSpec, options: ExecuteJobOptions): JobHandle {
  const runner = new JobRunner(spec, options);
  void runner.run();
  return {
    done: runner.done,
    cancel: () => runner.cancel(),
    metrics: () => runner.metrics(),
    checkpoints: () => runner.checkpoints(),
    stopWithSavepoint: (options) => runner.stopWithSavepoint({ drain: options?.drain === true }),
  };
}

/** What one attempt of a job starts with. */
interface AttemptSetup {
  readonly checkpointing: CheckpointSettings | null;
  readonly root: ObjectStore | null;
  readonly restore: FoundCheckpoint | null;
  readonly firstCheckpointId: number;
  readonly existingCheckpointIds: readonly number[];
  /** Collects orphaned lsm SST files (null: the job does not checkpoint lsm state). */
  readonly lsmGarbage: LsmGarbageCollector | null;
}

/**
 * Runs attempts of a job: the first from `execution.savepoint.path` (if set), and after a task failure, as
 * the restart strategy allows, a new attempt from the latest completed checkpoint. Errors of kind `user`
 * and `unsupported` (a malformed record, a bad option) are not retried: the same input would fail again.
 */
class JobRunner {
  readonly done: Promise<JobResult>;
  private resolveDone!: (r: JobResult) => void;
  private rejectDone!: (e: unknown) => void;
  private current: JobCoordinator | null = null;
  private cancelled = false;
  private wakeDelay: (() => void) | null = null;
  private readonly history: CheckpointStats[] = [];
  private readonly warn: (message: string) => void;
  private savepointPath: string | null = null;

  constructor(
    private readonly spec: JobSpec,
    private readonly options: ExecuteJobOptions,
  ) {
    this.done = new Promise<JobResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.warn = options.warn ?? ((m) => process.stderr.write(`[${spec.name}] WARN ${m}\n`));
  }

  checkpoints(): readonly CheckpointStats[] {
    return this.history;
  }

  async stopWithSavepoint(options: { readonly drain: boolean }): Promise<string> {
    const attempt = this.current;
    if (attempt === null) throw runtimeError('CHECKPOINT.SAVEPOINT_FAILED', 'the job is not running');
    const path = await attempt.triggerSavepoint(options);
    this.savepointPath = path;
    // A drained job finishes on its own once the savepoint (its final checkpoint) completed.
    if (options.drain) await this.done.catch(() => undefined);
    else await this.cancel();
    return path;
  }

  metrics(): JobMetrics {
    return this.current?.metrics() ?? new MetricsAggregator(this.spec.nodes, Date.now()).aggregate(Date.now());
  }

  cancel(): Promise<void> {
    this.cancelled = true;
    this.wakeDelay?.();
    void this.current?.cancel();
    return this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  async run(): Promise<void> {
    let restarts = 0;
    let restoredFrom: number | null = null;
    try {
      const checkpointing = readCheckpointSettings(this.spec.config, this.spec.name);
      const policy = new RestartPolicy(readRestartStrategy(this.spec.config, checkpointing !== null));
      const root = checkpointing === null ? null : openStore(checkpointing.dir);
      const savepointPath = readOption(this.spec.config, 'execution.savepoint.path');
      const ignoreUnclaimed = readOption(this.spec.config, 'execution.savepoint.ignore-unclaimed-state') === 'true';
      let restore = savepointPath === null || savepointPath.trim() === '' ? null : await openRestorePath(savepointPath.trim(), this.warn);
      if (restore === null && this.options.recover === true && checkpointing !== null) {
        restore = await findLatestCheckpoint(checkpointing.dir, checkpointing.jobFolder, this.warn);
      }
      restoredFrom = restore?.id ?? null;
      let existing = root === null ? [] : (await listCheckpointIds(root, checkpointing!.jobFolder)).reverse();
      let nextId = Math.max(0, ...existing, restore?.id ?? 0) + 1;
      const lsmGarbage = LsmGarbageCollector.forJob(this.spec.config, checkpointing, root, this.warn);
      for (;;) {
        if (restore !== null) checkRestoreCompatible(this.spec, restore.metadata, ignoreUnclaimed);
        // Before any subtask of the attempt exists (a failed attempt's `done` settles only after its
        // workers were terminated and its checkpoint writes drained): SST files no complete checkpoint
        // lists are orphans.
        await lsmGarbage?.collectUnreferenced();
        const attempt = new JobCoordinator(this.spec, this.options, {
          checkpointing,
          root,
          restore,
          firstCheckpointId: nextId,
          existingCheckpointIds: existing,
          lsmGarbage,
        }, (stats) => {
          this.history.push(stats);
          this.options.onCheckpoint?.(stats);
        }, this.warn);
        this.current = attempt;
        const startedAt = Date.now();
        void attempt.start();
        try {
          const result = await attempt.done;
          // Every backend is disposed: files kept only for snapshots past retention are orphans now.
          await lsmGarbage?.collectUnreferenced();
          this.resolveDone({ ...result, checkpoints: this.history, restarts, restoredFrom, savepointPath: this.savepointPath });
          return;
        } catch (e) {
          const error = e instanceof FloeError ? e : toTaskError(e, null);
          const delay = this.cancelled || error.kind === 'user' || error.kind === 'unsupported' ? null : policy.next(Date.now(), Date.now() - startedAt);
          if (delay === null) throw error;
          nextId = attempt.nextCheckpointId;
          restarts++;
          if (checkpointing !== null) {
            const latest = await findLatestCheckpoint(checkpointing.dir, checkpointing.jobFolder, this.warn);
            if (latest !== null) restore = latest;
            existing = (await listCheckpointIds(root!, checkpointing.jobFolder)).reverse();
          }
          this.warn(
            `job failed (${error.message}); restarting in ${delay} ms (restart ${restarts}) from ${restore === null ? 'the beginning (no checkpoint yet)' : `checkpoint ${restore.id}`}`,
          );
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, delay);
            this.wakeDelay = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wakeDelay = null;
          if (this.cancelled) throw error;
        }
      }
    } catch (e) {
      this.rejectDone(e instanceof FloeError ? e : toTaskError(e, null));
    }
  }
}

interface HostEndpoint {
  send(message: CoordinatorMessage): void;
  terminate(): Promise<void>;
}

class JobCoordinator {
  readonly done: Promise<JobResult>;
  private resolveDone!: (r: JobResult) => void;
  private rejectDone!: (e: unknown) => void;
  private readonly startedAt = Date.now();
  private readonly aggregator: MetricsAggregator;
  private endpoints: HostEndpoint[] = [];
  private terminal: boolean[] = [];
  private readyCount = 0;
  private firstError: FloeError | null = null;
  private cancelRequested = false;
  private stopping = false;
  private settled = false;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private inThreadHost: TaskHost | null = null;
  private workerThreads = 0;
  private readonly onAbort = (): void => void this.cancel();
  private checkpoints: CheckpointCoordinator | null = null;

  constructor(
    private readonly spec: JobSpec,
    private readonly options: ExecuteJobOptions,
    private readonly setup: AttemptSetup,
    private readonly onCheckpoint: (stats: CheckpointStats) => void,
    private readonly warn: (message: string) => void,
  ) {
    this.done = new Promise<JobResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.aggregator = new MetricsAggregator(spec.nodes, this.startedAt);
  }

  triggerSavepoint(options: { readonly drain: boolean }): Promise<string> {
    if (this.checkpoints === null) {
      return Promise.reject(
        userError('CHECKPOINT.SAVEPOINT_UNAVAILABLE', 'a savepoint needs checkpointing: set execution.checkpointing.interval and execution.checkpointing.dir'),
      );
    }
    if (!options.drain) return this.checkpoints.triggerSavepoint();
    // Drain: the sources end their input, every window and timer fires on the final watermark, and the
    // final checkpoint (all subtasks finished) is the savepoint.
    const path = this.checkpoints.requestFinalSavepoint();
    for (const e of this.endpoints) if (!this.stopping) e.send({ t: 'end-input' });
    return path;
  }

  /** The id the next checkpoint of a later attempt must use (ids never repeat within a job folder). */
  get nextCheckpointId(): number {
    return this.checkpoints?.nextCheckpointId ?? this.setup.firstCheckpointId;
  }

  private hostCheckpointing(): HostCheckpointSetup | null {
    const cp = this.setup.checkpointing;
    return cp === null ? null : { dir: cp.dir, jobFolder: cp.jobFolder, incremental: cp.incremental };
  }

  private hostRestore(): HostRestoreSetup | null {
    const r = this.setup.restore;
    return r === null ? null : { dir: r.dir, prefix: r.prefix, metadata: r.metadata };
  }

  async start(): Promise<void> {
    try {
      const graph = buildJobGraph(this.spec);
      const config = readRuntimeConfig(this.spec.config);
      const cp = this.setup.checkpointing;
      if (cp !== null) {
        const onCheckpoint = this.onCheckpoint;
        this.checkpoints = new CheckpointCoordinator(this.spec, cp, this.setup.root!, this.setup.firstCheckpointId, config.maxParallelism, {
          broadcast: (m) => {
            for (let i = 0; i < this.endpoints.length; i++) if (!this.stopping) this.endpoints[i]!.send(m);
            if (m.t === 'complete') {
              const stats = this.checkpoints!.history[this.checkpoints!.history.length - 1];
              if (stats !== undefined && stats.id === m.checkpointId) onCheckpoint(stats);
            }
          },
          fail: (error) => this.onFailure(error),
          warn: this.warn,
          ...(this.setup.lsmGarbage === null ? {} : { afterRetain: () => this.setup.lsmGarbage!.collectAfterCheckpoint() }),
        }, this.setup.existingCheckpointIds);
      }
      const wanted = config.workerThreads ?? availableParallelism();
      const count = Math.max(1, Math.min(wanted, graph.maxTaskParallelism));
      const signal = this.options.signal;
      if (signal !== undefined) {
        if (signal.aborted) {
          this.cancelRequested = true;
          this.settle();
          return;
        }
        signal.addEventListener('abort', this.onAbort, { once: true });
      }
      if (count === 1 && !config.forceWorkerThreads) await this.startInThread(graph, config);
      else this.startWorkers(count);
    } catch (e) {
      this.fail(toTaskError(e, null));
    }
  }

  metrics(): JobMetrics {
    if (this.inThreadHost !== null && !this.settled) this.aggregator.update(this.inThreadHost.snapshots());
    return this.aggregator.aggregate(Date.now());
  }

  cancel(): Promise<void> {
    if (!this.settled && !this.stopping) {
      this.cancelRequested = true;
      this.stopAll();
    }
    return this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  private async startInThread(graph: ReturnType<typeof buildJobGraph>, config: ReturnType<typeof readRuntimeConfig>): Promise<void> {
    const registry = await loadOperatorRegistry(this.options.bootstrapModule);
    if (this.settled || this.stopping) return this.settle();
    // Messages in both directions are delivered from a microtask, as they would arrive from a port: a
    // handler never runs re-entrantly inside the host call that produced the message.
    const host = new TaskHost({
      spec: this.spec,
      graph,
      config,
      registry,
      workerIndex: 0,
      workerCount: 1,
      peers: new Map(),
      post: (m) => queueMicrotask(() => this.onHostMessage(0, m)),
      checkpointing: this.hostCheckpointing(),
      restore: this.hostRestore(),
    });
    this.inThreadHost = host;
    this.endpoints = [
      {
        send: (m) => queueMicrotask(() => (m.t === 'start' ? host.start() : m.t === 'cancel' ? host.cancel() : host.onCheckpointMessage(m))),
        // Snapshot writes of a cancelled job still in flight finish before `done` resolves (within the
        // cancel grace: a write stuck on a dead store must not hold the job open).
        terminate: () => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CANCEL_GRACE_MS)));
          return Promise.race([host.writesSettled(), grace]).finally(() => clearTimeout(timer));
        },
      },
    ];
    this.terminal = [false];
    await host.init();
  }

  private startWorkers(count: number): void {
    this.workerThreads = count;
    const ports: Map<number, MessagePort>[] = Array.from({ length: count }, () => new Map());
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        const { port1, port2 } = new MessageChannel();
        ports[i]!.set(j, port1);
        ports[j]!.set(i, port2);
      }
    }
    this.terminal = new Array<boolean>(count).fill(false);
    for (let i = 0; i < count; i++) {
      const peers = [...ports[i]!].map(([worker, port]) => ({ worker, port }));
      const data: WorkerStartData = {
        spec: this.spec,
        bootstrapModule: this.options.bootstrapModule,
        workerIndex: i,
        workerCount: count,
        peers,
        checkpointing: this.hostCheckpointing(),
        restore: this.hostRestore(),
      };
      const worker = spawnWorker({ workerData: data, transferList: peers.map((p) => p.port) });
      const index = i;
      worker.on('message', (m: HostMessage) => this.onHostMessage(index, m));
      worker.on('error', (e) => {
        if (this.terminal[index]) return;
        this.terminal[index] = true;
        this.onFailure(toTaskError(e, null));
      });
      worker.on('exit', (code) => {
        if (this.terminal[index]) return;
        this.terminal[index] = true;
        this.onFailure(runtimeError('RUNTIME.WORKER_EXITED', `worker thread ${index} exited unexpectedly with code ${code}`));
      });
      this.endpoints.push({
        send: (m) => worker.postMessage(m),
        terminate: async () => {
          await worker.terminate();
        },
      });
    }
  }

  private onHostMessage(index: number, m: HostMessage): void {
    if (this.settled) return;
    switch (m.t) {
      case 'ready':
        if (++this.readyCount === this.endpoints.length && !this.stopping) {
          for (const ep of this.endpoints) ep.send({ t: 'start' });
          this.checkpoints?.start();
        }
        return;
      case 'ack':
        this.checkpoints?.onAck(m.ack);
        return;
      case 'decline':
        this.checkpoints?.onDecline(m.checkpointId, deserializeError(m.error));
        return;
      case 'awaiting-final':
        this.checkpoints?.onAwaitingFinal();
        return;
      case 'metrics':
        this.aggregator.update(m.snapshots);
        return;
      case 'client':
        if (this.stopping) return;
        try {
          this.options.onClientMessage?.(m.nodeId, m.subtask, m.message);
        } catch (e) {
          this.onFailure(toTaskError(e, null));
        }
        return;
      case 'finished':
      case 'cancelled':
        this.aggregator.update(m.snapshots);
        this.terminal[index] = true;
        this.checkAllStopped();
        return;
      case 'failed':
        this.aggregator.update(m.snapshots);
        this.terminal[index] = true;
        this.onFailure(deserializeError(m.error));
        this.checkAllStopped();
        return;
    }
  }

  private onFailure(error: FloeError): void {
    if (this.settled) return;
    if (this.firstError === null && !this.cancelRequested) this.firstError = error;
    this.stopAll();
    this.checkAllStopped();
  }

  private fail(error: FloeError): void {
    if (this.firstError === null) this.firstError = error;
    this.stopAll();
    this.settle();
  }

  private stopAll(): void {
    if (this.stopping || this.settled) return;
    this.stopping = true;
    this.checkpoints?.stop();
    this.endpoints.forEach((ep, i) => {
      if (!this.terminal[i]) ep.send({ t: 'cancel' });
    });
    this.graceTimer = setTimeout(() => this.settle(), CANCEL_GRACE_MS);
    if (this.endpoints.length === 0) this.settle();
  }

  private checkAllStopped(): void {
    if (this.terminal.length > 0 && this.terminal.every(Boolean)) this.settle();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.checkpoints?.stop();
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    const metrics = this.aggregator.aggregate(Date.now());
    const endpoints = this.endpoints;
    const drained = this.checkpoints?.drain() ?? Promise.resolve();
    void Promise.all([drained, ...endpoints.map((ep) => ep.terminate().catch(() => undefined))]).then(() => {
      if (this.firstError !== null) {
        this.rejectDone(this.firstError);
        return;
      }
      this.resolveDone({
        status: this.cancelRequested ? 'cancelled' : 'finished',
        durationMs: Date.now() - this.startedAt,
        workerThreads: this.workerThreads,
        nodes: metrics.nodes.map((n) => ({ nodeId: n.nodeId, name: n.name, recordsIn: n.recordsIn, recordsOut: n.recordsOut })),
        metrics,
        checkpoints: [],
        restarts: 0,
        restoredFrom: null,
        savepointPath: null,
      });
    });
  }
}
