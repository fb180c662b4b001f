/**
 * Reads one Paimon data file into columns keyed by Paimon field id.
 *
 * Values come out in the Floe value representation of the field's type *in the file's schema*, with one
 * exception kept until the very end of a read (`finishValue`): TIMESTAMP(p > 6) values are exact bigint
 * nanoseconds since the epoch, because a JS number of milliseconds cannot hold nanoseconds, and a schema
 * evolution cast (TIMESTAMP(9) → STRING) must see them.
 *
 * - Parquet (hyparquet): top-level columns are matched by the `field_id` Paimon writes into the Parquet
 *   schema (by name when a writer omitted ids). Decimal annotations are stripped from the metadata before
 *   decoding so hyparquet hands over the unscaled INT32/INT64/FIXED values instead of lossy doubles.
 * - Avro: Paimon's Avro data files carry no field ids; fields are matched by the names of the data file's
 *   own schema (`FileField.name`), which is how Paimon resolves them too.
 * - ORC (`orc/`): top-level columns are matched by the `paimon.id` attribute Paimon writes on each ORC
 *   type (by name when a writer omitted it). The ORC reader hands over raw values (bigint unscaled
 *   decimals, bigint epoch nanoseconds for timestamps), which go through the same `normalize` as Parquet's.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ioError, unsupported } from '../common/index.js';
import type { LogicalType } from '../types/index.js';
import { readAvroContainer } from './avro-container.js';
import { bigintFromTwosComplement } from './binary-row.js';
import { OrcFile } from './orc/index.js';

/** A column the reader wants from a file: Paimon field id, name in the file's schema, type there. */
export interface FileField {
  readonly id: number;
  readonly name: string;
  readonly type: LogicalType;
}

export interface FileColumns {
  readonly numRows: number;
  /** Values per requested field id; a field the file lacks is all NULL. */
  readonly columns: ReadonlyMap<number, unknown[]>;
}

/** The format from the file name's extension, else the table's `file.format` option. */
export function dataFileFormat(fileName: string, tableFormat: string | undefined): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
  if (ext === 'parquet' || ext === 'avro' || ext === 'orc') return ext;
  return (tableFormat ?? 'parquet').toLowerCase();
}

export async function readDataFile(bytes: Uint8Array, file: string, format: string, fields: readonly FileField[]): Promise<FileColumns> {
  switch (format) {
    case 'parquet':
      return readParquet(bytes, file, fields);
    case 'avro':
      return readAvroData(bytes, file, fields);
    case 'orc':
      return readOrcData(bytes, file, fields);
    default:
      throw unsupported('LAKE.UNSUPPORTED_FORMAT', `data file '${file}' is in ${format.toUpperCase()} format, which Floe cannot read yet`, {
        help: 'Floe reads Paimon tables with Parquet, ORC or Avro data files',
      });
  }
}

const NANOS_PER_MS = 1000000n;

/** Timestamps are decoded to exact bigint nanoseconds first; `normalize` narrows them by precision. */
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => BigInt(v) * NANOS_PER_MS,
  timestampFromMicroseconds: (v: bigint) => BigInt(v) * 1000n,
  timestampFromNanoseconds: (v: bigint) => BigInt(v),
  dateFromDays: (d: number) => d,
};

/** Exact nanoseconds → Floe epoch milliseconds (fraction = sub-millisecond). */
export function nanosToMillis(n: bigint): number {
  return Number(n / NANOS_PER_MS) + Number(n % NANOS_PER_MS) / 1e6;
}

