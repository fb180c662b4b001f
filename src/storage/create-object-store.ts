/**
 * Opens an `ObjectStore` from a URI, as written in options such as `execution.checkpointing.dir`:
 * `file:///abs/path`, `file:/abs/path` and plain paths (relative to the working directory) give a
 * `LocalFileObjectStore`; `memory://name` gives the process-wide `MemoryObjectStore` of that name (the
 * same instance every time, so tests can open it twice); `s3://bucket/prefix` (or `s3a://`) gives an
 * `S3ObjectStore` configured from the `s3.*` options in `config` and the AWS environment variables.
 */
import { unsupported, userError } from '../common/index.js';
import { LocalFileObjectStore, type LocalFileObjectStoreOptions } from './local-file-object-store.js';
import { toLocalPath } from './local-files.js';
import { MemoryObjectStore } from './memory-object-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore, s3OptionsFromConfig, type ConfigSource, type S3ObjectStoreOptions } from './s3-object-store.js';

export interface CreateObjectStoreOptions extends LocalFileObjectStoreOptions {
  /** Session configuration holding `s3.endpoint`, `s3.access-key`, … (only read for s3:// locations). */
  readonly config?: ConfigSource;
  /** Environment for the AWS_* fallbacks (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides on top of what `config` and `env` give (retry and paging settings, mostly for tests). */
  readonly s3?: S3ObjectStoreOptions;
}

const memoryStores = new Map<string, MemoryObjectStore>();

export function createObjectStore(uri: string, options: CreateObjectStoreOptions = {}): ObjectStore {
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
    return new S3ObjectStore(uri, { ...s3OptionsFromConfig(options.config, options.env), ...options.s3 });
  }
  if (scheme !== undefined && scheme !== 'file' && uri.slice(scheme.length + 1).startsWith('//')) {
    throw unsupported('IO.UNSUPPORTED_SCHEME', `object store '${uri}': scheme '${scheme}' is not supported`, {
      help: 'supported: a local path, file:///path, memory://name, s3://bucket/prefix',
    });
  }
  if (uri === '') throw userError('IO.INVALID_URI', 'an object store location must not be empty');
  return new LocalFileObjectStore(toLocalPath(uri), { ...(options.durable !== undefined ? { durable: options.durable } : {}) });
}
