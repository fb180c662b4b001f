/**
 * The `ObjectStore` interface (DESIGN.md principle 4): checkpoints, state files and lake tables are kept
 * as immutable objects behind it, so the same code runs on the local file system (the embedded default),
 * in memory (tests) and on an S3-compatible store (issue 5).
 *
 * Keys are '/'-separated relative paths (`chk-7/op-3/kg-0-127.fkgs`): no leading or trailing '/', no
 * empty, `.` or `..` segments, no backslash or NUL. Listing is by plain string prefix (as in S3), and
 * results come in code-unit order of the key, so every process sees the same order.
 *
 * Semantics every implementation guarantees (the conformance suite in `object-store-conformance.ts`
 * checks them):
 * - `put` is atomic: a reader sees the previous object, or the whole new one, never a partial object.
 * - `putIfAbsent` is the commit primitive: of any number of concurrent creators of one key exactly one
 *   gets `true`, and the object then holds that creator's bytes, complete.
 * - Objects are returned as fresh copies: mutating bytes after `put` or after `get` changes nothing stored.
 * - `delete` of a missing key is a no-op (as S3's DELETE); `get` of a missing key is `IO.NOT_FOUND`.
 * - `lastModified` is the wall-clock time of the object's last write, taken by whoever stores it (the
 *   local machine, or the S3 server with its own clock and one-second resolution): callers may compare it
 *   with their own clock only with a margin of seconds. An overwrite never moves it backwards on a
 *   correctly running clock; a `putIfAbsent` that finds the key taken leaves it unchanged.
 *
 * Known limit of the file-system store: a key cannot be both an object and a "directory" prefix of
 * another key (`a` and `a/b`), since a file cannot also be a directory; that is `IO.KEY_CONFLICT`. Floe's
 * own layouts never do this.
 */
import { ioError, userError, type FloeError } from '../common/index.js';

/** A listed object: its key and size in bytes. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

export interface ObjectStore {
  /** Where this store lives (`file:///tmp/chk`, `memory://tests`), for messages. */
  readonly uri: string;
  /** The whole object; `IO.NOT_FOUND` when there is none. */
  get(key: string): Promise<Uint8Array>;
  /**
   * Exactly `length` bytes from `offset`. A range that does not lie inside the object is
   * `IO.RANGE_NOT_SATISFIABLE` (a short read would hide truncation from format readers).
   */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** Creates or replaces the object, atomically. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Creates the object only if the key is free, atomically; true when this call created it. */
  putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean>;
  /** The objects whose key starts with `prefix` ('' lists everything), sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Removes the object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /**
   * Epoch milliseconds of the object's last write (`put`, or the `putIfAbsent` that created it);
   * `IO.NOT_FOUND` when there is none. Age-based cleanup (orphan files, consumer expiration) relies on it.
   */
  lastModified(key: string): Promise<number>;
}

/** Fails with `IO.INVALID_KEY` unless `key` is a well-formed object key (see the module comment). */
export function checkObjectKey(store: string, key: string): void {
  let problem: string | null = null;
  if (key.length === 0) problem = 'it is empty';
  else if (key.startsWith('/')) problem = "it starts with '/'";
  else if (key.endsWith('/')) problem = "it ends with '/'";
  else if (key.includes('\\') || key.includes('\u0000')) problem = 'it contains a backslash or NUL';
  else {
    for (const segment of key.split('/')) {
      if (segment === '' || segment === '.' || segment === '..') {
        problem = `it has an empty, '.' or '..' segment`;
        break;
      }
    }
  }
  if (problem !== null) {
    throw userError('IO.INVALID_KEY', `invalid object key '${key}' for store ${store}: ${problem}`, {
      help: "keys are '/'-separated relative paths such as 'chk-1/state/part-0'",
    });
  }
}

/** Fails with `IO.INVALID_RANGE` unless `offset` and `length` are non-negative safe integers. */
export function checkRange(store: string, key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw userError('IO.INVALID_RANGE', `invalid byte range (offset ${offset}, length ${length}) for '${key}' in ${store}`);
  }
}

export function objectNotFound(store: string, key: string, cause?: unknown): FloeError {
  return ioError('IO.NOT_FOUND', `object '${key}' does not exist in ${store}`, cause === undefined ? {} : { cause });
}

export function rangeNotSatisfiable(store: string, key: string, offset: number, length: number, size: number): FloeError {
  return ioError(
    'IO.RANGE_NOT_SATISFIABLE',
    `byte range [${offset}, ${offset + length}) is outside object '${key}' (${size} bytes) in ${store}`,
  );
}

/** Code-unit order, never locale order (the same on every machine). */
export function compareKeys(a: ObjectInfo, b: ObjectInfo): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
