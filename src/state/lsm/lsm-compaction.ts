/**
 * Size-tiered compaction: which runs to merge, and the merge itself.
 *
 * Policy (`pickCompaction`): walking the durable runs newest first, the first window of at least
 * `trigger` consecutive runs whose sizes are within a factor of 2 of each other is merged (each merge
 * makes a run about `trigger` times larger, so a key is rewritten O(log n) times). If no such window
 * exists but there are more than `3 × trigger` durable runs, the newest `trigger` are merged, so reads
 * never face an unbounded number of levels. Only consecutive runs are merged: the newest-first order of
 * the version is what resolves overwrites.
 *
 * Merge (`compactRuns`): a k-way merge over the inputs' entries in key order. For each key the newest
 * input's entry wins (inputs are given newest first). A map marker hides the entries under its prefix
 * that come from older inputs than the marker's. Entries outside an input's key-group range are not
 * this backend's (a shared file after a rescale) and are dropped. Expired PUTs become tombstones, since
 * dropping them could uncover an older version; a merge that includes the oldest run ("bottom") drops
 * tombstones, markers and expired entries altogether, as nothing older remains to be hidden.
 *
 * Memory: inputs are streamed in chunks of consecutive blocks (`INPUT_CHUNK_BYTES`), so a merge holds
 * one chunk per input, not the input files (a bottom merge's inputs are the whole state). The output is
 * still built in memory and uploaded whole (`ObjectStore.put` takes one buffer): a merge's memory is
 * about the size of its output file, outside the JS heap.
 */
import { internalError } from '../../common/index.js';
import type { KeyGroupRange } from '../state-api.js';
import { stateNameOfInternal } from './lsm-keys.js';
import { decodeBlock, ENTRY_MARKER, ENTRY_PUT, ENTRY_TOMBSTONE, FOOTER_BYTES, parseFooter, parseIndex, SstWriter } from './sst-format.js';
import type { DecodedBlock, SstBuildResult, SstIndex } from './sst-format.js';

export interface CompactionCandidate {
  readonly mem: unknown;
  readonly ref: { readonly size: number };
}

/** Runs `[start, end)` of the version to merge, or null. */
export function pickCompaction(runs: readonly CompactionCandidate[], trigger: number): { start: number; end: number } | null {
  let first = 0;
  while (first < runs.length && runs[first]!.mem !== null) first++;
  const durable = runs.length - first;
  if (durable < trigger) return null;
  for (let i = first; i < runs.length; i++) {
    let lo = runs[i]!.ref.size;
    let hi = lo;
    let j = i + 1;
    while (j < runs.length) {
      const s = runs[j]!.ref.size;
      const nlo = Math.min(lo, s);
      const nhi = Math.max(hi, s);
      if (nhi > 2 * Math.max(1, nlo)) break;
      lo = nlo;
      hi = nhi;
      j++;
    }
    if (j - i >= trigger) return { start: i, end: j };
  }
  if (durable > 3 * trigger) return { start: first, end: first + trigger };
  return null;
}

export interface CompactionInput {
  /** Object key (for error messages). */
  readonly key: string;
  /** Key groups this input may contribute. */
  readonly range: KeyGroupRange;
  /** The whole file (tests, small files); or, for streaming, `index` and `read`. */
  readonly bytes?: Uint8Array;
  readonly index?: SstIndex;
  /** Reads `length` bytes at `offset` of the file (a ranged read of consecutive blocks). */
  readonly read?: (offset: number, length: number) => Promise<Uint8Array>;
  /** Bytes per read with `read`; default `INPUT_CHUNK_BYTES` (tests use small chunks). */
  readonly chunkBytes?: number;
}

export interface CompactionSettings {
  readonly bottom: boolean;
  readonly now: number;
  readonly blockBytes: number;
  /** The backend's key groups. */
  readonly range: KeyGroupRange;
  readonly ttlOf: (stateName: string) => number;
}

/**
 * Bytes of consecutive blocks an input cursor reads at once. A compaction holds one such chunk per
 * input, not whole input files: a merge of the largest runs (the whole state) must not need the whole
 * state in memory.
 */
const INPUT_CHUNK_BYTES = 1 << 20;

/**
 * Sequential reader of one input file's entries; blocks are decoded as the cursor reaches them, from
 * chunks of consecutive blocks fetched with `read` (or sliced from `bytes`). `needsChunk` is set when
 * the cursor stands at a block outside the chunk in memory: `fill()` must be awaited before `key`.
 */
class InputCursor {
  private readonly index: SstIndex;
  private b = 0;
  pos = 0;
  block: DecodedBlock | null = null;
  needsChunk = false;
  /** `key`'s cache: the merge compares the current key many times, and blocks decode keys on demand. */
  private currentKey = '';
  private keyPos = -1;
  private keyBlock: DecodedBlock | null = null;
  /** The chunk in memory: blocks [chunkFirst, chunkEnd) starting at file offset `chunkOffset`. */
  private chunk: Uint8Array | null = null;
  private chunkFirst = 0;
  private chunkEnd = 0;
  private chunkOffset = 0;

