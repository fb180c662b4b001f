/**
 * An LRU cache of decoded SST blocks, bounded by bytes (`DecodedBlock.memoryBytes`). A Map keeps
 * insertion order, so re-inserting on a hit makes the first entry the least recently used one.
 * Capacity 0 caches nothing.
 */
import type { DecodedBlock } from './sst-format.js';

export class BlockCache {
  private readonly blocks = new Map<number, DecodedBlock>();
  private bytes = 0;

  constructor(readonly capacity: number) {}

  get usedBytes(): number {
    return this.bytes;
  }

  get(id: number): DecodedBlock | undefined {
    const b = this.blocks.get(id);
    if (b !== undefined) {
      this.blocks.delete(id);
      this.blocks.set(id, b);
    }
    return b;
  }

  put(id: number, block: DecodedBlock): void {
    const size = block.memoryBytes;
    if (size > this.capacity) return;
    const old = this.blocks.get(id);
    if (old !== undefined) {
      this.bytes -= old.memoryBytes;
      this.blocks.delete(id);
    }
    this.blocks.set(id, block);
    this.bytes += size;
    while (this.bytes > this.capacity) {
      const first = this.blocks.entries().next().value as [number, DecodedBlock];
      this.blocks.delete(first[0]);
      this.bytes -= first[1].memoryBytes;
    }
  }

  /** Drops the blocks of one file (ids `fileId * BLOCKS_PER_FILE + b`). */
  evictFile(fileId: number, blockCount: number): void {
    for (let b = 0; b < blockCount; b++) {
      const id = blockCacheId(fileId, b);
      const old = this.blocks.get(id);
      if (old !== undefined) {
        this.blocks.delete(id);
        this.bytes -= old.memoryBytes;
      }
    }
  }
}

/** Blocks per file addressable in the cache: 2^20 blocks of ≥16 KB is 16 GB, far above any file. */
const BLOCKS_PER_FILE = 1 << 20;

export function blockCacheId(fileId: number, block: number): number {
  return fileId * BLOCKS_PER_FILE + block;
}
