/**
 * A local-disk cache of whole SST files, bounded by bytes, least recently used evicted first.
 *
 * Whole files rather than blocks: a file is immutable, so one copy serves every later block of it
 * without per-block bookkeeping, and the whole-file CRC from the manifest can be checked once on arrival.
 * Files are added when the backend writes them (write-through: the bytes are at hand) and, after a
 * remote block miss, downloaded in the background. A read racing an eviction finds the file gone and
 * falls back to the remote store (the caller treats `undefined` as a miss).
 *
 * Each cache keeps its files in a folder of its own below the configured one (`<dir>/c-<random>`): file
 * ids are unique per thread only (worker threads each count from 1), and every worker thread of a process
 * opens its own caches on the same configured folder, so files named by id alone in a shared folder
 * would overwrite one another's (a block of one file read from another: a checksum failure at best).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface CachedFile {
  readonly path: string;
  readonly size: number;
  /** Resolves once the file is on disk (reads before that are misses). */
  ready: boolean;
}

export class DiskFileCache {
  private readonly files = new Map<number, CachedFile>();
  private bytes = 0;
  /** This cache's own folder below the configured one (see the module comment). */
  readonly dir: string;

  constructor(
    readonly capacity: number,
    /** The configured folder; several caches (threads, settings) may share it. */
    readonly parentDir: string,
  ) {
    this.dir = join(parentDir, `c-${randomUUID().slice(0, 8)}`);
    if (capacity > 0) mkdirSync(this.dir, { recursive: true });
  }

  get usedBytes(): number {
    return this.bytes;
  }

  has(fileId: number): boolean {
    return this.files.has(fileId);
  }

  /** Stores a copy of a file (no-op when it is larger than the cache or already cached). */
  async add(fileId: number, bytes: Uint8Array): Promise<void> {
    if (this.capacity <= 0 || bytes.length > this.capacity || this.files.has(fileId)) return;
    const entry: CachedFile = { path: join(this.dir, `${fileId}.sst`), size: bytes.length, ready: false };
    this.files.set(fileId, entry);
    this.bytes += entry.size;
    this.evictOverflow();
    try {
      await writeFile(entry.path, bytes);
      entry.ready = true;
    } catch {
      // A cache that cannot write is only slower: forget the entry.
      if (this.files.get(fileId) === entry) this.remove(fileId);
    }
  }

  /** `length` bytes at `offset` of a cached file, or undefined when it is not (or no longer) cached. */
  async read(fileId: number, offset: number, length: number): Promise<Uint8Array | undefined> {
    const entry = this.files.get(fileId);
    if (entry === undefined || !entry.ready) return undefined;
    this.files.delete(fileId);
    this.files.set(fileId, entry);
    try {
      const fh = await open(entry.path, 'r');
      try {
        const out = new Uint8Array(length);
        const { bytesRead } = await fh.read(out, 0, length, offset);
        return bytesRead === length ? out : undefined;
      } finally {
        await fh.close();
      }
    } catch {
      return undefined;
    }
  }

  /** The whole cached file, or undefined. */
  async readAll(fileId: number): Promise<Uint8Array | undefined> {
    const entry = this.files.get(fileId);
    if (entry === undefined) return undefined;
    return this.read(fileId, 0, entry.size);
  }

  remove(fileId: number): void {
    const entry = this.files.get(fileId);
    if (entry === undefined) return;
    this.files.delete(fileId);
    this.bytes -= entry.size;
    unlink(entry.path).catch(() => undefined);
  }

  private evictOverflow(): void {
    while (this.bytes > this.capacity) {
      const first = this.files.keys().next().value as number;
      this.remove(first);
    }
  }

  /** Deletes this cache's folder (not the configured one, which other caches may use). */
  clear(): void {
    this.files.clear();
    this.bytes = 0;
    if (this.capacity > 0) rmSync(this.dir, { recursive: true, force: true });
  }
}
