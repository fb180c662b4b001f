/**
 * Watermark, idleness and end-of-input bookkeeping for one operator subtask's inputs.
 *
 * Each input has channels (one per upstream subtask feeding this subtask; a chained operator has one
 * input with one channel). A channel is active, idle or ended and carries the last watermark it sent.
 * - An input's watermark is the minimum over its active channels; idle channels do not hold it back;
 *   an input whose channels all ended does not hold the combined watermark back either.
 * - The combined watermark is the minimum over inputs that have an active channel. When every channel that
 *   has not ended is idle, the operator is idle: the combined watermark does not move and the runtime
 *   forwards an idle status downstream.
 * - The delivered watermark only grows: a channel that becomes active again with an older watermark
 *   cannot move it back (Flink's behaviour).
 * - +Infinity is delivered only once every input ended, so `endInput` always precedes the final watermark
 *   (the contract in operator.ts), even though sources send +Infinity just before their end marker.
 */
export class InputTracker {
  private readonly wms: Float64Array[];
  private readonly idle: Uint8Array[];
  private readonly ended: Uint8Array[];
  private readonly endedCount: number[];
  private delivered = -Infinity;
  private idleNow = false;

  constructor(channelCounts: readonly number[]) {
    this.wms = channelCounts.map((n) => new Float64Array(n).fill(-Infinity));
    this.idle = channelCounts.map((n) => new Uint8Array(n));
    this.ended = channelCounts.map((n) => new Uint8Array(n));
    this.endedCount = channelCounts.map(() => 0);
  }

  get inputCount(): number {
    return this.wms.length;
  }

  /** The last combined watermark handed to the operator (-Infinity before the first). */
  get watermark(): number {
    return this.delivered;
  }

  /** Whether the operator is currently idle (all non-ended channels idle). */
  get isIdle(): boolean {
    return this.idleNow;
  }

  inputEnded(input: number): boolean {
    return this.endedCount[input] === this.wms[input]!.length;
  }

  allEnded(): boolean {
    for (let i = 0; i < this.wms.length; i++) if (!this.inputEnded(i)) return false;
    return true;
  }

  /** Records a channel watermark (older ones are ignored: a channel's watermarks only grow). */
  setWatermark(input: number, channel: number, watermark: number): void {
    const w = this.wms[input]!;
    if (watermark > w[channel]!) w[channel] = watermark;
  }

  setIdle(input: number, channel: number, idle: boolean): void {
    this.idle[input]![channel] = idle ? 1 : 0;
  }

  /** Marks a channel ended; returns true if that ended the whole input. */
  setEnded(input: number, channel: number): boolean {
    const e = this.ended[input]!;
    if (e[channel] === 1) return false;
    e[channel] = 1;
    this.endedCount[input]!++;
    return this.inputEnded(input);
  }

  /**
   * The new combined watermark to deliver, or NaN if it did not advance (or must be held back).
   * Updates the delivered value when it returns a number.
   */
  advance(): number {
    let min = Infinity;
    let anyActive = false;
    for (let i = 0; i < this.wms.length; i++) {
      const w = this.wms[i]!;
      const idle = this.idle[i]!;
      const ended = this.ended[i]!;
      for (let c = 0; c < w.length; c++) {
        if (ended[c] === 1 || idle[c] === 1) continue;
        anyActive = true;
        if (w[c]! < min) min = w[c]!;
      }
    }
    const allEnded = this.allEnded();
    this.idleNow = !anyActive && !allEnded;
    if (!anyActive && !allEnded) return NaN;
    if (min === Infinity && !allEnded) return NaN;
    if (min <= this.delivered) return NaN;
    this.delivered = min;
    return min;
  }

  /** Whether the idle status changed since the last call (and what it is now). */
  idleChanged(previous: boolean): boolean {
    return previous !== this.idleNow;
  }
}
