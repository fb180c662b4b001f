/**
 * Creating a Paimon table: writes `schema/schema-0` as Paimon Java does (Jackson-printed JSON, version 3,
 * fields with ids and Paimon type strings, `highestFieldId`, keys, options, `timeMillis`), with
 * `putIfAbsent` so two creators cannot both win. As in Paimon, primary-key columns become NOT NULL and the
 * partition keys of a primary-key table must be part of its primary key.
 *
 * A primary-key table without `bucket` (or with `bucket` = -1) is a dynamic-bucket table, Paimon's default
 * for them: its buckets come from a per-partition hash index (`dynamic-bucket-index.ts`), hashing the
 * primary key minus partition keys, so `bucket-key` cannot be set. Paimon's cross-partition upsert mode
 * (a dynamic-bucket table whose primary key lacks partition keys) is refused.
 */
import { changelogProducerOf } from './changelog-producer.js';
import { dynamicBucketOptions } from './dynamic-bucket-index.js';
import { expirationSettingsOf } from './snapshot-expire.js';
import { unsupported, userError } from '../common/index.js';
import type { ObjectStore } from '../storage/index.js';
import { withNullable, type LogicalType, type RowType } from '../types/index.js';
import { mergeSettingsOf } from './merge-read.js';
import { formatMetadataJson } from './metadata-json.js';
import { formatPaimonType } from './paimon-data-type.js';
import { joinKey } from './paimon-paths.js';
import { openPaimonTable, type PaimonTable } from './paimon-table.js';

/** A column of a new table; `id` defaults to its position. */
export interface PaimonColumnSpec {
  readonly id?: number;
  readonly name: string;
  readonly type: LogicalType;
  readonly description?: string;
}

export interface CreatePaimonTableSpec {
  /** The columns, with or without explicit field ids. */
  readonly fields: readonly PaimonColumnSpec[] | RowType;
  readonly primaryKeys?: readonly string[];
  readonly partitionKeys?: readonly string[];
  /** Paimon table options (`bucket`, `bucket-key`, `merge-engine`, ...), all strings. */
  readonly options?: Readonly<Record<string, string>>;
  readonly comment?: string;
}

/** Creates the table (its schema file) and opens it; `LAKE.TABLE_EXISTS` when `tablePath` already has a schema. */
export async function createPaimonTable(store: ObjectStore, tablePath: string, spec: CreatePaimonTableSpec): Promise<PaimonTable> {
  const path = tablePath.replace(/^\/+|\/+$/g, '');
  const cols: readonly PaimonColumnSpec[] = Array.isArray(spec.fields) ? (spec.fields as readonly PaimonColumnSpec[]) : (spec.fields as RowType).fields;
  const pks = spec.primaryKeys ?? [];
  const parts = spec.partitionKeys ?? [];
  const options: Record<string, string> = { ...(spec.options ?? {}) };
  const what = `Paimon table '${path}'`;
  if (cols.length === 0) throw userError('LAKE.BAD_TABLE_SPEC', `${what} needs at least one column`);
  const names = new Set<string>();
  const ids = new Set<number>();
  const fields = cols.map((c, i) => {
    const id = c.id ?? i;
    if (names.has(c.name)) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: column '${c.name}' is defined twice`);
    if (!Number.isInteger(id) || id < 0 || ids.has(id)) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: column '${c.name}' has a duplicate or invalid field id ${id}`);
    names.add(c.name);
    ids.add(id);
    const type = pks.includes(c.name) ? withNullable(c.type, false) : c.type;
    return { id, name: c.name, type: formatPaimonType(type), description: c.description };
  });
  for (const k of [...pks, ...parts]) {
    if (!names.has(k)) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: key column '${k}' is not a column`);
  }
  const bucket = Number(options['bucket'] ?? '-1');
  if (pks.length > 0) {
    const outside = parts.filter((p) => !pks.includes(p));
    if (outside.length > 0 && bucket === -1) {
      throw unsupported(
        'LAKE.CROSS_PARTITION_UPDATE_UNSUPPORTED',
        `${what}: partition key${outside.length > 1 ? 's' : ''} ${outside.map((p) => `'${p}'`).join(', ')} not in the primary key (${pks.join(', ')}) would need Paimon's cross-partition upsert mode, which Floe does not write`,
        { help: `add ${outside.join(', ')} to the primary key, or give the table a fixed 'bucket' count and a primary key containing every partition key` },
      );
    }
    for (const p of outside) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: partition key '${p}' must be part of the primary key (${pks.join(', ')})`);
    if (pks.every((k) => parts.includes(k))) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: the primary key must not consist of partition keys only`);
  }
  if (!Number.isInteger(bucket) || bucket === 0 || bucket < -2) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: option bucket must be a positive count or -1, got '${options['bucket']}'`);
  if (pks.length > 0 && bucket === -2) {
    throw unsupported('LAKE.POSTPONE_BUCKET_UNSUPPORTED', `${what}: Floe does not write postpone-bucket tables (bucket = -2)`, { help: "set option 'bucket' to a positive number, or -1 for dynamic buckets" });
  }
  if (pks.length > 0 && bucket === -1) {
    if ((options['bucket-key'] ?? '').trim() !== '') {
      throw userError('LAKE.BAD_TABLE_SPEC', `${what}: a dynamic-bucket table (bucket = -1) hashes its primary key; option 'bucket-key' needs a fixed bucket count`);
    }
    dynamicBucketOptions(options, what);
  }
  if (pks.length === 0 && bucket > 0 && (options['bucket-key'] ?? '').trim() === '') {
    // As Paimon: a bucketed append table hashes its rows by an explicit bucket key.
    throw userError('LAKE.BAD_TABLE_SPEC', `${what}: an append table with bucket = ${bucket} needs option 'bucket-key'`);
  }
  for (const k of (options['bucket-key'] ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    if (!names.has(k)) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: bucket key '${k}' is not a column`);
    if (pks.length > 0 && !pks.includes(k)) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: bucket key '${k}' must be part of the primary key`);
  }
  const format = (options['file.format'] ?? 'parquet').toLowerCase();
  if (format !== 'parquet') throw unsupported('LAKE.UNSUPPORTED_FORMAT', `${what}: Floe writes Parquet data files only (file.format '${format}')`);
  const manifestFormat = (options['manifest.format'] ?? 'avro').toLowerCase();
  if (manifestFormat !== 'avro') throw unsupported('LAKE.UNSUPPORTED_FORMAT', `${what}: Floe writes Avro manifests only (manifest.format '${manifestFormat}')`);
  changelogProducerOf(options, pks.length > 0, path);
  expirationSettingsOf(options, path);
  if (pks.length > 0) {
    // Aggregators and sequence groups name columns and need fitting types: refuse a bad table now.
    mergeSettingsOf(options, { fields: cols, primaryKeys: pks }, path);
  }
  options['file.format'] ??= 'parquet';
  const schema = {
    version: 3,
    id: 0,
    fields,
    highestFieldId: Math.max(...fields.map((f) => f.id)),
    partitionKeys: [...parts],
    primaryKeys: [...pks],
    options,
    comment: spec.comment,
    timeMillis: Date.now(),
  };
  const key = joinKey(path, 'schema', 'schema-0');
  if (!(await store.putIfAbsent(key, new TextEncoder().encode(formatMetadataJson(schema))))) {
    throw userError('LAKE.TABLE_EXISTS', `${what} already exists in ${store.uri}`);
  }
  return openPaimonTable(store, path);
}
