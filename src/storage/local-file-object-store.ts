/**
 * The local file-system `ObjectStore` (the embedded default). An object is a file under `root` whose
 * relative path is its key, so checkpoint and table directories stay readable by people and other tools.
 *
 * Writes never expose a partial object: bytes go to a fresh temp file in `root/.floe-tmp/` (same file
 * system, so the following `rename`/`link` is a metadata operation), are fsynced, and only then get their
 * name.
 * - `put` renames the temp file over the target: `rename(2)` replaces atomically, so readers see the old
 *   or the new file.
 * - `putIfAbsent` hard-links the temp file to the target and then unlinks the temp name. `link(2)` fails
 *   with EEXIST if the target exists, atomically with respect to every other creator, so exactly one of
 *   many concurrent callers wins, and the name appears only once the content is complete and on disk.
 *   (`open(O_CREAT|O_EXCL)` would be atomic too, but other processes could then read a half-written
 *   object, and a crash mid-write would leave a committed but truncated file; `rename` is not usable
 *   because it silently replaces.) Hard links need a POSIX file system; that is the supported platform.
 * - Durability (`durable`, default true): the temp file is fsynced before it is named, and the directory
 *   holding the new name (and any directory created for it) is fsynced afterwards, so a committed object
 *   survives a machine crash, not only a process crash. Tests may turn it off for speed.
 *
 * A crash can leave files in `.floe-tmp/`; they are never listed or read, and `cleanTemporaryFiles`
 * removes them.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ioError, userError, type FloeError } from '../common/index.js';
import {
  checkObjectKey,
  checkRange,
  compareKeys,
  objectNotFound,
  rangeNotSatisfiable,
  type ObjectInfo,
  type ObjectStore,
} from './object-store.js';
import { OpenFileCache } from './open-file-cache.js';

/**
 * Files kept open for ranged reads, per thread (keys are absolute paths, so stores of one root share
 * entries and see each other's invalidations). Well below the usual limit of 1024 descriptors even with
 * a few worker threads.
 */
const sharedOpenFiles = new OpenFileCache(128);

/** Directory under the root that holds in-flight writes; never a key's first segment. */
const TEMP_DIR = '.floe-tmp';

export interface LocalFileObjectStoreOptions {
  /** fsync files and directories so committed objects survive a machine crash (default true). */
  readonly durable?: boolean;
}

const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

export class LocalFileObjectStore implements ObjectStore {
  readonly uri: string;
  readonly root: string;
  private readonly durable: boolean;
  private readonly tempDir: string;
  /** Descriptors kept open for ranged reads (open-file-cache.ts), shared by every store of the thread. */
  private readonly openFiles = sharedOpenFiles;

  constructor(root: string, options: LocalFileObjectStoreOptions = {}) {
    this.root = path.resolve(root);
    this.uri = pathToFileURL(this.root).href;
    this.durable = options.durable ?? true;
    this.tempDir = path.join(this.root, TEMP_DIR);
  }

  private filePath(key: string): string {
    checkObjectKey(this.uri, key);
    if (key === TEMP_DIR || key.startsWith(TEMP_DIR + '/')) {
      throw userError('IO.INVALID_KEY', `invalid object key '${key}' for store ${this.uri}: '${TEMP_DIR}' is reserved for in-flight writes`);
    }
    return path.join(this.root, ...key.split('/'));
  }

  private conflict(key: string, cause: unknown): FloeError {
    return ioError(
      'IO.KEY_CONFLICT',
      `object '${key}' in ${this.uri} conflicts with another key: a key cannot be both an object and a prefix ending in '/' of other objects on a local file system`,
      { cause },
    );
  }

  private failed(code: string, what: string, key: string, cause: unknown): FloeError {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return ioError(code, `cannot ${what} object '${key}' in ${this.uri}${detail}`, { cause });
  }

  async get(key: string): Promise<Uint8Array> {
    const file = this.filePath(key);
    try {
      const buf = await fsp.readFile(file);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw objectNotFound(this.uri, key, e);
      throw this.failed('IO.READ_FAILED', 'read', key, e);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const file = this.filePath(key);
    checkRange(this.uri, key, offset, length);
    let open: Awaited<ReturnType<OpenFileCache['acquire']>>;
    try {
      open = await this.openFiles.acquire(file);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw objectNotFound(this.uri, key, e);
      throw this.failed('IO.READ_FAILED', 'read', key, e);
    }
    try {
      if (offset + length > open.size) throw rangeNotSatisfiable(this.uri, key, offset, length, open.size);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await open.handle.read(out, done, length - done, offset + done);
        // The file shrank under us: objects are immutable, so this is outside interference.
        if (bytesRead === 0) throw rangeNotSatisfiable(this.uri, key, offset, length, offset + done);
        done += bytesRead;
      }
      return out;
    } catch (e) {
      if (e instanceof Error && e.name === 'FloeError') throw e;
      throw this.failed('IO.READ_FAILED', 'read', key, e);
    } finally {
      this.openFiles.release(open.entry);
    }
  }

