/**
 * Open read-only file descriptors of a local object store, kept for ranged reads: an lsm backend reads
 * one small block per point lookup, and opening, stat-ing and closing the file around each read cost
 * several times the read itself (three extra thread-pool round trips).
 *
 * Invariants:
 * - An entry is used only while acquired (`refs` > 0); eviction and invalidation close a descriptor only
 *   once its last reader released it, so a read never runs on a closed (or reused) descriptor.
 * - Objects are write-once (object-store.ts), so a cached descriptor reads what the key holds. When this
 *   store replaces or deletes a key it invalidates the entry; a key replaced through another store
 *   instance or process can be read at its old content until the entry is evicted — the reason only
 *   ranged reads (SST blocks, Parquet pages: immutable files) go through the cache, never `get`.
 */
import { promises as fsp } from 'node:fs';

interface OpenFile {
  readonly handle: fsp.FileHandle;
  readonly size: number;
  refs: number;
  /** Evicted or invalidated: closed when the last reader releases it. */
  retired: boolean;
}

export class OpenFileCache {
  /** Insertion order is recency order (a hit moves the entry to the end). */
  private readonly files = new Map<string, OpenFile>();
  /** Opens in flight, so concurrent first reads of one file share a descriptor. */
  private readonly opening = new Map<string, Promise<OpenFile>>();

  constructor(private readonly capacity: number) {}

  /** The open file at `file` (opened and stat-ed on a miss); the caller must `release` it. */
  async acquire(file: string): Promise<{ readonly handle: fsp.FileHandle; readonly size: number; readonly entry: object }> {
    let f = this.files.get(file);
    if (f === undefined) {
      let p = this.opening.get(file);
      if (p === undefined) {
        p = this.open(file).finally(() => this.opening.delete(file));
        this.opening.set(file, p);
      }
      f = await p;
      if (f.retired) return this.acquire(file); // invalidated while it opened
    } else {
      this.files.delete(file);
      this.files.set(file, f);
    }
    f.refs++;
    return { handle: f.handle, size: f.size, entry: f };
  }

  release(entry: object): void {
    const f = entry as OpenFile;
    f.refs--;
    if (f.retired && f.refs === 0) void f.handle.close().catch(() => undefined);
  }

  /** Forgets `file` (this store replaced or deleted it). */
  invalidate(file: string): void {
    const f = this.files.get(file);
    if (f !== undefined) {
      this.files.delete(file);
      this.retire(f);
    }
    const p = this.opening.get(file);
    if (p !== undefined) void p.then((g) => this.retire(g), () => undefined);
  }

  private async open(file: string): Promise<OpenFile> {
    const handle = await fsp.open(file, 'r');
    let size: number;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw Object.assign(new Error(`'${file}' is not a file`), { code: 'EISDIR' });
      size = stat.size;
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
    const f: OpenFile = { handle, size, refs: 0, retired: false };
    this.files.set(file, f);
    while (this.files.size > this.capacity) {
      const [oldest, g] = this.files.entries().next().value as [string, OpenFile];
      this.files.delete(oldest);
      this.retire(g);
    }
    return f;
  }

  private retire(f: OpenFile): void {
    if (f.retired) return;
    f.retired = true;
    if (f.refs === 0) void f.handle.close().catch(() => undefined);
  }
}
