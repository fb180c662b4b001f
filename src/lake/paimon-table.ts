/**
 * A Paimon table opened for reading: schemas, snapshots, scan planning and the batch read of a snapshot.
 *
 * Reading snapshot S:
 * 1. Plan: the entries of every manifest in S's base and delta manifest lists, applied in order (ADD minus
 *    DELETE), give the live data files; files are pruned by partition (and bucket) filters, and grouped
 *    into splits by (partition, bucket). Deletion vectors come from S's index manifest.
 * 2. Read: append tables concatenate their files; primary-key tables merge the files of each bucket
 *    (`merge-read.ts`). For tables with deletion vectors or the first-row engine a batch scan reads only
 *    files above level 0 (level-0 files are not yet compacted; Paimon does the same).
 *    Columns are matched by field id and cast to the reading schema (`schema-evolution.ts`).
 * 3. With `scan.fallback-branch`, partitions missing from the main branch are read from the fallback.
 *
 * Rows come out as +I in the Floe value representation, in batches of up to `batchSize` rows.
 */
import { ioError, unsupported, userError, type FloeError } from '../common/index.js';
import type { ObjectStore } from '../storage/index.js';
import { BatchBuilder, RowKind, compareValues, type LogicalType, type RecordBatch, type RowType } from '../types/index.js';
import { BinaryRowWriter, deserializeBinaryRow, serializedArity } from './binary-row.js';
import { bucketOfRow } from './bucket-hash.js';
import { dataFileFormat, finishValue, needsFinish, readDataFile, type FileField } from './data-file-reader.js';
import { readDeletionVector } from './deletion-vector.js';
import {
  FileKind,
  decodeIndexManifest,
  decodeManifest,
  decodeManifestList,
  mergeManifestEntries,
  type DataFileMeta,
  type IndexManifestEntry,
  type ManifestEntry,
  type ManifestFileMeta,
} from './manifest.js';
import { mergeRuns, mergeSettingsOf, type KvRun, type MergeSpec, type MergedRowSink } from './merge-read.js';
import { MAIN_BRANCH, branchRoot, externalPathKey, joinKey, partitionPath } from './paimon-paths.js';
import { evolutionCast, type ValueCast } from './schema-evolution.js';
import { parseSnapshot, type Snapshot } from './snapshot.js';
import { bucketKeys, fieldByName, parseTableSchema, trimmedPrimaryKeys, type TableSchema } from './table-schema.js';
import { exactRange, mayMatch, pinnedValues, predicateColumns, restrictPredicate, sameOrdering, type ColumnRange, type ScanPredicate } from './scan-predicate.js';
import { PaimonTableWrite, type PaimonWriteOptions } from './table-write.js';
import { compactTable, type CompactOptions } from './table-compact.js';
import type { CommitResult } from './table-commit.js';
import { expireSnapshots, type ExpireOptions, type ExpireResult } from './snapshot-expire.js';
import { createTag, deleteTag, listTags, readTag, type CreateTagOptions, type DeleteTagResult, type TableTag } from './table-tags.js';
import { rollbackTo, type RollbackResult, type RollbackTarget } from './table-rollback.js';
import { removeOrphanFiles, type RemoveOrphanFilesOptions, type RemoveOrphanFilesResult } from './orphan-files.js';

export interface OpenPaimonTableOptions {
  /** Branch to read (default `main`). */
  readonly branch?: string;
  /** Options laid over the table's own (Paimon's dynamic options), e.g. `{ 'ignore-delete': 'true' }`. */
  readonly dynamicOptions?: Readonly<Record<string, string>>;
  /** Rows per emitted batch (default 1024). */
  readonly batchSize?: number;
}

export interface ReadSnapshotOptions {
  /** Equality on partition columns (by name); only matching partitions are read. */
  readonly partitionFilter?: Readonly<Record<string, unknown>>;
  /**
   * Equality on every bucket-key column (by name), for fixed-bucket tables: only the bucket those values
   * hash to is read. Rows of other keys in that bucket are still returned (this prunes, it does not filter).
   */
  readonly bucketFilter?: Readonly<Record<string, unknown>>;
  /**
   * A predicate over columns of the latest schema (by name) to prune with: partitions it rules out are not
   * read, nor (fixed-bucket tables) buckets its equalities on every bucket key rule out, nor files whose
   * statistics rule it out — value stats of append tables, key stats of primary-key tables (value stats
   * of a primary-key file describe rows before the merge, so they cannot decide what the merge yields).
   * It prunes, it does not filter: kept splits still hold rows that fail it.
   */
  readonly predicate?: ScanPredicate;
  /** Read with this schema instead of the latest one. */
  readonly schemaId?: number;
  /**
   * Leave level-0 files out (always done when `levelZeroHidden`). How a streaming read of a `lookup`
   * changelog table starts: the changelog of the compaction that moves those files up covers their rows.
   */
  readonly skipLevel0?: boolean;
}

/** A unit of reading: the live files of one bucket of one partition, with their deletion vectors. */
export interface DataSplit {
  readonly partition: Uint8Array;
  readonly partitionValues: readonly unknown[];
  readonly bucket: number;
  readonly totalBuckets: number;
  readonly files: readonly DataFileMeta[];
  /** Data file name → deletion vector location. */
  readonly deletionVectors: ReadonlyMap<string, { readonly indexFile: string; readonly offset: number; readonly length: number }>;
  /** The branch whose snapshot planned this split (fallback reads name the fallback branch). */
  readonly branch: string;
}

