/**
 * Window aggregation (spec `window-aggregate`, Flink's WindowAggregate over TUMBLE / HOP / CUMULATE).
 *
 * Two implementations behind one operator, chosen from the spec when the operator is built:
 * - `SlicedWindowAggregate` (event time): each row updates one slice accumulator and windows merge their
 *   slices when they fire, with no timers (Flink's slicing window operators). Used whenever merging slices
 *   gives exactly the per-window result: always for TUMBLE (and HOP with slide = size, CUMULATE with
 *   step = size: one slice per window), otherwise when every aggregate merges exactly.
 * - `PerWindowAggregate`: one accumulator and one timer per (key, window). Used for processing-time
 *   windows, HOP with slide > size (slices outside every window), and multi-slice windows with an
 *   aggregate whose merge is not exact: DISTINCT (a distinct view cannot be merged from accumulators),
 *   FIRST_VALUE / LAST_VALUE / LISTAGG (arrival order across slices would differ), and SUM / AVG /
 *   variance over FLOAT / DOUBLE (merging partial sums rounds differently from one running sum).
 *
 * Both emit the same rows, per fired window end ascending: group keys, aggregates, window_start,
 * window_end, window_time (= window_end − 1). Within a window the sliced one emits keys in arrival order
 * and the per-window one in encoded-key order (its timers'). Output is insert-only.
 */
import type { CheckpointedOperator, OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { WindowAggregateSpec } from '../../spec/index.js';
import type { RecordBatch } from '../../types/index.js';
import { SliceAssigner } from '../window/slice-assigner.js';
import { mergesExactly } from './create-aggregate-function.js';
import { PerWindowAggregate } from './per-window-aggregate.js';
import { SlicedWindowAggregate } from './sliced-window-aggregate.js';

/** Whether `spec` runs on slices (see the module comment). */
export function usesSlicing(spec: WindowAggregateSpec): boolean {
  if (spec.procTime) return false;
  const w = spec.window;
  if (w.kind === 'HOP' && w.slide > w.size) return false;
  return new SliceAssigner(w).slicesPerWindow === 1 || spec.aggregates.every(mergesExactly);
}

export class WindowAggregateOperator implements TimerOperator, CheckpointedOperator {
  private readonly impl: SlicedWindowAggregate | PerWindowAggregate;

  constructor(readonly spec: WindowAggregateSpec) {
    this.impl = usesSlicing(spec) ? new SlicedWindowAggregate(spec) : new PerWindowAggregate(spec);
  }

  open(ctx: OperatorContext): void {
    this.impl.open(ctx);
  }

  processBatch(input: number, batch: RecordBatch): Promise<void> {
    return this.impl.processBatch(input, batch);
  }

  prepareSnapshotPreBarrier(checkpointId: number): Promise<void> | void {
    return this.impl instanceof SlicedWindowAggregate ? this.impl.prepareSnapshotPreBarrier(checkpointId) : undefined;
  }

  snapshotKeyedOperatorState(): readonly (readonly [string, unknown])[] {
    return this.impl.snapshotKeyedOperatorState();
  }

  onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> | void {
    return this.impl.onTimers(domain, keys, timestamps);
  }

  processWatermark(watermark: number): Promise<void> | void {
    return this.impl.processWatermark(watermark);
  }

  endInput(): Promise<void> | void {
    return this.impl instanceof PerWindowAggregate ? this.impl.endInput() : undefined;
  }

  close(): void {
    this.impl.close();
  }
}
