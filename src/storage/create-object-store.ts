/**
 * Opens an `ObjectStore` from a URI, as written in options such as `execution.checkpointing.dir`:
 * `file:///abs/path`, `file:/abs/path` and plain paths (relative to the working directory) give a
 * `LocalFileObjectStore`; `memory://name` gives the process-wide `MemoryObjectStore` of that name (the
 * same instance every time, so tests can open it twice); `s3://` is reserved for the S3 store (issue 5).
 */
import { unsupported, userError } from '../common/index.js';
import { LocalFileObjectStore, type LocalFileObjectStoreOptions } from './local-file-object-store.js';
import { toLocalPath } from './local-files.js';
import { MemoryObjectStore } from './memory-object-store.js';
import type { ObjectStore } from './object-store.js';

const memoryStores = new Map<string, MemoryObjectStore>();

export function createObjectStore(uri: string, options: LocalFileObjectStoreOptions = {}): ObjectStore {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'memory') {
    const name = uri.slice('memory:'.length).replace(/^\/\//, '');
    if (name === '' || name.includes('/')) {
      throw userError('IO.INVALID_URI', `invalid memory store URI '${uri}': expected memory://name`);
    }
    let store = memoryStores.get(name);
    if (store === undefined) {
      store = new MemoryObjectStore(name);
      memoryStores.set(name, store);
    }
    return store;
  }
  if (scheme === 's3' || scheme === 's3a') {
    throw unsupported('IO.UNSUPPORTED_SCHEME', `object store '${uri}': S3 storage is not available yet`, {
      help: 'use a local path or a file:// URI for now',
    });
  }
  if (scheme !== undefined && scheme !== 'file' && uri.slice(scheme.length + 1).startsWith('//')) {
    throw unsupported('IO.UNSUPPORTED_SCHEME', `object store '${uri}': scheme '${scheme}' is not supported`, {
      help: 'supported: a local path, file:///path, memory://name',
    });
  }
  if (uri === '') throw userError('IO.INVALID_URI', 'an object store location must not be empty');
  return new LocalFileObjectStore(toLocalPath(uri), options);
}