/** Equality of partition column `index` (in partition-key order) with `value`. */
interface PartitionCheck {
  readonly index: number;
  readonly value: unknown;
}

/** Most combinations of pinned bucket-key values bucket pruning hashes (beyond it, no bucket pruning). */
const MAX_PINNED_BUCKET_KEYS = 1024;

const SEQUENCE_FIELD_ID = 2147483646;
const VALUE_KIND_FIELD_ID = 2147483645;
const SEQUENCE_FIELD: FileField = { id: SEQUENCE_FIELD_ID, name: '_SEQUENCE_NUMBER', type: { kind: 'BIGINT', nullable: false } };
const VALUE_KIND_FIELD: FileField = { id: VALUE_KIND_FIELD_ID, name: '_VALUE_KIND', type: { kind: 'TINYINT', nullable: false } };

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

function notFound(e: unknown): boolean {
  return (e as FloeError | null)?.code === 'IO.NOT_FOUND';
}

export class PaimonTable {
  private readonly schemas: ReadonlyMap<number, TableSchema>;
  private readonly latest: TableSchema;
  readonly options: Readonly<Record<string, string>>;
  private readonly batchSize: number;
  private readonly fallback: PaimonTable | null;
  /** `bucketPruner` per predicate, for `splitMayMatch` (a streaming read asks for every split it sees). */
  private readonly bucketPruners = new WeakMap<ScanPredicate, ((totalBuckets: number) => ReadonlySet<number>) | null>();

  private constructor(
    readonly store: ObjectStore,
    readonly tablePath: string,
    readonly branch: string,
    schemas: Map<number, TableSchema>,
    dynamicOptions: Readonly<Record<string, string>>,
    batchSize: number,
    fallback: PaimonTable | null,
  ) {
    this.schemas = schemas;
    this.latest = [...schemas.values()].reduce((a, b) => (b.id > a.id ? b : a));
    this.options = { ...this.latest.options, ...dynamicOptions };
    this.batchSize = batchSize;
    this.fallback = fallback;
  }

  /** Opens the table at `tablePath` (an object key prefix, e.g. `db.db/orders`) in `store`. */
  static async open(store: ObjectStore, tablePath: string, options: OpenPaimonTableOptions = {}): Promise<PaimonTable> {
    const branch = options.branch ?? MAIN_BRANCH;
    const path = tablePath.replace(/^\/+|\/+$/g, '');
    const root = branchRoot(path, branch);
    const listed = await store.list(joinKey(root, 'schema', 'schema-'));
    const schemas = new Map<number, TableSchema>();
    for (const obj of listed) {
      const name = obj.key.slice(obj.key.lastIndexOf('/') + 1);
      if (!/^schema-\d+$/.test(name) || obj.key !== joinKey(root, 'schema', name)) continue;
      const schema = parseTableSchema(new TextDecoder().decode(await store.get(obj.key)), obj.key);
      schemas.set(schema.id, schema);
    }
    if (schemas.size === 0) {
      throw userError('LAKE.TABLE_NOT_FOUND', `no Paimon table at '${path}' in ${store.uri}${branch === MAIN_BRANCH ? '' : ` (branch '${branch}')`}: it has no schema files`);
    }
    const dynamicOptions = options.dynamicOptions ?? {};
    const batchSize = options.batchSize ?? 1024;
    const latest = [...schemas.values()].reduce((a, b) => (b.id > a.id ? b : a));
    const fallbackName = { ...latest.options, ...dynamicOptions }['scan.fallback-branch'];
    let fallback: PaimonTable | null = null;
    if (fallbackName !== undefined && fallbackName !== '' && fallbackName !== branch) {
      fallback = await PaimonTable.open(store, path, { branch: fallbackName, batchSize, dynamicOptions: { 'scan.fallback-branch': '' } });
    }
    return new PaimonTable(store, path, branch, schemas, dynamicOptions, batchSize, fallback);
  }

  /** The schema with `id`, or the latest one. */
  schema(id?: number): TableSchema {
    if (id === undefined) return this.latest;
    const s = this.schemas.get(id);
    if (s === undefined) throw ioError('LAKE.SCHEMA_NOT_FOUND', `table '${this.tablePath}' has no schema ${id}`);
    return s;
  }

  get rowType(): RowType {
    return this.latest.rowType;
  }
  get primaryKeys(): readonly string[] {
    return this.latest.primaryKeys;
  }
  get partitionKeys(): readonly string[] {
    return this.latest.partitionKeys;
  }
  /** The fixed bucket count, or -1 (dynamic / bucket-unaware). */
  get numBuckets(): number {
    return Number(this.options['bucket'] ?? '-1');
  }

  private get root(): string {
    return branchRoot(this.tablePath, this.branch);
  }

