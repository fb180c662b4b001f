/**
 * The batch writer of a Paimon table (`PaimonTable.newWrite()`): buffers Floe record batches, routes each
 * row to its partition and bucket, and on `prepareCommit()` writes the buffered rows as level-0 data
 * files; `commit(identifier)` then commits them as one APPEND snapshot (`table-commit.ts`).
 *
 * Routing: the partition is the BinaryRow of the partition columns; the bucket is Paimon's
 * `bucketOfRow` over the bucket key (`bucket-key`, else the primary key minus partition keys, else all
 * columns) for fixed-bucket tables, and 0 for bucket-unaware append tables (`bucket` = -1). Primary-key
 * tables with `bucket` = -1 are dynamic-bucket tables: `write` keeps each row's key hash (the BinaryRow
 * hash of the trimmed primary key) and `prepareCommit` looks the buckets up in the partition's hash index,
 * in arrival order, extending it for new keys (`dynamic-bucket-index.ts`); the grown buckets' new HASH
 * index files are committed with the data files (`CommitRequest.indexChanges`).
 *
 * Files:
 * - append tables: the value columns; rows must add (+I/+U) — Paimon rejects -U/-D there, and with
 *   `ignore-delete` they are dropped instead;
 * - primary-key tables: `_KEY_<k>` (trimmed primary key), `_SEQUENCE_NUMBER`, `_VALUE_KIND`, then the
 *   value columns, sorted by key. A file is a sorted run with at most one row per key, so when a key
 *   occurs n times in one commit its rows go to n files (the i-th occurrence to the i-th run); the merge
 *   engine folds them on read or compaction, exactly as it would fold Paimon's own runs.
 * Sequence numbers increase per (partition, bucket) in arrival order, continuing after the largest one
 * in the bucket's live files.
 *
 * Changelog (`changelog-producer.ts`): with `input`, each bucket's rows are also written unmerged, every
 * row kind kept, to a changelog file committed in the same snapshot; with `lookup`, `commit()` follows
 * the APPEND snapshot with the compaction that writes the changelog (`lookup-changelog.ts`).
 */
import { randomUUID } from 'node:crypto';
import { internalError, unsupported, userError } from '../common/index.js';
import { RowKind, compareValues, getRow, getValue, type LogicalType, type RecordBatch, type RowType } from '../types/index.js';
import { BinaryRowWriter, deserializeBinaryRow } from './binary-row.js';
import { bucketOfRow, hashBytesByWords } from './bucket-hash.js';
import { CHANGELOG_FILE_PREFIX, changelogProducerOf, splitChangelogEntries, type ChangelogProducer } from './changelog-producer.js';
import { checkWritable, columnStats, serializeRow, writeParquetDataFile, type WriteField } from './data-file-writer.js';
import { DynamicBucketIndex, type AssignerIdentity } from './dynamic-bucket-index.js';
import { FileKind, type DataFileMeta, type IndexManifestEntry, type ManifestEntry } from './manifest.js';
import { MAIN_BRANCH, joinKey, partitionPath } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';
import { BATCH_COMMIT_IDENTIFIER, commitEntries, findCommitted, type CommitResult } from './table-commit.js';
import { compactTable } from './table-compact.js';
import { bucketKeys, fieldByName, trimmedPrimaryKeys, type TableSchema } from './table-schema.js';

export const SEQUENCE_NUMBER_FIELD_ID = 2147483646;
export const VALUE_KIND_FIELD_ID = 2147483645;
/** `_KEY_<k>` columns carry this plus the field id. */
export const KEY_FIELD_ID_START = 1073741823;

export interface PaimonWriteOptions {
  /** Names this writer in snapshots; with `commit(identifier)` it makes commits idempotent. Default: a random UUID. */
  readonly commitUser?: string;
  /**
   * Dynamic-bucket tables: which of the job's parallel writers this is (default the only one). Each
   * creates and fills only its own buckets (`dynamic-bucket-index.ts`), so every key must always reach
   * the same writer: route rows by (partition, `dynamicBucketChannel`) to writers.
   */
  readonly assigner?: AssignerIdentity;
}

