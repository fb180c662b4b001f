/**
 * Reading SST files from the primary store: opening (footer + index, kept in memory), block fetches
 * through the memory block cache and the disk file cache, whole-file reads for compaction, bounded I/O
 * parallelism and de-duplication of concurrent fetches of the same block. Counts what it does
 * (`LsmStats`).
 */
import { crc32 } from 'node:zlib';
import { FloeError } from '../../common/index.js';
import type { ObjectStore } from '../../storage/index.js';
import { blockCacheId, BlockCache } from './block-cache.js';
import { DiskFileCache } from './disk-file-cache.js';
import { IndexCache } from './index-cache.js';
import { corruptFile, decodeBlock, FOOTER_BYTES, parseFooter, parseIndex } from './sst-format.js';
import type { DecodedBlock, SstIndex } from './sst-format.js';

/** An SST file in some store. `id` is unique in the process (cache key). */
export interface SstFileRef {
  readonly id: number;
  readonly store: ObjectStore;
  readonly key: string;
  readonly size: number;
  readonly crc32: number;
}

let nextFileId = 1;
export function newFileId(): number {
  return nextFileId++;
}

/** Counters of the read path (monotonic since the backend was created). */
export interface LsmStats {
  /** Block lookups answered by the memory block cache. */
  blockCacheHits: number;
  blockCacheMisses: number;
  /** Block misses answered by the local disk file cache. */
  diskCacheHits: number;
  /**
   * Compaction reads (chunks of blocks) answered by the disk cache. Kept apart from `diskCacheHits`
   * so that the block hit rate `(blockCacheHits + diskCacheHits) / (blockCacheHits + blockCacheMisses)`
   * stays within [0, 1].
   */
  diskCacheFileHits: number;
  /** Requests to the primary store (ranged or whole-file GETs) and the bytes they returned. */
  remoteReads: number;
  remoteBytesRead: number;
  /** SST bytes written to the primary store (flushes and compactions). */
  bytesWritten: number;
  flushes: number;
  compactions: number;
  /** Files deleted after compaction once nothing referenced them. */
  filesDeleted: number;
  /** Point lookups skipped by a bloom filter. */
  bloomSkips: number;
  /** Writes that waited for a memtable upload because too many frozen memtables were pending. */
  uploadStalls: number;
  /** File indexes read from the store (first use of a restored file, or after an eviction from the index cache). */
  indexReads: number;
}

export function emptyStats(): LsmStats {
  return { blockCacheHits: 0, blockCacheMisses: 0, diskCacheHits: 0, diskCacheFileHits: 0, remoteReads: 0, remoteBytesRead: 0, bytesWritten: 0, flushes: 0, compactions: 0, filesDeleted: 0, bloomSkips: 0, uploadStalls: 0, indexReads: 0 };
}

const NOOP = (): void => undefined;

/** The largest single ranged read `blocks` makes of neighbouring blocks. */
const MAX_COALESCED_BYTES = 512 * 1024;

/**
 * Bytes between two wanted blocks worth reading rather than making a second request: on S3 a request
 * costs about what a few hundred KB of transfer does; local files and memory only merge touching blocks.
 */
function coalesceGapBytes(store: ObjectStore): number {
  return store.uri.startsWith('s3:') ? 64 * 1024 : 0;
}

/** A counting semaphore bounding concurrent remote requests. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** The caches a reader uses; several backends of one process may share them (file ids are unique). */
export interface LsmCaches {
  readonly blockCache: BlockCache;
  readonly indexCache: IndexCache;
  readonly diskCache: DiskFileCache;
  /** Shared caches outlive a backend: its dispose only evicts its own files. */
  readonly shared: boolean;
}

export interface LsmCacheSizes {
  /** Decoded blocks in memory. */
  readonly memoryBytes: number;
  /** File indexes and bloom filters in memory (index-cache.ts). */
  readonly indexBytes: number;
  /** Whole files on local disk. */
  readonly diskBytes: number;
}

export function createLsmCaches(sizes: LsmCacheSizes, diskDir: string, shared: boolean): LsmCaches {
  return { blockCache: new BlockCache(sizes.memoryBytes), indexCache: new IndexCache(sizes.indexBytes), diskCache: new DiskFileCache(sizes.diskBytes, diskDir), shared };
}

export interface SstReaderOptions {
  readonly caches: LsmCaches;
  readonly ioParallelism: number;
}

export class SstReader {
  readonly stats = emptyStats();
  readonly blockCache: BlockCache;
  readonly diskCache: DiskFileCache;
  private readonly limiter: Limiter;
  private readonly indexCache: IndexCache;
  /** Index reads in flight, so concurrent lookups of one file read its index once. */
  private readonly indexLoads = new Map<number, Promise<SstIndex>>();
  private readonly inflight = new Map<number, Promise<DecodedBlock>>();
  private readonly downloads = new Set<number>();

  private readonly sharedCaches: boolean;

