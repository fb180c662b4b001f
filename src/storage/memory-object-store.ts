/**
 * An in-memory `ObjectStore` for tests and for `memory://name` URIs. Objects are copied on the way in
 * and out, so it has the same immutability as a real store. Every operation completes synchronously
 * inside its promise, which makes `put` and `putIfAbsent` trivially atomic on one JS thread.
 *
 * An object's modification time is `Date.now()` when it was written; it lives in the same map entry as
 * the bytes, so a delete removes both and the two can never disagree.
 *
 * Stores are per process (not shared with worker threads): `memory://name` is for single-threaded tests.
 */
import {
  checkObjectKey,
  checkRange,
  compareKeys,
  objectNotFound,
  rangeNotSatisfiable,
  type ObjectInfo,
  type ObjectStore,
} from './object-store.js';

/** A stored object: its bytes (never handed out, only copies) and when they were written. */
interface StoredObject {
  readonly bytes: Uint8Array;
  readonly modified: number;
}

export class MemoryObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly objects = new Map<string, StoredObject>();

  constructor(name = 'default') {
    this.uri = `memory://${name}`;
  }

  async get(key: string): Promise<Uint8Array> {
    checkObjectKey(this.uri, key);
    const bytes = this.objects.get(key)?.bytes;
    if (bytes === undefined) throw objectNotFound(this.uri, key);
    return bytes.slice();
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkObjectKey(this.uri, key);
    checkRange(this.uri, key, offset, length);
    const bytes = this.objects.get(key)?.bytes;
    if (bytes === undefined) throw objectNotFound(this.uri, key);
    if (offset + length > bytes.length) throw rangeNotSatisfiable(this.uri, key, offset, length, bytes.length);
    return bytes.slice(offset, offset + length);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    checkObjectKey(this.uri, key);
    this.objects.set(key, { bytes: bytes.slice(), modified: Date.now() });
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    checkObjectKey(this.uri, key);
    if (this.objects.has(key)) return false;
    this.objects.set(key, { bytes: bytes.slice(), modified: Date.now() });
    return true;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    for (const [key, o] of this.objects) if (key.startsWith(prefix)) out.push({ key, size: o.bytes.length });
    return out.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    checkObjectKey(this.uri, key);
    this.objects.delete(key);
  }

  async exists(key: string): Promise<boolean> {
    checkObjectKey(this.uri, key);
    return this.objects.has(key);
  }

  async lastModified(key: string): Promise<number> {
    checkObjectKey(this.uri, key);
    const o = this.objects.get(key);
    if (o === undefined) throw objectNotFound(this.uri, key);
    return o.modified;
  }
}
