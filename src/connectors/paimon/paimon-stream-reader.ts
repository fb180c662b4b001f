/**
 * The continuous (streaming-mode) read of a Paimon table: optionally the full table at a starting
 * snapshot, then the changes of every later snapshot as it is committed. Unbounded.
 *
 * Splits. A streaming scan has one split per source subtask, a *shard*: shard k of n reads the
 * (partition, bucket) groups that `shardOf` maps to k, in every snapshot. A bucket's rows thus come from
 * one reader in snapshot order, so each key's changes stay in order, and shards can be checkpointed and
 * moved independently (a rescaled job keeps the n shards it recorded).
 *
 * Changes of one snapshot S (commit kinds APPEND, and COMPACT when batch reads hide level 0):
 * - append tables: the rows of the data files S adds, as +I (COMPACT and OVERWRITE rewrite existing rows
 *   and are skipped, as Paimon's streaming read does);
 * - primary-key tables: the difference of the merged rows of each bucket S touched, before (S-1) and
 *   after S: +I for a new key, -U/+U for a changed row, -D for a removed key. This is the changelog
 *   Paimon's `lookup` changelog producer would have written, computed at read time, so it is complete
 *   and exact for every merge engine (a `partial-update` table yields merged rows, not the partial
 *   input rows that Paimon's `changelog-producer` = `none` streaming read would return) and needs no
 *   normalisation downstream. OVERWRITE snapshots are skipped (Paimon's `streaming-read-overwrite` =
 *   false default); COMPACT snapshots do not change merged rows unless level 0 is hidden.
 * Cost: a touched bucket is merge-read twice per snapshot (a lookup changelog producer at write time
 * would make this a read of the changelog files).
 *
 * Tables with `changelog-producer` = `input` or `lookup` record their changelog in changelog files: the
 * changes of S are then the rows of the changelog files S lists (its changelog manifest list), as
 * written, whatever S's commit kind (OVERWRITE excepted) — `input` tables commit them with the data
 * (APPEND), `lookup` tables with the compaction that follows (COMPACT). A full read of a `lookup` table
 * leaves out level-0 files, whose changelog a later snapshot brings (as Paimon does).
 *
 * Position (for checkpoints): `{ full, snapshot, offset }` — the unit being read (the full read of
 * `snapshot`, or the changes of `snapshot`) and the rows of it already returned. A unit's rows are
 * recomputed identically from immutable files (groups sorted, merge deterministic), so recovery skips
 * `offset` rows. Snapshots must not expire under a running reader: an expired next snapshot fails the
 * read with PAIMON.SNAPSHOT_EXPIRED. A read with a `consumer-id` is protected: the source records the
 * slowest shard's `snapshot` as the consumer's next snapshot whenever a checkpoint completes
 * (paimon-source.ts), which expiration respects; a fresh start (no checkpoint to restore) of a read whose
 * consumer exists follows the changes from that snapshot instead of its configured start (`resumeConsumer`).
 */
import { FloeError, userError } from '../../common/index.js';
import { changelogProducerOf, readConsumer, type ChangelogProducer, type DataSplit, type PaimonTable, type ScanPredicate } from '../../lake/index.js';
import { encodeKey } from '../../state/index.js';
import { BatchBuilder, RowKind, getRow, getValue, selectRows, type RecordBatch, type RowType } from '../../types/index.js';
import type { SourceSplit, SplitReader } from '../connector.js';

/** Where a streaming read starts (resolved from `scan.mode` and friends, see paimon-source.ts). */
export type StreamStart =
  /** Read snapshot `snapshot` in full (the latest when undefined), then follow. */
  | { readonly kind: 'full'; readonly snapshot: number | undefined }
  /** Follow from snapshot `snapshot` (its changes included); after the latest when undefined. */
  | { readonly kind: 'changes'; readonly snapshot: number | undefined }
  /** Follow from the first snapshot committed at or after `timestampMillis`. */
  | { readonly kind: 'timestamp'; readonly timestampMillis: number };

