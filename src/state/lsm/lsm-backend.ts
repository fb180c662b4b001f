/**
 * The LSM keyed state backend: a log-structured merge tree whose primary copy lives in an object store
 * (local files, memory, S3), with a memory cache of decoded blocks and a disk cache of whole files.
 *
 * Writes go to the memtable (memtable.ts). When its estimated size reaches `memtableBytes` it is frozen:
 * encoded synchronously into one sorted SST file (sst-format.ts) and uploaded in the background; until
 * the upload finishes the frozen memtable itself answers reads. Uploads run one at a time, so runs enter
 * the version in write order. The version is an immutable array of runs, newest first; reads resolve a
 * key newest-first across memtable and runs (the first version found wins; tombstones and map markers
 * hide older ones). Size-tiered compaction (lsm-compaction.ts) merges runs in the background, in slices
 * that yield to the event loop, and swaps the result in; it never blocks reads, which hold references
 * to the runs they read. If runs pile up faster than compaction merges them, writes stall on it.
 *
 * The flush encodes synchronously on purpose: operators mutate state values in place and put them back
 * (state-api.ts), so only an encode at the freeze instant is a consistent copy. It costs a few µs per
 * entry (measured 0.3–0.9 s for 300k small aggregates, about 17 MB of memtable estimate).
 *
 * Ordering (state-api.ts): every call is one operation on a per-backend queue. An operation that can be
 * answered from memory (all writes; reads of memtable keys) completes synchronously when the queue is
 * idle; one that needs I/O makes later operations wait for it, so calls complete in issue order and a
 * read observes every write issued before it. Within a read, missing blocks are fetched in parallel
 * (bounded by `ioParallelism`, de-duplicated per block), one round per run level.
 *
 * TTL: as the heap backend (write time per value/list key and per map user key, reads do not refresh,
 * an entry is expired once `now - writeTime >= ttl`). Expired entries are never returned; compaction
 * turns them into tombstones, and a compaction that includes the oldest run drops them along with
 * tombstones and markers.
 *
 * Values: memtable hits return the stored object (as the heap backend), SST hits a fresh decoded copy.
 * Map-state `getMany` lists entries from newer levels first, then in user-key order (the heap backend
 * keeps insertion order; operators must not depend on either).
 *
 * File ownership and deletion: see lsm-snapshot.ts. Restore: lsm-restore.ts. The states: lsm-states.ts.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FloeError, internalError } from '../../common/index.js';
import { createObjectStore, toLocalPath, type ObjectStore } from '../../storage/index.js';
import { keyGroupOf } from '../key-codec.js';
import type { KeyedStateKind, KeyedStateSnapshot, SnapshotStateInfo } from '../keyed-state-snapshot.js';
import type { KeyedStateBackend, KeyGroupRange, ListState, MapState, SnapshotOptions, StateDescriptor, StateKey, ValueState } from '../state-api.js';
import { STATE_VALUE_CODEC_VERSION } from '../value-codec.js';
import { compactRuns, pickCompaction } from './lsm-compaction.js';
import type { CompactionInput } from './lsm-compaction.js';
import { ENTRY_SEPARATOR, MAP_RANGE_END, mapPrefix, MARKER_SUFFIX, stateTag } from './lsm-keys.js';
import { firstDurable, FoundEntry, Run } from './lsm-run.js';
import { LSM_STATE_SNAPSHOT_FORMAT } from './lsm-snapshot.js';
import type { LsmSnapshotFileInfo, LsmStateSnapshot } from './lsm-snapshot.js';
import { LsmListState, LsmMapState, LsmValueState } from './lsm-states.js';
import type { RegisteredState } from './lsm-states.js';
import { MemEntry, Memtable } from './memtable.js';
import { bloomHash1, bloomHash2 } from './bloom-filter.js';
import { blockFor, ENTRY_MARKER, ENTRY_PUT, FOOTER_BYTES, parseFooter, parseIndex, SST_FORMAT_VERSION, SstWriter } from './sst-format.js';
import type { DecodedBlock, SstBuildResult, SstIndex } from './sst-format.js';
import { createLsmCaches, newFileId, SstReader } from './sst-reader.js';
import type { LsmCaches, LsmStats, SstFileRef } from './sst-reader.js';

export interface LsmKeyedStateBackendOptions {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Processing-time clock for TTL (epoch ms); defaults to `Date.now`. */
  readonly clock?: () => number;
  /** Where this backend writes its SST files: the primary copy of the state. */
  readonly primaryStore: ObjectStore;
  /** Folder in `primaryStore` for this backend's files; a unique instance folder is created below it. */
  readonly primaryPrefix?: string;
  /** Memtable size (estimated bytes) that triggers a flush; default 8 MiB. */
  readonly memtableBytes?: number;
  /** Target SST data block size; default 4 KiB (a point lookup reads one block). */
  readonly blockBytes?: number;
  /** Memory cache of decoded blocks, bytes (0 = none); default 64 MiB. */
  readonly memoryCacheBytes?: number;
  /** Memory cache of file indexes and bloom filters, bytes; default 64 MiB. */
  readonly indexCacheBytes?: number;
  /** Disk cache of whole files, bytes (0 = none, the default). */
  readonly diskCacheBytes?: number;
  /** Local folder for the disk cache; default a fresh folder under the OS temp dir. */
  readonly diskCacheDir?: string;
  /** Concurrent requests to the primary store; default 16. */
  readonly ioParallelism?: number;
  /** Similar-sized runs that trigger a size-tiered compaction; default 4. */
  readonly compactionTrigger?: number;
  /** Snapshots kept retained until newer ones exist (see lsm-snapshot.ts); default unlimited. */
  readonly retainedSnapshots?: number;
  /** Opens the store of a restored file by URI; default `createObjectStore`. */
  readonly openStore?: (uri: string) => ObjectStore;
  /** Caches shared with other backends (then the cache size options above are ignored). */
  readonly caches?: LsmCaches;
  /**
   * The primary store is a local temp folder nothing else references (no checkpointing): dispose
   * removes this backend's whole folder, retained snapshots included.
   */
  readonly temporary?: boolean;
}

