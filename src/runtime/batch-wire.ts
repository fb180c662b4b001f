/**
 * The wire form of a batch posted to another worker thread: string columns packed into bytes.
 *
 * Why: structured clone serializes an array of JS strings value by value (a tag, a length and the
 * characters per string, then one heap string per value on the receiving side). At parallelism 2 that was
 * the bulk of the exchange's transport cost (measured over a MessageChannel, 2,000-row string columns:
 * 150–310 ns per string for clone + deserialize, against 30–40 ns packed as below for short strings).
 *
 * Packing: an object column whose values are all strings (or NULL) made only of code units < 256 is
 * written as one Latin-1 byte array (one byte per code unit, exact for such strings) with end offsets per
 * row; any other object column (a code unit >= 256, DECIMAL, BYTES, ARRAY, MAP, ROW) is left to structured
 * clone, so every value arrives exactly as sent. The packed buffers are fresh, so they are transferred when
 * large.
 *
 * Unpacking decodes the bytes into one string and cuts each value out with `substring`. Only strings
 * shorter than 13 characters are packed: V8 copies such a cut, but represents a longer one as a slice that
 * keeps the whole decoded string alive, and operators may keep a value in state long after its batch is
 * gone. Detaching a long cut costs more than structured clone's own copy, so long strings travel in a
 * side array (`longs`, cloned as usual), and a column of mostly long strings is not packed at all.
 */
import { Buffer } from 'node:buffer';
import type { Column, RecordBatch } from '../types/index.js';

/**
 * A packed string column. Row r is bytes `[ends[r-1], ends[r])` (Latin-1) when `marks` is null or
 * `marks[r] === PACKED`; NULL when `marks[r] === NULL_MARK`; the next unread entry of `longs` when
 * `marks[r] === LONG`.
 */
export interface PackedStrings {
  readonly bytes: Uint8Array;
  readonly ends: Int32Array;
  readonly marks: Uint8Array | null;
  readonly longs: readonly string[] | null;
}

const PACKED = 0;
const NULL_MARK = 1;
const LONG = 2;

/**
 * A batch as posted: `batch` with every packed column replaced by an empty placeholder, and `packed[c]`
 * the packed form of column c (null where the column travels as is). `packed` is null when no column is
 * packed.
 */
export interface WireBatch {
  readonly batch: RecordBatch;
  readonly packed: readonly (PackedStrings | null)[] | null;
}

/** Packed buffers at least this large are transferred rather than copied (as in output-channel.ts). */
const PACKED_TRANSFER_MIN_BYTES = 4096;

/** Strings shorter than this are copied by `substring` (V8's minimum sliced-string length is 13). */
const SLICE_MIN_LENGTH = 13;

const PLACEHOLDER: Column = { data: [], nulls: null };

/**
 * Packs the eligible string columns of `batch` (which must already be prepared for transfer: typed-array
 * buffers in `transfer` are not touched here), appending packed buffers worth transferring to `transfer`.
 * Never mutates `batch`.
 */
export function toWireBatch(batch: RecordBatch, transfer: ArrayBuffer[]): WireBatch {
  let packed: (PackedStrings | null)[] | null = null;
  const cols = batch.columns;
  for (let c = 0; c < cols.length; c++) {
    const data = cols[c]!.data;
    if (!Array.isArray(data)) continue;
    const p = packStrings(data, batch.numRows);
    if (p === null) continue;
    if (packed === null) packed = new Array<PackedStrings | null>(cols.length).fill(null);
    packed[c] = p;
    if (p.bytes.byteLength >= PACKED_TRANSFER_MIN_BYTES) transfer.push(p.bytes.buffer as ArrayBuffer);
    if (p.ends.byteLength >= PACKED_TRANSFER_MIN_BYTES) transfer.push(p.ends.buffer as ArrayBuffer);
  }
  if (packed === null) return { batch, packed: null };
  const columns = cols.map((col, c) => (packed![c] === null ? col : PLACEHOLDER));
  return { batch: { numRows: batch.numRows, kinds: batch.kinds, columns }, packed };
}

/** The batch a `WireBatch` stands for, with packed columns unpacked into arrays of strings. */
export function fromWireBatch(wire: WireBatch): RecordBatch {
  const packed = wire.packed;
  if (packed === null) return wire.batch;
  const b = wire.batch;
  const columns = b.columns.map((col, c) => {
    const p = packed[c];
    return p === null || p === undefined ? col : { data: unpackStrings(p, b.numRows), nulls: null };
  });
  return { numRows: b.numRows, kinds: b.kinds, columns };
}

/**
 * Packs `data[0..n)` when every value is NULL or a string of code units < 256 and at most half of the
 * strings are long (>= SLICE_MIN_LENGTH); else null (the column is cloned as is).
 */
export function packStrings(data: readonly unknown[], n: number): PackedStrings | null {
  let total = 0;
  let marked = 0;
  let longCount = 0;
  for (let r = 0; r < n; r++) {
    const v = data[r];
    if (typeof v === 'string') {
      if (v.length < SLICE_MIN_LENGTH) total += v.length;
      else {
        longCount++;
        marked++;
      }
    } else if (v === null || v === undefined) marked++;
    else return null;
  }
  if (longCount * 2 > n) return null;
  const bytes = new Uint8Array(total);
  const ends = new Int32Array(n);
  const marks = marked > 0 ? new Uint8Array(n) : null;
  const longs: string[] | null = longCount > 0 ? [] : null;
  let at = 0;
  for (let r = 0; r < n; r++) {
    const v = data[r];
    if (typeof v === 'string') {
      const len = v.length;
      if (len < SLICE_MIN_LENGTH) {
        for (let i = 0; i < len; i++) {
          const u = v.charCodeAt(i);
          if (u > 0xff) return null;
          bytes[at++] = u;
        }
      } else {
        marks![r] = LONG;
        longs!.push(v);
      }
    } else marks![r] = NULL_MARK;
    ends[r] = at;
  }
  return { bytes, ends, marks, longs };
}

/** The strings of a packed column (each one independent of the others: see the module comment). */
export function unpackStrings(p: PackedStrings, n: number): unknown[] {
  const out = new Array<unknown>(n);
  const bytes = p.bytes;
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const ends = p.ends;
  const marks = p.marks;
  if (marks === null) {
    let start = 0;
    for (let r = 0; r < n; r++) {
      const end = ends[r]!;
      out[r] = all.substring(start, end);
      start = end;
    }
    return out;
  }
  const longs = p.longs;
  let nextLong = 0;
  let start = 0;
  for (let r = 0; r < n; r++) {
    const end = ends[r]!;
    const m = marks[r];
    if (m === PACKED) out[r] = all.substring(start, end);
    else if (m === NULL_MARK) out[r] = null;
    else out[r] = longs![nextLong++];
    start = end;
  }
  return out;
}
