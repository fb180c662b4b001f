/**
 * One subtask of one chain: its operators (one driver each, wired output → next input), its inbox, and
 * the loop that feeds the inbox to the chain head (or runs the source), with backpressure and
 * output buffering.
 *
 * Loop (non-source head): take the next inbox element; wait until every outgoing channel has credit;
 * hand the element to the head driver; wait until the chain drained (every async operator call
 * resolved); return the batch's credit to its channel. When the inbox is empty the subtask flushes its
 * coalescing buffers before it waits, so a slow input never leaves rows sitting in a buffer.
 *
 * The subtask ends when its tail operator ended its output (all inputs ended and every operator closed).
 */
import type { JobSpec, NodeSpec } from '../spec/index.js';
import type { Chain } from './job-graph.js';
import type { Operator, OperatorRegistry, SourceOperator } from './operator.js';
import { isSourceOperator } from './operator.js';
import { Inbox } from './inbox.js';
import { InputTracker } from './input-tracker.js';
import { OperatorContextImpl } from './operator-context.js';
import type { ContextOwner } from './operator-context.js';
import { OperatorDriver } from './operator-driver.js';
import type { DriverOwner, DriverSnapshot } from './operator-driver.js';
import type { ExchangeOutput, StreamOutput } from './exchange-output.js';
import type { RuntimeConfig } from './runtime-config.js';
import type { SubtaskMetricsSnapshot } from './metrics.js';
import { toTaskError } from './error-transport.js';
import type { FloeError } from '../common/index.js';
import { internalError } from '../common/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { InboxItem } from './stream-element.js';
import type { RestoreSource } from './checkpoint-restore.js';
import { loadNodeRestore } from './checkpoint-restore.js';
import type { StateFileRef } from './checkpoint-storage.js';
import { checkpointFolder, checkpointStore, encodeStateFile, keyedStatePrefix, referencedCheckpoints, stateFileKey } from './checkpoint-storage.js';

/** Longest stretch of work before a subtask lets other macrotasks of its thread run. */
const YIELD_AFTER_MS = 2;

/** How a subtask reports checkpoints (null in `SubtaskServices` when checkpointing is off). */
export interface SubtaskCheckpointing {
  /** The store at `execution.checkpointing.dir` and the job's folder in it. */
  readonly root: ObjectStore;
  readonly jobFolder: string;
  /** Keyed state snapshots of checkpoints (not savepoints) are incremental. */
  readonly incremental: boolean;
  /** The snapshot of one operator subtask is durable. */
  ack(report: SnapshotAck): void;
  /** This subtask could not snapshot checkpoint `id` (the coordinator aborts it). */
  decline(checkpointId: number, error: unknown): void;
  /** The subtask processed all input and waits for a final checkpoint before it closes. */
  awaitingFinal(): void;
}

export interface SnapshotAck {
  readonly checkpointId: number;
  readonly nodeId: number;
  readonly subtask: number;
  readonly file: StateFileRef;
  readonly finished: boolean;
  /** Keyed-state bytes this snapshot wrote. */
  readonly keyedBytes: number;
  /** Keyed-state bytes the snapshot lists (its own files and those it shares with earlier checkpoints). */
  readonly keyedStateBytes: number;
  /** Earlier checkpoints whose files this snapshot lists (incremental snapshots); see CheckpointMetadata. */
  readonly references: readonly number[];
  /** The operator's checkpoint report (`CheckpointedOperator.checkpointReport`), if it made one. */
  readonly report?: unknown;
  readonly alignmentMs: number;
  readonly syncMs: number;
  readonly asyncMs: number;
}

export interface SubtaskServices {
  readonly spec: JobSpec;
  readonly config: RuntimeConfig;
  readonly registry: OperatorRegistry;
  readonly checkpointing: SubtaskCheckpointing | null;
  readonly restore: RestoreSource | null;
  sendToClient(nodeId: number, subtask: number, message: unknown): void;
  /** The consumer processed one batch of `channel`. */
  returnCredit(channel: number): void;
}

