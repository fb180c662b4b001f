/**
 * Hosts the subtasks of one worker thread (or, for in-thread execution, all of them): creates them,
 * wires their channels (in-memory to subtasks of the same host, MessagePorts to other workers), opens,
 * starts, cancels, and reports to the coordinator.
 *
 * Channel wiring is a pure function of the job graph and the worker count: subtask i of every chain lives
 * on worker i mod W, and channel ids come from `job-graph.ts`, so every host derives the same picture.
 */
import type { MessagePort } from 'node:worker_threads';
import type { JobSpec } from '../spec/index.js';
import type { OperatorRegistry } from './operator.js';
import type { JobGraph } from './job-graph.js';
import { channelId, sourcesOf, targetsOf, workerOf } from './job-graph.js';
import type { RuntimeConfig } from './runtime-config.js';
import { Subtask } from './subtask.js';
import { OutputChannel } from './output-channel.js';
import type { ChannelTransport } from './output-channel.js';
import { ExchangeOutput, ExchangeWriter } from './exchange-output.js';
import type { PeerMessage, StreamElement } from './stream-element.js';
import { fromWireBatch } from './batch-wire.js';
import type { WireBatch } from './batch-wire.js';
import type { SubtaskMetricsSnapshot } from './metrics.js';
import { serializeError } from './error-transport.js';
import type { SnapshotAck, SubtaskCheckpointing } from './subtask.js';
import type { CheckpointMetadata } from './checkpoint-storage.js';
import { openStore } from './checkpoint-storage.js';
import type { RestoreSource } from './checkpoint-restore.js';
import { prefixedObjectStore } from '../storage/index.js';
import type { SerializedError } from './error-transport.js';

/** Messages from a host to the coordinator. */
export type HostMessage =
  | { readonly t: 'ready' }
  | { readonly t: 'metrics'; readonly snapshots: readonly SubtaskMetricsSnapshot[] }
  | { readonly t: 'client'; readonly nodeId: number; readonly subtask: number; readonly message: unknown }
  | { readonly t: 'finished'; readonly snapshots: readonly SubtaskMetricsSnapshot[] }
  | { readonly t: 'cancelled'; readonly snapshots: readonly SubtaskMetricsSnapshot[] }
  | { readonly t: 'failed'; readonly error: SerializedError; readonly snapshots: readonly SubtaskMetricsSnapshot[] }
  | { readonly t: 'ack'; readonly ack: SnapshotAck }
  | { readonly t: 'decline'; readonly checkpointId: number; readonly error: SerializedError }
  | { readonly t: 'awaiting-final' };

/** Messages from the coordinator to a host. */
export type CoordinatorMessage =
  | { readonly t: 'start' }
  | { readonly t: 'cancel' }
  | { readonly t: 'trigger'; readonly checkpointId: number; readonly savepoint: boolean }
  /** `reports`: the checkpoint reports of the operators that made any, by node id, in subtask order. */
  | { readonly t: 'complete'; readonly checkpointId: number; readonly reports?: Readonly<Record<number, readonly unknown[]>> }
  | { readonly t: 'abort'; readonly checkpointId: number }
  /** Stop with drain: sources end their input now (the final checkpoint is the savepoint). */
  | { readonly t: 'end-input' };

/** Where checkpoints go and what to restore from, as plain data (it crosses into worker threads). */
export interface HostCheckpointSetup {
  readonly dir: string;
  readonly jobFolder: string;
  readonly incremental: boolean;
}

export interface HostRestoreSetup {
  /** Store URI and key prefix of the checkpoint folder. */
  readonly dir: string;
  readonly prefix: string;
  readonly metadata: CheckpointMetadata;
}

export interface TaskHostOptions {
  readonly spec: JobSpec;
  readonly graph: JobGraph;
  readonly config: RuntimeConfig;
  readonly registry: OperatorRegistry;
  readonly workerIndex: number;
  readonly workerCount: number;
  /** Ports to the other workers, by worker index (absent for in-thread execution). */
  readonly peers: ReadonlyMap<number, MessagePort>;
  /** Sends a message to the coordinator (parentPort in a worker, a function call in-thread). */
  readonly post: (message: HostMessage) => void;
  readonly checkpointing: HostCheckpointSetup | null;
  readonly restore: HostRestoreSetup | null;
}

