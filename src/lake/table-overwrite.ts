/**
 * `INSERT OVERWRITE` of a Paimon table: one OVERWRITE snapshot that deletes the live files of the
 * overwritten partitions and adds the new files, as Paimon's `FileStoreCommitImpl.overwrite` does.
 *
 * Which partitions are overwritten:
 * - unpartitioned table: all of it (an empty result empties the table);
 * - `PARTITION (k = v, …)` naming every partition column (a full static partition): that partition, even
 *   when the query wrote nothing (it becomes empty);
 * - otherwise, with `dynamic-partition-overwrite` (Paimon's default true): only the partitions the new
 *   files are in (dynamic partition overwrite); an empty result changes nothing and makes no snapshot;
 * - otherwise (the option 'false'): every partition matching the static values (a partial static
 *   partition), or the whole table without one.
 * Every new file must lie in the static partition (the writer's rows carry its values); one outside is
 * a bug and fails the commit, as Paimon's sanity check does.
 *
 * The files to delete are planned from the latest snapshot on each commit attempt, so an attempt that
 * lost to a concurrent commit deletes that commit's files too when it retries (conflict handling is
 * `commitPlanned`'s). Streaming readers skip OVERWRITE snapshots (Paimon's `streaming-read-overwrite`
 * = false default). Deletion-vector index entries of deleted files stay in the carried-over index
 * manifest (as after a compaction, see table-compact.ts): they name files no snapshot reads any more.
 */
import { internalError, userError } from '../common/index.js';
import { compareValues, type LogicalType } from '../types/index.js';
import { deserializeBinaryRow } from './binary-row.js';
import { FileKind, type IndexManifestEntry, type ManifestEntry } from './manifest.js';
import type { PaimonTable } from './paimon-table.js';
import { commitPlanned, type CommitResult } from './table-commit.js';
import { fieldByName } from './table-schema.js';

export interface OverwriteRequest {
  readonly commitUser: string;
  /** Paimon's batch commits use Long.MAX_VALUE (`BATCH_COMMIT_IDENTIFIER`). */
  readonly identifier: bigint;
  /** The new files (ADD entries). */
  readonly entries: readonly ManifestEntry[];
  /** Changelog files of the new rows (`changelog-producer` = `input`), for the snapshot's changelog manifest list. */
  readonly changelog?: readonly ManifestEntry[];
  /**
   * New HASH index files of a dynamic-bucket table (`CommitRequest.indexChanges`). The index keeps the
   * hashes of overwritten keys: they only pin those keys to their old buckets, as Paimon's index does.
   */
  readonly indexChanges?: readonly IndexManifestEntry[];
  /**
   * Static partition values (`PARTITION (dt = '2024-01-01')`) by partition column, as Floe values of the
   * columns' types; may name a subset of the partition columns, or none.
   */
  readonly staticPartition: Readonly<Record<string, unknown>>;
  /** Paimon's `dynamic-partition-overwrite`; the table option when omitted (default true). */
  readonly dynamicPartitionOverwrite?: boolean;
  readonly maxAttempts?: number;
}

/** Reads the `dynamic-partition-overwrite` table option (Paimon's default: true). */
export function dynamicPartitionOverwriteOption(table: PaimonTable): boolean {
  const raw = (table.options['dynamic-partition-overwrite'] ?? 'true').trim().toLowerCase();
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw userError('LAKE.BAD_OPTION', `Paimon table '${table.tablePath}': option 'dynamic-partition-overwrite' must be 'true' or 'false', got '${raw}'`);
}

/** Partition values decoded once per distinct BinaryRow (a table has far fewer partitions than files). */
class PartitionDecoder {
  private readonly cache = new Map<string, unknown[]>();
  constructor(private readonly types: readonly LogicalType[]) {}

  values(e: ManifestEntry): unknown[] {
    const key = hex(e.partition);
    let v = this.cache.get(key);
    if (v === undefined) {
      v = deserializeBinaryRow(e.partition, this.types, `partition of '${e.file.fileName}'`);
      this.cache.set(key, v);
    }
    return v;
  }
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Commits `request.entries` as one OVERWRITE snapshot (see the module comment). */
export async function overwriteEntries(table: PaimonTable, request: OverwriteRequest): Promise<CommitResult> {
  const schema = table.schema();
  const keys = schema.partitionKeys;
  const types = keys.map((k) => fieldByName(schema, k).type);
  const what = `INSERT OVERWRITE of Paimon table '${table.tablePath}'`;
  // The static partition as (position in the partition row, value, type).
  const fixed: { index: number; value: unknown; type: LogicalType }[] = [];
  for (const [name, value] of Object.entries(request.staticPartition)) {
    const index = keys.indexOf(name);
    if (index < 0) {
      throw userError('LAKE.NOT_A_PARTITION_COLUMN', `${what}: '${name}' is not a partition column (partition columns: ${keys.length === 0 ? 'none' : keys.join(', ')})`);
    }
    fixed.push({ index, value, type: types[index]! });
  }
  const decoder = new PartitionDecoder(types);
  const inStatic = (e: ManifestEntry): boolean => {
    if (fixed.length === 0) return true;
    const values = decoder.values(e);
    for (const f of fixed) {
      const v = values[f.index] ?? null;
      if (v === null || f.value === null) {
        if (v !== f.value) return false; // NULL (Paimon's default partition) matches only NULL
      } else if (compareValues(v, f.value, f.type) !== 0) return false;
    }
    return true;
  };
  for (const e of request.entries) {
    if (e.kind !== FileKind.ADD) throw internalError(`${what}: the new files include a DELETE entry for '${e.file.fileName}'`);
    if (!inStatic(e)) throw internalError(`${what}: new data file '${e.file.fileName}' lies outside the static partition`);
  }

  const dynamic = (request.dynamicPartitionOverwrite ?? dynamicPartitionOverwriteOption(table)) && fixed.length < keys.length;
  let overwritten: (e: ManifestEntry) => boolean;
  if (dynamic) {
    // Dynamic partition overwrite: nothing written, nothing replaced (no snapshot).
    if (request.entries.length === 0) return { snapshotId: await table.latestSnapshotId(), committed: false };
    const written = new Set(request.entries.map((e) => hex(e.partition)));
    overwritten = (e) => written.has(hex(e.partition));
  } else {
    overwritten = inStatic;
  }

  return commitPlanned(table, { commitUser: request.commitUser, identifier: request.identifier, idempotent: false, kind: 'OVERWRITE', maxAttempts: request.maxAttempts, changelog: request.changelog, indexChanges: request.indexChanges }, async (latest) => {
    const live = latest === undefined ? [] : await table.manifestEntries(latest);
    const changes: ManifestEntry[] = [];
    for (const e of live) if (overwritten(e)) changes.push({ ...e, kind: FileKind.DELETE });
    for (const e of request.entries) changes.push(e);
    return changes;
  });
}
