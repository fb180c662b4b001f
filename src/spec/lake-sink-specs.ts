/**
 * Specs of the Paimon (lake) sink topology. A Paimon table is written as Flink's Paimon sink does it:
 * writers in parallel and one committer, so each checkpoint becomes one snapshot.
 *
 *   input ─forward─▶ [lake-bucket-assign] ─hash(partition columns, _bucket)─▶ lake-writer (×n) ─global─▶ lake-committer (×1)
 *
 * - `lake-bucket-assign` (primary-key tables only; chained with its input) appends the Paimon bucket of
 *   each row as a last `INT NOT NULL` column, so the exchange hands every (partition, bucket) to exactly
 *   one writer: two writers never write one bucket, and the bucket's sequence numbers come from one
 *   counter. Append tables skip it (their writers may share buckets, as in Paimon). For a dynamic-bucket
 *   table (`bucket` = -1) the bucket is not known before the hash index is consulted, so the column holds
 *   a routing channel instead (key hash mod DYNAMIC_BUCKET_CHANNELS): every row of a key still reaches one
 *   writer, and the writer assigns the bucket (writer i of P owns buckets b with b mod P = i).
 * - `lake-writer` drops that column (`bucketColumn`), buffers rows and, at each checkpoint barrier
 *   (before forwarding it) or at the end of its input, writes them as data files and emits one
 *   committable row `(checkpoint_id BIGINT, files BYTES)`: the files' manifest entries, encoded as a
 *   Paimon manifest. `checkpoint_id` is -1 for files written at the end of the input: they belong to the
 *   next checkpoint the committer takes (the final one), or, without checkpoints, to the one batch commit.
 * - `lake-committer` gathers the committables and, when a checkpoint completed, commits that
 *   checkpoint's files as one APPEND snapshot whose commit identifier is the checkpoint id, under a
 *   commit user kept in its checkpoint (so a replay after recovery is recognised and skipped).
 *   Without checkpoints it commits everything once at the end of its input. It emits nothing.
 *   With `overwrite` (`INSERT OVERWRITE`, batch jobs only: they take no checkpoints) that one commit is
 *   an OVERWRITE snapshot replacing the overwritten partitions (src/lake/table-overwrite.ts).
 */
import type { JsonValue } from '../expr/index.js';
import type { RowType } from '../types/index.js';
import type { ChangelogMode } from './job-spec.js';

export interface LakeBucketAssignSpec {
  readonly type: 'lake-bucket-assign';
  readonly version: 1;
  readonly tableName: string;
  /** The sink table's connector options (`path` locates the table). */
  readonly options: Readonly<Record<string, string>>;
}

export interface LakeWriterSpec {
  readonly type: 'lake-writer';
  readonly version: 1;
  readonly tableName: string;
  readonly options: Readonly<Record<string, string>>;
  /** The table's physical columns (the input's first columns). */
  readonly schema: RowType;
  readonly inputMode: ChangelogMode;
  /** Index of the `_bucket` column appended by `lake-bucket-assign`, or null when there is none. */
  readonly bucketColumn: number | null;
}

export interface LakeCommitterSpec {
  readonly type: 'lake-committer';
  readonly version: 1;
  readonly tableName: string;
  readonly options: Readonly<Record<string, string>>;
  /**
   * Present for `INSERT OVERWRITE` (absent, as in specs written before it existed, for INSERT INTO).
   * `staticPartition`: the values of `PARTITION (k = v, …)` by column name, each encoded as an expression
   * literal of the column's type (`encodeLiteral`); empty without a PARTITION clause. Whether the
   * partitions written or all matching ones are replaced is the table's `dynamic-partition-overwrite`.
   */
  readonly overwrite?: { readonly staticPartition: Readonly<Record<string, JsonValue>> };
}
