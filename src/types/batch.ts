/**
 * Columnar record batches: the unit operators exchange (DESIGN.md principle 2).
 *
 * A batch holds `numRows` changelog rows. Each row has a kind (`RowKind`) and one value per column.
 * Column storage follows the type (`columnStorageOf`): typed arrays for numbers, times and booleans with a
 * separate null byte-array, and plain arrays (with `null` for SQL NULL) for everything else.
 *
 * Invariants:
 * - `kinds === null` means every row is `+I` (the common, insert-only case costs nothing).
 * - Typed-array columns have `data.length >= numRows`; only the first `numRows` entries are meaningful.
 *   `nulls` is either `null` (no NULLs in this column) or a Uint8Array with 1 at NULL positions; at a NULL
 *   position `data` holds 0 and must not be read as a value.
 * - Object columns: `nulls` is always `null`; SQL NULL is `null` in `data`.
 * - A batch is immutable once emitted: a receiver may keep references to it; a producer must not write
 *   into a batch (or its arrays) after handing it on. Batches crossing threads are structured-cloned or
 *   have their typed-array buffers transferred.
 */
import { columnStorageOf, type LogicalType, type RowType } from './logical-type.js';

/** Changelog row kinds, with Flink's short strings. The numeric values are part of the wire format. */
export const RowKind = {
  INSERT: 0,
  UPDATE_BEFORE: 1,
  UPDATE_AFTER: 2,
  DELETE: 3,
} as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

export const ROW_KIND_SHORT: readonly string[] = ['+I', '-U', '+U', '-D'];

/** True for +I and +U (rows that add to a result); false for -U and -D (rows that retract). */
export function isAccumulate(kind: number): boolean {
  return kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
}

export type ColumnData = Float64Array | Int32Array | Uint8Array | unknown[];

export interface Column {
  readonly data: ColumnData;
  readonly nulls: Uint8Array | null;
}

export interface RecordBatch {
  readonly numRows: number;
  readonly kinds: Uint8Array | null;
  readonly columns: readonly Column[];
}

export function rowKindAt(batch: RecordBatch, row: number): RowKind {
  return (batch.kinds === null ? RowKind.INSERT : batch.kinds[row]!) as RowKind;
}

/** Reads one value as its JS representation (`null` for SQL NULL). Convenient, not for hot loops. */
export function getValue(column: Column, row: number, type: LogicalType): unknown {
  if (column.nulls !== null && column.nulls[row] === 1) return null;
  const v = column.data[row];
  if (type.kind === 'BOOLEAN') return v === 1;
  return v === undefined ? null : v;
}

/** Reads a whole row as JS values. Convenient, not for hot loops. */
export function getRow(batch: RecordBatch, row: number, rowType: RowType): unknown[] {
  const out = new Array<unknown>(batch.columns.length);
  for (let c = 0; c < batch.columns.length; c++) out[c] = getValue(batch.columns[c]!, row, rowType.fields[c]!.type);
  return out;
}

export function emptyBatch(columnCount: number): RecordBatch {
  return { numRows: 0, kinds: null, columns: Array.from({ length: columnCount }, () => ({ data: [], nulls: null })) };
}

/**
 * Builds batches of one row type, growing typed arrays by doubling. Rows are appended whole
 * (`appendRow`, `appendFrom`) or cell by cell (`beginRow`, then `set` / `copyFrom` / `setNull` for every
 * column) when an operator assembles a row from several places (a batch row and state, join pairs, window
 * bounds) without allocating a row array. `finish()` hands out the batch and starts over with fresh arrays,
 * so arrays handed out are never written again.
 */
export class BatchBuilder {
  private readonly storages: readonly ('bool' | 'int32' | 'float64' | 'object')[];
  private data: ColumnData[] = [];
  private nulls: (Uint8Array | null)[] = [];
  private kinds: Uint8Array | null = null;
  private capacity = 0;
  private rows = 0;

  constructor(
    readonly rowType: RowType,
    private readonly initialCapacity = 1024,
  ) {
    this.storages = rowType.fields.map((f) => columnStorageOf(f.type));
    this.allocate(initialCapacity);
  }

  get numRows(): number {
    return this.rows;
  }

  /** Appends one row of JS values (see the value table in logical-type.ts). */
  appendRow(values: readonly unknown[], kind: RowKind = RowKind.INSERT): void {
    this.beginRow(kind);
    for (let c = 0; c < this.storages.length; c++) this.set(c, values[c] ?? null);
  }

