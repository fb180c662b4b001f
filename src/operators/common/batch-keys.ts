/**
 * The distinct state keys of a batch, found once per batch so that a keyed operator asks its state for each
 * key exactly once (DESIGN.md principle 3: one batched state call per batch, never one per row).
 *
 * Rows are grouped by their key columns' values in an open-addressing table of per-row hashes, and only
 * each distinct key is encoded as a string (`encodeRowKey`): building and hashing one string per row was
 * most of this function's cost and garbage. Invariant: two rows share a slot exactly when their encoded
 * keys are equal, so value equality here follows the encoding — numbers by `String(n)` (so -0 = 0 and
 * NaN = NaN), BOOLEAN columns by truth, NULL (null flag or null value) equal only to NULL, and a string,
 * number and bigint never equal to each other. Key values the table does not handle (arrays, maps,
 * bytes: ARRAY/ROW/MAP/BINARY keys) send the batch down the string path, which is always correct.
 */
import { encodeBatchKeys, encodeRowKey } from '../../state/index.js';
import type { Column, RecordBatch } from '../../types/index.js';

export interface BatchKeys {
  /** Distinct keys in first-seen order: what to pass to `getMany`. */
  readonly uniqueKeys: string[];
  /** `slotOf[r]` is the index in `uniqueKeys` of row r's key; -1 for a row `skip` left out. */
  readonly slotOf: Int32Array;
  /** `firstRow[s]` is the first row whose key is `uniqueKeys[s]`. */
  readonly firstRow: number[];
}

const NULL_HASH = 0x2f0b3c1d;
const NAN_HASH = 0x6a09e667;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
/** Per-row hashes and the slot table, reused across calls (one thread runs one call at a time). */
let rowHash = new Int32Array(0);
let table = new Int32Array(0);

/**
 * Groups the rows of `batch` by the canonical key of `keyColumns` (no columns: one key for every row).
 * Rows with `skip[r] === 1` get no slot (their keys are not read: late rows, say).
 */
export function distinctBatchKeys(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number>, skip?: Uint8Array): BatchKeys {
  const n = batch.numRows;
  if (keyColumns.length > 0 && hashRows(batch, keyColumns, booleanColumns, n)) return groupByHash(batch, keyColumns, booleanColumns, n, skip);
  return groupByString(batch, keyColumns, booleanColumns, n, skip);
}

