/**
 * Decodes the columns of one ORC stripe into JS values (ORC spec v1, "Column Encodings").
 *
 * Values are ORC's natural JS form, which the caller converts to Floe's representation:
 * BOOLEAN → boolean; BYTE/SHORT/INT/LONG/DATE → number; FLOAT/DOUBLE → number; STRING/VARCHAR/CHAR →
 * string; BINARY → Uint8Array (a copy); DECIMAL → bigint unscaled at the type's scale; TIMESTAMP and
 * TIMESTAMP_INSTANT → bigint nanoseconds since 1970-01-01 (the instant, or for TIMESTAMP the writer zone wall
 * clock read as UTC; see `readTimestamp`);
 * LIST → array; MAP → Map; STRUCT → array by position, or an object by field name (`StructForm`).
 *
 * Nulls: a column with a PRESENT stream has one bit per value it holds; only present values occur in the
 * other streams. A child column (struct field, list element, map key/value) holds values only for the
 * rows where its parent is present (and, for lists and maps, as many as the lengths add up to).
 */
import { ioError, unsupported } from '../../common/index.js';
import { decodeBooleanRle, decodeByteRle } from './byte-rle.js';
import { decodeIntRleV1, decodeIntRleV2 } from './int-rle.js';
import { OrcEncodingKind, OrcStreamKind, OrcTypeKind, type OrcColumnEncoding, type OrcType } from './orc-metadata.js';
import { isUtcZone, zoneOffsetSeconds } from './zone-offset.js';

/** How STRUCT values are built: positional arrays (data rows) or objects keyed by field name (manifest records). */
export type StructForm = 'array' | 'object';

/** One stripe's decompressed streams and encodings. */
export interface StripeData {
  readonly file: string;
  readonly types: readonly OrcType[];
  /** Decompressed stream bytes by `streamKey(column, kind)`. */
  readonly streams: ReadonlyMap<number, Uint8Array>;
  readonly encodings: readonly OrcColumnEncoding[];
  /** `StripeFooter.writerTimezone`: the zone TIMESTAMP (not TIMESTAMP_INSTANT) values are relative to. */
  readonly writerTimezone: string | undefined;
  readonly structForm: StructForm;
}