  /** Appends row `row` of `batch` (same schema), optionally with another kind. */
  appendFrom(batch: RecordBatch, row: number, kind: RowKind = rowKindAt(batch, row)): void {
    this.beginRow(kind);
    for (let c = 0; c < this.storages.length; c++) this.copyFrom(c, batch, c, row);
  }

  /** Starts a new row; every cell of it must be set before the next `beginRow` or `finish`. */
  beginRow(kind: RowKind): void {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows++;
    if (kind !== RowKind.INSERT && this.kinds === null) this.kinds = new Uint8Array(this.capacity);
    if (this.kinds !== null) this.kinds[r] = kind;
  }

  /** Copies cell (`srcCol`, `row`) of `batch` into column `col` of the current row (same storage). */
  copyFrom(col: number, batch: RecordBatch, srcCol: number, row: number): void {
    const src = batch.columns[srcCol]!;
    const r = this.rows - 1;
    if (src.nulls !== null && src.nulls[row] === 1) this.setNullAt(col, r);
    else {
      const v = src.data[row];
      if (v === null || v === undefined) this.setNullAt(col, r);
      else (this.data[col] as unknown[])[r] = v;
    }
  }

  /** Sets column `col` of the current row from a JS value (`null` is SQL NULL). */
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

  finish(): RecordBatch {
    const n = this.rows;
    const columns: Column[] = this.storages.map((s, c) => {
      const d = this.data[c]!;
      return { data: s === 'object' ? (d as unknown[]).slice(0, n) : (d as Float64Array).subarray(0, n), nulls: this.nulls[c]?.subarray(0, n) ?? null };
    });
    const batch: RecordBatch = { numRows: n, kinds: this.kinds?.subarray(0, n) ?? null, columns };
    this.allocate(this.initialCapacity);
    return batch;
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
      const s = this.storages[c]!;
      if (s === 'object') return d;
      const next = newColumnData(s, cap) as Float64Array;
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

export function newColumnData(storage: 'bool' | 'int32' | 'float64' | 'object', capacity: number): ColumnData {
  switch (storage) {
    case 'bool':
      return new Uint8Array(capacity);
    case 'int32':
      return new Int32Array(capacity);
    case 'float64':
      return new Float64Array(capacity);
    default:
      return new Array<unknown>(capacity);
  }
}

/** Builds a batch from JS rows in one call (tests, small sources). */
export function batchFromRows(rowType: RowType, rows: readonly (readonly unknown[])[], kinds?: readonly RowKind[]): RecordBatch {
  const b = new BatchBuilder(rowType, Math.max(1, rows.length));
  rows.forEach((r, i) => b.appendRow(r, kinds?.[i] ?? RowKind.INSERT));
  return b.finish();
}

/** Picks rows by index (in the order given) into a new batch: the building block of filters and partitioners. */
export function selectRows(batch: RecordBatch, indices: Int32Array | readonly number[], count = indices.length): RecordBatch {
  const columns = batch.columns.map((col) => {
    const d = col.data;
    let data: ColumnData;
    if (Array.isArray(d)) {
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) out[i] = d[indices[i]!];
      data = out;
    } else {
      const out = new (d.constructor as Float64ArrayConstructor)(count);
      for (let i = 0; i < count; i++) out[i] = d[indices[i]!]!;
      data = out as ColumnData;
    }
    let nulls: Uint8Array | null = null;
    if (col.nulls !== null) {
      const n = col.nulls;
      const out = new Uint8Array(count);
      let any = 0;
      for (let i = 0; i < count; i++) any |= out[i] = n[indices[i]!]!;
      nulls = any ? out : null;
    }
    return { data, nulls };
  });
  let kinds: Uint8Array | null = null;
  if (batch.kinds !== null) {
    const k = batch.kinds;
    kinds = new Uint8Array(count);
    for (let i = 0; i < count; i++) kinds[i] = k[indices[i]!]!;
  }
  return { numRows: count, kinds, columns };
}

/** Concatenates batches of the same schema. */
export function concatBatches(rowType: RowType, batches: readonly RecordBatch[]): RecordBatch {
  if (batches.length === 1) return batches[0]!;
  const total = batches.reduce((n, b) => n + b.numRows, 0);
  const b = new BatchBuilder(rowType, Math.max(1, total));
  for (const batch of batches) for (let r = 0; r < batch.numRows; r++) b.appendFrom(batch, r);
  return b.finish();
}
