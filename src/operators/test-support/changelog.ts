/**
 * Flink-style changelog literals for operator tests (STYLE.md "text literals for changelogs"):
 * `['+I[1, a]', '-U[1, a]', '+U[1, b]']` ↔ record batches of a given row type.
 *
 * Cell syntax, by column type: `null` is SQL NULL; numbers as written; BOOLEAN `true`/`false`; DECIMAL as
 * a decimal literal (`12.50`, stored unscaled at the type's scale); DATE `2024-01-31`; TIMESTAMP either
 * epoch ms or `2024-01-31 10:00:00[.123]` (UTC wall clock); strings verbatim (so they cannot contain
 * `, ` or start/end with spaces). ARRAY/MAP/ROW cells are not supported.
 */
import { batchFromRows, getRow, RowKind, ROW_KIND_SHORT } from '../../types/index.js';
import type { LogicalType, RecordBatch, RowType } from '../../types/index.js';

const KINDS: Readonly<Record<string, RowKind>> = { '+I': RowKind.INSERT, '-U': RowKind.UPDATE_BEFORE, '+U': RowKind.UPDATE_AFTER, '-D': RowKind.DELETE };

/** Parses changelog lines into one batch of `rowType`. */
export function changelogBatch(rowType: RowType, lines: readonly string[]): RecordBatch {
  const rows: unknown[][] = [];
  const kinds: RowKind[] = [];
  for (const line of lines) {
    const m = /^([+-][IUD])\[(.*)\]$/.exec(line.trim());
    const kind = m ? KINDS[m[1]!] : undefined;
    if (!m || kind === undefined) throw new Error(`bad changelog line: ${line}`);
    const cells = rowType.fields.length === 0 ? [] : m[2]!.split(', ');
    if (cells.length !== rowType.fields.length) {
      throw new Error(`changelog line ${line} has ${cells.length} cells, expected ${rowType.fields.length}`);
    }
    rows.push(cells.map((c, i) => parseCell(c, rowType.fields[i]!.type)));
    kinds.push(kind);
  }
  return batchFromRows(rowType, rows, kinds);
}

/** Formats batches as changelog lines, in order. */
export function changelogLines(rowType: RowType, batches: readonly RecordBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) {
    for (let r = 0; r < b.numRows; r++) {
      const values = getRow(b, r, rowType);
      const kind = b.kinds === null ? 0 : b.kinds[r]!;
      out.push(`${ROW_KIND_SHORT[kind]}[${values.map((v, i) => formatCell(v, rowType.fields[i]!.type)).join(', ')}]`);
    }
  }
  return out;
}

export function parseCell(text: string, type: LogicalType): unknown {
  if (text === 'null') return null;
  switch (type.kind) {
    case 'BOOLEAN':
      if (text !== 'true' && text !== 'false') throw new Error(`bad BOOLEAN cell ${text}`);
      return text === 'true';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'TIME':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return Number(text);
    case 'DECIMAL': {
      const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
      if (!m) throw new Error(`bad DECIMAL cell ${text}`);
      const frac = (m[3] ?? '').padEnd(type.scale, '0');
      if (frac.length > type.scale) throw new Error(`DECIMAL cell ${text} has more than ${type.scale} fraction digits`);
      const v = BigInt(m[2]! + frac);
      return m[1] === '-' ? -v : v;
    }
    case 'DATE':
      return Math.round(Date.parse(`${text}T00:00:00Z`) / 86_400_000);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
      return Date.parse(text.replace(' ', 'T') + 'Z');
    default:
      return text;
  }
}

export function formatCell(value: unknown, type: LogicalType): string {
  if (value === null) return 'null';
  switch (type.kind) {
    case 'DECIMAL': {
      const v = value as bigint;
      const neg = v < 0n;
      const digits = (neg ? -v : v).toString().padStart(type.scale + 1, '0');
      const int = digits.slice(0, digits.length - type.scale);
      const frac = digits.slice(digits.length - type.scale);
      return (neg ? '-' : '') + int + (type.scale > 0 ? '.' + frac : '');
    }
    case 'DATE':
      return new Date((value as number) * 86_400_000).toISOString().slice(0, 10);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return new Date(value as number).toISOString().replace('T', ' ').replace('Z', '');
    default:
      return String(value);
  }
}
