/**
 * Paimon table schemas (`schema/schema-N`): versioned JSON holding fields with stable ids, partition and
 * primary keys and the table options. Every data file records the schema id it was written with; readers
 * map its columns to the reading schema by field id (see `schema-evolution.ts`).
 */
import { ioError } from '../common/index.js';
import type { RowType } from '../types/index.js';
import { jsonInt, parseMetadataJson } from './metadata-json.js';
import { parsePaimonFields, type PaimonField } from './paimon-data-type.js';

export interface TableSchema {
  readonly id: number;
  readonly version: number;
  readonly fields: readonly PaimonField[];
  readonly highestFieldId: number;
  readonly partitionKeys: readonly string[];
  readonly primaryKeys: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  readonly comment: string | undefined;
  readonly timeMillis: number | undefined;
  /** The fields as a Floe row type (names and types in schema order). */
  readonly rowType: RowType;
}

function stringList(obj: Record<string, unknown>, key: string, file: string): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw ioError('LAKE.CORRUPT_FILE', `schema file '${file}': '${key}' must be a list of names`);
  }
  return v as string[];
}

export function parseTableSchema(text: string, file: string): TableSchema {
  const obj = parseMetadataJson(text, file);
  const fields = parsePaimonFields(obj['fields']);
  const rawOptions = (obj['options'] ?? {}) as Record<string, unknown>;
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawOptions)) options[k] = String(v);
  const schema: TableSchema = {
    id: jsonInt(obj, 'id', file),
    version: typeof obj['version'] === 'number' ? (obj['version'] as number) : 1,
    fields,
    highestFieldId: typeof obj['highestFieldId'] === 'number' ? (obj['highestFieldId'] as number) : Math.max(-1, ...fields.map((f) => f.id)),
    partitionKeys: stringList(obj, 'partitionKeys', file),
    primaryKeys: stringList(obj, 'primaryKeys', file),
    options,
    comment: typeof obj['comment'] === 'string' ? (obj['comment'] as string) : undefined,
    timeMillis: typeof obj['timeMillis'] === 'number' ? (obj['timeMillis'] as number) : undefined,
    rowType: { fields: fields.map((f) => ({ name: f.name, type: f.type })) },
  };
  for (const key of [...schema.partitionKeys, ...schema.primaryKeys]) {
    if (!fields.some((f) => f.name === key)) {
      throw ioError('LAKE.CORRUPT_FILE', `schema file '${file}' names key column '${key}', which is not a field`);
    }
  }
  return schema;
}

/** The field of `schema` named `name`; an internal inconsistency when missing (checked at parse time). */
export function fieldByName(schema: TableSchema, name: string): PaimonField {
  const f = schema.fields.find((x) => x.name === name);
  if (f === undefined) throw ioError('LAKE.CORRUPT_FILE', `schema ${schema.id} has no field '${name}'`);
  return f;
}

/**
 * The bucket key: option `bucket-key` when set, else the primary keys minus the partition keys (Paimon's
 * "trimmed primary key"), else every field (append tables with a fixed bucket count and no bucket key).
 */
export function bucketKeys(schema: TableSchema): string[] {
  const opt = schema.options['bucket-key'];
  if (opt !== undefined && opt.trim() !== '') return opt.split(',').map((s) => s.trim());
  if (schema.primaryKeys.length > 0) return trimmedPrimaryKeys(schema);
  return schema.fields.map((f) => f.name);
}

/** Primary keys that are not partition keys: the key columns stored in data files as `_KEY_<name>`. */
export function trimmedPrimaryKeys(schema: TableSchema): string[] {
  const pks = schema.primaryKeys.filter((k) => !schema.partitionKeys.includes(k));
  return pks.length === 0 ? [...schema.primaryKeys] : pks;
}
