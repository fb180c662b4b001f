/**
 * Test-only ORC encoders: protobuf fields, integer RLE v1 literals and v2 DIRECT runs, byte/boolean RLE
 * literals, and `buildOrcFile`, which assembles a one-or-more-stripe ORC file from hand-made streams.
 * They write only the simplest legal forms, so the reader's tests exercise its decoders against bytes
 * whose layout the test states (the spec's own examples are in `int-rle.test.ts`).
 */
import { deflateRawSync } from 'node:zlib';
import { OrcCompressionKind, OrcEncodingKind } from './orc-metadata.js';

/** A protobuf message under construction. */
export class ProtoWriter {
  private readonly bytes: number[] = [];

  varint(v: number): this {
    let n = v;
    while (n >= 128) {
      this.bytes.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.bytes.push(n);
    return this;
  }

  key(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  uint(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }

  raw(field: number, b: Uint8Array): this {
    this.key(field, 2).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.raw(field, m.finish());
  }

  packed(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

function varintBytes(v: number, out: number[]): void {
  let n = v;
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** Integer RLE v1, as literal groups of at most 128 varints. */
export function intRleV1Literals(values: readonly number[], signed: boolean): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 128) {
    const group = values.slice(i, i + 128);
    out.push(256 - group.length);
    for (const v of group) varintBytes(signed ? zigzag(v) : v, out);
  }
  return Uint8Array.from(out);
}

const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28, 30, 32, 40, 48, 56, 64];

/** Integer RLE v2 as DIRECT runs of at most 512 values, at the smallest width that fits (or `minWidth`). */
export function intRleV2Direct(values: readonly number[], signed: boolean, minWidth = 1): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 512) {
    const run = values.slice(i, i + 512).map((v) => (signed ? zigzag(v) : v));
    let bits = minWidth;
    for (const u of run) while (u >= 2 ** bits) bits++;
    const code = WIDTHS.findIndex((w) => w >= bits);
    const width = WIDTHS[code]!;
    out.push(0x40 | (code << 1) | ((run.length - 1) >> 8), (run.length - 1) & 0xff);
    let acc = 0;
    let accBits = 0;
    for (const u of run) {
      for (let b = width - 1; b >= 0; b--) {
        acc = (acc << 1) | (Math.floor(u / 2 ** b) % 2);
        if (++accBits === 8) {
          out.push(acc);
          acc = 0;
          accBits = 0;
        }
      }
    }
    if (accBits > 0) out.push(acc << (8 - accBits));
  }
  return Uint8Array.from(out);
}

/** Byte RLE as literal groups of at most 128 bytes. */
export function byteRleLiterals(values: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 128) {
    const group = values.slice(i, i + 128);
    out.push(256 - group.length, ...group.map((v) => v & 0xff));
  }
  return Uint8Array.from(out);
}

/** Booleans packed MSB first, then byte RLE. */
export function booleanRle(values: readonly boolean[]): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < values.length; i += 8) {
    let b = 0;
    for (let j = 0; j < 8; j++) if (values[i + j] === true) b |= 0x80 >> j;
    bytes.push(b);
  }
  return byteRleLiterals(bytes);
}

/** ORC type for `buildOrcFile` (column ids are positions in the list). */
export interface TestType {
  readonly kind: number;
  readonly subtypes?: readonly number[];
  readonly fieldNames?: readonly string[];
  readonly precision?: number;
  readonly scale?: number;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface TestStream {
  readonly column: number;
  readonly kind: number;
  readonly bytes: Uint8Array;
}

export interface TestStripe {
  readonly rows: number;
  readonly streams: readonly TestStream[];
  /** Encoding kind per column id (default DIRECT_V2). */
  readonly encodings?: readonly { kind: number; dictionarySize?: number }[];
  /** Default 'UTC'. */
  readonly writerTimezone?: string;
}

/** Compresses like an ORC writer: chunks of at most `block` bytes, each with its 3-byte header. */
function compress(data: Uint8Array, codec: number, block: number): Uint8Array {
  if (codec === OrcCompressionKind.NONE) return data;
  const parts: number[] = [];
  for (let i = 0; i < data.length || i === 0; i += block) {
    const chunk = data.subarray(i, i + block);
    const packed = deflateRawSync(chunk);
    const original = packed.length >= chunk.length;
    const body = original ? chunk : packed;
    const header = (body.length << 1) | (original ? 1 : 0);
    parts.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, ...body);
    if (data.length === 0) break;
  }
  return Uint8Array.from(parts);
}

/** Assembles an ORC file (NONE or ZLIB) from types and per-stripe streams. */
export function buildOrcFile(types: readonly TestType[], stripes: readonly TestStripe[], codec: number = OrcCompressionKind.NONE, block = 64): Uint8Array {
  const out: number[] = [0x4f, 0x52, 0x43];
  const footer = new ProtoWriter().uint(1, 3);
  let total = 0;
  for (const s of stripes) {
    const offset = out.length;
    for (const st of s.streams) out.push(...compress(st.bytes, codec, block));
    const dataLength = out.length - offset;
    const sf = new ProtoWriter();
    for (const st of s.streams) sf.message(1, new ProtoWriter().uint(1, st.kind).uint(2, st.column).uint(3, compress(st.bytes, codec, block).length));
    for (let c = 0; c < types.length; c++) {
      const e = s.encodings?.[c] ?? { kind: OrcEncodingKind.DIRECT_V2 };
      const m = new ProtoWriter().uint(1, e.kind);
      if (e.dictionarySize !== undefined) m.uint(2, e.dictionarySize);
      sf.message(2, m);
    }
    sf.string(3, s.writerTimezone ?? 'UTC');
    const sfBytes = compress(sf.finish(), codec, block);
    out.push(...sfBytes);
    footer.message(3, new ProtoWriter().uint(1, offset).uint(2, 0).uint(3, dataLength).uint(4, sfBytes.length).uint(5, s.rows));
    total += s.rows;
  }
  footer.uint(2, out.length - 3);
  for (const t of types) {
    const m = new ProtoWriter().uint(1, t.kind);
    if (t.subtypes !== undefined) m.packed(2, t.subtypes);
    for (const n of t.fieldNames ?? []) m.string(3, n);
    if (t.precision !== undefined) m.uint(5, t.precision);
    if (t.scale !== undefined) m.uint(6, t.scale);
    for (const [k, v] of Object.entries(t.attributes ?? {})) m.message(7, new ProtoWriter().string(1, k).string(2, v));
    footer.message(4, m);
  }
  footer.uint(6, total);
  const footerBytes = compress(footer.finish(), codec, block);
  out.push(...footerBytes);
  const ps = new ProtoWriter().uint(1, footerBytes.length).uint(2, codec).uint(3, block).packed(4, [0, 12]).uint(5, 0).uint(6, 9).string(8000, 'ORC').finish();
  out.push(...ps, ps.length);
  return Uint8Array.from(out);
}
