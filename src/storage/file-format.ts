/**
 * The shape every row-oriented text format (CSV, JSON Lines) implements: an incremental decoder that turns
 * text chunks into batch rows, and an encoder that turns a batch into text. Formats know nothing about
 * files: the caller feeds chunks (`TextFileReader`) and writes the encoded text (`TextFileWriter`).
 */
import { userError, type FloeError } from '../common/index.js';
import { formatType, type BatchBuilder, type LogicalType, type RecordBatch } from '../types/index.js';

export type FileFormatName = 'csv' | 'json' | 'debezium-json';

/** Where decoded text comes from, for error messages (`table 'bids', file /x/part-0.csv, line 17`). */
export interface DecodeLocation {
  readonly table: string;
  /** A file path, or another description of the input (`'inline'`). */
  readonly file: string;
}

/**
 * Incremental decoder. Protocol: `feed` chunks in order; call `decodeInto` to append the complete records
 * seen so far (at most `maxRows`) to a builder; after the last chunk call `end()`, then `decodeInto` until it
 * returns 0 to get the final record (which needs no trailing newline).
 * Malformed records throw a FloeError `FORMAT.PARSE` naming table, file, line and column, unless the
 * format's ignore-parse-errors option is set: then the record is skipped and counted in `skipped`.
 */
export interface RecordDecoder {
  feed(text: string): void;
  end(): void;
  decodeInto(builder: BatchBuilder, maxRows: number): number;
  /** Records skipped because they could not be parsed (ignore-parse-errors). */
  readonly skipped: number;
}

/** Encodes rows (values only; row kinds are the caller's concern) as text; each row ends with `\n`. */
export interface RecordEncoder {
  encodeBatch(batch: RecordBatch): string;
  /** File name extension without the dot (`csv`, `json`). */
  readonly extension: string;
}

/**
 * The error for a value that does not convert. `columnIndex` is 0-based; messages show it 1-based.
 */
export function parseError(
  loc: DecodeLocation,
  line: number,
  column: { readonly name: string; readonly index: number } | null,
  detail: string,
  cause?: unknown,
): FloeError {
  const col = column === null ? '' : `, column '${column.name}' (#${column.index + 1})`;
  return userError('FORMAT.PARSE', `table '${loc.table}', file ${loc.file}, line ${line}${col}: ${detail}`, {
    cause,
    help: "set the format's 'ignore-parse-errors' option (e.g. 'csv.ignore-parse-errors' = 'true') to skip malformed rows",
  });
}

/** `expected BIGINT, found 'abc'` (long values are shortened). */
export function expectedFound(type: LogicalType, text: string): string {
  const shown = text.length > 80 ? text.slice(0, 77) + '...' : text;
  return `expected ${formatType(type)}, found '${shown}'`;
}
