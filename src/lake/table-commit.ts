/**
 * Committing changes to a Paimon table: one new snapshot per commit, made atomic by creating
 * `snapshot/snapshot-N` with `putIfAbsent` (Paimon's "rename if absent" commit).
 *
 * A commit of manifest entries (ADD / DELETE of data files):
 * 1. writes the entries into one new manifest file (once; reused on retries);
 * 2. reads the latest snapshot L (if any), and, for idempotent commits, stops early when this commit is
 *    already in the table (same `commitUser`, identifier ≤ the user's latest committed identifier:
 *    exactly-once recovery);
 * 3. checks conflicts: a DELETE must name a file that is live in L (else a concurrent compaction or
 *    overwrite removed it, and the commit fails with `LAKE.COMMIT_CONFLICT`);
 * 4. writes a base manifest list (L's base + delta manifests, i.e. every manifest of L) and a delta
 *    manifest list (the new manifest), then `snapshot-(L+1)` with `putIfAbsent`. When L has
 *    `manifest.merge-min-count` (default 30) manifests or more, they are first merged into one manifest of
 *    L's live files (a full manifest compaction; Paimon also splits by target size, which is not done);
 * 5. when another committer took that id, deletes its two lists and retries from 2 on the new latest;
 * 6. updates the `LATEST` hint (and `EARLIEST` for the first snapshot). Hints are only hints: readers
 *    check them against the snapshot files.
 *
 * Changelog files (`changelog-producer` = `input` / `lookup`) go into a manifest of their own, listed by a
 * third manifest list, the snapshot's `changelogManifestList` (with `changelogManifestListSize` and
 * `changelogRecordCount`, their total row count); both files do not depend on L and are written once.
 * Without changelog files the snapshot has no changelog manifest list (null) and a count of 0.
 *
 * The index manifest of L (deletion vectors, hash indexes) is carried over unchanged, unless the commit
 * brings `indexChanges`: new HASH index files of dynamic-bucket tables (`dynamic-bucket-index.ts`). Then
 * a new index manifest lists L's live index entries with each changed (partition, bucket)'s HASH entry
 * replaced by the new one (the last one when a bucket changed more than once), every other entry —
 * deletion vectors included — kept as it was. It depends on L, so it is rewritten on every attempt.
 *
 * `commitPlanned` is that loop with the entries re-planned from L on every attempt: an overwrite
 * (`table-overwrite.ts`) deletes the files live in L, so a retry on a newer L deletes the newer files.
 */