/** What a writer prepared since it last handed its files over. */
export interface PreparedFiles {
  readonly entries: ManifestEntry[];
  /** New HASH index files of a dynamic-bucket table (commit them with the entries). */
  readonly indexChanges: IndexManifestEntry[];
}

/**
 * The next sequence number a writer hands out in one (partition, bucket). A checkpointing writer keeps
 * these in its checkpoint: after a recovery the files of the restored checkpoint may not be committed
 * yet when the writer prepares its next files, so the latest snapshot alone could hand out numbers
 * below theirs and let an older row win the merge.
 */
export interface SequenceCounter {
  readonly partition: Uint8Array;
  readonly partitionValues: readonly unknown[];
  readonly bucket: number;
  readonly next: number;
}

/**
 * Rows of one (partition, bucket), in arrival order: references to the written batches (immutable once
 * emitted, so they may be kept) and the row positions taken from each; rows are materialized only when
 * files are written.
 */
interface BucketBuffer {
  readonly partition: Uint8Array;
  readonly partitionValues: unknown[];
  readonly bucket: number;
  readonly batches: RecordBatch[];
  readonly positions: number[][];
}

/** Rows of a dynamic-bucket partition whose bucket is not looked up yet, with their key hashes. */
interface UnassignedRows {
  readonly batches: RecordBatch[];
  readonly positions: number[][];
  readonly hashes: number[];
}

/** The bucket buffers of one partition, by bucket id. */
interface PartitionBuffer {
  readonly partition: Uint8Array;
  readonly values: unknown[];
  readonly buckets: (BucketBuffer | undefined)[];
  /** Dynamic-bucket tables: rows in arrival order, assigned to buckets in `prepareCommit`. */
  unassigned: UnassignedRows | undefined;
  /** Dynamic-bucket tables: the routing channels (`dynamicBucketChannel`) of the rows seen here. */
  channels: Set<number> | undefined;
}

/** Appends row `r` of `batch` to the partition's buffer of `bucket` (consecutive rows of a batch share an entry). */
function bufferRow(part: PartitionBuffer, bucket: number, batch: RecordBatch, r: number): void {
  let buf = part.buckets[bucket];
  if (buf === undefined) {
    buf = { partition: part.partition, partitionValues: part.values, bucket, batches: [], positions: [] };
    part.buckets[bucket] = buf;
  }
  const last = buf.batches.length - 1;
  if (last >= 0 && buf.batches[last] === batch) buf.positions[last]!.push(r);
  else {
    buf.batches.push(batch);
    buf.positions.push([r]);
  }
}

/** The layout of a table's data files and where its rows go. */
export class WriteLayout {
  readonly schema: TableSchema;
  readonly types: LogicalType[];
  readonly isPk: boolean;
  readonly partitionIdx: number[];
  readonly partitionTypes: LogicalType[];
  readonly keyIdx: number[];
  readonly keyTypes: LogicalType[];
  readonly bucketIdx: number[];
  readonly bucketTypes: LogicalType[];
  readonly numBuckets: number;
  readonly totalBuckets: number;
  /** A dynamic-bucket primary-key table (`bucket` = -1): buckets come from the hash index. */
  readonly dynamic: boolean;
  /** The columns of a data file, in file order. */
  readonly fileFields: WriteField[];
  /** The table's `changelog-producer` (`changelog-producer.ts`). */
  readonly changelogProducer: ChangelogProducer;

