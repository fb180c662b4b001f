/**
 * Picks the decoder/encoder for a format name with the table's options (`csv.*` or `json.*` keys).
 */
import { unsupported } from '../common/index.js';
import type { RowType } from '../types/index.js';
import { CsvDecoder, CsvEncoder, csvFormatOptions } from './csv-format.js';
import type { DecodeLocation, FileFormatName, RecordDecoder, RecordEncoder } from './file-format.js';
import { JsonLinesDecoder, JsonLinesEncoder, jsonFormatOptions } from './json-lines-format.js';
import { DebeziumJsonEncoder } from './debezium-json-format.js';

export const FILE_FORMATS: readonly FileFormatName[] = ['csv', 'json', 'debezium-json'];

/** Formats that carry row kinds (a sink writing them accepts updates and deletes). */
export function isChangelogFormat(format: string): boolean {
  return format === 'debezium-json';
}

export function isFileFormatName(name: string): name is FileFormatName {
  return (FILE_FORMATS as readonly string[]).includes(name);
}

function checkFormat(format: string): FileFormatName {
  if (!isFileFormatName(format)) {
    throw unsupported('FORMAT.UNKNOWN', `format '${format}' is not supported; available formats: ${FILE_FORMATS.join(', ')}`);
  }
  return format;
}

export function createRecordDecoder(
  format: string,
  rowType: RowType,
  options: Readonly<Record<string, string>>,
  loc: DecodeLocation,
): RecordDecoder {
  const name = checkFormat(format);
  if (name === 'debezium-json') {
    throw unsupported('FORMAT.READ_UNSUPPORTED', `format 'debezium-json' can be written but not read yet (file ${loc.file})`);
  }
  return name === 'csv' ? new CsvDecoder(rowType, csvFormatOptions(options), loc) : new JsonLinesDecoder(rowType, jsonFormatOptions(options), loc);
}

export function createRecordEncoder(format: string, rowType: RowType, options: Readonly<Record<string, string>>): RecordEncoder {
  const name = checkFormat(format);
  if (name === 'debezium-json') return new DebeziumJsonEncoder(rowType, options);
  return name === 'csv' ? new CsvEncoder(rowType, csvFormatOptions(options)) : new JsonLinesEncoder(rowType, jsonFormatOptions(options));
}
