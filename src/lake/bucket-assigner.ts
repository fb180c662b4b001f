/**
 * Paimon's bucket of each row of a batch, for routing rows to the writer that owns their bucket before
 * they are written (Flink's Paimon sink partitions its input by (partition, bucket) the same way, so two
 * writers never write one bucket and sequence numbers within a bucket come from one counter).
 *
 * The bucket is `bucketOfRow` over the BinaryRow of the bucket key (`bucket-key`, else the primary key
 * minus partition keys, else all columns), exactly as `PaimonTableWrite` files the row; bucket-unaware
 * append tables (`bucket` = -1) put every row in bucket 0.
 */
import { getValue, type RecordBatch } from '../types/index.js';
import { BinaryRowWriter } from './binary-row.js';
import { bucketOfRow } from './bucket-hash.js';
import type { PaimonTable } from './paimon-table.js';
import { WriteLayout } from './table-write.js';

export class PaimonBucketAssigner {
  private readonly layout: WriteLayout;
  private readonly writer: BinaryRowWriter;

  constructor(table: PaimonTable) {
    this.layout = new WriteLayout(table);
    this.writer = new BinaryRowWriter(this.layout.bucketIdx.length);
  }

  /** Fixed bucket count, or -1 for bucket-unaware append tables. */
  get numBuckets(): number {
    return this.layout.numBuckets;
  }

  /** The bucket of every row of `batch` (columns in table-schema order). */
  assign(batch: RecordBatch): Int32Array {
    const out = new Int32Array(batch.numRows);
    const L = this.layout;
    if (L.numBuckets <= 0) return out;
    const w = this.writer;
    const idx = L.bucketIdx;
    const types = L.bucketTypes;
    const cols = batch.columns;
    for (let r = 0; r < batch.numRows; r++) {
      w.reset();
      for (let b = 0; b < idx.length; b++) w.set(b, getValue(cols[idx[b]!]!, r, types[b]!), types[b]!);
      out[r] = bucketOfRow(w.bytes(), L.numBuckets);
    }
    return out;
  }
}