  constructor(readonly table: PaimonTable) {
    const schema = table.schema();
    this.schema = schema;
    const what = `Paimon table '${table.tablePath}'`;
    if (table.branch !== MAIN_BRANCH) throw unsupported('LAKE.UNSUPPORTED_WRITE', `${what}: Floe writes the main branch only`);
    const format = (table.options['file.format'] ?? 'parquet').toLowerCase();
    if (format !== 'parquet') throw unsupported('LAKE.UNSUPPORTED_FORMAT', `${what}: Floe writes Parquet data files only (file.format '${format}')`);
    if ((table.options['manifest.format'] ?? 'avro').toLowerCase() !== 'avro') throw unsupported('LAKE.UNSUPPORTED_FORMAT', `${what}: Floe writes Avro manifests only`);
    for (const opt of ['data-evolution.enabled', 'row-tracking.enabled']) {
      if (table.options[opt] === 'true') throw unsupported('LAKE.UNSUPPORTED_WRITE', `${what} uses ${opt}, which Floe cannot write yet`);
    }
    const index = (n: string): number => schema.fields.findIndex((f) => f.name === n);
    this.types = schema.fields.map((f) => f.type);
    this.isPk = schema.primaryKeys.length > 0;
    this.partitionIdx = schema.partitionKeys.map(index);
    this.partitionTypes = this.partitionIdx.map((i) => this.types[i]!);
    const keys = this.isPk ? trimmedPrimaryKeys(schema) : [];
    this.keyIdx = keys.map(index);
    this.keyTypes = this.keyIdx.map((i) => this.types[i]!);
    this.numBuckets = table.numBuckets;
    if (this.numBuckets === -2 || this.numBuckets === 0 || this.numBuckets < -2) {
      throw unsupported(this.numBuckets === -2 ? 'LAKE.POSTPONE_BUCKET_UNSUPPORTED' : 'LAKE.UNSUPPORTED_BUCKET_MODE', `${what} has bucket = ${this.numBuckets}; Floe writes fixed-bucket, dynamic-bucket (-1) primary-key and bucket-unaware append tables only`);
    }
    this.dynamic = this.isPk && this.numBuckets === -1;
    if (this.dynamic && this.partitionIdx.some((i) => !schema.primaryKeys.includes(schema.fields[i]!.name))) {
      throw unsupported('LAKE.CROSS_PARTITION_UPDATE_UNSUPPORTED', `${what}: its primary key (${schema.primaryKeys.join(', ')}) lacks partition keys, which needs Paimon's cross-partition upsert mode`);
    }
    this.totalBuckets = this.numBuckets > 0 ? this.numBuckets : -1;
    // Dynamic buckets hash the trimmed primary key (Paimon's `trimmedPrimaryKey().hashCode()`).
    const bkeys = this.numBuckets > 0 ? bucketKeys(schema) : this.dynamic ? keys : [];
    this.bucketIdx = bkeys.map(index);
    this.bucketTypes = this.bucketIdx.map((i) => this.types[i]!);
    const values: WriteField[] = schema.fields.map((f) => ({ id: f.id, name: f.name, type: f.type }));
    this.fileFields = this.isPk
      ? [
          ...keys.map((k) => {
            const f = fieldByName(schema, k);
            return { id: KEY_FIELD_ID_START + f.id, name: `_KEY_${f.name}`, type: f.type };
          }),
          { id: SEQUENCE_NUMBER_FIELD_ID, name: '_SEQUENCE_NUMBER', type: { kind: 'BIGINT', nullable: false } },
          { id: VALUE_KIND_FIELD_ID, name: '_VALUE_KIND', type: { kind: 'TINYINT', nullable: false } },
          ...values,
        ]
      : values;
    checkWritable(this.fileFields);
    this.changelogProducer = changelogProducerOf(table.options, this.isPk, table.tablePath);
  }

  /** The store key of a data file. */
  fileKey(partitionValues: readonly unknown[], bucket: number, fileName: string): string {
    const o = this.table.options;
    const pPath = partitionPath(this.schema.partitionKeys, this.partitionTypes, partitionValues, o['partition.default-name'] ?? '__DEFAULT_PARTITION__', (o['partition.legacy-name'] ?? 'true') !== 'false');
    return joinKey(this.table.tablePath, pPath, `bucket-${bucket}`, fileName);
  }