export class TaskHost {
  private readonly subtasks: Subtask[] = [];
  private readonly senders = new Map<number, OutputChannel>();
  private readonly receivers = new Map<number, Subtask>();
  /** Channel id → worker of its producer, for credits of channels fed from another worker. */
  private readonly creditRoutes = new Map<number, number>();
  private metricsTimer: ReturnType<typeof setInterval> | null = null;
  private state: 'created' | 'ready' | 'running' | 'stopping' | 'done' = 'created';

  constructor(private readonly options: TaskHostOptions) {}

  /** Builds and opens the local subtasks, then reports `ready` (or `failed`). */
  async init(): Promise<void> {
    const { graph, workerIndex, workerCount, peers, config } = this.options;
    for (const [, port] of peers) {
      port.on('message', (m: PeerMessage) => this.onPeerMessage(m));
    }
    const byKey = new Map<string, Subtask>();
    const post = this.options.post;
    const cpSetup = this.options.checkpointing;
    const checkpointing: SubtaskCheckpointing | null =
      cpSetup === null
        ? null
        : {
            root: openStore(cpSetup.dir),
            jobFolder: cpSetup.jobFolder,
            incremental: cpSetup.incremental,
            ack: (ack) => post({ t: 'ack', ack }),
            decline: (checkpointId, error) => post({ t: 'decline', checkpointId, error: serializeError(error) }),
            awaitingFinal: () => post({ t: 'awaiting-final' }),
          };
    const rs = this.options.restore;
    const restore: RestoreSource | null = rs === null ? null : { store: prefixedObjectStore(openStore(rs.dir), rs.prefix), metadata: rs.metadata };
    for (const chain of graph.chains) {
      for (let s = 0; s < chain.parallelism; s++) {
        if (workerOf(s, workerCount) !== workerIndex) continue;
        const subtask = new Subtask(chain, s, {
          spec: this.options.spec,
          config,
          registry: this.options.registry,
          sendToClient: (nodeId, subtaskIndex, message) => this.options.post({ t: 'client', nodeId, subtask: subtaskIndex, message }),
          returnCredit: (channel) => this.returnCredit(channel),
          checkpointing,
          restore,
        });
        byKey.set(chain.id + '/' + s, subtask);
        this.subtasks.push(subtask);
        for (const edge of chain.inputs) {
          for (const u of sourcesOf(edge, s)) {
            const id = channelId(edge, u, s);
            subtask.addInputChannel(id, edge.inputIndex);
            this.receivers.set(id, subtask);
            const producer = workerOf(u, workerCount);
            if (producer !== workerIndex) this.creditRoutes.set(id, producer);
          }
        }
      }
    }
    const minRows = config.bufferTimeoutMs === 0 ? 0 : config.bufferMinRows;
    for (const subtask of this.subtasks) {
      const chain = subtask.chain;
      const rowType = chain.nodes[chain.nodes.length - 1]!.outputType;
      const writers = chain.outputs.map((edge) => {
        const channels = new Array<OutputChannel | null>(edge.downstreamParallelism).fill(null);
        for (const d of targetsOf(edge, subtask.index)) {
          const id = channelId(edge, subtask.index, d);
          const consumerWorker = workerOf(d, workerCount);
          const transport =
            consumerWorker === workerIndex ? localTransport(byKey.get(edge.toChain + '/' + d)!) : remoteTransport(peers.get(consumerWorker)!);
          const ch = new OutputChannel(id, transport, config.maxBuffersPerChannel, minRows, rowType, subtask.armFlush);
          this.senders.set(id, ch);
          channels[d] = ch;
        }
        return new ExchangeWriter(edge.partitioning, channels, config.maxParallelism, rowType);
      });
      subtask.setOutput(new ExchangeOutput(writers));
    }
    try {
      for (const subtask of this.subtasks) await subtask.open();
    } catch (e) {
      await this.stop();
      this.state = 'done';
      this.options.post({ t: 'failed', error: serializeError(e), snapshots: this.snapshots() });
      return;
    }
    this.state = 'ready';
    this.options.post({ t: 'ready' });
  }

