/**
 * What a Paimon writer hands its committer: one row `(checkpoint_id BIGINT, files BYTES)` per writer and
 * checkpoint, `files` being the manifest entries of the data files the writer prepared, encoded as a
 * Paimon manifest (Avro: lossless for every field the commit writes, and a compact, cloneable value that
 * crosses any exchange). `checkpoint_id` -1 marks files written at the end of the writer's input (see
 * src/spec/lake-sink-specs.ts).
 *
 * A writer of a dynamic-bucket table also hands over new HASH index files. Then `files` is an envelope:
 * the magic `FLIX`, the manifest's byte length (uint32 BE), the manifest, and an index manifest of the
 * index files. A plain manifest starts with Avro's `Obj\x01`, so committables without index files (and
 * those in checkpoints written before the envelope existed) keep the plain form and decode as before.
 */
import { decodeIndexManifest, decodeManifest, encodeIndexManifest, encodeManifest, type IndexManifestEntry, type ManifestEntry } from '../../lake/index.js';
import { Types, type RecordBatch, type RowType } from '../../types/index.js';

export const COMMITTABLE_TYPE: RowType = {
  fields: [
    { name: 'checkpoint_id', type: Types.bigint(false) },
    { name: 'files', type: Types.bytes(false) },
  ],
};

/** Checkpoint id of files written at the end of input: they go with the next checkpoint (or batch commit). */
export const END_OF_INPUT_CHECKPOINT = -1;

const ENVELOPE_MAGIC = [0x46, 0x4c, 0x49, 0x58]; // "FLIX"

/** A writer's files of one checkpoint: data (and changelog) files, and HASH index files. */
export interface CommittableFiles {
  readonly entries: ManifestEntry[];
  readonly indexChanges: IndexManifestEntry[];
}

export function encodeCommittableFiles(entries: readonly ManifestEntry[], indexChanges: readonly IndexManifestEntry[] = []): Uint8Array {
  const manifest = encodeManifest(entries);
  if (indexChanges.length === 0) return manifest;
  const index = encodeIndexManifest(indexChanges);
  const out = new Uint8Array(8 + manifest.length + index.length);
  out.set(ENVELOPE_MAGIC, 0);
  new DataView(out.buffer).setUint32(4, manifest.length, false);
  out.set(manifest, 8);
  out.set(index, 8 + manifest.length);
  return out;
}

export function committableBatch(checkpointId: number, entries: readonly ManifestEntry[], indexChanges: readonly IndexManifestEntry[] = []): RecordBatch {
  const ids = new Float64Array(1);
  ids[0] = checkpointId;
  return { numRows: 1, kinds: null, columns: [{ data: ids, nulls: null }, { data: [encodeCommittableFiles(entries, indexChanges)], nulls: null }] };
}

/** Row `row` of a committable batch as (checkpoint id, manifest bytes). */
export function readCommittable(batch: RecordBatch, row: number): { checkpointId: number; files: Uint8Array } {
  return { checkpointId: (batch.columns[0]!.data as Float64Array)[row]!, files: (batch.columns[1]!.data as unknown[])[row] as Uint8Array };
}

export function decodeCommittable(files: Uint8Array, tableName: string): CommittableFiles {
  const what = `committable of '${tableName}'`;
  const enveloped = files.length >= 8 && ENVELOPE_MAGIC.every((b, i) => files[i] === b);
  if (!enveloped) return { entries: decodeManifest(files, what), indexChanges: [] };
  const manifestLength = new DataView(files.buffer, files.byteOffset, files.byteLength).getUint32(4, false);
  return {
    entries: decodeManifest(files.subarray(8, 8 + manifestLength), what),
    indexChanges: decodeIndexManifest(files.subarray(8 + manifestLength), `index ${what}`),
  };
}