  /**
   * Writes `rows` (value rows with kinds and sequence numbers) of one bucket as one data file of `level`.
   * For primary-key tables the rows must be sorted by key with at most one row per key. With `changelog`
   * the file is a changelog file instead (`changelog-…` name, same layout): sorted by key, but a key may
   * occur several times (its records in sequence order).
   */
  async writeFile(
    partitionValues: readonly unknown[],
    bucket: number,
    rows: readonly (readonly unknown[])[],
    kinds: readonly number[],
    seqs: readonly number[],
    level: number,
    fileSource: number,
    changelog = false,
  ): Promise<DataFileMeta> {
    const n = rows.length;
    const nf = this.types.length;
    const valueCols: unknown[][] = [];
    for (let c = 0; c < nf; c++) {
      const col = new Array<unknown>(n);
      for (let r = 0; r < n; r++) col[r] = rows[r]![c] ?? null;
      valueCols.push(col);
    }
    const keyCols = this.keyIdx.map((i) => valueCols[i]!);
    const columns: unknown[][] = this.isPk ? [...keyCols, seqs.slice(), kinds.slice(), ...valueCols] : valueCols;
    const bytes = writeParquetDataFile(this.fileFields, columns, n);
    const fileName = `${changelog ? CHANGELOG_FILE_PREFIX : 'data-'}${randomUUID()}-0.parquet`;
    await this.table.store.put(this.fileKey(partitionValues, bucket, fileName), bytes);
    let minSeq = Infinity, maxSeq = -Infinity, deletes = 0;
    for (let r = 0; r < n; r++) {
      minSeq = Math.min(minSeq, seqs[r]!);
      maxSeq = Math.max(maxSeq, seqs[r]!);
      if (kinds[r] === RowKind.UPDATE_BEFORE || kinds[r] === RowKind.DELETE) deletes++;
    }
    const emptyRow = new BinaryRowWriter(0).serialize();
    const keyOf = (r: number): unknown[] => this.keyIdx.map((i) => rows[r]![i] ?? null);
    return {
      fileName,
      fileSize: bytes.length,
      rowCount: n,
      minKey: this.isPk ? serializeRow(keyOf(0), this.keyTypes) : emptyRow,
      maxKey: this.isPk ? serializeRow(keyOf(n - 1), this.keyTypes) : emptyRow,
      keyStats: this.isPk ? columnStats(this.keyTypes, keyCols, n, false) : { minValues: emptyRow, maxValues: emptyRow, nullCounts: [] },
      valueStats: columnStats(this.types, valueCols, n, true),
      minSequenceNumber: minSeq,
      maxSequenceNumber: maxSeq,
      schemaId: this.schema.id,
      level,
      extraFiles: [],
      creationTime: Date.now(),
      deleteRowCount: deletes,
      embeddedIndex: null,
      fileSource,
      valueStatsCols: null,
      externalPath: null,
      firstRowId: undefined,
      writeCols: null,
    };
  }

  /** Compares the keys of two value rows. */
  compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
    for (let k = 0; k < this.keyIdx.length; k++) {
      const i = this.keyIdx[k]!;
      const x = a[i] ?? null, y = b[i] ?? null;
      if (x === null || y === null) {
        if (x !== y) return x === null ? -1 : 1;
        continue;
      }
      const c = compareValues(x, y, this.keyTypes[k]!);
      if (c !== 0) return c;
    }
    return 0;
  }
}

/** The buffered rows of a bucket as value arrays, with their kinds, in arrival order. */
function materialize(buf: BucketBuffer, rowType: RowType): { rows: unknown[][]; kinds: number[] } {
  const rows: unknown[][] = [];
  const kinds: number[] = [];
  for (let i = 0; i < buf.batches.length; i++) {
    const batch = buf.batches[i]!;
    for (const r of buf.positions[i]!) {
      rows.push(getRow(batch, r, rowType));
      kinds.push(batch.kinds === null ? RowKind.INSERT : batch.kinds[r]!);
    }
  }
  return { rows, kinds };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Highest sequence number of the live files of each (partition, bucket) of the latest snapshot. */
export async function maxSequenceNumbers(table: PaimonTable): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const latest = await table.latestSnapshot();
  if (latest === undefined) return out;
  for (const e of await table.manifestEntries(latest)) {
    const k = `${hex(e.partition)}/${e.bucket}`;
    out.set(k, Math.max(out.get(k) ?? -1, e.file.maxSequenceNumber));
  }
  return out;
}

