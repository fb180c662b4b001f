/**
 * Turning a query's changelog into what a user sees: the final table (a changelog applied to an empty
 * table), or every change with its `op`, as a bordered table, CSV with a header, or JSON Lines.
 */
import { encodeKey } from '../state/index.js';
import { formatValueText, getRow, ROW_KIND_SHORT, RowKind, rowKindAt, type LogicalType, type RecordBatch, type RowType } from '../types/index.js';

export type OutputFormat = 'table' | 'csv' | 'json';
export type ResultMode = 'table' | 'changelog';

/**
 * The result of applying a changelog to an empty table: +I/+U add a row, -U/-D remove one equal row.
 * Rows keep their first-insertion order so output is stable for a given input order.
 */
export class MaterializedTable {
  private readonly rows = new Map<string, { values: unknown[]; count: number }>();
  /** Retractions of rows that were never added (a bug upstream or a truncated changelog). */
  unmatchedRetractions = 0;

  constructor(readonly rowType: RowType) {}

  apply(batch: RecordBatch): void {
    for (let r = 0; r < batch.numRows; r++) {
      const values = getRow(batch, r, this.rowType);
      const key = encodeKey(values);
      const kind = rowKindAt(batch, r);
      const entry = this.rows.get(key);
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
        if (entry) entry.count++;
        else this.rows.set(key, { values, count: 1 });
      } else if (!entry) {
        this.unmatchedRetractions++;
      } else if (--entry.count === 0) {
        this.rows.delete(key);
      }
    }
  }

  /** Current rows (a row inserted twice appears twice). */
  snapshot(): unknown[][] {
    const out: unknown[][] = [];
    for (const { values, count } of this.rows.values()) for (let i = 0; i < count; i++) out.push(values);
    return out;
  }
}

/** Text of one value as the CLI shows it (`NULL` for SQL NULL in tables, empty in CSV). */
export function cellText(value: unknown, type: LogicalType, nullText = 'NULL'): string {
  return value === null ? nullText : formatValueText(value, type);
}

/** A bordered table like Flink's tableau result view. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const fmt = (cells: readonly string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  const body = rows.map(fmt);
  const count = `${rows.length} row${rows.length === 1 ? '' : 's'} in set`;
  return [line, fmt(columns), line, ...body, line, count].join('\n') + '\n';
}

export function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';
}

/** One JSON object per row; numbers stay numbers, DECIMAL keeps its exact digits, other values are text. */
export function jsonLine(columns: readonly string[], values: readonly unknown[], types: readonly LogicalType[]): string {
  const parts = columns.map((c, i) => `${JSON.stringify(c)}:${jsonValue(values[i], types[i]!)}`);
  return `{${parts.join(',')}}\n`;
}

function jsonValue(value: unknown, type: LogicalType): string {
  if (value === null || value === undefined) return 'null';
  switch (type.kind) {
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(value as number) ? String(value) : JSON.stringify(String(value));
    case 'DECIMAL':
      return formatValueText(value, type);
    default:
      return JSON.stringify(formatValueText(value, type));
  }
}

/** Writes a changelog row by row with an `op` column (changelog mode), in any format. */
export class ChangelogPrinter {
  private headerDone = false;
  private readonly columns: string[];
  private readonly widths: number[];

  constructor(
    private readonly rowType: RowType,
    private readonly format: OutputFormat,
    private readonly write: (text: string) => void,
  ) {
    this.columns = ['op', ...rowType.fields.map((f) => f.name)];
    this.widths = this.columns.map((c) => Math.max(c.length, 12));
  }

  print(batch: RecordBatch): void {
    const types = this.rowType.fields.map((f) => f.type);
    for (let r = 0; r < batch.numRows; r++) {
      const op = ROW_KIND_SHORT[rowKindAt(batch, r)]!;
      const values = getRow(batch, r, this.rowType);
      if (this.format === 'json') {
        this.write(jsonLine(this.columns, [op, ...values], [{ kind: 'VARCHAR', length: 2, nullable: false }, ...types]));
        continue;
      }
      const cells = [op, ...values.map((v, i) => cellText(v, types[i]!, this.format === 'csv' ? '' : 'NULL'))];
      if (this.format === 'csv') {
        if (!this.headerDone) this.write(csvLine(this.columns));
        this.write(csvLine(cells));
      } else {
        if (!this.headerDone) this.write(this.tableRow(this.columns) + '\n' + this.rule() + '\n');
        this.write(this.tableRow(cells) + '\n');
      }
      this.headerDone = true;
    }
  }

  private rule(): string {
    return '+' + this.widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  }

  private tableRow(cells: readonly string[]): string {
    return '| ' + cells.map((c, i) => c.padEnd(this.widths[i]!)).join(' | ') + ' |';
  }
}

/** Prints the final rows of a materialized result in the chosen format. */
export function renderFinal(rowType: RowType, rows: readonly (readonly unknown[])[], format: OutputFormat): string {
  const columns = rowType.fields.map((f) => f.name);
  const types = rowType.fields.map((f) => f.type);
  switch (format) {
    case 'json':
      return rows.map((r) => jsonLine(columns, r, types)).join('');
    case 'csv':
      return csvLine(columns) + rows.map((r) => csvLine(r.map((v, i) => cellText(v, types[i]!, '')))).join('');
    default:
      return renderTable(columns, rows.map((r) => r.map((v, i) => cellText(v, types[i]!))));
  }
}
