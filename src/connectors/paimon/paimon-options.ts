/**
 * Options of the `paimon` connector and of Paimon tables created through SQL.
 *
 * A Paimon table's options live in its schema file; the Paimon catalog shows them as the table's WITH
 * options, plus `connector` and `path` (where the table is). Reading takes them together with Flink's
 * dynamic options (`/*+ OPTIONS(…) *\/` hints), which may change how a scan starts (`scan.*`) or how rows
 * merge (`ignore-delete`). Tables written by Paimon Java carry options Floe neither needs nor knows, so
 * the connector accepts any table option. What must not pass silently is a scan option that would make
 * Paimon read other data than Floe does: the ones Floe does not implement (versions, watermarks, incremental
 * ranges, …) are refused by name, and an unknown `scan.` key close to a supported one is taken for a typo
 * (a misspelt time-travel option must not read the latest data). Other `scan.` keys are Paimon tuning
 * options (manifest parallelism, split sizes) that do not change results.
 *
 * CREATE TABLE is stricter (`checkCreateOptions`): every option must be one Floe writes and reads back
 * correctly, so a table Floe creates behaves as its options say.
 */
import { closestMatch, unsupported, userError, type FloeError } from '../../common/index.js';
import { checkConsumerId } from '../../lake/index.js';
import type { ConnectorOption } from '../connector.js';

export const PAIMON_CONNECTOR = 'paimon';
/** The table's location: a URI or path of its directory (`<warehouse>/<db>.db/<table>`). */
export const PATH_OPTION = 'path';
/** Internal option of the catalog's system tables (`t$snapshots` → `snapshots`). */
export const SYSTEM_TABLE_OPTION = 'paimon.system-table';

/**
 * Paimon's `scan.mode` values Floe implements: in batch mode they choose the one snapshot a bounded scan
 * reads; in streaming mode where the continuous read starts (paimon-source.ts `streamStart`).
 */
export const SCAN_MODES = ['default', 'latest-full', 'full', 'latest', 'from-snapshot', 'from-snapshot-full', 'from-timestamp'] as const;

const SCAN_OPTIONS: readonly ConnectorOption[] = [
  { key: 'scan.snapshot-id', type: 'long', description: 'time travel: read this snapshot (Paimon scan.snapshot-id)' },
  { key: 'scan.timestamp-millis', type: 'long', description: 'time travel: read the latest snapshot committed at or before this epoch-millisecond time' },
  { key: 'scan.timestamp', type: 'string', description: "time travel: as scan.timestamp-millis, written 'yyyy-MM-dd HH:mm:ss[.SSS]' in the session time zone" },
  { key: 'scan.tag-name', type: 'string', description: 'time travel: read the snapshot of this tag (batch reads; the tag keeps it readable after it expires)' },
  { key: 'scan.fallback-branch', type: 'string', description: 'partitions missing from the main branch are read from this branch' },
  { key: 'scan.mode', type: 'enum', enumValues: SCAN_MODES, default: 'default', description: 'which snapshot a batch scan reads; where a streaming read starts' },
];

/**
 * Consumer ids (streaming reads; src/lake's table-consumers.ts): the read records how far it got in
 * `consumer/consumer-<id>` whenever a checkpoint completes, starts from there when the job starts
 * without a checkpoint, and snapshot expiration keeps what it still needs.
 */
export const CONSUMER_OPTIONS: readonly ConnectorOption[] = [
  { key: 'consumer-id', type: 'string', description: 'streaming reads: record progress under this consumer id, start from it, protect its snapshots from expiration' },
  { key: 'consumer.mode', type: 'enum', enumValues: ['exactly-once', 'at-least-once'], default: 'exactly-once', description: 'streaming reads: Floe records the slowest reader of the job on every completed checkpoint in both modes' },
  { key: 'consumer.ignore-progress', type: 'boolean', default: 'false', description: "streaming reads: start by 'scan.mode' even when the consumer has a position (it is then overwritten)" },
];

