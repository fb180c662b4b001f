/**
 * ORC integer run-length encodings, versions 1 and 2 (ORC spec v1, "Integer Run Length Encoding").
 * A column's `ColumnEncoding` picks the version: DIRECT/DICTIONARY use v1, *_V2 use v2.
 *
 * Values decode into a Float64Array. ORC integers are 64-bit; Floe's BIGINT is a JS number exact within
 * ±2^53 (see src/types/logical-type.ts), so the arithmetic here is done in doubles (`x * 2^k + bits`
 * instead of 32-bit shifts): exact for every value up to 2^53 in magnitude, rounded beyond, as the Floe
 * representation of such a BIGINT would be anyway.
 *
 * Signed streams zig-zag encode values (`0, -1, 1, -2, ...` → `0, 1, 2, 3, ...`) except where noted
 * (the patched-base base value carries its own sign bit; delta-encoding deltas are magnitudes whose
 * sign is that of the delta base).
 */
import { ioError } from '../../common/index.js';
import { truncated } from './byte-rle.js';

/** Zig-zag decoding in double arithmetic (see the module comment). */
function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** A cursor over one stream's bytes. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
  ) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${this.file}' has a truncated integer stream`);
    return this.buf[this.pos++]!;
  }

  /** Unsigned base-128 varint. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }

  /** `n` bytes as a big-endian unsigned integer. */
  bigEndian(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.byte();
    return v;
  }
}

/** Decodes `count` integers of RLE v1. */
export function decodeIntRleV1(buf: Uint8Array, count: number, signed: boolean, file: string): Float64Array {
  const out = new Float64Array(count);
  const c = new Cursor(buf, file);
  let n = 0;
  while (n < count) {
    if (c.pos >= buf.length) throw truncated(file, 'integer RLE v1', count, n);
    const control = c.byte();
    if (control < 128) {
      // Run: control + 3 values, a signed byte delta, then the base varint.
      const run = control + 3;
      const delta = (c.byte() << 24) >> 24;
      const base = signed ? unzigzag(c.varint()) : c.varint();
      for (let i = 0; i < run && n < count; i++) out[n++] = base + i * delta;
    } else {
      const lits = 256 - control;
      for (let i = 0; i < lits; i++) {
        const v = signed ? unzigzag(c.varint()) : c.varint();
        if (n < count) out[n++] = v;
      }
    }
  }
  return out;
}

/** The 5-bit width codes of RLE v2 → bit widths. */
const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28, 30, 32, 40, 48, 56, 64];

export function decodeBitWidth(code: number): number {
  return WIDTHS[code]!;
}

/** The smallest width of the table `WIDTHS` holding `n` bits (patch-list entries are packed at it). */
export function closestFixedBits(n: number): number {
  if (n === 0) return 1;
  if (n <= 24) return n;
  if (n <= 26) return 26;
  if (n <= 28) return 28;
  if (n <= 30) return 30;
  if (n <= 32) return 32;
  if (n <= 40) return 40;
  if (n <= 48) return 48;
  if (n <= 56) return 56;
  return 64;
}

const POW2 = new Float64Array(65);
for (let i = 0; i <= 64; i++) POW2[i] = 2 ** i;

/**
 * Reads `len` values of `width` bits each, packed most significant bit first, into `out[at..]`; the
 * group ends on a byte boundary (the padding bits of its last byte are skipped).
 */
