/**
 * Writes Paimon data files (Parquet) and computes the file statistics recorded in manifests.
 *
 * Parquet mapping (as Paimon Java / parquet-mr writes it, see the fixtures' README): every column carries
 * `field_id` = Paimon field id (system columns: `_SEQUENCE_NUMBER` 2147483646, `_VALUE_KIND` 2147483645,
 * `_KEY_<k>` 1073741823 + id), NOT NULL columns are REQUIRED, TINYINT/SMALLINT are INT32 annotated
 * INT_8/INT_16, DATE is INT32 DATE, TIME is INT32 TIME_MILLIS, DECIMAL is INT32 (p ≤ 9), INT64 (p ≤ 18) or
 * FIXED_LEN_BYTE_ARRAY of the minimal width, TIMESTAMP(0..3) is INT64 millis and TIMESTAMP(4..6) INT64
 * micros (`isAdjustedToUTC` true only for WITH LOCAL TIME ZONE). One row group per file; codec SNAPPY
 * (Paimon reads the codec from each column chunk).
 *
 * Not written yet: TIMESTAMP(7..9) (Paimon uses INT96, which hyparquet-writer cannot produce) and nested
 * types; both fail with `LAKE.UNSUPPORTED_WRITE_TYPE`.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { unsupported } from '../common/index.js';
import { compareValues, type LogicalType } from '../types/index.js';
import { BinaryRowWriter } from './binary-row.js';

/** hyparquet-writer's own (nested) hyparquet SchemaElement type. */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];
import type { SimpleStats } from './manifest.js';

/** One column of a data file: Paimon field id, column name, type. */
export interface WriteField {
  readonly id: number;
  readonly name: string;
  readonly type: LogicalType;
}

/** Minimal bytes holding any unscaled value of a DECIMAL(precision) (Paimon `computeMinBytesForDecimalPrecision`). */
function decimalBytes(precision: number): number {
  let n = 1;
  while (2 ** (8 * n - 1) < 10 ** precision) n++;
  return n;
}

function schemaElement(f: WriteField): SchemaElement {
  const t = f.type;
  const base = { name: f.name, field_id: f.id, repetition_type: t.nullable ? 'OPTIONAL' : 'REQUIRED' } as const;
  switch (t.kind) {
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' };
    case 'TINYINT':
      // Converted type only: hyparquet-writer encodes the INTEGER logical type's bitWidth with the wrong
      // Thrift type (strict readers such as DuckDB reject the footer), and INT_8 alone is equivalent.
      return { ...base, type: 'INT32', converted_type: 'INT_8' };
    case 'SMALLINT':
      return { ...base, type: 'INT32', converted_type: 'INT_16' };
    case 'INT':
      return { ...base, type: 'INT32' };
    case 'BIGINT':
      return { ...base, type: 'INT64' };
    case 'FLOAT':
      return { ...base, type: 'FLOAT' };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' };
    case 'CHAR':
    case 'VARCHAR':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'BINARY':
    case 'VARBINARY':
      return { ...base, type: 'BYTE_ARRAY' };
    case 'DATE':
      return { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'TIME':
      return { ...base, type: 'INT32', converted_type: 'TIME_MILLIS', logical_type: { type: 'TIME', isAdjustedToUTC: false, unit: 'MILLIS' } };
    case 'DECIMAL': {
      const dec = { converted_type: 'DECIMAL', precision: t.precision, scale: t.scale, logical_type: { type: 'DECIMAL', precision: t.precision, scale: t.scale } } as const;
      if (t.precision <= 9) return { ...base, type: 'INT32', ...dec };
      if (t.precision <= 18) return { ...base, type: 'INT64', ...dec };
      return { ...base, type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalBytes(t.precision), ...dec };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const utc = t.kind === 'TIMESTAMP_LTZ';
      if (t.precision <= 3) return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: utc, unit: 'MILLIS' } };
      if (t.precision <= 6) return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: utc, unit: 'MICROS' } };
      break;
    }
    default:
  }
  throw unsupported('LAKE.UNSUPPORTED_WRITE_TYPE', `column '${f.name}': Floe cannot write Paimon data files with ${t.kind}${'precision' in t ? `(${t.precision})` : ''} columns yet`);
}

/** Checks up front that every field can be written (so a write fails before any file is produced). */
export function checkWritable(fields: readonly WriteField[]): void {
  for (const f of fields) schemaElement(f);
}

