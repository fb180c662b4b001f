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
 */
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
  readonly bytes: Uint8Array;
  /** Key groups this input may contribute. */
  readonly range: KeyGroupRange;
}

export interface CompactionSettings {
  readonly bottom: boolean;
  readonly now: number;
  readonly blockBytes: number;
  /** The backend's key groups. */
  readonly range: KeyGroupRange;
  readonly ttlOf: (stateName: string) => number;
}

/** Sequential reader of one input file's entries; blocks are decoded as the cursor reaches them. */
class InputCursor {
  private readonly index: SstIndex;
  private b = 0;
  pos = 0;
  block: DecodedBlock | null = null;

  constructor(
    readonly rank: number,
    readonly input: CompactionInput,
  ) {
    const bytes = input.bytes;
    const footer = parseFooter(input.key, bytes.subarray(bytes.length - FOOTER_BYTES));
    this.index = parseIndex(input.key, bytes.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
    this.block = this.load(0);
    this.skipEmpty();
  }

  private load(b: number): DecodedBlock | null {
    const ix = this.index;
    if (b >= ix.offsets.length) return null;
    return decodeBlock(this.input.key, b, this.input.bytes.subarray(ix.offsets[b]!, ix.offsets[b]! + ix.lengths[b]!));
  }

  private skipEmpty(): void {
    while (this.block !== null && this.pos >= this.block.keys.length) {
      this.b++;
      this.pos = 0;
      this.block = this.load(this.b);
    }
  }

  get key(): string | null {
    return this.block === null ? null : this.block.keys[this.pos]!;
  }

  advance(): void {
    this.pos++;
    this.skipEmpty();
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
      for (const c of cursors) if (c.key === key) c.advance();
      continue;
    }
    const block = win.block!;
    const pos = win.pos;
    const rank = win.rank;
    for (const c of cursors) if (c.key === key) c.advance();
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
