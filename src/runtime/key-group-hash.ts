/**
 * Key groups of a whole batch without building key strings: the hash exchange's partitioning kernel.
 *
 * The contract (state/key-codec.ts) is `keyGroupOf(encodeKey(values), maxParallelism)`: murmur3_32 over
 * the UTF-16 code units of the canonical key encoding. The exchange used to build that string per row
 * (`encodeBatchKeys`) and hash it; profiles at parallelism 2 (q17: 5–10% of CPU in encoding and hashing,
 * plus the garbage of one concatenated string per row) showed it as the largest exchange cost. Here the
 * same code units are written into a reusable Uint16Array and hashed by the same murmur3 (two units per
 * 32-bit block, exactly as `murmur3String` blocks the string), so the result is bit-identical by
 * construction:
 * - numbers that print as plain integers (safe integers) emit their decimal digits arithmetically;
 * - strings emit their length digits and then their own code units (`charCodeAt`, no copy);
 * - every other value (non-integral numbers, bigint, bytes, arrays, maps) is encoded with `encodeValue`
 *   and its code units fed, so rare types stay correct by reusing the one encoder.
 *
 * (2^53 has 16 digits, so `putDigits` never writes more than 16; a safe integer's digits are exact in
 * float64 division.)
 */
import type { ColumnData, RecordBatch } from '../types/index.js';
import { encodeValue, murmur3Units } from '../state/index.js';

/** Key column storages, as the hasher dispatches on them. */
const OBJECT = 0;
const BOOLEAN = 1;
const NUMBER = 2;

/**
 * Computes the key group of every row of `batch` over `keyColumns` into `out[0..numRows)`: equal to
 * `keyGroupOf(encodeBatchKeys(batch, keyColumns, booleanColumns)[r], maxParallelism)`.
 * `isBoolean[i]` tells whether `keyColumns[i]` is a BOOLEAN column (0/1 storage encoded as booleans).
 *
 * Per row, the key's code units are written into a reusable Uint16Array (what the key string would hold)
 * and murmur3 runs over it; nothing is allocated per row except for the rare values that go through
 * `encodeValue`.
 */
export class KeyGroupHasher {
  private units = new Uint16Array(256);
  private readonly storages: Int32Array;

  constructor(
    private readonly keyColumns: readonly number[],
    isBoolean: readonly boolean[],
    private readonly maxParallelism: number,
  ) {
    this.storages = new Int32Array(keyColumns.length);
    for (let i = 0; i < keyColumns.length; i++) this.storages[i] = isBoolean[i] ? BOOLEAN : OBJECT;
  }

  keyGroups(batch: RecordBatch, out: Int32Array): void {
    const n = batch.numRows;
    const k = this.keyColumns.length;
    const cols = new Array<ColumnData>(k);
    const nullsOf = new Array<Uint8Array | null>(k);
    const storages = this.storages;
    for (let i = 0; i < k; i++) {
      const col = batch.columns[this.keyColumns[i]!]!;
      cols[i] = col.data;
      nullsOf[i] = col.nulls;
      if (storages[i] !== BOOLEAN) storages[i] = Array.isArray(col.data) ? OBJECT : NUMBER;
    }
    const maxP = this.maxParallelism;
    for (let r = 0; r < n; r++) {
      let len = 0;
      for (let i = 0; i < k; i++) {
        const nulls = nullsOf[i] as Uint8Array | null;
        if (nulls !== null && nulls[r] === 1) {
          len = this.put(len, 0);
          continue;
        }
        const storage = storages[i]!;
        if (storage === NUMBER) len = this.putNumber(len, (cols[i] as Float64Array)[r]!);
        else if (storage === OBJECT) len = this.putObject(len, (cols[i] as unknown[])[r]);
        else {
          len = this.put(len, 1);
          len = this.put(len, (cols[i] as Uint8Array)[r] ? 49 : 48);
        }
      }
      out[r] = murmur3Units(this.units, len) % maxP;
    }
  }

  /** Writes code unit `u` at `at`, growing the scratch; returns the next position. */
  private put(at: number, u: number): number {
    if (at === this.units.length) this.grow(at + 1);
    this.units[at] = u;
    return at + 1;
  }

  private grow(min: number): void {
    const next = new Uint16Array(Math.max(min, 2 * this.units.length));
    next.set(this.units);
    this.units = next;
  }

  /** `encodeValue(n)` for a number: `\u0002` + String(n) + `\u001f`. */
  private putNumber(at: number, v: number): number {
    if (!Number.isSafeInteger(v)) return this.putString(at, encodeValue(v));
    if (at + 20 > this.units.length) this.grow(at + 20);
    const u = this.units;
    u[at++] = 2;
    // String(-0) is "0": -0 is a safe integer equal to 0, so it takes the non-negative branch.
    if (v < 0) {
      u[at++] = 45;
      v = -v;
    }
    at = putDigits(u, at, v);
    u[at++] = 31;
    return at;
  }

  /** `encodeValue(v)` for a value of an object column. */
  private putObject(at: number, v: unknown): number {
    if (typeof v === 'string') {
      const len = v.length;
      if (at + len + 12 > this.units.length) this.grow(at + len + 12);
      const u = this.units;
      u[at++] = 4;
      at = putDigits(u, at, len);
      u[at++] = 58;
      for (let i = 0; i < len; i++) u[at++] = v.charCodeAt(i);
      return at;
    }
    if (typeof v === 'number') return this.putNumber(at, v);
    if (v === null || v === undefined) return this.put(at, 0);
    return this.putString(at, encodeValue(v));
  }

  private putString(at: number, s: string): number {
    if (at + s.length > this.units.length) this.grow(at + s.length);
    const u = this.units;
    for (let i = 0; i < s.length; i++) u[at++] = s.charCodeAt(i);
    return at;
  }
}

/** Writes the decimal digits of a non-negative safe integer as `String(v)` does; `u` has room for 16. */
function putDigits(u: Uint16Array, at: number, v: number): number {
  let count = 1;
  for (let p = 10; p <= v && count < 16; p *= 10) count++;
  const end = at + count;
  if (v < 2147483648) {
    let x = v | 0;
    for (let i = end - 1; i >= at; i--) {
      const q = (x / 10) | 0;
      u[i] = 48 + (x - q * 10);
      x = q;
    }
  } else {
    for (let i = end - 1; i >= at; i--) {
      const q = Math.floor(v / 10);
      u[i] = 48 + (v - q * 10);
      v = q;
    }
  }
  return end;
}
