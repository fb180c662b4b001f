/**
 * Orphan-file removal (Paimon's `remove_orphan_files`): deletes files under a table that no snapshot
 * and no tag names — left behind by failed writes, aborted commits or crashes during expiration.
 *
 * Candidates: every object under the table directory except its metadata folders (`schema/`,
 * `snapshot/`, `tag/`, `branch/`, `changelog/`, `consumer/`, `service/`), which Paimon's cleaner
 * does not touch either. Used: everything any snapshot or tag names (`snapshot-files.ts`, scope `all`,
 * so a file still listed by an old manifest entry is never taken for an orphan).
 *
 * Age: only files last modified before `olderThan` go (Paimon's default: one day ago), because a
 * running writer's files are unreferenced until its commit lands. The time is the store's
 * `lastModified` (file mtime, S3 `Last-Modified`, or the write time in memory); an S3 server stamps it
 * with its own clock, so a cut-off within seconds of now is only as exact as the clocks agree — the
 * default of a day leaves ample margin. A candidate that vanishes before its time is read (a concurrent
 * expiration deleted it) is simply not an orphan any more.
 */
import type { ObjectStore } from '../storage/index.js';
import { filesOfSnapshots } from './snapshot-files.js';
import type { PaimonTable } from './paimon-table.js';
import { parseSnapshot, type Snapshot } from './snapshot.js';
import { TAG_PREFIX } from './table-tags.js';

/** Paimon's default `older_than`: files younger than a day are kept. */
export const DEFAULT_ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;

const METADATA_DIRS = ['schema', 'snapshot', 'tag', 'branch', 'changelog', 'consumer', 'service'];

export interface RemoveOrphanFilesOptions {
  /** Epoch milliseconds: only files modified before this go (default: `now` − one day). */
  readonly olderThan?: number;
  /** List what would go, delete nothing. */
  readonly dryRun?: boolean;
  /** The clock for the default `olderThan` (default `Date.now()`). */
  readonly now?: number;
}

export interface RemoveOrphanFilesResult {
  /** Keys of the orphans deleted (or, in a dry run, that would be), sorted. */
  readonly files: string[];
  readonly totalBytes: number;
}

/** The object's last-modified time, or undefined when it no longer exists. */
async function modifiedTime(store: ObjectStore, key: string): Promise<number | undefined> {
  try {
    return await store.lastModified(key);
  } catch (e) {
    if ((e as { code?: string } | null)?.code === 'IO.NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * Every snapshot and tag of every branch: branches share the main branch's data and manifest folders,
 * so a file only a branch names is not an orphan. Files vanishing while read (concurrent expiration)
 * are skipped.
 */
async function everySnapshotAndTag(table: PaimonTable): Promise<Snapshot[]> {
  const root = table.tablePath;
  const pattern = new RegExp(`^${escapeRegExp(root)}/(branch/branch-[^/]+/)?(snapshot/snapshot-\\d+|tag/${TAG_PREFIX}[^/]+)$`);
  const out: Snapshot[] = [];
  for (const dir of ['snapshot/', 'tag/', 'branch/']) {
    for (const o of await table.store.list(`${root}/${dir}`)) {
      if (!pattern.test(o.key)) continue;
      let text: string;
      try {
        text = new TextDecoder().decode(await table.store.get(o.key));
      } catch (e) {
        if ((e as { code?: string } | null)?.code === 'IO.NOT_FOUND') continue;
        throw e;
      }
      out.push(parseSnapshot(text, o.key));
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function removeOrphanFiles(table: PaimonTable, options: RemoveOrphanFilesOptions = {}): Promise<RemoveOrphanFilesResult> {
  const now = options.now ?? Date.now();
  const olderThan = options.olderThan ?? now - DEFAULT_ORPHAN_AGE_MS;
  const root = table.tablePath;
  const skipped = METADATA_DIRS.map((d) => `${root}/${d}/`);
  // List before reading metadata: a file written after the listing cannot be taken for an orphan.
  const listed = (await table.store.list(`${root}/`)).filter((o) => !skipped.some((p) => o.key.startsWith(p)));
  const used = await filesOfSnapshots(table, await everySnapshotAndTag(table), 'all');
  const files: string[] = [];
  let totalBytes = 0;
  for (const o of listed) {
    if (used.has(o.key)) continue;
    const mtime = await modifiedTime(table.store, o.key);
    // Gone since the listing: nothing to delete.
    if (mtime === undefined || mtime >= olderThan) continue;
    files.push(o.key);
    totalBytes += o.size;
  }
  files.sort();
  if (options.dryRun !== true) for (const k of files) await table.store.delete(k);
  return { files, totalBytes };
}

