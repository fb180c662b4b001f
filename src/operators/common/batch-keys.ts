/**
 * The distinct state keys of a batch, found once per batch so that a keyed operator asks its state for each
 * key exactly once (DESIGN.md principle 3: one batched state call per batch, never one per row).
 */
import { encodeBatchKeys } from '../../state/index.js';
import type { RecordBatch } from '../../types/index.js';

export interface BatchKeys {
  /** Distinct keys in first-seen order: what to pass to `getMany`. */
  readonly uniqueKeys: string[];
  /** `slotOf[r]` is the index in `uniqueKeys` of row r's key. */
  readonly slotOf: Int32Array;
  /** `firstRow[s]` is the first row whose key is `uniqueKeys[s]`. */
  readonly firstRow: number[];
}

/** Groups the rows of `batch` by the canonical key of `keyColumns` (no columns: one key for every row). */
export function distinctBatchKeys(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number>): BatchKeys {
  const n = batch.numRows;
  const keys = keyColumns.length === 0 ? new Array<string>(n).fill('') : encodeBatchKeys(batch, keyColumns, booleanColumns);
  const slotOf = new Int32Array(n);
  const slotByKey = new Map<string, number>();
  const uniqueKeys: string[] = [];
  const firstRow: number[] = [];
  for (let r = 0; r < n; r++) {
    const key = keys[r]!;
    let slot = slotByKey.get(key);
    if (slot === undefined) {
      slot = uniqueKeys.length;
      slotByKey.set(key, slot);
      uniqueKeys.push(key);
      firstRow.push(r);
    }
    slotOf[r] = slot;
  }
  return { uniqueKeys, slotOf, firstRow };
}
