/**
 * Options of the `filesystem` connector (Flink's names) and of the formats it reads and writes.
 * Format options are only accepted for the chosen format (`csv.*` with `'format' = 'csv'`), as in Flink.
 */
import type { ConnectorOption } from '../connector.js';

export const CSV_FORMAT_OPTIONS: readonly ConnectorOption[] = [
  { key: 'csv.field-delimiter', type: 'string', default: ',', description: "Field delimiter, one character ('\\t' for tab)." },
  { key: 'csv.disable-quote-character', type: 'boolean', default: 'false', description: 'Disable quoting (then csv.quote-character must not be set).' },
  { key: 'csv.quote-character', type: 'string', default: '"', description: 'Quote character enclosing field values.' },
  { key: 'csv.allow-comments', type: 'boolean', default: 'false', description: "Skip lines starting with '#'." },
  { key: 'csv.ignore-parse-errors', type: 'boolean', default: 'false', description: 'Skip (and count) rows that do not parse instead of failing.' },
  { key: 'csv.array-element-delimiter', type: 'string', default: ';', description: 'Separator of ARRAY elements and ROW fields inside one field.' },
  { key: 'csv.escape-character', type: 'string', description: 'Escape character (disabled by default).' },
  { key: 'csv.null-literal', type: 'string', description: 'Text read and written as NULL (by default an unquoted empty field is NULL).' },
  { key: 'csv.write-bigdecimal-in-scientific-notation', type: 'boolean', default: 'true', description: 'Accepted for compatibility; DECIMALs are written in plain notation.' },
];

export const JSON_FORMAT_OPTIONS: readonly ConnectorOption[] = [
  { key: 'json.fail-on-missing-field', type: 'boolean', default: 'false', description: 'Fail when a column has no field in a record (default: NULL).' },
  { key: 'json.ignore-parse-errors', type: 'boolean', default: 'false', description: 'Skip (and count) records that do not parse instead of failing.' },
  { key: 'json.timestamp-format.standard', type: 'enum', enumValues: ['SQL', 'ISO-8601'], default: 'SQL', description: "TIMESTAMP text: 'SQL' (2024-01-01 12:00:00.000) or 'ISO-8601' (2024-01-01T12:00:00.000)." },
  { key: 'json.map-null-key.mode', type: 'enum', enumValues: ['FAIL', 'DROP', 'LITERAL'], default: 'FAIL', description: 'What to do with NULL map keys when writing.' },
  { key: 'json.map-null-key.literal', type: 'string', default: 'null', description: "Key text for NULL map keys with mode 'LITERAL'." },
  { key: 'json.encode.decimal-as-plain-number', type: 'boolean', default: 'false', description: 'Accepted for compatibility; DECIMALs are always written as plain numbers.' },
  { key: 'json.encode.ignore-null-fields', type: 'boolean', default: 'false', description: 'Omit NULL fields when writing.' },
];

export const FILESYSTEM_OPTIONS: readonly ConnectorOption[] = [
  { key: 'path', type: 'string', required: true, description: 'A file or directory (local path or file:// URI).' },
  { key: 'format', type: 'enum', enumValues: ['csv', 'json', 'debezium-json'], required: true, description: "File format; 'debezium-json' writes a changelog (the sink then accepts updates and deletes; it cannot be read back yet)." },
  { key: 'source.monitor-interval', type: 'duration', description: 'Accepted; continuous monitoring is not implemented yet: the source reads the files present at start (bounded).' },
  { key: 'lookup.join.cache.ttl', type: 'duration', default: '60 min', description: 'As a lookup-join table: how long the in-memory copy of the table is used before it is read again.' },
  { key: 'source.path.regex-pattern', type: 'string', description: 'Only read files whose full path matches this regular expression.' },
  { key: 'partition.default-name', type: 'string', default: '__DEFAULT_PARTITION__', description: 'Partition directory value for NULL or empty partition values.' },
  { key: 'sink.rolling-policy.file-size', type: 'memory', default: '128mb', description: 'Roll to a new part file when the current one reaches this size (checked after each written batch).' },
  { key: 'sink.rolling-policy.rollover-interval', type: 'duration', default: '30 min', description: 'Roll a part file that has been open this long (checked every check-interval).' },
  { key: 'sink.rolling-policy.check-interval', type: 'duration', default: '1 min', description: 'How often (processing time) the time-based rolling policies and the process-time commit trigger are checked.' },
  { key: 'sink.rolling-policy.inactivity-interval', type: 'duration', default: '30 min', description: 'Roll a part file that received no rows for this long (checked every check-interval).' },
  { key: 'sink.parallelism', type: 'int', description: 'Parallelism of the sink (planner hint).' },
  { key: 'sink.shuffle-by-partition.enable', type: 'boolean', default: 'false', description: 'Accepted for compatibility (planner hint).' },
  { key: 'sink.partition-commit.trigger', type: 'enum', enumValues: ['process-time', 'partition-time'], default: 'process-time', description: "When a partition is committed: 'process-time' (creation time + delay passed on the wall clock) or 'partition-time' (watermark passed the time extracted from the partition values + delay). Every partition is committed at end of input." },
  { key: 'sink.partition-commit.delay', type: 'duration', default: '0 s', description: 'How long after its (creation or partition) time a partition is committed.' },
  { key: 'sink.partition-commit.watermark-time-zone', type: 'string', default: 'UTC', description: "Time zone in which partition times are compared with the watermark ('partition-time' trigger), e.g. 'Asia/Shanghai'." },
  { key: 'sink.partition-commit.policy.kind', type: 'string', description: "Comma-separated commit policies: 'success-file' writes a marker file into every committed partition; 'metastore' and 'custom' are not supported." },
  { key: 'sink.partition-commit.policy.class', type: 'string', description: "Not supported (Java class for the 'custom' policy)." },
  { key: 'sink.partition-commit.policy.class.parameters', type: 'string', description: "Not supported (constructor parameters of the 'custom' policy class)." },
  { key: 'sink.partition-commit.success-file.name', type: 'string', default: '_SUCCESS', description: 'Name of the success marker file.' },
  { key: 'partition.time-extractor.kind', type: 'enum', enumValues: ['default', 'custom'], default: 'default', description: "Partition time extractor: 'default' (timestamp-pattern and formatter); 'custom' (a Java class) is not supported." },
  { key: 'partition.time-extractor.class', type: 'string', description: "Not supported (Java class for the 'custom' extractor)." },
  { key: 'partition.time-extractor.timestamp-pattern', type: 'string', description: "Builds the partition's timestamp text from partition columns, e.g. '$dt $hm:00' (default: the first partition column's value)." },
  { key: 'partition.time-extractor.timestamp-formatter', type: 'string', description: "Java date pattern parsing the timestamp text, e.g. 'yyyyMMdd' (default: 'yyyy-MM-dd HH:mm:ss', a date alone is accepted)." },
  { key: 'auto-compaction', type: 'boolean', default: 'false', description: 'Accepted; compaction is not implemented.' },
  { key: 'compaction.file-size', type: 'memory', description: 'Accepted; compaction is not implemented.' },
  ...CSV_FORMAT_OPTIONS,
  ...JSON_FORMAT_OPTIONS,
];
