/**
 * Join-key helpers shared by the join operators (regular, time-bounded and lookup joins).
 */
import type { RecordBatch } from '../../types/index.js';

/** 1 at rows whose key has a NULL column, or null when no key column has NULLs. */
export function nullKeyRows(batch: RecordBatch, keys: readonly number[]): Uint8Array | null {
  let out: Uint8Array | null = null;
  const n = batch.numRows;
  for (const k of keys) {
    const col = batch.columns[k]!;
    if (col.nulls !== null) {
      out ??= new Uint8Array(n);
      const nulls = col.nulls;
      for (let r = 0; r < n; r++) out[r]! |= nulls[r]!;
    } else if (Array.isArray(col.data)) {
      const data = col.data;
      for (let r = 0; r < n; r++) {
        if (data[r] === null) {
          out ??= new Uint8Array(n);
          out[r] = 1;
        }
      }
    }
  }
  return out;
}
