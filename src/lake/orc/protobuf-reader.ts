/**
 * A minimal reader of the Protocol Buffers wire format, enough for the ORC metadata messages
 * (PostScript, Footer, StripeFooter, ...; see `orc-metadata.ts`). It walks a message field by field:
 *
 *   const r = new ProtobufReader(bytes, file);
 *   while (r.next()) switch (r.field) { case 1: x = r.uint(); break; default: r.skip(); }
 *
 * Wire types handled: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (groups, 3/4, are obsolete and
 * never written by ORC; they fail as corrupt). Varints decode to JS numbers, exact below 2^53: every
 * length, offset, count and id in ORC metadata is far below that.
 */
import { ioError, type FloeError } from '../../common/index.js';

export const WireType = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

const utf8 = new TextDecoder();

export class ProtobufReader {
  private pos: number;
  private readonly end: number;
  /** Field number of the field `next()` positioned on. */
  field = 0;
  /** Wire type of that field. */
  wireType = 0;

  /** Reads `bytes[start, end)` (defaults: the whole array); `file` names the file in errors. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Moves to the next field's key; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const key = this.uint();
    this.field = Math.floor(key / 8);
    this.wireType = key % 8;
    if (this.field === 0) throw this.corrupt('field number 0');
    return true;
  }

  /** An unsigned varint (uint32, uint64, enum, bool). */
  uint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.corrupt('truncated varint');
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw this.corrupt('varint longer than 10 bytes');
  }

  /** A zig-zag `sint32`/`sint64` varint. */
  sint(): number {
    const u = this.uint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bool(): boolean {
    return this.uint() !== 0;
  }

  /** The payload of a length-delimited field, as a view (not a copy). */
  bytesField(): Uint8Array {
    const len = this.uint();
    if (this.pos + len > this.end) throw this.corrupt(`field ${this.field} runs past the end of the message`);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytesField());
  }

  /** A nested message: a reader over the length-delimited payload. */
  message(): ProtobufReader {
    const len = this.uint();
    if (this.pos + len > this.end) throw this.corrupt(`message field ${this.field} runs past the end`);
    const sub = new ProtobufReader(this.bytes, this.file, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  /**
   * Appends the values of a repeated unsigned varint field to `out`. Accepts both encodings a parser
   * must accept: packed (one length-delimited run) and unpacked (one key per value).
   */
  repeatedUint(out: number[]): void {
    if (this.wireType === WireType.VARINT) {
      out.push(this.uint());
      return;
    }
    if (this.wireType !== WireType.LENGTH_DELIMITED) throw this.corrupt(`field ${this.field} has wire type ${this.wireType}, expected varint`);
    const len = this.uint();
    const stop = this.pos + len;
    if (stop > this.end) throw this.corrupt(`packed field ${this.field} runs past the end`);
    while (this.pos < stop) out.push(this.uint());
    if (this.pos !== stop) throw this.corrupt(`packed field ${this.field} has a varint crossing its end`);
  }

  /** Skips the current field's value (unknown fields are legal and must be ignored). */
  skip(): void {
    switch (this.wireType) {
      case WireType.VARINT:
        this.uint();
        return;
      case WireType.FIXED64:
        this.advance(8);
        return;
      case WireType.LENGTH_DELIMITED:
        this.advance(this.uint());
        return;
      case WireType.FIXED32:
        this.advance(4);
        return;
      default:
        throw this.corrupt(`unsupported wire type ${this.wireType} (field ${this.field})`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw this.corrupt(`field ${this.field} runs past the end of the message`);
    this.pos += n;
  }

  private corrupt(what: string): FloeError {
    return ioError('LAKE.CORRUPT_FILE', `ORC file '${this.file}' has malformed metadata: ${what}`);
  }
}
