/**
 * An LRU cache of SST file indexes (block index and bloom filters), bounded by their estimated heap
 * bytes and shared by the lsm backends of a process like the block cache.
 *
 * Why a bound: an index holds one entry (first key, offset, length) per data block, so its size grows
 * with the state, not with the work. Kept for every file, the indexes of a few GB of 4 KB blocks outgrow
 * a small heap (the larger-than-memory test: 550 MB of SST files in a 64 MB heap). An evicted index is
 * read again (footer and index region: two ranged reads) when a lookup next needs its file, so the bound
 * should hold the indexes of the files in use; the default, 64 MB, holds those of about 4 GB of state.
 *
 * Readers never keep an index across an await without holding the object itself: eviction drops the
 * cache's reference only, never mutates the index.
 */
import type { SstIndex } from './sst-format.js';

export class IndexCache {
  private readonly entries = new Map<number, { readonly index: SstIndex; readonly bytes: number }>();
  private bytes = 0;
  /** Indexes read again after an eviction (or first opened) from the store. */
  loads = 0;

  constructor(readonly capacity: number) {}

  get usedBytes(): number {
    return this.bytes;
  }

  get(fileId: number): SstIndex | undefined {
    const e = this.entries.get(fileId);
    if (e === undefined) return undefined;
    this.entries.delete(fileId);
    this.entries.set(fileId, e);
    return e.index;
  }

  /** Caches `index`; the newest entry always stays, even when it alone exceeds the capacity. */
  put(fileId: number, index: SstIndex): void {
    this.delete(fileId);
    const bytes = indexMemoryBytes(index);
    this.entries.set(fileId, { index, bytes });
    this.bytes += bytes;
    while (this.bytes > this.capacity && this.entries.size > 1) {
      const [id, first] = this.entries.entries().next().value as [number, { bytes: number }];
      this.entries.delete(id);
      this.bytes -= first.bytes;
    }
  }

  delete(fileId: number): void {
    const e = this.entries.get(fileId);
    if (e === undefined) return;
    this.entries.delete(fileId);
    this.bytes -= e.bytes;
  }
}

/**
 * Estimated heap bytes of an index: per block a string (header + one byte per char, one-byte strings)
 * and two array slots; the bloom filters' bytes; a fixed overhead for the object and its arrays.
 */
export function indexMemoryBytes(index: SstIndex): number {
  let bytes = 256 + index.bloom.bits.length + (index.entryBloom?.bits.length ?? 0) + index.minKey.length + index.maxKey.length;
  const keys = index.firstKeys;
  for (let i = 0; i < keys.length; i++) bytes += 40 + keys[i]!.length;
  return bytes;
}