export class Subtask implements DriverOwner, ContextOwner {
  readonly inbox = new Inbox();
  /** Channel id → (input index << 16 | channel index within the input). */
  private readonly channelSlots = new Map<number, number>();
  private readonly channelCounts: number[];
  private drivers: OperatorDriver[] = [];
  private output: ExchangeOutput | null = null;
  private busyCount = 0;
  private drainWaiters: (() => void)[] = [];
  private failure: FloeError | null = null;
  private cancelledFlag = false;
  private ended = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** When this subtask last let the event loop run other macrotasks (port messages, timers). */
  private lastYield = performance.now();
  backpressureWaits = 0;
  // --- checkpoints (see the module comment) ---
  /** Highest checkpoint id the coordinator triggered on this subtask. */
  private triggered = 0;
  /** Ids that are savepoints (written to `savepoint-<id>`), learnt from the trigger or the barrier. */
  private readonly savepoints = new Set<number>();
  /** Highest checkpoint id this subtask snapshotted (or gave up aligning). */
  private snapshotted = 0;
  /** The checkpoint whose barriers are being aligned, 0 when none. */
  private aligning = 0;
  private alignStartedAt = 0;
  /** Channels that delivered the barrier being aligned (they are blocked until alignment completes). */
  private readonly barrierChannels = new Set<number>();
  private readonly endedChannels = new Set<number>();
  /** Elements of blocked channels, replayed in order after the snapshot. */
  private held: InboxItem[] = [];
  private replay: InboxItem[] = [];
  /** Set once the chain ended its output while checkpointing is on: waits for the final checkpoint. */
  private awaitingFinal = false;
  private finalSnapshotId = 0;
  /** Highest checkpoint id known complete. */
  private completed = 0;
  private finalDone: (() => void) | null = null;
  /** The operators were closed after the final checkpoint; later triggers get a "finished" ack only. */
  private closedFinal = false;
  private restoredFinished = false;

  constructor(
    readonly chain: Chain,
    readonly index: number,
    private readonly services: SubtaskServices,
  ) {
    this.channelCounts = chain.inputs.map(() => 0);
  }

  get cancelled(): boolean {
    return this.cancelledFlag || this.failure !== null;
  }

  get error(): FloeError | null {
    return this.failure;
  }

  get name(): string {
    return `${this.chain.nodes.map((n) => n.name).join(' -> ')} (${this.index + 1}/${this.chain.parallelism})`;
  }

  /** Registers input channel `channel` as channel number `slot` of head input `input`. */
  addInputChannel(channel: number, input: number): void {
    const slot = this.channelCounts[input]!++;
    this.channelSlots.set(channel, (input << 16) | slot);
  }

  setOutput(output: ExchangeOutput): void {
    this.output = output;
  }

