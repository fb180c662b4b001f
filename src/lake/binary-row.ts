/**
 * Paimon's `BinaryRow` layout, used for partition values, min/max statistics, min/max keys and bucket
 * hashing. Layout of a row of `arity` fields (all multi-byte values little-endian):
 *
 *   [header + null bits: nullBitsBytes(arity)] [fixed part: 8 bytes per field] [variable part]
 *
 * - Byte 0 is the row kind; the null bit of field i is bit (i + 8), i.e. byte (i+8)>>3, bit (i+8)&7.
 * - Fixed slots hold BOOLEAN/TINYINT (1 byte), SMALLINT (2), INT/DATE/TIME (4), FLOAT (4), BIGINT/DOUBLE
 *   (8), compact DECIMAL (precision ≤ 18: the unscaled long) and compact TIMESTAMP (precision ≤ 3: epoch
 *   millis as a long).
 * - STRING/BYTES of at most 7 bytes live inside the slot: bytes 0..6 hold the data, byte 7 holds
 *   0x80 | length. Longer ones put `offset << 32 | length` in the slot and the bytes, zero-padded to a
 *   multiple of 8, in the variable part (offsets are relative to the row start).
 * - Non-compact DECIMAL reserves 16 bytes in the variable part (even when NULL) for the unscaled value in
 *   big-endian two's complement (Java `BigInteger.toByteArray`); the slot holds `offset << 32 | length`.
 * - Non-compact TIMESTAMP reserves 8 bytes in the variable part (even when NULL) for the epoch millis;
 *   the slot holds `offset << 32 | nanoOfMillisecond`.
 *
 * Serialized rows in manifests (`_PARTITION`, `_MIN_VALUES`, ...) are prefixed with the arity as a
 * big-endian int32 (`SerializationUtils.serializeBinaryRow`).
 */
import { ioError, unsupported } from '../common/index.js';
import { RowKind, type LogicalType } from '../types/index.js';

export function nullBitsBytes(arity: number): number {
  return Math.floor((arity + 63 + 8) / 64) * 8;
}

export function isCompactDecimal(precision: number): boolean {
  return precision <= 18;
}

