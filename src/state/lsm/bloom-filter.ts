/**
 * A per-file bloom filter over primary keys (lsm-keys.ts): a point read or map scan skips a file whose
 * filter says the key is absent. Double hashing (Kirsch–Mitzenmacher) from two murmur3 seeds; 10 bits per
 * key and 7 probes give about 1% false positives.
 */
import { murmur3String } from '../key-codec.js';

export const BLOOM_BITS_PER_KEY = 10;
export const BLOOM_PROBES = 7;

export class BloomFilter {
  constructor(
    readonly bits: Uint8Array,
    readonly probes: number,
  ) {}

  /** A filter sized for `keys` holding all of them. */
  static build(keys: readonly string[], bitsPerKey = BLOOM_BITS_PER_KEY, probes = BLOOM_PROBES): BloomFilter {
    const nBytes = Math.max(8, Math.ceil((keys.length * bitsPerKey) / 8));
    const f = new BloomFilter(new Uint8Array(nBytes), probes);
    for (const k of keys) f.add(k);
    return f;
  }

  add(key: string): void {
    const m = this.bits.length * 8;
    const h1 = bloomHash1(key);
    const h2 = bloomHash2(key);
    for (let i = 0; i < this.probes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const b = bit % m;
      this.bits[b >>> 3]! |= 1 << (b & 7);
    }
  }

  mayContain(key: string): boolean {
    return this.mayContainHashed(bloomHash1(key), bloomHash2(key));
  }

  /**
   * `mayContain` for a key whose hashes (`bloomHash1`, `bloomHash2`) the caller computed once: a lookup
   * checks the same key against the filter of every run it descends through.
   */
  mayContainHashed(h1: number, h2: number): boolean {
    const m = this.bits.length * 8;
    for (let i = 0; i < this.probes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const b = bit % m;
      if ((this.bits[b >>> 3]! & (1 << (b & 7))) === 0) return false;
    }
    return true;
  }
}

export function bloomHash1(key: string): number {
  return murmur3String(key, 0x9747b28c);
}

export function bloomHash2(key: string): number {
  return murmur3String(key, 0x5bd1e995) | 1;
}
