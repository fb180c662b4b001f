/**
 * Paimon's bucket of each row of a batch, for routing rows to the writer that owns their bucket before
 * they are written (Flink's Paimon sink partitions its input by (partition, bucket) the same way, so two
 * writers never write one bucket and sequence numbers within a bucket come from one counter).
 *
 * The bucket is `bucketOfRow` over the BinaryRow of the bucket key (`bucket-key`, else the primary key
 * minus partition keys, else all columns), exactly as `PaimonTableWrite` files the row; bucket-unaware
 * append tables (`bucket` = -1) put every row in bucket 0.
 *
 * Dynamic-bucket primary-key tables (`bucket` = -1): a key's bucket lives in the table's hash index and
 * is assigned by the writer (`dynamic-bucket-index.ts`), so this gives a routing channel instead: the key
 * hash modulo `DYNAMIC_BUCKET_CHANNELS`. Routing by (partition, channel) sends every row of a key to the
 * same writer — Paimon's shuffle by (partition, key hash) to its assigners — whatever the parallelism, and
 * the channel count is fixed so a writer's checkpointed state keys stay valid across rescaling.
 */
import { getValue, type RecordBatch } from '../types/index.js';
import { BinaryRowWriter } from './binary-row.js';
import { bucketOfHash, bucketOfRow, hashBytesByWords } from './bucket-hash.js';
import type { PaimonTable } from './paimon-table.js';
import { WriteLayout } from './table-write.js';

/** Routing channels per partition of a dynamic-bucket table (Floe's default maximum parallelism). */
export const DYNAMIC_BUCKET_CHANNELS = 128;

/** The routing channel of a key hash of a dynamic-bucket table. */
export function dynamicBucketChannel(keyHash: number): number {
  return bucketOfHash(keyHash, DYNAMIC_BUCKET_CHANNELS);
}

export class PaimonBucketAssigner {
  private readonly layout: WriteLayout;
  private readonly writer: BinaryRowWriter;

  constructor(table: PaimonTable) {
    this.layout = new WriteLayout(table);
    this.writer = new BinaryRowWriter(this.layout.bucketIdx.length);
  }

  /** Fixed bucket count, or -1 for bucket-unaware append tables and dynamic-bucket tables. */
  get numBuckets(): number {
    return this.layout.numBuckets;
  }

  /** True for a dynamic-bucket table: `assign` gives routing channels, not buckets. */
  get dynamic(): boolean {
    return this.layout.dynamic;
  }

  /** The bucket (or, dynamic buckets, routing channel) of every row of `batch` (columns in table-schema order). */
  assign(batch: RecordBatch): Int32Array {
    const out = new Int32Array(batch.numRows);
    const L = this.layout;
    if (L.numBuckets <= 0 && !L.dynamic) return out;
    const w = this.writer;
    const idx = L.bucketIdx;
    const types = L.bucketTypes;
    const cols = batch.columns;
    const dynamic = L.dynamic;
    for (let r = 0; r < batch.numRows; r++) {
      w.reset();
      for (let b = 0; b < idx.length; b++) w.set(b, getValue(cols[idx[b]!]!, r, types[b]!), types[b]!);
      out[r] = dynamic ? dynamicBucketChannel(hashBytesByWords(w.bytes())) : bucketOfRow(w.bytes(), L.numBuckets);
    }
    return out;
  }
}
