/**
 * Builds an output batch cell by cell: operators that assemble rows from several sources (a batch row and
 * values from state, join pairs, window bounds) write each cell where it belongs instead of allocating a
 * row array per output row. Typed arrays grow by doubling.
 *
 * Usage: `beginRow(kind)`, then set every column once (`copyFrom`, `set`, `setNull`), then the next row;
 * `finish()` hands out the batch and starts over with fresh arrays (handed-out arrays are never written).
 */
import { columnStorageOf, newColumnData, RowKind } from '../../types/index.js';
import type { ColumnData, Column, RecordBatch, RowType } from '../../types/index.js';

type Storage = 'bool' | 'int32' | 'float64' | 'object';

export class RowWriter {
  private readonly storages: readonly Storage[];
  private data: ColumnData[] = [];
  private nulls: (Uint8Array | null)[] = [];
  private kinds: Uint8Array | null = null;
  private capacity = 0;
  private rows = 0;

  constructor(
    readonly rowType: RowType,
    private readonly initialCapacity = 256,
  ) {
    this.storages = rowType.fields.map((f) => columnStorageOf(f.type));
    this.allocate(initialCapacity);
  }

  get numRows(): number {
    return this.rows;
  }

  /** Starts a new row; the row's cells must all be set before the next `beginRow` or `finish`. */
  beginRow(kind: RowKind): void {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows++;
    if (kind !== RowKind.INSERT && this.kinds === null) this.kinds = new Uint8Array(this.capacity);
    if (this.kinds !== null) this.kinds[r] = kind;
  }

  /** Copies cell (`srcCol`, `row`) of `batch` into column `col` of the current row (same storage). */
  copyFrom(col: number, batch: RecordBatch, srcCol: number, row: number): void {
    const src: Column = batch.columns[srcCol]!;
    const r = this.rows - 1;
    if (src.nulls !== null && src.nulls[row] === 1) this.setNullAt(col, r);
    else {
      const v = src.data[row];
      if (v === null || v === undefined) this.setNullAt(col, r);
      else (this.data[col] as unknown[])[r] = v;
    }
  }

  /** Sets column `col` of the current row from a JS value (see the value table; `null` is SQL NULL). */
  set(col: number, value: unknown): void {
    const r = this.rows - 1;
    if (value === null || value === undefined) {
      this.setNullAt(col, r);
      return;
    }
    switch (this.storages[col]) {
      case 'bool':
        (this.data[col] as Uint8Array)[r] = value === true || value === 1 ? 1 : 0;
        break;
      case 'object':
        (this.data[col] as unknown[])[r] = value;
        break;
      default:
        (this.data[col] as Float64Array)[r] = value as number;
    }
  }

  setNull(col: number): void {
    this.setNullAt(col, this.rows - 1);
  }

  /** The batch written so far, or null when no row was written; the writer starts over. */
  finish(): RecordBatch | null {
    const n = this.rows;
    if (n === 0) return null;
    const columns: Column[] = this.storages.map((s, c) => {
      const d = this.data[c]!;
      return {
        data: s === 'object' ? (d as unknown[]).slice(0, n) : (d as Float64Array).subarray(0, n),
        nulls: this.nulls[c]?.subarray(0, n) ?? null,
      };
    });
    const batch: RecordBatch = { numRows: n, kinds: this.kinds?.subarray(0, n) ?? null, columns };
    this.allocate(this.initialCapacity);
    return batch;
  }

  private setNullAt(col: number, r: number): void {
    if (this.storages[col] === 'object') {
      (this.data[col] as unknown[])[r] = null;
      return;
    }
    let n = this.nulls[col];
    if (n == null) {
      n = new Uint8Array(this.capacity);
      this.nulls[col] = n;
    }
    n[r] = 1;
    (this.data[col] as Float64Array)[r] = 0;
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.rows = 0;
    this.kinds = null;
    this.data = this.storages.map((s) => newColumnData(s, capacity));
    this.nulls = this.storages.map(() => null);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    this.data = this.data.map((d, c) => {
      if (this.storages[c] === 'object') return d;
      const next = newColumnData(this.storages[c]!, cap) as Float64Array;
      next.set(d as Float64Array);
      return next;
    });
    this.nulls = this.nulls.map((n) => {
      if (n === null) return null;
      const next = new Uint8Array(cap);
      next.set(n);
      return next;
    });
    if (this.kinds !== null) {
      const next = new Uint8Array(cap);
      next.set(this.kinds);
      this.kinds = next;
    }
    this.capacity = cap;
  }
}