  constructor(
    readonly rank: number,
    readonly input: CompactionInput,
  ) {
    const bytes = input.bytes;
    if (bytes !== undefined) {
      const footer = parseFooter(input.key, bytes.subarray(bytes.length - FOOTER_BYTES));
      this.index = input.index ?? parseIndex(input.key, bytes.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
      this.chunk = bytes;
      this.chunkFirst = 0;
      this.chunkEnd = this.index.offsets.length;
      this.chunkOffset = 0;
    } else if (input.index !== undefined && input.read !== undefined) this.index = input.index;
    else throw internalError(`compaction input '${input.key}' has neither bytes nor an index and a reader`);
    this.enter();
  }

  /** Loads the chunk holding the current block. */
  async fill(): Promise<void> {
    const ix = this.index;
    const first = this.b;
    let end = first + 1;
    const start = ix.offsets[first]!;
    let stop = start + ix.lengths[first]!;
    const limit = this.input.chunkBytes ?? INPUT_CHUNK_BYTES;
    while (end < ix.offsets.length && ix.offsets[end] === stop && stop - start + ix.lengths[end]! <= limit) {
      stop += ix.lengths[end]!;
      end++;
    }
    this.chunk = null; // the previous chunk is garbage before the next is read
    this.chunk = await this.input.read!(start, stop - start);
    this.chunkFirst = first;
    this.chunkEnd = end;
    this.chunkOffset = start;
    this.needsChunk = false;
    this.enter();
  }

  /** Decodes block `b` (skipping empty ones) if it is in memory; else asks for a chunk. */
  private enter(): void {
    const ix = this.index;
    for (;;) {
      if (this.b >= ix.offsets.length) {
        this.block = null;
        this.chunk = null;
        return;
      }
      if (this.b < this.chunkFirst || this.b >= this.chunkEnd || this.chunk === null) {
        this.block = null;
        this.needsChunk = true;
        return;
      }
      const at = ix.offsets[this.b]! - this.chunkOffset;
      this.block = decodeBlock(this.input.key, this.b, this.chunk.subarray(at, at + ix.lengths[this.b]!));
      if (this.block.size > 0) return;
      this.b++;
      this.pos = 0;
    }
  }

  /** The current entry's key (null when the input is exhausted or waits for a chunk), decoded once. */
  get key(): string | null {
    if (this.block === null) return null;
    if (this.keyPos !== this.pos || this.keyBlock !== this.block) {
      this.currentKey = this.block.keyAt(this.pos);
      this.keyPos = this.pos;
      this.keyBlock = this.block;
    }
    return this.currentKey;
  }

  advance(): void {
    this.pos++;
    if (this.pos < this.block!.size) return;
    this.b++;
    this.pos = 0;
    this.enter();
  }
}

/** Longest stretch of merging between yields to the event loop: reads and writes go on meanwhile. */
const SLICE_MS = 8;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Merges `inputs` (newest first) into one file; null when nothing survives. Runs in slices of a few
 * milliseconds, yielding to the event loop in between, so a large merge never stalls the operator.
 */
export async function compactRuns(inputs: readonly CompactionInput[], s: CompactionSettings): Promise<SstBuildResult | null> {
  const cursors = inputs.map((input, i) => new InputCursor(i, input));
  // The block after a cursor's last one may be in a chunk not read yet: read it before comparing keys.
  const fillAll = async (): Promise<void> => {
    for (const c of cursors) if (c.needsChunk) await c.fill();
  };
  await fillAll();
  let sliceStart = performance.now();
  let steps = 0;
  const w = new SstWriter(s.blockBytes);
  let markerPrefix: string | null = null;
  let markerRank = -1;
  let ttlName: string | null = null;
  let ttl = 0;
  for (;;) {
    if (++steps % 256 === 0 && performance.now() - sliceStart > SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    // The smallest current key.
    let key: string | null = null;
    for (const c of cursors) {
      const k = c.key;
      if (k !== null && (key === null || k < key)) key = k;
    }
    if (key === null) break;
    // Of the inputs holding it, the newest (lowest rank) whose range covers its key group wins: a
    // shared file's entries for other key groups are stale here and must not shadow anything.
    const g = key.charCodeAt(0);
    let win: InputCursor | null = null;
    for (const c of cursors) {
      if (c.key !== key) continue;
      const r = inputs[c.rank]!.range;
      if (win === null && g >= r.start && g <= r.end) win = c;
    }
    if (win === null || g < s.range.start || g > s.range.end) {
      let skipRefill = false;
      for (const c of cursors) {
        if (c.key !== key) continue;
        c.advance();
        if (c.needsChunk) skipRefill = true;
      }
      if (skipRefill) await fillAll();
      continue;
    }
    const block = win.block!;
    const pos = win.pos;
    const rank = win.rank;
    let refill = false;
    for (const c of cursors) {
      if (c.key !== key) continue;
      c.advance();
      if (c.needsChunk) refill = true;
    }
    // `block` stays valid after its cursor moved on: its raw bytes keep the old chunk alive.
    if (refill) await fillAll();
    const type = block.types[pos]!;
    if (markerPrefix !== null && !key.startsWith(markerPrefix)) markerPrefix = null;
    if (type === ENTRY_MARKER) {
      markerPrefix = key.substring(0, key.length - 1);
      markerRank = rank;
      if (!s.bottom) w.deletion(key, ENTRY_MARKER);
      continue;
    }
    // Hidden by a newer input's deleteMany of the whole map key.
    if (markerPrefix !== null && rank > markerRank) continue;
    if (type === ENTRY_TOMBSTONE) {
      if (!s.bottom) w.deletion(key, ENTRY_TOMBSTONE);
      continue;
    }
    if (type !== ENTRY_PUT) continue;
    const time = block.times[pos]!;
    const name = stateNameOfInternal(key);
    if (name !== ttlName) {
      ttlName = name;
      ttl = s.ttlOf(name);
    }
    if (ttl > 0 && s.now - time >= ttl) {
      if (!s.bottom) w.deletion(key, ENTRY_TOMBSTONE);
      continue;
    }
    w.putEncoded(key, time, block.raw, block.valueStart[pos]!, block.valueEnd[pos]!);
  }
  return w.empty ? null : w.finish();
}