/** How often a streaming read looks for new snapshots (Paimon's option and default). */
const DISCOVERY_OPTION: ConnectorOption = { key: 'continuous.discovery-interval', type: 'duration', default: '10 s', description: 'streaming reads: how often to look for new snapshots' };

export const PAIMON_OPTIONS: readonly ConnectorOption[] = [
  { key: PATH_OPTION, type: 'string', required: true, description: "the table's directory: <warehouse>/<database>.db/<table>" },
  ...SCAN_OPTIONS,
  ...CONSUMER_OPTIONS,
  DISCOVERY_OPTION,
  { key: SYSTEM_TABLE_OPTION, type: 'enum', enumValues: ['snapshots', 'schemas', 'options', 'files', 'partitions', 'manifests', 'audit_log', 'tags', 'consumers'], description: 'internal: the system table to read' },
  // Any other key is a Paimon table option (stored in the schema, or a dynamic option of one query).
  { key: '', type: 'string', prefix: true, description: 'Paimon table options' },
];

/** Paimon options that choose what a scan reads and that Floe does not implement. */
const UNSUPPORTED_SELECTING = [
  'scan.version',
  'scan.watermark',
  'scan.file-creation-time-millis',
  'scan.bounded.watermark',
  'scan.creation-time-millis',
  'incremental-between',
  'incremental-between-timestamp',
  'incremental-between-scan-mode',
  'incremental-to-auto-tag',
  'streaming-read-overwrite',
];

/** Checks scan options (see the module comment); throws PLAN.CONNECTOR_OPTION naming the option. */
export function checkScanOptions(tableName: string, options: Readonly<Record<string, string>>): void {
  const known = SCAN_OPTIONS.map((o) => o.key);
  for (const key of Object.keys(options)) {
    if (UNSUPPORTED_SELECTING.includes(key) && options[key]!.trim() !== '') {
      throw unsupported('PLAN.CONNECTOR_OPTION', `table '${tableName}': Paimon option '${key}' is not supported by Floe`, {
        notes: [`supported scan options: ${known.join(', ')}`],
      });
    }
    if (!key.startsWith('scan.') || known.includes(key)) continue;
    const hint = closestMatch(key, known);
    if (hint === undefined) continue; // a Paimon tuning option
    throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': unknown option '${key}' for the paimon connector`, {
      help: `did you mean '${hint}'?`,
      notes: [`supported scan options: ${known.join(', ')}`],
    });
  }
  const consumer = options['consumer-id'];
  if (consumer !== undefined) {
    try {
      checkConsumerId(consumer);
    } catch (e) {
      throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': option 'consumer-id': ${(e as Error).message}`, { help: (e as FloeError).help });
    }
  }
  const travel = ['scan.snapshot-id', 'scan.timestamp-millis', 'scan.timestamp', 'scan.tag-name'].filter((k) => options[k] !== undefined);
  if (travel.length > 1) {
    throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': set only one of ${travel.map((k) => `'${k}'`).join(' and ')}`);
  }
  const mode = (options['scan.mode'] ?? 'default').toLowerCase();
  if (mode === 'from-snapshot' || mode === 'from-snapshot-full') {
    if (options['scan.snapshot-id'] === undefined) throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': scan.mode '${mode}' needs 'scan.snapshot-id'`);
  } else if (mode === 'from-timestamp') {
    if (options['scan.timestamp-millis'] === undefined && options['scan.timestamp'] === undefined) {
      throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': scan.mode '${mode}' needs 'scan.timestamp-millis' or 'scan.timestamp'`);
    }
  } else if (travel.length > 0) {
    if (mode !== 'default') {
      throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': scan.mode '${mode}' reads the latest snapshot and cannot be combined with '${travel[0]}'`);
    }
  }
}