export interface PaimonStreamSplit extends SourceSplit {
  readonly stream: {
    readonly shard: number;
    readonly shards: number;
    readonly start: StreamStart;
    /** A consumer id whose recorded position, when there is one, replaces `start`. */
    readonly resumeConsumer?: string;
  };
}

export interface StreamPosition {
  readonly full: boolean;
  readonly snapshot: number;
  readonly offset: number;
}

/** The shard (of `shards`) that reads the group (partition, bucket). Deterministic across processes. */
export function shardOf(partition: Uint8Array, bucket: number, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < partition.length; i++) h = Math.imul(h ^ partition[i]!, 0x01000193);
  h = (Math.imul(h, 31) + bucket) | 0;
  return ((h % shards) + shards) % shards;
}

function groupKey(partition: Uint8Array, bucket: number): string {
  let s = '';
  for (let i = 0; i < partition.length; i++) s += partition[i]!.toString(16).padStart(2, '0');
  return `${s}/${bucket}`;
}

function slice(batch: RecordBatch, from: number, to: number): RecordBatch {
  const idx = new Int32Array(to - from);
  for (let i = 0; i < idx.length; i++) idx[i] = from + i;
  return selectRows(batch, idx);
}

export class PaimonStreamReader implements SplitReader {
  readonly skippedRecords = 0;
  private table: PaimonTable | null = null;
  /** The unit being read, or null before the next one is chosen. */
  private unit: AsyncGenerator<RecordBatch> | null = null;
  private full: boolean;
  private snapshot: number;
  /** Rows of the current unit returned (including those skipped on recovery). */
  private offset: number;
  private toSkip: number;
  private carry: RecordBatch | null = null;
  private resolved: boolean;
  private lastPollAt = -Infinity;
  /** The plan of the last snapshot whose changes were computed (it is the next one's "before"). */
  private lastPlan: { readonly id: number; readonly groups: Map<string, DataSplit> } | null = null;
  private readonly keyIdx: number[] = [];
  private rowType: RowType | null = null;
  private producer: ChangelogProducer = 'none';

  constructor(
    private readonly openTable: (batchSize: number) => Promise<PaimonTable>,
    private readonly split: PaimonStreamSplit,
    private readonly tableName: string,
    private readonly discoveryIntervalMs: number,
    private readonly now: () => number,
    position: StreamPosition | undefined,
    /** Prunes the splits of every snapshot read by partition and bucket (the scan still filters rows). */
    private readonly predicate?: ScanPredicate,
  ) {
    this.resolved = position !== undefined;
    this.full = position?.full ?? false;
    this.snapshot = position?.snapshot ?? 0;
    this.offset = 0;
    this.toSkip = position?.offset ?? 0;
  }

  position(): StreamPosition {
    return { full: this.full, snapshot: this.snapshot, offset: this.offset + this.toSkip };
  }

  private owns(partition: Uint8Array, bucket: number): boolean {
    const s = this.split.stream;
    return shardOf(partition, bucket, s.shards) === s.shard;
  }

  /** Whether this reader reads split `s`: its shard's, and not pruned by the predicate. */
  private wanted(table: PaimonTable, s: DataSplit): boolean {
    return this.owns(s.partition, s.bucket) && (this.predicate === undefined || table.splitMayMatch(s, this.predicate));
  }

  /** Turns the configured start into the first unit (a fresh start only; recovery has its position). */
  private async resolveStart(table: PaimonTable): Promise<void> {
    const { start, resumeConsumer } = this.split.stream;
    const consumer = resumeConsumer === undefined ? undefined : await readConsumer(table, resumeConsumer);
    if (consumer !== undefined) {
      this.full = false;
      this.snapshot = consumer.nextSnapshot;
      this.resolved = true;
      return;
    }
    const latest = await table.latestSnapshotId();
    if (start.kind === 'full') {
      const at = start.snapshot ?? latest;
      if (at === undefined) {
        this.full = false;
        this.snapshot = 1; // an empty table: follow from its first snapshot
      } else {
        this.full = true;
        this.snapshot = at;
      }
    } else if (start.kind === 'changes') {
      this.full = false;
      this.snapshot = start.snapshot ?? (latest ?? 0) + 1;
    } else {
      this.full = false;
      let first = (latest ?? 0) + 1;
      for (const s of await table.snapshots()) {
        if (s.timeMillis >= start.timestampMillis) {
          first = s.id;
          break;
        }
      }
      this.snapshot = first;
    }
    this.resolved = true;
  }