  constructor(options: SstReaderOptions) {
    this.blockCache = options.caches.blockCache;
    this.indexCache = options.caches.indexCache;
    this.diskCache = options.caches.diskCache;
    this.sharedCaches = options.caches.shared;
    this.limiter = new Limiter(Math.max(1, options.ioParallelism));
  }

  /** Bytes the (possibly shared) index cache holds. */
  get indexCacheBytes(): number {
    return this.indexCache.usedBytes;
  }

  /** The file's index if the index cache holds it (no I/O). */
  cachedIndex(ref: SstFileRef): SstIndex | undefined {
    return this.indexCache.get(ref.id);
  }

  /** The file's index: from the index cache, else read (footer, then the index region) and cached. */
  index(ref: SstFileRef): Promise<SstIndex> {
    const hit = this.indexCache.get(ref.id);
    if (hit !== undefined) return Promise.resolve(hit);
    let p = this.indexLoads.get(ref.id);
    if (p === undefined) {
      p = this.loadIndex(ref)
        .then((index) => {
          this.stats.indexReads++;
          this.indexCache.put(ref.id, index);
          return index;
        })
        .finally(() => this.indexLoads.delete(ref.id));
      this.indexLoads.set(ref.id, p);
    }
    return p;
  }

  /** Caches an index known without reading (a file this backend just wrote). */
  setIndex(ref: SstFileRef, index: SstIndex): void {
    this.indexCache.put(ref.id, index);
  }

  private async loadIndex(ref: SstFileRef): Promise<SstIndex> {
    if (ref.size < FOOTER_BYTES) throw corruptFile(ref.key, `it is ${ref.size} bytes, shorter than a footer`);
    const footer = parseFooter(ref.key, await this.fetch(ref, ref.size - FOOTER_BYTES, FOOTER_BYTES));
    if (footer.indexOffset + footer.indexLength !== ref.size - FOOTER_BYTES) throw corruptFile(ref.key, 'the footer points outside the file');
    return parseIndex(ref.key, await this.fetch(ref, footer.indexOffset, footer.indexLength), footer);
  }

  /** A cached block, without I/O (undefined on a miss; does not count as a lookup). */
  cached(ref: SstFileRef, block: number): DecodedBlock | undefined {
    return this.blockCache.get(blockCacheId(ref.id, block));
  }

  /** Block `block` of the file if the memory cache holds it (counted as a hit), else null; never waits. */
  cachedBlock(ref: SstFileRef, block: number): DecodedBlock | null {
    const hit = this.blockCache.get(blockCacheId(ref.id, block));
    if (hit === undefined) return null;
    this.stats.blockCacheHits++;
    return hit;
  }

