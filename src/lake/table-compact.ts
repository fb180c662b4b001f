/**
 * Full compaction of buckets: every live data file of a (partition, bucket) is read, merged and
 * rewritten as one file, committed as a COMPACT snapshot (DELETE of the old files + ADD of the new one).
 *
 * - Primary-key tables: the files are merged by the table's merge engine (`merge-read.ts`, the same fold
 *   a batch read does, deletion vectors applied), so the output holds one row per live key, all +I;
 *   deletes are dropped, as Paimon drops them when it compacts into the highest level. The file goes to
 *   the highest level (`num-levels` − 1, default 4), which is what batch reads of deletion-vector and
 *   first-row tables see. Every output row gets the largest input sequence number: keys are distinct, so
 *   order among them does not matter, and later writes still get larger numbers.
 * - Append tables: the rows are concatenated in sequence order into one level-0 file (append tables do
 *   not use levels).
 * A bucket with a single file already at the target level is left alone.
 *
 * With `changelog-producer` = `lookup`, a bucket that holds level-0 files is merged by `lookupMerge`,
 * which also yields the changelog of their keys (their previous values looked up in the higher levels);
 * it is written as a changelog file of the output level and listed by the COMPACT snapshot's changelog
 * manifest list, as Paimon's lookup compaction does.
 *
 * Dynamic-bucket tables compact bucket by bucket like any other: keys stay in their buckets, so the
 * HASH index entries stay valid and the index manifest is carried over unchanged (`table-commit.ts`).
 *
 * Not done: deletion-vector index entries of compacted files are not removed (the old index manifest
 * is carried over; its vectors name files that are no longer live and are ignored on read).
 */
import { randomUUID } from 'node:crypto';
import { getRow } from '../types/index.js';
import { deserializeBinaryRow } from './binary-row.js';
import { FileKind, type DataFileMeta, type ManifestEntry } from './manifest.js';
import type { DataSplit, PaimonTable } from './paimon-table.js';
import { BATCH_COMMIT_IDENTIFIER, commitEntries, type CommitResult } from './table-commit.js';
import { WriteLayout } from './table-write.js';
import { lookupChangelogOptions, lookupMerge } from './lookup-changelog.js';

export interface CompactOptions {
  /** Only partitions with these partition-column values (by name). */
  readonly partitionFilter?: Readonly<Record<string, unknown>>;
  /** Only this bucket. */
  readonly bucket?: number;
  readonly commitUser?: string;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Compacts the selected buckets of the latest snapshot into one file each; one COMPACT snapshot. */
export async function compactTable(table: PaimonTable, options: CompactOptions = {}): Promise<CommitResult> {
  const layout = new WriteLayout(table);
  const latest = await table.latestSnapshot();
  if (latest === undefined) return { snapshotId: undefined, committed: false };
  const maxLevel = layout.isPk ? Number(table.options['num-levels'] ?? '5') - 1 : 0;
  const dvs = new Map<string, Map<string, { indexFile: string; offset: number; length: number }>>();
  for (const e of await table.indexEntries(latest)) {
    if (e.indexType !== 'DELETION_VECTORS' || e.deletionVectorRanges === null) continue;
    const group = `${hex(e.partition)}/${e.bucket}`;
    let m = dvs.get(group);
    if (m === undefined) dvs.set(group, (m = new Map()));
    for (const r of e.deletionVectorRanges) m.set(r.dataFile, { indexFile: e.fileName, offset: r.offset, length: r.length });
  }
  const groups = new Map<string, { partition: Uint8Array; bucket: number; totalBuckets: number; files: DataFileMeta[] }>();
  for (const e of await table.manifestEntries(latest, options.partitionFilter)) {
    if (options.bucket !== undefined && e.bucket !== options.bucket) continue;
    const key = `${hex(e.partition)}/${e.bucket}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { partition: e.partition, bucket: e.bucket, totalBuckets: e.totalBuckets, files: [] }));
    g.files.push(e.file);
  }
  const entries: ManifestEntry[] = [];
  const changelog: ManifestEntry[] = [];
  const schema = table.schema();
  const lookupOptions = lookupChangelogOptions(table.options, schema.fields.map((f) => f.name));
  for (const [key, g] of groups) {
    const partitionValues = deserializeBinaryRow(g.partition, layout.partitionTypes, `partition of bucket ${g.bucket}`);
    if (options.partitionFilter !== undefined) {
      const ok = Object.entries(options.partitionFilter).every(([k, v]) => partitionValues[schema.partitionKeys.indexOf(k)] === v);
      if (!ok) continue;
    }
    const deletionVectors = dvs.get(key) ?? new Map();
    if (g.files.length === 1 && g.files[0]!.level === maxLevel && !deletionVectors.has(g.files[0]!.fileName)) continue;
    g.files.sort((a, b) => a.minSequenceNumber - b.minSequenceNumber);
    const split: DataSplit = { partition: g.partition, partitionValues, bucket: g.bucket, totalBuckets: g.totalBuckets, files: g.files, deletionVectors, branch: table.branch };
    let rows: unknown[][] = [];
    if (layout.changelogProducer === 'lookup' && g.files.some((f) => f.level === 0)) {
      const level0 = Uint8Array.from(g.files, (f) => (f.level === 0 ? 1 : 0));
      const merged = lookupMerge(await table.readRuns(split), level0, table.mergeSpec(), layout.types, lookupOptions);
      rows = merged.rows;
      if (merged.changelogRows.length > 0) {
        // Paimon writes the lookup changelog at the output level, with file source APPEND.
        const file = await layout.writeFile(partitionValues, g.bucket, merged.changelogRows, merged.changelogKinds, merged.changelogSeqs, maxLevel, 0, true);
        changelog.push({ kind: FileKind.ADD, partition: g.partition, bucket: g.bucket, totalBuckets: g.totalBuckets, file });
      }
    } else {
      for await (const batch of table.readSplit(split)) for (let r = 0; r < batch.numRows; r++) rows.push(getRow(batch, r, schema.rowType));
    }
    let minSeq = Infinity, maxSeq = -Infinity;
    for (const f of g.files) {
      minSeq = Math.min(minSeq, f.minSequenceNumber);
      maxSeq = Math.max(maxSeq, f.maxSequenceNumber);
    }
    for (const f of g.files) entries.push({ kind: FileKind.DELETE, partition: g.partition, bucket: g.bucket, totalBuckets: g.totalBuckets, file: f });
    if (rows.length === 0) continue;
    if (layout.isPk) rows.sort((a, b) => layout.compareKeys(a, b));
    const seqs = rows.map((_, i) => (layout.isPk ? maxSeq : Math.min(maxSeq, minSeq + i)));
    const kinds = rows.map(() => 0);
    const file = await layout.writeFile(partitionValues, g.bucket, rows, kinds, seqs, maxLevel, 1);
    entries.push({ kind: FileKind.ADD, partition: g.partition, bucket: g.bucket, totalBuckets: g.totalBuckets, file });
  }
  return commitEntries(table, { commitUser: options.commitUser ?? randomUUID(), identifier: BATCH_COMMIT_IDENTIFIER, idempotent: false, kind: 'COMPACT', entries, changelog });
}
