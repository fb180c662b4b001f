/**
 * Manifest lists, manifests and index manifests: Avro files under `manifest/` (see
 * `avro-container.ts`), or ORC files when the table sets `manifest.format = orc` (see `orc/`; told apart
 * by the files' magic bytes, so a table's format option need not be passed down). Both writer-schema forms occur: a top-level `record`, and Paimon 0.9's
 * `["null", record]`; avsc decodes both into the same plain objects, so decoding here is by field name and
 * tolerates fields that older writers lack.
 *
 * Binary fields (`_PARTITION`, stats, min/max keys) stay as serialized `BinaryRow` bytes; they are decoded
 * lazily with the right row type (`binary-row.ts`), since only the reader knows the schema they follow.
 */
import { ioError } from '../common/index.js';
import { readAvroContainer } from './avro-container.js';
import { isOrcFile, OrcFile } from './orc/index.js';

/** Min/max values as serialized BinaryRows plus per-column null counts (Paimon `SimpleStats`). */
export interface SimpleStats {
  readonly minValues: Uint8Array;
  readonly maxValues: Uint8Array;
  readonly nullCounts: readonly (number | null)[] | null;
}

/** One entry of a manifest list (Paimon `ManifestFileMeta`). */
export interface ManifestFileMeta {
  readonly fileName: string;
  readonly fileSize: number;
  readonly numAddedFiles: number;
  readonly numDeletedFiles: number;
  readonly partitionStats: SimpleStats | null;
  readonly schemaId: number;
  readonly minBucket: number | undefined;
  readonly maxBucket: number | undefined;
  readonly minLevel: number | undefined;
  readonly maxLevel: number | undefined;
}

/** Paimon `DataFileMeta`: one data file with its statistics. */
export interface DataFileMeta {
  readonly fileName: string;
  readonly fileSize: number;
  readonly rowCount: number;
  readonly minKey: Uint8Array;
  readonly maxKey: Uint8Array;
  readonly keyStats: SimpleStats | null;
  readonly valueStats: SimpleStats | null;
  readonly minSequenceNumber: number;
  readonly maxSequenceNumber: number;
  readonly schemaId: number;
  readonly level: number;
  readonly extraFiles: readonly string[];
  readonly creationTime: number | undefined;
  readonly deleteRowCount: number | undefined;
  readonly embeddedIndex: Uint8Array | null;
  /** 0 = APPEND, 1 = COMPACT. */
  readonly fileSource: number | undefined;
  /** Columns covered by `valueStats` when not all (null = all columns). */
  readonly valueStatsCols: readonly string[] | null;
  /** Absolute location when the file lives outside the table directory. */
  readonly externalPath: string | null;
  readonly firstRowId: number | undefined;
  readonly writeCols: readonly string[] | null;
}

export const FileKind = { ADD: 0, DELETE: 1 } as const;
export type FileKind = (typeof FileKind)[keyof typeof FileKind];

/** One entry of a manifest (Paimon `ManifestEntry`). */
export interface ManifestEntry {
  readonly kind: FileKind;
  readonly partition: Uint8Array;
  readonly bucket: number;
  readonly totalBuckets: number;
  readonly file: DataFileMeta;
}

/** One deletion vector's place inside an index file. */
export interface DeletionVectorRange {
  readonly dataFile: string;
  readonly offset: number;
  readonly length: number;
  readonly cardinality: number | undefined;
}

/** One entry of an index manifest (Paimon `IndexManifestEntry`). */
export interface IndexManifestEntry {
  readonly kind: FileKind;
  readonly partition: Uint8Array;
  readonly bucket: number;
  /** `DELETION_VECTORS`, `HASH`, ... */
  readonly indexType: string;
  readonly fileName: string;
  readonly fileSize: number;
  readonly rowCount: number;
  readonly deletionVectorRanges: readonly DeletionVectorRange[] | null;
  readonly externalPath: string | null;
}

type Rec = Record<string, unknown>;

/** Narrows an Avro long (bigint) or int to a JS number; the values here are far below 2^53. */
function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function optNum(v: unknown): number | undefined {
  return v === null || v === undefined ? undefined : num(v);
}

function bytes(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(0);
}

function stats(v: unknown): SimpleStats | null {
  if (v === null || v === undefined) return null;
  const r = v as Rec;
  const counts = r['_NULL_COUNTS'];
  return {
    minValues: bytes(r['_MIN_VALUES']),
    maxValues: bytes(r['_MAX_VALUES']),
    nullCounts: Array.isArray(counts) ? counts.map((c) => (c === null ? null : num(c))) : null,
  };
}

const NANOS_PER_MS = 1000000n;

/**
 * ORC manifest rows as the same plain objects avsc yields for Avro ones. The one representation that
 * differs is `_FILE._CREATION_TIME`: an ORC TIMESTAMP decodes to bigint epoch nanoseconds, the Avro field
 * (`timestamp-millis`) to epoch milliseconds, which `DataFileMeta.creationTime` holds.
 */
function orcRecords(data: Uint8Array, file: string): Rec[] {
  const recs = new OrcFile(data, file).readRecords();
  for (const r of recs) {
    const f = r['_FILE'] as Rec | null | undefined;
    const t = f?.['_CREATION_TIME'];
    if (typeof t === 'bigint') f!['_CREATION_TIME'] = Number(t / NANOS_PER_MS);
  }
  return recs;
}

function records(data: Uint8Array, file: string, required: string[]): Rec[] {
  const recs = (isOrcFile(data) ? orcRecords(data, file) : readAvroContainer(data, file).records) as (Rec | null)[];
  const out: Rec[] = [];
  for (const r of recs) {
    if (r === null) continue; // the ["null", record] form never holds null in practice; skip if it does
    for (const key of required) {
      if (!(key in r)) throw ioError('LAKE.CORRUPT_FILE', `'${file}' is not a Paimon manifest file: records lack '${key}'`);
    }
    out.push(r);
  }
  return out;
}