  /** Block `block` of the file: from the memory cache, the disk cache or a ranged GET. */
  block(ref: SstFileRef, index: SstIndex, block: number): Promise<DecodedBlock> {
    const id = blockCacheId(ref.id, block);
    const hit = this.blockCache.get(id);
    if (hit !== undefined) {
      this.stats.blockCacheHits++;
      return Promise.resolve(hit);
    }
    const pending = this.inflight.get(id);
    if (pending !== undefined) return pending;
    this.stats.blockCacheMisses++;
    const p = this.loadBlock(ref, index, block).finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  /**
   * Blocks `wanted` (ascending, distinct) of one file, each as `block` would return it, but the uncached
   * ones that lie close together in the file are fetched by one ranged read: on an object store a request
   * costs far more than the bytes between two blocks (`coalesceGapBytes`, by store). The gap bytes are read
   * and dropped; each block is copied out, so a cached block holds only its own bytes.
   */
  blocks(ref: SstFileRef, index: SstIndex, wanted: readonly number[]): Promise<DecodedBlock>[] {
    const out = new Array<Promise<DecodedBlock>>(wanted.length);
    const gap = coalesceGapBytes(ref.store);
    const onDisk = this.diskCache.has(ref.id);
    let group: number[] = []; // positions in `wanted` of uncached blocks to fetch together
    const flush = (): void => {
      if (group.length === 1) out[group[0]!] = this.block(ref, index, wanted[group[0]!]!);
      else if (group.length > 1) this.fetchGroup(ref, index, wanted, group, out);
      group = [];
    };
    for (let i = 0; i < wanted.length; i++) {
      const b = wanted[i]!;
      const id = blockCacheId(ref.id, b);
      if (onDisk || this.blockCache.get(id) !== undefined || this.inflight.has(id)) {
        out[i] = this.block(ref, index, b);
        continue;
      }
      if (group.length > 0) {
        const first = wanted[group[0]!]!;
        const last = wanted[group[group.length - 1]!]!;
        const lastEnd = index.offsets[last]! + index.lengths[last]!;
        const end = index.offsets[b]! + index.lengths[b]!;
        if (index.offsets[b]! - lastEnd > gap || end - index.offsets[first]! > MAX_COALESCED_BYTES) flush();
      }
      group.push(i);
    }
    flush();
    return out;
  }

  /** One ranged read for the blocks `wanted[group[…]]`, split into decoded, cached blocks. */
  private fetchGroup(ref: SstFileRef, index: SstIndex, wanted: readonly number[], group: readonly number[], out: Promise<DecodedBlock>[]): void {
    const first = wanted[group[0]!]!;
    const last = wanted[group[group.length - 1]!]!;
    const start = index.offsets[first]!;
    const bytes = this.fetch(ref, start, index.offsets[last]! + index.lengths[last]! - start);
    this.maybeDownloadAfter(ref, bytes);
    for (const i of group) {
      const b = wanted[i]!;
      const id = blockCacheId(ref.id, b);
      this.stats.blockCacheMisses++;
      const p = bytes
        .then((all) => {
          const from = index.offsets[b]! - start;
          const decoded = decodeBlock(ref.key, b, new Uint8Array(all.subarray(from, from + index.lengths[b]!)));
          this.blockCache.put(id, decoded);
          return decoded;
        })
        .finally(() => this.inflight.delete(id));
      this.inflight.set(id, p);
      out[i] = p;
    }
  }

  private maybeDownloadAfter(ref: SstFileRef, read: Promise<unknown>): void {
    read.then(() => this.maybeDownload(ref), NOOP);
  }

  private async loadBlock(ref: SstFileRef, index: SstIndex, block: number): Promise<DecodedBlock> {
    const offset = index.offsets[block]!;
    const length = index.lengths[block]!;
    let raw = await this.diskCache.read(ref.id, offset, length);
    if (raw !== undefined) this.stats.diskCacheHits++;
    else {
      raw = await this.fetch(ref, offset, length);
      this.maybeDownload(ref);
    }
    const decoded = decodeBlock(ref.key, block, raw);
    this.blockCache.put(blockCacheId(ref.id, block), decoded);
    return decoded;
  }

  /**
   * After a remote miss, copy the whole file to the disk cache in the background (once). Only files of
   * at most a quarter of the cache are fetched: a whole-file cache that holds few files thrashes, each
   * eviction costing a full re-download for what were single-block reads (measured: a cache of 25% of
   * the state read more bytes remotely than no cache at all).
   */
  private maybeDownload(ref: SstFileRef): void {
    const cache = this.diskCache;
    if (cache.capacity <= 0 || ref.size * 4 > cache.capacity || cache.has(ref.id) || this.downloads.has(ref.id)) return;
    this.downloads.add(ref.id);
    this.wholeFileRemote(ref)
      .then((bytes) => cache.add(ref.id, bytes))
      .catch(() => undefined) // a failed prefetch is only a missed optimisation; reads report errors
      .finally(() => this.downloads.delete(ref.id));
  }

  /**
   * `length` bytes at `offset` of the file, from the disk cache or a ranged read of the primary store,
   * not through the block cache (compaction reads each block once; caching would evict hot blocks).
   * The blocks in it carry their own checksums.
   */
  async range(ref: SstFileRef, offset: number, length: number): Promise<Uint8Array> {
    const local = await this.diskCache.read(ref.id, offset, length);
    if (local !== undefined) {
      this.stats.diskCacheFileHits++;
      return local;
    }
    return this.fetch(ref, offset, length);
  }

  /** The whole file from the primary store, checked against its CRC (disk-cache downloads). */
  private async wholeFileRemote(ref: SstFileRef): Promise<Uint8Array> {
    const bytes = await this.limiter.run(() => this.guard(ref, () => ref.store.get(ref.key)));
    this.stats.remoteReads++;
    this.stats.remoteBytesRead += bytes.length;
    if (bytes.length !== ref.size) throw corruptFile(ref.key, `its size is ${bytes.length} bytes, the manifest says ${ref.size} (truncated?)`);
    const actual = crc32(bytes);
    if (actual !== ref.crc32) throw corruptFile(ref.key, `whole-file checksum mismatch (computed ${actual}, expected ${ref.crc32})`);
    return bytes;
  }

  private async fetch(ref: SstFileRef, offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.limiter.run(() => this.guard(ref, () => ref.store.getRange(ref.key, offset, length)));
    this.stats.remoteReads++;
    this.stats.remoteBytesRead += bytes.length;
    return bytes;
  }

  /** Missing and truncated files are corruption of the state, named as such. */
  private async guard<T>(ref: SstFileRef, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof FloeError && e.code === 'IO.NOT_FOUND') throw corruptFile(ref.key, `it is missing from ${ref.store.uri}`, e);
      if (e instanceof FloeError && e.code === 'IO.RANGE_NOT_SATISFIABLE') throw corruptFile(ref.key, `it is shorter than the ${ref.size} bytes the manifest says (truncated?)`, e);
      throw e;
    }
  }

  /** Forgets a deleted file: its index, cached blocks and local copy. */
  forget(ref: SstFileRef, blockCount: number): void {
    this.indexCache.delete(ref.id);
    this.blockCache.evictFile(ref.id, blockCount);
    this.diskCache.remove(ref.id);
  }

  dispose(): void {
    if (!this.sharedCaches) this.diskCache.clear();
  }
}
