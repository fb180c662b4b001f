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
import { FloeError, runtimeError } from '../common/index.js';
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

/** How long stopping hosts may take before workers are terminated regardless. */
export const CANCEL_GRACE_MS = 5000;

export interface ExecuteJobOptions {
  /** URL of a module exporting `register(registry: OperatorRegistry): void | Promise<void>`. */
  readonly bootstrapModule: string;
  /** Messages from `ctx.sendToClient`, in order per (node, subtask). Throwing fails the job. */
  readonly onClientMessage?: (nodeId: number, subtask: number, message: unknown) => void;
  /** Aborting cancels the job. */
  readonly signal?: AbortSignal;
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
}

export interface JobHandle {
  /** Resolves when every subtask finished (bounded input) or the job was cancelled; rejects with the first failure. */
  readonly done: Promise<JobResult>;
  /** Cancels the job; resolves once it stopped. */
  cancel(): Promise<void>;
  /** Live metrics (workers report every `execution.metrics.interval`). */
  metrics(): JobMetrics;
}

/** Starts `spec`; see the module comment for threads, protocol and failure handling. */
export function executeJob(spec: JobSpec, options: ExecuteJobOptions): JobHandle {
  const coordinator = new JobCoordinator(spec, options);
  void coordinator.start();
  return {
    done: coordinator.done,
    cancel: () => coordinator.cancel(),
    metrics: () => coordinator.metrics(),
  };
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

  constructor(
    private readonly spec: JobSpec,
    private readonly options: ExecuteJobOptions,
  ) {
    this.done = new Promise<JobResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.aggregator = new MetricsAggregator(spec.nodes, this.startedAt);
  }

  async start(): Promise<void> {
    try {
      const graph = buildJobGraph(this.spec);
      const config = readRuntimeConfig(this.spec.config);
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
    });
    this.inThreadHost = host;
    this.endpoints = [
      {
        send: (m) => queueMicrotask(() => (m.t === 'start' ? host.start() : host.cancel())),
        terminate: async () => undefined,
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
      const data: WorkerStartData = { spec: this.spec, bootstrapModule: this.options.bootstrapModule, workerIndex: i, workerCount: count, peers };
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
        if (++this.readyCount === this.endpoints.length && !this.stopping) for (const ep of this.endpoints) ep.send({ t: 'start' });
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
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    const metrics = this.aggregator.aggregate(Date.now());
    const endpoints = this.endpoints;
    void Promise.all(endpoints.map((ep) => ep.terminate().catch(() => undefined))).then(() => {
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
      });
    });
  }
}