export function streamKey(column: number, kind: number): number {
  return column * 16 + kind;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/** Seconds from 1970-01-01 to ORC's timestamp base 2015-01-01 00:00:00 UTC. */
const ORC_EPOCH_SECONDS = 1420070400;
const NANOS_PER_SECOND = 1000000000n;

/** Decodes `count` values of column `column` (rows where the parent is present). */
export function readColumn(data: StripeData, column: number, count: number): unknown[] {
  const type = data.types[column];
  if (type === undefined) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' refers to column ${column}, which its footer lacks`);
  const presentBytes = data.streams.get(streamKey(column, OrcStreamKind.PRESENT));
  const present = presentBytes === undefined ? null : decodeBooleanRle(presentBytes, count, data.file);
  let nonNull = count;
  if (present !== null) {
    nonNull = 0;
    for (let i = 0; i < count; i++) nonNull += present[i]!;
  }
  const values = readValues(data, column, type, nonNull);
  if (present === null) return values;
  const out = new Array<unknown>(count);
  let v = 0;
  for (let i = 0; i < count; i++) out[i] = present[i] === 1 ? values[v++] : null;
  return out;
}

function stream(data: StripeData, column: number, kind: number, required: boolean): Uint8Array {
  const s = data.streams.get(streamKey(column, kind));
  if (s !== undefined) return s;
  if (!required) return EMPTY;
  throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' lacks stream kind ${kind} of column ${column}`);
}

function encodingKind(data: StripeData, column: number): number {
  return data.encodings[column]?.kind ?? OrcEncodingKind.DIRECT;
}

/** Integers of a stream, with the RLE version the column's encoding names. */
function ints(data: StripeData, column: number, kind: number, count: number, signed: boolean): Float64Array {
  if (count === 0) return new Float64Array(0);
  const buf = stream(data, column, kind, true);
  const enc = encodingKind(data, column);
  return enc === OrcEncodingKind.DIRECT_V2 || enc === OrcEncodingKind.DICTIONARY_V2
    ? decodeIntRleV2(buf, count, signed, data.file)
    : decodeIntRleV1(buf, count, signed, data.file);
}

/** Decodes `n` non-null values of a column. */
function readValues(data: StripeData, column: number, type: OrcType, n: number): unknown[] {
  const out = new Array<unknown>(n);
  switch (type.kind) {
    case OrcTypeKind.BOOLEAN: {
      const bits = n === 0 ? EMPTY : decodeBooleanRle(stream(data, column, OrcStreamKind.DATA, true), n, data.file);
      for (let i = 0; i < n; i++) out[i] = bits[i] === 1;
      return out;
    }
    case OrcTypeKind.BYTE: {
      const bytes = n === 0 ? EMPTY : decodeByteRle(stream(data, column, OrcStreamKind.DATA, true), n, data.file);
      for (let i = 0; i < n; i++) out[i] = (bytes[i]! << 24) >> 24;
      return out;
    }
    case OrcTypeKind.SHORT:
    case OrcTypeKind.INT:
    case OrcTypeKind.LONG:
    case OrcTypeKind.DATE: {
      const v = ints(data, column, OrcStreamKind.DATA, n, true);
      for (let i = 0; i < n; i++) out[i] = v[i];
      return out;
    }
    case OrcTypeKind.FLOAT:
    case OrcTypeKind.DOUBLE: {
      const size = type.kind === OrcTypeKind.FLOAT ? 4 : 8;
      const buf = stream(data, column, OrcStreamKind.DATA, n > 0);
      if (buf.length < n * size) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' has a truncated floating-point column ${column}`);
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      if (size === 4) for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      else for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case OrcTypeKind.STRING:
    case OrcTypeKind.VARCHAR:
    case OrcTypeKind.CHAR:
      return readBytesLike(data, column, n, true, out);
    case OrcTypeKind.BINARY:
      return readBytesLike(data, column, n, false, out);
    case OrcTypeKind.DECIMAL:
      return readDecimal(data, column, type, n, out);
    case OrcTypeKind.TIMESTAMP:
      return readTimestamp(data, column, n, isUtcZone(data.writerTimezone) ? undefined : data.writerTimezone, out);
    case OrcTypeKind.TIMESTAMP_INSTANT:
      return readTimestamp(data, column, n, undefined, out);
    case OrcTypeKind.STRUCT: {
      const children = type.subtypes.map((c) => readColumn(data, c, n));
      if (data.structForm === 'object') {
        for (let i = 0; i < n; i++) {
          const rec: Record<string, unknown> = {};
          for (let f = 0; f < children.length; f++) rec[type.fieldNames[f] ?? `_col${f}`] = children[f]![i];
          out[i] = rec;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const row = new Array<unknown>(children.length);
          for (let f = 0; f < children.length; f++) row[f] = children[f]![i];
          out[i] = row;
        }
      }
      return out;
    }
    case OrcTypeKind.LIST: {
      const lengths = ints(data, column, OrcStreamKind.LENGTH, n, false);
      let total = 0;
      for (let i = 0; i < n; i++) total += lengths[i]!;
      const elements = readColumn(data, childOf(data, type, column, 0), total);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const len = lengths[i]!;
        out[i] = elements.slice(at, at + len);
        at += len;
      }
      return out;
    }
    case OrcTypeKind.MAP: {
      const lengths = ints(data, column, OrcStreamKind.LENGTH, n, false);
      let total = 0;
      for (let i = 0; i < n; i++) total += lengths[i]!;
      const keys = readColumn(data, childOf(data, type, column, 0), total);
      const values = readColumn(data, childOf(data, type, column, 1), total);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const m = new Map<unknown, unknown>();
        for (let end = at + lengths[i]!; at < end; at++) m.set(keys[at], values[at]);
        out[i] = m;
      }
      return out;
    }
    default:
      throw unsupported('LAKE.UNSUPPORTED_FORMAT', `ORC file '${data.file}' has column ${column} of ORC type kind ${type.kind} (UNION or unknown), which Floe cannot read`);
  }
}

/**
 * A fresh plain Uint8Array: `slice()` is not used because decompressed streams may be Node Buffers, whose
 * `slice` returns a view, and a Buffer would also not deep-equal a Uint8Array.
 */
function copyBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

function childOf(data: StripeData, type: OrcType, column: number, i: number): number {
  const c = type.subtypes[i];
  if (c === undefined) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' has a LIST/MAP column ${column} without child ${i}`);
  return c;
}

/**
 * STRING/VARCHAR/CHAR/BINARY. DIRECT: LENGTH holds each value's byte length, DATA the bytes back to back.
 * DICTIONARY: DATA holds indexes into a dictionary of `dictionarySize` entries, whose lengths are in LENGTH
 * and bytes in DICTIONARY_DATA; each entry is decoded once.
 */