  async next(maxRows: number): Promise<RecordBatch | null> {
    if (this.table === null) {
      this.table = await this.openTable(Math.max(1, maxRows));
      this.rowType = this.table.rowType;
      for (const k of this.table.primaryKeys) this.keyIdx.push(this.rowType.fields.findIndex((f) => f.name === k));
      this.producer = changelogProducerOf(this.table.options, this.keyIdx.length > 0, this.tableName);
      if (!this.resolved) await this.resolveStart(this.table);
    }
    for (;;) {
      if (this.unit === null && this.carry === null) {
        const unit = await this.nextUnit();
        if (unit === null) return { numRows: 0, kinds: null, columns: [] }; // nothing new yet
        this.unit = unit;
      }
      let batch = this.carry;
      this.carry = null;
      if (batch === null) {
        const r = await this.unit!.next();
        if (r.done === true) {
          // The unit is complete: move on to the changes of the next snapshot.
          this.unit = null;
          this.snapshot += 1;
          this.full = false;
          this.offset = 0;
          this.toSkip = 0;
          continue;
        }
        batch = r.value;
      }
      if (batch.numRows === 0) continue;
      if (this.toSkip > 0) {
        // Recovery: these rows were returned before the checkpoint.
        const skip = Math.min(this.toSkip, batch.numRows);
        this.toSkip -= skip;
        this.offset += skip;
        if (skip === batch.numRows) continue;
        batch = slice(batch, skip, batch.numRows);
      }
      if (batch.numRows > maxRows) {
        this.carry = slice(batch, maxRows, batch.numRows);
        batch = slice(batch, 0, maxRows);
      }
      this.offset += batch.numRows;
      return batch;
    }
  }

  /** The next unit to read, or null when the next snapshot is not there yet (polls at most every interval). */
  private async nextUnit(): Promise<AsyncGenerator<RecordBatch> | null> {
    const table = this.table!;
    if (this.full) return this.readFull(table, this.snapshot);
    const now = this.now();
    if (now - this.lastPollAt < this.discoveryIntervalMs) return null;
    if (!(await table.snapshotExists(this.snapshot))) {
      this.lastPollAt = now;
      const earliest = await table.earliestSnapshotId();
      if (earliest !== undefined && earliest > this.snapshot) {
        throw userError('PAIMON.SNAPSHOT_EXPIRED', `streaming read of table '${this.tableName}': snapshot ${this.snapshot} expired before it was read (the earliest is ${earliest})`, {
          help: "read with a 'consumer-id' (expiration keeps what a consumer has not read), or keep snapshots longer ('snapshot.num-retained.min', 'snapshot.time-retained') than a streaming reader lags behind",
        });
      }
      return null;
    }
    return this.readChanges(table, this.snapshot);
  }

  private async *readFull(table: PaimonTable, snapshotId: number): AsyncGenerator<RecordBatch> {
    // A `lookup` table's level-0 files are not in its changelog yet: the compaction that moves them up
    // writes their keys' changelog, which this read then follows (reading them here would repeat it).
    // The predicate also skips files by statistics here (a full read is a batch read of one snapshot).
    const options = { skipLevel0: this.producer === 'lookup', ...(this.predicate === undefined ? {} : { predicate: this.predicate }) };
    const splits = (await table.plan(snapshotId, options)).filter((s) => this.wanted(table, s));
    splits.sort((a, b) => (groupKey(a.partition, a.bucket) < groupKey(b.partition, b.bucket) ? -1 : 1));
    for (const s of splits) yield* table.readSplit(s);
  }

