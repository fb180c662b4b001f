/**
 * Metrics: per operator subtask counters kept where the work happens, snapshotted periodically (workers
 * post snapshots to the coordinator) and aggregated per node for `JobHandle.metrics()`.
 */
import type { OperatorMetrics } from './operator.js';

/** One operator subtask's numbers at one moment (plain data: it crosses threads). */
export interface SubtaskMetricsSnapshot {
  readonly nodeId: number;
  readonly subtask: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly batchesIn: number;
  readonly batchesOut: number;
  /** Combined input watermark (sources: last emitted watermark); -Infinity before the first. */
  readonly watermark: number;
  /** Largest number of batches in flight seen on any outgoing exchange channel of this subtask. */
  readonly maxInFlightBatches: number;
  /** Times this subtask waited for downstream credit before taking more input (backpressure). */
  readonly backpressureWaits: number;
  /** Largest number of elements waiting in this subtask's inbox (chain heads only). */
  readonly maxInboxDepth: number;
  readonly counters: Readonly<Record<string, number>>;
  readonly gauges: Readonly<Record<string, number>>;
}

export interface NodeMetrics {
  readonly nodeId: number;
  readonly name: string;
  readonly parallelism: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly batchesIn: number;
  readonly batchesOut: number;
  /** Minimum over subtasks of their watermark (-Infinity while any subtask has none). */
  readonly watermark: number;
  readonly recordsInPerSecond: number;
  readonly recordsOutPerSecond: number;
  readonly maxInFlightBatches: number;
  readonly backpressureWaits: number;
  readonly maxInboxDepth: number;
  /** Operator counters summed over subtasks. */
  readonly counters: Readonly<Record<string, number>>;
  /** Operator gauges summed over subtasks. */
  readonly gauges: Readonly<Record<string, number>>;
}

export interface JobMetrics {
  readonly elapsedMs: number;
  readonly nodes: readonly NodeMetrics[];
}

/** Counters and gauges of one operator subtask. */
export class OperatorMetricGroup implements OperatorMetrics {
  private readonly counters = new Map<string, { value: number; inc(n?: number): void }>();
  private readonly gauges = new Map<string, () => number>();

  counter(name: string): { inc(n?: number): void } {
    let c = this.counters.get(name);
    if (c === undefined) {
      const cell = {
        value: 0,
        inc(n = 1): void {
          cell.value += n;
        },
      };
      c = cell;
      this.counters.set(name, c);
    }
    return c;
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  countersSnapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, c] of this.counters) out[k] = c.value;
    return out;
  }

  gaugesSnapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, read] of this.gauges) {
      try {
        out[k] = read();
      } catch {
        out[k] = NaN; // a broken gauge must not fail the job or the metrics report
      }
    }
    return out;
  }
}

/** Aggregates the latest subtask snapshots per node; rates come from the previous aggregation. */
export class MetricsAggregator {
  private readonly latest = new Map<string, SubtaskMetricsSnapshot>();
  private previous: { atMs: number; inByNode: Map<number, number>; outByNode: Map<number, number> } | null = null;
  private rates = new Map<number, { inRate: number; outRate: number }>();

  constructor(
    private readonly nodes: readonly { readonly id: number; readonly name: string; readonly parallelism: number }[],
    private readonly startedAtMs: number,
  ) {}

  update(snapshots: readonly SubtaskMetricsSnapshot[]): void {
    for (const s of snapshots) this.latest.set(s.nodeId + '/' + s.subtask, s);
  }

  aggregate(nowMs: number): JobMetrics {
    const byNode = new Map<number, SubtaskMetricsSnapshot[]>();
    for (const s of this.latest.values()) {
      let list = byNode.get(s.nodeId);
      if (!list) byNode.set(s.nodeId, (list = []));
      list.push(s);
    }
    const inByNode = new Map<number, number>();
    const outByNode = new Map<number, number>();
    const nodes = this.nodes.map((node): NodeMetrics => {
      const subs = byNode.get(node.id) ?? [];
      let recordsIn = 0, recordsOut = 0, batchesIn = 0, batchesOut = 0, maxInFlight = 0, waits = 0, inbox = 0;
      let watermark = subs.length === node.parallelism ? Infinity : -Infinity;
      const counters: Record<string, number> = {};
      const gauges: Record<string, number> = {};
      for (const s of subs) {
        recordsIn += s.recordsIn;
        recordsOut += s.recordsOut;
        batchesIn += s.batchesIn;
        batchesOut += s.batchesOut;
        maxInFlight = Math.max(maxInFlight, s.maxInFlightBatches);
        inbox = Math.max(inbox, s.maxInboxDepth);
        waits += s.backpressureWaits;
        if (s.watermark < watermark) watermark = s.watermark;
        for (const [k, v] of Object.entries(s.counters)) counters[k] = (counters[k] ?? 0) + v;
        for (const [k, v] of Object.entries(s.gauges)) gauges[k] = (gauges[k] ?? 0) + v;
      }
      inByNode.set(node.id, recordsIn);
      outByNode.set(node.id, recordsOut);
      const rate = this.rates.get(node.id);
      return {
        nodeId: node.id,
        name: node.name,
        parallelism: node.parallelism,
        recordsIn,
        recordsOut,
        batchesIn,
        batchesOut,
        watermark,
        recordsInPerSecond: rate?.inRate ?? 0,
        recordsOutPerSecond: rate?.outRate ?? 0,
        maxInFlightBatches: maxInFlight,
        backpressureWaits: waits,
        maxInboxDepth: inbox,
        counters,
        gauges,
      };
    });
    // Rates over the interval since the previous aggregation at least 100 ms ago (smooths bursts).
    if (this.previous === null || nowMs - this.previous.atMs >= 100) {
      if (this.previous !== null) {
        const dt = (nowMs - this.previous.atMs) / 1000;
        const next = new Map<number, { inRate: number; outRate: number }>();
        for (const node of this.nodes) {
          next.set(node.id, {
            inRate: ((inByNode.get(node.id) ?? 0) - (this.previous.inByNode.get(node.id) ?? 0)) / dt,
            outRate: ((outByNode.get(node.id) ?? 0) - (this.previous.outByNode.get(node.id) ?? 0)) / dt,
          });
        }
        this.rates = next;
      }
      this.previous = { atMs: nowMs, inByNode, outByNode };
    }
    return { elapsedMs: nowMs - this.startedAtMs, nodes };
  }
}
