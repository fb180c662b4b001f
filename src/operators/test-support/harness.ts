/**
 * Drives one operator in a test, without the runtime: a fake `OperatorContext` with keyed state on the
 * heap backend, an in-test timer service (event-time timers fire when `watermark()` passes them, before
 * `processWatermark`, as the runtime contract says; processing-time timers fire on
 * `advanceProcessingTime`), a manual processing-time clock (also the state TTL clock), counters, and the
 * emitted batches collected for `take()`.
 */
import { isTimerOperator } from '../../runtime/index.js';
import type { CheckpointedOperator, Operator, OperatorContext, OperatorMetrics, TimeDomain, TimerService } from '../../runtime/index.js';
import type { JobSpec, NodeSpec, OperatorSpec } from '../../spec/index.js';
import { createHeapKeyedStateBackend, DEFAULT_MAX_PARALLELISM } from '../../state/index.js';
import type { KeyedStateBackend } from '../../state/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { changelogBatch, changelogLines } from './changelog.js';

export interface HarnessOptions {
  readonly spec: OperatorSpec;
  readonly inputTypes: readonly RowType[];
  readonly outputType: RowType;
  readonly config?: Readonly<Record<string, string>>;
  /** Start of the manual processing-time clock (epoch ms). */
  readonly processingTime?: number;
}

class TestTimers implements TimerService {
  readonly pending: Record<TimeDomain, Map<string, { key: string; ts: number }>> = {
    'event-time': new Map(),
    'processing-time': new Map(),
  };
  watermark = -Infinity;
  registerEventTimeTimer(key: string, timestamp: number): void {
    this.pending['event-time'].set(`${timestamp}\u0000${key}`, { key, ts: timestamp });
  }
  deleteEventTimeTimer(key: string, timestamp: number): void {
    this.pending['event-time'].delete(`${timestamp}\u0000${key}`);
  }
  registerProcessingTimeTimer(key: string, timestamp: number): void {
    this.pending['processing-time'].set(`${timestamp}\u0000${key}`, { key, ts: timestamp });
  }
  deleteProcessingTimeTimer(key: string, timestamp: number): void {
    this.pending['processing-time'].delete(`${timestamp}\u0000${key}`);
  }
  currentWatermark(): number {
    return this.watermark;
  }
  /** Removes and returns the timers due at `time`, sorted by timestamp then key. */
  due(domain: TimeDomain, time: number): { key: string; ts: number }[] {
    const out: { key: string; ts: number }[] = [];
    for (const [id, t] of this.pending[domain]) {
      if (t.ts <= time) {
        out.push(t);
        this.pending[domain].delete(id);
      }
    }
    return out.sort((a, b) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

export class OperatorHarness {
  now: number;
  readonly counters = new Map<string, number>();
  readonly emittedWatermarks: number[] = [];
  readonly logs: string[] = [];
  readonly timers = new TestTimers();
  readonly state: KeyedStateBackend;
  private readonly out: RecordBatch[] = [];
  private readonly ctx: OperatorContext;

  constructor(
    readonly operator: Operator,
    private readonly options: HarnessOptions,
  ) {
    this.now = options.processingTime ?? 1_700_000_000_000;
    this.state = createHeapKeyedStateBackend({
      maxParallelism: DEFAULT_MAX_PARALLELISM,
      keyGroupRange: { start: 0, end: DEFAULT_MAX_PARALLELISM - 1 },
      clock: () => this.now,
    });
    const node: NodeSpec = {
      id: 0,
      name: options.spec.type,
      parallelism: 1,
      inputs: options.inputTypes.map(() => ({ from: 0, partitioning: { kind: 'forward' as const } })),
      outputType: options.outputType,
      changelogMode: { kind: 'retract' },
      operator: options.spec,
    };
    const job: JobSpec = { version: 1, name: 'test', config: options.config ?? {}, nodes: [node] };
    const metrics: OperatorMetrics = {
      counter: (name) => ({
        inc: (n = 1) => {
          this.counters.set(name, (this.counters.get(name) ?? 0) + n);
        },
      }),
      gauge: () => {},
    };
    this.ctx = {
      job,
      node,
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism: DEFAULT_MAX_PARALLELISM,
      keyGroupRange: { start: 0, end: DEFAULT_MAX_PARALLELISM - 1 },
      inputTypes: options.inputTypes,
      outputType: options.outputType,
      isRestored: false,
      restoredOperatorState: undefined,
      restoredKeyedOperatorState: undefined,
      config: (key) => options.config?.[key],
      keyedState: () => this.state,
      timers: () => this.timers,
      emit: (batch) => {
        this.out.push(batch);
      },
      emitWatermark: (wm) => {
        this.emittedWatermarks.push(wm);
      },
      processingTime: () => this.now,
      metrics: () => metrics,
      sendToClient: () => {},
      log: (level, message) => {
        this.logs.push(`${level}: ${message}`);
      },
    };
  }

  async open(): Promise<this> {
    await this.operator.open(this.ctx);
    return this;
  }

  /** Feeds changelog lines (or a batch) to input `input`. */
  async process(input: number, rows: readonly string[] | RecordBatch): Promise<void> {
    const batch = Array.isArray(rows) ? changelogBatch(this.options.inputTypes[input]!, rows as readonly string[]) : (rows as RecordBatch);
    await this.operator.processBatch(input, batch);
  }

  /** Advances the watermark: due event-time timers fire first, then `processWatermark`. */
  async watermark(wm: number): Promise<void> {
    this.timers.watermark = wm;
    await this.fire('event-time', wm);
    await this.operator.processWatermark(wm);
  }

  /**
   * The operator's part of checkpoint `id` as the runtime runs it: `prepareSnapshotPreBarrier`, then its
   * operator state entries (returned). Keyed state stays in `state`.
   */
  async checkpoint(id: number): Promise<readonly unknown[] | undefined> {
    const op = this.operator as CheckpointedOperator;
    await op.prepareSnapshotPreBarrier?.(id);
    return op.snapshotOperatorState?.(id);
  }

  async advanceProcessingTime(to: number): Promise<void> {
    this.now = to;
    await this.fire('processing-time', to);
  }

  async endInput(input = 0): Promise<void> {
    await this.operator.endInput?.(input);
  }

  /** End of all inputs as the runtime does it: endInput for each, then the +Infinity watermark. */
  async finish(): Promise<void> {
    for (let i = 0; i < this.options.inputTypes.length; i++) await this.endInput(i);
    await this.watermark(Infinity);
  }

  async close(): Promise<void> {
    await this.operator.close();
  }

  /** The emitted rows since the last call, as changelog lines. */
  take(): string[] {
    const lines = changelogLines(this.options.outputType, this.out);
    this.out.length = 0;
    return lines;
  }

  /** The emitted batches since the last call. */
  takeBatches(): RecordBatch[] {
    return this.out.splice(0, this.out.length);
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  private async fire(domain: TimeDomain, time: number): Promise<void> {
    if (!isTimerOperator(this.operator)) return;
    for (;;) {
      const due = this.timers.due(domain, time);
      if (due.length === 0) return;
      await this.operator.onTimers(
        domain,
        due.map((t) => t.key),
        due.map((t) => t.ts),
      );
    }
  }
}
