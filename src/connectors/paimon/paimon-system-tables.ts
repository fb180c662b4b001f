/**
 * Paimon's system tables, read as `` `t$snapshots` ``, `` `t$schemas` ``, `` `t$options` ``,
 * `` `t$files` ``, `` `t$partitions` `` and `` `t$manifests` `` through the Paimon catalog. Columns
 * follow Paimon's (a subset for `$files`); the rows are the table's metadata at the time of the scan,
 * files, partitions and manifests those of the latest snapshot; `` `t$tags` `` lists the tags and
 * `` `t$consumers` `` the consumers (streaming readers' recorded positions). `` `t$audit_log` `` is data, not
 * metadata: its type here is its leading `rowkind` column, `t`'s columns follow (paimon-audit-log.ts).
 *
 * BIGINT values are JS numbers (Floe's representation), so a commit identifier of Long.MAX_VALUE — what
 * batch commits write — reads as 9223372036854775807 rounded to the nearest double.
 */
import { decodeManifestList, deserializeBinaryRow, formatPaimonType, listConsumers, type ManifestEntry, type PaimonTable, type TableSchema } from '../../lake/index.js';
import { internalError } from '../../common/index.js';
import { BatchBuilder, RowKind, Types, type RecordBatch, type RowType } from '../../types/index.js';

export type SystemTableName = 'snapshots' | 'schemas' | 'options' | 'files' | 'partitions' | 'manifests' | 'audit_log' | 'tags' | 'consumers';

const S = (nullable = true) => Types.string(nullable);
const BIG = (nullable = true) => Types.bigint(nullable);

export const SYSTEM_TABLE_TYPES: Readonly<Record<SystemTableName, RowType>> = {
  snapshots: {
    fields: [
      { name: 'snapshot_id', type: BIG(false) },
      { name: 'schema_id', type: BIG(false) },
      { name: 'commit_user', type: S(false) },
      { name: 'commit_identifier', type: BIG(false) },
      { name: 'commit_kind', type: S(false) },
      { name: 'commit_time', type: Types.timestamp(3, false) },
      { name: 'base_manifest_list', type: S(false) },
      { name: 'delta_manifest_list', type: S(false) },
      { name: 'changelog_manifest_list', type: S() },
      { name: 'total_record_count', type: BIG() },
      { name: 'delta_record_count', type: BIG() },
      { name: 'changelog_record_count', type: BIG() },
      { name: 'watermark', type: BIG() },
    ],
  },
  schemas: {
    fields: [
      { name: 'schema_id', type: BIG(false) },
      { name: 'fields', type: S(false) },
      { name: 'partition_keys', type: S(false) },
      { name: 'primary_keys', type: S(false) },
      { name: 'options', type: S(false) },
      { name: 'comment', type: S() },
      { name: 'update_time', type: Types.timestamp(3) },
    ],
  },
  options: {
    fields: [
      { name: 'key', type: S(false) },
      { name: 'value', type: S(false) },
    ],
  },
  files: {
    fields: [
      { name: 'partition', type: S() },
      { name: 'bucket', type: Types.int(false) },
      { name: 'file_path', type: S(false) },
      { name: 'file_format', type: S(false) },
      { name: 'schema_id', type: BIG(false) },
      { name: 'level', type: Types.int(false) },
      { name: 'record_count', type: BIG(false) },
      { name: 'file_size_in_bytes', type: BIG(false) },
      { name: 'min_sequence_number', type: BIG(false) },
      { name: 'max_sequence_number', type: BIG(false) },
      { name: 'creation_time', type: Types.timestamp(3) },
    ],
  },
  partitions: {
    fields: [
      { name: 'partition', type: S() },
      { name: 'record_count', type: BIG(false) },
      { name: 'file_size_in_bytes', type: BIG(false) },
      { name: 'file_count', type: BIG(false) },
      { name: 'last_update_time', type: Types.timestamp(3) },
    ],
  },
  // The leading column only: the table's own columns follow (paimon-audit-log.ts reads its rows).
  audit_log: { fields: [{ name: 'rowkind', type: S(false) }] },
  // Paimon's TagsTable: one row per tag, by name; create_time and time_retained only for tags made with a retention.
  tags: {
    fields: [
      { name: 'tag_name', type: S(false) },
      { name: 'snapshot_id', type: BIG(false) },
      { name: 'schema_id', type: BIG(false) },
      { name: 'commit_time', type: Types.timestamp(3, false) },
      { name: 'record_count', type: BIG() },
      { name: 'create_time', type: Types.timestamp(3) },
      { name: 'time_retained', type: S() },
    ],
  },
  // Paimon's ConsumersTable: one row per consumer id.
  consumers: {
    fields: [
      { name: 'consumer_id', type: S(false) },
      { name: 'next_snapshot_id', type: BIG(false) },
    ],
  },
  manifests: {
    fields: [
      { name: 'file_name', type: S(false) },
      { name: 'file_size', type: BIG(false) },
      { name: 'num_added_files', type: BIG(false) },
      { name: 'num_deleted_files', type: BIG(false) },
      { name: 'schema_id', type: BIG(false) },
    ],
  },
};

