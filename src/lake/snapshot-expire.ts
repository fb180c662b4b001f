/**
 * Snapshot expiration: drops old snapshots and deletes the files only they referenced.
 *
 * Which snapshots go: the oldest ones, as long as more than `retainMin` remain, and either more than
 * `retainMax` remain or the snapshot is older than `olderThanMs` (Paimon's `snapshot.num-retained.min`,
 * `.max` and `snapshot.time-retained`). The latest snapshot is never expired.
 *
 * What is deleted: every data file (with its extra files), manifest, manifest list, index manifest and
 * index file named by an expired snapshot and by no retained one. "Named by a retained snapshot" means
 * live in it (data and index files) or part of its metadata (lists, manifests, index manifest), so every
 * retained snapshot stays fully readable.
 *
 * Crash safety: all metadata is read first; then the expired snapshot files are deleted oldest first and
 * `EARLIEST` is moved, and only then the unreferenced files. A crash leaves unreferenced files behind
 * (harmless garbage), never a snapshot whose files are gone.
 *
 * Tables with tags are refused (`LAKE.UNSUPPORTED_EXPIRE`): a tag pins a snapshot's files, and Floe does
 * not read tags yet.
 */
import { unsupported, userError } from '../common/index.js';
import type { LogicalType } from '../types/index.js';
import { deserializeBinaryRow } from './binary-row.js';
import { decodeIndexManifest, decodeManifest, decodeManifestList, type DataFileMeta } from './manifest.js';
import { joinKey } from './paimon-paths.js';
import type { DataSplit, PaimonTable } from './paimon-table.js';
import type { Snapshot } from './snapshot.js';
import { fieldByName } from './table-schema.js';

export interface ExpireOptions {
  /** Snapshots always kept (default 1; at least 1). */
  readonly retainMin?: number;
  /** Snapshots kept at most (default unbounded). */
  readonly retainMax?: number;
  /** Snapshots older than this many milliseconds may go (default: none go by age). */
  readonly olderThanMs?: number;
  /** The clock (default `Date.now()`). */
  readonly now?: number;
}

export interface ExpireResult {
  readonly expiredSnapshots: number[];
  readonly deletedFiles: number;
}

/** Store keys a snapshot needs to be read: metadata files and live data/index files. */
async function referencedKeys(table: PaimonTable, s: Snapshot, pTypes: readonly LogicalType[], live: boolean): Promise<Set<string>> {
  const keys = new Set<string>();
  const mdir = joinKey(table.tablePath, 'manifest');
  const lists = [s.baseManifestList, s.deltaManifestList, s.changelogManifestList].filter((x): x is string => x !== undefined && x !== null);
  const addData = (partition: Uint8Array, bucket: number, file: DataFileMeta): void => {
    const values = deserializeBinaryRow(partition, pTypes, `partition of '${file.fileName}'`);
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
      if (!live) for (const e of decodeManifest(await table.store.get(mkey), mkey)) addData(e.partition, e.bucket, e.file);
    }
  }
  if (live) for (const e of await table.manifestEntries(s)) addData(e.partition, e.bucket, e.file);
  if (s.indexManifest !== undefined) {
    const ikey = joinKey(mdir, s.indexManifest);
    keys.add(ikey);
    const entries = live ? await table.indexEntries(s) : decodeIndexManifest(await table.store.get(ikey), ikey);
    for (const e of entries) keys.add(joinKey(table.tablePath, 'index', e.fileName));
  }
  return keys;
}

export async function expireSnapshots(table: PaimonTable, options: ExpireOptions = {}): Promise<ExpireResult> {
  const retainMin = options.retainMin ?? 1;
  const retainMax = options.retainMax ?? Infinity;
  if (!Number.isInteger(retainMin) || retainMin < 1) throw userError('LAKE.BAD_EXPIRE_OPTIONS', `retainMin must be a positive integer, got ${retainMin}`);
  if (retainMax < retainMin) throw userError('LAKE.BAD_EXPIRE_OPTIONS', `retainMax (${retainMax}) must not be below retainMin (${retainMin})`);
  if ((await table.store.list(joinKey(table.tablePath, 'tag') + '/')).length > 0) {
    throw unsupported('LAKE.UNSUPPORTED_EXPIRE', `Paimon table '${table.tablePath}' has tags, whose files Floe cannot account for yet; not expiring snapshots`);
  }
  const now = options.now ?? Date.now();
  const ids = await table.snapshotIds();
  const expired: Snapshot[] = [];
  let remaining = ids.length;
  for (const id of ids) {
    if (remaining <= retainMin) break;
    const s = await table.snapshot(id);
    const byCount = remaining > retainMax;
    const byAge = options.olderThanMs !== undefined && s.timeMillis < now - options.olderThanMs;
    if (!byCount && !byAge) break;
    expired.push(s);
    remaining--;
  }
  if (expired.length === 0) return { expiredSnapshots: [], deletedFiles: 0 };
  const schema = table.schema();
  const pTypes = schema.partitionKeys.map((k) => fieldByName(schema, k).type);
  const keep = new Set<string>();
  for (const id of ids.slice(expired.length)) for (const k of await referencedKeys(table, await table.snapshot(id), pTypes, true)) keep.add(k);
  const candidates = new Set<string>();
  for (const s of expired) for (const k of await referencedKeys(table, s, pTypes, false)) if (!keep.has(k)) candidates.add(k);
  const sdir = joinKey(table.tablePath, 'snapshot');
  for (const s of expired) await table.store.delete(joinKey(sdir, `snapshot-${s.id}`));
  await table.store.put(joinKey(sdir, 'EARLIEST'), new TextEncoder().encode(String(ids[expired.length])));
  for (const k of candidates) await table.store.delete(k);
  return { expiredSnapshots: expired.map((s) => s.id), deletedFiles: candidates.size };
}