/** Floe values of one column → the values hyparquet-writer expects for its schema element. */
function parquetValues(values: readonly unknown[], type: LogicalType): unknown[] {
  const n = values.length;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      out[i] = null;
      continue;
    }
    switch (type.kind) {
      case 'BIGINT':
        out[i] = BigInt(v as number);
        break;
      case 'TIME':
        out[i] = Math.floor(v as number);
        break;
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ': {
        const ms = v as number;
        const whole = Math.floor(ms);
        out[i] = type.precision <= 3 ? BigInt(whole) : BigInt(whole) * 1000n + BigInt(Math.round((ms - whole) * 1000));
        break;
      }
      default:
        out[i] = v;
    }
  }
  return out;
}

/** Encodes a Parquet data file: `columns[c]` holds the values of `fields[c]`, all `numRows` long. */
export function writeParquetDataFile(fields: readonly WriteField[], columns: readonly (readonly unknown[])[], numRows: number): Uint8Array {
  const schema: SchemaElement[] = [{ name: 'paimon_schema', num_children: fields.length }];
  for (const f of fields) schema.push(schemaElement(f));
  const columnData = fields.map((f, c) => ({ name: f.name, data: parquetValues(columns[c]!, f.type), nullable: f.type.nullable }));
  const buf = parquetWriteBuffer({
    columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]['columnData'],
    schema,
    codec: 'SNAPPY',
    rowGroupSize: Math.max(1, numRows),
    createdBy: 'floe (Paimon table writer)',
  });
  return new Uint8Array(buf);
}

function binaryRowType(type: LogicalType): boolean {
  switch (type.kind) {
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
    case 'NULL':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return false;
    default:
      return true;
  }
}

/**
 * Paimon's default `metadata.stats-mode` `truncate(16)` for strings: the min is cut to 16 code points;
 * the max is cut and its last code point incremented so it still bounds the column (null when no code
 * point can be incremented, i.e. no upper bound is recorded).
 */
function truncateString(s: string, isMax: boolean, width: number): string | null {
  const cps = Array.from(s);
  if (cps.length <= width) return s;
  const cut = cps.slice(0, width);
  if (!isMax) return cut.join('');
  for (let i = cut.length - 1; i >= 0; i--) {
    const cp = cut[i]!.codePointAt(0)!;
    if (cp < 0x10ffff) {
      cut[i] = String.fromCodePoint(cp + 1);
      return cut.slice(0, i + 1).join('');
    }
  }
  return null;
}

/**
 * Min, max (serialized BinaryRows) and null counts of the columns, in Paimon's `SimpleStats` form.
 * `truncate` applies `truncate(16)` to strings (value stats); key stats are exact (`full`). Types a
 * BinaryRow cannot hold (nested) have NULL min/max, as in Paimon.
 */
export function columnStats(types: readonly LogicalType[], columns: readonly (readonly unknown[])[], numRows: number, truncate: boolean): SimpleStats {
  const min = new BinaryRowWriter(types.length);
  const max = new BinaryRowWriter(types.length);
  const nullCounts: number[] = [];
  for (let c = 0; c < types.length; c++) {
    const type = types[c]!;
    const values = columns[c]!;
    let nulls = 0;
    let lo: unknown = null;
    let hi: unknown = null;
    const comparable = binaryRowType(type);
    for (let r = 0; r < numRows; r++) {
      const v = values[r];
      if (v === null || v === undefined) {
        nulls++;
        continue;
      }
      if (!comparable) continue;
      if (lo === null || compareValues(v, lo, type) < 0) lo = v;
      if (hi === null || compareValues(v, hi, type) > 0) hi = v;
    }
    if (truncate && typeof lo === 'string') lo = truncateString(lo, false, 16);
    if (truncate && typeof hi === 'string') hi = truncateString(hi, true, 16);
    min.set(c, comparable ? lo : null, comparable ? type : NULL_SAFE);
    max.set(c, comparable ? hi : null, comparable ? type : NULL_SAFE);
    nullCounts.push(nulls);
  }
  return { minValues: min.serialize(), maxValues: max.serialize(), nullCounts };
}

/** Stand-in type for the NULL stats of nested columns (a NULL slot is the same for every fixed type). */
const NULL_SAFE: LogicalType = { kind: 'INT', nullable: true };

/** Serializes one row of values (a key or a partition) as a BinaryRow with its arity prefix. */
export function serializeRow(values: readonly unknown[], types: readonly LogicalType[]): Uint8Array {
  const w = new BinaryRowWriter(types.length);
  for (let i = 0; i < types.length; i++) w.set(i, values[i] ?? null, types[i]!);
  return w.serialize();
}
