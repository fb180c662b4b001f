/**
 * The LSM sorted-run file ("SST"), version 2: immutable, written once to the primary object store and
 * then read block by block with ranged GETs.
 *
 * Layout (little-endian; `string` as in byte-buffer.ts, `varuint` LEB128):
 *
 *     data blocks   each: entries… | u32 CRC-32 of the entries
 *                   entry: string internalKey | u8 type | if PUT: f64 writeTime | u32 n | n bytes value
 *                   (value-codec.ts encoding); TOMBSTONE and MARKER carry nothing more
 *     index region  varuint blockCount | blockCount × (string firstKey | varuint offset | varuint length)
 *                   | string minKey | string maxKey | u16 minKeyGroup | u16 maxKeyGroup
 *                   | varuint entries | varuint livePrimaryKeys | u8 bloomProbes | varuint n | n bytes bloom
 *                   | (version 2) u8 entryBloomProbes | varuint m | m bytes entry bloom
 *     footer        32 bytes: "FLSM" | u16 version | u16 valueCodecVersion | f64 indexOffset
 *                   | u32 indexLength | u32 indexCrc | u32 reserved 0 | u32 CRC-32 of the 28 bytes before
 *
 * Two bloom filters: `bloom` over primary keys (a value key, a map's prefix) answers "does this file hold
 * anything of this key" for value reads and map scans; the entry bloom (version 2) over the full keys of
 * map entries and markers answers point reads of one map entry, which would otherwise read a block
 * whenever the file holds any other entry of the same map (a join adding a new row to a busy key).
 * Version 1 files (no entry bloom) stay readable.
 *
 * Entries are sorted by internal key (code-unit order) and every key appears once per file. Blocks are
 * cut after the entry that makes them reach the target size (4 KB by default: a point read fetches and
 * decodes one block, so small blocks read less; larger ones cost fewer requests per byte scanned). A block's
 * `length` includes its CRC. The whole-file CRC-32 is recorded in the snapshot manifest and checked when
 * a whole file is fetched (compaction, disk cache); ranged reads check the block, index and footer CRCs.
 * Any mismatch is `STATE.CORRUPT_SNAPSHOT` naming the file and the block.
 */
import { crc32 } from 'node:zlib';
import { FloeError } from '../../common/index.js';
import { ByteReader, ByteWriter } from '../byte-buffer.js';
import { STATE_VALUE_CODEC_VERSION, writeStateValue } from '../value-codec.js';
import { BloomFilter } from './bloom-filter.js';
import { keyGroupOfInternal, KIND_MAP, primaryKeyOf } from './lsm-keys.js';

export const SST_FORMAT_VERSION = 2;
/** The oldest SST format version this Floe reads. */
export const SST_MIN_FORMAT_VERSION = 1;
export const FOOTER_BYTES = 32;
const MAGIC = 0x4d534c46; // "FLSM" read as a little-endian u32

export const ENTRY_PUT = 0;
export const ENTRY_TOMBSTONE = 1;
/** Map-state range deletion of every older entry under the key's map prefix (lsm-keys.ts). */
export const ENTRY_MARKER = 2;

export function corruptFile(file: string, what: string, cause?: unknown): FloeError {
  return new FloeError('io', 'STATE.CORRUPT_SNAPSHOT', `LSM state file '${file}' is corrupt: ${what}`, {
    ...(cause === undefined ? {} : { cause }),
    help: 'restore from an earlier checkpoint or savepoint',
  });
}

export interface SstBuildResult {
  readonly bytes: Uint8Array;
  readonly crc32: number;
  readonly entries: number;
  readonly livePrimaryKeys: number;
  readonly minKeyGroup: number;
  readonly maxKeyGroup: number;
}

/** Builds one file from entries added in ascending key order. */
export class SstWriter {
  private readonly w = new ByteWriter(256 * 1024);
  private blockStart = 0;
  private readonly firstKeys: string[] = [];
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly primaryKeys: string[] = [];
  /** Full keys of map entries and markers, for the entry bloom. */
  private readonly entryKeys: string[] = [];
  private lastKey: string | null = null;
  private firstKey: string | null = null;
  private lastPrimary: string | null = null;
  private lastPrimaryLive = false;
  private entries = 0;
  private live = 0;

