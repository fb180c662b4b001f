/**
 * Ordering of rows kept in state by a Top-N's sort fields, and reading a batch row into such a row.
 */
import type { SortField } from '../../spec/index.js';
import { compareValues } from '../../types/index.js';
import type { LogicalType, RecordBatch, RowType } from '../../types/index.js';
import { readCell } from '../common/cell.js';

/** A row as kept in state: one JS value per input column (`null` for SQL NULL). Never mutated once built. */
export type StoredRow = readonly unknown[];

/** Compares stored rows by `fields`; NULL placement per field (`nullsFirst`), then direction. */
export class RowComparator {
  private readonly indices: Int32Array;
  private readonly descending: Uint8Array;
  private readonly nullsFirst: Uint8Array;
  private readonly types: readonly LogicalType[];

  constructor(fields: readonly SortField[], inputType: RowType) {
    this.indices = Int32Array.from(fields.map((f) => f.index));
    this.descending = Uint8Array.from(fields.map((f) => (f.descending ? 1 : 0)));
    this.nullsFirst = Uint8Array.from(fields.map((f) => (f.nullsFirst ? 1 : 0)));
    this.types = fields.map((f) => inputType.fields[f.index]!.type);
  }

  compare(a: StoredRow, b: StoredRow): number {
    for (let i = 0; i < this.indices.length; i++) {
      const c = this.indices[i]!;
      const x = a[c];
      const y = b[c];
      if (x === null || y === null) {
        if (x === y) continue;
        // NULLS FIRST puts a NULL before any value whatever the direction.
        return (x === null) === (this.nullsFirst[i] === 1) ? -1 : 1;
      }
      const r = compareValues(x, y, this.types[i]!);
      if (r !== 0) return this.descending[i] === 1 ? -r : r;
    }
    return 0;
  }

  /**
   * `compare(a, row r of batch)` without building the batch row (the hot check of an insert-only Top-N
   * whose partition is full: most rows sort below the N-th and are dropped).
   */
  compareToBatchRow(a: StoredRow, batch: RecordBatch, r: number, isBool: readonly boolean[]): number {
    for (let i = 0; i < this.indices.length; i++) {
      const c = this.indices[i]!;
      const x = a[c];
      const y = readCell(batch.columns[c]!, r, isBool[c]!);
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === (this.nullsFirst[i] === 1) ? -1 : 1;
      }
      const res = compareValues(x, y, this.types[i]!);
      if (res !== 0) return this.descending[i] === 1 ? -res : res;
    }
    return 0;
  }

  /** First position whose row sorts after `row` (so equal rows keep arrival order: a new one goes last). */
  upperBound(rows: readonly StoredRow[], row: StoredRow): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(rows[mid]!, row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose row does not sort before `row`. */
  lowerBound(rows: readonly StoredRow[], row: StoredRow): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(rows[mid]!, row) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Row `row` of `batch` as a stored row (BOOLEAN columns as booleans, per the value table). */
export function readRow(batch: RecordBatch, row: number, isBool: readonly boolean[]): unknown[] {
  const width = isBool.length;
  const out = new Array<unknown>(width);
  for (let c = 0; c < width; c++) out[c] = readCell(batch.columns[c]!, row, isBool[c]!);
  return out;
}