export class PaimonTableWrite {
  readonly commitUser: string;
  private readonly layout: WriteLayout;
  private readonly buffers = new Map<string, PartitionBuffer>();
  /** The values of `buffers`, in creation order. */
  private partitionList: PartitionBuffer[] = [];
  private buffered = 0;
  private readonly partitionWriter: BinaryRowWriter;
  private readonly bucketWriter: BinaryRowWriter;
  private readonly ignoreDelete: boolean;
  private pending: ManifestEntry[] = [];
  /** HASH index files prepared since the last hand-over (dynamic-bucket tables). */
  private pendingIndex: IndexManifestEntry[] = [];
  /** The hash indexes of a dynamic-bucket table, else null. */
  private readonly bucketIndex: DynamicBucketIndex | null;
  /** Next sequence number per (partition, bucket) handed out by this writer. */
  private readonly nextSeq = new Map<string, number>();
  /** The partition and bucket of every `nextSeq` group. */
  private readonly seqGroups = new Map<string, { partition: Uint8Array; partitionValues: readonly unknown[]; bucket: number }>();

  constructor(readonly table: PaimonTable, options: PaimonWriteOptions = {}) {
    this.commitUser = options.commitUser ?? randomUUID();
    this.layout = new WriteLayout(table);
    this.partitionWriter = new BinaryRowWriter(this.layout.partitionIdx.length);
    this.bucketWriter = new BinaryRowWriter(this.layout.bucketIdx.length);
    const opt = (k: string): boolean => (table.options[k] ?? 'false').toLowerCase() === 'true';
    this.ignoreDelete = opt('ignore-delete') || opt('deduplicate.ignore-delete');
    this.bucketIndex = this.layout.dynamic ? new DynamicBucketIndex(table, options.assigner) : null;
  }

  /**
   * Buffers the rows of `batch` (columns in table-schema order, row kinds from `batch.kinds`). For a
   * dynamic-bucket table, `channels` (optional) are the rows' routing channels, remembered per partition
   * (`dynamicChannels`).
   */
  write(batch: RecordBatch, channels?: Int32Array): void {
    const L = this.layout;
    const nf = L.types.length;
    if (batch.columns.length !== nf) {
      throw userError('LAKE.WRITE_SCHEMA_MISMATCH', `Paimon table '${this.table.tablePath}' has ${nf} columns, but a batch of ${batch.columns.length} columns was written`);
    }
    const kinds = batch.kinds;
    const cols = batch.columns;
    const pw = this.partitionWriter;
    const bw = this.bucketWriter;
    this.validate(batch);
    // Consecutive rows mostly share a partition: compare its BinaryRow bytes before any lookup.
    let part: PartitionBuffer | null = null;
    for (let r = 0; r < batch.numRows; r++) {
      if (!L.isPk && this.ignoreDelete && kinds !== null && (kinds[r] === RowKind.UPDATE_BEFORE || kinds[r] === RowKind.DELETE)) continue;
      pw.reset();
      for (let p = 0; p < L.partitionIdx.length; p++) pw.set(p, getValue(cols[L.partitionIdx[p]!]!, r, L.partitionTypes[p]!), L.partitionTypes[p]!);
      if (part === null || !pw.sameBytes(part.partition, 4)) part = this.partitionBuffer(batch, r);
      if (L.dynamic) {
        bw.reset();
        for (let b = 0; b < L.bucketIdx.length; b++) bw.set(b, getValue(cols[L.bucketIdx[b]!]!, r, L.bucketTypes[b]!), L.bucketTypes[b]!);
        const u = (part.unassigned ??= { batches: [], positions: [], hashes: [] });
        const last = u.batches.length - 1;
        if (last >= 0 && u.batches[last] === batch) u.positions[last]!.push(r);
        else {
          u.batches.push(batch);
          u.positions.push([r]);
        }
        u.hashes.push(hashBytesByWords(bw.bytes()));
        if (channels !== undefined) (part.channels ??= new Set()).add(channels[r]!);
        this.buffered++;
        continue;
      }
      let bucket = 0;
      if (L.numBuckets > 0) {
        bw.reset();
        for (let b = 0; b < L.bucketIdx.length; b++) bw.set(b, getValue(cols[L.bucketIdx[b]!]!, r, L.bucketTypes[b]!), L.bucketTypes[b]!);
        bucket = bucketOfRow(bw.bytes(), L.numBuckets);
      }
      bufferRow(part, bucket, batch, r);
      this.buffered++;
    }
  }

