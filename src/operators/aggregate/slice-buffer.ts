/**
 * The in-memory pre-aggregation of a sliced window operator subtask (Flink's window buffer with a
 * combiner): rows update one accumulator per (group key, slice end) in an open-addressing table here,
 * not in keyed state. The operator moves the accumulators to state only when it must (a checkpoint, the
 * buffer's size limit, a window that also has state to merge), and otherwise emits a window straight from
 * the buffer when it fires. Reading and writing state once per key and batch was most of the operator's
 * cost; most (key, slice) pairs now never reach state at all.
 *
 * Keys are compared by value: two rows share an entry exactly when their encoded keys (`encodeRowKey`)
 * are equal and their slice ends are equal. Key values the batch-key hashes do not handle (arrays, maps,
 * bytes, 64-bit integer columns) switch the buffer to encoded strings for good (`stringMode`).
 *
 * Invariants: entries `0..count` are live, in insertion order; `table` holds entry index + 1 (0 = empty)
 * at the probe position of the entry's hash and is at most half full. `sortedEnds` lists each distinct end
 * of a live entry once, ascending.
 */
import { encodeKey, encodeRowKey } from '../../state/index.js';
import type { Column, RecordBatch } from '../../types/index.js';
import { hashKeyRows, mixHash, numberHash, stringHash } from '../common/batch-keys.js';
import { readCell } from '../common/cell.js';
import type { AggState } from './aggregate-set.js';

/** Entries taken out of the buffer (parallel arrays, one element per entry). */
export interface TakenSlices {
  readonly ends: number[];
  /** Encoded group keys (state keys); null from `takeByEnd`. */
  readonly keys: string[] | null;
  /** Group key values, one array per entry (owned by the caller from now on). */
  readonly keyValues: unknown[][];
  readonly accs: AggState[];
}

export class SliceBuffer {
  private table = new Int32Array(1024);
  /** Per entry, growable (`count` live): hash, slice end, and the key when it is one number (read only when `keyValues[e]` is null). */
  private count = 0;
  private hashes = new Int32Array(1024);
  private ends = new Float64Array(1024);
  private keyNumbers = new Float64Array(1024);
  /** Per entry: the key's values, or null when the key is one number, kept in `keyNumbers` (no array). */
  private keyValues: (unknown[] | null)[] = [];
  /** Encoded key per entry; filled lazily in hash mode, always in string mode. */
  private encoded: (string | null)[] = [];
  private accs: AggState[] = [];
  private sortedEnds: number[] = [];
  private stringMode = false;
  /** Per batch (`beginBatch`): the rows' key hashes, or their encoded keys in string mode. */
  private rowHashes: Int32Array | null = null;
  private rowKeys: string[] | null = null;
  private batchCols: Column[] = [];
  /** The only key column's values when it is one numeric typed array (the common key): compared directly. */
  private numericKey: ArrayLike<number> | null = null;
  private numericKeyNulls: Uint8Array | null = null;
  /** `numberHash` of the last slice end seen: a batch's rows mostly share one or two ends. */
  private lastEnd = NaN;
  private lastEndHash = 0;

  constructor(
    private readonly keyColumns: readonly number[],
    private readonly keyIsBool: readonly boolean[],
    private readonly booleanColumns: ReadonlySet<number>,
    private readonly createState: () => AggState,
  ) {}

  /** Number of buffered (key, slice) accumulators. */
  get size(): number {
    return this.count;
  }

  /** The smallest buffered slice end; +Infinity when empty. */
  minEnd(): number {
    return this.sortedEnds.length === 0 ? Infinity : this.sortedEnds[0]!;
  }