export interface LsmKeyedStateBackend extends KeyedStateBackend {
  /** Counters of the read path, caches and background work. */
  stats(): LsmStats & {
    readonly hitRate: number;
    readonly runs: number;
    /** Bytes of the SST files of the current version, and the largest such figure so far. */
    readonly versionBytes: number;
    readonly peakVersionBytes: number;
    readonly memtableBytes: number;
    readonly memoryCacheBytes: number;
    readonly indexCacheBytes: number;
    readonly diskCacheBytes: number;
  };
  /** Releases the files a snapshot kept alive (they are deleted once nothing else references them). */
  releaseSnapshot(snapshot: LsmStateSnapshot): void;
  /** Resolves when background flushes and compactions have settled (tests, orderly shutdown). */
  settle(): Promise<void>;
}

export function createLsmKeyedStateBackend(options: LsmKeyedStateBackendOptions): LsmKeyedStateBackend {
  return new LsmBackend(options);
}

const DEFAULTS = {
  memtableBytes: 8 * 1024 * 1024,
  blockBytes: 4 * 1024,
  memoryCacheBytes: 64 * 1024 * 1024,
  indexCacheBytes: 64 * 1024 * 1024,
  diskCacheBytes: 0,
  ioParallelism: 16,
  compactionTrigger: 4,
};

interface RetainedSnapshot {
  readonly id: string;
  readonly runs: readonly Run[];
}

const NOOP = (): void => undefined;
/** Runs in the version (per compaction trigger) above which writes wait for the running compaction. */
const STALL_RUNS_PER_TRIGGER = 5;
/**
 * Frozen memtables whose upload has not finished, above which a flushing write waits for the oldest
 * upload (RocksDB's max_write_buffer_number). Without it an operator that never yields to the event loop
 * (a fast source feeding synchronous state calls) never lets an upload complete: every frozen memtable
 * stays in memory, reads never reach the files, and state cannot outgrow the heap.
 */
const MAX_FROZEN_MEMTABLES = 2;

