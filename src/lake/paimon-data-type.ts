/**
 * Paimon `DataType` JSON (as stored in `schema/schema-N` files) → Floe `LogicalType`.
 *
 * Atomic types are strings such as `"INT NOT NULL"`, `"DECIMAL(10, 2)"`, `"TIMESTAMP(6) WITH LOCAL TIME
 * ZONE"`; nested types are objects `{ type: "ARRAY", element }`, `{ type: "MAP", key, value }`,
 * `{ type: "MULTISET", element }` (read as MAP<element, INT NOT NULL>, as Paimon stores it) and
 * `{ type: "ROW", fields: [{ id, name, type }] }`. Only top-level field ids are kept (`PaimonField`);
 * nested ROW fields are matched by position when data files are read.
 */
import { unsupported, userError } from '../common/index.js';
import { MAX_VARCHAR_LENGTH, Types, type LogicalType } from '../types/index.js';

/** One field of a Paimon row type: id (stable across renames), name, type and optional description. */
export interface PaimonField {
  readonly id: number;
  readonly name: string;
  readonly type: LogicalType;
  readonly description?: string | undefined;
}

const ATOMIC = /^([A-Z_]+(?: [A-Z_]+)*?)(?:\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?(\s+WITH LOCAL TIME ZONE)?(\s+NOT NULL)?$/;

function badType(json: unknown, why: string): Error {
  return userError('LAKE.BAD_DATA_TYPE', `invalid Paimon data type ${JSON.stringify(json)}: ${why}`);
}

/** Parses one Paimon data type (string or object form). */
export function parsePaimonType(json: unknown): LogicalType {
  if (typeof json === 'string') return parseAtomic(json.trim(), json);
  if (json === null || typeof json !== 'object') throw badType(json, 'expected a string or an object');
  const obj = json as Record<string, unknown>;
  const head = typeof obj['type'] === 'string' ? (obj['type'] as string).trim() : '';
  const nullable = !/\sNOT NULL$/.test(head);
  const kind = head.replace(/\s+NOT NULL$/, '');
  switch (kind) {
    case 'ARRAY':
      return Types.array(parsePaimonType(obj['element']), nullable);
    case 'MULTISET':
      return Types.map(parsePaimonType(obj['element']), Types.int(false), nullable);
    case 'MAP':
      return Types.map(parsePaimonType(obj['key']), parsePaimonType(obj['value']), nullable);
    case 'ROW':
      return Types.row(parsePaimonFields(obj['fields']).map((f) => ({ name: f.name, type: f.type })), nullable);
    default:
      throw badType(json, `unknown nested type '${head}'`);
  }
}

/** Parses the `fields` array of a schema file or of a nested ROW type. */
export function parsePaimonFields(json: unknown): PaimonField[] {
  if (!Array.isArray(json)) throw badType(json, 'expected an array of fields');
  return json.map((f: unknown) => {
    const o = f as Record<string, unknown>;
    if (typeof o?.['id'] !== 'number' || typeof o['name'] !== 'string') throw badType(f, 'a field needs a numeric id and a name');
    const description = typeof o['description'] === 'string' ? (o['description'] as string) : undefined;
    return { id: o['id'] as number, name: o['name'] as string, type: parsePaimonType(o['type']), description };
  });
}

function parseAtomic(text: string, json: unknown): LogicalType {
  const m = ATOMIC.exec(text);
  if (m === null) throw badType(json, 'unrecognised type text');
  const name = m[1]!;
  const p1 = m[2] === undefined ? undefined : Number(m[2]);
  const p2 = m[3] === undefined ? undefined : Number(m[3]);
  const ltz = m[4] !== undefined;
  const nullable = m[5] === undefined;
  switch (name) {
    case 'BOOLEAN':
      return Types.boolean(nullable);
    case 'TINYINT':
      return Types.tinyint(nullable);
    case 'SMALLINT':
      return Types.smallint(nullable);
    case 'INT':
    case 'INTEGER':
      return Types.int(nullable);
    case 'BIGINT':
      return Types.bigint(nullable);
    case 'FLOAT':
      return Types.float(nullable);
    case 'DOUBLE':
      return Types.double(nullable);
    case 'DECIMAL':
      return Types.decimal(p1 ?? 10, p2 ?? 0, nullable);
    case 'STRING':
      return Types.string(nullable);
    case 'VARCHAR':
      return Types.varchar(p1 ?? 1, nullable);
    case 'CHAR':
      return Types.char(p1 ?? 1, nullable);
    case 'BYTES':
      return Types.bytes(nullable);
    case 'BLOB':
      // Paimon's BLOB holds large binary objects in separate `.blob` files; its values are bytes.
      return Types.bytes(nullable);
    case 'VARBINARY':
      return { kind: 'VARBINARY', length: p1 ?? 1, nullable };
    case 'BINARY':
      return { kind: 'BINARY', length: p1 ?? 1, nullable };
    case 'DATE':
      return Types.date(nullable);
    case 'TIME':
    case 'TIME WITHOUT TIME ZONE':
      return Types.time(p1 ?? 0, nullable);
    case 'TIMESTAMP':
    case 'TIMESTAMP WITHOUT TIME ZONE':
      return ltz ? Types.timestampLtz(p1 ?? 6, nullable) : Types.timestamp(p1 ?? 6, nullable);
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP WITH LOCAL TIME ZONE':
      return Types.timestampLtz(p1 ?? 6, nullable);
    default:
      throw badType(json, `unknown type '${name}'`);
  }
}

/**
 * The Paimon type string of an atomic Floe type, as `schema-N` files spell it (`"INT NOT NULL"`,
 * `"DECIMAL(10, 2)"`, `"TIMESTAMP(3) WITH LOCAL TIME ZONE"`, `"STRING"` for VARCHAR(max)). Nested types
 * need field ids for their ROW fields and are not written yet.
 */
export function formatPaimonType(type: LogicalType): string {
  const nn = type.nullable ? '' : ' NOT NULL';
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return type.kind + nn;
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})${nn}`;
    case 'VARCHAR':
      return (type.length === MAX_VARCHAR_LENGTH ? 'STRING' : `VARCHAR(${type.length})`) + nn;
    case 'CHAR':
      return `CHAR(${type.length})${nn}`;
    case 'VARBINARY':
      return (type.length === MAX_VARCHAR_LENGTH ? 'BYTES' : `VARBINARY(${type.length})`) + nn;
    case 'BINARY':
      return `BINARY(${type.length})${nn}`;
    case 'TIME':
      return `TIME(${type.precision})${nn}`;
    case 'TIMESTAMP':
      return `TIMESTAMP(${type.precision})${nn}`;
    case 'TIMESTAMP_LTZ':
      return `TIMESTAMP(${type.precision}) WITH LOCAL TIME ZONE${nn}`;
    default:
      throw unsupported('LAKE.UNSUPPORTED_WRITE_TYPE', `Floe cannot write Paimon columns of type ${type.kind} yet`);
  }
}
