/**
 * A view of an `ObjectStore` under a key prefix: every key is `prefix/key` in the underlying store and
 * listings come back relative to the prefix. A checkpoint is written through such a view, so the keys it
 * records are relative to its own folder and the folder can be moved or opened as a savepoint anywhere.
 *
 * A key `../k` names `k` in the folder above the prefix (one level up, never further): incremental
 * checkpoints reference files that earlier checkpoints wrote in their sibling folders this way.
 */
import { checkObjectKey, type ObjectInfo, type ObjectStore } from './object-store.js';

export function prefixedObjectStore(store: ObjectStore, prefix: string): ObjectStore {
  if (prefix === '') return store;
  checkObjectKey(store.uri, prefix);
  const base = prefix + '/';
  const parent = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  // The underlying store validates the result, so `../../k` still fails as a '..' segment.
  const at = (key: string): string => (key.startsWith('../') ? parent + key.slice(3) : base + key);
  const strip = (infos: ObjectInfo[]): ObjectInfo[] => infos.map((o) => ({ key: o.key.slice(base.length), size: o.size }));
  return {
    uri: store.uri.replace(/\/*$/, '') + '/' + prefix,
    get: (key) => store.get(at(key)),
    getRange: (key, offset, length) => store.getRange(at(key), offset, length),
    put: (key, bytes) => store.put(at(key), bytes),
    putIfAbsent: (key, bytes) => store.putIfAbsent(at(key), bytes),
    list: async (p) => strip(await store.list(base + p)),
    delete: (key) => store.delete(at(key)),
    exists: (key) => store.exists(at(key)),
    lastModified: (key) => store.lastModified(at(key)),
  };
}
