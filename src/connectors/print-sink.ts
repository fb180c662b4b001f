/**
 * The `print` sink: writes every row to stdout (or stderr) in Flink's PrintSinkFunction format,
 * `<prefix><kind>[v1, v2, …]`, e.g. `+I[1, abc, 2024-01-01 00:00:00.000]`. The prefix is, as in Flink:
 * `id:N> ` with `print-identifier` and parallelism > 1 (N = subtask index + 1), `id> ` with an identifier at
 * parallelism 1, `N> ` without an identifier at parallelism > 1, and nothing otherwise. Values print as
 * `CAST(v AS STRING)` would (`formatValueText`); NULL prints as `NULL`. Accepts every row kind.
 */
import { ROW_KIND_SHORT, columnStorageOf, formatValueText, type LogicalType, type RecordBatch, type RowType } from '../types/index.js';
import type { ConnectorOption, SinkConnector, SinkContext, SinkWriter } from './connector.js';
import { OptionReader } from './option-values.js';

export const PRINT_OPTIONS: readonly ConnectorOption[] = [
  { key: 'print-identifier', type: 'string', description: 'Message that identifies the print sink and is prefixed to every line.' },
  { key: 'standard-error', type: 'boolean', default: 'false', description: 'Print to standard error instead of standard output.' },
  { key: 'sink.parallelism', type: 'int', description: 'Parallelism of the sink (planner hint).' },
];

/** Flink's PrintSinkOutputWriter prefix. */
export function printPrefix(identifier: string | undefined, subtaskIndex: number, parallelism: number): string {
  const id = identifier ?? '';
  if (parallelism > 1) return id === '' ? `${subtaskIndex + 1}> ` : `${id}:${subtaskIndex + 1}> `;
  return id === '' ? '' : `${id}> `;
}

function valueText(v: unknown, type: LogicalType): string {
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return v as string;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(v);
    case 'BOOLEAN':
      return formatValueText(v === 1 || v === true, type);
    default:
      return formatValueText(v, type);
  }
}

/** `+I[1, abc, NULL]` for row `r` of `batch`. */
export function formatPrintRow(batch: RecordBatch, r: number, rowType: RowType): string {
  const kind = ROW_KIND_SHORT[batch.kinds === null ? 0 : batch.kinds[r]!]!;
  let out = kind + '[';
  for (let c = 0; c < batch.columns.length; c++) {
    if (c > 0) out += ', ';
    const col = batch.columns[c]!;
    const type = rowType.fields[c]!.type;
    const isNull = col.nulls !== null ? col.nulls[r] === 1 : columnStorageOf(type) === 'object' && col.data[r] === null;
    out += isNull ? 'NULL' : valueText(col.data[r], type);
  }
  return out + ']';
}

/** Where print output goes (process.stdout / process.stderr, or a test's collector). */
export interface TextOutput {
  write(text: string): unknown;
}

export class PrintSinkWriter implements SinkWriter {
  private readonly prefix: string;

  constructor(
    private readonly ctx: SinkContext,
    private readonly out: TextOutput,
  ) {
    const o = new OptionReader(ctx.tableName, ctx.options, PRINT_OPTIONS);
    this.prefix = printPrefix(o.string('print-identifier'), ctx.subtaskIndex, ctx.parallelism);
  }

  write(batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    const lines = new Array<string>(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) lines[r] = this.prefix + formatPrintRow(batch, r, this.ctx.physicalType);
    this.out.write(lines.join('\n') + '\n');
  }

  finish(): void {}
  close(): void {}
}

export const printSink: SinkConnector = {
  name: 'print',
  options: PRINT_OPTIONS,
  acceptsUpdates: true,
  createWriter(ctx: SinkContext): SinkWriter {
    const toStderr = new OptionReader(ctx.tableName, ctx.options, PRINT_OPTIONS).boolean('standard-error');
    return new PrintSinkWriter(ctx, toStderr ? process.stderr : process.stdout);
  },
};
