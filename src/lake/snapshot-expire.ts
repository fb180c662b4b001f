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
 *
 * Consumers (`table-consumers.ts`): no snapshot from the smallest consumer's `nextSnapshot` on expires,
 * as in Paimon, and neither does the one just before it. Floe's streaming read of a primary-key table
 * without a changelog producer computes a snapshot's changes against its predecessor, so a consumer
 * resuming at snapshot N needs N − 1 too (Paimon's own expiration would remove N − 1; such a reader then
 * fails with PAIMON.SNAPSHOT_EXPIRED instead of reading wrong changes).
 *
 * After every commit (`expireAfterCommit`), as Paimon's committer does: consumers older than
 * `consumer.expiration-time` go first, then snapshots by the table's options — at least
 * `snapshot.num-retained.min` (default 10) kept, at most `snapshot.num-retained.max` (default unbounded),
 * older than `snapshot.time-retained` (default 1 h) may go, at most `snapshot.expire.limit` (default 10)
 * per commit. A `write-only` table expires nothing (another job does its maintenance).
 */
import { parseDurationMs, userError } from '../common/index.js';
import { branchRoot, joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';
import type { Snapshot } from './snapshot.js';
import { filesOfSnapshots, partitionTypesOf, snapshotFileKeys } from './snapshot-files.js';
import { expireConsumers, minConsumerSnapshot } from './table-consumers.js';
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
  if (ids.length <= retainMin || maxDeletes === 0) return { expiredSnapshots: [], deletedFiles: 0 };
  const consumed = await minConsumerSnapshot(table);
  const protectedFrom = consumed === undefined ? Infinity : consumed - 1;
  for (const id of ids) {
    if (remaining <= retainMin || expired.length >= maxDeletes || id >= protectedFrom) break;
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

/** The expiration a table's options ask for after each commit (see the module comment). */
export interface ExpirationSettings {
  readonly retainMin: number;
  readonly retainMax: number;
  readonly timeRetainedMs: number;
  readonly limit: number;
  /** `consumer.expiration-time` in ms; undefined: consumers never expire. */
  readonly consumerExpirationMs: number | undefined;
  readonly writeOnly: boolean;
}

/** Reads and checks the expiration options of a table (`LAKE.BAD_TABLE_OPTION` naming a bad one). */
export function expirationSettingsOf(options: Readonly<Record<string, string>>, table: string): ExpirationSettings {
  const count = (key: string, dflt: number, min: number): number => {
    const text = options[key];
    if (text === undefined) return dflt;
    const n = Number(text.trim());
    if (!Number.isSafeInteger(n) || n < min) throw userError('LAKE.BAD_TABLE_OPTION', `table ${table}: option '${key}' must be an integer of at least ${min}, got '${text}'`);
    return n;
  };
  const duration = (key: string): number | undefined => {
    const text = options[key];
    if (text === undefined) return undefined;
    const ms = parseDurationMs(text);
    if (ms === null || !(ms > 0)) throw userError('LAKE.BAD_TABLE_OPTION', `table ${table}: option '${key}' must be a positive duration such as '1 h' or '30 min', got '${text}'`);
    return ms;
  };
  const retainMin = count('snapshot.num-retained.min', 10, 1);
  const retainMax = count('snapshot.num-retained.max', Number.MAX_SAFE_INTEGER, 1);
  if (retainMax < retainMin) {
    throw userError('LAKE.BAD_TABLE_OPTION', `table ${table}: 'snapshot.num-retained.max' (${retainMax}) must not be below 'snapshot.num-retained.min' (${retainMin})`);
  }
  return {
    retainMin,
    retainMax,
    timeRetainedMs: duration('snapshot.time-retained') ?? 3_600_000,
    limit: count('snapshot.expire.limit', 10, 2),
    consumerExpirationMs: duration('consumer.expiration-time'),
    writeOnly: (options['write-only'] ?? 'false').trim().toLowerCase() === 'true',
  };
}

/** The expiration that follows a commit, by the table's options; returns what `expireSnapshots` did. */
export async function expireAfterCommit(table: PaimonTable, now = Date.now()): Promise<ExpireResult> {
  const s = expirationSettingsOf(table.options, table.tablePath);
  if (s.writeOnly) return { expiredSnapshots: [], deletedFiles: 0 };
  if (s.consumerExpirationMs !== undefined) await expireConsumers(table, now - s.consumerExpirationMs);
  return expireSnapshots(table, { retainMin: s.retainMin, retainMax: s.retainMax, olderThanMs: s.timeRetainedMs, maxDeletes: s.limit, now });
}
