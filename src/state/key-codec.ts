/**
 * The canonical key encoding and key-group hashing shared by the hash exchange and every state backend.
 *
 * A key (one or more SQL values) is encoded into a string that is equal for equal SQL values and
 * different otherwise; the key group is murmur3_32 over the string's UTF-16 code units, modulo
 * `maxParallelism`. Because the exchange and the state use this one function, a key always lands on the
 * subtask whose state holds it, and rescaling only moves whole key groups.
 *
 * Encoding, per value, concatenated: NULL → `\u0000`; boolean → `\u0001` + `0|1`; number → `\u0002` +
 * `String(n)` + `\u001f`; bigint (DECIMAL unscaled) → `\u0003` + digits + `\u001f`; string → `\u0004` +
 * length + `:` + text; Uint8Array → `\u0005` + length + `:` + bytes as chars; array/ROW → `\u0006` +
 * count + `:` + encoded elements; Map → `\u0007` + count + `:` + encoded entries sorted by encoded key.
 * Length prefixes make the encoding prefix-free, so concatenation is unambiguous. Never change this
 * encoding without a state version bump: state written with it would be unreachable.
 */
import type { RecordBatch } from '../types/index.js';

export function encodeValue(value: unknown): string {
  if (value === null || value === undefined) return '\u0000';
  switch (typeof value) {
    case 'boolean':
      return value ? '\u00011' : '\u00010';
    case 'number':
      return '\u0002' + String(value) + '\u001f';
    case 'bigint':
      return '\u0003' + value.toString() + '\u001f';
    case 'string':
      return '\u0004' + value.length + ':' + value;
    default:
      break;
  }
  if (value instanceof Uint8Array) {
    let s = '';
    for (let i = 0; i < value.length; i++) s += String.fromCharCode(value[i]!);
    return '\u0005' + value.length + ':' + s;
  }
  if (Array.isArray(value)) {
    let s = '\u0006' + value.length + ':';
    for (const v of value) s += encodeValue(v);
    return s;
  }
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => encodeValue(k) + encodeValue(v)).sort();
    return '\u0007' + entries.length + ':' + entries.join('');
  }
  throw new TypeError(`cannot encode a key value of type ${Object.prototype.toString.call(value)}`);
}

/** Encodes several values as one key. */
export function encodeKey(values: readonly unknown[]): string {
  if (values.length === 1) return encodeValue(values[0]);
  let s = '';
  for (const v of values) s += encodeValue(v);
  return s;
}

/**
 * Encodes the key of every row of `batch` over columns `keyColumns` (BOOLEAN columns must be listed in
 * `booleanColumns` so their 0/1 storage encodes as booleans). Hot path: no per-row arrays.
 */
export function encodeBatchKeys(batch: RecordBatch, keyColumns: readonly number[], booleanColumns: ReadonlySet<number> = EMPTY): string[] {
  const n = batch.numRows;
  const out = new Array<string>(n);
  if (keyColumns.length === 0) {
    out.fill('');
    return out;
  }
  for (let r = 0; r < n; r++) out[r] = '';
  for (const c of keyColumns) {
    const col = batch.columns[c]!;
    const isBool = booleanColumns.has(c);
    for (let r = 0; r < n; r++) out[r] += encodeCell(col, r, isBool);
  }
  return out;
}

/** The key of one row of `batch`, exactly as `encodeBatchKeys` encodes it. */
export function encodeRowKey(batch: RecordBatch, row: number, keyColumns: readonly number[], booleanColumns: ReadonlySet<number> = EMPTY): string {
  let s = '';
  for (const c of keyColumns) s += encodeCell(batch.columns[c]!, row, booleanColumns.has(c));
  return s;
}

function encodeCell(col: RecordBatch['columns'][number], r: number, isBool: boolean): string {
  if (col.nulls !== null && col.nulls[r] === 1) return '\u0000';
  const v = col.data[r];
  if (isBool) return v ? '\u00011' : '\u00010';
  return encodeValue(v);
}

const EMPTY: ReadonlySet<number> = new Set();

/** murmur3_32 (x86) over the UTF-16 code units of `s`, two units per 32-bit block. */
export function murmur3String(s: string, seed = 0): number {
  let h = seed | 0;
  const len = s.length;
  const blocks = len >> 1;
  for (let i = 0; i < blocks; i++) {
    let k = (s.charCodeAt(2 * i) & 0xffff) | ((s.charCodeAt(2 * i + 1) & 0xffff) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (len & 1) {
    let k = s.charCodeAt(len - 1) & 0xffff;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * murmur3_32 over `u[0..len)`, two units per block: `murmur3String` of the string those units form. The
 * hash exchange hashes keys it writes into a reused buffer with this (runtime key-group-hash.ts); both
 * must stay bit-identical, since they decide the same key groups.
 */
export function murmur3Units(u: Uint16Array, len: number): number {
  let h = 0;
  const blocks = len >> 1;
  for (let i = 0; i < blocks; i++) {
    let k = u[2 * i]! | (u[2 * i + 1]! << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (len & 1) {
    let k = u[len - 1]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The key group of an encoded key. */
export function keyGroupOf(key: string, maxParallelism: number): number {
  return murmur3String(key) % maxParallelism;
}

export const DEFAULT_MAX_PARALLELISM = 128;