  private async readText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.store.get(key));
  }

  /** Ids of all snapshots present, ascending. */
  async snapshotIds(): Promise<number[]> {
    const prefix = joinKey(this.root, 'snapshot', 'snapshot-');
    const ids: number[] = [];
    for (const o of await this.store.list(prefix)) {
      const rest = o.key.slice(prefix.length);
      if (/^\d+$/.test(rest)) ids.push(Number(rest));
    }
    return ids.sort((a, b) => a - b);
  }

  async snapshot(id: number): Promise<Snapshot> {
    const key = joinKey(this.root, 'snapshot', `snapshot-${id}`);
    try {
      return parseSnapshot(await this.readText(key), key);
    } catch (e) {
      if (notFound(e)) throw userError('LAKE.SNAPSHOT_NOT_FOUND', `table '${this.tablePath}' has no snapshot ${id}`, { cause: e });
      throw e;
    }
  }

  /** Whether snapshot `id` exists (one existence check: how a streaming read polls for the next one). */
  snapshotExists(id: number): Promise<boolean> {
    return this.store.exists(joinKey(this.root, 'snapshot', `snapshot-${id}`));
  }

  async snapshots(): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    for (const id of await this.snapshotIds()) out.push(await this.snapshot(id));
    return out;
  }

  /**
   * The latest snapshot id: the LATEST hint when it is current (no snapshot-(hint+1) exists), else the
   * highest listed id; undefined for a table without snapshots.
   */
  async latestSnapshotId(): Promise<number | undefined> {
    const dir = joinKey(this.root, 'snapshot');
    try {
      const hint = Number((await this.readText(joinKey(dir, 'LATEST'))).trim());
      if (Number.isSafeInteger(hint) && (await this.store.exists(joinKey(dir, `snapshot-${hint}`))) && !(await this.store.exists(joinKey(dir, `snapshot-${hint + 1}`)))) {
        return hint;
      }
    } catch (e) {
      if (!notFound(e)) throw e;
    }
    const ids = await this.snapshotIds();
    return ids.length === 0 ? undefined : ids[ids.length - 1];
  }

  /** The earliest snapshot id (EARLIEST hint when that snapshot still exists, else the lowest listed). */
  async earliestSnapshotId(): Promise<number | undefined> {
    const dir = joinKey(this.root, 'snapshot');
    try {
      const hint = Number((await this.readText(joinKey(dir, 'EARLIEST'))).trim());
      if (Number.isSafeInteger(hint) && (await this.store.exists(joinKey(dir, `snapshot-${hint}`)))) return hint;
    } catch (e) {
      if (!notFound(e)) throw e;
    }
    return (await this.snapshotIds())[0];
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    const id = await this.latestSnapshotId();
    return id === undefined ? undefined : this.snapshot(id);
  }

  private partitionTypes(schema: TableSchema): LogicalType[] {
    return schema.partitionKeys.map((k) => fieldByName(schema, k).type);
  }

  /** Fails unless manifests are Avro (`manifest.format`): Floe has no ORC reader yet. */
  private checkManifestFormat(file: string): void {
    const format = (this.options['manifest.format'] ?? 'avro').toLowerCase();
    if (format !== 'avro' && format !== 'orc') {
      throw unsupported('LAKE.UNSUPPORTED_FORMAT', `manifest file '${file}' is in ${format.toUpperCase()} format (manifest.format), which Floe cannot read yet`, {
        help: 'Floe reads Paimon tables whose manifests are Avro or ORC',
      });
    }
  }

  /**
   * Live manifest entries of a snapshot (ADD minus DELETE over its base and delta manifest lists).
   * With `partitionFilter`, manifests whose partition statistics rule the filter out are not read: a
   * manifest's DELETE entries only cancel ADDs of the same partition, so skipping it is safe. The same
   * holds for `predicate`, judged on the partition columns' ranges.
   */
  async manifestEntries(snapshot: Snapshot, partitionFilter?: Readonly<Record<string, unknown>>, predicate?: ScanPredicate): Promise<ManifestEntry[]> {
    this.checkManifestFormat(joinKey(this.tablePath, 'manifest', snapshot.baseManifestList));
    const checks = this.partitionChecks(partitionFilter);
    const entries: ManifestEntry[] = [];
    for (const list of [snapshot.baseManifestList, snapshot.deltaManifestList]) {
      const listKey = joinKey(this.tablePath, 'manifest', list);
      for (const meta of decodeManifestList(await this.store.get(listKey), listKey)) {
        if (!this.manifestMayMatch(meta, checks, predicate)) continue;
        const key = joinKey(this.tablePath, 'manifest', meta.fileName);
        for (const e of decodeManifest(await this.store.get(key), key)) entries.push(e);
      }
    }
    return mergeManifestEntries(entries);
  }

  private manifestMayMatch(meta: ManifestFileMeta, checks: readonly PartitionCheck[], predicate: ScanPredicate | undefined): boolean {
    const stats = meta.partitionStats;
    if ((checks.length === 0 && predicate === undefined) || stats === null) return true;
    const types = this.partitionTypes(this.latest);
    if (types.length === 0 || serializedArity(stats.minValues) !== types.length || serializedArity(stats.maxValues) !== types.length) return true;
    const min = deserializeBinaryRow(stats.minValues, types, `partition stats of '${meta.fileName}'`);
    const max = deserializeBinaryRow(stats.maxValues, types, `partition stats of '${meta.fileName}'`);
    for (const c of checks) {
      const lo = min[c.index], hi = max[c.index], v = c.value;
      if (v === null || v === undefined || lo === null || hi === null || typeof v !== typeof lo) continue;
      const type = types[c.index]!;
      if (compareValues(v, lo, type) < 0 || compareValues(v, hi, type) > 0) return false;
    }
    if (predicate === undefined) return true;
    const keys = this.latest.partitionKeys;
    // Null counts count entries, not rows; whether a manifest has non-NULL partitions is not known.
    return mayMatch(predicate, (column) => {
      const i = keys.indexOf(column);
      if (i < 0) return undefined;
      const nulls = stats.nullCounts?.[i];
      return { type: types[i]!, min: min[i], max: max[i], hasNull: typeof nulls === 'number' ? nulls > 0 : undefined, hasValue: undefined };
    });
  }

  /** Live index files of a snapshot. */
  async indexEntries(snapshot: Snapshot): Promise<IndexManifestEntry[]> {
    if (snapshot.indexManifest === undefined) return [];
    const key = joinKey(this.tablePath, 'manifest', snapshot.indexManifest);
    this.checkManifestFormat(key);
    const live = new Map<string, IndexManifestEntry>();
    for (const e of decodeIndexManifest(await this.store.get(key), key)) {
      const id = `${hex(e.partition)}/${e.bucket}/${e.fileName}`;
      if (e.kind === FileKind.ADD) live.set(id, e);
      else live.delete(id);
    }
    return [...live.values()];
  }

  /**
   * Plans the batch read of a snapshot (latest when `snapshotId` is undefined). A `Snapshot` object is
   * read as given: how a tag is read after its snapshot file expired (the tag keeps its files).
   */
  async plan(snapshotId?: number | Snapshot, options: ReadSnapshotOptions = {}): Promise<DataSplit[]> {
    const id = typeof snapshotId === 'object' ? snapshotId.id : snapshotId ?? (await this.latestSnapshotId());
    if (id === undefined) return [];
    const snapshot = typeof snapshotId === 'object' ? snapshotId : await this.snapshot(id);
    const schema = this.latest;
    const pTypes = this.partitionTypes(schema);
    const checks = this.partitionChecks(options.partitionFilter);
    const bucketWanted = this.bucketFromFilter(options.bucketFilter);
    const predicate = options.predicate;
    const bucketsOf = predicate === undefined ? undefined : this.bucketPruner(predicate);
    const fileCheck = predicate === undefined ? undefined : this.fileStatsPruner(predicate);
    const skipLevel0 = this.levelZeroHidden || options.skipLevel0 === true;
    const dvs = new Map<string, Map<string, { indexFile: string; offset: number; length: number }>>();
    for (const e of await this.indexEntries(snapshot)) {
      if (e.indexType !== 'DELETION_VECTORS' || e.deletionVectorRanges === null) continue;
      const group = `${hex(e.partition)}/${e.bucket}`;
      let m = dvs.get(group);
      if (m === undefined) dvs.set(group, (m = new Map()));
      for (const r of e.deletionVectorRanges) m.set(r.dataFile, { indexFile: e.fileName, offset: r.offset, length: r.length });
    }
    // Partition hex → its values when the partition passes the filters, null when it does not.
    const partitions = new Map<string, unknown[] | null>();
    const splits = new Map<string, { partition: Uint8Array; partitionValues: unknown[]; bucket: number; totalBuckets: number; files: DataFileMeta[] }>();
    for (const e of await this.manifestEntries(snapshot, options.partitionFilter, predicate)) {
      if (skipLevel0 && e.file.level === 0) continue;
      const pHex = hex(e.partition);
      let values = partitions.get(pHex);
      if (values === undefined) {
        const decoded = pTypes.length === 0 && serializedArity(e.partition) === 0 ? [] : deserializeBinaryRow(e.partition, pTypes, `partition of '${e.file.fileName}'`);
        const pass = checks.every((c) => sameValue(decoded[c.index], c.value)) && (predicate === undefined || this.partitionMayMatch(predicate, decoded));
        partitions.set(pHex, (values = pass ? decoded : null));
      }
      if (values === null) continue;
      if (bucketWanted !== undefined && e.bucket !== bucketWanted) continue;
      if (bucketsOf !== undefined && e.bucket >= 0 && e.totalBuckets > 0 && !bucketsOf(e.totalBuckets).has(e.bucket)) continue;
      if (fileCheck !== undefined && !fileCheck(e.file, this.branch)) continue;
      const group = `${pHex}/${e.bucket}`;
      let split = splits.get(group);
      if (split === undefined) splits.set(group, (split = { partition: e.partition, partitionValues: values, bucket: e.bucket, totalBuckets: e.totalBuckets, files: [] }));
      split.files.push(e.file);
    }
    const out: DataSplit[] = [];
    for (const [group, s] of splits) out.push({ ...s, deletionVectors: dvs.get(group) ?? new Map(), branch: this.branch });
    if (this.fallback !== null) {
      // A partition is the main branch's when it has (visible) files there, even if pruning skipped them all.
      const present = new Set<string>();
      for (const [pHex, values] of partitions) if (values !== null) present.add(pHex);
      const fallbackOptions: ReadSnapshotOptions = {
        ...(options.partitionFilter === undefined ? {} : { partitionFilter: options.partitionFilter }),
        ...(predicate === undefined ? {} : { predicate }),
      };
      for (const s of await this.fallback.plan(undefined, fallbackOptions)) {
        if (!present.has(hex(s.partition))) out.push(s);
      }
    }
    return out;
  }

  /**
   * Whether a split (of `plan`, `deltaSplits` or `changelogSplits`) may hold rows satisfying `predicate`,
   * judged by its partition values and bucket only: how a streaming read prunes every snapshot it follows.
   */
  splitMayMatch(split: DataSplit, predicate: ScanPredicate): boolean {
    if (!this.partitionMayMatch(predicate, split.partitionValues)) return false;
    if (split.bucket < 0 || !(split.totalBuckets > 0)) return true;
    let bucketsOf = this.bucketPruners.get(predicate);
    if (bucketsOf === undefined) this.bucketPruners.set(predicate, (bucketsOf = this.bucketPruner(predicate) ?? null));
    return bucketsOf === null || bucketsOf(split.totalBuckets).has(split.bucket);
  }

  /** Whether a partition with these values (latest partition types) may hold rows satisfying `predicate`. */
  private partitionMayMatch(predicate: ScanPredicate, values: readonly unknown[]): boolean {
    const keys = this.latest.partitionKeys;
    if (keys.length === 0 || values.length !== keys.length) return true;
    const types = this.partitionTypes(this.latest);
    return mayMatch(predicate, (column) => {
      const i = keys.indexOf(column);
      return i < 0 ? undefined : exactRange(types[i]!, values[i]);
    });
  }

  /**
   * For a fixed-bucket table whose predicate pins every bucket-key column to values (`=` or `IN`), the
   * buckets (for a given bucket count) those values hash to; undefined when the predicate does not pin
   * them all (or the pinned combinations exceed `MAX_PINNED_BUCKET_KEYS`). A bucket not in the set holds
   * no row whose key satisfies those conjuncts, so skipping it keeps every matching row.
   */
  private bucketPruner(predicate: ScanPredicate): ((totalBuckets: number) => ReadonlySet<number>) | undefined {
    if (!(this.numBuckets > 0)) return undefined;
    // Other bucket functions (`bucket-function.type` = mod, hive) place rows differently.
    const fn = (this.options['bucket-function.type'] ?? 'default').trim().toLowerCase();
    if (fn !== 'default') return undefined;
    const schema = this.latest;
    const keys = bucketKeys(schema);
    const types = keys.map((k) => fieldByName(schema, k).type);
    let combos: unknown[][] = [[]];
    for (let i = 0; i < keys.length; i++) {
      const values = pinnedValues(predicate, keys[i]!, types[i]!);
      if (values === undefined) return undefined;
      const next: unknown[][] = [];
      for (const c of combos) for (const v of values) next.push([...c, v]);
      if (next.length > MAX_PINNED_BUCKET_KEYS) return undefined;
      combos = next;
    }
    const rows = combos.map((c) => {
      const writer = new BinaryRowWriter(keys.length);
      c.forEach((v, i) => writer.set(i, v, types[i]!));
      return writer.bytes();
    });
    const byCount = new Map<number, Set<number>>();
    return (totalBuckets) => {
      let set = byCount.get(totalBuckets);
      if (set === undefined) byCount.set(totalBuckets, (set = new Set(rows.map((r) => bucketOfRow(r, totalBuckets)))));
      return set;
    };
  }

  /**
   * A check of a data file's statistics against `predicate`: value stats for append tables, key stats
   * (trimmed primary key) for primary-key tables. Undefined when the predicate mentions no such column.
   * Stats are in the file's schema: a column is used only when its field (by id) exists there with a type
   * that orders like the latest one, and the stats row has the expected arity.
   */
  private fileStatsPruner(predicate: ScanPredicate): ((file: DataFileMeta, branch: string) => boolean) | undefined {
    const latest = this.latest;
    const isPk = latest.primaryKeys.length > 0;
    const candidates = new Set(isPk ? trimmedPrimaryKeys(latest) : latest.fields.map((f) => f.name));
    const relevant = new Set([...predicateColumns(predicate)].filter((c) => candidates.has(c)));
    const restricted = relevant.size === 0 ? null : restrictPredicate(predicate, relevant);
    if (restricted === null) return undefined;
    const idOf = new Map(latest.fields.map((f) => [f.name, f.id]));
    // The stats layout per (branch, schema, stats columns): files of one schema share it.
    const layouts = new Map<string, { readonly ids: readonly number[]; readonly types: readonly LogicalType[] } | null>();
    const layoutOf = (file: DataFileMeta, branch: string) => {
      const cacheKey = `${branch}/${file.schemaId}/${isPk || file.valueStatsCols === null ? '*' : file.valueStatsCols.join('\u0000')}`;
      let layout = layouts.get(cacheKey);
      if (layout === undefined) {
        const dataSchema = this.schemaFor(file.schemaId, branch);
        const statNames = isPk ? trimmedPrimaryKeys(dataSchema) : (file.valueStatsCols ?? dataSchema.fields.map((f) => f.name));
        const statFields = statNames.map((n) => dataSchema.fields.find((f) => f.name === n));
        layout = statFields.some((f) => f === undefined) ? null : { ids: statFields.map((f) => f!.id), types: statFields.map((f) => f!.type) };
        layouts.set(cacheKey, layout);
      }
      return layout;
    };
    return (file, branch) => {
      const stats = isPk ? file.keyStats : file.valueStats;
      if (stats === null) return true;
      const layout = layoutOf(file, branch);
      if (layout === null) return true;
      const types = layout.types;
      if (serializedArity(stats.minValues) !== types.length || serializedArity(stats.maxValues) !== types.length) return true;
      let min: unknown[], max: unknown[];
      try {
        min = deserializeBinaryRow(stats.minValues, types, `stats of '${file.fileName}'`);
        max = deserializeBinaryRow(stats.maxValues, types, `stats of '${file.fileName}'`);
      } catch {
        // Stats are only an optimization: stats this reader cannot decode (a writer's layout for a type it
        // does not know) mean "read the file", whose own decoding reports real corruption.
        return true;
      }
      return mayMatch(restricted, (column): ColumnRange | undefined => {
        const id = idOf.get(column);
        const i = id === undefined ? -1 : layout.ids.indexOf(id);
        if (i < 0) return undefined;
        const type = types[i]!;
        if (!sameOrdering(fieldByName(latest, column).type, type)) return undefined;
        const nulls = stats.nullCounts?.[i];
        const known = typeof nulls === 'number';
        return { type, min: min[i], max: max[i], hasNull: known ? nulls > 0 : undefined, hasValue: known ? nulls < file.rowCount : undefined };
      });
    };
  }

  /**
   * Whether batch reads skip level-0 files (primary-key tables with deletion vectors or the first-row
   * engine): new rows of such tables become visible only when a compaction moves them up.
   */
  get levelZeroHidden(): boolean {
    return this.latest.primaryKeys.length > 0 && (this.options['deletion-vectors.enabled'] === 'true' || this.options['merge-engine'] === 'first-row');
  }

  /**
   * The changes snapshot `snapshotId` made, grouped by (partition, bucket): the files its delta manifest
   * list adds (`files`) and, per group, whether it also deleted files (compaction, overwrite). Groups
   * come in a deterministic order (by partition bytes, then bucket), files in manifest order. For a
   * streaming read: append tables read the added files; primary-key tables learn which buckets changed.
   */
  async deltaSplits(snapshotId: number): Promise<DataSplit[]> {
    const snapshot = await this.snapshot(snapshotId);
    return this.listSplits(snapshot.deltaManifestList);
  }

  /**
   * The changelog files of snapshot `snapshotId` (its changelog manifest list; `changelog-producer` =
   * `input` or `lookup`), grouped and ordered as `deltaSplits`; none when the snapshot has no changelog.
   * Read them with `readChangelogSplit`.
   */
  async changelogSplits(snapshotId: number): Promise<DataSplit[]> {
    const snapshot = await this.snapshot(snapshotId);
    return snapshot.changelogManifestList === undefined ? [] : this.listSplits(snapshot.changelogManifestList);
  }

  /** The files one manifest list adds, by (partition, bucket) in a deterministic order. */
  private async listSplits(list: string): Promise<DataSplit[]> {
    this.checkManifestFormat(joinKey(this.tablePath, 'manifest', list));
    const pTypes = this.partitionTypes(this.latest);
    const listKey = joinKey(this.tablePath, 'manifest', list);
    const groups = new Map<string, { partition: Uint8Array; partitionValues: unknown[]; bucket: number; totalBuckets: number; files: DataFileMeta[] }>();
    for (const meta of decodeManifestList(await this.store.get(listKey), listKey)) {
      const key = joinKey(this.tablePath, 'manifest', meta.fileName);
      for (const e of decodeManifest(await this.store.get(key), key)) {
        const group = `${hex(e.partition)}/${String(e.bucket).padStart(10, '0')}`;
        let g = groups.get(group);
        if (g === undefined) {
          const values = pTypes.length === 0 && serializedArity(e.partition) === 0 ? [] : deserializeBinaryRow(e.partition, pTypes, `partition of '${e.file.fileName}'`);
          groups.set(group, (g = { partition: e.partition, partitionValues: values, bucket: e.bucket, totalBuckets: e.totalBuckets, files: [] }));
        }
        if (e.kind === FileKind.ADD) g.files.push(e.file);
      }
    }
    return [...groups.keys()].sort().map((k) => ({ ...groups.get(k)!, deletionVectors: new Map(), branch: this.branch }));
  }

  private partitionChecks(filter: Readonly<Record<string, unknown>> | undefined): PartitionCheck[] {
    if (filter === undefined) return [];
    const keys = this.latest.partitionKeys;
    return Object.entries(filter).map(([name, value]) => {
      const index = keys.indexOf(name);
      if (index < 0) throw userError('LAKE.NOT_A_PARTITION_KEY', `table '${this.tablePath}': '${name}' is not a partition key (partition keys: ${keys.join(', ') || 'none'})`);
      return { index, value };
    });
  }

  private bucketFromFilter(filter: Readonly<Record<string, unknown>> | undefined): number | undefined {
    if (filter === undefined) return undefined;
    const n = this.numBuckets;
    if (!(n > 0)) throw userError('LAKE.NO_FIXED_BUCKETS', `table '${this.tablePath}' has no fixed bucket count, so it cannot prune by bucket`);
    const keys = bucketKeys(this.latest);
    const writer = new BinaryRowWriter(keys.length);
    keys.forEach((k, i) => {
      if (!(k in filter)) throw userError('LAKE.INCOMPLETE_BUCKET_FILTER', `table '${this.tablePath}': a bucket filter needs every bucket key (${keys.join(', ')}); '${k}' is missing`);
      writer.set(i, filter[k] ?? null, fieldByName(this.latest, k).type);
    });
    return bucketOfRow(writer.bytes(), n);
  }

  /** Key of a data file of a split in the store. */
  dataFileKey(split: DataSplit, file: DataFileMeta): string {
    if (file.externalPath !== null) return externalPathKey(file.externalPath, this.store.uri);
    const schema = this.latest;
    const pPath = partitionPath(
      schema.partitionKeys,
      this.partitionTypes(schema),
      split.partitionValues,
      this.options['partition.default-name'] ?? '__DEFAULT_PARTITION__',
      (this.options['partition.legacy-name'] ?? 'true') !== 'false',
    );
    const bucketDir = split.bucket === -2 ? 'bucket-postpone' : `bucket-${split.bucket}`;
    return joinKey(this.tablePath, pPath, bucketDir, file.fileName);
  }

  /** Reads a snapshot (the latest when `snapshotId` is undefined) as batches of +I rows in the reading schema. */
  async *readSnapshot(snapshotId?: number | Snapshot, options: ReadSnapshotOptions = {}): AsyncGenerator<RecordBatch> {
    const readSchema = options.schemaId === undefined ? this.latest : this.schema(options.schemaId);
    this.checkReadable();
    for (const split of await this.plan(snapshotId, options)) yield* this.readSplit(split, readSchema);
  }

  private checkReadable(): void {
    if ((this.options['data-evolution.enabled'] ?? 'false') === 'true') {
      // Data evolution splits a row's columns over several files joined by row id; not read yet.
      throw unsupported('LAKE.UNSUPPORTED_FEATURE', `table '${this.tablePath}' uses data evolution (data-evolution.enabled), which Floe cannot read yet`);
    }
  }

  /** Reads one split with `readSchema`. */
  async *readSplit(split: DataSplit, readSchema: TableSchema = this.latest): AsyncGenerator<RecordBatch> {
    this.checkReadable();
    const isPk = readSchema.primaryKeys.length > 0;
    const out = new SplitOutput(readSchema.rowType, this.batchSize);
    const runs: KvRun[] = [];
    for (const file of split.files) {
      const run = await this.readFile(split, file, readSchema, isPk);
      if (!isPk) {
        for (let r = 0; r < run.numRows; r++) if (run.deleted === null || run.deleted[r] === 0) out.copyRow(run, r);
        yield* out.drain();
      } else runs.push(run);
    }
    if (isPk) {
      mergeRuns(runs, this.mergeSpec(readSchema), out);
    }
    yield* out.drain(true);
  }

  /**
   * The rows of a split's changelog files (`changelogSplits`) as they were written: every record with its
   * row kind (`_VALUE_KIND`), files in manifest order, rows in file order; nothing is merged.
   */
  async *readChangelogSplit(split: DataSplit, readSchema: TableSchema = this.latest): AsyncGenerator<RecordBatch> {
    this.checkReadable();
    const out = new SplitOutput(readSchema.rowType, this.batchSize);
    for (const file of split.files) {
      const run = await this.readFile(split, file, readSchema, true);
      for (let r = 0; r < run.numRows; r++) out.copyRow(run, r, run.kinds[r] as RowKind);
      yield* out.drain();
    }
    yield* out.drain(true);
  }

  /**
   * The files of a split of a primary-key table as sorted runs (columns of `readSchema`, raw file values,
   * deletion vectors as masks), in `split.files` order: the input of a merge (`merge-read.ts`).
   */
  async readRuns(split: DataSplit, readSchema: TableSchema = this.latest): Promise<KvRun[]> {
    const runs: KvRun[] = [];
    for (const file of split.files) runs.push(await this.readFile(split, file, readSchema, true));
    return runs;
  }

  /** How the rows of a key merge under this table's options (merge engine, sequence fields, deletes). */
  mergeSpec(schema: TableSchema = this.latest): MergeSpec {
    const index = (name: string): number => schema.fields.findIndex((f) => f.name === name);
    const seqNames = (this.options['sequence.field'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const n of seqNames) fieldByName(schema, n);
    const opt = (k: string): boolean => (this.options[k] ?? 'false').toLowerCase() === 'true';
    const { engine, fields } = mergeSettingsOf(this.options, schema, this.tablePath);
    return {
      engine,
      ...(fields === undefined ? {} : { fields }),
      keyIndexes: schema.primaryKeys.map(index),
      keyTypes: schema.primaryKeys.map((k) => fieldByName(schema, k).type),
      sequenceIndexes: seqNames.map(index),
      sequenceTypes: seqNames.map((k) => fieldByName(schema, k).type),
      ignoreDelete: opt('ignore-delete') || opt('partial-update.ignore-delete') || opt('first-row.ignore-delete') || opt('deduplicate.ignore-delete'),
      removeRecordOnDelete: opt('partial-update.remove-record-on-delete'),
      tableName: this.tablePath,
    };
  }

  /** Reads one data file, projected and cast to `readSchema`, with its deletion vector applied as a mask. */
  private async readFile(split: DataSplit, file: DataFileMeta, readSchema: TableSchema, isPk: boolean): Promise<KvRun> {
    const key = this.dataFileKey(split, file);
    const dataSchema = this.schemaFor(file.schemaId, split.branch);
    const wanted: FileField[] = dataSchema.fields.map((f) => ({ id: f.id, name: f.name, type: f.type }));
    if (isPk) wanted.push(SEQUENCE_FIELD, VALUE_KIND_FIELD);
    const bytes = await this.store.get(key);
    const cols = await readDataFile(bytes, key, dataFileFormat(file.fileName, this.options['file.format']), wanted);
    const n = cols.numRows;
    const columns: unknown[][] = readSchema.fields.map((f) => {
      const from = dataSchema.fields.find((d) => d.id === f.id);
      if (from === undefined) return new Array<unknown>(n).fill(null);
      const values = cols.columns.get(f.id)!;
      const cast: ValueCast | null = evolutionCast(from.type, f.type, `column '${f.name}' of '${key}'`);
      if (cast === null) return values;
      const outv = new Array<unknown>(n);
      for (let i = 0; i < n; i++) outv[i] = values[i] === null ? null : cast(values[i]);
      return outv;
    });
    const sequence = new Float64Array(n);
    const kinds = new Uint8Array(n);
    if (isPk) {
      const seq = cols.columns.get(SEQUENCE_FIELD_ID)!;
      const kind = cols.columns.get(VALUE_KIND_FIELD_ID)!;
      for (let i = 0; i < n; i++) {
        sequence[i] = (seq[i] as number | null) ?? 0;
        kinds[i] = (kind[i] as number | null) ?? RowKind.INSERT;
      }
    }
    let deleted: Uint8Array | null = null;
    const dv = split.deletionVectors.get(file.fileName);
    if (dv !== undefined) {
      const indexKey = joinKey(this.tablePath, 'index', dv.indexFile);
      const indexBytes = await this.store.getRange(indexKey, 0, dv.offset + dv.length + 8);
      deleted = readDeletionVector(indexBytes, dv.offset, dv.length, `deletion vector of '${file.fileName}' in '${indexKey}'`).toMask(n);
    }
    return { file: key, numRows: n, columns, sequence, kinds, deleted };
  }

  /** A batch writer for this table (see `table-write.ts`); the table must be on the main branch. */
  newWrite(options?: PaimonWriteOptions): PaimonTableWrite {
    return new PaimonTableWrite(this, options);
  }

  /** Full compaction of the selected buckets into one file each, as one COMPACT snapshot (`table-compact.ts`). */
  compact(options?: CompactOptions): Promise<CommitResult> {
    return compactTable(this, options);
  }

  /** Expires old snapshots and deletes the files only they referenced (`snapshot-expire.ts`). */
  expireSnapshots(options?: ExpireOptions): Promise<ExpireResult> {
    return expireSnapshots(this, options);
  }

  /** The table's tags, by name (`table-tags.ts`). */
  tags(): Promise<TableTag[]> {
    return listTags(this);
  }

  /** Tag `name`; `LAKE.TAG_NOT_FOUND` when there is none. */
  tag(name: string): Promise<TableTag> {
    return readTag(this, name);
  }

  /** Creates tag `name` of a snapshot (default the latest). */
  createTag(name: string, options?: CreateTagOptions): Promise<TableTag> {
    return createTag(this, name, options);
  }

  /** Deletes tag `name`, and the files only it kept when its snapshot has expired. */
  deleteTag(name: string): Promise<DeleteTagResult> {
    return deleteTag(this, name);
  }

  /** Rolls the table back to a snapshot or tag, deleting newer snapshots, tags and their files (`table-rollback.ts`). */
  rollbackTo(target: RollbackTarget): Promise<RollbackResult> {
    return rollbackTo(this, target);
  }

  /** Deletes files under the table that no snapshot or tag names (`orphan-files.ts`). */
  removeOrphanFiles(options?: RemoveOrphanFilesOptions): Promise<RemoveOrphanFilesResult> {
    return removeOrphanFiles(this, options);
  }

  private schemaFor(id: number, branch: string): TableSchema {
    if (branch !== this.branch && this.fallback !== null && this.fallback.branch === branch) return this.fallback.schema(id);
    return this.schema(id);
  }
}