export function isSystemTableName(name: string): name is SystemTableName {
  return Object.prototype.hasOwnProperty.call(SYSTEM_TABLE_TYPES, name);
}

/** Paimon prints JSON lists and maps of the schema in its `$schemas` table; so do we (Jackson's compact form). */
function schemaFieldsJson(schema: TableSchema): string {
  return JSON.stringify(schema.fields.map((f) => ({ id: f.id, name: f.name, type: formatPaimonType(f.type) })));
}

async function rowsOf(table: PaimonTable, name: SystemTableName): Promise<unknown[][]> {
  switch (name) {
    case 'snapshots':
      return (await table.snapshots()).map((s) => [
        s.id,
        s.schemaId,
        s.commitUser,
        Number(s.commitIdentifier),
        s.commitKind,
        s.timeMillis,
        s.baseManifestList,
        s.deltaManifestList,
        s.changelogManifestList ?? null,
        s.totalRecordCount ?? null,
        s.deltaRecordCount ?? null,
        s.changelogRecordCount ?? null,
        s.watermark ?? null,
      ]);
    case 'schemas': {
      const out: unknown[][] = [];
      for (let id = 0; id <= table.schema().id; id++) {
        let s: TableSchema;
        try {
          s = table.schema(id);
        } catch {
          continue; // schema files may have been removed (Paimon never reuses ids)
        }
        out.push([s.id, schemaFieldsJson(s), JSON.stringify(s.partitionKeys), JSON.stringify(s.primaryKeys), JSON.stringify(s.options), s.comment ?? null, s.timeMillis ?? null]);
      }
      return out;
    }
    case 'options':
      return Object.entries(table.schema().options)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, v]);
    case 'partitions': {
      // Paimon lists partitions of partitioned tables; an unpartitioned table has none.
      if (table.partitionKeys.length === 0) return [];
      const byPartition = new Map<string, unknown[]>();
      for (const e of await liveFiles(table)) {
        const partition = partitionText(table, e);
        let row = byPartition.get(partition ?? '');
        if (row === undefined) byPartition.set(partition ?? '', (row = [partition, 0, 0, 0, null]));
        row[1] = (row[1] as number) + e.file.rowCount;
        row[2] = (row[2] as number) + e.file.fileSize;
        row[3] = (row[3] as number) + 1;
        const created = e.file.creationTime ?? null;
        if (created !== null && (row[4] === null || created > (row[4] as number))) row[4] = created;
      }
      return [...byPartition.values()];
    }
    case 'manifests': {
      const latest = await table.latestSnapshot();
      if (latest === undefined) return [];
      const out: unknown[][] = [];
      for (const list of [latest.baseManifestList, latest.deltaManifestList]) {
        const key = `${table.tablePath}/manifest/${list}`;
        for (const m of decodeManifestList(await table.store.get(key), key)) out.push([m.fileName, m.fileSize, m.numAddedFiles, m.numDeletedFiles, m.schemaId]);
      }
      return out;
    }
    case 'tags':
      return (await table.tags()).map((t) => [
        t.name,
        t.snapshot.id,
        t.snapshot.schemaId,
        t.snapshot.timeMillis,
        t.snapshot.totalRecordCount ?? null,
        t.createTime ?? null,
        t.timeRetainedMs === undefined ? null : javaDurationText(t.timeRetainedMs),
      ]);
    case 'consumers':
      return (await listConsumers(table)).map((c) => [c.id, c.nextSnapshot]);
    case 'audit_log':
      throw internalError(`'${table.tablePath}$audit_log' is read through the table's splits (paimon-audit-log.ts), not as metadata`);
    case 'files': {
      const format = table.options['file.format'] ?? 'parquet';
      const out: unknown[][] = [];
      for (const e of await liveFiles(table)) {
        const partition = partitionText(table, e);
        const ext = /\.([a-z]+)$/.exec(e.file.fileName)?.[1] ?? format;
        out.push([
          partition,
          e.bucket,
          e.file.externalPath ?? e.file.fileName,
          ext,
          e.file.schemaId,
          e.file.level,
          e.file.rowCount,
          e.file.fileSize,
          e.file.minSequenceNumber,
          e.file.maxSequenceNumber,
          e.file.creationTime ?? null,
        ]);
      }
      return out;
    }
  }
}