function readBytesLike(data: StripeData, column: number, n: number, text: boolean, out: unknown[]): unknown[] {
  if (n === 0) return out;
  const enc = encodingKind(data, column);
  const dictionary = enc === OrcEncodingKind.DICTIONARY || enc === OrcEncodingKind.DICTIONARY_V2;
  if (!dictionary) {
    const lengths = ints(data, column, OrcStreamKind.LENGTH, n, false);
    const bytes = stream(data, column, OrcStreamKind.DATA, false);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = lengths[i]!;
      if (at + len > bytes.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' has string/binary column ${column} longer than its DATA stream`);
      const b = bytes.subarray(at, at + len);
      out[i] = text ? utf8.decode(b) : copyBytes(b);
      at += len;
    }
    return out;
  }
  const size = data.encodings[column]!.dictionarySize;
  const lengths = ints(data, column, OrcStreamKind.LENGTH, size, false);
  const bytes = stream(data, column, OrcStreamKind.DICTIONARY_DATA, false);
  const entries = new Array<string | Uint8Array>(size);
  let at = 0;
  for (let d = 0; d < size; d++) {
    const len = lengths[d]!;
    if (at + len > bytes.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' has a dictionary of column ${column} longer than its data`);
    const b = bytes.subarray(at, at + len);
    entries[d] = text ? utf8.decode(b) : b;
    at += len;
  }
  const indexes = ints(data, column, OrcStreamKind.DATA, n, false);
  for (let i = 0; i < n; i++) {
    const e = entries[indexes[i]!];
    if (e === undefined) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' has a dictionary index ${indexes[i]} out of range in column ${column}`);
    // Binary values are copied so rows never alias one another (or the stream buffer).
    out[i] = typeof e === 'string' ? e : copyBytes(e);
  }
  return out;
}

/**
 * DECIMAL (ORC v1): DATA holds unbounded zig-zag base-128 varints (the unscaled values), SECONDARY each
 * value's scale as a signed integer run. Values are rescaled to the column type's scale.
 */
function readDecimal(data: StripeData, column: number, type: OrcType, n: number, out: unknown[]): unknown[] {
  if (n === 0) return out;
  const buf = stream(data, column, OrcStreamKind.DATA, true);
  const scales = ints(data, column, OrcStreamKind.SECONDARY, n, true);
  const target = type.scale ?? 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let u = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${data.file}' has a truncated decimal column ${column}`);
      const b = buf[pos++]!;
      u |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    let v = (u & 1n) === 0n ? u >> 1n : -((u + 1n) >> 1n);
    const diff = target - scales[i]!;
    if (diff > 0) v *= 10n ** BigInt(diff);
    else if (diff < 0) v /= 10n ** BigInt(-diff);
    out[i] = v;
  }
  return out;
}

/**
 * TIMESTAMP / TIMESTAMP_INSTANT: DATA holds signed seconds since 2015-01-01 00:00:00, SECONDARY the
 * nanoseconds, with trailing decimal zeros folded: if the low 3 bits `z` are non-zero the value is
 * `(v >> 3) * 10^(z + 1)`. Writers truncated negative seconds toward zero, so a negative second with a
 * nanosecond part of at least 1 ms is one second too high (the rule the Java and C++ readers apply).
 *
 * TIMESTAMP_INSTANT seconds count from 2015-01-01 UTC: the value is the instant. TIMESTAMP seconds count
 * from 2015-01-01 00:00 in the writer's zone (`zone`, undefined for UTC) and encode the instant at which
 * the writer's wall clock showed the value; Floe reads TIMESTAMP as that wall clock (Paimon's
 * LocalDateTime), so the zone's offset at that instant is added back.
 */
function readTimestamp(data: StripeData, column: number, n: number, zone: string | undefined, out: unknown[]): unknown[] {
  if (n === 0) return out;
  const secs = ints(data, column, OrcStreamKind.DATA, n, true);
  const nanos = ints(data, column, OrcStreamKind.SECONDARY, n, false);
  const base = zone === undefined ? ORC_EPOCH_SECONDS : ORC_EPOCH_SECONDS - zoneOffsetSeconds(zone, ORC_EPOCH_SECONDS, data.file);
  for (let i = 0; i < n; i++) {
    const raw = nanos[i]!;
    const z = raw % 8;
    let ns = Math.floor(raw / 8);
    if (z !== 0) ns *= 10 ** (z + 1);
    let s = secs[i]! + base;
    if (s < 0 && ns > 999999) s -= 1;
    if (zone !== undefined) s += zoneOffsetSeconds(zone, s, data.file);
    out[i] = BigInt(s) * NANOS_PER_SECOND + BigInt(ns);
  }
  return out;
}
