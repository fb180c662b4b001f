/**
 * The state value codec, version 1: a deterministic binary encoding of every JS value keyed state holds
 * (accumulators, join records, list elements — see the value table in types/logical-type.ts and
 * operators' `AggregateFunction` contract). Equal values give equal bytes, and decoding gives a value
 * that is `deepStrictEqual` to the original (a `null`-prototype object comes back with `Object.prototype`).
 *
 * One tag byte per value, then:
 *
 * | tag | value                     | payload                                                       |
 * |-----|---------------------------|---------------------------------------------------------------|
 * | 0   | undefined                 | —                                                             |
 * | 1   | null                      | —                                                             |
 * | 2/3 | false / true              | —                                                             |
 * | 4   | integer, |n| ≤ 2^52, ≠ -0 | zigzag LEB128 varuint                                         |
 * | 5   | any other number          | float64 LE (NaN, ±Infinity, -0, fractions)                    |
 * | 6/7 | bigint ≥ 0 / bigint < 0   | varuint byte count, magnitude bytes little-endian             |
 * | 8   | string                    | ByteWriter string (UTF-8, or UTF-16 code units if ill-formed) |
 * | 9   | Uint8Array (and Buffer)   | varuint length, bytes                                         |
 * | 10  | array (ROW, ARRAY, lists) | varuint length, elements (a hole reads back as undefined)     |
 * | 11  | plain object              | varuint count, (string key, value) in `Object.keys` order     |
 * | 12  | Map                       | varuint count, (key, value) in iteration order                |
 *
 * Order is kept, not sorted, for objects and Maps: it is observable (a Map's iteration order decides
 * which entry an operator meets first), and a restored job must behave exactly like the one that never
 * stopped. It is still deterministic: the same value (same insertion history) gives the same bytes.
 *
 * Anything else (Set, Date, class instances, other typed arrays, functions, symbols) is a bug in the
 * operator that stored it and fails with `STATE.UNSERIALIZABLE_VALUE`. Tags 13–255 are free for later
 * versions; a reader meeting an unknown tag reports corruption rather than guessing.
 */
import { FloeError } from '../common/index.js';
import { ByteReader, ByteWriter } from './byte-buffer.js';

export const STATE_VALUE_CODEC_VERSION = 1;

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4;
const T_FLOAT = 5;
const T_BIGINT_POS = 6;
const T_BIGINT_NEG = 7;
const T_STRING = 8;
const T_BYTES = 9;
const T_ARRAY = 10;
const T_OBJECT = 11;
const T_MAP = 12;

const INT_LIMIT = 2 ** 52;

/** Deeper nesting than this is treated as a cycle (state values are shallow: a few levels at most). */
const MAX_DEPTH = 512;

function unserializable(what: string): FloeError {
  return new FloeError('internal', 'STATE.UNSERIALIZABLE_VALUE', `cannot serialise a state value: ${what}`, {
    notes: ['state values must be numbers, bigints, strings, booleans, null, undefined, arrays, plain objects, Maps or Uint8Arrays'],
  });
}

export function writeStateValue(w: ByteWriter, value: unknown, depth = 0): void {
  switch (typeof value) {
    case 'undefined':
      w.u8(T_UNDEFINED);
      return;
    case 'boolean':
      w.u8(value ? T_TRUE : T_FALSE);
      return;
    case 'number':
      // |n| ≤ 2^52 keeps the zigzag value below 2^53, where JS numbers are exact.
      if (Number.isInteger(value) && value <= INT_LIMIT && value >= -INT_LIMIT && !Object.is(value, -0)) {
        w.u8(T_INT);
        w.varuint(value >= 0 ? value * 2 : -value * 2 - 1);
      } else {
        w.u8(T_FLOAT);
        w.f64(value);
      }
      return;
    case 'string':
      w.u8(T_STRING);
      w.string(value);
      return;
    case 'bigint':
      writeBigInt(w, value);
      return;
    case 'object':
      break;
    default:
      throw unserializable(`a ${typeof value}`);
  }
  if (value === null) {
    w.u8(T_NULL);
    return;
  }
  if (depth >= MAX_DEPTH) throw unserializable(`nesting deeper than ${MAX_DEPTH} levels (is the value cyclic?)`);
  if (Array.isArray(value)) {
    w.u8(T_ARRAY);
    const n = value.length;
    w.varuint(n);
    for (let i = 0; i < n; i++) writeStateValue(w, value[i], depth + 1);
    return;
  }
  if (value instanceof Uint8Array) {
    w.u8(T_BYTES);
    w.varuint(value.length);
    w.bytes(value);
    return;
  }
  if (value instanceof Map) {
    w.u8(T_MAP);
    w.varuint(value.size);
    for (const [k, v] of value) {
      writeStateValue(w, k, depth + 1);
      writeStateValue(w, v, depth + 1);
    }
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value);
    w.u8(T_OBJECT);
    w.varuint(keys.length);
    for (const k of keys) {
      w.string(k);
      writeStateValue(w, (value as Record<string, unknown>)[k], depth + 1);
    }
    return;
  }
  throw unserializable(`an instance of ${Object.prototype.toString.call(value).slice(8, -1)}`);
}

