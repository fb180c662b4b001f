/**
 * The keyed timer service of one operator subtask (contract: `TimerService` in operator.ts).
 *
 * Event-time timers fire when the operator's watermark reaches their timestamp (timestamp <= watermark),
 * before `processWatermark` is called for that watermark; the operator driver pulls them with
 * `dueEventTimers`. Processing-time timers fire from a real clock: one `setTimeout` is armed for the
 * earliest timer and, when it elapses, the driver is asked (through `onProcessingTimeDue`) to fire every
 * processing-time timer that is due, as one batched `onTimers` call, serialised with the operator's
 * other calls.
 *
 * End of input: every event-time timer fires (the watermark becomes +Infinity); pending processing-time
 * timers are dropped without firing, as Flink does when a bounded task finishes (its timer service is
 * quiesced; see FLINK-4750 and Beam's Flink runner notes). They are counted in the operator's
 * `droppedProcessingTimeTimers` counter so the loss is visible.
 */
import type { TimerService } from './operator.js';
import { TimerHeap } from './timer-heap.js';

/** Timers of one operator subtask as kept in a checkpoint: parallel key and timestamp arrays per domain. */
export interface TimersSnapshot {
  readonly eventKeys: string[];
  readonly eventTimes: number[];
  readonly procKeys: string[];
  readonly procTimes: number[];
}

export class HeapTimerService implements TimerService {
  private readonly eventTimers = new TimerHeap();
  private readonly procTimers = new TimerHeap();
  private watermark = -Infinity;
  private armedAt = Infinity;
  private handle: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly clock: () => number,
    /** Called (from a timer callback) when processing-time timers are due. */
    private readonly onProcessingTimeDue: () => void,
  ) {}

  registerEventTimeTimer(key: string, timestamp: number): void {
    this.eventTimers.add(key, timestamp);
  }

  deleteEventTimeTimer(key: string, timestamp: number): void {
    this.eventTimers.delete(key, timestamp);
  }

  registerProcessingTimeTimer(key: string, timestamp: number): void {
    if (this.closed) return;
    this.procTimers.add(key, timestamp);
    if (timestamp < this.armedAt) this.arm();
  }

  deleteProcessingTimeTimer(key: string, timestamp: number): void {
    this.procTimers.delete(key, timestamp);
  }

  currentWatermark(): number {
    return this.watermark;
  }

  /** Sets the watermark timers are judged against (the runtime calls it before firing). */
  advanceWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
  }

  /** Event-time timers with timestamp <= the current watermark, removed and in firing order. */
  dueEventTimers(keys: string[], times: number[]): void {
    this.eventTimers.popUntil(this.watermark, keys, times);
  }

  /** Processing-time timers due at `now`, removed and in firing order; re-arms the clock for the rest. */
  dueProcessingTimers(now: number, keys: string[], times: number[]): void {
    this.procTimers.popUntil(now, keys, times);
    this.arm();
  }

  get pendingEventTimers(): number {
    return this.eventTimers.size;
  }

  get pendingProcessingTimers(): number {
    return this.procTimers.size;
  }

  /**
   * The live timers as of now. Entries are de-duplicated (a heap may hold one (key, time) twice after a
   * delete and re-add), so restoring them registers each timer once.
   */
  snapshot(): TimersSnapshot {
    const snap: TimersSnapshot = { eventKeys: [], eventTimes: [], procKeys: [], procTimes: [] };
    this.eventTimers.entries(snap.eventKeys, snap.eventTimes);
    this.procTimers.entries(snap.procKeys, snap.procTimes);
    return snap;
  }

  /** Registers restored timers whose key passes `owns` (the key groups of this subtask). */
  restore(snap: TimersSnapshot, owns: (key: string) => boolean): void {
    for (let i = 0; i < snap.eventKeys.length; i++) if (owns(snap.eventKeys[i]!)) this.registerEventTimeTimer(snap.eventKeys[i]!, snap.eventTimes[i]!);
    for (let i = 0; i < snap.procKeys.length; i++) if (owns(snap.procKeys[i]!)) this.registerProcessingTimeTimer(snap.procKeys[i]!, snap.procTimes[i]!);
  }

  /** Stops the clock and drops pending processing-time timers; returns how many were dropped. */
  close(): number {
    this.closed = true;
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
    const dropped = this.procTimers.size;
    this.procTimers.clear();
    this.eventTimers.clear();
    return dropped;
  }

  private arm(): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
    const next = this.procTimers.peekTime();
    this.armedAt = next;
    if (next === Infinity || this.closed) return;
    const delay = Math.max(0, next - this.clock());
    this.handle = setTimeout(() => {
      this.handle = null;
      this.armedAt = Infinity;
      this.onProcessingTimeDue();
    }, delay);
  }
}