  /** Prepares `accumulatorFor` calls on rows of `batch` (hashes every row's key once). */
  beginBatch(batch: RecordBatch): void {
    this.batchCols = this.keyColumns.map((c) => batch.columns[c]!);
    const only = this.batchCols.length === 1 && !this.keyIsBool[0] ? this.batchCols[0]!.data : null;
    this.numericKey = only !== null && ArrayBuffer.isView(only) && !(only instanceof BigInt64Array) && !(only instanceof BigUint64Array) ? (only as ArrayLike<number>) : null;
    this.numericKeyNulls = this.numericKey !== null ? this.batchCols[0]!.nulls : null;
    if (!this.stringMode) {
      this.rowHashes = hashKeyRows(batch, this.keyColumns, this.booleanColumns);
      if (this.rowHashes !== null) return;
      this.enterStringMode();
    }
    const n = batch.numRows;
    const keys = (this.rowKeys ??= []);
    for (let r = 0; r < n; r++) keys[r] = encodeRowKey(batch, r, this.keyColumns, this.booleanColumns);
  }

  /** The accumulator of row `row`'s key and slice `end` (created empty when missing). */
  accumulatorFor(batch: RecordBatch, row: number, end: number): AggState {
    const rowKey = this.stringMode ? this.rowKeys![row]! : null;
    if (end !== this.lastEnd) {
      this.lastEnd = end;
      this.lastEndHash = numberHash(end);
    }
    const h = mixHash(rowKey !== null ? stringHash(rowKey) : this.rowHashes![row]!, this.lastEndHash);
    const table = this.table;
    const mask = table.length - 1;
    const hashes = this.hashes;
    const ends = this.ends;
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) break;
      const e = slot - 1;
      if (hashes[e] === h && ends[e] === end && (rowKey !== null ? this.encoded[e] === rowKey : this.sameKey(e, row))) return this.accs[e]!;
      i = (i + 1) & mask;
    }
    return this.insert(batch, row, end, h, rowKey, i);
  }

  /**
   * Removes every entry ending at or before `maxEnd`, for emitting: by end, ascending (the order windows
   * fire in), and within an end in insertion order (the order the keys' first rows reached the slice).
   */
  takeByEnd(maxEnd: number): TakenSlices {
    const out: TakenSlices = { ends: [], keys: null, keyValues: [], accs: [] };
    for (const end of this.sortedEnds) {
      if (end > maxEnd) break;
      this.collect(out, end, end);
    }
    this.removeUpTo(maxEnd);
    return out;
  }

  /**
   * Removes every entry ending at or before `maxEnd`, for moving into state: in insertion order, with
   * encoded keys. Insertion order keeps each window's keys in arrival order when state lists them.
   */
  takeForState(maxEnd: number): TakenSlices {
    const out: TakenSlices = { ends: [], keys: [], keyValues: [], accs: [] };
    this.collect(out, -Infinity, maxEnd);
    this.removeUpTo(maxEnd);
    return out;
  }

  /** Appends the entries with ends in [from, to] to `out`, in insertion order. */
  private collect(out: TakenSlices, from: number, to: number): void {
    const ends = this.ends;
    for (let e = 0; e < this.count; e++) {
      const end = ends[e]!;
      if (end < from || end > to) continue;
      out.ends.push(end);
      const key = this.keyOf(e);
      out.keys?.push((this.encoded[e] ??= encodeKey(key)));
      out.keyValues.push(key);
      out.accs.push(this.accs[e]!);
    }
  }

  private keyOf(e: number): unknown[] {
    return this.keyValues[e] ?? [this.keyNumbers[e]];
  }

  private sameKey(e: number, row: number): boolean {
    const numeric = this.numericKey;
    if (numeric !== null) {
      const stored = this.keyValues[e];
      const nulls = this.numericKeyNulls;
      if (nulls !== null && nulls[row] === 1) return stored !== null && stored[0] === null;
      if (stored !== null) return false;
      const v = numeric[row]!;
      const s = this.keyNumbers[e]!;
      return v === s || (v !== v && s !== s);
    }
    const stored = this.keyOf(e);
    const cols = this.batchCols;
    for (let k = 0; k < cols.length; k++) {
      const v = readCell(cols[k]!, row, this.keyIsBool[k]!);
      const s = stored[k];
      // Equal values, or NaN against NaN (one encoding).
      if (v !== s && (v === v || s === s)) return false;
    }
    return true;
  }

  private insert(batch: RecordBatch, row: number, end: number, h: number, rowKey: string | null, at: number): AggState {
    const e = this.count;
    if (e === this.hashes.length) this.growEntries(2 * e);
    const nKeys = this.keyColumns.length;
    const first = nKeys === 1 ? readCell(batch.columns[this.keyColumns[0]!]!, row, this.keyIsBool[0]!) : undefined;
    if (typeof first === 'number') {
      this.keyNumbers[e] = first;
      this.keyValues.push(null);
    } else {
      const values = new Array<unknown>(nKeys);
      for (let k = 0; k < nKeys; k++) values[k] = readCell(batch.columns[this.keyColumns[k]!]!, row, this.keyIsBool[k]!);
      this.keyValues.push(values);
    }
    const acc = this.createState();
    this.count = e + 1;
    this.hashes[e] = h;
    this.ends[e] = end;
    this.encoded.push(rowKey);
    this.accs.push(acc);
    this.table[at] = e + 1;
    if (2 * (e + 1) > this.table.length) this.rehash(this.table.length * 2);
    const sorted = this.sortedEnds;
    // New ends are almost always the largest: search from the back.
    let i = sorted.length;
    while (i > 0 && sorted[i - 1]! > end) i--;
    if (i === 0 || sorted[i - 1] !== end) sorted.splice(i, 0, end);
    return acc;
  }

  private growEntries(capacity: number): void {
    const grow = <T extends Int32Array | Float64Array>(xs: T, make: (n: number) => T): T => {
      const out = make(capacity);
      out.set(xs.subarray(0, this.count));
      return out;
    };
    this.hashes = grow(this.hashes, (n) => new Int32Array(n));
    this.ends = grow(this.ends, (n) => new Float64Array(n));
    this.keyNumbers = grow(this.keyNumbers, (n) => new Float64Array(n));
  }

  /** Drops the entries ending at or before `maxEnd`, keeps the others in order, and rebuilds the table. */
  private removeUpTo(maxEnd: number): void {
    const n = this.count;
    let kept = 0;
    const keyValues: (unknown[] | null)[] = [];
    const encoded: (string | null)[] = [];
    const accs: AggState[] = [];
    for (let e = 0; e < n; e++) {
      if (this.ends[e]! <= maxEnd) continue;
      // Compacting in place: kept <= e, so no live entry is overwritten before it is read.
      this.hashes[kept] = this.hashes[e]!;
      this.ends[kept] = this.ends[e]!;
      this.keyNumbers[kept] = this.keyNumbers[e]!;
      keyValues.push(this.keyValues[e] ?? null);
      encoded.push(this.encoded[e]!);
      accs.push(this.accs[e]!);
      kept++;
    }
    this.count = kept;
    this.keyValues = keyValues;
    this.encoded = encoded;
    this.accs = accs;
    this.sortedEnds = this.sortedEnds.filter((end) => end > maxEnd);
    this.rehash(this.table.length);
  }

  private rehash(capacity: number): void {
    if (this.table.length !== capacity) this.table = new Int32Array(capacity);
    else this.table.fill(0);
    const table = this.table;
    const mask = capacity - 1;
    const hashes = this.hashes;
    for (let e = 0; e < this.count; e++) {
      const h = hashes[e]!;
      let i = (h ^ (h >>> 16)) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = e + 1;
    }
  }

  /** From now on keys are their encoded strings: entries are re-hashed from their encodings. */
  private enterStringMode(): void {
    this.stringMode = true;
    for (let e = 0; e < this.count; e++) {
      const key = (this.encoded[e] ??= encodeKey(this.keyOf(e)));
      this.hashes[e] = mixHash(stringHash(key), numberHash(this.ends[e]!));
    }
    this.rehash(this.table.length);
  }
}