import { randomUUID } from 'node:crypto';
import { ioError, type FloeError } from '../common/index.js';
import type { LogicalType } from '../types/index.js';
import { deserializeBinaryRow } from './binary-row.js';
import { columnStats } from './data-file-writer.js';
import { HASH_INDEX_TYPE } from './hash-index.js';
import {
  FileKind,
  decodeManifest,
  decodeManifestList,
  fileIdentifier,
  mergeManifestEntries,
  type IndexManifestEntry,
  type ManifestEntry,
  type ManifestFileMeta,
} from './manifest.js';
import { encodeIndexManifest, encodeManifest, encodeManifestList } from './manifest-writer.js';
import { formatMetadataJson } from './metadata-json.js';
import { joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';
import type { CommitKind, Snapshot } from './snapshot.js';
import { fieldByName } from './table-schema.js';

export interface CommitRequest {
  readonly commitUser: string;
  /** Identifies the commit; Paimon's batch commits use Long.MAX_VALUE. */
  readonly identifier: bigint;
  /** Skip the commit when `commitUser` already committed `identifier` or a later one (streaming sinks). */
  readonly idempotent: boolean;
  readonly kind: CommitKind;
  readonly entries: readonly ManifestEntry[];
  /**
   * Changelog files of the commit (ADD entries; `changelog-producer` = `input` or `lookup`): listed by the
   * snapshot's changelog manifest list, never live data.
   */
  readonly changelog?: readonly ManifestEntry[];
  /**
   * New HASH index files (ADD entries) of a dynamic-bucket table: each replaces its (partition, bucket)'s
   * HASH entry in the snapshot's index manifest.
   */
  readonly indexChanges?: readonly IndexManifestEntry[];
  /** Attempts before giving up when other committers keep winning (default 20). */
  readonly maxAttempts?: number;
}

export interface CommitResult {
  /** The snapshot this commit created, or the one that already held it. */
  readonly snapshotId: number | undefined;
  /** False when nothing was written: empty, or already committed. */
  readonly committed: boolean;
}

/** Long.MAX_VALUE: the identifier of one-off batch commits in Paimon. */
export const BATCH_COMMIT_IDENTIFIER = 9223372036854775807n;

/**
 * The latest snapshot committed by `commitUser` with an identifier ≥ `identifier`, scanning back from the
 * latest snapshot (Paimon's `filterCommitted`); undefined when this commit is not in the table yet.
 */
export async function findCommitted(table: PaimonTable, commitUser: string, identifier: bigint, latestId: number | undefined): Promise<Snapshot | undefined> {
  if (latestId === undefined) return undefined;
  const earliest = (await table.earliestSnapshotId()) ?? 1;
  for (let id = latestId; id >= earliest; id--) {
    let s: Snapshot;
    try {
      s = await table.snapshot(id);
    } catch (e) {
      if ((e as FloeError).code === 'LAKE.SNAPSHOT_NOT_FOUND') break; // expired concurrently
      throw e;
    }
    if (s.commitUser === commitUser) return s.commitIdentifier >= identifier ? s : undefined;
  }
  return undefined;
}

function partitionTypes(table: PaimonTable): LogicalType[] {
  const schema = table.schema();
  return schema.partitionKeys.map((k) => fieldByName(schema, k).type);
}

/** The manifest-list entry describing a manifest file of `entries`. */
function manifestMeta(table: PaimonTable, fileName: string, fileSize: number, entries: readonly ManifestEntry[]): ManifestFileMeta {
  const types = partitionTypes(table);
  const cols: unknown[][] = types.map(() => []);
  let added = 0, deleted = 0, minBucket = Infinity, maxBucket = -Infinity, minLevel = Infinity, maxLevel = -Infinity;
  for (const e of entries) {
    const values = deserializeBinaryRow(e.partition, types, `partition of '${e.file.fileName}'`);
    for (let c = 0; c < types.length; c++) cols[c]!.push(values[c]);
    if (e.kind === FileKind.ADD) added++;
    else deleted++;
    minBucket = Math.min(minBucket, e.bucket);
    maxBucket = Math.max(maxBucket, e.bucket);
    minLevel = Math.min(minLevel, e.file.level);
    maxLevel = Math.max(maxLevel, e.file.level);
  }
  return {
    fileName,
    fileSize,
    numAddedFiles: added,
    numDeletedFiles: deleted,
    partitionStats: columnStats(types, cols, entries.length, false),
    schemaId: table.schema().id,
    minBucket,
    maxBucket,
    minLevel,
    maxLevel,
  };
}

function rowDelta(entries: readonly ManifestEntry[]): number {
  let n = 0;
  for (const e of entries) n += e.kind === FileKind.ADD ? e.file.rowCount : -e.file.rowCount;
  return n;
}

async function totalRecords(table: PaimonTable, latest: Snapshot | undefined): Promise<number> {
  if (latest === undefined) return 0;
  if (latest.totalRecordCount !== undefined) return latest.totalRecordCount;
  let n = 0;
  for (const e of await table.manifestEntries(latest)) n += e.file.rowCount;
  return n;
}

function bucketKey(partition: Uint8Array, bucket: number): string {
  return fileIdentifier(partition, bucket, '');
}

/** `base` (live index entries) with the HASH entry of every bucket in `changes` replaced (see module comment). */
export function applyIndexChanges(base: readonly IndexManifestEntry[], changes: readonly IndexManifestEntry[]): IndexManifestEntry[] {
  const latest = new Map<string, IndexManifestEntry>();
  for (const c of changes) latest.set(bucketKey(c.partition, c.bucket), c);
  const out = base.filter((e) => !(e.indexType === HASH_INDEX_TYPE && latest.has(bucketKey(e.partition, e.bucket))));
  for (const c of latest.values()) out.push(c);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Commits `request.entries` as one new snapshot (see the module comment). */
export async function commitEntries(table: PaimonTable, request: CommitRequest): Promise<CommitResult> {
  if (!request.idempotent && request.entries.length === 0 && (request.changelog ?? []).length === 0 && (request.indexChanges ?? []).length === 0) return { snapshotId: await table.latestSnapshotId(), committed: false };
  const deletes = request.entries.filter((e) => e.kind === FileKind.DELETE);
  return commitPlanned(table, request, async (latest) => {
    if (deletes.length > 0) {
      const live = new Set((latest === undefined ? [] : await table.manifestEntries(latest)).map((e) => fileIdentifier(e.partition, e.bucket, e.file.fileName)));
      for (const d of deletes) {
        if (!live.has(fileIdentifier(d.partition, d.bucket, d.file.fileName))) {
          throw ioError('LAKE.COMMIT_CONFLICT', `commit to Paimon table '${table.tablePath}' removes data file '${d.file.fileName}', which a concurrent commit already removed`, {
            help: 'retry the compaction on the latest snapshot',
          });
        }
      }
    }
    return request.entries;
  });
}

/** What identifies a commit (a `CommitRequest` without its entries). */
export type CommitHeader = Omit<CommitRequest, 'entries'>;

/**
 * Makes one attempt's manifest entries from the latest snapshot (undefined for an empty table); may throw
 * `LAKE.COMMIT_CONFLICT`. Called once per attempt; returning the same array again reuses the manifest
 * file written for it. Returning no entries makes no snapshot.
 */
export type PlanEntries = (latest: Snapshot | undefined) => Promise<readonly ManifestEntry[]>;

/**
 * The commit loop of the module comment (steps 2–6), with each attempt's entries planned from the latest
 * snapshot by `plan`: an append commit's entries are fixed (`commitEntries`), an overwrite deletes
 * whatever is live in the overwritten partitions at the time of the attempt (`table-overwrite.ts`).
 */
export async function commitPlanned(table: PaimonTable, request: CommitHeader, plan: PlanEntries): Promise<CommitResult> {
  const store = table.store;
  const manifestDir = joinKey(table.tablePath, 'manifest');
  const snapshotDir = joinKey(table.tablePath, 'snapshot');
  const initialLatest = await table.latestSnapshotId();
  const already = request.idempotent ? await findCommitted(table, request.commitUser, request.identifier, initialLatest) : undefined;
  if (already !== undefined) return { snapshotId: already.id, committed: false };

  const uuid = randomUUID();
  const maxAttempts = request.maxAttempts ?? 20;
  let listSeq = 0;
  let manifestSeq = 0;
  // The delta manifest of the last planned entries (kept across attempts while they do not change).
  let delta: { entries: readonly ManifestEntry[]; name: string; meta: ManifestFileMeta } | undefined;
  const changelogEntries = request.changelog ?? [];
  const indexChanges = request.indexChanges ?? [];
  // The changelog manifest and its list: the same on every attempt, written on the first one.
  let changelog: { manifest: string; list: string; listSize: number; records: number } | undefined;
  const dropChangelog = async (): Promise<void> => {
    if (changelog === undefined) return;
    await store.delete(joinKey(manifestDir, changelog.manifest));
    await store.delete(joinKey(manifestDir, changelog.list));
    changelog = undefined;
  };

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const latestId = await table.latestSnapshotId();
    const latest = latestId === undefined ? undefined : await table.snapshot(latestId);
    if (attempt > 0 && request.idempotent) {
      const done = await findCommitted(table, request.commitUser, request.identifier, latestId);
      if (done !== undefined) return { snapshotId: done.id, committed: false };
    }
    let entries: readonly ManifestEntry[];
    try {
      entries = await plan(latest);
    } catch (e) {
      if (delta !== undefined) await store.delete(joinKey(manifestDir, delta.name));
      await dropChangelog();
      throw e;
    }
    if (entries.length === 0 && changelogEntries.length === 0 && indexChanges.length === 0) {
      if (delta !== undefined) await store.delete(joinKey(manifestDir, delta.name));
      await dropChangelog();
      return { snapshotId: latestId, committed: false };
    }
    if (changelog === undefined && changelogEntries.length > 0) {
      const manifest = `manifest-${uuid}-${manifestSeq++}`;
      const bytes = encodeManifest(changelogEntries);
      await store.put(joinKey(manifestDir, manifest), bytes);
      const list = `manifest-list-${uuid}-${listSeq++}`;
      const listBytes = encodeManifestList([manifestMeta(table, manifest, bytes.length, changelogEntries)]);
      await store.put(joinKey(manifestDir, list), listBytes);
      let records = 0;
      for (const e of changelogEntries) records += e.file.rowCount;
      changelog = { manifest, list, listSize: listBytes.length, records };
    }
    if (delta !== undefined && delta.entries !== entries) {
      await store.delete(joinKey(manifestDir, delta.name));
      delta = undefined;
    }
    // Only a changelog (no data file changes): the delta manifest list is empty.
    if (delta === undefined && entries.length > 0) {
      const name = `manifest-${uuid}-${manifestSeq++}`;
      const bytes = encodeManifest(entries);
      await store.put(joinKey(manifestDir, name), bytes);
      delta = { entries, name, meta: manifestMeta(table, name, bytes.length, entries) };
    }
    const baseMetas: ManifestFileMeta[] = [];
    if (latest !== undefined) {
      for (const list of [latest.baseManifestList, latest.deltaManifestList]) {
        const key = joinKey(manifestDir, list);
        for (const m of decodeManifestList(await store.get(key), key)) baseMetas.push(m);
      }
    }
    let mergedName: string | undefined;
    const mergeMinCount = Number(table.options['manifest.merge-min-count'] ?? '30');
    if (baseMetas.length + 1 >= mergeMinCount && baseMetas.length > 1) {
      // Full manifest merge: the live files of L in one manifest (DELETE entries cancel their ADDs).
      const all: ManifestEntry[] = [];
      for (const m of baseMetas) {
        const key = joinKey(manifestDir, m.fileName);
        for (const e of decodeManifest(await store.get(key), key)) all.push(e);
      }
      const live = mergeManifestEntries(all);
      baseMetas.length = 0;
      if (live.length > 0) {
        mergedName = `manifest-${uuid}-${manifestSeq++}`;
        const bytes = encodeManifest(live);
        await store.put(joinKey(manifestDir, mergedName), bytes);
        baseMetas.push(manifestMeta(table, mergedName, bytes.length, live));
      }
    }
    let indexManifest = latest?.indexManifest;
    let newIndexManifest: string | undefined;
    if (indexChanges.length > 0) {
      const live = applyIndexChanges(latest === undefined ? [] : await table.indexEntries(latest), indexChanges);
      newIndexManifest = indexManifest = `index-manifest-${uuid}-${manifestSeq++}`;
      await store.put(joinKey(manifestDir, newIndexManifest), encodeIndexManifest(live));
    }
    const baseName = `manifest-list-${uuid}-${listSeq++}`;
    const deltaName = `manifest-list-${uuid}-${listSeq++}`;
    const baseBytes = encodeManifestList(baseMetas);
    const deltaBytes = encodeManifestList(delta === undefined ? [] : [delta.meta]);
    await store.put(joinKey(manifestDir, baseName), baseBytes);
    await store.put(joinKey(manifestDir, deltaName), deltaBytes);
    const id = (latestId ?? 0) + 1;
    const rows = rowDelta(entries);
    const snapshot = {
      version: 3,
      id,
      schemaId: table.schema().id,
      baseManifestList: baseName,
      baseManifestListSize: baseBytes.length,
      deltaManifestList: deltaName,
      deltaManifestListSize: deltaBytes.length,
      changelogManifestList: changelog?.list ?? null,
      changelogManifestListSize: changelog?.listSize,
      indexManifest,
      commitUser: request.commitUser,
      commitIdentifier: request.identifier,
      commitKind: request.kind,
      timeMillis: Date.now(),
      logOffsets: {},
      totalRecordCount: (await totalRecords(table, latest)) + rows,
      deltaRecordCount: rows,
      changelogRecordCount: changelog?.records ?? 0,
      watermark: latest?.watermark,
    };
    const created = await store.putIfAbsent(joinKey(snapshotDir, `snapshot-${id}`), new TextEncoder().encode(formatMetadataJson(snapshot)));
    if (created) {
      await store.put(joinKey(snapshotDir, 'LATEST'), new TextEncoder().encode(String(id)));
      if (latestId === undefined) await store.putIfAbsent(joinKey(snapshotDir, 'EARLIEST'), new TextEncoder().encode(String(id)));
      return { snapshotId: id, committed: true };
    }
    await store.delete(joinKey(manifestDir, baseName));
    await store.delete(joinKey(manifestDir, deltaName));
    if (mergedName !== undefined) await store.delete(joinKey(manifestDir, mergedName));
    if (newIndexManifest !== undefined) await store.delete(joinKey(manifestDir, newIndexManifest));
    await sleep(Math.min(50, 1 + attempt * 5) * Math.random());
  }
  if (delta !== undefined) await store.delete(joinKey(manifestDir, delta.name));
  await dropChangelog();
  throw ioError('LAKE.COMMIT_CONFLICT', `commit to Paimon table '${table.tablePath}' lost to other committers ${maxAttempts} times in a row`);
}