/** A duration as Java's `Duration.toString()` prints it (`PT36H`, `PT1H30M`, `PT0.5S`), as Paimon's `$tags` shows it. */
export function javaDurationText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  let out = 'PT';
  if (hours > 0) out += `${sign}${hours}H`;
  if (minutes > 0) out += `${sign}${minutes}M`;
  if (seconds > 0 || millis > 0 || out === 'PT') {
    out += `${sign}${seconds}${millis > 0 ? '.' + String(millis).padStart(3, '0').replace(/0+$/, '') : ''}S`;
  }
  return out;
}

/** The live files of the latest snapshot (none for a table without snapshots). */
async function liveFiles(table: PaimonTable): Promise<ManifestEntry[]> {
  const latest = await table.latestSnapshot();
  return latest === undefined ? [] : table.manifestEntries(latest);
}

/** A partition as Paimon's system tables print it (`{v1, v2}`); null for unpartitioned tables. */
function partitionText(table: PaimonTable, e: ManifestEntry): string | null {
  const schema = table.schema();
  if (schema.partitionKeys.length === 0) return null;
  const types = schema.partitionKeys.map((k) => schema.fields.find((f) => f.name === k)!.type);
  const values = deserializeBinaryRow(e.partition, types, `partition of '${e.file.fileName}'`);
  return `{${values.map((v) => (v === null ? 'null' : String(v))).join(', ')}}`;
}

/** The rows of a system table of `table`, as batches of at most `batchSize` rows. */
export async function* readSystemTable(table: PaimonTable, name: SystemTableName, batchSize: number): AsyncGenerator<RecordBatch> {
  const type = SYSTEM_TABLE_TYPES[name];
  const rows = await rowsOf(table, name);
  let b = new BatchBuilder(type, Math.min(batchSize, Math.max(1, rows.length)));
  for (const row of rows) {
    b.beginRow(RowKind.INSERT);
    for (let c = 0; c < row.length; c++) b.set(c, row[c] ?? null);
    if (b.numRows >= batchSize) {
      yield b.finish();
      b = new BatchBuilder(type, batchSize);
    }
  }
  if (b.numRows > 0) yield b.finish();
}
