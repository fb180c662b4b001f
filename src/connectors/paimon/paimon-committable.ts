/**
 * What a Paimon writer hands its committer: one row `(checkpoint_id BIGINT, files BYTES)` per writer and
 * checkpoint, `files` being the manifest entries of the data files the writer prepared, encoded as a
 * Paimon manifest (Avro: lossless for every field the commit writes, and a compact, cloneable value that
 * crosses any exchange). `checkpoint_id` -1 marks files written at the end of the writer's input (see
 * src/spec/lake-sink-specs.ts).
 */
import { decodeManifest, encodeManifest, type ManifestEntry } from '../../lake/index.js';
import { Types, type RecordBatch, type RowType } from '../../types/index.js';

export const COMMITTABLE_TYPE: RowType = {
  fields: [
    { name: 'checkpoint_id', type: Types.bigint(false) },
    { name: 'files', type: Types.bytes(false) },
  ],
};

/** Checkpoint id of files written at the end of input: they go with the next checkpoint (or batch commit). */
export const END_OF_INPUT_CHECKPOINT = -1;

export function committableBatch(checkpointId: number, entries: readonly ManifestEntry[]): RecordBatch {
  const ids = new Float64Array(1);
  ids[0] = checkpointId;
  return { numRows: 1, kinds: null, columns: [{ data: ids, nulls: null }, { data: [encodeManifest(entries)], nulls: null }] };
}

/** Row `row` of a committable batch as (checkpoint id, manifest bytes). */
export function readCommittable(batch: RecordBatch, row: number): { checkpointId: number; files: Uint8Array } {
  return { checkpointId: (batch.columns[0]!.data as Float64Array)[row]!, files: (batch.columns[1]!.data as unknown[])[row] as Uint8Array };
}

export function decodeCommittable(files: Uint8Array, tableName: string): ManifestEntry[] {
  return decodeManifest(files, `committable of '${tableName}'`);
}