/** Floe epoch milliseconds → exact nanoseconds (sub-nanosecond noise of the double is rounded off). */
export function millisToNanos(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * NANOS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

function isNanoTimestamp(type: LogicalType): boolean {
  return (type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ') && type.precision > 6;
}

/** Turns the intermediate value of a TIMESTAMP(p > 6) into the Floe representation; others pass through. */
export function finishValue(v: unknown, type: LogicalType): unknown {
  if (v === null) return null;
  if (isNanoTimestamp(type)) return nanosToMillis(v as bigint);
  switch (type.kind) {
    case 'ARRAY': {
      const a = v as unknown[];
      if (!needsFinish(type.element)) return a;
      return a.map((x) => finishValue(x, type.element));
    }
    case 'MAP': {
      if (!needsFinish(type.key) && !needsFinish(type.value)) return v;
      const out = new Map<unknown, unknown>();
      for (const [k, x] of v as Map<unknown, unknown>) out.set(finishValue(k, type.key), finishValue(x, type.value));
      return out;
    }
    case 'ROW': {
      const r = v as unknown[];
      return type.fields.map((f, i) => finishValue(r[i] ?? null, f.type));
    }
    default:
      return v;
  }
}

export function needsFinish(type: LogicalType): boolean {
  switch (type.kind) {
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return type.precision > 6;
    case 'ARRAY':
      return needsFinish(type.element);
    case 'MAP':
      return needsFinish(type.key) || needsFinish(type.value);
    case 'ROW':
      return type.fields.some((f) => needsFinish(f.type));
    default:
      return false;
  }
}

/** A decoded Parquet/Avro value → the intermediate representation of `type` (see the module comment). */
function normalize(v: unknown, type: LogicalType, file: string): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      return v === true || v === 1;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'TIME':
    case 'FLOAT':
    case 'DOUBLE':
      return typeof v === 'bigint' ? Number(v) : v;
    case 'BIGINT':
      return typeof v === 'bigint' ? Number(v) : v;
    case 'DECIMAL':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number') return BigInt(v);
      if (v instanceof Uint8Array) return bigintFromTwosComplement(v);
      break;
    case 'CHAR':
    case 'VARCHAR':
      if (typeof v === 'string') return v;
      if (v instanceof Uint8Array) return utf8.decode(v);
      break;
    case 'BINARY':
    case 'VARBINARY':
      if (v instanceof Uint8Array) return new Uint8Array(v);
      if (typeof v === 'string') return new TextEncoder().encode(v);
      break;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const nanos = typeof v === 'bigint' ? v : v instanceof Uint8Array && v.length === 12 ? int96ToNanos(v) : millisToNanos(v as number);
      return type.precision > 6 ? nanos : nanosToMillis(nanos);
    }
    case 'ARRAY':
      if (Array.isArray(v)) return v.map((x) => normalize(x, type.element, file));
      break;
    case 'MAP': {
      const out = new Map<unknown, unknown>();
      if (v instanceof Map) {
        for (const [k, x] of v) out.set(normalize(k, type.key, file), normalize(x, type.value, file));
        return out;
      }
      if (Array.isArray(v)) {
        // Avro maps of non-string keys are written by Paimon as arrays of {key, value} records.
        for (const e of v as Record<string, unknown>[]) out.set(normalize(e['key'], type.key, file), normalize(e['value'], type.value, file));
        return out;
      }
      if (typeof v === 'object') {
        // hyparquet assembles maps as plain objects, so keys arrive as text.
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) out.set(mapKeyFromText(k, type.key), normalize(x, type.value, file));
        return out;
      }
      break;
    }
    case 'ROW': {
      if (Array.isArray(v)) return type.fields.map((f, i) => normalize(v[i], f.type, file));
      if (typeof v === 'object') {
        const o = v as Record<string, unknown>;
        return type.fields.map((f) => normalize(o[f.name], f.type, file));
      }
      break;
    }
    default:
  }
  throw ioError('LAKE.BAD_VALUE', `data file '${file}' holds a value of JS type ${typeof v} where ${type.kind} was expected`);
}

function mapKeyFromText(k: string, type: LogicalType): unknown {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'FLOAT':
    case 'DOUBLE':
    case 'BIGINT':
      return Number(k);
    case 'BOOLEAN':
      return k === 'true';
    case 'DECIMAL':
      return BigInt(k);
    default:
      return k;
  }
}