function unpack(c: Cursor, width: number, len: number, out: Float64Array, at: number): void {
  const buf = c.buf;
  let pos = c.pos;
  let bitsLeft = 0; // unread low bits of `current`
  let current = 0;
  for (let i = 0; i < len; i++) {
    let v = 0;
    let need = width;
    while (need > 0) {
      if (bitsLeft === 0) {
        if (pos >= buf.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${c.file}' has a truncated bit-packed run`);
        current = buf[pos++]!;
        bitsLeft = 8;
      }
      const take = need < bitsLeft ? need : bitsLeft;
      const bits = (current >>> (bitsLeft - take)) & ((1 << take) - 1);
      v = v * POW2[take]! + bits;
      bitsLeft -= take;
      need -= take;
    }
    out[at + i] = v;
  }
  c.pos = pos;
}

/** Decodes `count` integers of RLE v2 (all four sub-encodings). */
export function decodeIntRleV2(buf: Uint8Array, count: number, signed: boolean, file: string): Float64Array {
  const out = new Float64Array(count);
  const c = new Cursor(buf, file);
  let n = 0;
  // Scratch for one run (at most 512 values) so a run crossing `count` cannot write past `out`.
  const run = new Float64Array(512);
  while (n < count) {
    if (c.pos >= buf.length) throw truncated(file, 'integer RLE v2', count, n);
    const first = c.byte();
    let len: number;
    switch (first >>> 6) {
      case 0:
        len = shortRepeat(c, first, signed, run);
        break;
      case 1:
        len = direct(c, first, signed, run);
        break;
      case 2:
        len = patchedBase(c, first, run);
        break;
      default:
        len = delta(c, first, signed, run);
    }
    const take = Math.min(len, count - n);
    out.set(run.subarray(0, take), n);
    n += take;
  }
  return out;
}

/** SHORT_REPEAT: 1 header byte (2 bits encoding, 3 bits value bytes − 1, 3 bits count − 3), then the value big-endian. */
function shortRepeat(c: Cursor, first: number, signed: boolean, run: Float64Array): number {
  const bytes = ((first >>> 3) & 7) + 1;
  const len = (first & 7) + 3;
  const u = c.bigEndian(bytes);
  const v = signed ? unzigzag(u) : u;
  run.fill(v, 0, len);
  return len;
}

/** 9-bit run length (stored minus one): the low bit of the first header byte, then the second byte. */
function runLength(c: Cursor, first: number): number {
  return ((first & 1) << 8) + c.byte() + 1;
}

/** DIRECT: 2 header bytes (encoding, width code, length − 1), then `len` bit-packed values. */
function direct(c: Cursor, first: number, signed: boolean, run: Float64Array): number {
  const width = decodeBitWidth((first >>> 1) & 0x1f);
  const len = runLength(c, first);
  unpack(c, width, len, run, 0);
  if (signed) for (let i = 0; i < len; i++) run[i] = unzigzag(run[i]!);
  return len;
}

/**
 * PATCHED_BASE: 4 header bytes — encoding, width code W, length − 1; base bytes − 1 (3 bits) and patch
 * width code (5 bits); patch gap width − 1 (3 bits) and patch list length (5 bits). Then the base value
 * (big-endian, its top bit a sign bit), `len` values of W bits (value − base), and the patch list: entries
 * of `closestFixedBits(gapWidth + patchWidth)` bits, each a gap (distance from the previous patched index)
 * and the high bits to OR above bit W. A gap of 255 with a zero patch only advances the position (gaps
 * longer than 255 are split that way).
 */
function patchedBase(c: Cursor, first: number, run: Float64Array): number {
  const width = decodeBitWidth((first >>> 1) & 0x1f);
  const len = runLength(c, first);
  const third = c.byte();
  const baseBytes = ((third >>> 5) & 7) + 1;
  const patchWidth = decodeBitWidth(third & 0x1f);
  const fourth = c.byte();
  const gapWidth = ((fourth >>> 5) & 7) + 1;
  const patchCount = fourth & 0x1f;
  let base = c.bigEndian(baseBytes);
  const signBit = POW2[baseBytes * 8 - 1]!;
  if (base >= signBit) base = -(base - signBit);
  unpack(c, width, len, run, 0);
  const entryWidth = closestFixedBits(gapWidth + patchWidth);
  const patches = new Float64Array(patchCount);
  unpack(c, entryWidth, patchCount, patches, 0);
  const patchScale = POW2[patchWidth]!;
  const shift = POW2[width]!;
  let index = 0;
  for (let p = 0; p < patchCount; p++) {
    const entry = patches[p]!;
    const gap = Math.floor(entry / patchScale);
    const patch = entry - gap * patchScale;
    index += gap;
    if (patch === 0) continue; // a 255-gap filler entry (a real patch is never 0)
    if (index >= len) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${c.file}' has a patch past the end of its run`);
    run[index] = run[index]! + patch * shift;
  }
  for (let i = 0; i < len; i++) run[i] = base + run[i]!;
  return len;
}

/**
 * DELTA: 2 header bytes (encoding, width code — 0 means a fixed delta —, length − 1), the base value
 * (zig-zag varint when signed), the delta base (always a zig-zag varint), then `len − 2` bit-packed delta
 * magnitudes with the sign of the delta base. Without packed deltas every step is the delta base.
 */
function delta(c: Cursor, first: number, signed: boolean, run: Float64Array): number {
  const code = (first >>> 1) & 0x1f;
  const width = code === 0 ? 0 : decodeBitWidth(code);
  const len = runLength(c, first);
  const base = signed ? unzigzag(c.varint()) : c.varint();
  const deltaBase = unzigzag(c.varint());
  run[0] = base;
  if (len === 1) return len;
  run[1] = base + deltaBase;
  if (width === 0) {
    for (let i = 2; i < len; i++) run[i] = run[i - 1]! + deltaBase;
    return len;
  }
  unpack(c, width, len - 2, run, 2);
  const sign = deltaBase < 0 ? -1 : 1;
  for (let i = 2; i < len; i++) run[i] = run[i - 1]! + sign * run[i]!;
  return len;
}