  private async *readChanges(table: PaimonTable, snapshotId: number): AsyncGenerator<RecordBatch> {
    const snap = await table.snapshot(snapshotId);
    const isPk = this.keyIdx.length > 0;
    if (this.producer !== 'none') {
      // The table writes its changelog: read the snapshot's changelog files as written. OVERWRITE
      // snapshots are skipped as for the other tables (`streaming-read-overwrite` = false).
      if (snap.commitKind === 'OVERWRITE' || snap.changelogManifestList === undefined) return;
      const splits = (await table.changelogSplits(snapshotId)).filter((s) => this.wanted(table, s));
      for (const s of splits) yield* table.readChangelogSplit(s);
      return;
    }
    const relevant = snap.commitKind === 'APPEND' || (isPk && snap.commitKind === 'COMPACT' && table.levelZeroHidden);
    if (!relevant) return;
    const deltas = (await table.deltaSplits(snapshotId)).filter((s) => this.wanted(table, s));
    if (deltas.length === 0) return;
    if (!isPk) {
      for (const d of deltas) if (d.files.length > 0) yield* table.readSplit(d);
      return;
    }
    const before = snapshotId > 1 ? await this.planOf(table, snapshotId - 1) : new Map<string, DataSplit>();
    const after = await this.planOf(table, snapshotId);
    this.lastPlan = { id: snapshotId, groups: after };
    for (const d of deltas) {
      const g = groupKey(d.partition, d.bucket);
      yield* this.diff(table, before.get(g), after.get(g));
    }
  }

  private async planOf(table: PaimonTable, snapshotId: number): Promise<Map<string, DataSplit>> {
    if (this.lastPlan !== null && this.lastPlan.id === snapshotId) return this.lastPlan.groups;
    let splits: DataSplit[];
    try {
      splits = await table.plan(snapshotId);
    } catch (e) {
      if (e instanceof FloeError && e.code === 'LAKE.SNAPSHOT_NOT_FOUND') {
        throw userError('PAIMON.SNAPSHOT_EXPIRED', `streaming read of table '${this.tableName}': snapshot ${snapshotId} expired before its changes were read`, { cause: e });
      }
      throw e;
    }
    const out = new Map<string, DataSplit>();
    for (const s of splits) if (this.wanted(table, s)) out.set(groupKey(s.partition, s.bucket), s);
    return out;
  }

  /** The changelog from the merged rows of one bucket before to after (see the module comment). */
  private async *diff(table: PaimonTable, before: DataSplit | undefined, after: DataSplit | undefined): AsyncGenerator<RecordBatch> {
    const rowType = this.rowType!;
    const types = rowType.fields.map((f) => f.type);
    const keyOf = (batch: RecordBatch, r: number): string => {
      let k = '';
      for (const i of this.keyIdx) k += encodeKey([getValue(batch.columns[i]!, r, types[i]!)]);
      return k;
    };
    const old = new Map<string, { batch: RecordBatch; row: number }>();
    if (before !== undefined) {
      for await (const b of table.readSplit(before)) for (let r = 0; r < b.numRows; r++) old.set(keyOf(b, r), { batch: b, row: r });
    }
    const out = new BatchBuilder(rowType);
    if (after !== undefined) {
      for await (const b of table.readSplit(after)) {
        for (let r = 0; r < b.numRows; r++) {
          const k = keyOf(b, r);
          const prev = old.get(k);
          if (prev === undefined) {
            out.appendFrom(b, r, RowKind.INSERT);
            continue;
          }
          old.delete(k);
          if (encodeKey(getRow(prev.batch, prev.row, rowType)) === encodeKey(getRow(b, r, rowType))) continue; // unchanged
          out.appendFrom(prev.batch, prev.row, RowKind.UPDATE_BEFORE);
          out.appendFrom(b, r, RowKind.UPDATE_AFTER);
        }
        if (out.numRows >= 1024) yield out.finish();
      }
    }
    for (const { batch, row } of old.values()) out.appendFrom(batch, row, RowKind.DELETE);
    if (out.numRows > 0) yield out.finish();
  }

  async close(): Promise<void> {
    await this.unit?.return(undefined);
    this.unit = null;
  }
}
