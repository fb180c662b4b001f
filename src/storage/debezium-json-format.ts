/**
 * The `debezium-json` changelog format, write side, as Flink encodes it: one JSON object per change,
 * `{"before": …, "after": …, "op": …}`. Flink cannot combine UPDATE_BEFORE and UPDATE_AFTER into one
 * Debezium update, so inserts and update-afters are written as `"op":"c"` with `after`, deletes and
 * update-befores as `"op":"d"` with `before`. Applying the lines in order (add `after`, remove `before`)
 * rebuilds the table. Row objects use the JSON format's encoding with `debezium-json.*` options.
 */
import { RowKind, type RecordBatch, type RowType } from '../types/index.js';
import type { RecordEncoder } from './file-format.js';
import { JsonLinesEncoder, jsonFormatOptions } from './json-lines-format.js';

export class DebeziumJsonEncoder implements RecordEncoder {
  readonly extension = 'json';
  private readonly rows: JsonLinesEncoder;

  constructor(rowType: RowType, options: Readonly<Record<string, string>>) {
    this.rows = new JsonLinesEncoder(rowType, jsonFormatOptions(options, 'debezium-json.'));
  }

  encodeBatch(batch: RecordBatch): string {
    const n = batch.numRows;
    if (n === 0) return '';
    const kinds = batch.kinds;
    let out = '';
    for (let r = 0; r < n; r++) {
      const kind = kinds === null ? RowKind.INSERT : kinds[r]!;
      const row = this.rows.encodeRow(batch, r);
      out += kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? `{"before":null,"after":${row},"op":"c"}\n` : `{"before":${row},"after":null,"op":"d"}\n`;
    }
    return out;
  }
}