  /** Rejects a batch before any of its rows is buffered, so a failed `write` leaves the writer unchanged. */
  private validate(batch: RecordBatch): void {
    const L = this.layout;
    const kinds = batch.kinds;
    if (!L.isPk && !this.ignoreDelete && kinds !== null) {
      for (let r = 0; r < batch.numRows; r++) {
        const kind = kinds[r]!;
        if (kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE) {
          throw userError('LAKE.APPEND_ONLY_RETRACTION', `Paimon append table '${this.table.tablePath}' cannot take ${kind === RowKind.DELETE ? '-D' : '-U'} rows`, {
            help: "give the table a primary key, or set 'ignore-delete' = 'true' to drop retractions",
          });
        }
      }
    }
    for (let k = 0; k < L.keyIdx.length; k++) {
      const c = L.keyIdx[k]!;
      const col = batch.columns[c]!;
      for (let r = 0; r < batch.numRows; r++) {
        if (getValue(col, r, L.types[c]!) === null) {
          throw userError('LAKE.NULL_PRIMARY_KEY', `Paimon table '${this.table.tablePath}': primary-key column '${L.schema.fields[c]!.name}' is NULL`);
        }
      }
    }
  }

  /** The buffers of the partition the partition writer holds (row `r` of `batch` gives its values). */
  private partitionBuffer(batch: RecordBatch, r: number): PartitionBuffer {
    const L = this.layout;
    // Few open partitions (the common case): compare bytes, allocate nothing.
    const open = this.partitionList;
    if (open.length <= 16) {
      for (let i = 0; i < open.length; i++) if (this.partitionWriter.sameBytes(open[i]!.partition, 4)) return open[i]!;
    }
    const serialized = this.partitionWriter.serialize();
    const key = hex(serialized);
    let part = this.buffers.get(key);
    if (part === undefined) {
      const values = L.partitionIdx.map((c) => getValue(batch.columns[c]!, r, L.types[c]!));
      part = { partition: serialized, values, buckets: [], unassigned: undefined, channels: undefined };
      this.buffers.set(key, part);
      this.partitionList.push(part);
    }
    return part;
  }

  /**
   * Writes the buffered rows as data files (and, with `changelog-producer` = `input`, one changelog file
   * per bucket); returns their manifest entries (kept for `commit`). Changelog entries are told apart by
   * file name (`splitChangelogEntries`).
   */
  async prepareCommit(): Promise<ManifestEntry[]> {
    const L = this.layout;
    if (this.bucketIndex !== null) await this.assignDynamicBuckets(this.bucketIndex);
    const existing = this.buffered > 0 ? await maxSequenceNumbers(this.table) : new Map<string, number>();
    const entries: ManifestEntry[] = [];
    const groups: BucketBuffer[] = [];
    for (const part of this.buffers.values()) for (const b of part.buckets) if (b !== undefined) groups.push(b);
    for (const buf of groups) {
      const group = `${hex(buf.partition)}/${buf.bucket}`;
      const { rows, kinds } = materialize(buf, L.schema.rowType);
      let seq = Math.max(this.nextSeq.get(group) ?? 0, (existing.get(group) ?? -1) + 1);
      const n = rows.length;
      const seqs = new Array<number>(n);
      for (let r = 0; r < n; r++) seqs[r] = seq++;
      this.nextSeq.set(group, seq);
      if (!this.seqGroups.has(group)) this.seqGroups.set(group, { partition: buf.partition, partitionValues: buf.partitionValues, bucket: buf.bucket });
      const runs: number[][] = [];
      if (!L.isPk) runs.push(seqs.map((_, r) => r));
      else {
        // Row r goes to run (occurrences of its key so far): each run holds a key at most once.
        const order = seqs.map((_, r) => r).sort((a, b) => L.compareKeys(rows[a]!, rows[b]!) || a - b);
        let prev = -1, occurrence = 0;
        for (const r of order) {
          occurrence = prev >= 0 && L.compareKeys(rows[prev]!, rows[r]!) === 0 ? occurrence + 1 : 0;
          prev = r;
          (runs[occurrence] ??= []).push(r);
        }
        if (L.changelogProducer === 'input') {
          // The input as received, every record of a key in arrival (= sequence) order: Paimon writes its
          // sorted write buffer unmerged to the changelog file of the flush.
          const file = await L.writeFile(
            buf.partitionValues,
            buf.bucket,
            order.map((r) => rows[r]!),
            order.map((r) => kinds[r]!),
            order.map((r) => seqs[r]!),
            0,
            0,
            true,
          );
          entries.push({ kind: FileKind.ADD, partition: buf.partition, bucket: buf.bucket, totalBuckets: L.totalBuckets, file });
        }
      }
      for (const run of runs) {
        const file = await L.writeFile(
          buf.partitionValues,
          buf.bucket,
          run.map((r) => rows[r]!),
          run.map((r) => kinds[r]!),
          run.map((r) => seqs[r]!),
          0,
          0,
        );
        entries.push({ kind: FileKind.ADD, partition: buf.partition, bucket: buf.bucket, totalBuckets: L.totalBuckets, file });
      }
    }
    if (L.dynamic) {
      // Keep the partitions (their channels), drop their rows.
      for (const part of this.buffers.values()) part.buckets.length = 0;
    } else {
      this.buffers.clear();
      this.partitionList = [];
    }
    this.buffered = 0;
    this.pending.push(...entries);
    if (this.bucketIndex !== null) for (const e of await this.bucketIndex.takeChangedFiles()) this.pendingIndex.push(e);
    return entries;
  }

