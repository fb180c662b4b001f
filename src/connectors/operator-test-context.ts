/**
 * Test helper (not used by production code): an in-memory OperatorContext/SourceContext that records what
 * an operator emits (batches, watermarks, idleness, client messages), for driving ScanOperator and
 * SinkOperator directly without the runtime.
 */
import type { JobSpec, NodeSpec, OperatorSpec } from '../spec/index.js';
import type { OperatorMetrics, SourceContext, TimerService } from '../runtime/index.js';
import type { KeyedStateBackend, KeyGroupRange } from '../state/index.js';
import { getRow, ROW_KIND_SHORT, type RecordBatch, type RowType } from '../types/index.js';

export type Emitted = { readonly kind: 'batch'; readonly batch: RecordBatch } | { readonly kind: 'watermark'; readonly watermark: number } | { readonly kind: 'idle'; readonly idle: boolean };

export class TestOperatorContext implements SourceContext {
  readonly events: Emitted[] = [];
  readonly clientMessages: unknown[] = [];
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, () => number>();
  readonly job: JobSpec;
  readonly node: NodeSpec;
  readonly maxParallelism = 128;
  readonly keyGroupRange: KeyGroupRange = { start: 0, end: 127 };
  readonly inputTypes: readonly RowType[] = [];
  cancelled = false;
  endOfInputRequested = false;
  isRestored = false;
  restoredOperatorState: readonly unknown[] | undefined = undefined;
  restoredKeyedOperatorState: readonly (readonly [string, unknown])[] | undefined = undefined;
  backpressureCalls = 0;

  constructor(
    operator: OperatorSpec,
    readonly outputType: RowType,
    readonly subtaskIndex = 0,
    readonly parallelism = 1,
    private readonly conf: Record<string, string> = {},
  ) {
    this.node = { id: 0, name: 'test', parallelism, inputs: [], outputType, changelogMode: { kind: 'insert-only' }, operator };
    this.job = { version: 1, name: 'test', config: conf, nodes: [this.node] };
  }

  config(key: string): string | undefined {
    return this.conf[key];
  }
  keyedState(): KeyedStateBackend {
    throw new Error('no keyed state in connector tests');
  }
  timers(): TimerService {
    throw new Error('no timers in connector tests');
  }
  emit(batch: RecordBatch): void {
    this.events.push({ kind: 'batch', batch });
  }
  emitWatermark(watermark: number): void {
    this.events.push({ kind: 'watermark', watermark });
  }
  processingTime(): number {
    return Date.now();
  }
  metrics(): OperatorMetrics {
    return {
      counter: (name) => ({ inc: (n = 1) => void this.counters.set(name, (this.counters.get(name) ?? 0) + n) }),
      gauge: (name, read) => void this.gauges.set(name, read),
    };
  }
  sendToClient(message: unknown): void {
    this.clientMessages.push(message);
  }
  log(): void {}
  backpressure(): void {
    this.backpressureCalls++;
  }
  markIdle(idle: boolean): void {
    this.events.push({ kind: 'idle', idle });
  }

  /** Emitted rows as `+I[…]`-style strings (values JSON-encoded, bigints as text). */
  rows(): string[] {
    const out: string[] = [];
    for (const e of this.events) {
      if (e.kind !== 'batch') continue;
      for (let r = 0; r < e.batch.numRows; r++) {
        const kind = ROW_KIND_SHORT[e.batch.kinds === null ? 0 : e.batch.kinds[r]!]!;
        out.push(kind + JSON.stringify(getRow(e.batch, r, this.outputType), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      }
    }
    return out;
  }

  watermarks(): number[] {
    return this.events.flatMap((e) => (e.kind === 'watermark' ? [e.watermark] : []));
  }
}
