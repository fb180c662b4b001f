/**
 * One operator subtask: the operator, its context, its input bookkeeping and its timers, driven by
 * events (batches, watermarks, idle status and end markers per input channel, and due processing-time
 * timers).
 *
 * Serialisation: the operator contract promises that a call returning a Promise is awaited before the
 * next call into the same operator. Events therefore run one at a time: when an event's work returns a
 * Promise, later events queue behind it. The synchronous path (an operator that returns nothing) queues
 * nothing and allocates nothing per batch beyond the event record, so a chain of synchronous operators
 * is a chain of direct calls. The subtask counts busy drivers to know when a chain has drained.
 *
 * Event-time order of work when the combined watermark advances to W: due event-time timers (timestamp
 * <= W, in timestamp then key order, repeatedly while firing registers more due timers), then
 * `processWatermark(W)`. At end of input: `endInput(i)` as each input ends; when all ended, every
 * remaining event-time timer fires, `processWatermark(+Infinity)` (unless already delivered), timers
 * registered by that fire, pending processing-time timers are dropped, the operator is closed, and its
 * output ends.
 */
import type { RecordBatch } from '../types/index.js';
import type { CheckpointedOperator, Operator, TimerOperator } from './operator.js';
import type { KeyedStateSnapshot, SnapshotOptions } from '../state/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { TimersSnapshot } from './timer-service.js';
import type { StreamOutput } from './exchange-output.js';
import type { InputTracker } from './input-tracker.js';
import type { OperatorContextImpl } from './operator-context.js';
import type { SubtaskMetricsSnapshot } from './metrics.js';

const BATCH = 0;
const WATERMARK = 1;
const STATUS = 2;
const END = 3;
const PROC_TIMERS = 4;
const START = 5;
const SNAPSHOT = 6;
const NOTIFY = 7;

class DriverEvent {
  constructor(
    readonly kind: number,
    readonly input: number,
    readonly channel: number,
    readonly batch: RecordBatch | null,
    readonly value: number,
  ) {}
}

/** What a driver needs from its subtask. */
export interface DriverOwner {
  busyStarted(): void;
  busyEnded(): void;
  fail(error: unknown, driver: OperatorDriver): void;
}

type Step = void | Promise<void>;

/** What a driver captured at a checkpoint barrier; the keyed files may still be being written. */
export interface DriverSnapshot {
  readonly checkpointId: number;
  readonly finished: boolean;
  readonly operatorState: readonly unknown[] | null;
  readonly keyedOperatorState: readonly (readonly [string, unknown])[] | null;
  readonly timers: TimersSnapshot | null;
  readonly keyed: Promise<KeyedStateSnapshot> | null;
  /** The operator's `checkpointReport` (undefined when it has none). */
  readonly report: unknown;
  readonly syncMs: number;
}

function isPromise(r: unknown): r is Promise<void> {
  return r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function';
}

/** Runs `next` after `r` (synchronously when `r` is not a promise). */
function then(r: Step, next: () => Step): Step {
  return isPromise(r) ? r.then(next) : next();
}

export class OperatorDriver implements StreamOutput {
  private readonly queue: DriverEvent[] = [];
  private busy = false;
  private finished = false;
  private closed = false;
  private lastProcessedWatermark = -Infinity;
  private lastOutWatermark = -Infinity;
  private outIdle = false;
  private opening = false;
  /** With checkpointing, the operator stays open after its input ended until the final checkpoint. */
  deferClose = false;
  private snapshotTarget: { id: number; store: ObjectStore; prefix: string; options: SnapshotOptions } | null = null;
  /** The result of the last SNAPSHOT event (taken by the subtask once the chain drained). */
  lastSnapshot: DriverSnapshot | null = null;
  /** Checkpoint reports of queued completion notifications, by checkpoint id. */
  private readonly notifyReports = new Map<number, readonly unknown[]>();
  recordsIn = 0;
  recordsOut = 0;
  batchesIn = 0;
  batchesOut = 0;

