/**
 * Which stored files a snapshot names: the question behind every operation that deletes files
 * (snapshot expiration, tag deletion, rollback, orphan-file removal).
 *
 * Two readings:
 * - `live`: what reading the snapshot needs — its manifest lists, their manifests, its index manifest,
 *   the data and index files live in it (ADD minus DELETE), and its changelog files (those of its
 *   changelog manifest list). Files a retained snapshot or tag names this way must survive.
 * - `all`: everything its metadata mentions — the same metadata files, plus every data file of every
 *   manifest entry (ADD and DELETE) and every index file of its index manifest. A file deleted because a
 *   snapshot went away must have been named this way by it; an orphan is named this way by nobody.
 *
 * Keys are object keys in `table.store`. A data file's extra files (e.g. its index) go with it.
 */
import type { LogicalType } from '../types/index.js';
import { deserializeBinaryRow } from './binary-row.js';
import { decodeIndexManifest, decodeManifest, decodeManifestList, type DataFileMeta } from './manifest.js';
import { joinKey } from './paimon-paths.js';
import type { DataSplit, PaimonTable } from './paimon-table.js';
import type { Snapshot } from './snapshot.js';
import { fieldByName } from './table-schema.js';

export type SnapshotFileScope = 'live' | 'all';

/** Types of the partition columns of the table's latest schema (to rebuild partition directories). */
export function partitionTypesOf(table: PaimonTable): LogicalType[] {
  const schema = table.schema();
  return schema.partitionKeys.map((k) => fieldByName(schema, k).type);
}

/** Store keys snapshot `s` names (see the module comment for `scope`). */
export async function snapshotFileKeys(table: PaimonTable, s: Snapshot, scope: SnapshotFileScope, pTypes: readonly LogicalType[] = partitionTypesOf(table)): Promise<Set<string>> {
  const keys = new Set<string>();
  const live = scope === 'live';
  const mdir = joinKey(table.tablePath, 'manifest');
  const lists = [s.baseManifestList, s.deltaManifestList, s.changelogManifestList].filter((x): x is string => x !== undefined && x !== null);
  const addData = (partition: Uint8Array, bucket: number, file: DataFileMeta): void => {
    const values = deserializeBinaryRow(partition, pTypes, `partition of '${file.fileName}'`);
    // dataFileKey reads only the partition values and bucket of a split.
    const split = { partitionValues: values, bucket } as unknown as DataSplit;
    const key = table.dataFileKey(split, file);
    keys.add(key);
    const dir = key.slice(0, key.lastIndexOf('/'));
    for (const extra of file.extraFiles) keys.add(joinKey(dir, extra));
  };
  for (const list of lists) {
    const listKey = joinKey(mdir, list);
    keys.add(listKey);
    for (const m of decodeManifestList(await table.store.get(listKey), listKey)) {
      const mkey = joinKey(mdir, m.fileName);
      keys.add(mkey);
      // A snapshot's changelog files are all its own (ADD only, never carried to a later snapshot): a
      // retained snapshot or tag keeps them, so its changelog stays readable.
      if (!live || list === s.changelogManifestList) for (const e of decodeManifest(await table.store.get(mkey), mkey)) addData(e.partition, e.bucket, e.file);
    }
  }
  if (live) for (const e of await table.manifestEntries(s)) addData(e.partition, e.bucket, e.file);
  if (s.indexManifest !== undefined) {
    const ikey = joinKey(mdir, s.indexManifest);
    keys.add(ikey);
    const entries = live ? await table.indexEntries(s) : decodeIndexManifest(await table.store.get(ikey), ikey);
    for (const e of entries) keys.add(joinKey(table.tablePath, 'index', e.fileName));
  }
  if (s.statistics !== undefined) keys.add(joinKey(table.tablePath, 'statistics', s.statistics));
  return keys;
}

/**
 * The union of `snapshotFileKeys` over several snapshots. A snapshot and its tags are read once (the
 * same id and manifest lists; branches reuse ids for other snapshots, so the id alone is not enough).
 */
export async function filesOfSnapshots(table: PaimonTable, snapshots: Iterable<Snapshot>, scope: SnapshotFileScope): Promise<Set<string>> {
  const pTypes = partitionTypesOf(table);
  const out = new Set<string>();
  const seen = new Set<string>();
  for (const s of snapshots) {
    const identity = `${s.id}/${s.baseManifestList}/${s.deltaManifestList}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    for (const k of await snapshotFileKeys(table, s, scope, pTypes)) out.add(k);
  }
  return out;
}