  constructor(private readonly blockSize: number) {}

  get empty(): boolean {
    return this.entries === 0;
  }

  /** Approximate bytes written so far. */
  get size(): number {
    return this.w.pos;
  }

  private begin(key: string, type: number): void {
    if (this.lastKey !== null && !(key > this.lastKey)) throw new FloeError('internal', 'STATE.LSM_ORDER', 'SST entries must be added in strictly ascending key order');
    if (this.w.pos === this.blockStart) this.firstKeys.push(key);
    if (this.firstKey === null) this.firstKey = key;
    this.lastKey = key;
    this.entries++;
    const isMap = key.charCodeAt(1) === KIND_MAP;
    if (isMap) this.entryKeys.push(key);
    const primary = isMap ? primaryKeyOf(key) : key;
    if (primary !== this.lastPrimary) {
      this.primaryKeys.push(primary);
      this.lastPrimary = primary;
      this.lastPrimaryLive = false;
    }
    if (type === ENTRY_PUT && !this.lastPrimaryLive) {
      this.lastPrimaryLive = true;
      this.live++;
    }
    this.w.string(key);
    this.w.u8(type);
  }

  /** A PUT whose value is a JS value (encoded now). */
  putValue(key: string, time: number, value: unknown): void {
    this.begin(key, ENTRY_PUT);
    this.w.f64(time);
    const at = this.w.pos;
    this.w.u32(0);
    writeStateValue(this.w, value);
    this.w.patchU32(at, this.w.pos - at - 4);
    this.maybeCut();
  }

  /** A PUT whose value is already encoded (`bytes[start, end)`, from another file). */
  putEncoded(key: string, time: number, bytes: Uint8Array, start: number, end: number): void {
    this.begin(key, ENTRY_PUT);
    this.w.f64(time);
    this.w.u32(end - start);
    this.w.bytes(bytes.subarray(start, end));
    this.maybeCut();
  }

  /** A TOMBSTONE or MARKER. */
  deletion(key: string, type: number): void {
    this.begin(key, type);
    this.maybeCut();
  }

  private maybeCut(): void {
    if (this.w.pos - this.blockStart >= this.blockSize) this.cutBlock();
  }

  private cutBlock(): void {
    if (this.w.pos === this.blockStart) return;
    const crc = crc32(this.w.written().subarray(this.blockStart, this.w.pos));
    this.w.u32(crc);
    this.offsets.push(this.blockStart);
    this.lengths.push(this.w.pos - this.blockStart);
    this.blockStart = this.w.pos;
  }

  finish(): SstBuildResult {
    this.cutBlock();
    const w = this.w;
    const indexOffset = w.pos;
    w.varuint(this.firstKeys.length);
    for (let i = 0; i < this.firstKeys.length; i++) {
      w.string(this.firstKeys[i]!);
      w.varuint(this.offsets[i]!);
      w.varuint(this.lengths[i]!);
    }
    const minKey = this.firstKey ?? '';
    const maxKey = this.lastKey ?? '';
    w.string(minKey);
    w.string(maxKey);
    w.u16(this.entries === 0 ? 0 : keyGroupOfInternal(minKey));
    w.u16(this.entries === 0 ? 0 : keyGroupOfInternal(maxKey));
    w.varuint(this.entries);
    w.varuint(this.live);
    const bloom = BloomFilter.build(this.primaryKeys);
    w.u8(bloom.probes);
    w.varuint(bloom.bits.length);
    w.bytes(bloom.bits);
    const entryBloom = BloomFilter.build(this.entryKeys);
    w.u8(entryBloom.probes);
    w.varuint(this.entryKeys.length === 0 ? 0 : entryBloom.bits.length);
    if (this.entryKeys.length > 0) w.bytes(entryBloom.bits);
    const indexLength = w.pos - indexOffset;
    const indexCrc = crc32(w.written().subarray(indexOffset, w.pos));
    const footerStart = w.pos;
    w.u32(MAGIC);
    w.u16(SST_FORMAT_VERSION);
    w.u16(STATE_VALUE_CODEC_VERSION);
    w.f64(indexOffset);
    w.u32(indexLength);
    w.u32(indexCrc);
    w.u32(0);
    w.u32(crc32(w.written().subarray(footerStart, w.pos)));
    const bytes = w.finish();
    return {
      bytes,
      crc32: crc32(bytes),
      entries: this.entries,
      livePrimaryKeys: this.live,
      minKeyGroup: this.entries === 0 ? 0 : keyGroupOfInternal(minKey),
      maxKeyGroup: this.entries === 0 ? 0 : keyGroupOfInternal(maxKey),
    };
  }
}

