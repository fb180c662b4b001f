/**
 * ORC byte run-length encoding, and booleans on top of it (ORC spec v1, "Byte Run Length Encoding").
 *
 * A control byte 0..127 starts a run of `control + 3` copies of the next byte; -128..-1 (as a signed
 * byte) starts `-control` literal bytes. Booleans are bytes of this encoding read bit by bit, most
 * significant bit first; the unused low bits of the last byte are padding.
 */
import { ioError } from '../../common/index.js';

/** Decodes `count` bytes from `buf`. */
export function decodeByteRle(buf: Uint8Array, count: number, file: string): Uint8Array {
  const out = new Uint8Array(count);
  let pos = 0;
  let n = 0;
  while (n < count) {
    if (pos >= buf.length) throw truncated(file, 'byte RLE', count, n);
    const control = buf[pos++]!;
    if (control < 128) {
      if (pos >= buf.length) throw truncated(file, 'byte RLE', count, n);
      const v = buf[pos++]!;
      const run = Math.min(control + 3, count - n);
      out.fill(v, n, n + run);
      n += run;
    } else {
      const lits = Math.min(256 - control, count - n);
      if (pos + lits > buf.length) throw truncated(file, 'byte RLE', count, n);
      out.set(buf.subarray(pos, pos + lits), n);
      pos += 256 - control;
      n += lits;
    }
  }
  return out;
}

/** Decodes `count` booleans as 0/1 bytes. */
export function decodeBooleanRle(buf: Uint8Array, count: number, file: string): Uint8Array {
  const bytes = decodeByteRle(buf, (count + 7) >>> 3, file);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (bytes[i >>> 3]! >>> (7 - (i & 7))) & 1;
  return out;
}

export function truncated(file: string, what: string, count: number, got: number) {
  return ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a truncated ${what} stream: ${got} of ${count} values decoded`);
}
