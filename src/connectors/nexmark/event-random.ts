/**
 * The generator's PRNG: a 32-bit counter-based generator (Mulberry32 step) re-seeded for every event from
 * (seed, eventId), Beam style. An event's random fields therefore depend only on the seed and its id, never
 * on which split, subtask or run produced it — the property that makes every parallelism emit the same
 * events. Reseeding costs a few integer multiplications, far less than the draws an event makes.
 *
 * Not cryptographic; uniform enough for benchmark data (draws use 32 bits, or 53 for large ranges).
 */
export class EventRandom {
  private state = 0;

  /** Starts the draw sequence of event `eventId` (any integer up to 2^53) under `seed`. */
  reseed(seed: number, eventId: number): void {
    const lo = eventId >>> 0;
    const hi = Math.floor(eventId / 4294967296) >>> 0;
    let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ lo;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ hi ^ (h >>> 15), 0x846ca68b);
    h ^= h >>> 16;
    // A second round so that ids differing in one bit give unrelated streams.
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    this.state = (h ^ (h >>> 12)) | 0;
  }

  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextDouble(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^32. */
  nextInt(n: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * n);
  }

  /** Uniform integer in [0, n) for any positive n up to 2^53 (two draws above 2^32). */
  nextLong(n: number): number {
    if (n <= 4294967296) return this.nextInt(n);
    const u = (this.nextUint32() * 2097152 + (this.nextUint32() >>> 11)) / 9007199254740992;
    return Math.floor(u * n);
  }
}