  /** Moves the unassigned rows of every partition into the buckets the hash index gives their keys. */
  private async assignDynamicBuckets(index: DynamicBucketIndex): Promise<void> {
    for (const part of this.buffers.values()) {
      const u = part.unassigned;
      if (u === undefined) continue;
      part.unassigned = undefined;
      const hashIndex = await index.partition(part.partition);
      let h = 0;
      for (let i = 0; i < u.batches.length; i++) {
        const batch = u.batches[i]!;
        for (const r of u.positions[i]!) {
          bufferRow(part, hashIndex.assign(u.hashes[h++]!), batch, r);
        }
      }
    }
  }

  /**
   * Dynamic-bucket tables: the routing channels seen per partition (from `write`'s `channels` and
   * `restoreChannel`), so a checkpointing writer can file its sequence counters under every state key
   * its rows were routed by.
   */
  dynamicChannels(): { partition: Uint8Array; partitionValues: readonly unknown[]; channels: number[] }[] {
    const out: { partition: Uint8Array; partitionValues: readonly unknown[]; channels: number[] }[] = [];
    for (const part of this.buffers.values()) {
      if (part.channels !== undefined && part.channels.size > 0) out.push({ partition: part.partition, partitionValues: part.values, channels: [...part.channels].sort((a, b) => a - b) });
    }
    return out;
  }

  /** Remembers a routing channel of a partition (restoring a checkpoint). */
  restoreChannel(partition: Uint8Array, partitionValues: readonly unknown[], channel: number): void {
    const key = hex(partition);
    let part = this.buffers.get(key);
    if (part === undefined) {
      part = { partition, values: [...partitionValues], buckets: [], unassigned: undefined, channels: undefined };
      this.buffers.set(key, part);
      this.partitionList.push(part);
    }
    (part.channels ??= new Set()).add(channel);
  }

  /**
   * Writes what is buffered and hands over every file prepared since the last commit, which this writer
   * then forgets: the caller commits them itself with `commitEntries` (a checkpointing sink keeps them in
   * its checkpoint and commits them, idempotently, when the checkpoint completed).
   */
  async prepareAndDetach(): Promise<ManifestEntry[]> {
    const { entries, indexChanges } = await this.prepareAndDetachAll();
    if (indexChanges.length > 0) {
      // Committing the data files without their index would let a later writer put their keys elsewhere.
      this.pendingIndex = indexChanges.concat(this.pendingIndex);
      this.pending = entries.concat(this.pending);
      throw internalError(`prepareAndDetach on dynamic-bucket table '${this.table.tablePath}' would drop its hash index changes; use prepareAndDetachAll`);
    }
    return entries;
  }

