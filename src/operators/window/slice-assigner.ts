/**
 * Slices for TUMBLE / HOP / CUMULATE windows, as Flink's SliceAssigners define them: the time axis is cut
 * into non-overlapping slices (TUMBLE: the window itself; HOP: panes of gcd(size, slide); CUMULATE: the
 * step), each row belongs to exactly one slice, and a window is the union of consecutive slices
 * (HOP: size / gcd of them; CUMULATE: the slices from the period start up to the window end).
 *
 * All functions work on slice and window *ends* (epoch ms, exclusive), which are aligned to the offset:
 * `end ≡ offset (mod sliceSize)`. Invariant: every window end is a slice end, and a slice belongs to a
 * window iff `windowStartOf(e) < sliceEnd <= e`.
 */
import type { WindowSpec } from '../../spec/index.js';
import { WindowAssigner, windowStart } from './window-assigner.js';

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

export class SliceAssigner {
  readonly sliceSize: number;
  /** How many slices one window spans (1 for TUMBLE: no merging is ever needed). */
  readonly slicesPerWindow: number;
  /**
   * CUMULATE: the windows of a period share its start, so once window w fired, the period's slices up to
   * w are only ever needed merged together (no slice ending at or before w can still receive rows).
   */
  readonly sharesWindowStart: boolean;
  private readonly kind: WindowSpec['kind'];
  private readonly size: number;
  /** Distance between consecutive window ends of one key: slide (HOP), step (CUMULATE), size (TUMBLE). */
  private readonly hop: number;
  private readonly offset: number;
  /** Window ends are aligned to this (HOP: starts are aligned to the offset, so ends to offset + size). */
  private readonly endOffset: number;

  constructor(spec: WindowSpec) {
    // Validates the spec with the same errors as the window TVF.
    void new WindowAssigner(spec);
    this.kind = spec.kind;
    this.size = spec.size;
    this.offset = spec.offset;
    this.endOffset = spec.kind === 'HOP' ? spec.offset + spec.size : spec.offset;
    this.sharesWindowStart = spec.kind === 'CUMULATE';
    switch (spec.kind) {
      case 'TUMBLE':
        this.sliceSize = spec.size;
        this.hop = spec.size;
        this.slicesPerWindow = 1;
        break;
      case 'HOP':
        this.sliceSize = gcd(spec.size, spec.slide);
        this.hop = spec.slide;
        this.slicesPerWindow = spec.size / this.sliceSize;
        break;
      case 'CUMULATE':
        this.sliceSize = spec.step;
        this.hop = spec.step;
        this.slicesPerWindow = spec.size / spec.step;
        break;
    }
  }

  /** End of the slice containing `ts`. */
  sliceEnd(ts: number): number {
    return windowStart(ts, this.sliceSize, this.offset) + this.sliceSize;
  }

  /** The first (smallest) end of a window containing the slice ending at `sliceEnd`. */
  firstWindowEnd(sliceEnd: number): number {
    // The smallest window end >= sliceEnd (TUMBLE and CUMULATE: the slice end itself).
    return windowStart(sliceEnd - 1, this.hop, this.endOffset) + this.hop;
  }

  /**
   * The window end following `windowEnd` that still contains the slice ending at `sliceEnd`, or NaN
   * when `windowEnd` is the last window containing it.
   */
  nextWindowEnd(sliceEnd: number, windowEnd: number): number {
    const next = windowEnd + this.hop;
    switch (this.kind) {
      case 'TUMBLE':
        return NaN;
      case 'HOP':
        // Window [next - size, next) contains the slice iff its start is before the slice's start.
        return next - this.size <= sliceEnd - this.sliceSize ? next : NaN;
      case 'CUMULATE':
        // Windows of one period share its start: the slice's period ends at its last window.
        return windowStart(sliceEnd - 1, this.size, this.offset) === windowStart(next - 1, this.size, this.offset) ? next : NaN;
    }
  }

  /** Start of the window ending at `windowEnd`. */
  windowStartOf(windowEnd: number): number {
    return this.kind === 'CUMULATE' ? windowStart(windowEnd - 1, this.size, this.offset) : windowEnd - this.size;
  }

  /**
   * Slices ending at or before the returned bound are needed by no window ending after `windowEnd`
   * (windows fire in end order, so they can be freed once `windowEnd` fired).
   */
  freeBound(windowEnd: number): number {
    switch (this.kind) {
      case 'TUMBLE':
        return windowEnd;
      case 'HOP':
        // The next window, [windowEnd + slide - size, windowEnd + slide), starts there.
        return windowEnd + this.hop - this.size;
      case 'CUMULATE':
        // Slices of a period are needed until the period's last window (its end) fired.
        return windowStart(windowEnd - 1, this.size, this.offset) + this.size === windowEnd ? windowEnd : -Infinity;
    }
  }
}
