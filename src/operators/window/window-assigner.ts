/**
 * Assigns timestamps to TUMBLE / HOP / CUMULATE windows (epoch ms, `[start, end)`), with Flink's offset
 * rule: `start = ts - ((ts - offset) mod size)`, where mod is the non-negative remainder so timestamps
 * before the epoch (or before the offset) land in the window that contains them.
 *
 * Lateness follows Flink's slicing window operators: a row belongs to one *slice* (TUMBLE: its window;
 * HOP: a pane of gcd(size, slide); CUMULATE: a step), and it is late when its slice has fired, i.e.
 * `sliceEnd - 1 <= watermark`. Then every window still open that contains the slice ends after the
 * watermark too, so a row is either fully on time or fully late.
 */
import { userError } from '../../common/index.js';
import type { WindowSpec } from '../../spec/index.js';

/** Start of the window of `size` (with `offset`) containing `ts`. */
export function windowStart(ts: number, size: number, offset: number): number {
  const rem = (ts - offset) % size;
  return rem < 0 ? ts - (rem + size) : ts - rem;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class WindowAssigner {
  /** Upper bound of windows per row (sizes the scratch arrays). */
  readonly maxWindowsPerRow: number;
  private readonly sliceSize: number;

  constructor(readonly spec: WindowSpec) {
    const bad = (what: string): never => {
      throw userError('OPERATOR.INVALID_WINDOW', `invalid ${spec.kind} window: ${what}`);
    };
    if (!(spec.size > 0) || !Number.isInteger(spec.size)) bad(`size must be a positive number of milliseconds, got ${spec.size}`);
    switch (spec.kind) {
      case 'TUMBLE':
        this.maxWindowsPerRow = 1;
        this.sliceSize = spec.size;
        break;
      case 'HOP':
        if (!(spec.slide > 0) || !Number.isInteger(spec.slide)) bad(`slide must be a positive number of milliseconds, got ${spec.slide}`);
        this.maxWindowsPerRow = Math.ceil(spec.size / spec.slide);
        this.sliceSize = gcd(spec.size, spec.slide);
        break;
      case 'CUMULATE':
        if (!(spec.step > 0) || spec.size % spec.step !== 0) bad(`size (${spec.size} ms) must be a multiple of step (${spec.step} ms)`);
        this.maxWindowsPerRow = spec.size / spec.step;
        this.sliceSize = spec.step;
        break;
    }
  }

  /** End of the slice containing `ts` (see the lateness rule above). */
  sliceEnd(ts: number): number {
    return windowStart(ts, this.sliceSize, this.spec.offset) + this.sliceSize;
  }

  /**
   * Writes the windows containing `ts` into `starts`/`ends` from index 0, ordered by start then end
   * (both at least `maxWindowsPerRow` long); returns how many.
   */
  assign(ts: number, starts: Float64Array, ends: Float64Array): number {
    const spec = this.spec;
    switch (spec.kind) {
      case 'TUMBLE': {
        const s = windowStart(ts, spec.size, spec.offset);
        starts[0] = s;
        ends[0] = s + spec.size;
        return 1;
      }
      case 'HOP': {
        const last = windowStart(ts, spec.slide, spec.offset);
        let first = last;
        while (first - spec.slide > ts - spec.size) first -= spec.slide;
        let n = 0;
        for (let s = first; s <= last; s += spec.slide) {
          starts[n] = s;
          ends[n] = s + spec.size;
          n++;
        }
        return n;
      }
      case 'CUMULATE': {
        const period = windowStart(ts, spec.size, spec.offset);
        const periodEnd = period + spec.size;
        let n = 0;
        for (let e = windowStart(ts, spec.step, spec.offset) + spec.step; e <= periodEnd; e += spec.step) {
          starts[n] = period;
          ends[n] = e;
          n++;
        }
        return n;
      }
    }
  }
}