  constructor(
    readonly op: Operator,
    readonly ctx: OperatorContextImpl,
    /** Null for a source (no inputs). */
    private readonly tracker: InputTracker | null,
    private output: StreamOutput,
    private readonly owner: DriverOwner,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** The runtime is about to call `open`: from now on `close` is owed to the operator. */
  markOpening(): void {
    this.opening = true;
  }

  /** Output of this operator (the next driver or the exchanges); settable while wiring a chain. */
  setOutput(output: StreamOutput): void {
    this.output = output;
  }

  // --- input side: StreamOutput of the previous chained operator, channel 0 of input 0 ----------------

  batch(batch: RecordBatch): void {
    this.push(new DriverEvent(BATCH, 0, 0, batch, 0));
  }
  watermark(watermark: number): void {
    this.push(new DriverEvent(WATERMARK, 0, 0, null, watermark));
  }
  status(idle: boolean): void {
    this.push(new DriverEvent(STATUS, 0, 0, null, idle ? 1 : 0));
  }
  end(): void {
    this.push(new DriverEvent(END, 0, 0, null, 0));
  }

  // --- input side for a chain head: elements from exchange channels ---------------------------------

  pushBatch(input: number, channel: number, batch: RecordBatch): void {
    this.push(new DriverEvent(BATCH, input, channel, batch, 0));
  }
  pushWatermark(input: number, channel: number, watermark: number): void {
    this.push(new DriverEvent(WATERMARK, input, channel, null, watermark));
  }
  pushStatus(input: number, channel: number, idle: boolean): void {
    this.push(new DriverEvent(STATUS, input, channel, null, idle ? 1 : 0));
  }
  pushEnd(input: number, channel: number): void {
    this.push(new DriverEvent(END, input, channel, null, 0));
  }
  /** Handles inputs that have no channels at all (e.g. a `global` edge into subtask > 0). */
  pushStart(): void {
    this.push(new DriverEvent(START, 0, 0, null, 0));
  }
  /**
   * Snapshot at checkpoint `id`, queued behind earlier events so it sees exactly what came before the
   * barrier. Keyed state goes under `prefix` in `store`; the result lands in `lastSnapshot`.
   */
  pushSnapshot(id: number, store: ObjectStore, prefix: string, options: SnapshotOptions): void {
    this.snapshotTarget = { id, store, prefix, options };
    this.push(new DriverEvent(SNAPSHOT, 0, 0, null, id));
  }
  /** Checkpoint `id` completed everywhere; `reports` are the reports of this operator's subtasks. */
  pushNotifyComplete(id: number, reports: readonly unknown[] | undefined): void {
    if (reports !== undefined) this.notifyReports.set(id, reports);
    this.push(new DriverEvent(NOTIFY, 0, 0, null, id));
  }
  /** Called by the timer service's clock. */
  processingTimersDue(): void {
    this.push(new DriverEvent(PROC_TIMERS, 0, 0, null, 0));
  }

  // --- output side, called through the operator's context -------------------------------------------

  emit(batch: RecordBatch): void {
    if (this.closed || batch.numRows === 0) return;
    // A source that emits is active again (as in Flink): downstream must count its watermark before
    // these rows arrive, or they could be late there.
    if (this.outIdle && this.tracker === null) this.emitStatus(false);
    this.recordsOut += batch.numRows;
    this.batchesOut++;
    this.output.batch(batch);
  }

  emitWatermark(watermark: number): void {
    if (this.closed || !(watermark > this.lastOutWatermark)) return;
    if (this.outIdle && this.tracker === null) this.emitStatus(false);
    this.lastOutWatermark = watermark;
    this.output.watermark(watermark);
  }

  /** Source idleness (`SourceContext.markIdle`) or a derived idle status. */
  emitStatus(idle: boolean): void {
    if (this.closed || idle === this.outIdle) return;
    this.outIdle = idle;
    this.output.status(idle);
  }

  /** A source's `run` resolved: +Infinity watermark, close, end of output. */
  finishSource(): Step {
    if (this.finished) return;
    this.finished = true;
    if (this.outIdle) this.emitStatus(false);
    this.emitWatermark(Infinity);
    if (this.deferClose) return this.output.end();
    return then(this.closeOperator(), () => this.output.end());
  }

  snapshot(extra: { maxInFlightBatches: number; backpressureWaits: number; maxInboxDepth: number }): SubtaskMetricsSnapshot {
    return {
      nodeId: this.ctx.node.id,
      subtask: this.ctx.subtaskIndex,
      recordsIn: this.recordsIn,
      recordsOut: this.recordsOut,
      batchesIn: this.batchesIn,
      batchesOut: this.batchesOut,
      watermark: this.tracker === null ? this.lastOutWatermark : this.tracker.watermark,
      maxInFlightBatches: extra.maxInFlightBatches,
      backpressureWaits: extra.backpressureWaits,
      maxInboxDepth: extra.maxInboxDepth,
      counters: this.ctx.metricGroup.countersSnapshot(),
      gauges: this.ctx.metricGroup.gaugesSnapshot(),
    };
  }

  /**
   * Closes the operator if the normal end-of-input path did not (cancellation, failure). Never throws:
   * a close failure during shutdown is logged, the original outcome stands.
   */
  async closeQuietly(): Promise<void> {
    if (this.closed) return;
    if (!this.opening) {
      this.closed = true; // never opened: nothing to release
      return;
    }
    try {
      await this.closeOperator();
    } catch (e) {
      this.ctx.log('warn', `close failed during shutdown: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.closed = true;
  }

  // --- event loop -----------------------------------------------------------------------------------

  private push(ev: DriverEvent): void {
    if (this.closed) return;
    if (this.busy) {
      this.queue.push(ev);
      return;
    }
    let r: Step;
    try {
      r = this.execute(ev);
    } catch (e) {
      this.owner.fail(e, this);
      return;
    }
    if (isPromise(r)) {
      this.busy = true;
      this.owner.busyStarted();
      r.then(this.resume, this.onError);
    }
  }

  private readonly resume = (): void => {
    while (this.queue.length > 0) {
      const ev = this.queue.shift()!;
      if (this.closed) break;
      let r: Step;
      try {
        r = this.execute(ev);
      } catch (e) {
        this.onError(e);
        return;
      }
      if (isPromise(r)) {
        r.then(this.resume, this.onError);
        return;
      }
    }
    this.queue.length = 0;
    this.busy = false;
    this.owner.busyEnded();
  };

  private readonly onError = (e: unknown): void => {
    this.queue.length = 0;
    this.owner.fail(e, this);
    // Stay "busy" from the subtask's view until it fails the whole chain; release the count so waiters wake.
    this.busy = false;
    this.owner.busyEnded();
  };

  private execute(ev: DriverEvent): Step {
    switch (ev.kind) {
      case BATCH: {
        const b = ev.batch!;
        this.recordsIn += b.numRows;
        this.batchesIn++;
        return this.op.processBatch(ev.input, b);
      }
      case WATERMARK:
        this.tracker!.setWatermark(ev.input, ev.channel, ev.value);
        return this.afterInputChange();
      case STATUS:
        this.tracker!.setIdle(ev.input, ev.channel, ev.value === 1);
        return this.afterInputChange();
      case END: {
        const tracker = this.tracker!;
        if (!tracker.setEnded(ev.input, ev.channel)) return this.afterInputChange();
        const r = this.op.endInput?.(ev.input);
        return then(r, () => this.afterInputChange());
      }
      case START: {
        const tracker = this.tracker!;
        let r: Step = undefined;
        for (let i = 0; i < tracker.inputCount; i++) {
          if (!tracker.inputEnded(i)) continue;
          const input = i;
          r = then(r, () => this.op.endInput?.(input));
        }
        return then(r, () => this.afterInputChange());
      }
      case PROC_TIMERS:
        return this.fireProcessingTimers();
      case SNAPSHOT:
        return this.takeSnapshot(ev.value);
      case NOTIFY:
        // The state backend first: an incremental one builds its next snapshot on this checkpoint.
        this.ctx.keyedStateIfCreated?.notifyCheckpointComplete?.(ev.value);
        const reports = this.notifyReports.get(ev.value);
        this.notifyReports.delete(ev.value);
        return (this.op as CheckpointedOperator).notifyCheckpointComplete?.(ev.value, reports);
      default:
        return;
    }
  }

  private takeSnapshot(id: number): Step {
    const started = performance.now();
    const op = this.op as CheckpointedOperator;
    if (op.prepareSnapshotPreBarrier === undefined || this.finished) return this.snapshotState(id, started);
    return then(op.prepareSnapshotPreBarrier(id), () => this.snapshotState(id, started));
  }

  private snapshotState(id: number, started: number): Step {
    const op = this.op as CheckpointedOperator;
    const entries = op.snapshotOperatorState?.(id);
    const complete = (operatorState: readonly unknown[] | null): void => {
      const target = this.snapshotTarget!;
      // A finished operator is never run again: its keyed state and timers are not needed on restore.
      const finished = this.finished;
      const backend = finished ? null : this.ctx.keyedStateIfCreated;
      this.lastSnapshot = {
        checkpointId: id,
        finished,
        operatorState,
        keyedOperatorState: finished ? null : (op.snapshotKeyedOperatorState?.() ?? null),
        timers: finished ? null : (this.ctx.timerService?.snapshot() ?? null),
        keyed: backend === null ? null : backend.snapshot(target.store, target.prefix, target.options),
        report: finished ? undefined : op.checkpointReport?.(id),
        syncMs: performance.now() - started,
      };
    };
    if (entries !== undefined && isPromise(entries)) return (entries as Promise<readonly unknown[]>).then((e) => complete(e));
    complete((entries as readonly unknown[] | undefined) ?? null);
  }

  /**
   * The subtask was restored as finished: its input was all processed before the checkpoint, so the
   * operator is only opened (to commit restored transactions) and closed; snapshots say "finished".
   */
  markRestoredFinished(): void {
    this.finished = true;
  }

  /** Closes the operator after the final checkpoint (deferred close); errors propagate. */
  closeDeferred(): Step {
    return this.closeOperator();
  }

  private afterInputChange(): Step {
    if (this.finished) return;
    const tracker = this.tracker!;
    const wasIdle = tracker.isIdle;
    const wm = tracker.advance();
    if (tracker.isIdle !== wasIdle) this.emitStatus(tracker.isIdle);
    if (tracker.allEnded()) return this.finish();
    if (wm === wm) return this.advanceWatermark(wm);
  }

  private advanceWatermark(wm: number): Step {
    this.ctx.timerService?.advanceWatermark(wm);
    return then(this.fireEventTimers(), () => {
      this.lastProcessedWatermark = wm;
      return this.op.processWatermark(wm);
    });
  }

  private fireEventTimers(): Step {
    const timers = this.ctx.timerService;
    if (timers === null || timers.pendingEventTimers === 0) return;
    const keys: string[] = [];
    const times: number[] = [];
    timers.dueEventTimers(keys, times);
    if (keys.length === 0) return;
    const r = (this.op as TimerOperator).onTimers('event-time', keys, times);
    // Firing may register more timers that are already due: fire those too before moving on.
    return then(r, () => this.fireEventTimers());
  }

  private fireProcessingTimers(): Step {
    const timers = this.ctx.timerService;
    if (timers === null || this.finished || this.closed) return;
    const keys: string[] = [];
    const times: number[] = [];
    timers.dueProcessingTimers(this.ctx.processingTime(), keys, times);
    if (keys.length === 0) return;
    return (this.op as TimerOperator).onTimers('processing-time', keys, times);
  }

  private finish(): Step {
    if (this.finished) return;
    this.finished = true;
    this.ctx.timerService?.advanceWatermark(Infinity);
    let r = this.fireEventTimers();
    if (this.lastProcessedWatermark < Infinity) {
      r = then(r, () => {
        this.lastProcessedWatermark = Infinity;
        return this.op.processWatermark(Infinity);
      });
      r = then(r, () => this.fireEventTimers());
    }
    if (!this.deferClose) r = then(r, () => this.closeOperator());
    return then(r, () => {
      if (this.outIdle) this.emitStatus(false);
      this.output.end();
    });
  }

  private closeOperator(): Step {
    if (this.closed) return;
    const dropped = this.ctx.timerService?.close() ?? 0;
    if (dropped > 0) this.ctx.metricGroup.counter('droppedProcessingTimeTimers').inc(dropped);
    const r = this.op.close();
    // Closed from here on: later emits (e.g. from a stray async callback) are ignored, not sent.
    return then(r, () => {
      this.closed = true;
      return this.ctx.disposeState();
    });
  }
}