export class LsmBackend implements LsmKeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly clock: () => number;
  readonly reader: SstReader;
  private readonly store: ObjectStore;
  private readonly filePrefix: string;
  private readonly memtableBytes: number;
  private readonly blockBytes: number;
  private readonly compactionTrigger: number;
  private readonly retainedSnapshots: number;
  private readonly temporary: boolean;
  readonly openStore: (uri: string) => ObjectStore;
  private readonly states = new Map<string, RegisteredState>();
  private readonly stateList: RegisteredState[] = [];
  active = new Memtable();
  /** Newest first; replaced, never mutated, so a reader can hold on to one. */
  version: readonly Run[] = [];
  private fileSeq = 0;
  private uploads: Promise<void> = Promise.resolve();
  private compaction: Promise<void> | null = null;
  private failure: unknown = null;
  private disposed = false;
  private readonly retained: RetainedSnapshot[] = [];
  /** Largest `versionBytes` seen: the peak size of the state's files (sizes caches in tests, benchmarks). */
  private peakVersionBytes = 0;
  /** Operations queued behind one that waits for I/O (0 = the next one may run synchronously). */
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: LsmKeyedStateBackendOptions) {
    const { maxParallelism, keyGroupRange } = options;
    if (!(keyGroupRange.start >= 0 && keyGroupRange.end >= keyGroupRange.start && keyGroupRange.end < maxParallelism && maxParallelism <= 65536)) {
      throw internalError(`invalid key-group range [${keyGroupRange.start}, ${keyGroupRange.end}] for maxParallelism ${maxParallelism}`);
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.clock = options.clock ?? Date.now;
    this.store = options.primaryStore;
    const base = (options.primaryPrefix ?? '').replace(/^\/+|\/+$/g, '');
    const instance = `kg-${keyGroupRange.start}-${keyGroupRange.end}-${randomUUID().slice(0, 8)}`;
    this.filePrefix = base === '' ? instance : `${base}/${instance}`;
    this.memtableBytes = options.memtableBytes ?? DEFAULTS.memtableBytes;
    this.blockBytes = options.blockBytes ?? DEFAULTS.blockBytes;
    this.compactionTrigger = Math.max(2, options.compactionTrigger ?? DEFAULTS.compactionTrigger);
    this.retainedSnapshots = options.retainedSnapshots ?? Infinity;
    this.temporary = options.temporary ?? false;
    this.openStore = options.openStore ?? ((uri) => (uri === this.store.uri ? this.store : createObjectStore(uri)));
    const caches =
      options.caches ??
      createLsmCaches(
        {
          memoryBytes: options.memoryCacheBytes ?? DEFAULTS.memoryCacheBytes,
          indexBytes: options.indexCacheBytes ?? DEFAULTS.indexCacheBytes,
          diskBytes: options.diskCacheBytes ?? DEFAULTS.diskCacheBytes,
        },
        options.diskCacheDir ?? join(tmpdir(), `floe-lsm-cache-${randomUUID()}`),
        false,
      );
    this.reader = new SstReader({ caches, ioParallelism: options.ioParallelism ?? DEFAULTS.ioParallelism });
  }

  // ---- key groups, states ----

  /** The key group of `key`, which this backend must own. */
  kg(key: StateKey): number {
    const g = keyGroupOf(key, this.maxParallelism);
    if (g < this.keyGroupRange.start || g > this.keyGroupRange.end) {
      throw internalError(
        `state key in key group ${g} reached a subtask owning key groups [${this.keyGroupRange.start}, ${this.keyGroupRange.end}]`,
        { notes: ['the input was not hash-partitioned by the same key the operator uses for state'] },
      );
    }
    return g;
  }

  register<S>(kind: KeyedStateKind, descriptor: StateDescriptor, make: (reg: RegisteredState) => S): S {
    const ttlMs = descriptor.ttlMs ?? 0;
    if (!(ttlMs >= 0)) throw internalError(`state '${descriptor.name}': ttlMs must be >= 0, got ${ttlMs}`);
    if (descriptor.name.length > 0xffff) throw internalError(`state name of ${descriptor.name.length} characters is too long`);
    const existing = this.states.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.kind !== kind || existing.ttlMs !== ttlMs) {
        throw internalError(`state '${descriptor.name}' was registered as ${existing.kind} state with ttl ${existing.ttlMs} ms`);
      }
      return existing.impl as S;
    }
    const partial = { index: this.stateList.length, name: descriptor.name, kind, ttlMs, tag: stateTag(kind, descriptor.name), impl: null as unknown };
    const impl = make(partial);
    partial.impl = impl;
    this.states.set(descriptor.name, partial);
    this.stateList.push(partial);
    return impl;
  }

  valueState<V>(descriptor: StateDescriptor): ValueState<V> {
    return this.register('value', descriptor, (reg) => new LsmValueState<V>(this, reg));
  }

  mapState<V>(descriptor: StateDescriptor): MapState<V> {
    return this.register('map', descriptor, (reg) => new LsmMapState<V>(this, reg));
  }

  listState<V>(descriptor: StateDescriptor): ListState<V> {
    return this.register('list', descriptor, (reg) => new LsmListState<V>(this, reg));
  }

  /** Registers a state found in a snapshot manifest (restore). */
  restoreState(info: SnapshotStateInfo): void {
    const d: StateDescriptor = { name: info.name, ttlMs: info.ttlMs };
    if (info.kind === 'value') this.valueState(d);
    else if (info.kind === 'list') this.listState(d);
    else this.mapState(d);
  }

  ttlOfState(name: string): number {
    return this.states.get(name)?.ttlMs ?? 0;
  }

  // ---- the operation queue ----

  /**
   * Runs `op` in issue order. When nothing waits for I/O it runs synchronously and a synchronous result
   * is returned as one settled promise; otherwise it runs after the operations issued before it.
   */
  enqueue<T>(op: () => T | Promise<T>): Promise<T> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queued === 0) {
      let r: T | Promise<T>;
      try {
        r = op();
      } catch (e) {
        return Promise.reject(e);
      }
      if (!(r instanceof Promise)) return Promise.resolve(r);
      return this.track(r);
    }
    return this.track(this.tail.then(op));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.queued++;
    const done = p.finally(() => {
      this.queued--;
    });
    this.tail = done.then(NOOP, NOOP);
    return done;
  }

  // ---- writes ----

  /**
   * Called after each write: freezes and flushes the memtable once it is large enough. When runs pile
   * up faster than compaction merges them (it runs in slices between other work, and a busy operator
   * can starve it), the write completes only after the running compaction: a write stall, as in
   * RocksDB, which keeps the number of levels a read must visit bounded. Likewise when more than
   * `MAX_FROZEN_MEMTABLES` memtables wait for their upload, the flushing write completes only after the
   * oldest upload (so memory holds a bounded number of memtables).
   */
  afterWrite(): Promise<void> | undefined {
    if (this.active.bytes >= this.memtableBytes) {
      this.flush();
      const frozen = firstDurable(this.version);
      if (frozen > MAX_FROZEN_MEMTABLES) {
        this.reader.stats.uploadStalls++;
        return this.version[frozen - 1]!.durable;
      }
    }
    if (this.compaction !== null && this.version.length > STALL_RUNS_PER_TRIGGER * this.compactionTrigger) return this.compaction;
    return undefined;
  }

  /**
   * Freezes the memtable: encodes it into an SST now (synchronously: the file is a consistent copy) and
   * uploads it in the background. The frozen memtable answers reads until the upload is done.
   */
  flush(): void {
    const mt = this.active;
    if (mt.writes === 0) return;
    const built = this.encodeMemtable(mt); // throws before anything changes if a value cannot be encoded
    this.active = new Memtable();
    if (built === null) {
      // Every write was a no-op deletion of a key with no older version: nothing to keep.
      return;
    }
    const key = `${this.filePrefix}/${String(++this.fileSeq).padStart(6, '0')}.sst`;
    const ref: SstFileRef = { id: newFileId(), store: this.store, key, size: built.bytes.length, crc32: built.crc32 };
    const index = indexOfBuilt(key, built.bytes);
    const range = { start: built.minKeyGroup, end: built.maxKeyGroup };
    const run = new Run(ref, range, range, true, built.entries, built.livePrimaryKeys, mt, index.firstKeys.length);
    this.reader.setIndex(ref, index);
    this.setVersion([run, ...this.version]);
    this.reader.stats.flushes++;
    const upload = this.uploads.then(async () => {
      await this.store.put(key, built.bytes);
      this.reader.stats.bytesWritten += built.bytes.length;
      await this.reader.diskCache.add(ref.id, built.bytes);
      run.mem = null;
      this.maybeCompact();
    });
    run.durable = upload;
    this.uploads = upload.catch((e: unknown) => {
      // The frozen memtable still serves reads, but the state can no longer be made durable.
      this.fail(e);
    });
  }

  /**
   * Encodes a memtable into one SST. Entries are bucketed by key group (the first code unit of the
   * internal key) and each bucket is sorted on its own by the rest of the key (state tag, then key):
   * tags are prefix-free, so this is exactly internal-key order, and it sorts about 6× faster than
   * one sort of all keys (shorter strings without the shared prefix, fewer comparisons).
   */
  private encodeMemtable(mt: Memtable): SstBuildResult | null {
    const base = this.keyGroupRange.start;
    const buckets = new Array<SortItem[] | undefined>(this.keyGroupRange.end - base + 1);
    const markerEntry = new MemEntry(ENTRY_MARKER, 0, undefined, 0);
    let count = 0;
    const add = (kg: number, suffix: string, e: MemEntry): void => {
      let b = buckets[kg - base];
      if (b === undefined) {
        b = [];
        buckets[kg - base] = b;
      }
      b.push(new SortItem(suffix, e));
      count++;
    };
    for (const reg of this.stateList) {
      const kv = mt.kv[reg.index];
      if (kv !== undefined) for (const [k, e] of kv) add(e.kg, reg.tag + k, e);
      const maps = mt.maps[reg.index];
      if (maps !== undefined) {
        for (const [k, mm] of maps) {
          // mapPrefix without its key-group unit: the bucket supplies it.
          const prefix = mapPrefix(mm.kg, reg.tag, k).substring(1);
          if (mm.marker) add(mm.kg, prefix + MARKER_SUFFIX, markerEntry);
          for (const [uk, e] of mm.entries) add(mm.kg, prefix + ENTRY_SEPARATOR + uk, e);
        }
      }
    }
    if (count === 0) return null;
    const w = new SstWriter(this.blockBytes);
    for (let gi = 0; gi < buckets.length; gi++) {
      const b = buckets[gi];
      if (b === undefined) continue;
      b.sort(compareSortItems);
      const kgChar = String.fromCharCode(base + gi);
      for (let i = 0; i < b.length; i++) {
        const key = kgChar + b[i]!.suffix;
        const e = b[i]!.entry;
        try {
          if (e.type === ENTRY_PUT) w.putValue(key, e.time, e.value);
          else w.deletion(key, e.type);
        } catch (err) {
          if (err instanceof FloeError && err.code === 'STATE.UNSERIALIZABLE_VALUE') {
            throw new FloeError(err.kind, err.code, `state '${stateNameOf(key)}': ${err.message}`, { notes: err.notes, cause: err });
          }
          throw err;
        }
      }
    }
    return w.finish();
  }

  private fail(e: unknown): void {
    if (this.failure === null) this.failure = e;
  }

  // ---- compaction and file lifetime ----

  private maybeCompact(): void {
    if (this.compaction !== null || this.disposed || this.failure !== null) return;
    const pick = pickCompaction(this.version, this.compactionTrigger);
    if (pick === null) return;
    const inputs = this.version.slice(pick.start, pick.end);
    const bottom = pick.end === this.version.length;
    for (const r of inputs) r.refs++;
    this.compaction = this.runCompaction(inputs, bottom)
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        for (const r of inputs) this.unref(r);
        this.compaction = null;
        this.maybeCompact();
      });
  }

  private async runCompaction(inputs: readonly Run[], bottom: boolean): Promise<void> {
    const now = this.clock();
    // Inputs are streamed in chunks of blocks (lsm-compaction.ts), not loaded whole: merging the
    // largest runs must not hold the whole state in memory.
    const loaded: CompactionInput[] = [];
    for (const r of inputs) {
      const ref = r.ref;
      loaded.push({ key: ref.key, range: r.range, index: await this.runIndex(r), read: (offset, length) => this.reader.range(ref, offset, length) });
    }
    const built = await compactRuns(loaded, {
      bottom,
      now,
      blockBytes: this.blockBytes,
      range: this.keyGroupRange,
      ttlOf: (name) => this.ttlOfState(name),
    });
    let output: Run | null = null;
    if (built !== null) {
      const key = `${this.filePrefix}/${String(++this.fileSeq).padStart(6, '0')}.sst`;
      await this.store.put(key, built.bytes);
      this.reader.stats.bytesWritten += built.bytes.length;
      const ref: SstFileRef = { id: newFileId(), store: this.store, key, size: built.bytes.length, crc32: built.crc32 };
      const index = indexOfBuilt(key, built.bytes);
      this.reader.setIndex(ref, index);
      await this.reader.diskCache.add(ref.id, built.bytes);
      const range = { start: built.minKeyGroup, end: built.maxKeyGroup };
      output = new Run(ref, range, range, true, built.entries, built.livePrimaryKeys, null, index.firstKeys.length);
    }
    if (this.disposed) {
      if (output !== null) await this.store.delete(output.ref.key);
      return;
    }
    // The inputs are still contiguous in the version: only compaction removes runs, one at a time.
    const at = this.version.indexOf(inputs[0]!);
    if (at < 0 || this.version[at + inputs.length - 1] !== inputs[inputs.length - 1]) throw internalError('LSM compaction inputs left the version');
    this.setVersion([...this.version.slice(0, at), ...(output === null ? [] : [output]), ...this.version.slice(at + inputs.length)]);
    for (const r of inputs) this.unref(r);
    this.reader.stats.compactions++;
  }

  /** Replaces the version (flush, compaction, restore) and tracks the peak size of its files. */
  private setVersion(next: readonly Run[]): void {
    this.version = next;
    const bytes = versionBytes(next);
    if (bytes > this.peakVersionBytes) this.peakVersionBytes = bytes;
  }

  /** Drops one reference; a file this backend wrote is deleted when none remain. */
  unref(run: Run): void {
    run.refs--;
    if (run.refs > 0 || run.deleted) return;
    run.deleted = true;
    this.reader.forget(run.ref, run.blockCount);
    if (!run.owned) return;
    this.reader.stats.filesDeleted++;
    // A failed delete leaves garbage, never wrong state: nothing references the file any more.
    void run.durable.then(() => this.store.delete(run.ref.key)).catch(NOOP);
  }

  /** Pins the runs of `runs` for a read (released with `releaseRuns`). */
  pinRuns(runs: readonly Run[], from: number): void {
    for (let i = from; i < runs.length; i++) runs[i]!.refs++;
  }

  releaseRuns(runs: readonly Run[], from: number): void {
    for (let i = from; i < runs.length; i++) this.unref(runs[i]!);
  }

  /** The index of a durable run (from the index cache, else read from the store). */
  async runIndex(run: Run): Promise<SstIndex> {
    const index = await this.reader.index(run.ref);
    run.blockCount = index.firstKeys.length;
    return index;
  }

  /**
   * The indexes of `runs[from..]` (at `[i - from]`), reading the uncached ones in parallel (restored files
   * are opened lazily; others may have been evicted from the index cache). Callers use the returned
   * objects, never the cache, afterwards: loading one index may evict another of the same read.
   */
  private async runIndexes(runs: readonly Run[], from: number): Promise<SstIndex[]> {
    const out = new Array<SstIndex>(runs.length - from);
    let missing: Promise<void>[] | null = null;
    for (let i = from; i < runs.length; i++) {
      const run = runs[i]!;
      const cached = this.reader.cachedIndex(run.ref);
      if (cached !== undefined) out[i - from] = cached;
      else (missing ??= []).push(this.runIndex(run).then((ix) => void (out[i - from] = ix)));
    }
    if (missing !== null) await Promise.all(missing);
    return out;
  }

  /** Adds runs restored from a snapshot (oldest last). */
  installRestored(runs: Run[]): void {
    this.setVersion([...this.version, ...runs]);
  }

  // ---- reads across levels ----

  /**
   * Point lookups of `probes` (internal keys) in the durable runs `runs[from..]`, newest first. For map
   * entries `markers[p]` is the marker key of the probe's map prefix: a run holding the marker but not
   * the entry answers "deleted". Returns per probe the block and position of the newest version found
   * (null: not found, or hidden by a marker).
   *
   * Latency: a probe is first resolved through the runs whose blocks are in the memory cache, without
   * waiting. From its first uncached candidate on, it collects every candidate block down the runs (until
   * a cached block decides it) and all probes' blocks are fetched at once: one round trip to the primary
   * store per batch of probes instead of one per run visited. The price is an occasional block fetched
   * for a run older than the one that holds the key.
   */
  async lookup(
    runs: readonly Run[],
    from: number,
    probes: readonly string[],
    primaries: readonly string[],
    markers: readonly string[] | null,
  ): Promise<(FoundEntry | null)[]> {
    const n = probes.length;
    const out = new Array<FoundEntry | null>(n).fill(null);
    const indexes = await this.runIndexes(runs, from);
    // Each probe meets the bloom filters of many runs: hash its keys once.
    const hashes = new ProbeHashes(primaries, markers === null ? null : probes, markers);
    /** Probes waiting for fetched blocks: their uncached candidates, newest first, and a cached verdict below them. */
    const speculative: { p: number; candidates: number[]; below: FoundEntry | null | undefined }[] = [];
    /** Uncached blocks of waiting candidates, per run (`[ri - from]`), each once. */
    const wanted: Set<number>[] = [];
    /** Cached blocks of waiting candidates, held so an eviction meanwhile cannot lose them. */
    const held = new Map<number, DecodedBlock>();
    const fetchKey = (ri: number, b: number) => ri * 0x100000000 + b;
    const want = (ri: number, b: number): void => {
      if (b >= 0) (wanted[ri - from] ??= new Set()).add(b);
    };
    for (let p = 0; p < n; p++) {
      const key = probes[p]!;
      const g = key.charCodeAt(0);
      let waiting: number[] | null = null; // (run, block, marker block) triples
      let below: FoundEntry | null | undefined = undefined;
      for (let ri = from; ri < runs.length; ri++) {
        const run = runs[ri]!;
        const index = indexes[ri - from]!;
        if (g < run.range.start || g > run.range.end) continue;
        if (!hashes.mayHold(index, p)) {
          this.reader.stats.bloomSkips++;
          continue;
        }
        const b = blockFor(index, key);
        const mb = markers === null ? -1 : blockFor(index, markers[p]!);
        if (b < 0 && mb < 0) continue;
        const block = b < 0 ? null : this.reader.cachedBlock(run.ref, b);
        const markerBlock = mb < 0 ? null : this.reader.cachedBlock(run.ref, mb);
        const cached = (b < 0 || block !== null) && (mb < 0 || markerBlock !== null);
        if (!cached) {
          waiting ??= [];
          waiting.push(ri, b, mb);
          if (block === null) want(ri, b);
          else held.set(fetchKey(ri, b), block);
          if (markerBlock === null) want(ri, mb);
          else held.set(fetchKey(ri, mb), markerBlock);
          continue;
        }
        const decided = this.decide(block, markerBlock, key, markers?.[p], run.ref.key);
        if (decided === undefined) continue;
        if (waiting === null) out[p] = decided;
        else below = decided; // the answer unless a newer, uncached candidate knows the key
        break;
      }
      if (waiting !== null) speculative.push({ p, candidates: waiting, below });
    }
    if (speculative.length === 0) return out;
    const keys: number[] = [];
    const pending: Promise<DecodedBlock>[] = [];
    wanted.forEach((set, r) => {
      const bs = [...set].sort((a, b) => a - b);
      const ps = this.reader.blocks(runs[r + from]!.ref, indexes[r]!, bs);
      for (let i = 0; i < bs.length; i++) {
        keys.push(fetchKey(r + from, bs[i]!));
        pending.push(ps[i]!);
      }
    });
    const blocks = await Promise.all(pending);
    const fetched = held;
    for (let i = 0; i < keys.length; i++) fetched.set(keys[i]!, blocks[i]!);
    // Every block of a waiting candidate was fetched or taken from the cache above, and is held here.
    const blockAt = (ri: number, b: number): DecodedBlock | null => (b < 0 ? null : fetched.get(fetchKey(ri, b))!);
    for (const { p, candidates, below } of speculative) {
      let answer = below;
      for (let c = 0; c < candidates.length; c += 3) {
        const ri = candidates[c]!;
        const decided = this.decide(blockAt(ri, candidates[c + 1]!), blockAt(ri, candidates[c + 2]!), probes[p]!, markers?.[p], runs[ri]!.ref.key);
        if (decided !== undefined) {
          answer = decided;
          break;
        }
      }
      out[p] = answer ?? null;
    }
    return out;
  }

  /**
   * What one run says about `key`, from its block for the key and its block for the map's marker (null:
   * none): the entry (found), null (the marker hides it), or undefined (the run does not know the key).
   */
  private decide(block: DecodedBlock | null, markerBlock: DecodedBlock | null, key: string, marker: string | undefined, file: string): FoundEntry | null | undefined {
    if (block !== null) {
      const j = block.lowerBound(key);
      if (j < block.size && block.keyAt(j) === key) return new FoundEntry(block, j, file);
    }
    if (markerBlock !== null && marker !== undefined) {
      const j = markerBlock.lowerBound(marker);
      if (j < markerBlock.size && markerBlock.keyAt(j) === marker) return null;
    }
    return undefined;
  }

  /**
   * Scans the entries under each map prefix in the durable runs `runs[from..]`, newest first, calling
   * `visit(p, block, position, file, key)` for each entry and marker. A probe stops descending after a run where
   * `visit` returned true (it met a marker: older runs are hidden) or when `done[p]` is set.
   */
  async scan(
    runs: readonly Run[],
    from: number,
    prefixes: readonly string[],
    done: boolean[],
    visit: (p: number, block: DecodedBlock, j: number, file: string, key: string) => boolean,
  ): Promise<void> {
    const indexes = await this.runIndexes(runs, from);
    const hashes = new ProbeHashes(prefixes, null, null);
    // The blocks of every run are requested at once (one round trip to the primary store, not one per
    // run) and visited newest first; only blocks below a run whose marker ends a probe are read in vain.
    const perRun: { ri: number; cand: number[]; first: number[]; last: number[]; blocks: Set<number> }[] = [];
    for (let ri = from; ri < runs.length; ri++) {
      const run = runs[ri]!;
      const index = indexes[ri - from]!;
      const cand: number[] = [];
      const first: number[] = [];
      const last: number[] = [];
      const blocks = new Set<number>();
      for (let p = 0; p < prefixes.length; p++) {
        if (done[p]) continue;
        const prefix = prefixes[p]!;
        const g = prefix.charCodeAt(0);
        if (g < run.range.start || g > run.range.end) continue;
        if (!hashes.mayHold(index, p)) {
          this.reader.stats.bloomSkips++;
          continue;
        }
        const lo = Math.max(0, blockFor(index, prefix));
        const hi = blockFor(index, prefix + MAP_RANGE_END);
        if (hi < lo) continue;
        cand.push(p);
        first.push(lo);
        last.push(hi);
        for (let b = lo; b <= hi; b++) blocks.add(b);
      }
      if (cand.length > 0) perRun.push({ ri, cand, first, last, blocks });
    }
    const loaded = await Promise.all(perRun.map(async (r) => {
      const m = new Map<number, DecodedBlock>();
      const keys = [...r.blocks].sort((a, b) => a - b);
      const values = await Promise.all(this.reader.blocks(runs[r.ri]!.ref, indexes[r.ri - from]!, keys));
      for (let i = 0; i < keys.length; i++) m.set(keys[i]!, values[i]!);
      return m;
    }));
    for (let r = 0; r < perRun.length; r++) {
      const { ri, cand, first, last } = perRun[r]!;
      const blocks = loaded[r]!;
      const file = runs[ri]!.ref.key;
      for (let c = 0; c < cand.length; c++) {
        const p = cand[c]!;
        if (done[p]) continue; // a newer run's marker hid this one
        const prefix = prefixes[p]!;
        const end = prefix + MAP_RANGE_END;
        let stop = false;
        for (let b = first[c]!; b <= last[c]!; b++) {
          const block = blocks.get(b)!;
          for (let j = b === first[c] ? block.lowerBound(prefix) : 0; j < block.size; j++) {
            const k = block.keyAt(j);
            if (k >= end) break;
            if (visit(p, block, j, file, k)) stop = true;
          }
        }
        if (stop) done[p] = true;
      }
    }
  }

  // ---- KeyedStateBackend ----

  approximateKeyCount(): number {
    let n = this.active.liveKeys();
    for (const r of this.version) {
      const width = r.fileRange.end - r.fileRange.start + 1;
      const share = (r.range.end - r.range.start + 1) / width;
      n += Math.round(r.liveKeys * Math.min(1, share));
    }
    return n;
  }

  snapshot(store: ObjectStore, prefix: string, options?: SnapshotOptions): Promise<KeyedStateSnapshot> {
    if (options?.savepoint === true) return this.savepoint(store, prefix);
    return this.durableVersion().then(({ runs, now }) => {
      const id = randomUUID();
      this.retained.push({ id, runs });
      while (this.retained.length > this.retainedSnapshots) this.releaseRuns(this.retained.shift()!.runs, 0);
      return this.manifest(id, runs, now) as unknown as KeyedStateSnapshot;
    });
  }

  /**
   * A self-contained snapshot: the current version's files are copied under `prefix` in `store` and
   * listed with the store '' (the savepoint's own folder). The runs stay pinned only while copied.
   */
  private savepoint(store: ObjectStore, prefix: string): Promise<KeyedStateSnapshot> {
    return this.durableVersion().then(async ({ runs, now }) => {
      try {
        const keys = runs.map((r, i) => `${prefix}/sst-${String(i).padStart(4, '0')}-${r.ref.key.slice(r.ref.key.lastIndexOf('/') + 1)}`);
        // One file at a time: an SST can be large, and the copy holds it in memory.
        for (let i = 0; i < runs.length; i++) await store.put(keys[i]!, await runs[i]!.ref.store.get(runs[i]!.ref.key));
        return this.manifest(randomUUID(), runs, now, (i) => ({ store: '', key: keys[i]! })) as unknown as KeyedStateSnapshot;
      } finally {
        this.releaseRuns(runs, 0);
      }
    });
  }

  /**
   * Flushes the memtable and pins the resulting version, at the queue position of the call (a snapshot's
   * consistency point); resolves once every run is durable in the primary store. The caller releases the
   * runs (`releaseRuns`) when it no longer needs them; on failure they are released here.
   */
  private durableVersion(): Promise<{ runs: readonly Run[]; now: number }> {
    return this.enqueue(() => {
      this.flush();
      const runs = this.version;
      this.pinRuns(runs, 0);
      return { runs, now: this.clock() };
    }).then(async (v) => {
      try {
        await Promise.all(v.runs.map((r) => r.durable));
      } catch (e) {
        this.releaseRuns(v.runs, 0);
        throw e;
      }
      return v;
    });
  }

  private manifest(id: string, runs: readonly Run[], now: number, location?: (i: number) => { store: string; key: string }): LsmStateSnapshot {
    const files: LsmSnapshotFileInfo[] = runs.map((r, i) => ({
      ...(location === undefined ? { store: r.ref.store.uri, key: r.ref.key } : location(i)),
      keyGroupRange: { start: r.range.start, end: r.range.end },
      size: r.ref.size,
      crc32: r.ref.crc32,
      entries: r.entries,
    }));
    return {
      format: LSM_STATE_SNAPSHOT_FORMAT,
      formatVersion: SST_FORMAT_VERSION,
      valueCodecVersion: STATE_VALUE_CODEC_VERSION,
      snapshotId: id,
      maxParallelism: this.maxParallelism,
      keyGroupRange: { start: this.keyGroupRange.start, end: this.keyGroupRange.end },
      takenAtMs: now,
      states: this.stateList.map((s) => ({ name: s.name, kind: s.kind, ttlMs: s.ttlMs })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      files,
      totalBytes: files.reduce((n, f) => n + f.size, 0),
    };
  }

  releaseSnapshot(snapshot: LsmStateSnapshot): void {
    const i = this.retained.findIndex((r) => r.id === snapshot.snapshotId);
    if (i < 0) return;
    const [r] = this.retained.splice(i, 1);
    this.releaseRuns(r!.runs, 0);
  }

  stats(): ReturnType<LsmKeyedStateBackend['stats']> {
    const s = this.reader.stats;
    const lookups = s.blockCacheHits + s.blockCacheMisses;
    return {
      ...s,
      hitRate: lookups === 0 ? 1 : (s.blockCacheHits + s.diskCacheHits) / lookups,
      runs: this.version.length,
      versionBytes: versionBytes(this.version),
      peakVersionBytes: this.peakVersionBytes,
      memtableBytes: this.active.bytes,
      memoryCacheBytes: this.reader.blockCache.usedBytes,
      indexCacheBytes: this.reader.indexCacheBytes,
      diskCacheBytes: this.reader.diskCache.usedBytes,
    };
  }

  async settle(): Promise<void> {
    for (;;) {
      const u = this.uploads;
      const c = this.compaction;
      await u;
      if (c !== null) await c;
      if (u === this.uploads && this.compaction === null) return;
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.tail;
    await this.settle().catch(NOOP);
    this.disposed = true;
    // Drop the version's references; files still held by retained snapshots stay (checkpoints use them).
    const runs = this.version;
    this.version = [];
    for (const r of runs) this.unref(r);
    this.active = new Memtable();
    await Promise.all(runs.map((r) => r.durable.catch(NOOP)));
    this.reader.dispose();
    if (this.temporary && this.store.uri.startsWith('file:')) {
      rmSync(join(toLocalPath(this.store.uri), this.filePrefix), { recursive: true, force: true });
    }
  }
}

/**
 * The bloom hashes of a lookup's probes, computed once: primary keys (value keys, map prefixes), and for
 * map entry probes the full entry keys and the maps' marker keys (the entry bloom, sst-format.ts).
 */
class ProbeHashes {
  private readonly primary1: Int32Array;
  private readonly primary2: Int32Array;
  private readonly entry: Int32Array | null = null;

  constructor(primaries: readonly string[], entries: readonly string[] | null, markers: readonly string[] | null) {
    const n = primaries.length;
    this.primary1 = new Int32Array(n);
    this.primary2 = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.primary1[i] = bloomHash1(primaries[i]!);
      this.primary2[i] = bloomHash2(primaries[i]!);
    }
    if (entries !== null && markers !== null) {
      const e = (this.entry = new Int32Array(4 * n));
      for (let i = 0; i < n; i++) {
        e[4 * i] = bloomHash1(entries[i]!);
        e[4 * i + 1] = bloomHash2(entries[i]!);
        e[4 * i + 2] = bloomHash1(markers[i]!);
        e[4 * i + 3] = bloomHash2(markers[i]!);
      }
    }
  }

  /**
   * Whether the file may hold probe `p`: its primary key, and for a map entry the entry itself or its
   * map's marker (which hides the entry in older files). Files without an entry bloom (format version 1)
   * answer by the primary key alone.
   */
  mayHold(index: SstIndex, p: number): boolean {
    if (!index.bloom.mayContainHashed(this.primary1[p]!, this.primary2[p]!)) return false;
    const e = this.entry;
    const eb = index.entryBloom;
    if (e === null || eb === null) return true;
    return eb.mayContainHashed(e[4 * p]!, e[4 * p + 1]!) || eb.mayContainHashed(e[4 * p + 2]!, e[4 * p + 3]!);
  }
}

/** A memtable entry with its internal key minus the key-group unit, for the flush sort. */
class SortItem {
  constructor(
    readonly suffix: string,
    readonly entry: MemEntry,
  ) {}
}

function compareSortItems(a: SortItem, b: SortItem): number {
  return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
}

function stateNameOf(internalKey: string): string {
  return internalKey.substring(3, 3 + internalKey.charCodeAt(2));
}

/** Bytes of the files of a version (a restored file shared with other subtasks counts whole). */
function versionBytes(runs: readonly Run[]): number {
  let n = 0;
  for (let i = 0; i < runs.length; i++) n += runs[i]!.ref.size;
  return n;
}

function indexOfBuilt(key: string, bytes: Uint8Array): SstIndex {
  const footer = parseFooter(key, bytes.subarray(bytes.length - FOOTER_BYTES));
  return parseIndex(key, bytes.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
}

