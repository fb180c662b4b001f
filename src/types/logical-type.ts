/**
 * Logical SQL types, as Flink defines them, and how each one's values are represented in JS.
 *
 * Value representation (one per type; every layer relies on it, so change it only here and everywhere):
 *
 * | type                         | JS value                         | batch column storage        |
 * |------------------------------|----------------------------------|-----------------------------|
 * | BOOLEAN                      | boolean                          | Uint8Array (0/1) + nulls    |
 * | TINYINT SMALLINT INT         | number (integer)                 | Int32Array + nulls          |
 * | DATE                         | number: days since 1970-01-01    | Int32Array + nulls          |
 * | TIME(p)                      | number: ms of the day (fraction = sub-ms) | Float64Array + nulls |
 * | BIGINT                       | number (integer, exact within ±2^53−1) | Float64Array + nulls  |
 * | FLOAT DOUBLE                 | number                           | Float64Array + nulls        |
 * | TIMESTAMP(p) TIMESTAMP_LTZ(p)| number: epoch ms (fraction = sub-ms; TIMESTAMP is read as UTC wall clock) | Float64Array + nulls |
 * | INTERVAL DAY TO SECOND       | number: milliseconds             | Float64Array + nulls        |
 * | INTERVAL YEAR TO MONTH       | number: months                   | Float64Array + nulls        |
 * | DECIMAL(p, s)                | bigint: the unscaled value (value × 10^s) | Array, null = SQL NULL |
 * | CHAR VARCHAR (STRING)        | string                           | Array, null = SQL NULL      |
 * | BINARY VARBINARY (BYTES)     | Uint8Array                       | Array, null = SQL NULL      |
 * | ARRAY<T>                     | T[] (elements as above, null = NULL) | Array, null = SQL NULL  |
 * | MAP<K, V>                    | Map<K, V>                        | Array, null = SQL NULL      |
 * | ROW<…>                       | unknown[] (field values by position) | Array, null = SQL NULL  |
 * | NULL (type of a bare NULL)   | null                             | Array                       |
 *
 * SQL NULL is always `null` at the value level (never `undefined`).
 */

export type NumericKind = 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE';

/** Marks a TIMESTAMP/TIMESTAMP_LTZ column as the event-time or processing-time attribute. */
export type TimeAttribute = 'rowtime' | 'proctime';

export type LogicalType =
  | { readonly kind: 'BOOLEAN'; readonly nullable: boolean }
  | { readonly kind: NumericKind; readonly nullable: boolean }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number; readonly nullable: boolean }
  /** `length` 2147483647 is STRING. */
  | { readonly kind: 'CHAR' | 'VARCHAR'; readonly length: number; readonly nullable: boolean }
  | { readonly kind: 'BINARY' | 'VARBINARY'; readonly length: number; readonly nullable: boolean }
  | { readonly kind: 'DATE'; readonly nullable: boolean }
  | { readonly kind: 'TIME'; readonly precision: number; readonly nullable: boolean }
  | {
      readonly kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ';
      readonly precision: number;
      readonly nullable: boolean;
      readonly timeAttribute?: TimeAttribute;
    }
  | { readonly kind: 'INTERVAL_DAY_TIME'; readonly nullable: boolean }
  | { readonly kind: 'INTERVAL_YEAR_MONTH'; readonly nullable: boolean }
  | { readonly kind: 'ARRAY'; readonly element: LogicalType; readonly nullable: boolean }
  | { readonly kind: 'MAP'; readonly key: LogicalType; readonly value: LogicalType; readonly nullable: boolean }
  | { readonly kind: 'ROW'; readonly fields: readonly RowField[]; readonly nullable: boolean }
  | { readonly kind: 'NULL'; readonly nullable: true };

export type TypeKind = LogicalType['kind'];

export interface RowField {
  readonly name: string;
  readonly type: LogicalType;
}

/** The schema of a relation: named, typed columns in order. Also the shape of a batch. */
export interface RowType {
  readonly fields: readonly RowField[];
}

export const MAX_VARCHAR_LENGTH = 2147483647;
export const MAX_DECIMAL_PRECISION = 38;

/** How a column of this type is stored in a batch (see the table above). */
export type ColumnStorage = 'bool' | 'int32' | 'float64' | 'object';

export function columnStorageOf(type: LogicalType): ColumnStorage {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'bool';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
      return 'int32';
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return 'float64';
    default:
      return 'object';
  }
}

