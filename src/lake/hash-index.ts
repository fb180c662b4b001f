/**
 * Paimon's HASH index files (`index/index-<uuid>-<n>`, index type `HASH`): the key hashes of one
 * (partition, bucket) of a dynamic-bucket table (`bucket` = -1), as a bare sequence of big-endian int32
 * values (Java's `DataOutputStream.writeInt`), no header. The index manifest entry's `rowCount` is the
 * number of hashes. A key's hash is the `BinaryRow` hash of its trimmed primary key (`hashBytesByWords`
 * over the row bytes, the same function fixed buckets take modulo the bucket count).
 *
 * A hash occurs in at most one bucket file of a partition: the dynamic bucket assigner keeps the bucket a
 * hash got first (`dynamic-bucket-index.ts`).
 */
import { ioError } from '../common/index.js';

export const HASH_INDEX_TYPE = 'HASH';

/** Decodes a hash index file; `what` names it in errors. */
export function readHashIndex(bytes: Uint8Array, what: string): Int32Array {
  if ((bytes.length & 3) !== 0) throw ioError('LAKE.CORRUPT_FILE', `hash index file ${what} is ${bytes.length} bytes long, not a multiple of 4`);
  const n = bytes.length >>> 2;
  const out = new Int32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, false);
  return out;
}

/** Encodes the first `count` hashes (default all) as a hash index file. */
export function writeHashIndex(hashes: Int32Array, count = hashes.length): Uint8Array {
  const out = new Uint8Array(count * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) view.setInt32(i * 4, hashes[i]!, false);
  return out;
}