const utf8 = new TextDecoder();

/**
 * A copy of the metadata adjusted so hyparquet hands over exact raw values:
 * - DECIMAL columns lose their annotation (unscaled INT32/INT64/FIXED instead of lossy doubles);
 * - INT96 columns are read as 12-byte FIXED values and decoded here (`int96ToNanos`): Paimon's Java writer
 *   stores a negative nanos-of-day for instants before 1970 that are not whole days, which hyparquet's
 *   INT96 decoding garbles.
 */
function rawValueMetadata(meta: FileMetaData): FileMetaData {
  const schema = meta.schema.map((e: SchemaElement) => {
    if (e.type === 'INT96') return { ...e, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12 } as SchemaElement;
    if (e.converted_type !== 'DECIMAL' && e.logical_type?.type !== 'DECIMAL') return e;
    const copy: SchemaElement = { ...e };
    delete copy.converted_type;
    delete copy.logical_type;
    return copy;
  });
  const row_groups = meta.row_groups.map((g) => ({
    ...g,
    columns: g.columns.map((c) =>
      c.meta_data?.type === 'INT96' ? { ...c, meta_data: { ...c.meta_data, type: 'FIXED_LEN_BYTE_ARRAY' as const, statistics: undefined } } : c,
    ),
  }));
  return { ...meta, schema, row_groups } as FileMetaData;
}

const JULIAN_EPOCH_DAY = 2440588n;
const NANOS_PER_DAY = 86400000000000n;

/** Parquet INT96 (int64 LE nanos of day, then int32 LE Julian day) → epoch nanoseconds. */
export function int96ToNanos(b: Uint8Array): bigint {
  const view = new DataView(b.buffer, b.byteOffset, 12);
  return (BigInt(view.getInt32(8, true)) - JULIAN_EPOCH_DAY) * NANOS_PER_DAY + view.getBigInt64(0, true);
}

/** The top-level Parquet columns: name and field id of each child of the root. */
function topLevelColumns(meta: FileMetaData): { name: string; fieldId: number | undefined }[] {
  const out: { name: string; fieldId: number | undefined }[] = [];
  const schema = meta.schema;
  let i = 1;
  const skip = (): void => {
    const e = schema[i++]!;
    for (let c = 0; c < (e.num_children ?? 0); c++) skip();
  };
  const root = schema[0]!;
  for (let c = 0; c < (root.num_children ?? 0); c++) {
    const e = schema[i]!;
    out.push({ name: e.name, fieldId: e.field_id });
    skip();
  }
  return out;
}

async function readParquet(bytes: Uint8Array, file: string, fields: readonly FileField[]): Promise<FileColumns> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let meta: FileMetaData;
  try {
    meta = rawValueMetadata(parquetMetadata(buffer));
  } catch (cause) {
    throw ioError('LAKE.CORRUPT_FILE', `'${file}' is not a readable Parquet file`, { cause });
  }
  const numRows = Number(meta.num_rows);
  const present = topLevelColumns(meta);
  const wanted = new Map<string, FileField>();
  for (const f of fields) {
    const col = present.find((c) => c.fieldId === f.id) ?? present.find((c) => c.fieldId === undefined && c.name === f.name);
    if (col !== undefined) wanted.set(col.name, f);
  }
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
  if (wanted.size > 0) {
    try {
      await parquetRead({
        file: buffer,
        metadata: meta,
        columns: [...wanted.keys()],
        compressors,
        utf8: false,
        parsers: PARSERS,
        onChunk: (chunk) => {
          let list = chunks.get(chunk.columnName);
          if (list === undefined) chunks.set(chunk.columnName, (list = []));
          list.push({ rowStart: chunk.rowStart, data: chunk.columnData as ArrayLike<unknown> });
        },
      });
    } catch (cause) {
      throw ioError('LAKE.CORRUPT_FILE', `cannot decode Parquet file '${file}': ${(cause as Error).message}`, { cause });
    }
  }
  const columns = new Map<number, unknown[]>();
  for (const f of fields) columns.set(f.id, new Array<unknown>(numRows).fill(null));
  for (const [name, f] of wanted) {
    const out = columns.get(f.id)!;
    for (const { rowStart, data } of chunks.get(name) ?? []) {
      for (let i = 0; i < data.length && rowStart + i < numRows; i++) out[rowStart + i] = normalize(data[i], f.type, file);
    }
  }
  return { numRows, columns };
}

