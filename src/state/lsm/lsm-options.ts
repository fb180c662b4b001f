/**
 * The LSM backend's options as read from job configuration (`state.backend.lsm.*`, declared in the
 * common option registry), and the process-wide caches several backends share.
 *
 * Caches are per process, not per backend: a job has one backend per stateful operator subtask, and
 * 64 MB each would multiply with the job's size. Backends with the same cache settings share one block
 * cache and one disk cache (file ids are unique in the process, so entries never collide). The memtable
 * stays per backend (its size is per operator subtask).
 *
 * The primary directory defaults to `<execution.checkpointing.dir>/<job>/lsm` when the job checkpoints
 * (the checkpoints reference those files), else to a fresh folder under the OS temp dir.
 */
import { rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMemoryBytes, readOption, userError } from '../../common/index.js';
import { createObjectStore } from '../../storage/index.js';
import type { ObjectStore } from '../../storage/index.js';
import type { KeyGroupRange } from '../state-api.js';
import type { LsmKeyedStateBackendOptions } from './lsm-backend.js';
import { createLsmCaches } from './sst-reader.js';
import type { LsmCacheSizes, LsmCaches } from './sst-reader.js';

type Config = Readonly<Record<string, string>>;

export interface LsmConfigContext {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Primary location when `state.backend.lsm.primary-dir` is unset (null: a temp folder). */
  readonly defaultPrimaryDir: string | null;
  /** Folder for this backend's files inside the primary location (e.g. `node-3-1`). */
  readonly filePrefix: string;
  /** Snapshots kept retained when `state.backend.lsm.retained-snapshots` is unset. */
  readonly defaultRetainedSnapshots?: number;
}

const sharedCaches = new Map<string, LsmCaches>();
let tempPrimary: string | null = null;

/** Backend options from job configuration. */
export function lsmOptionsFromConfig(config: Config, ctx: LsmConfigContext): LsmKeyedStateBackendOptions {
  const configured = readOption(config, 'state.backend.lsm.primary-dir') ?? ctx.defaultPrimaryDir;
  // Files checkpoints point at must survive a crash (fsync); a temp folder dies with the process anyway.
  const durable = configured !== null;
  const primaryStore: ObjectStore = configured !== null ? lsmPrimaryStore(config, configured)! : createObjectStore(temporaryPrimaryDir(), { config, durable });
  const memoryCache = memory(config, 'state.backend.lsm.cache.memory-size');
  const indexCache = memory(config, 'state.backend.lsm.cache.index-size');
  const diskCache = memory(config, 'state.backend.lsm.cache.disk-size');
  const diskDir = readOption(config, 'state.backend.lsm.cache.disk-dir') ?? defaultDiskCacheDir();
  const retainedText = readOption(config, 'state.backend.lsm.retained-snapshots');
  const retained = retainedText === null ? (ctx.defaultRetainedSnapshots ?? Infinity) : integer('state.backend.lsm.retained-snapshots', retainedText, 1);
  return {
    maxParallelism: ctx.maxParallelism,
    keyGroupRange: ctx.keyGroupRange,
    primaryStore,
    primaryPrefix: ctx.filePrefix,
    memtableBytes: Math.max(1, memory(config, 'state.backend.lsm.memtable-size')),
    blockBytes: Math.max(1024, memory(config, 'state.backend.lsm.block-size')),
    ioParallelism: integer('state.backend.lsm.io-parallelism', readOption(config, 'state.backend.lsm.io-parallelism') ?? '16', 1),
    compactionTrigger: integer('state.backend.lsm.compaction.trigger', readOption(config, 'state.backend.lsm.compaction.trigger') ?? '4', 2),
    retainedSnapshots: retained,
    caches: sharedLsmCaches({ memoryBytes: memoryCache, indexBytes: indexCache, diskBytes: diskCache }, diskDir),
    openStore: (uri) => (uri === primaryStore.uri ? primaryStore : createObjectStore(uri, { config, durable })),
    temporary: configured === null,
  };
}

/**
 * The primary store the lsm backends of a job write to (`state.backend.lsm.primary-dir`, else
 * `defaultPrimaryDir`), opened as the backends open it, so its `uri` is the one their snapshot manifests
 * list; null when neither is set (a temp folder no checkpoint references). The runtime's garbage
 * collection of orphaned SST files (src/runtime/lsm-garbage.ts) lists this store.
 */
export function lsmPrimaryStore(config: Config, defaultPrimaryDir: string | null): ObjectStore | null {
  const configured = readOption(config, 'state.backend.lsm.primary-dir') ?? defaultPrimaryDir;
  return configured === null ? null : createObjectStore(configured.trim(), { config, durable: true });
}

/** The process-wide caches for these settings. */
export function sharedLsmCaches(sizes: LsmCacheSizes, diskDir: string): LsmCaches {
  const id = `${sizes.memoryBytes}|${sizes.indexBytes}|${sizes.diskBytes}|${diskDir}`;
  let c = sharedCaches.get(id);
  if (c === undefined) {
    const caches = createLsmCaches(sizes, diskDir, true);
    sharedCaches.set(id, caches);
    // The disk cache is only a cache: it never outlives the process. Only its own folder is removed: the
    // configured one may be shared (worker threads, other settings) or the user's. Worker threads that
    // are terminated do not run exit hooks; their backends' dispose has emptied the folder by then.
    if (sizes.diskBytes > 0) {
      process.once('exit', () => {
        caches.diskCache.clear();
        // The default folder is this process's: remove it once the last cache using it is gone.
        if (diskDir === defaultDiskCacheDir()) tryRemoveEmptyDir(diskDir);
      });
    }
    c = caches;
  }
  return c;
}

/** The disk cache folder when `state.backend.lsm.cache.disk-dir` is unset: one per process. */
function defaultDiskCacheDir(): string {
  return join(tmpdir(), `floe-lsm-cache-${process.pid}`);
}

function tryRemoveEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (another thread's cache still lives there) or already gone: either is fine.
  }
}

/**
 * One temp folder per process (worker threads share the pid, so they share it too). Each backend
 * removes its own instance folder on dispose (`temporary`); the exit hook removes the rest when the
 * thread that registered it exits normally.
 */
function temporaryPrimaryDir(): string {
  if (tempPrimary === null) {
    tempPrimary = join(tmpdir(), `floe-lsm-${process.pid}`);
    const dir = tempPrimary;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return tempPrimary;
}

function memory(config: Config, key: string): number {
  const text = readOption(config, key) ?? '0';
  const n = parseMemoryBytes(text);
  if (n === null) throw userError('CONFIG.BAD_VALUE', `bad value '${text}' for '${key}': expected a size such as '64mb'`);
  return n;
}

function integer(key: string, text: string, min: number): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < min) throw userError('CONFIG.BAD_VALUE', `bad value '${text}' for '${key}': expected an integer >= ${min}`);
  return n;
}