export const Types = {
  boolean: (nullable = true): LogicalType => ({ kind: 'BOOLEAN', nullable }),
  tinyint: (nullable = true): LogicalType => ({ kind: 'TINYINT', nullable }),
  smallint: (nullable = true): LogicalType => ({ kind: 'SMALLINT', nullable }),
  int: (nullable = true): LogicalType => ({ kind: 'INT', nullable }),
  bigint: (nullable = true): LogicalType => ({ kind: 'BIGINT', nullable }),
  float: (nullable = true): LogicalType => ({ kind: 'FLOAT', nullable }),
  double: (nullable = true): LogicalType => ({ kind: 'DOUBLE', nullable }),
  decimal: (precision: number, scale: number, nullable = true): LogicalType => ({ kind: 'DECIMAL', precision, scale, nullable }),
  varchar: (length = MAX_VARCHAR_LENGTH, nullable = true): LogicalType => ({ kind: 'VARCHAR', length, nullable }),
  string: (nullable = true): LogicalType => ({ kind: 'VARCHAR', length: MAX_VARCHAR_LENGTH, nullable }),
  char: (length: number, nullable = true): LogicalType => ({ kind: 'CHAR', length, nullable }),
  bytes: (nullable = true): LogicalType => ({ kind: 'VARBINARY', length: MAX_VARCHAR_LENGTH, nullable }),
  date: (nullable = true): LogicalType => ({ kind: 'DATE', nullable }),
  time: (precision = 0, nullable = true): LogicalType => ({ kind: 'TIME', precision, nullable }),
  timestamp: (precision = 6, nullable = true): LogicalType => ({ kind: 'TIMESTAMP', precision, nullable }),
  timestampLtz: (precision = 6, nullable = true): LogicalType => ({ kind: 'TIMESTAMP_LTZ', precision, nullable }),
  intervalDayTime: (nullable = true): LogicalType => ({ kind: 'INTERVAL_DAY_TIME', nullable }),
  intervalYearMonth: (nullable = true): LogicalType => ({ kind: 'INTERVAL_YEAR_MONTH', nullable }),
  array: (element: LogicalType, nullable = true): LogicalType => ({ kind: 'ARRAY', element, nullable }),
  map: (key: LogicalType, value: LogicalType, nullable = true): LogicalType => ({ kind: 'MAP', key, value, nullable }),
  row: (fields: readonly RowField[], nullable = true): LogicalType => ({ kind: 'ROW', fields, nullable }),
  null: (): LogicalType => ({ kind: 'NULL', nullable: true }),
} as const;

/** The same type with another nullability (time attributes are kept). */
export function withNullable(type: LogicalType, nullable: boolean): LogicalType {
  if (type.kind === 'NULL' || type.nullable === nullable) return type;
  return { ...type, nullable } as LogicalType;
}

/** The same type without a time-attribute marker (what a time attribute becomes after most operations). */
export function withoutTimeAttribute(type: LogicalType): LogicalType {
  if ((type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ') && type.timeAttribute) {
    return { kind: type.kind, precision: type.precision, nullable: type.nullable };
  }
  return type;
}

/** Flink's SQL spelling: `DECIMAL(23, 3)`, `VARCHAR(10)`, `STRING`, `TIMESTAMP(3) *ROWTIME*`, `ROW<`a` INT>`, `BIGINT NOT NULL`. */
export function formatType(type: LogicalType): string {
  const nn = type.kind !== 'NULL' && !type.nullable ? ' NOT NULL' : '';
  switch (type.kind) {
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})${nn}`;
    case 'CHAR':
      return `CHAR(${type.length})${nn}`;
    case 'VARCHAR':
      return (type.length === MAX_VARCHAR_LENGTH ? 'STRING' : `VARCHAR(${type.length})`) + nn;
    case 'BINARY':
      return `BINARY(${type.length})${nn}`;
    case 'VARBINARY':
      return (type.length === MAX_VARCHAR_LENGTH ? 'BYTES' : `VARBINARY(${type.length})`) + nn;
    case 'TIME':
      return `TIME(${type.precision})${nn}`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const base = type.kind === 'TIMESTAMP' ? `TIMESTAMP(${type.precision})` : `TIMESTAMP_LTZ(${type.precision})`;
      const attr = type.timeAttribute === 'rowtime' ? ' *ROWTIME*' : type.timeAttribute === 'proctime' ? ' *PROCTIME*' : '';
      return base + nn + attr;
    }
    case 'INTERVAL_DAY_TIME':
      return `INTERVAL SECOND(3)${nn}`;
    case 'INTERVAL_YEAR_MONTH':
      return `INTERVAL MONTH${nn}`;
    case 'ARRAY':
      return `ARRAY<${formatType(type.element)}>${nn}`;
    case 'MAP':
      return `MAP<${formatType(type.key)}, ${formatType(type.value)}>${nn}`;
    case 'ROW':
      return `ROW<${type.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>${nn}`;
    case 'NULL':
      return 'NULL';
    default:
      return type.kind + nn;
  }
}

/** Structural equality, including nullability and time attributes. */
export function typeEquals(a: LogicalType, b: LogicalType): boolean {
  return formatType(a) === formatType(b);
}

export function isNumericType(type: LogicalType): boolean {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return true;
    default:
      return false;
  }
}

export function isExactIntegerType(type: LogicalType): boolean {
  return type.kind === 'TINYINT' || type.kind === 'SMALLINT' || type.kind === 'INT' || type.kind === 'BIGINT';
}

export function isStringType(type: LogicalType): boolean {
  return type.kind === 'CHAR' || type.kind === 'VARCHAR';
}

export function isTimestampType(type: LogicalType): boolean {
  return type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ';
}

export function isRowtime(type: LogicalType): boolean {
  return isTimestampType(type) && (type as { timeAttribute?: TimeAttribute }).timeAttribute === 'rowtime';
}

export function isProctime(type: LogicalType): boolean {
  return isTimestampType(type) && (type as { timeAttribute?: TimeAttribute }).timeAttribute === 'proctime';
}