  /** `prepareAndDetach` with the HASH index files (dynamic-bucket tables) to commit with the entries. */
  async prepareAndDetachAll(): Promise<PreparedFiles> {
    await this.prepareCommit();
    const entries = this.pending;
    const indexChanges = this.pendingIndex;
    this.pending = [];
    this.pendingIndex = [];
    return { entries, indexChanges };
  }

  /**
   * Writes what is buffered and commits every file prepared since the last commit as one APPEND
   * snapshot. With an `identifier` (a streaming checkpoint id, increasing per commit user) the commit is
   * a no-op when this commit user already committed that identifier or a later one — how a sink recovers
   * exactly once. Empty commits create no snapshot. For a `lookup` changelog table (not `write-only`) a
   * COMPACT snapshot with the changelog follows, and the result names it.
   */
  async commit(identifier?: bigint | number): Promise<CommitResult> {
    if (identifier !== undefined) {
      // A replayed commit after recovery: its rows are already in the table, so write nothing.
      const done = await findCommitted(this.table, this.commitUser, BigInt(identifier), await this.table.latestSnapshotId());
      if (done !== undefined) {
        await this.discard();
        return { snapshotId: done.id, committed: false };
      }
    }
    await this.prepareCommit();
    const entries = this.pending;
    const indexChanges = this.pendingIndex;
    this.pending = [];
    this.pendingIndex = [];
    const { data, changelog } = splitChangelogEntries(entries);
    let result: CommitResult;
    try {
      result = await commitEntries(this.table, {
        commitUser: this.commitUser,
        identifier: identifier === undefined ? BATCH_COMMIT_IDENTIFIER : BigInt(identifier),
        idempotent: identifier !== undefined,
        kind: 'APPEND',
        entries: data,
        changelog,
        indexChanges,
      });
    } catch (e) {
      // The files stay prepared: a later commit (or `discard`) takes care of them.
      this.pending = entries.concat(this.pending);
      this.pendingIndex = indexChanges.concat(this.pendingIndex);
      throw e;
    }
    if (result.committed && this.layout.changelogProducer === 'lookup' && (this.table.options['write-only'] ?? 'false').toLowerCase() !== 'true') {
      // Paimon's lookup producer compacts the new level-0 files at every commit, producing their changelog
      // (a COMPACT snapshot right after the APPEND one). Its own commit user: a COMPACT snapshot carries the
      // batch identifier, which under this writer's user would make later identifiers look committed.
      const compacted = await compactTable(this.table, { commitUser: randomUUID() });
      if (compacted.committed) return compacted;
    }
    return result;
  }

  /** The sequence counters of every (partition, bucket) this writer wrote (see `SequenceCounter`). */
  sequenceCounters(): SequenceCounter[] {
    const out: SequenceCounter[] = [];
    for (const [group, g] of this.seqGroups) out.push({ partition: g.partition, partitionValues: g.partitionValues, bucket: g.bucket, next: this.nextSeq.get(group)! });
    return out;
  }

  /** Raises a bucket's counter to at least `c.next` (restoring a checkpoint); never lowers it. */
  restoreSequenceCounter(c: SequenceCounter): void {
    const group = `${hex(c.partition)}/${c.bucket}`;
    if ((this.nextSeq.get(group) ?? 0) >= c.next) return;
    this.nextSeq.set(group, c.next);
    this.seqGroups.set(group, { partition: c.partition, partitionValues: c.partitionValues, bucket: c.bucket });
  }

  /** Drops buffered rows and deletes files prepared but not committed. */
  async discard(): Promise<void> {
    this.buffers.clear();
    this.partitionList = [];
    this.buffered = 0;
    const L = this.layout;
    const types = L.partitionTypes;
    for (const e of this.pending) {
      await this.table.store.delete(L.fileKey(deserializeBinaryRow(e.partition, types, 'partition'), e.bucket, e.file.fileName));
    }
    this.pending = [];
    for (const e of this.pendingIndex) await this.table.store.delete(joinKey(this.table.tablePath, 'index', e.fileName));
    this.pendingIndex = [];
  }
}
