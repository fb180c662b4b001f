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
    const h1 = murmur3String(key, 0x9747b28c);
    const h2 = murmur3String(key, 0x5bd1e995) | 1;
    for (let i = 0; i < this.probes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const b = bit % m;
      this.bits[b >>> 3]! |= 1 << (b & 7);
    }
  }

  mayContain(key: string): boolean {
    const m = this.bits.length * 8;
    const h1 = murmur3String(key, 0x9747b28c);
    const h2 = murmur3String(key, 0x5bd1e995) | 1;
    for (let i = 0; i < this.probes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const b = bit % m;
      if ((this.bits[b >>> 3]! & (1 << (b & 7))) === 0) return false;
    }
    return true;
  }
}
