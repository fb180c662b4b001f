/**
 * One-row batches that rows kept in state are loaded into, so that compiled batch expressions (join
 * conditions) can read a stored row like a batch row.
 */
import { columnStorageOf, newColumnData } from '../../types/index.js';
import type { Column, ColumnData, RecordBatch, RowType } from '../../types/index.js';
import { readCell } from '../common/cell.js';

/** A one-row batch with the storage of `type`, every typed column with a null vector, to load rows into. */
export function oneRowBatch(type: RowType): RecordBatch {
  const columns: Column[] = type.fields.map((f) => {
    const storage = columnStorageOf(f.type);
    const data: ColumnData = newColumnData(storage, 1);
    return { data, nulls: storage === 'object' ? null : new Uint8Array(1) };
  });
  return { numRows: 1, kinds: null, columns };
}

/** Writes stored row values into row 0 of a `oneRowBatch` (booleans as 0/1, NULL via the null vector). */
export function loadRow(scratch: RecordBatch, row: readonly unknown[]): void {
  const cols = scratch.columns;
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c]!;
    const v = row[c];
    if (col.nulls === null) {
      (col.data as unknown[])[0] = v;
    } else if (v === null || v === undefined) {
      col.nulls[0] = 1;
      (col.data as Float64Array)[0] = 0;
    } else {
      col.nulls[0] = 0;
      (col.data as Float64Array)[0] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    }
  }
}

/** Row `r` of `batch` as JS values (the value table of logical-type.ts); `isBool[c]` marks BOOLEAN columns. */
export function readRow(batch: RecordBatch, r: number, isBool: readonly boolean[]): unknown[] {
  const cols = batch.columns;
  const out = new Array<unknown>(cols.length);
  for (let c = 0; c < cols.length; c++) out[c] = readCell(cols[c]!, r, isBool[c]!);
  return out;
}