  /** Creates every operator of the chain and its driver, then opens them in chain order. */
  async open(): Promise<void> {
    const { spec, config, registry } = this.services;
    const nodes = this.chain.nodes;
    const tailOutput: StreamOutput = {
      batch: (b) => this.output!.batch(b),
      watermark: (w) => this.output!.watermark(w),
      status: (idle) => this.output!.status(idle),
      end: () => {
        this.output!.end();
        this.ended = true;
        this.clearFlushTimer();
      },
    };
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k]!;
      if (!registry.has(node.operator.type)) {
        throw internalError(`no operator registered for spec type '${node.operator.type}' (node ${node.id} ${node.name}); the bootstrap module must register it`);
      }
      let op: Operator;
      try {
        op = registry.create(node.operator, node);
      } catch (e) {
        throw this.locateNode(e, node); // e.g. a factory rejecting an unknown spec version
      }
      const ctx = new OperatorContextImpl(spec, node, this.index, this.chain.parallelism, config, this);
      const tracker = k === 0 ? (node.inputs.length === 0 ? null : new InputTracker(this.channelCounts)) : new InputTracker([1]);
      if (k === 0 && node.inputs.length === 0 && !isSourceOperator(op)) {
        throw internalError(`node ${node.id} ${node.name} has no inputs but its operator '${node.operator.type}' is not a source`);
      }
      const driver = new OperatorDriver(op, ctx, tracker, tailOutput, this);
      ctx.bind(op, driver);
      if (k > 0) this.drivers[k - 1]!.setOutput(driver);
      this.drivers.push(driver);
    }
    const restore = this.services.restore;
    if (restore !== null) {
      let allFinished = true;
      for (const d of this.drivers) {
        const r = await loadNodeRestore(restore, d.ctx.node, this.index, this.chain.parallelism, d.ctx.maxParallelism, d.ctx.keyGroupRange).catch((e: unknown) => {
          throw this.locate(e, d);
        });
        if (r === null) {
          allFinished = false;
          continue;
        }
        allFinished &&= r.finished;
        d.ctx.installRestored(r);
      }
      this.restoredFinished = allFinished;
    }
    if (this.services.checkpointing !== null) for (const d of this.drivers) d.deferClose = true;
    for (const d of this.drivers) {
      try {
        d.markOpening();
        await d.op.open(d.ctx);
      } catch (e) {
        throw this.locate(e, d);
      }
    }
  }

  /** Runs until the chain ended, the subtask was cancelled, or it failed (rejects with the FloeError). */
  async run(): Promise<void> {
    const head = this.drivers[0]!;
    if (this.restoredFinished) {
      // Finished before the checkpoint: nothing is run again; downstream learns at once that it ended.
      for (const d of this.drivers) d.markRestoredFinished();
      this.output!.end();
      this.ended = true;
    } else if (this.chain.nodes[0]!.inputs.length === 0 && isSourceOperator(head.op)) await this.runSource(head, head.op);
    else await this.runInputs(head);
    if (this.failure === null && this.ended && this.services.checkpointing !== null && !this.cancelled) await this.awaitFinalCheckpoint();
    if (this.failure !== null) throw this.failure;
  }

  /**
   * With checkpointing, a subtask whose input is exhausted keeps its operators open until a checkpoint
   * that snapshotted it as finished completes: that checkpoint's notification commits what its sinks
   * wrote last (Flink's final checkpoint), and only then are the operators closed.
   */
  private async awaitFinalCheckpoint(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finalDone = resolve));
    this.awaitingFinal = true;
    this.services.checkpointing!.awaitingFinal();
    // A trigger that arrived while the last input was processed has no barrier coming any more.
    if (this.triggered > this.snapshotted) void this.snapshotChain(this.triggered, 0);
    this.checkFinal();
    await done;
    if (this.cancelled) return;
    this.closedFinal = true;
    for (const d of this.drivers) {
      try {
        const r = d.closeDeferred();
        if (r !== undefined) await r;
      } catch (e) {
        this.fail(e, d);
        return;
      }
    }
  }

  /** Snapshot writes in flight (see `writesSettled`). */
  private readonly pendingWrites = new Set<Promise<void>>();

  /** Set by `requestEndOfInput` (stop with drain); sources read it through their context. */
  endOfInputRequested = false;

  /** Stop with drain: sources end their input now, as if every split had ended. */
  requestEndOfInput(): void {
    this.endOfInputRequested = true;
  }

  /** The coordinator triggered checkpoint `id`. */
  triggerCheckpoint(id: number, savepoint: boolean): void {
    if (savepoint) this.savepoints.add(id);
    if (id <= this.triggered || this.cancelled) return;
    this.triggered = id;
    // Finished subtasks get no barriers any more: they snapshot on the trigger itself.
    if (this.awaitingFinal || this.closedFinal) void this.snapshotChain(id, 0);
    // Sources inject the barrier at their next `backpressure()`; other subtasks wait for barriers.
  }

  /**
   * Checkpoint `id` completed: operators are notified in chain order (serialised with their other calls),
   * each with the checkpoint reports of its node's subtasks (`reports`, by node id).
   */
  notifyCheckpointComplete(id: number, reports?: Readonly<Record<number, readonly unknown[]>>): void {
    if (this.cancelled || id <= this.completed) return;
    this.completed = id;
    if (this.closedFinal) return;
    for (const d of this.drivers) d.pushNotifyComplete(id, reports?.[d.ctx.node.id]);
    this.checkFinal();
  }

  /** Releases a subtask waiting for its final checkpoint once that checkpoint completed and was notified. */
  private checkFinal(): void {
    if (!this.awaitingFinal || this.finalSnapshotId === 0 || this.completed < this.finalSnapshotId) return;
    void Promise.resolve(this.drainedOrFailed()).then(() => {
      const f = this.finalDone;
      this.finalDone = null;
      f?.();
    });
  }

  /** Checkpoint `id` was aborted: stop aligning it and let blocked input flow again. */
  abortCheckpoint(id: number): void {
    this.savepoints.delete(id);
    if (this.aligning === id) this.endAlignment();
    if (id > this.snapshotted) this.snapshotted = id;
  }

  /**
   * Snapshots every operator of the chain for checkpoint `id` (the chain must be drained or about to be:
   * the snapshot events queue behind earlier work), then emits the barrier downstream unless the chain
   * ended, and writes the state files in the background before acknowledging.
   */
  private async snapshotChain(id: number, alignmentMs: number): Promise<void> {
    const cp = this.services.checkpointing!;
    if (id <= this.snapshotted) return;
    this.snapshotted = id;
    const savepoint = this.savepoints.delete(id);
    const store = checkpointStore(cp.root, cp.jobFolder, id, savepoint);
    let snaps: (DriverSnapshot | null)[];
    if (this.closedFinal) {
      snaps = this.drivers.map(() => ({ checkpointId: id, finished: true, operatorState: null, keyedOperatorState: null, timers: null, keyed: null, report: undefined, syncMs: 0 }));
    } else {
      const folder = checkpointFolder(id, savepoint);
      const incremental = cp.incremental && !savepoint;
      for (const d of this.drivers) d.pushSnapshot(id, store, keyedStatePrefix(d.ctx.node.id, this.index), { checkpointId: id, savepoint, incremental, folder });
      await this.drainedOrFailed();
      if (this.cancelled) return;
      snaps = this.drivers.map((d) => d.lastSnapshot);
    }
    if (snaps.some((x) => x === null || x.checkpointId !== id)) {
      cp.decline(id, internalError(`subtask ${this.name} produced no snapshot for checkpoint ${id}`));
      return;
    }
    if (!this.ended) this.output!.barrier(id, savepoint);
    if (snaps.every((x) => x!.finished)) this.finalSnapshotId = id;
    const writeStarted = performance.now();
    const writing = (async () => {
      for (let k = 0; k < this.drivers.length; k++) {
        const d = this.drivers[k]!;
        const snap = snaps[k]!;
        const keyed = snap.keyed === null ? null : await snap.keyed;
        const bytes = encodeStateFile({
          format: 'floe.operator-state',
          checkpointId: id,
          nodeId: d.ctx.node.id,
          subtask: this.index,
          finished: snap.finished,
          keyed,
          timers: snap.timers,
          operatorState: snap.operatorState,
          keyedOperatorState: snap.keyedOperatorState,
        });
        const key = stateFileKey(d.ctx.node.id, this.index);
        await store.put(key, bytes);
        cp.ack({
          checkpointId: id,
          nodeId: d.ctx.node.id,
          subtask: this.index,
          file: { key, size: bytes.length, crc32: new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 4, true) },
          finished: snap.finished,
          keyedBytes: keyed === null ? 0 : (keyed.writtenBytes ?? keyed.totalBytes),
          keyedStateBytes: keyed?.totalBytes ?? 0,
          references: keyed === null ? [] : referencedCheckpoints(keyed),
          ...(snap.report === undefined ? {} : { report: snap.report }),
          alignmentMs,
          syncMs: snap.syncMs,
          asyncMs: performance.now() - writeStarted,
        });
      }
    })().catch((e: unknown) => cp.decline(id, e));
    this.pendingWrites.add(writing);
    void writing.then(() => this.pendingWrites.delete(writing));
  }

  /**
   * Resolves once no snapshot of this subtask is still being written. A job's `done` waits for it (in the
   * calling thread), so nothing writes into the checkpoint folder after the job ended.
   */
  writesSettled(): Promise<void> {
    return Promise.all([...this.pendingWrites]).then(() => undefined);
  }

  /** A source chain between batches: inject the barrier of a pending trigger. */
  private sourceCheckpoint(): Promise<void> | undefined {
    if (this.services.checkpointing === null || this.triggered <= this.snapshotted || this.cancelled) return undefined;
    return this.snapshotChain(this.triggered, 0);
  }

  /** A barrier (or the end) arrived on a channel: snapshot once every open channel delivered the barrier. */
  private async onBarrier(channel: number, id: number): Promise<void> {
    if (id <= this.snapshotted) return; // from a checkpoint this subtask already gave up or finished
    // A barrier of an older checkpoint than the one being aligned belongs to an aborted checkpoint: it must
    // not count as this channel's barrier for the newer one.
    if (this.aligning !== 0 && id < this.aligning) return;
    if (id > this.aligning) {
      if (this.aligning !== 0) this.endAlignment(); // a newer checkpoint overtook an aborted one
      this.aligning = id;
      this.alignStartedAt = performance.now();
      if (id > this.triggered) this.triggered = id;
    }
    this.barrierChannels.add(channel);
    await this.completeAlignmentIfReady();
  }

  private async completeAlignmentIfReady(): Promise<void> {
    if (this.aligning === 0) return;
    for (const ch of this.channelSlots.keys()) {
      if (!this.barrierChannels.has(ch) && !this.endedChannels.has(ch)) return;
    }
    const id = this.aligning;
    const alignmentMs = performance.now() - this.alignStartedAt;
    await this.snapshotChain(id, alignmentMs);
    this.endAlignment();
  }

  private endAlignment(): void {
    this.aligning = 0;
    this.barrierChannels.clear();
    if (this.held.length > 0) {
      this.replay = this.held.concat(this.replay);
      this.held = [];
    }
  }

  private async runSource(head: OperatorDriver, source: SourceOperator): Promise<void> {
    try {
      await source.run(head.ctx);
    } catch (e) {
      this.fail(e, head);
      return;
    }
    if (this.cancelled) return;
    await this.drainedOrFailed();
    if (this.cancelled) return;
    try {
      const r = head.finishSource();
      if (r !== undefined) await r;
    } catch (e) {
      this.fail(e, head);
      return;
    }
    await this.drainedOrFailed();
    if (!this.ended && !this.cancelled) this.fail(internalError('source chain drained without ending its output'), head);
  }

  private async runInputs(head: OperatorDriver): Promise<void> {
    if (this.channelCounts.some((n) => n === 0)) {
      head.pushStart();
      await this.drainedOrFailed();
    }
    const output = this.output!;
    while (!this.ended && !this.cancelled) {
      let item = this.replay.length > 0 ? this.replay.shift()! : this.inbox.poll();
      if (item === null) {
        output.flush();
        item = await this.inbox.take();
        if (item === null) break;
      }
      if (this.aligning !== 0 && this.barrierChannels.has(item.channel)) {
        // Aligning: this channel already delivered the barrier, so what follows belongs to the next
        // checkpoint and must wait until the snapshot is taken (whichever way the element arrived).
        this.held.push(item);
        continue;
      }
      const w = output.whenWritable();
      if (w !== undefined) {
        this.backpressureWaits++;
        await w;
        if (this.cancelled) break;
      }
      const slot = this.channelSlots.get(item.channel);
      if (slot === undefined) {
        this.fail(internalError(`subtask ${this.name} received an element for unknown channel ${item.channel}`), head);
        break;
      }
      const input = slot >>> 16;
      const channel = slot & 0xffff;
      const el = item.element;
      switch (el.kind) {
        case 'batch':
          head.pushBatch(input, channel, el.batch);
          break;
        case 'watermark':
          head.pushWatermark(input, channel, el.watermark);
          break;
        case 'status':
          head.pushStatus(input, channel, el.idle);
          break;
        case 'end':
          this.endedChannels.add(item.channel);
          head.pushEnd(input, channel);
          if (this.aligning !== 0) {
            if (this.busyCount > 0) await this.drainedOrFailed();
            await this.completeAlignmentIfReady();
          }
          break;
        case 'barrier':
          if (this.services.checkpointing !== null) {
            if (this.busyCount > 0) await this.drainedOrFailed();
            if (el.savepoint) this.savepoints.add(el.id);
            await this.onBarrier(item.channel, el.id);
          }
          break;
      }
      if (this.busyCount > 0) await this.drainedOrFailed();
      if (el.kind === 'batch' && this.failure === null) this.services.returnCredit(item.channel);
      const y = this.fairYield();
      if (y !== undefined) await y;
    }
  }

  /**
   * Work chained through promises that are already resolved runs as microtasks and would starve the
   * event loop: MessagePort deliveries (data from other workers, credits), timers and other subtasks of
   * this thread waiting on them. After `YIELD_AFTER_MS` of uninterrupted work a subtask yields once.
   */
  private fairYield(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.lastYield < YIELD_AFTER_MS) return undefined;
    this.lastYield = now;
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** SourceContext.backpressure: the chain drained and every outgoing channel has credit. */
  backpressure(): Promise<void> | void {
    const cp = this.sourceCheckpoint();
    if (cp !== undefined) return cp.then(() => this.backpressure());
    const output = this.output!;
    const w = output.whenWritable();
    if (this.busyCount === 0 && w === undefined) return this.fairYield();
    if (w !== undefined) this.backpressureWaits++;
    return (async () => {
      await this.drainedOrFailed();
      let next = output.whenWritable();
      while (next !== undefined && !this.cancelled) {
        await next;
        next = output.whenWritable();
      }
      this.lastYield = performance.now();
    })();
  }

  sendToClient(nodeId: number, subtask: number, message: unknown): void {
    this.services.sendToClient(nodeId, subtask, message);
  }

  /** Output channels ask for a flush within the buffer timeout when rows start waiting. */
  armFlush = (): void => {
    if (this.flushTimer !== null || this.ended) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (!this.cancelled) this.output?.flush();
    }, this.services.config.bufferTimeoutMs);
  };

  busyStarted(): void {
    this.busyCount++;
  }

  busyEnded(): void {
    if (--this.busyCount === 0) {
      const ws = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of ws) w();
    }
  }

  fail(error: unknown, driver: OperatorDriver | null): void {
    if (this.failure !== null) return;
    this.failure = driver ? this.locate(error, driver) : toTaskError(error, null);
    this.shutdown();
  }

  cancel(): void {
    if (this.cancelledFlag) return;
    this.cancelledFlag = true;
    this.shutdown();
    const f = this.finalDone;
    this.finalDone = null;
    f?.();
  }

  /** Closes every operator not closed yet (after cancellation or failure). */
  async closeAll(): Promise<void> {
    for (const d of this.drivers) await d.closeQuietly();
  }

  snapshots(): SubtaskMetricsSnapshot[] {
    const last = this.drivers.length - 1;
    return this.drivers.map((d, k) =>
      d.snapshot({
        maxInFlightBatches: k === last && this.output ? this.output.maxInFlight() : 0,
        backpressureWaits: k === 0 ? this.backpressureWaits : 0,
        maxInboxDepth: k === 0 ? this.inbox.maxDepth : 0,
      }),
    );
  }

  private shutdown(): void {
    this.clearFlushTimer();
    this.inbox.close();
    this.output?.release();
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  /** Resolves when no driver is busy, or at once if the subtask failed or was cancelled. */
  private drainedOrFailed(): Promise<void> | void {
    if (this.busyCount === 0 || this.cancelled) return;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private locate(error: unknown, driver: OperatorDriver): FloeError {
    return this.locateNode(error, driver.ctx.node);
  }

  private locateNode(error: unknown, node: NodeSpec): FloeError {
    return toTaskError(error, { nodeId: node.id, nodeName: node.name, subtask: this.index, parallelism: this.chain.parallelism });
  }
}