export interface SstFooter {
  readonly version: number;
  readonly indexOffset: number;
  readonly indexLength: number;
  readonly indexCrc: number;
}

export function parseFooter(file: string, bytes: Uint8Array): SstFooter {
  if (bytes.length !== FOOTER_BYTES) throw corruptFile(file, `footer of ${bytes.length} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (crc32(bytes.subarray(0, FOOTER_BYTES - 4)) !== v.getUint32(FOOTER_BYTES - 4, true)) throw corruptFile(file, 'footer checksum mismatch (truncated or overwritten?)');
  if (v.getUint32(0, true) !== MAGIC) throw corruptFile(file, 'it does not end with an FLSM footer');
  const version = v.getUint16(4, true);
  const codec = v.getUint16(6, true);
  if (version < SST_MIN_FORMAT_VERSION || version > SST_FORMAT_VERSION || codec !== STATE_VALUE_CODEC_VERSION) {
    throw new FloeError(
      'unsupported',
      'STATE.UNSUPPORTED_SNAPSHOT_VERSION',
      `LSM state file '${file}' has format version ${version} and value codec version ${codec}; this Floe reads ${SST_MIN_FORMAT_VERSION}–${SST_FORMAT_VERSION} and ${STATE_VALUE_CODEC_VERSION}`,
    );
  }
  return { version, indexOffset: v.getFloat64(8, true), indexLength: v.getUint32(16, true), indexCrc: v.getUint32(20, true) };
}

/** The decoded index region of a file: kept in memory while the file is open. */
export interface SstIndex {
  readonly firstKeys: readonly string[];
  readonly offsets: readonly number[];
  readonly lengths: readonly number[];
  readonly minKey: string;
  readonly maxKey: string;
  readonly minKeyGroup: number;
  readonly maxKeyGroup: number;
  readonly entries: number;
  readonly livePrimaryKeys: number;
  readonly bloom: BloomFilter;
  /** Full keys of map entries and markers (null: a version 1 file, or no map entries). */
  readonly entryBloom: BloomFilter | null;
}

export function parseIndex(file: string, bytes: Uint8Array, footer: SstFooter): SstIndex {
  if (crc32(bytes) !== footer.indexCrc) throw corruptFile(file, 'index checksum mismatch');
  const r = new ByteReader(bytes, `LSM state file '${file}' (index)`, 'STATE.CORRUPT_SNAPSHOT');
  const n = r.varuint();
  if (n > r.remaining) throw r.corrupt(`${n} blocks`);
  const firstKeys = new Array<string>(n);
  const offsets = new Array<number>(n);
  const lengths = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    firstKeys[i] = r.string();
    offsets[i] = r.varuint();
    lengths[i] = r.varuint();
    if (offsets[i]! + lengths[i]! > footer.indexOffset) throw r.corrupt(`block ${i} lies outside the data region`);
  }
  const minKey = r.string();
  const maxKey = r.string();
  const minKeyGroup = r.u16();
  const maxKeyGroup = r.u16();
  const entries = r.varuint();
  const livePrimaryKeys = r.varuint();
  const probes = r.u8();
  const bloomBytes = r.bytesCopy(r.varuint());
  let entryBloom: BloomFilter | null = null;
  if (footer.version >= 2) {
    const entryProbes = r.u8();
    const entryBytes = r.bytesCopy(r.varuint());
    if (entryBytes.length > 0) entryBloom = new BloomFilter(entryBytes, entryProbes);
  }
  if (r.remaining !== 0) throw r.corrupt(`${r.remaining} trailing bytes`);
  return { firstKeys, offsets, lengths, minKey, maxKey, minKeyGroup, maxKeyGroup, entries, livePrimaryKeys, bloom: new BloomFilter(bloomBytes, probes), entryBloom };
}

/**
 * One data block, decoded: keys and entry headers in parallel arrays; values stay encoded in `raw` and
 * are decoded on demand (a read usually wants one entry of the block).
 */
/**
 * A data block whose entry headers are parsed but whose keys are decoded only when read: a lookup
 * decodes the ~log2(entries) keys its binary search visits, not every key of the block (decoding them
 * all was a fifth of the CPU of cold reads, and their strings most of the cache's memory). Keys are not
 * kept once decoded, so `memoryBytes` stays what the cache charged.
 */
export class DecodedBlock {
  private readonly reader: ByteReader;

  constructor(
    readonly raw: Uint8Array,
    where: string,
    /** Where each entry's key starts in `raw`. */
    private readonly keyStart: Uint32Array,
    readonly types: Uint8Array,
    readonly times: Float64Array,
    /** Start and end of each value in `raw` (0/0 for deletions). */
    readonly valueStart: Uint32Array,
    readonly valueEnd: Uint32Array,
  ) {
    this.reader = new ByteReader(raw, where, 'STATE.CORRUPT_SNAPSHOT', 0, raw.length - 4);
  }

  /** Entries in the block. */
  get size(): number {
    return this.keyStart.length;
  }

  /** The key of entry `j` (decoded now). */
  keyAt(j: number): string {
    this.reader.pos = this.keyStart[j]!;
    return this.reader.string();
  }

  /** Every key, decoded (tests and diagnostics; reads use `keyAt`). */
  allKeys(): string[] {
    const out = new Array<string>(this.keyStart.length);
    for (let j = 0; j < out.length; j++) out[j] = this.keyAt(j);
    return out;
  }

  /** Bytes this block holds in memory (the LRU cache is sized by it): raw bytes and per-entry arrays. */
  get memoryBytes(): number {
    return this.raw.length + this.keyStart.length * 21 + 200;
  }

  /** Index of the first key >= `key` (size if none). */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keyStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyAt(mid) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Verifies a block's CRC and parses its entry headers (keys stay encoded). `raw` is exactly the block's bytes. */
export function decodeBlock(file: string, block: number, raw: Uint8Array): DecodedBlock {
  if (raw.length < 4) throw corruptFile(file, `block ${block} is ${raw.length} bytes`);
  const bodyEnd = raw.length - 4;
  const stored = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(bodyEnd, true);
  if (crc32(raw.subarray(0, bodyEnd)) !== stored) throw corruptFile(file, `block ${block} fails its checksum`);
  const where = `LSM state file '${file}' (block ${block})`;
  const r = new ByteReader(raw, where, 'STATE.CORRUPT_SNAPSHOT', 0, bodyEnd);
  const keyStart: number[] = [];
  const types: number[] = [];
  const times: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  while (r.remaining > 0) {
    keyStart.push(r.pos);
    r.skipString();
    const t = r.u8();
    types.push(t);
    if (t === ENTRY_PUT) {
      times.push(r.f64());
      const n = r.u32();
      if (n > r.remaining) throw r.corrupt(`value of ${n} bytes`);
      starts.push(r.pos);
      r.pos += n;
      ends.push(r.pos);
    } else if (t === ENTRY_TOMBSTONE || t === ENTRY_MARKER) {
      times.push(0);
      starts.push(0);
      ends.push(0);
    } else throw r.corrupt(`unknown entry type ${t}`);
  }
  return new DecodedBlock(raw, where, Uint32Array.from(keyStart), Uint8Array.from(types), Float64Array.from(times), Uint32Array.from(starts), Uint32Array.from(ends));
}

/** Index of the block that may hold `key`: the last block whose first key is <= key (-1 if none). */
export function blockFor(index: SstIndex, key: string): number {
  const fk = index.firstKeys;
  let lo = 0;
  let hi = fk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fk[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
