/**
 * Test-only operators for the runtime tests (registered by `bootstrap.ts` in this folder, in the calling
 * thread and in every worker). Their specs are plain objects with a `type` the real planner never emits.
 *
 * - `test-numbers` (source): rows (key BIGINT, value BIGINT, ts BIGINT) for i in [0, count) with
 *   i mod parallelism = subtask; key = i mod keyCount, value = i, ts = i * tsStep. Emits batches of
 *   `batchSize` and a watermark (max ts - lag) after each batch. Options: `failAfterBatches` (throws a
 *   FloeError TEST.SOURCE_FAILED), `unbounded` (keeps emitting until cancelled), `idleSubtasks` (those
 *   subtasks mark themselves idle, emit nothing and end once `waitForSignal` is signalled), `waitForSignal`
 *   (without idle subtasks: after the first batch, waits until `signal(name)` is called in this thread).
 * - `test-pass` (one input): forwards batches and watermarks; `failAtBatch` throws TEST.BOOM.
 * - `test-keyed-count` (hash input by key): tumbling event-time windows of `windowSize` on ts; counts rows
 *   per (key, window) in keyed state; an event-time timer at window end - 1 emits (key, window_end, cnt)
 *   and clears the state. Checks that timers arrive sorted and not after the watermark, and that the
 *   runtime never calls in while an earlier call's promise is pending.
 * - `test-proc-timer`: registers a processing-time timer `delayMs` ahead for each new key, and one an
 *   hour ahead for key 'late'; sends fired timers to the client and signals 'procFired'.
 * - `test-probe` (any inputs): sends every processWatermark/endInput/close call to the client as events.
 * - `test-collect` (sink): sends each batch to the client; `slowMs` delays each batch.
 */
import { FloeError, runtimeError, internalError } from '../../common/index.js';
import { BatchBuilder, Types } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { encodeKey } from '../../state/index.js';
import type { MapState } from '../../state/index.js';
import type { NodeSpec, OperatorSpec } from '../../spec/index.js';
import type { Operator, OperatorContext, OperatorRegistry, SourceContext, SourceOperator, TimeDomain, TimerOperator } from '../operator.js';

export const NUMBERS_TYPE: RowType = {
  fields: [
    { name: 'key', type: Types.bigint(false) },
    { name: 'value', type: Types.bigint(false) },
    { name: 'ts', type: Types.bigint(false) },
  ],
};

export const COUNT_TYPE: RowType = {
  fields: [
    { name: 'key', type: Types.bigint(false) },
    { name: 'window_end', type: Types.bigint(false) },
    { name: 'cnt', type: Types.bigint(false) },
  ],
};

const waiters = new Map<string, { promise: Promise<void>; resolve: () => void }>();
function signalSlot(name: string): { promise: Promise<void>; resolve: () => void } {
  let slot = waiters.get(name);
  if (!slot) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    slot = { promise, resolve };
    waiters.set(name, slot);
  }
  return slot;
}
export function signal(name: string): void {
  signalSlot(name).resolve();
}
export function resetSignals(): void {
  waiters.clear();
}

type Opts = Record<string, unknown>;

const num = (o: Opts, k: string, d: number): number => (typeof o[k] === 'number' ? (o[k] as number) : d);

class NumbersSource implements SourceOperator {
  constructor(private readonly o: Opts) {}
  open(): void {}
  processBatch(): void {
    throw internalError('a source gets no batches');
  }
  processWatermark(): void {}
  close(): void {}