/**
 * Table options `CREATE TABLE` accepts in a Paimon catalog, with the values Floe supports (null = any).
 * Everything here is honoured by Floe's writer and reader; options Paimon has but Floe would ignore or
 * get wrong (the `full-compaction` changelog producer, deletion vectors, ORC files) are
 * refused with the option named. Primary-key tables without `bucket` are dynamic-bucket tables (their
 * `dynamic-bucket.*` options are validated by src/lake's `createPaimonTable`).
 */
const CREATE_OPTIONS: ReadonlyMap<string, readonly string[] | null> = new Map<string, readonly string[] | null>([
  ['bucket', null],
  ['bucket-key', null],
  ['dynamic-bucket.target-row-num', null],
  ['dynamic-bucket.max-buckets', null],
  ['dynamic-bucket.initial-buckets', null],
  ['merge-engine', ['deduplicate', 'partial-update', 'first-row', 'aggregation']],
  ['fields.default-aggregate-function', null],
  ['aggregation.remove-record-on-delete', ['true', 'false']],
  ['partial-update.remove-record-on-sequence-group', null],
  ['sequence.field', null],
  ['ignore-delete', ['true', 'false']],
  ['deduplicate.ignore-delete', ['true', 'false']],
  ['partial-update.ignore-delete', ['true', 'false']],
  ['first-row.ignore-delete', ['true', 'false']],
  ['partial-update.remove-record-on-delete', ['true', 'false']],
  ['file.format', ['parquet']],
  ['manifest.format', ['avro']],
  ['changelog-producer', ['none', 'input', 'lookup']],
  ['changelog-producer.row-deduplicate', ['true', 'false']],
  ['changelog-producer.row-deduplicate-ignore-fields', null],
  ['deletion-vectors.enabled', ['false']],
  ['partition.default-name', null],
  ['partition.legacy-name', ['true', 'false']],
  ['snapshot.num-retained.min', null],
  ['snapshot.num-retained.max', null],
  ['snapshot.time-retained', null],
  ['snapshot.expire.limit', null],
  ['consumer.expiration-time', null],
  ['num-levels', null],
  ['num-sorted-run.compaction-trigger', null],
  ['write-only', ['true', 'false']],
  ['dynamic-partition-overwrite', ['true', 'false']],
]);

/**
 * Per-field merge options (`fields.<f>.aggregate-function`, `.ignore-retract`, `.list-agg-delimiter`,
 * `.distinct`, `fields.<seq>.sequence-group`); their values are checked against the columns by src/lake's
 * `createPaimonTable`.
 */
const FIELD_OPTION = /^fields\.[^.]+(\.[^.]+)*\.(aggregate-function|ignore-retract|list-agg-delimiter|distinct|sequence-group)$/;

/** Checks the WITH options of `CREATE TABLE` in a Paimon catalog; names the first unsupported one. */
export function checkCreateOptions(tableName: string, options: Readonly<Record<string, string>>): void {
  const supported = [...CREATE_OPTIONS.keys()];
  for (const [key, value] of Object.entries(options)) {
    if (key === 'connector' || key === PATH_OPTION) {
      throw userError('CATALOG.PAIMON_OPTION', `table '${tableName}': option '${key}' cannot be set on a table of a Paimon catalog`, {
        help: 'the catalog decides where its tables live and how they are read; remove the option',
      });
    }
    if (!CREATE_OPTIONS.has(key) && !FIELD_OPTION.test(key)) {
      const hint = closestMatch(key, supported);
      throw unsupported('CATALOG.PAIMON_OPTION', `table '${tableName}': Paimon option '${key}' is not supported by Floe`, {
        help: hint === undefined ? undefined : `did you mean '${hint}'?`,
        notes: [`supported options: ${supported.join(', ')}`],
      });
    }
    const allowed = CREATE_OPTIONS.get(key) ?? null;
    if (allowed !== null && !allowed.includes(value.toLowerCase())) {
      throw unsupported('CATALOG.PAIMON_OPTION', `table '${tableName}': option '${key}' = '${value}' is not supported by Floe (supported: ${allowed.map((a) => `'${a}'`).join(', ')})`);
    }
  }
}
