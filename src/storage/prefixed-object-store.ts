/**
 * A view of an `ObjectStore` under a key prefix: every key is `prefix/key` in the underlying store and
 * listings come back relative to the prefix. A checkpoint is written through such a view, so the keys it
 * records are relative to its own folder and the folder can be moved or opened as a savepoint anywhere.
 */
import { checkObjectKey, type ObjectInfo, type ObjectStore } from './object-store.js';

export function prefixedObjectStore(store: ObjectStore, prefix: string): ObjectStore {
  if (prefix === '') return store;
  checkObjectKey(store.uri, prefix);
  const base = prefix + '/';
  const strip = (infos: ObjectInfo[]): ObjectInfo[] => infos.map((o) => ({ key: o.key.slice(base.length), size: o.size }));
  return {
    uri: store.uri.replace(/\/*$/, '') + '/' + prefix,
    get: (key) => store.get(base + key),
    getRange: (key, offset, length) => store.getRange(base + key, offset, length),
    put: (key, bytes) => store.put(base + key, bytes),
    putIfAbsent: (key, bytes) => store.putIfAbsent(base + key, bytes),
    list: async (p) => strip(await store.list(base + p)),
    delete: (key) => store.delete(base + key),
    exists: (key) => store.exists(base + key),
  };
}