  async run(ctx: SourceContext): Promise<void> {
    const count = num(this.o, 'count', 100);
    const batchSize = num(this.o, 'batchSize', 10);
    const keyCount = num(this.o, 'keyCount', 5);
    const tsStep = num(this.o, 'tsStep', 1);
    const lag = num(this.o, 'lag', 0);
    const failAfter = num(this.o, 'failAfterBatches', -1);
    const idle = (this.o['idleSubtasks'] as number[] | undefined) ?? [];
    const waitFor = this.o['waitForSignal'] as string | undefined;
    const p = ctx.parallelism;
    if (idle.includes(ctx.subtaskIndex)) {
      // Idle until released (or cancelled), then emit nothing and end.
      ctx.markIdle(true);
      if (waitFor !== undefined) {
        let released = false;
        const slot = signalSlot(waitFor);
        void slot.promise.then(() => (released = true));
        while (!released && !ctx.cancelled) await new Promise((r) => setTimeout(r, 2));
      }
      return;
    }
    let batches = 0;
    let i = ctx.subtaskIndex;
    const b = new BatchBuilder(NUMBERS_TYPE, batchSize);
    for (;;) {
      if (ctx.cancelled) return;
      if (!this.o['unbounded'] && i >= count) break;
      let maxTs = -Infinity;
      while (b.numRows < batchSize && (this.o['unbounded'] || i < count)) {
        b.appendRow([i % keyCount, i, i * tsStep]);
        maxTs = Math.max(maxTs, i * tsStep);
        i += p;
      }
      ctx.emit(b.finish());
      ctx.emitWatermark(maxTs - lag);
      batches++;
      if (batches === failAfter) throw runtimeError('TEST.SOURCE_FAILED', `source failed after ${batches} batches`);
      if (waitFor !== undefined && batches === 1 && idle.length === 0) await signalSlot(waitFor).promise;
      await ctx.backpressure();
      if (this.o['unbounded']) await new Promise((r) => setImmediate(r));
    }
  }
}

class PassOperator implements Operator {
  private ctx!: OperatorContext;
  private batches = 0;
  constructor(private readonly o: Opts) {}
  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }
  processBatch(_input: number, batch: RecordBatch): void {
    this.batches++;
    if (this.batches === num(this.o, 'failAtBatch', -1)) {
      throw new FloeError('user', 'TEST.BOOM', `boom at batch ${this.batches} in subtask ${this.ctx.subtaskIndex}`, { help: 'this is a test' });
    }
    if (this.o['plainError'] && this.batches === 1) throw new TypeError('plain failure');
    this.ctx.emit(batch);
  }
  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }
  close(): void {}
}

/**
 * State: per partition key (the hash-exchange key, so it lands in this subtask's key groups) a map
 * window_end → count. Timer: (partition key, window_end - 1).
 */
class KeyedCountOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private state!: MapState<number>;
  private size = 10;
  constructor(private readonly o: Opts) {}
  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.size = num(this.o, 'windowSize', 10);
    this.state = ctx.keyedState().mapState<number>({ name: 'counts' });
    ctx.metrics().gauge('keys', () => ctx.keyedState().approximateKeyCount());
  }
  /** The runtime must never call in while an earlier call's promise is pending. */
  private inCall = false;
  private enter(): void {
    if (this.inCall) throw internalError('the runtime called the operator while a previous call was pending');
    this.inCall = true;
  }
  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    this.enter();
    try {
      await this.process(batch);
    } finally {
      this.inCall = false;
    }
  }
  private async process(batch: RecordBatch): Promise<void> {
    const keys = batch.columns[0]!.data as Float64Array;
    const ts = batch.columns[2]!.data as Float64Array;
    const wm = this.ctx.timers().currentWatermark();
    // Aggregate the batch per (key, window) first, then one batched read and write.
    const delta = new Map<string, { key: string; window: string; end: number; n: number }>();
    for (let r = 0; r < batch.numRows; r++) {
      const end = Math.floor(ts[r]! / this.size) * this.size + this.size;
      if (end - 1 <= wm) {
        this.ctx.metrics().counter('lateRecords').inc();
        continue;
      }
      const key = encodeKey([keys[r]!]);
      const window = encodeKey([end]);
      const id = key + window;
      const d = delta.get(id);
      if (d) d.n++;
      else delta.set(id, { key, window, end, n: 1 });
    }
    const ds = [...delta.values()];
    const stateKeys = ds.map((d) => d.key);
    const windows = ds.map((d) => d.window);
    const old = await this.state.getEntries(stateKeys, windows);
    const next = ds.map((d, i) => {
      if (old[i] === undefined) this.ctx.timers().registerEventTimeTimer(d.key, d.end - 1);
      return (old[i] ?? 0) + d.n;
    });
    await this.state.putEntries(stateKeys, windows, next);
  }
  async onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> {
    this.enter();
    try {
      await this.fire(domain, keys, timestamps);
    } finally {
      this.inCall = false;
    }
  }
  private async fire(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time') throw internalError('unexpected processing-time timer');
    const wm = this.ctx.timers().currentWatermark();
    for (let i = 0; i < timestamps.length; i++) {
      if (timestamps[i]! > wm) throw internalError(`timer ${timestamps[i]} fired at watermark ${wm}`);
      if (i > 0 && (timestamps[i - 1]! > timestamps[i]! || (timestamps[i - 1] === timestamps[i] && keys[i - 1]! > keys[i]!))) {
        throw internalError('timers out of order');
      }
    }
    const windows = timestamps.map((t) => encodeKey([t + 1]));
    const counts = await this.state.getEntries(keys, windows);
    const b = new BatchBuilder(COUNT_TYPE, Math.max(1, keys.length));
    for (let i = 0; i < keys.length; i++) {
      const key = Number(keys[i]!.slice(1, -1)); // encodeValue(number) = \u0002 + digits + \u001f
      b.appendRow([key, timestamps[i]! + 1, counts[i] ?? 0]);
    }
    this.ctx.metrics().counter('timersFired').inc(keys.length);
    this.ctx.sendToClient({ event: 'fired', watermark: wm, timestamps: [...timestamps] });
    await this.state.putEntries(keys, windows, keys.map(() => undefined));
    this.ctx.emit(b.finish());
  }
  processWatermark(watermark: number): void {
    if (this.inCall) throw internalError('processWatermark while a call was pending');
    this.ctx.emitWatermark(watermark);
  }
  close(): void {}
}

class ProcTimerOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private readonly seen = new Set<number>();
  constructor(private readonly o: Opts) {}
  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }
  processBatch(_input: number, batch: RecordBatch): void {
    const keys = batch.columns[0]!.data as Float64Array;
    const now = this.ctx.processingTime();
    for (let r = 0; r < batch.numRows; r++) {
      if (this.seen.has(keys[r]!)) continue;
      this.seen.add(keys[r]!);
      this.ctx.timers().registerProcessingTimeTimer(String(keys[r]), now + num(this.o, 'delayMs', 1));
      this.ctx.timers().registerProcessingTimeTimer(String(keys[r]), now + num(this.o, 'delayMs', 1)); // deduplicated
      this.ctx.timers().registerProcessingTimeTimer('late', now + 3_600_000);
    }
  }
  onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): void {
    this.ctx.sendToClient({ event: 'timers', domain, keys: [...keys], timestamps: [...timestamps] });
    signal('procFired');
  }
  processWatermark(): void {}
  close(): void {}
}

class ProbeOperator implements Operator {
  private ctx!: OperatorContext;
  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }
  processBatch(input: number, batch: RecordBatch): void {
    this.ctx.sendToClient({ event: 'batch', input, rows: batch.numRows });
  }
  processWatermark(watermark: number): void {
    this.ctx.sendToClient({ event: 'watermark', watermark });
  }
  endInput(input: number): void {
    this.ctx.sendToClient({ event: 'endInput', input });
  }
  close(): void {
    this.ctx.sendToClient({ event: 'close' });
  }
}

class CollectSink implements Operator {
  private ctx!: OperatorContext;
  constructor(private readonly o: Opts) {}
  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }
  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const slow = num(this.o, 'slowMs', 0);
    if (slow > 0) await new Promise((r) => setTimeout(r, slow));
    this.ctx.sendToClient(batch);
  }
  processWatermark(): void {}
  close(): void {}
}

export function registerTestOperators(registry: OperatorRegistry): void {
  const opts = (spec: OperatorSpec): Opts => spec as unknown as Opts;
  registry.register('test-numbers', (spec) => new NumbersSource(opts(spec)));
  registry.register('test-pass', (spec) => new PassOperator(opts(spec)));
  registry.register('test-keyed-count', (spec) => new KeyedCountOperator(opts(spec)));
  registry.register('test-proc-timer', (spec) => new ProcTimerOperator(opts(spec)));
  registry.register('test-probe', () => new ProbeOperator());
  registry.register('test-collect', (spec) => new CollectSink(opts(spec)));
}

/** A test operator spec (the runtime only reads `type`; the rest are the operator's options). */
export function testSpec(type: string, options: Opts = {}): OperatorSpec {
  return { type, version: 1, ...options } as unknown as OperatorSpec;
}

/** A node of a test job. */
export function testNode(
  id: number,
  type: string,
  parallelism: number,
  inputs: NodeSpec['inputs'],
  options: Opts = {},
  outputType: RowType = NUMBERS_TYPE,
): NodeSpec {
  return { id, name: `${type}#${id}`, parallelism, inputs, outputType, changelogMode: { kind: 'insert-only' }, operator: testSpec(type, options) };
}