/** Equality of a partition value and a filter value (numbers, strings, bigints, bytes). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    try {
      return BigInt(a as number) === BigInt(b as number);
    } catch {
      return false;
    }
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

/** Collects merged/copied rows into batches of the reading schema, converting to the Floe representation. */
class SplitOutput implements MergedRowSink {
  private readonly builder: BatchBuilder;
  private readonly types: readonly LogicalType[];
  private readonly finish: readonly boolean[];
  private readonly ready: RecordBatch[] = [];

  constructor(rowType: RowType, private readonly batchSize: number) {
    this.builder = new BatchBuilder(rowType, Math.min(batchSize, 1024));
    this.types = rowType.fields.map((f) => f.type);
    this.finish = this.types.map(needsFinish);
  }

  copyRow(run: KvRun, row: number, kind: RowKind = RowKind.INSERT): void {
    const b = this.builder;
    b.beginRow(kind);
    const cols = run.columns;
    for (let c = 0; c < cols.length; c++) {
      const v = cols[c]![row] ?? null;
      b.set(c, this.finish[c] ? finishValue(v, this.types[c]!) : v);
    }
    this.cut();
  }

  appendValues(values: readonly unknown[]): void {
    const b = this.builder;
    b.beginRow(RowKind.INSERT);
    for (let c = 0; c < values.length; c++) {
      const v = values[c] ?? null;
      b.set(c, this.finish[c] ? finishValue(v, this.types[c]!) : v);
    }
    this.cut();
  }

  private cut(): void {
    if (this.builder.numRows >= this.batchSize) this.ready.push(this.builder.finish());
  }

  *drain(all = false): Generator<RecordBatch> {
    if (all && this.builder.numRows > 0) this.ready.push(this.builder.finish());
    while (this.ready.length > 0) yield this.ready.shift()!;
  }
}

/** Opens a Paimon table stored under `tablePath` in `store`. */
export function openPaimonTable(store: ObjectStore, tablePath: string, options?: OpenPaimonTableOptions): Promise<PaimonTable> {
  return PaimonTable.open(store, tablePath, options);
}

