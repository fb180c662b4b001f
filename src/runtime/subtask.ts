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
import type { DriverOwner } from './operator-driver.js';
import type { ExchangeOutput, StreamOutput } from './exchange-output.js';
import type { RuntimeConfig } from './runtime-config.js';
import type { SubtaskMetricsSnapshot } from './metrics.js';
import { toTaskError } from './error-transport.js';
import type { FloeError } from '../common/index.js';
import { internalError } from '../common/index.js';

/** Longest stretch of work before a subtask lets other macrotasks of its thread run. */
const YIELD_AFTER_MS = 2;

export interface SubtaskServices {
  readonly spec: JobSpec;
  readonly config: RuntimeConfig;
  readonly registry: OperatorRegistry;
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
    if (this.chain.nodes[0]!.inputs.length === 0 && isSourceOperator(head.op)) await this.runSource(head, head.op);
    else await this.runInputs(head);
    if (this.failure !== null) throw this.failure;
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
      let item = this.inbox.poll();
      if (item === null) {
        output.flush();
        item = await this.inbox.take();
        if (item === null) break;
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
          head.pushEnd(input, channel);
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