export function decodeManifestList(data: Uint8Array, file: string): ManifestFileMeta[] {
  return records(data, file, ['_FILE_NAME', '_NUM_ADDED_FILES']).map((r) => ({
    fileName: r['_FILE_NAME'] as string,
    fileSize: num(r['_FILE_SIZE']),
    numAddedFiles: num(r['_NUM_ADDED_FILES']),
    numDeletedFiles: num(r['_NUM_DELETED_FILES']),
    partitionStats: stats(r['_PARTITION_STATS']),
    schemaId: num(r['_SCHEMA_ID']),
    minBucket: optNum(r['_MIN_BUCKET']),
    maxBucket: optNum(r['_MAX_BUCKET']),
    minLevel: optNum(r['_MIN_LEVEL']),
    maxLevel: optNum(r['_MAX_LEVEL']),
  }));
}

function dataFileMeta(r: Rec, file: string): DataFileMeta {
  if (r === null || typeof r !== 'object') throw ioError('LAKE.CORRUPT_FILE', `manifest '${file}' has an entry without _FILE`);
  const statsCols = r['_VALUE_STATS_COLS'];
  const writeCols = r['_WRITE_COLS'];
  return {
    fileName: r['_FILE_NAME'] as string,
    fileSize: num(r['_FILE_SIZE']),
    rowCount: num(r['_ROW_COUNT']),
    minKey: bytes(r['_MIN_KEY']),
    maxKey: bytes(r['_MAX_KEY']),
    keyStats: stats(r['_KEY_STATS']),
    valueStats: stats(r['_VALUE_STATS']),
    minSequenceNumber: num(r['_MIN_SEQUENCE_NUMBER']),
    maxSequenceNumber: num(r['_MAX_SEQUENCE_NUMBER']),
    schemaId: num(r['_SCHEMA_ID']),
    level: num(r['_LEVEL']),
    extraFiles: Array.isArray(r['_EXTRA_FILES']) ? (r['_EXTRA_FILES'] as string[]) : [],
    creationTime: optNum(r['_CREATION_TIME']),
    deleteRowCount: optNum(r['_DELETE_ROW_COUNT']),
    embeddedIndex: r['_EMBEDDED_FILE_INDEX'] instanceof Uint8Array ? r['_EMBEDDED_FILE_INDEX'] : null,
    fileSource: optNum(r['_FILE_SOURCE']),
    valueStatsCols: Array.isArray(statsCols) ? (statsCols as string[]) : null,
    externalPath: typeof r['_EXTERNAL_PATH'] === 'string' ? (r['_EXTERNAL_PATH'] as string) : null,
    firstRowId: optNum(r['_FIRST_ROW_ID']),
    writeCols: Array.isArray(writeCols) ? (writeCols as string[]) : null,
  };
}

function fileKind(v: unknown, file: string): FileKind {
  const k = num(v);
  if (k !== 0 && k !== 1) throw ioError('LAKE.CORRUPT_FILE', `manifest '${file}' has an entry of unknown kind ${k}`);
  return k;
}

export function decodeManifest(data: Uint8Array, file: string): ManifestEntry[] {
  return records(data, file, ['_KIND', '_FILE']).map((r) => ({
    kind: fileKind(r['_KIND'], file),
    partition: bytes(r['_PARTITION']),
    bucket: num(r['_BUCKET']),
    totalBuckets: num(r['_TOTAL_BUCKETS']),
    file: dataFileMeta(r['_FILE'] as Rec, file),
  }));
}

export function decodeIndexManifest(data: Uint8Array, file: string): IndexManifestEntry[] {
  return records(data, file, ['_KIND', '_INDEX_TYPE', '_FILE_NAME']).map((r) => {
    const ranges = r['_DELETIONS_VECTORS_RANGES'];
    return {
      kind: fileKind(r['_KIND'], file),
      partition: bytes(r['_PARTITION']),
      bucket: num(r['_BUCKET']),
      indexType: r['_INDEX_TYPE'] as string,
      fileName: r['_FILE_NAME'] as string,
      fileSize: num(r['_FILE_SIZE']),
      rowCount: num(r['_ROW_COUNT']),
      deletionVectorRanges: Array.isArray(ranges)
        ? (ranges as (Rec | null)[])
            .filter((x): x is Rec => x !== null)
            .map((x) => ({ dataFile: x['f0'] as string, offset: num(x['f1']), length: num(x['f2']), cardinality: optNum(x['_CARDINALITY']) }))
        : null,
      externalPath: typeof r['_EXTERNAL_PATH'] === 'string' ? (r['_EXTERNAL_PATH'] as string) : null,
    };
  });
}

/** A stable identity of a data file within a table: partition bytes, bucket and file name. */
export function fileIdentifier(partition: Uint8Array, bucket: number, fileName: string): string {
  let hex = '';
  for (let i = 0; i < partition.length; i++) hex += partition[i]!.toString(16).padStart(2, '0');
  return `${hex}/${bucket}/${fileName}`;
}

/**
 * Applies ADD and DELETE entries in order: a DELETE removes the file its identifier names (a file that is
 * added, deleted and added again ends up present). Returns the live entries in first-added order.
 */
export function mergeManifestEntries(entries: Iterable<ManifestEntry>): ManifestEntry[] {
  const live = new Map<string, ManifestEntry>();
  for (const e of entries) {
    const id = fileIdentifier(e.partition, e.bucket, e.file.fileName);
    if (e.kind === FileKind.ADD) live.set(id, e);
    else live.delete(id);
  }
  return [...live.values()];
}
