/**
 * Snapshot expiration: drops old snapshots and deletes the files only they referenced.
 *
 * Which snapshots go: the oldest ones, as long as more than `retainMin` remain, and either more than
 * `retainMax` remain or the snapshot is older than `olderThanMs` (Paimon's `snapshot.num-retained.min`,
 * `.max` and `snapshot.time-retained`), and at most `maxDeletes` of them (the procedure's `max_deletes`).
 * The latest snapshot is never expired.
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
 * Changelog files (`changelog-producer` = `input` / `lookup`) belong to the one snapshot whose changelog
 * manifest list names them and go with it. Paimon's decoupled changelog lifetime
 * (`changelog.num-retained.*`, kept in `changelog/`) is not implemented: a snapshot's changelog expires
 * with the snapshot, so nothing leaks and every retained snapshot's changelog stays readable.
 *
 * Tags: as in Paimon, a tag pins its snapshot's files. Every file a tag's snapshot needs to be read counts
 * as named by a retained snapshot, so a tagged snapshot stays readable through its tag after its
 * snapshot file is gone (`table-tags.ts`).
 */
import { userError } from '../common/index.js';
import { branchRoot, joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';
import type { Snapshot } from './snapshot.js';
import { filesOfSnapshots, partitionTypesOf, snapshotFileKeys } from './snapshot-files.js';
import { listTags } from './table-tags.js';

export interface ExpireOptions {
  /** Snapshots always kept (default 1; at least 1). */
  readonly retainMin?: number;
  /** Snapshots kept at most (default unbounded). */
  readonly retainMax?: number;
  /** Snapshots older than this many milliseconds may go (default: none go by age). */
  readonly olderThanMs?: number;
  /** Snapshots expired at most by this call (Paimon's `max_deletes`; default unbounded). */
  readonly maxDeletes?: number;
  /** The clock (default `Date.now()`). */
  readonly now?: number;
}

export interface ExpireResult {
  readonly expiredSnapshots: number[];
  readonly deletedFiles: number;
}

export async function expireSnapshots(table: PaimonTable, options: ExpireOptions = {}): Promise<ExpireResult> {
  const retainMin = options.retainMin ?? 1;
  const retainMax = options.retainMax ?? Infinity;
  if (!Number.isInteger(retainMin) || retainMin < 1) throw userError('LAKE.BAD_EXPIRE_OPTIONS', `retainMin must be a positive integer, got ${retainMin}`);
  if (retainMax < retainMin) throw userError('LAKE.BAD_EXPIRE_OPTIONS', `retainMax (${retainMax}) must not be below retainMin (${retainMin})`);
  const now = options.now ?? Date.now();
  const ids = await table.snapshotIds();
  const expired: Snapshot[] = [];
  let remaining = ids.length;
  const maxDeletes = options.maxDeletes ?? Infinity;
  if (!(maxDeletes >= 0)) throw userError('LAKE.BAD_EXPIRE_OPTIONS', `maxDeletes must not be negative, got ${maxDeletes}`);
  for (const id of ids) {
    if (remaining <= retainMin || expired.length >= maxDeletes) break;
    const s = await table.snapshot(id);
    const byCount = remaining > retainMax;
    const byAge = options.olderThanMs !== undefined && s.timeMillis < now - options.olderThanMs;
    if (!byCount && !byAge) break;
    expired.push(s);
    remaining--;
  }
  if (expired.length === 0) return { expiredSnapshots: [], deletedFiles: 0 };
  const pTypes = partitionTypesOf(table);
  const retained: Snapshot[] = [];
  for (const id of ids.slice(expired.length)) retained.push(await table.snapshot(id));
  for (const tag of await listTags(table)) retained.push(tag.snapshot);
  const keep = await filesOfSnapshots(table, retained, 'live');
  const candidates = new Set<string>();
  for (const s of expired) for (const k of await snapshotFileKeys(table, s, 'all', pTypes)) if (!keep.has(k)) candidates.add(k);
  const sdir = joinKey(branchRoot(table.tablePath, table.branch), 'snapshot');
  for (const s of expired) await table.store.delete(joinKey(sdir, `snapshot-${s.id}`));
  await table.store.put(joinKey(sdir, 'EARLIEST'), new TextEncoder().encode(String(ids[expired.length])));
  for (const k of candidates) await table.store.delete(k);
  return { expiredSnapshots: expired.map((s) => s.id), deletedFiles: candidates.size };
}
