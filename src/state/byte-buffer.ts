/**
 * A growable little-endian byte writer and a bounds-checked reader: the primitives of the state value
 * codec and the snapshot file format.
 *
 * Strings are written exactly, whatever they hold: a header `varuint(n * 2 + flag)` then the payload,
 * where flag 0 means `n` bytes of UTF-8 and flag 1 means `n` UTF-16LE code units. UTF-8 is used when the
 * string is well formed; a string with a lone surrogate (legal in JS, not encodable in UTF-8) falls back
 * to code units, so decoding always gives back the identical string.
 *
 * Varuints are LEB128 over non-negative integers below 2^54 (JS numbers hold them exactly); the writer
 * uses division, not 32-bit shifts, so epoch milliseconds and BIGINT-range numbers encode correctly.
 */
import { FloeError } from '../common/index.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Below this length the reader decodes ASCII by hand (TextDecoder's call overhead dominates). */
const SHORT_STRING = 32;

/** ASCII strings up to this length are written by a JS loop (cheaper than the native writer's call). */
const SHORT_WRITE = 24;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** The same bytes as a Node Buffer, for its native UTF-8 writer. */
  private node: Buffer;
  pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
    this.node = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.node = Buffer.from(next.buffer, next.byteOffset, next.byteLength);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Overwrites a u32 written earlier (section lengths are patched after their content). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A non-negative integer below 2^54, LEB128. */
  varuint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * A string: `varuint(byteLength * 2)` and its UTF-8 bytes, or, for a string with lone surrogates (not
   * representable in UTF-8), `varuint(length * 2 + 1)` and its UTF-16LE code units.
   */
  string(s: string): void {
    const n = s.length;
    if (n <= SHORT_WRITE) {
      // Short strings: a JS loop beats the native calls' fixed cost. ASCII only; others take the long path.
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.varuint(n * 2);
        this.ensure(n);
        const buf = this.buf;
        let p = this.pos;
        for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
        this.pos = p;
        return;
      }
    }
    if ((s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      const bytes = Buffer.byteLength(s, 'utf8');
      this.varuint(bytes * 2);
      this.ensure(bytes);
      this.pos += this.node.write(s, this.pos, bytes, 'utf8');
      return;
    }
    this.varuint(n * 2 + 1);
    this.ensure(n * 2);
    for (let i = 0; i < n; i++) {
      this.view.setUint16(this.pos, s.charCodeAt(i), true);
      this.pos += 2;
    }
  }

  /** The bytes written so far (a view of the internal buffer; copy it before writing more). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far, exactly sized. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  /**
   * @param source names the data in errors (a file name, `state 'x'`).
   * @param corruptCode the FloeError code of a decoding failure.
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
    readonly corruptCode: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  /** A decoding failure: the data is not what its writer wrote. */
  corrupt(what: string): FloeError {
    return new FloeError('io', this.corruptCode, `${this.source} is corrupt: ${what} at byte ${this.pos}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw this.corrupt(`unexpected end of data (needed ${n} more bytes)`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varuint(): number {
    let v = 0;
    let mult = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * mult;
      if (b < 0x80) return v;
      mult *= 0x80;
    }
    throw this.corrupt('varint longer than 8 bytes');
  }

  /** `n` bytes as a fresh copy (never a view: the caller may keep it). */
  bytesCopy(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips one `string()` without decoding it. */
  skipString(): void {
    const header = this.varuint();
    const n = Math.floor(header / 2) * (header % 2 === 1 ? 2 : 1);
    this.need(n);
    this.pos += n;
  }

  string(): string {
    const header = this.varuint();
    const n = Math.floor(header / 2);
    if (header % 2 === 1) {
      this.need(n * 2);
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(this.view.getUint16(this.pos + i * 2, true));
      this.pos += n * 2;
      return s;
    }
    this.need(n);
    const bytes = this.bytes;
    const start = this.pos;
    if (n <= SHORT_STRING) {
      let s = '';
      let i = 0;
      for (; i < n; i++) {
        const b = bytes[start + i]!;
        if (b >= 0x80) break;
        s += String.fromCharCode(b);
      }
      if (i === n) {
        this.pos += n;
        return s;
      }
    }
    let s: string;
    try {
      s = decoder.decode(bytes.subarray(start, start + n));
    } catch {
      throw this.corrupt('invalid UTF-8 in a string');
    }
    this.pos += n;
    return s;
  }
}