/** Avro logical types of top-level fields, to tell millisecond from microsecond timestamps. */
function avroTimestampUnits(schema: unknown): Map<string, bigint> {
  const units = new Map<string, bigint>();
  let rec = schema as { type?: unknown; fields?: { name: string; type: unknown }[] } | unknown[];
  if (Array.isArray(rec)) rec = rec.find((s) => typeof s === 'object' && s !== null) as typeof rec;
  const fields = (rec as { fields?: { name: string; type: unknown }[] })?.fields ?? [];
  for (const f of fields) {
    const branches = Array.isArray(f.type) ? f.type : [f.type];
    for (const b of branches) {
      const lt = typeof b === 'object' && b !== null ? (b as { logicalType?: string }).logicalType : undefined;
      if (lt === 'timestamp-millis' || lt === 'local-timestamp-millis') units.set(f.name, NANOS_PER_MS);
      else if (lt === 'timestamp-micros' || lt === 'local-timestamp-micros') units.set(f.name, 1000n);
      else if (lt === 'timestamp-nanos' || lt === 'local-timestamp-nanos') units.set(f.name, 1n);
    }
  }
  return units;
}

function readAvroData(bytes: Uint8Array, file: string, fields: readonly FileField[]): FileColumns {
  const { schema, records } = readAvroContainer(bytes, file);
  const units = avroTimestampUnits(schema);
  const numRows = records.length;
  const columns = new Map<number, unknown[]>();
  for (const f of fields) {
    const out = new Array<unknown>(numRows);
    const unit = units.get(f.name);
    const isTs = f.type.kind === 'TIMESTAMP' || f.type.kind === 'TIMESTAMP_LTZ';
    for (let r = 0; r < numRows; r++) {
      const rec = records[r] as Record<string, unknown> | null;
      let v = rec === null ? null : rec[f.name];
      if (isTs && typeof v === 'bigint') v = v * (unit ?? ((f.type as { precision: number }).precision <= 3 ? NANOS_PER_MS : 1000n));
      else if (isTs && typeof v === 'number') v = BigInt(v) * (unit ?? NANOS_PER_MS);
      out[r] = normalize(v ?? null, f.type, file);
    }
    columns.set(f.id, out);
  }
  return { numRows, columns };
}


function readOrcData(bytes: Uint8Array, file: string, fields: readonly FileField[]): FileColumns {
  const orc = new OrcFile(bytes, file);
  const numRows = orc.numRows;
  const present = orc.fields;
  const wanted: FileField[] = [];
  const indexes: number[] = [];
  for (const f of fields) {
    const col = present.find((c) => c.fieldId === f.id) ?? present.find((c) => c.fieldId === undefined && c.name === f.name);
    if (col === undefined) continue;
    wanted.push(f);
    indexes.push(col.index);
  }
  const columns = new Map<number, unknown[]>();
  for (const f of fields) columns.set(f.id, new Array<unknown>(numRows).fill(null));
  const decoded = orc.readColumns(indexes);
  for (let k = 0; k < wanted.length; k++) {
    const f = wanted[k]!;
    const src = decoded[k]!;
    if (src.length !== numRows) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' holds ${src.length} values of '${f.name}' for ${numRows} rows`);
    const out = columns.get(f.id)!;
    for (let r = 0; r < numRows; r++) out[r] = normalize(src[r], f.type, file);
  }
  return { numRows, columns };
}