/** The reference path: one encoded string per row, grouped in a Map. */
function groupByString(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number>, n: number, skip: Uint8Array | undefined): BatchKeys {
  const keys = keyColumns.length === 0 ? null : encodeBatchKeys(batch, keyColumns, booleanColumns);
  const slotOf = new Int32Array(n);
  const slotByKey = new Map<string, number>();
  const uniqueKeys: string[] = [];
  const firstRow: number[] = [];
  for (let r = 0; r < n; r++) {
    if (skip !== undefined && skip[r] === 1) {
      slotOf[r] = -1;
      continue;
    }
    const key = keys === null ? '' : keys[r]!;
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

/** Combines hash `h` with value hash `v`. */
export function mixHash(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** FNV-1a over the UTF-16 code units of `s`. */
export function stringHash(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** The hash of a number, equal for numbers that encode alike (`-0` and `0`, every NaN). */
export function numberHash(v: number): number {
  if (v !== v) return NAN_HASH;
  if (v === (v | 0)) return v | 0; // small integers, and -0 as 0
  scratch[0] = v;
  return mixHash(scratchWords[0]! | 0, scratchWords[1]! | 0);
}

/** A hash of one value of an Array column (`undefined`: a value the table does not handle). */
function valueHash(v: unknown): number | undefined {
  switch (typeof v) {
    case 'string':
      return stringHash(v);
    case 'number':
      return numberHash(v);
    case 'bigint':
      return mixHash(0x3c6ef372, Number(BigInt.asIntN(32, v)));
    case 'boolean':
      return v ? 0x1001 : 0x1000;
    default:
      return v === null || v === undefined ? NULL_HASH : undefined;
  }
}

/**
 * Every row's hash of the key columns' values (rows that encode alike hash alike), or null when a key value
 * is of a kind the hashes do not handle (arrays, maps, bytes, 64-bit integer columns): such keys need
 * their encoded strings. The returned array is reused by the next call on this thread; rows `n..` are
 * garbage.
 */
export function hashKeyRows(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number>): Int32Array | null {
  return hashRows(batch, keyColumns, booleanColumns, batch.numRows) ? rowHash : null;
}

/** Fills `rowHash` with every row's key hash; false when a key value needs the string path. */
function hashRows(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number>, n: number): boolean {
  if (rowHash.length < n) rowHash = new Int32Array(Math.max(n, 1024));
  const hashes = rowHash;
  hashes.fill(0x3243f6a8, 0, n);
  for (const c of keyColumns) {
    const col = batch.columns[c]!;
    const data = col.data;
    const nulls = col.nulls;
    const isBool = booleanColumns.has(c);
    if (Array.isArray(data)) {
      for (let r = 0; r < n; r++) {
        const h = nulls !== null && nulls[r] === 1 ? NULL_HASH : valueHash(data[r]);
        if (h === undefined) return false;
        hashes[r] = mixHash(hashes[r]!, h);
      }
    } else if (isBool) {
      for (let r = 0; r < n; r++) hashes[r] = mixHash(hashes[r]!, nulls !== null && nulls[r] === 1 ? NULL_HASH : data[r] ? 0x1001 : 0x1000);
    } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      return false;
    } else {
      const nums = data as ArrayLike<number>;
      for (let r = 0; r < n; r++) hashes[r] = mixHash(hashes[r]!, nulls !== null && nulls[r] === 1 ? NULL_HASH : numberHash(nums[r]!));
    }
  }
  return true;
}

/** Whether rows `a` and `b` of `col` encode alike (see the module comment). */
function sameCell(col: Column, isBool: boolean, a: number, b: number): boolean {
  const nulls = col.nulls;
  const data = col.data;
  const nullA = nulls !== null && nulls[a] === 1;
  const nullB = nulls !== null && nulls[b] === 1;
  if (nullA || nullB) return nullA && nullB ? true : Array.isArray(data) && (nullA ? data[b] == null : data[a] == null);
  const x = data[a];
  const y = data[b];
  if (isBool) return !x === !y;
  if (x === y) return true;
  // NaN: `String(NaN)` is one encoding. (null/undefined are both NULL in Array columns.)
  return (x !== x && y !== y) || (x == null && y == null);
}

function groupByHash(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number>, n: number, skip: Uint8Array | undefined): BatchKeys {
  let size = 1024;
  while (size < 2 * n) size <<= 1;
  if (table.length < size) table = new Int32Array(size);
  const slots = table;
  slots.fill(0, 0, size);
  const mask = size - 1;
  const hashes = rowHash;
  const cols = keyColumns.map((c) => batch.columns[c]!);
  const bools = keyColumns.map((c) => booleanColumns.has(c));
  const slotOf = new Int32Array(n);
  const uniqueKeys: string[] = [];
  const firstRow: number[] = [];
  for (let r = 0; r < n; r++) {
    if (skip !== undefined && skip[r] === 1) {
      slotOf[r] = -1;
      continue;
    }
    const h = hashes[r]!;
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const entry = slots[i]!;
      if (entry === 0) {
        // A new key: slots hold slot + 1 (0 = empty).
        const slot = uniqueKeys.length;
        slots[i] = slot + 1;
        uniqueKeys.push(encodeRowKey(batch, r, keyColumns, booleanColumns));
        firstRow.push(r);
        slotOf[r] = slot;
        break;
      }
      const first = firstRow[entry - 1]!;
      if (hashes[first] === h) {
        let same = true;
        for (let k = 0; k < cols.length && same; k++) same = sameCell(cols[k]!, bools[k]!, first, r);
        if (same) {
          slotOf[r] = entry - 1;
          break;
        }
      }
      i = (i + 1) & mask;
    }
  }
  return { uniqueKeys, slotOf, firstRow };
}
