/**
 * Paimon's bucket assignment for fixed-bucket tables: the bucket key is written as a `BinaryRow`, hashed
 * with `MurmurHashUtils.hashBytesByWords` (Murmur3 32-bit over little-endian 4-byte words, seed 42, no
 * tail since rows are 8-byte aligned) and the bucket is `Math.abs(hash % numBuckets)` with Java's signed
 * remainder.
 */
import { internalError } from '../common/index.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const DEFAULT_SEED = 42;

/** Murmur3 over whole 4-byte little-endian words; `bytes.length` must be a multiple of 4. */
export function hashBytesByWords(bytes: Uint8Array, seed = DEFAULT_SEED): number {
  const len = bytes.length;
  if ((len & 3) !== 0) throw internalError(`hashBytesByWords needs a multiple of 4 bytes, got ${len}`);
  let h1 = seed | 0;
  for (let i = 0; i < len; i += 4) {
    let k1 = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  h1 ^= len;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

/** `Math.abs(hash % numBuckets)` as Java computes it (the remainder keeps the dividend's sign). */
export function bucketOfHash(hash: number, numBuckets: number): number {
  return Math.abs(hash % numBuckets);
}

/** The bucket of a bucket-key BinaryRow (the row's bytes, without the arity prefix). */
export function bucketOfRow(rowBytes: Uint8Array, numBuckets: number): number {
  return bucketOfHash(hashBytesByWords(rowBytes), numBuckets);
}
