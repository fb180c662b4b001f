/**
 * Format options must match the chosen format: `csv.*` keys need `'format' = 'csv'`, `json.*` keys need
 * `'format' = 'json'` (Flink reports the others as unsupported options).
 */
import { csvFormatOptions, jsonFormatOptions } from '../../storage/index.js';
import { FloeError } from '../../common/index.js';
import { optionError } from '../option-values.js';

export function validateFormatOptions(tableName: string, options: Readonly<Record<string, string>>): void {
  const format = options['format'];
  for (const key of Object.keys(options)) {
    const prefix = key.startsWith('csv.') ? 'csv' : key.startsWith('json.') ? 'json' : key.startsWith('debezium-json.') ? 'debezium-json' : null;
    if (prefix !== null && prefix !== format) {
      throw optionError(tableName, `option '${key}' applies to format '${prefix}', but the table's format is '${format ?? '(none)'}'`);
    }
  }
  try {
    if (format === 'csv') csvFormatOptions(options);
    if (format === 'json') jsonFormatOptions(options);
    if (format === 'debezium-json') jsonFormatOptions(options, 'debezium-json.');
  } catch (e) {
    // The format parsers throw without the table name; add it.
    if (e instanceof FloeError && e.code === 'PLAN.CONNECTOR_OPTION') throw optionError(tableName, e.message);
    throw e;
  }
}