export function isCompactTimestamp(precision: number): boolean {
  return precision <= 3;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

function checkSupported(type: LogicalType): void {
  switch (type.kind) {
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      throw unsupported('LAKE.UNSUPPORTED_BINARY_ROW_TYPE', `BinaryRow fields of type ${type.kind} are not supported yet`);
    default:
  }
}

/**
 * Decodes the `BinaryRow` in `bytes[offset, offset + size)` into JS values per the Floe value table.
 * `types` gives the field types; a row with fewer fields than `types` is an error (`what` names it).
 */
export function decodeBinaryRow(bytes: Uint8Array, types: readonly LogicalType[], what: string, offset = 0, size = bytes.length - offset): unknown[] {
  const arity = types.length;
  const fixed = nullBitsBytes(arity);
  if (size < fixed + 8 * arity) {
    throw ioError('LAKE.CORRUPT_BINARY_ROW', `${what}: ${size} bytes cannot hold a BinaryRow of ${arity} fields`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
  const out = new Array<unknown>(arity);
  for (let i = 0; i < arity; i++) {
    const type = types[i]!;
    const bit = i + 8;
    if ((view.getUint8(bit >>> 3) & (1 << (bit & 7))) !== 0) {
      out[i] = null; // also for nested types, whose stats are always NULL
      continue;
    }
    checkSupported(type);
    const slot = fixed + i * 8;
    out[i] = readSlot(view, bytes, offset, slot, type, what);
  }
  return out;
}

function readSlot(view: DataView, bytes: Uint8Array, base: number, slot: number, type: LogicalType, what: string): unknown {
  switch (type.kind) {
    case 'BOOLEAN':
      return view.getUint8(slot) !== 0;
    case 'TINYINT':
      return view.getInt8(slot);
    case 'SMALLINT':
      return view.getInt16(slot, true);
    case 'INT':
    case 'DATE':
      return view.getInt32(slot, true);
    case 'TIME':
      return view.getInt32(slot, true);
    case 'BIGINT':
      return Number(view.getBigInt64(slot, true));
    case 'FLOAT':
      return view.getFloat32(slot, true);
    case 'DOUBLE':
      return view.getFloat64(slot, true);
    case 'DECIMAL': {
      if (isCompactDecimal(type.precision)) return view.getBigInt64(slot, true);
      const { off, len } = offsetAndLength(view, slot, what);
      return bigintFromTwosComplement(slice(bytes, base, off, len, view, what));
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      if (isCompactTimestamp(type.precision)) return Number(view.getBigInt64(slot, true));
      const { off, len: nanoOfMilli } = offsetAndLength(view, slot, what);
      if (off + 8 > view.byteLength) throw corrupt(what);
      return Number(view.getBigInt64(off, true)) + nanoOfMilli / 1e6;
    }
    case 'CHAR':
    case 'VARCHAR':
      return utf8Decoder.decode(readBinary(view, bytes, base, slot, what));
    case 'BINARY':
    case 'VARBINARY':
      return readBinary(view, bytes, base, slot, what).slice();
    default:
      throw corrupt(what);
  }
}

function corrupt(what: string): Error {
  return ioError('LAKE.CORRUPT_BINARY_ROW', `${what}: BinaryRow points outside its bytes`);
}

function offsetAndLength(view: DataView, slot: number, what: string): { off: number; len: number } {
  const len = view.getInt32(slot, true);
  const off = view.getInt32(slot + 4, true);
  if (off < 0 || off > view.byteLength) throw corrupt(what);
  return { off, len };
}

function slice(bytes: Uint8Array, base: number, off: number, len: number, view: DataView, what: string): Uint8Array {
  if (len < 0 || off + len > view.byteLength) throw corrupt(what);
  return bytes.subarray(base + off, base + off + len);
}

function readBinary(view: DataView, bytes: Uint8Array, base: number, slot: number, what: string): Uint8Array {
  const mark = view.getUint8(slot + 7);
  if ((mark & 0x80) !== 0) {
    const len = mark & 0x7f;
    if (len > 7) throw corrupt(what);
    return bytes.subarray(base + slot, base + slot + len);
  }
  const { off, len } = offsetAndLength(view, slot, what);
  return slice(bytes, base, off, len, view, what);
}

/** Big-endian two's complement → bigint (Java `new BigInteger(bytes)`); empty is 0. */
export function bigintFromTwosComplement(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  if ((b[0]! & 0x80) !== 0) v -= 1n << BigInt(b.length * 8);
  return v;
}

/** Java `BigInteger.toByteArray()`: minimal big-endian two's complement (at least one byte). */
export function bigintToTwosComplement(v: bigint): Uint8Array {
  let n = 1;
  while (v < -(1n << BigInt(n * 8 - 1)) || v >= 1n << BigInt(n * 8 - 1)) n++;
  const out = new Uint8Array(n);
  let x = BigInt.asUintN(n * 8, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * Decodes a row serialized with its arity prefix (`_PARTITION`, stats `_MIN_VALUES`/`_MAX_VALUES`,
 * `_MIN_KEY`/`_MAX_KEY`). Stats rows may cover fewer columns than the schema (`_VALUE_STATS_COLS`), so the
 * arity prefix decides how many of `types` are read.
 */
export function deserializeBinaryRow(bytes: Uint8Array, types: readonly LogicalType[], what: string): unknown[] {
  if (bytes.length < 4) throw ioError('LAKE.CORRUPT_BINARY_ROW', `${what}: serialized BinaryRow is shorter than its header`);
  const arity = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, false);
  if (arity !== types.length) {
    throw ioError('LAKE.CORRUPT_BINARY_ROW', `${what}: BinaryRow has ${arity} fields, expected ${types.length}`);
  }
  return decodeBinaryRow(bytes, types, what, 4);
}

/** The arity prefix of a serialized BinaryRow. */
export function serializedArity(bytes: Uint8Array): number {
  return bytes.length < 4 ? 0 : new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, false);
}

/**
 * Writes one BinaryRow exactly as Paimon's `BinaryRowWriter` does (the bytes feed the bucket hash, so
 * they must match Java's bit for bit). Values follow the Floe value table; `setTimestamp` takes the
 * exact millis + nanos-of-milli split for precisions above 6 where a JS number loses nanoseconds.
 */
export class BinaryRowWriter {
  private buf: Uint8Array;
  private view: DataView;
  private cursor: number;
  private readonly fixedEnd: number;
  private readonly nullBytes: number;

  constructor(readonly arity: number, kind: RowKind = RowKind.INSERT) {
    this.nullBytes = nullBitsBytes(arity);
    this.fixedEnd = this.nullBytes + 8 * arity;
    this.buf = new Uint8Array(Math.max(64, this.fixedEnd * 2));
    this.view = new DataView(this.buf.buffer);
    this.cursor = this.fixedEnd;
    this.buf[0] = kind;
  }

  /** Starts a new row of the same arity (zeroes the fixed part, drops the variable part). */
  reset(kind: RowKind = RowKind.INSERT): void {
    this.buf.fill(0, 0, this.cursor);
    this.buf[0] = kind;
    this.cursor = this.fixedEnd;
  }

  private slot(pos: number): number {
    return this.nullBytes + pos * 8;
  }

  private ensure(extra: number): void {
    if (this.cursor + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.cursor + extra));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private setNullBit(pos: number): void {
    const bit = pos + 8;
    this.buf[bit >>> 3]! |= 1 << (bit & 7);
  }

  private setOffsetAndSize(pos: number, offset: number, size: number): void {
    const s = this.slot(pos);
    this.view.setInt32(s, size, true);
    this.view.setInt32(s + 4, offset, true);
  }

  /** NULL for any type (non-compact DECIMAL/TIMESTAMP still reserve their variable-part bytes). */
  setNull(pos: number, type: LogicalType): void {
    if (type.kind === 'DECIMAL' && !isCompactDecimal(type.precision)) {
      this.ensure(16);
      this.setNullBit(pos);
      this.setOffsetAndSize(pos, this.cursor, 0);
      this.cursor += 16;
      return;
    }
    if ((type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ') && !isCompactTimestamp(type.precision)) {
      this.ensure(8);
      this.setNullBit(pos);
      this.setOffsetAndSize(pos, this.cursor, 0);
      this.cursor += 8;
      return;
    }
    this.setNullBit(pos);
    this.view.setBigInt64(this.slot(pos), 0n, true);
  }

  /** Sets field `pos` from a JS value (`null` is SQL NULL). */
  set(pos: number, value: unknown, type: LogicalType): void {
    if (value === null || value === undefined) {
      this.setNull(pos, type);
      return;
    }
    checkSupported(type);
    const s = this.slot(pos);
    switch (type.kind) {
      case 'BOOLEAN':
        this.buf[s] = value === true || value === 1 ? 1 : 0;
        return;
      case 'TINYINT':
        this.view.setInt8(s, value as number);
        return;
      case 'SMALLINT':
        this.view.setInt16(s, value as number, true);
        return;
      case 'INT':
      case 'DATE':
      case 'TIME':
        this.view.setInt32(s, value as number, true);
        return;
      case 'BIGINT':
        this.view.setBigInt64(s, BigInt(value as number), true);
        return;
      case 'FLOAT':
        this.view.setFloat32(s, value as number, true);
        return;
      case 'DOUBLE':
        this.view.setFloat64(s, value as number, true);
        return;
      case 'DECIMAL':
        this.setDecimal(pos, value as bigint, type.precision);
        return;
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ': {
        const ms = value as number;
        const millis = Math.floor(ms);
        this.setTimestamp(pos, millis, Math.round((ms - millis) * 1e6), type.precision);
        return;
      }
      case 'CHAR':
      case 'VARCHAR':
        this.setBinary(pos, utf8Encoder.encode(value as string));
        return;
      case 'BINARY':
      case 'VARBINARY':
        this.setBinary(pos, value as Uint8Array);
        return;
      default:
    }
  }

  setDecimal(pos: number, unscaled: bigint, precision: number): void {
    if (isCompactDecimal(precision)) {
      this.view.setBigInt64(this.slot(pos), unscaled, true);
      return;
    }
    const bytes = bigintToTwosComplement(unscaled);
    if (bytes.length > 16) throw ioError('LAKE.DECIMAL_OVERFLOW', `decimal ${unscaled} does not fit DECIMAL(${precision})`);
    this.ensure(16);
    this.buf.fill(0, this.cursor, this.cursor + 16);
    this.buf.set(bytes, this.cursor);
    this.setOffsetAndSize(pos, this.cursor, bytes.length);
    this.cursor += 16;
  }

  setTimestamp(pos: number, millis: number, nanoOfMilli: number, precision: number): void {
    if (isCompactTimestamp(precision)) {
      this.view.setBigInt64(this.slot(pos), BigInt(millis), true);
      return;
    }
    this.ensure(8);
    this.view.setBigInt64(this.cursor, BigInt(millis), true);
    this.setOffsetAndSize(pos, this.cursor, nanoOfMilli);
    this.cursor += 8;
  }

  setBinary(pos: number, bytes: Uint8Array): void {
    const s = this.slot(pos);
    if (bytes.length <= 7) {
      this.buf.fill(0, s, s + 8);
      this.buf.set(bytes, s);
      this.buf[s + 7] = 0x80 | bytes.length;
      return;
    }
    const rounded = (bytes.length + 7) & ~7;
    this.ensure(rounded);
    this.buf.fill(0, this.cursor, this.cursor + rounded);
    this.buf.set(bytes, this.cursor);
    this.setOffsetAndSize(pos, this.cursor, bytes.length);
    this.cursor += rounded;
  }

  /** The row's bytes (a view: copy before the next `reset` if kept). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.cursor);
  }

  /** True when the row's bytes equal `other[offset..]` to its end (no allocation; for hot-path grouping). */
  sameBytes(other: Uint8Array, offset = 0): boolean {
    const n = this.cursor;
    if (other.length - offset !== n) return false;
    const buf = this.buf;
    for (let i = 0; i < n; i++) if (buf[i] !== other[offset + i]) return false;
    return true;
  }

  /** The bytes with the big-endian arity prefix, as stored in manifests. */
  serialize(): Uint8Array {
    const out = new Uint8Array(4 + this.cursor);
    new DataView(out.buffer).setInt32(0, this.arity, false);
    out.set(this.buf.subarray(0, this.cursor), 4);
    return out;
  }
}

/** Encodes a whole row of JS values into a fresh `BinaryRow` byte array. */
export function encodeBinaryRow(values: readonly unknown[], types: readonly LogicalType[]): Uint8Array {
  const w = new BinaryRowWriter(types.length);
  for (let i = 0; i < types.length; i++) w.set(i, values[i] ?? null, types[i]!);
  return w.bytes().slice();
}