function writeBigInt(w: ByteWriter, value: bigint): void {
  const negative = value < 0n;
  let mag = negative ? -value : value;
  w.u8(negative ? T_BIGINT_NEG : T_BIGINT_POS);
  // Magnitude as little-endian bytes; zero has zero bytes.
  const bytes: number[] = [];
  while (mag > 0n) {
    bytes.push(Number(mag & 0xffn));
    mag >>= 8n;
  }
  w.varuint(bytes.length);
  for (const b of bytes) w.u8(b);
}

export function readStateValue(r: ByteReader, depth = 0): unknown {
  const tag = r.u8();
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT: {
      const z = r.varuint();
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    case T_FLOAT:
      return r.f64();
    case T_BIGINT_POS:
    case T_BIGINT_NEG: {
      const n = r.varuint();
      if (n > r.remaining) throw r.corrupt(`bigint of ${n} bytes`);
      let mag = 0n;
      for (let i = n - 1; i >= 0; i--) mag = (mag << 8n) | BigInt(r.bytes[r.pos + i]!);
      r.pos += n;
      return tag === T_BIGINT_NEG ? -mag : mag;
    }
    case T_STRING:
      return r.string();
    case T_BYTES:
      return r.bytesCopy(r.varuint());
    default:
      break;
  }
  if (depth >= MAX_DEPTH) throw r.corrupt(`value nested deeper than ${MAX_DEPTH} levels`);
  switch (tag) {
    case T_ARRAY: {
      const n = r.varuint();
      // Every element takes at least one byte: a larger count is corruption, not a huge allocation.
      if (n > r.remaining) throw r.corrupt(`array of ${n} elements`);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = readStateValue(r, depth + 1);
      return out;
    }
    case T_OBJECT: {
      const n = r.varuint();
      if (n > r.remaining) throw r.corrupt(`object of ${n} properties`);
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = r.string();
        const v = readStateValue(r, depth + 1);
        // Plain assignment of '__proto__' would replace the prototype instead of adding a property.
        if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        else out[k] = v;
      }
      return out;
    }
    case T_MAP: {
      const n = r.varuint();
      if (n > r.remaining) throw r.corrupt(`map of ${n} entries`);
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = readStateValue(r, depth + 1);
        out.set(k, readStateValue(r, depth + 1));
      }
      return out;
    }
    default:
      r.pos--;
      throw r.corrupt(`unknown value tag ${tag}`);
  }
}

/** One value as a standalone byte string (for tests and single-value records). */
export function encodeStateValue(value: unknown): Uint8Array {
  const w = new ByteWriter(64);
  writeStateValue(w, value);
  return w.finish();
}

/** Decodes `encodeStateValue` output; trailing bytes are corruption. */
export function decodeStateValue(bytes: Uint8Array, source = 'state value'): unknown {
  const r = new ByteReader(bytes, source, 'STATE.CORRUPT_VALUE');
  const v = readStateValue(r);
  if (r.remaining !== 0) throw r.corrupt(`${r.remaining} trailing bytes`);
  return v;
}
