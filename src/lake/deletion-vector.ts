/**
 * Deletion vectors: per data file, the set of row positions (0-based) that a later commit deleted.
 * They are stored in index files (`index/index-<uuid>-N`): byte 0 is the format version (1); each vector
 * sits at the offset the index manifest gives, as int32 BE length, int32 BE magic 1581511376, a
 * RoaringBitmap in its portable serialization, and a 4-byte CRC.
 *
 * Portable RoaringBitmap (32-bit): a cookie (LE int32), 12346 = no run containers (then an int32
 * container count), or 12347 in the low 16 bits (count − 1 in the high 16, then a run-container bitset);
 * per container a 16-bit key and cardinality − 1; an offset table (always without runs, else when there
 * are at least 4 containers); then the containers: runs (count, then start/length−1 pairs), arrays
 * (sorted uint16) when cardinality ≤ 4096, else a 65536-bit bitmap.
 */
import { ioError, unsupported } from '../common/index.js';

const DV_MAGIC = 1581511376;
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
const SERIAL_COOKIE = 12347; // with run containers
const NO_OFFSET_THRESHOLD = 4;

/** A set of deleted row positions, sorted ascending. */
export class DeletionVector {
  constructor(readonly positions: Uint32Array) {}

  get cardinality(): number {
    return this.positions.length;
  }

  /** A byte per row (1 = deleted) for a file of `rowCount` rows: cheap to test in a scan loop. */
  toMask(rowCount: number): Uint8Array {
    const mask = new Uint8Array(rowCount);
    const p = this.positions;
    for (let i = 0; i < p.length; i++) if (p[i]! < rowCount) mask[p[i]!] = 1;
    return mask;
  }
}

function corrupt(what: string, why: string): Error {
  return ioError('LAKE.CORRUPT_DELETION_VECTOR', `${what}: ${why}`);
}

/** Decodes a portable RoaringBitmap starting at `bytes[offset]`. */
export function readRoaringBitmap(bytes: Uint8Array, offset: number, what: string): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = offset;
  const need = (n: number): void => {
    if (pos + n > bytes.length) throw corrupt(what, 'bitmap is truncated');
  };
  need(4);
  const cookie = view.getInt32(pos, true);
  pos += 4;
  let size: number;
  let runs: Uint8Array | null = null;
  if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    const n = (size + 7) >>> 3;
    need(n);
    runs = bytes.subarray(pos, pos + n);
    pos += n;
  } else if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    need(4);
    size = view.getInt32(pos, true);
    pos += 4;
  } else throw corrupt(what, `unknown RoaringBitmap cookie ${cookie}`);
  need(size * 4);
  const keys = new Uint32Array(size);
  const cards = new Uint32Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    keys[i] = view.getUint16(pos, true);
    cards[i] = view.getUint16(pos + 2, true) + 1;
    total += cards[i]!;
    pos += 4;
  }
  if (runs === null || size >= NO_OFFSET_THRESHOLD) pos += size * 4; // offset table, not needed reading in order
  const out = new Uint32Array(total);
  let o = 0;
  for (let i = 0; i < size; i++) {
    const high = keys[i]! * 65536;
    const isRun = runs !== null && (runs[i >>> 3]! & (1 << (i & 7))) !== 0;
    if (isRun) {
      need(2);
      const nRuns = view.getUint16(pos, true);
      pos += 2;
      need(nRuns * 4);
      for (let r = 0; r < nRuns; r++) {
        const start = view.getUint16(pos, true);
        const len = view.getUint16(pos + 2, true);
        pos += 4;
        for (let v = start; v <= start + len; v++) out[o++] = high + v;
      }
    } else if (cards[i]! <= 4096) {
      need(cards[i]! * 2);
      for (let k = 0; k < cards[i]!; k++) {
        out[o++] = high + view.getUint16(pos, true);
        pos += 2;
      }
    } else {
      need(8192);
      for (let w = 0; w < 2048; w++) {
        let word = view.getUint32(pos + w * 4, true);
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          out[o++] = high + w * 32 + bit;
          word &= word - 1;
        }
      }
      pos += 8192;
    }
  }
  if (o !== total) throw corrupt(what, `bitmap holds ${o} values, its header says ${total}`);
  return out;
}

/** Reads the deletion vector at `offset` of an index file (`what` names file and data file in errors). */
export function readDeletionVector(indexFile: Uint8Array, offset: number, length: number, what: string): DeletionVector {
  if (indexFile.length === 0) throw corrupt(what, 'index file is empty');
  const version = indexFile[0]!;
  if (version !== 1) {
    throw unsupported('LAKE.UNSUPPORTED_DELETION_VECTOR', `${what}: deletion vector file version ${version} is not supported (only 1)`);
  }
  if (offset + 8 > indexFile.length) throw corrupt(what, `vector at offset ${offset} is outside the file`);
  const view = new DataView(indexFile.buffer, indexFile.byteOffset, indexFile.byteLength);
  const size = view.getInt32(offset, false);
  if (size !== length) throw corrupt(what, `vector length ${size} differs from the manifest's ${length}`);
  const magic = view.getInt32(offset + 4, false);
  if (magic !== DV_MAGIC) throw corrupt(what, `bad deletion vector magic ${magic}`);
  return new DeletionVector(readRoaringBitmap(indexFile, offset + 8, what));
}

/**
 * Serializes sorted, distinct positions as a portable RoaringBitmap without run containers (cookie
 * 12346, offset table included): array containers up to 4096 values, bitmap containers above. Java's
 * RoaringBitmap reads this form; the write side uses it for deletion vectors.
 */
export function writeRoaringBitmap(positions: Uint32Array): Uint8Array {
  const keys: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < positions.length; i++) {
    const key = positions[i]! >>> 16;
    if (keys.length === 0 || keys[keys.length - 1] !== key) {
      keys.push(key);
      starts.push(i);
    }
  }
  starts.push(positions.length);
  const n = keys.length;
  let size = 8 + n * 8;
  const cards = keys.map((_, i) => starts[i + 1]! - starts[i]!);
  for (const c of cards) size += c <= 4096 ? c * 2 : 8192;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, SERIAL_COOKIE_NO_RUNCONTAINER, true);
  view.setInt32(4, n, true);
  let pos = 8;
  for (let i = 0; i < n; i++) {
    view.setUint16(pos, keys[i]!, true);
    view.setUint16(pos + 2, cards[i]! - 1, true);
    pos += 4;
  }
  let data = pos + n * 4;
  for (let i = 0; i < n; i++) {
    view.setInt32(pos, data, true);
    pos += 4;
    if (cards[i]! <= 4096) {
      for (let k = starts[i]!; k < starts[i + 1]!; k++) {
        view.setUint16(data, positions[k]! & 0xffff, true);
        data += 2;
      }
    } else {
      for (let k = starts[i]!; k < starts[i + 1]!; k++) {
        const low = positions[k]! & 0xffff;
        out[data + (low >>> 3)]! |= 1 << (low & 7);
      }
      data += 8192;
    }
  }
  return out;
}