  /** Runs every local subtask; reports `finished`, or `failed` with the first failure. */
  start(): void {
    if (this.state !== 'ready') return;
    this.state = 'running';
    this.metricsTimer = setInterval(() => this.options.post({ t: 'metrics', snapshots: this.snapshots() }), this.options.config.metricsIntervalMs);
    let firstError: unknown = null;
    const runs = this.subtasks.map((s) =>
      s.run().catch((e: unknown) => {
        if (firstError === null) {
          firstError = e;
          // One failure fails the job: stop the other local subtasks right away.
          for (const other of this.subtasks) if (other !== s) other.cancel();
        }
      }),
    );
    void Promise.all(runs).then(async () => {
      if (this.state === 'done') return;
      const wasStopping = this.state === 'stopping';
      if (firstError !== null || wasStopping) await this.stop();
      this.finish(firstError !== null ? { t: 'failed', error: serializeError(firstError), snapshots: this.snapshots() } : wasStopping ? { t: 'cancelled', snapshots: this.snapshots() } : { t: 'finished', snapshots: this.snapshots() });
    });
  }

  /** Cancels every local subtask; reports `cancelled` once they stopped (or at once if never started). */
  cancel(): void {
    if (this.state === 'done' || this.state === 'stopping') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    for (const s of this.subtasks) s.cancel();
    if (!wasRunning) {
      void this.stop().then(() => this.finish({ t: 'cancelled', snapshots: this.snapshots() }));
    }
  }

  /** Checkpoint messages from the coordinator; answered even after the local subtasks finished. */
  onCheckpointMessage(m: CoordinatorMessage): void {
    for (const s of this.subtasks) {
      if (m.t === 'trigger') s.triggerCheckpoint(m.checkpointId, m.savepoint);
      else if (m.t === 'complete') s.notifyCheckpointComplete(m.checkpointId, m.reports);
      else if (m.t === 'abort') s.abortCheckpoint(m.checkpointId);
      else if (m.t === 'end-input') s.requestEndOfInput();
    }
  }

  snapshots(): SubtaskMetricsSnapshot[] {
    return this.subtasks.flatMap((s) => s.snapshots());
  }

  /** Resolves once no subtask of this host is writing a snapshot. */
  writesSettled(): Promise<void> {
    return Promise.all(this.subtasks.map((s) => s.writesSettled())).then(() => undefined);
  }

  private finish(message: HostMessage): void {
    this.state = 'done';
    if (this.metricsTimer !== null) clearInterval(this.metricsTimer);
    this.metricsTimer = null;
    this.options.post(message);
  }

  private async stop(): Promise<void> {
    for (const s of this.subtasks) s.cancel();
    for (const s of this.subtasks) await s.closeAll();
  }

  private onPeerMessage(m: PeerMessage): void {
    if (m.t === 'credit') {
      this.senders.get(m.channel)?.addCredit(m.n);
      return;
    }
    const receiver = this.receivers.get(m.channel);
    if (receiver === undefined) return;
    if (m.t === 'batch') receiver.inbox.push({ channel: m.channel, element: { kind: 'batch', batch: fromWireBatch(m.batch) } });
    else receiver.inbox.push({ channel: m.channel, element: m.element });
  }

  private returnCredit(channel: number): void {
    const local = this.senders.get(channel);
    if (local !== undefined) {
      local.addCredit(1);
      return;
    }
    const worker = this.creditRoutes.get(channel);
    if (worker !== undefined) this.options.peers.get(worker)?.postMessage({ t: 'credit', channel, n: 1 } satisfies PeerMessage);
  }
}

function localTransport(consumer: Subtask): ChannelTransport {
  return {
    remote: false,
    deliver(channel: number, element: StreamElement): void {
      consumer.inbox.push({ channel, element });
    },
  };
}

function remoteTransport(port: MessagePort): ChannelTransport {
  return {
    remote: true,
    deliver(channel: number, element: StreamElement, transfer: ArrayBuffer[] | undefined): void {
      const message: PeerMessage = { t: 'element', channel, element };
      if (transfer === undefined) port.postMessage(message);
      else port.postMessage(message, transfer);
    },
    deliverBatch(channel: number, batch: WireBatch, transfer: ArrayBuffer[] | undefined): void {
      const message: PeerMessage = { t: 'batch', channel, batch };
      if (transfer === undefined) port.postMessage(message);
      else port.postMessage(message, transfer);
    },
  };
}
