/**
 * Rollback (Paimon's `rollback_to`): the table goes back to an earlier snapshot, named by id or by tag.
 *
 * What happens, as in Paimon's RollbackHelper:
 * - every snapshot newer than the target is deleted, and so is every tag of a snapshot newer than it;
 * - files named by those snapshots and tags and by nothing kept (the remaining snapshots and tags,
 *   read as `live`, see `snapshot-files.ts`) are deleted;
 * - the `LATEST` hint names the target;
 * - rolling back to a tag whose snapshot has expired writes that snapshot's file again from the tag
 *   (without the tag fields) and moves `EARLIEST` to it.
 *
 * Crash safety: everything is read first. The restored snapshot file (if any) is written before
 * anything is deleted; newer snapshots go newest first, so a reader always finds a complete latest
 * snapshot; files are deleted last. A crash leaves garbage (see `removeOrphanFiles`), never a snapshot
 * or tag whose files are gone.
 */
import { userError } from '../common/index.js';
import { branchRoot, joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';
import type { Snapshot } from './snapshot.js';
import { filesOfSnapshots } from './snapshot-files.js';
import { listTags, readTag, readTagText, tagKey, tagTextAsSnapshot } from './table-tags.js';

/** A snapshot id or a tag name to roll back to. */
export type RollbackTarget = { readonly snapshotId: number } | { readonly tag: string };

export interface RollbackResult {
  /** The snapshot the table is at now. */
  readonly snapshotId: number;
  readonly deletedSnapshots: number[];
  readonly deletedTags: string[];
  readonly deletedFiles: number;
}

export async function rollbackTo(table: PaimonTable, target: RollbackTarget): Promise<RollbackResult> {
  const sdir = joinKey(branchRoot(table.tablePath, table.branch), 'snapshot');
  let snapshot: Snapshot;
  let restoreText: string | null = null;
  if ('tag' in target) {
    const tag = await readTag(table, target.tag);
    snapshot = tag.snapshot;
    if (!(await table.snapshotExists(snapshot.id))) restoreText = tagTextAsSnapshot(await readTagText(table, target.tag));
  } else {
    if (!Number.isSafeInteger(target.snapshotId) || !(await table.snapshotExists(target.snapshotId))) {
      const ids = await table.snapshotIds();
      const range = ids.length === 0 ? 'it has no snapshots' : `its snapshots are ${ids[0]}..${ids[ids.length - 1]}`;
      throw userError('LAKE.SNAPSHOT_NOT_FOUND', `cannot roll back table '${table.tablePath}' to snapshot ${target.snapshotId}: ${range}`);
    }
    snapshot = await table.snapshot(target.snapshotId);
  }
  const ids = await table.snapshotIds();
  const newer: Snapshot[] = [];
  const kept: Snapshot[] = [snapshot];
  for (const id of ids) {
    if (id === snapshot.id) continue;
    (id > snapshot.id ? newer : kept).push(await table.snapshot(id));
  }
  const tags = await listTags(table);
  const newerTags = tags.filter((t) => t.snapshot.id > snapshot.id);
  for (const t of tags) if (t.snapshot.id <= snapshot.id) kept.push(t.snapshot);
  const keep = await filesOfSnapshots(table, kept, 'live');
  const candidates = await filesOfSnapshots(table, [...newer, ...newerTags.map((t) => t.snapshot)], 'all');

  if (restoreText !== null) {
    await table.store.put(joinKey(sdir, `snapshot-${snapshot.id}`), new TextEncoder().encode(restoreText));
  }
  for (let i = newer.length - 1; i >= 0; i--) await table.store.delete(joinKey(sdir, `snapshot-${newer[i]!.id}`));
  for (const t of newerTags) await table.store.delete(tagKey(table, t.name));
  await table.store.put(joinKey(sdir, 'LATEST'), new TextEncoder().encode(String(snapshot.id)));
  // The restored snapshot is the earliest unless an older one survived expiration (a gap).
  if (restoreText !== null && !ids.some((id) => id < snapshot.id)) await table.store.put(joinKey(sdir, 'EARLIEST'), new TextEncoder().encode(String(snapshot.id)));
  let deleted = 0;
  for (const k of candidates) {
    if (keep.has(k)) continue;
    await table.store.delete(k);
    deleted++;
  }
  return { snapshotId: snapshot.id, deletedSnapshots: newer.map((s) => s.id), deletedTags: newerTags.map((t) => t.name), deletedFiles: deleted };
}