  /** Writes `bytes` to a new temp file (fsynced when durable) and returns its path. */
  private async writeTemp(key: string, bytes: Uint8Array): Promise<string> {
    const tmp = path.join(this.tempDir, randomUUID());
    try {
      await fsp.mkdir(this.tempDir, { recursive: true });
      const handle = await fsp.open(tmp, 'wx');
      try {
        await handle.writeFile(bytes);
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
      return tmp;
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw this.failed('IO.WRITE_FAILED', 'write', key, e);
    }
  }

  /** Creates the target's parent directories; when durable, fsyncs the parents of any it created. */
  private async makeParents(key: string, file: string): Promise<void> {
    const dir = path.dirname(file);
    let created: string | undefined;
    try {
      created = await fsp.mkdir(dir, { recursive: true });
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'EEXIST' || code === 'ENOTDIR') throw this.conflict(key, e);
      throw this.failed('IO.WRITE_FAILED', 'write', key, e);
    }
    if (this.durable && created !== undefined) {
      // Every directory from `created` down to `dir` is new: its name must reach disk via its parent.
      for (let d = dir; ; d = path.dirname(d)) {
        await this.syncDir(path.dirname(d), key);
        if (d === created || d === this.root || path.dirname(d) === d) break;
      }
    }
  }

  private async syncDir(dir: string, key: string): Promise<void> {
    if (!this.durable) return;
    try {
      const handle = await fsp.open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      throw this.failed('IO.WRITE_FAILED', 'make durable', key, e);
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.filePath(key);
    await this.makeParents(key, file);
    const tmp = await this.writeTemp(key, bytes);
    this.openFiles.invalidate(file);
    try {
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      const code = errnoOf(e);
      if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') throw this.conflict(key, e);
      throw this.failed('IO.WRITE_FAILED', 'write', key, e);
    }
    await this.syncDir(path.dirname(file), key);
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    const file = this.filePath(key);
    await this.makeParents(key, file);
    const tmp = await this.writeTemp(key, bytes);
    try {
      await fsp.link(tmp, file);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'EEXIST') {
        const stat = await fsp.lstat(file).catch(() => null);
        if (stat !== null && stat.isDirectory()) throw this.conflict(key, e);
        return false;
      }
      if (code === 'ENOTDIR') throw this.conflict(key, e);
      throw this.failed('IO.WRITE_FAILED', 'create', key, e);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
    await this.syncDir(path.dirname(file), key);
    return true;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    if (base !== '') checkObjectKey(this.uri, base);
    if (prefix.includes('\\') || prefix.includes('\u0000')) {
      throw userError('IO.INVALID_KEY', `invalid key prefix '${prefix}' for store ${this.uri}: it contains a backslash or NUL`);
    }
    const out: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw ioError('IO.LIST_FAILED', `cannot list prefix '${prefix}' in ${this.uri}`, { cause: e });
      }
      for (const entry of entries) {
        if (keyPrefix === '' && entry.name === TEMP_DIR) continue;
        const key = keyPrefix + entry.name;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          // Descend only where keys below can still match the prefix.
          const sub = key + '/';
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(full, sub);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          try {
            out.push({ key, size: (await fsp.stat(full)).size });
          } catch (e) {
            if (errnoOf(e) !== 'ENOENT') throw ioError('IO.LIST_FAILED', `cannot list prefix '${prefix}' in ${this.uri}`, { cause: e });
            // Deleted between readdir and stat: it is simply not there any more.
          }
        }
      }
    };
    await walk(base === '' ? this.root : path.join(this.root, ...base.split('/')), base === '' ? '' : base + '/');
    return out.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    const file = this.filePath(key);
    this.openFiles.invalidate(file);
    try {
      await fsp.unlink(file);
    } catch (e) {
      const code = errnoOf(e);
      // A missing key, or a "key" that is only a directory prefix, holds no object: nothing to delete.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      throw this.failed('IO.DELETE_FAILED', 'delete', key, e);
    }
    await this.syncDir(path.dirname(file), key);
  }

  async exists(key: string): Promise<boolean> {
    const file = this.filePath(key);
    try {
      return (await fsp.stat(file)).isFile();
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw this.failed('IO.READ_FAILED', 'check', key, e);
    }
  }

  /**
   * The file's mtime. A temp file is renamed or linked into place after it is written, and neither
   * changes the mtime, so this is when the object's bytes were written.
   */
  async lastModified(key: string): Promise<number> {
    const file = this.filePath(key);
    let stat;
    try {
      stat = await fsp.stat(file);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw objectNotFound(this.uri, key, e);
      throw this.failed('IO.READ_FAILED', 'stat', key, e);
    }
    // A directory is only a prefix of other keys, not an object (as in `exists` and `get`).
    if (!stat.isFile()) throw objectNotFound(this.uri, key);
    return stat.mtimeMs;
  }

  /** Removes leftovers of writes interrupted by a crash. Only call when no write is in flight. */
  async cleanTemporaryFiles(): Promise<void> {
    await fsp.rm(this.tempDir, { recursive: true, force: true });
  }
}
