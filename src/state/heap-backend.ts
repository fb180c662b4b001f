/**
 * The heap keyed state backend: every state lives in JS Maps in this subtask's memory.
 *
 * Layout: each registered state keeps one table per owned key group (`tables[keyGroup - range.start]`),
 * so a snapshot or a rescale can take whole key groups without re-hashing keys. A key's group is
 * `keyGroupOf(key)`; a key outside this subtask's range is a partitioning bug and fails loudly.
 *
 * TTL (`StateDescriptor.ttlMs > 0`) follows Flink's defaults: the timer is set on create and on write
 * (reads do not refresh it), time is processing time (the `clock` option), and an expired entry is never
 * returned. Expired entries are removed lazily when touched and by an incremental cleanup that visits a
 * few entries per state access (Flink's `cleanupIncrementally`), so memory does not grow with keys that
 * are never read again. Value and list states expire per key; map states per user key (a join record or
 * a distinct value each age on their own, as in Flink).
 *
 * Promises: each call does its work synchronously and returns one already-settled promise (never one
 * per key), so the batched API costs one microtask per call on this backend.
 *
 * Ownership: values handed out are the backend's own objects (see state-api.ts): callers treat them as
 * read-only unless they put them back. `ListState.addMany` appends to the stored array in place.
 *
 * Snapshots (`snapshot`, `restoreHeapKeyedStateBackend`): files in the format of heap-snapshot-file.ts,
 * one per contiguous key-group range. `snapshot` encodes synchronously when called (that instant is the
 * snapshot's consistency point; operators mutate values in place, so a lazy copy would not be
 * consistent) and then writes the files asynchronously while processing goes on.
 *
 * Incremental snapshots (`SnapshotOptions.incremental`): from the first incremental snapshot on, every
 * write and delete records its key in the current change generation (one Set per state and key group).
 * A snapshot closes the generation; once its checkpoint is confirmed (`notifyCheckpointComplete`) its
 * files become the base that later snapshots build on. An incremental snapshot writes one delta holding
 * every key changed since the confirmed base (all generations not yet confirmed, so a failed checkpoint
 * loses nothing) and lists the base's files followed by that delta. It writes a full snapshot instead
 * when there is no confirmed base, when at least half of the keys changed (a delta would be as large),
 * or when the base's deltas already add up to its full files' size (so a restore reads at most about
 * twice the state). Deletions done by the TTL cleanup are not recorded: they only remove expired entries,
 * whose earlier version in a file carries its write time and so restores as expired.
 */
import { internalError } from '../common/index.js';
import type { ObjectStore } from '../storage/index.js';
import { applySnapshotFile, encodeSnapshotFiles, fetchSnapshotFile, snapshotFileKey, SNAPSHOT_FILE_FORMAT_VERSION } from './heap-snapshot-file.js';
import type { ChangedKeys, EncodedSnapshotFile, StateTables } from './heap-snapshot-file.js';
import { keyGroupOf } from './key-codec.js';
import { incompatibleSnapshot, KEYED_STATE_SNAPSHOT_FORMAT, rangesOverlap } from './keyed-state-snapshot.js';
import type { KeyedStateKind, KeyedStateSnapshot, SnapshotFileInfo, SnapshotStateInfo } from './keyed-state-snapshot.js';
import type {
  KeyedStateBackend,
  KeyGroupRange,
  ListState,
  MapState,
  SnapshotOptions,
  StateDescriptor,
  StateKey,
  ValueState,
} from './state-api.js';
import { STATE_VALUE_CODEC_VERSION } from './value-codec.js';

export interface HeapKeyedStateBackendOptions {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Processing-time clock for TTL (epoch ms); defaults to `Date.now`. */
  readonly clock?: () => number;
  /** Entries visited by the incremental TTL cleanup per state access call (Flink's default is 5 per access). */
  readonly cleanupEntriesPerAccess?: number;
  /** Snapshot files are cut at a key-group boundary once they reach this size (default 64 MiB). */
  readonly snapshotTargetFileBytes?: number;
}

export function createHeapKeyedStateBackend(options: HeapKeyedStateBackendOptions): KeyedStateBackend {
  return new HeapKeyedStateBackend(options);
}

const RESOLVED: Promise<void> = Promise.resolve();
const DEFAULT_TARGET_FILE_BYTES = 64 * 1024 * 1024;
/** Snapshot files fetched at once during a restore. */
const RESTORE_FETCH_PARALLELISM = 8;
const DONE: Promise<Uint8Array> = Promise.resolve(new Uint8Array(0));

/** What each state implementation exposes to snapshots: its raw per-key-group tables and change tracking. */
interface HeapState {
  stateTables(info: SnapshotStateInfo): StateTables;
  changeTables(): KeyGroupTables<unknown>;
}

/**
 * One state's storage: per key group a Map key → value, and (with TTL) a parallel Map key → last write
 * time. Map states store `Map<userKey, V>` as the value and their write times per user key.
 */
class KeyGroupTables<V> {
  readonly values: Map<StateKey, V>[];
  /** Last write time per key (value/list states with TTL). */
  readonly times: Map<StateKey, number>[] | null;
  /**
   * Keys written or deleted since the current change generation began, per key group (allocated on
   * first change); null while the backend does not track changes (no incremental snapshot yet).
   */
  changed: (Set<StateKey> | undefined)[] | null = null;
  private cleanupCursor: Iterator<[StateKey, V]> | null = null;
  private cleanupGroup = 0;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    groups: number,
    withTimes: boolean,
  ) {
    this.values = Array.from({ length: groups }, () => new Map<StateKey, V>());
    this.times = withTimes ? Array.from({ length: groups }, () => new Map<StateKey, number>()) : null;
  }

  group(key: StateKey): number {
    return this.backend.groupIndex(key);
  }

  /** Records a write or delete of `key` (group offset `g`) for the next incremental snapshot. */
  markChanged(g: number, key: StateKey): void {
    const changed = this.changed;
    if (changed === null) return;
    let set = changed[g];
    if (set === undefined) changed[g] = set = new Set<StateKey>();
    set.add(key);
  }

  size(): number {
    let n = 0;
    for (const m of this.values) n += m.size;
    return n;
  }

  clear(): void {
    for (const m of this.values) m.clear();
    if (this.times !== null) for (const m of this.times) m.clear();
    this.cleanupCursor = null;
  }

  /**
   * Visits up to `budget` entries round-robin over key groups, calling `visit(group, key, value)`; the
   * callback deletes what has expired. Map iterators stay valid under deletion, so the cursor survives
   * between calls; a cursor that reaches the end of a group moves to the next one.
   */
  cleanupStep(budget: number, visit: (g: number, key: StateKey, value: V) => void): void {
    const groups = this.values.length;
    let skipped = 0;
    while (budget > 0 && skipped <= groups) {
      if (this.cleanupCursor === null) this.cleanupCursor = this.values[this.cleanupGroup]!.entries();
      const next = this.cleanupCursor.next();
      if (next.done === true) {
        this.cleanupCursor = null;
        this.cleanupGroup = (this.cleanupGroup + 1) % groups;
        skipped++;
        continue;
      }
      skipped = 0;
      budget--;
      visit(this.cleanupGroup, next.value[0], next.value[1]);
    }
  }
}

class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly clock: () => number;
  readonly cleanupPerAccess: number;
  private readonly groupCount: number;
  private readonly states = new Map<string, { kind: KeyedStateKind; ttlMs: number; impl: HeapState }>();
  private readonly tables: KeyGroupTables<unknown>[] = [];
  private readonly targetFileBytes: number;
  /** Incremental snapshots: the confirmed base, snapshots awaiting confirmation, closed change generations. */
  private incremental: IncrementalState | null = null;

  constructor(options: HeapKeyedStateBackendOptions) {
    const { maxParallelism, keyGroupRange } = options;
    if (!(keyGroupRange.start >= 0 && keyGroupRange.end >= keyGroupRange.start && keyGroupRange.end < maxParallelism)) {
      throw internalError(
        `invalid key-group range [${keyGroupRange.start}, ${keyGroupRange.end}] for maxParallelism ${maxParallelism}`,
      );
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.clock = options.clock ?? Date.now;
    this.cleanupPerAccess = options.cleanupEntriesPerAccess ?? 5;
    this.groupCount = keyGroupRange.end - keyGroupRange.start + 1;
    this.targetFileBytes = options.snapshotTargetFileBytes ?? DEFAULT_TARGET_FILE_BYTES;
  }

  /** Index of `key`'s key group within this backend's range. */
  groupIndex(key: StateKey): number {
    const g = keyGroupOf(key, this.maxParallelism);
    if (g < this.keyGroupRange.start || g > this.keyGroupRange.end) {
      throw internalError(
        `state key in key group ${g} reached a subtask owning key groups [${this.keyGroupRange.start}, ${this.keyGroupRange.end}]`,
        { notes: ['the input was not hash-partitioned by the same key the operator uses for state'] },
      );
    }
    return g - this.keyGroupRange.start;
  }

  private register<S extends HeapState>(kind: KeyedStateKind, descriptor: StateDescriptor, make: (ttl: number) => S): S {
    const ttlMs = descriptor.ttlMs ?? 0;
    if (!(ttlMs >= 0)) throw internalError(`state '${descriptor.name}': ttlMs must be >= 0, got ${ttlMs}`);
    const existing = this.states.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.kind !== kind || existing.ttlMs !== ttlMs) {
        throw internalError(`state '${descriptor.name}' was registered as ${existing.kind} state with ttl ${existing.ttlMs} ms`);
      }
      return existing.impl as unknown as S;
    }
    const impl = make(ttlMs);
    this.states.set(descriptor.name, { kind, ttlMs, impl });
    return impl;
  }

  newTables<V>(withTimes: boolean): KeyGroupTables<V> {
    const t = new KeyGroupTables<V>(this, this.groupCount, withTimes);
    // A state registered after tracking began is tracked from its first write.
    if (this.incremental !== null) t.changed = new Array<Set<StateKey> | undefined>(this.groupCount);
    this.tables.push(t as KeyGroupTables<unknown>);
    return t;
  }

  valueState<V>(descriptor: StateDescriptor): ValueState<V> {
    return this.register('value', descriptor, (ttl) => new HeapValueState<V>(this, ttl));
  }

  mapState<V>(descriptor: StateDescriptor): MapState<V> {
    return this.register('map', descriptor, (ttl) => new HeapMapState<V>(this, ttl));
  }

  listState<V>(descriptor: StateDescriptor): ListState<V> {
    return this.register('list', descriptor, (ttl) => new HeapListState<V>(this, ttl));
  }

  approximateKeyCount(): number {
    let n = 0;
    for (const t of this.tables) n += t.size();
    return n;
  }

  dispose(): Promise<void> {
    for (const t of this.tables) t.clear();
    return RESOLVED;
  }

  /** Registered states, sorted by name (the order of the snapshot's state table). */
  stateTables(): StateTables[] {
    const names = [...this.states.keys()].sort();
    return names.map((name) => {
      const s = this.states.get(name)!;
      return s.impl.stateTables({ name, kind: s.kind, ttlMs: s.ttlMs });
    });
  }

  /** Registers a snapshotted state (restore) with its kind and TTL and returns its tables. */
  restoreState(info: SnapshotStateInfo): StateTables {
    const d: StateDescriptor = { name: info.name, ttlMs: info.ttlMs };
    const impl: HeapState =
      info.kind === 'value'
        ? this.register('value', d, (ttl) => new HeapValueState<unknown>(this, ttl))
        : info.kind === 'list'
          ? this.register('list', d, (ttl) => new HeapListState<unknown>(this, ttl))
          : this.register('map', d, (ttl) => new HeapMapState<unknown>(this, ttl));
    return impl.stateTables(info);
  }

  snapshot(store: ObjectStore, prefix: string, options?: SnapshotOptions): Promise<KeyedStateSnapshot> {
    // Encode now (synchronously): this instant is the consistency point. Only the writes are async.
    const now = this.clock();
    const states = this.stateTables();
    const inc = options?.incremental === true ? this.startTracking() : null;
    let plan: { changed: ChangedKeys | null; base: readonly ChainFile[]; baseBytes: number; deltaBytes: number };
    let encoded: EncodedSnapshotFile[];
    try {
      plan = inc === null ? { changed: null, base: [], baseBytes: 0, deltaBytes: 0 } : this.planIncremental(inc, states, options!.checkpointId);
      encoded = encodeSnapshotFiles(states, this.maxParallelism, this.keyGroupRange, now, this.targetFileBytes, plan.changed);
    } catch (e) {
      return Promise.reject(e);
    }
    const written: ChainFile[] = encoded.map((f) => ({
      folder: options?.folder ?? '',
      info: { key: snapshotFileKey(prefix, f.keyGroupRange), keyGroupRange: f.keyGroupRange, size: f.bytes.length, crc32: f.crc32, entries: f.entries },
    }));
    const writtenBytes = written.reduce((n, f) => n + f.info.size, 0);
    const chain = [...plan.base, ...written];
    if (inc !== null) {
      const full = plan.changed === null;
      inc.pending.set(options!.checkpointId, {
        files: chain,
        baseBytes: full ? writtenBytes : plan.baseBytes,
        deltaBytes: full ? 0 : plan.deltaBytes + writtenBytes,
      });
    }
    // Files of earlier snapshots are named relative to this snapshot's folder (a sibling of theirs).
    const here = options?.folder ?? '';
    const files: SnapshotFileInfo[] = chain.map((f) => (f.folder === here ? f.info : { ...f.info, key: `../${f.folder}/${f.info.key}` }));
    const manifest: KeyedStateSnapshot = {
      format: KEYED_STATE_SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FILE_FORMAT_VERSION,
      valueCodecVersion: STATE_VALUE_CODEC_VERSION,
      maxParallelism: this.maxParallelism,
      keyGroupRange: { start: this.keyGroupRange.start, end: this.keyGroupRange.end },
      takenAtMs: now,
      states: states.map((s) => s.info),
      files,
      totalBytes: files.reduce((n, f) => n + f.size, 0),
      writtenBytes,
    };
    return Promise.all(encoded.map((f, i) => store.put(written[i]!.info.key, f.bytes))).then(() => manifest);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const inc = this.incremental;
    const confirmed = inc?.pending.get(checkpointId);
    if (inc === null || confirmed === undefined) return; // a savepoint, or a snapshot taken before tracking
    inc.base = confirmed;
    for (const id of [...inc.pending.keys()]) if (id <= checkpointId) inc.pending.delete(id);
    // The changes up to this checkpoint are in the confirmed files; later generations stay.
    inc.generations = inc.generations.filter((g) => g.checkpointId > checkpointId);
  }

  /**
   * Starts change tracking on the first incremental snapshot, and closes the current generation: its
   * changes belong to the snapshot being taken. Runs before encoding, at the consistency point.
   */
  private startTracking(): IncrementalState {
    if (this.incremental === null) this.incremental = { base: null, pending: new Map(), generations: [] };
    return this.incremental;
  }

  /** Decides full or delta for this snapshot, closes the current change generation and returns the plan. */
  private planIncremental(
    inc: IncrementalState,
    states: readonly StateTables[],
    checkpointId: number,
  ): { changed: ChangedKeys | null; base: readonly ChainFile[]; baseBytes: number; deltaBytes: number } {
    // Close the current generation (its changes are in this snapshot) and open the next one.
    const names = [...this.states.keys()].sort();
    const closed = new Map<string, (Set<StateKey> | undefined)[]>();
    for (const name of names) {
      const t = this.states.get(name)!.impl.changeTables();
      if (t.changed !== null) closed.set(name, t.changed);
      t.changed = new Array<Set<StateKey> | undefined>(this.groupCount);
    }
    // The generation is tagged with the checkpoint it ends in: it is confirmed with that checkpoint.
    inc.generations.push({ checkpointId, changed: closed });
    const base = inc.base;
    if (base === null || base.deltaBytes >= base.baseBytes) return { changed: null, base: [], baseBytes: 0, deltaBytes: 0 };
    // Union of every generation since the base, per state (in `states` order) and key group.
    let changedKeys = 0;
    const changed = states.map((st) => {
      const perGroup = new Array<Set<StateKey> | undefined>(this.groupCount);
      for (const gen of inc.generations) {
        const sets = gen.changed.get(st.info.name);
        if (sets === undefined) continue;
        for (let g = 0; g < sets.length; g++) {
          const set = sets[g];
          if (set === undefined || set.size === 0) continue;
          const into = perGroup[g];
          if (into === undefined) perGroup[g] = inc.generations.length === 1 ? set : new Set(set);
          else for (const k of set) into.add(k);
        }
      }
      for (const set of perGroup) changedKeys += set?.size ?? 0;
      return perGroup;
    });
    if (changedKeys * 2 >= this.approximateKeyCount()) return { changed: null, base: [], baseBytes: 0, deltaBytes: 0 };
    return { changed, base: base.files, baseBytes: base.baseBytes, deltaBytes: base.deltaBytes };
  }
}

/** A file of a snapshot chain: where it was written (the folder of its snapshot) and its manifest entry. */
interface ChainFile {
  readonly folder: string;
  readonly info: SnapshotFileInfo;
}

/** The files one snapshot lists: full files then deltas, with their sizes for the rebase rule. */
interface SnapshotChain {
  readonly files: readonly ChainFile[];
  readonly baseBytes: number;
  readonly deltaBytes: number;
}

interface IncrementalState {
  /** The last snapshot whose checkpoint completed: what the next delta builds on. */
  base: SnapshotChain | null;
  /** Snapshots taken but not yet confirmed, by checkpoint id. */
  readonly pending: Map<number, SnapshotChain>;
  /** Closed change generations not yet covered by a confirmed snapshot, oldest first. */
  generations: { readonly checkpointId: number; readonly changed: ReadonlyMap<string, readonly (Set<StateKey> | undefined)[]> }[];
}

/**
 * Builds a heap backend holding exactly the key groups of `options.keyGroupRange`, from the snapshots of
 * one operator (one per old subtask, in any order). This is also rescaling: the old subtasks' snapshots
 * cover all key groups, and each new subtask takes its range from whichever files hold it.
 *
 * Fails with `STATE.INCOMPATIBLE_SNAPSHOT` when a snapshot was taken with another maxParallelism, when
 * snapshots overlap or do not cover the range, or when one state name has different kinds or TTLs; with
 * `STATE.CORRUPT_SNAPSHOT` (naming the file) when a file is missing, truncated or fails its checksum.
 */
export async function restoreHeapKeyedStateBackend(
  store: ObjectStore,
  snapshots: readonly KeyedStateSnapshot[],
  options: HeapKeyedStateBackendOptions,
): Promise<KeyedStateBackend> {
  const backend = new HeapKeyedStateBackend(options);
  const target = backend.keyGroupRange;
  const relevant = snapshots.filter((s) => {
    if (s.format !== KEYED_STATE_SNAPSHOT_FORMAT) throw incompatibleSnapshot(`not a keyed-state snapshot manifest (format '${String(s.format)}')`);
    if (s.formatVersion !== SNAPSHOT_FILE_FORMAT_VERSION || s.valueCodecVersion !== STATE_VALUE_CODEC_VERSION) {
      throw incompatibleSnapshot(
        `snapshot of key groups [${s.keyGroupRange.start}, ${s.keyGroupRange.end}] has format version ${s.formatVersion} and value codec version ${s.valueCodecVersion}; this Floe reads ${SNAPSHOT_FILE_FORMAT_VERSION} and ${STATE_VALUE_CODEC_VERSION}`,
      );
    }
    if (s.maxParallelism !== options.maxParallelism) {
      throw incompatibleSnapshot(
        `snapshot was taken with maxParallelism ${s.maxParallelism}, the restoring operator has ${options.maxParallelism}; key groups cannot be remapped`,
      );
    }
    return rangesOverlap(s.keyGroupRange, target);
  });
  checkCoverage(relevant, target);
  // Register every state of every snapshot, even those without data in this range, so a later snapshot
  // of this backend lists them too and a kind/TTL conflict surfaces now.
  const byName = new Map<string, StateTables>();
  for (const s of snapshots) {
    for (const info of s.states) {
      const seen = byName.get(info.name);
      if (seen !== undefined) {
        if (seen.info.kind !== info.kind || seen.info.ttlMs !== info.ttlMs) {
          throw incompatibleSnapshot(
            `state '${info.name}' is ${seen.info.kind} state with ttl ${seen.info.ttlMs} ms in one snapshot and ${info.kind} state with ttl ${info.ttlMs} ms in another`,
          );
        }
        continue;
      }
      byName.set(info.name, backend.restoreState(info));
    }
  }
  const tablesFor = (info: SnapshotStateInfo): StateTables => {
    const t = byName.get(info.name);
    if (t === undefined || t.info.kind !== info.kind || t.info.ttlMs !== info.ttlMs) {
      throw incompatibleSnapshot(`a snapshot file holds state '${info.name}' (${info.kind}, ttl ${info.ttlMs} ms) that its manifest does not list`);
    }
    return t;
  };
  const files = relevant.flatMap((s) => s.files.filter((f) => rangesOverlap(f.keyGroupRange, target)).map((f) => ({ s, f })));
  // Files are fetched RESTORE_FETCH_PARALLELISM ahead but applied in manifest order: a snapshot's deltas
  // replace what its earlier files hold.
  const fetches: Promise<Uint8Array>[] = [];
  const prefetch = (upTo: number): void => {
    for (let i = fetches.length; i < Math.min(upTo, files.length); i++) {
      const p = fetchSnapshotFile(store, files[i]!.f);
      p.catch(() => undefined); // awaited in order below; a later file's failure must not go unhandled meanwhile
      fetches.push(p);
    }
  };
  try {
    for (let i = 0; i < files.length; i++) {
      prefetch(i + RESTORE_FETCH_PARALLELISM);
      const { s, f } = files[i]!;
      applySnapshotFile(f, await fetches[i]!, s.maxParallelism, target, tablesFor);
      fetches[i] = DONE; // let the bytes go
    }
  } catch (e) {
    await backend.dispose();
    throw e;
  }
  return backend;
}

/** The snapshots meeting `target` must not overlap and must together cover it (else state would be lost). */
function checkCoverage(snapshots: readonly KeyedStateSnapshot[], target: KeyGroupRange): void {
  const ranges = snapshots.map((s) => s.keyGroupRange).sort((a, b) => a.start - b.start);
  let covered = target.start - 1;
  let previousEnd = -1;
  for (const r of ranges) {
    // Intervals that meet `target` and each other share a key group inside `target` (Helly, in 1-D).
    if (r.start <= previousEnd) {
      throw incompatibleSnapshot(`snapshots overlap at key group ${Math.max(r.start, target.start)}: each key group must come from exactly one snapshot`);
    }
    previousEnd = r.end;
    if (r.start > covered + 1) break;
    covered = Math.max(covered, r.end);
  }
  if (covered < target.end) {
    throw incompatibleSnapshot(
      `the snapshots do not cover key group ${covered + 1} of the restored range [${target.start}, ${target.end}]: pass the snapshots of every subtask`,
    );
  }
}

/** Runs `fn` and turns a synchronous throw into a rejected promise (callers only ever see promises). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Shared by value and list state: one value per key, expiring per key. */
class PerKeyTtlStore<V> {
  readonly t: KeyGroupTables<V>;
  private readonly visit: (g: number, key: StateKey, value: V) => void;
  /** The clock reading of the current call (the cleanup visitor compares against it). */
  private now = 0;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly ttlMs: number,
  ) {
    this.t = backend.newTables<V>(ttlMs > 0);
    this.visit = (g, key) => {
      if (this.now - this.t.times![g]!.get(key)! >= this.ttlMs) {
        this.t.values[g]!.delete(key);
        this.t.times![g]!.delete(key);
      }
    };
  }

  /** Reads the clock once per call and runs a cleanup step; returns the time (0 without TTL). */
  begin(): number {
    if (this.ttlMs <= 0) return 0;
    this.now = this.backend.clock();
    this.t.cleanupStep(this.backend.cleanupPerAccess, this.visit);
    return this.now;
  }

  get(key: StateKey, now: number): V | undefined {
    const g = this.t.group(key);
    const v = this.t.values[g]!.get(key);
    if (v === undefined || this.ttlMs <= 0) return v;
    if (now - this.t.times![g]!.get(key)! >= this.ttlMs) {
      this.t.values[g]!.delete(key);
      this.t.times![g]!.delete(key);
      return undefined;
    }
    return v;
  }

  set(key: StateKey, value: V, now: number): void {
    const g = this.t.group(key);
    this.t.values[g]!.set(key, value);
    if (this.ttlMs > 0) this.t.times![g]!.set(key, now);
    this.t.markChanged(g, key);
  }

  delete(key: StateKey): void {
    const g = this.t.group(key);
    this.t.values[g]!.delete(key);
    if (this.ttlMs > 0) this.t.times![g]!.delete(key);
    this.t.markChanged(g, key);
  }
}

class HeapValueState<V> implements ValueState<V>, HeapState {
  private readonly store: PerKeyTtlStore<V>;
  constructor(backend: HeapKeyedStateBackend, ttlMs: number) {
    this.store = new PerKeyTtlStore<V>(backend, ttlMs);
  }

  stateTables(info: SnapshotStateInfo): StateTables {
    return { info, values: this.store.t.values, times: this.store.t.times, userKeyTimes: null };
  }

  changeTables(): KeyGroupTables<unknown> {
    return this.store.t as KeyGroupTables<unknown>;
  }

  getMany(keys: readonly StateKey[]): Promise<(V | undefined)[]> {
    return settle(() => {
      const now = this.store.begin();
      const out = new Array<V | undefined>(keys.length);
      for (let i = 0; i < keys.length; i++) out[i] = this.store.get(keys[i]!, now);
      return out;
    });
  }

  putMany(keys: readonly StateKey[], values: readonly V[]): Promise<void> {
    return settle(() => {
      if (keys.length !== values.length) throw internalError(`putMany: ${keys.length} keys but ${values.length} values`);
      const now = this.store.begin();
      for (let i = 0; i < keys.length; i++) {
        const v = values[i];
        // `undefined` is how absence is reported by getMany, so storing it would be unreadable: delete.
        if (v === undefined) this.store.delete(keys[i]!);
        else this.store.set(keys[i]!, v, now);
      }
    });
  }

  deleteMany(keys: readonly StateKey[]): Promise<void> {
    return settle(() => {
      this.store.begin();
      for (let i = 0; i < keys.length; i++) this.store.delete(keys[i]!);
    });
  }
}

class HeapListState<V> implements ListState<V>, HeapState {
  private readonly store: PerKeyTtlStore<V[]>;
  constructor(backend: HeapKeyedStateBackend, ttlMs: number) {
    this.store = new PerKeyTtlStore<V[]>(backend, ttlMs);
  }

  stateTables(info: SnapshotStateInfo): StateTables {
    return { info, values: this.store.t.values, times: this.store.t.times, userKeyTimes: null };
  }

  changeTables(): KeyGroupTables<unknown> {
    return this.store.t as KeyGroupTables<unknown>;
  }

  getMany(keys: readonly StateKey[]): Promise<V[][]> {
    return settle(() => {
      const now = this.store.begin();
      const out = new Array<V[]>(keys.length);
      for (let i = 0; i < keys.length; i++) out[i] = this.store.get(keys[i]!, now) ?? [];
      return out;
    });
  }

  addMany(keys: readonly StateKey[], values: readonly V[]): Promise<void> {
    return settle(() => {
      if (keys.length !== values.length) throw internalError(`addMany: ${keys.length} keys but ${values.length} values`);
      const now = this.store.begin();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const list = this.store.get(key, now);
        if (list === undefined) this.store.set(key, [values[i]!], now);
        else {
          list.push(values[i]!);
          this.store.set(key, list, now);
        }
      }
    });
  }

  putMany(keys: readonly StateKey[], lists: readonly (readonly V[])[]): Promise<void> {
    return settle(() => {
      if (keys.length !== lists.length) throw internalError(`putMany: ${keys.length} keys but ${lists.length} lists`);
      const now = this.store.begin();
      for (let i = 0; i < keys.length; i++) {
        const list = lists[i]!;
        // An empty list is indistinguishable from no list (getMany returns []), so it is not kept.
        if (list.length === 0) this.store.delete(keys[i]!);
        else this.store.set(keys[i]!, list.slice(), now);
      }
    });
  }

  deleteMany(keys: readonly StateKey[]): Promise<void> {
    return settle(() => {
      this.store.begin();
      for (let i = 0; i < keys.length; i++) this.store.delete(keys[i]!);
    });
  }
}

/**
 * Map state: per key a `Map<userKey, V>`; with TTL a parallel `Map<userKey, writeTime>` per key. A key
 * whose map becomes empty is removed, so `approximateKeyCount` and snapshots see only live keys.
 */
class HeapMapState<V> implements MapState<V>, HeapState {
  private readonly t: KeyGroupTables<Map<StateKey, V>>;
  /** Per key group: key → (user key → last write time); only with TTL. */
  private readonly times: Map<StateKey, Map<StateKey, number>>[] | null;
  private readonly visit: (g: number, key: StateKey, value: Map<StateKey, V>) => void;
  private now = 0;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly ttlMs: number,
  ) {
    this.t = backend.newTables<Map<StateKey, V>>(false);
    this.times = ttlMs > 0 ? this.t.values.map(() => new Map<StateKey, Map<StateKey, number>>()) : null;
    this.visit = (g, key, map) => this.expire(g, key, map);
  }

  stateTables(info: SnapshotStateInfo): StateTables {
    return { info, values: this.t.values, times: null, userKeyTimes: this.times };
  }

  changeTables(): KeyGroupTables<unknown> {
    return this.t as KeyGroupTables<unknown>;
  }

  private begin(): void {
    if (this.ttlMs <= 0) return;
    this.now = this.backend.clock();
    this.t.cleanupStep(this.backend.cleanupPerAccess, this.visit);
  }

  /** Drops the expired user keys of one key; returns the map, or undefined when nothing is left. */
  private expire(g: number, key: StateKey, map: Map<StateKey, V>): Map<StateKey, V> | undefined {
    const times = this.times![g]!.get(key)!;
    for (const [uk, at] of times) {
      if (this.now - at >= this.ttlMs) {
        times.delete(uk);
        map.delete(uk);
      }
    }
    if (map.size === 0) {
      this.t.values[g]!.delete(key);
      this.times![g]!.delete(key);
      return undefined;
    }
    return map;
  }

  private read(key: StateKey): Map<StateKey, V> | undefined {
    const g = this.t.group(key);
    const map = this.t.values[g]!.get(key);
    if (map === undefined || this.ttlMs <= 0) return map;
    return this.expire(g, key, map);
  }

  getMany(keys: readonly StateKey[]): Promise<Map<StateKey, V>[]> {
    return settle(() => {
      this.begin();
      const out = new Array<Map<StateKey, V>>(keys.length);
      for (let i = 0; i < keys.length; i++) out[i] = this.read(keys[i]!) ?? new Map<StateKey, V>();
      return out;
    });
  }

  getEntries(keys: readonly StateKey[], userKeys: readonly StateKey[]): Promise<(V | undefined)[]> {
    return settle(() => {
      if (keys.length !== userKeys.length) throw internalError(`getEntries: ${keys.length} keys but ${userKeys.length} user keys`);
      this.begin();
      const out = new Array<V | undefined>(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const g = this.t.group(key);
        const map = this.t.values[g]!.get(key);
        if (map === undefined) {
          out[i] = undefined;
          continue;
        }
        const uk = userKeys[i]!;
        const v = map.get(uk);
        if (v !== undefined && this.ttlMs > 0) {
          const times = this.times![g]!.get(key)!;
          if (this.now - times.get(uk)! >= this.ttlMs) {
            map.delete(uk);
            times.delete(uk);
            if (map.size === 0) {
              this.t.values[g]!.delete(key);
              this.times![g]!.delete(key);
            }
            out[i] = undefined;
            continue;
          }
        }
        out[i] = v;
      }
      return out;
    });
  }

  putEntries(keys: readonly StateKey[], userKeys: readonly StateKey[], values: readonly (V | undefined)[]): Promise<void> {
    return settle(() => {
      if (keys.length !== userKeys.length || keys.length !== values.length) {
        throw internalError(`putEntries: ${keys.length} keys, ${userKeys.length} user keys, ${values.length} values`);
      }
      this.begin();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const uk = userKeys[i]!;
        const v = values[i];
        const g = this.t.group(key);
        const table = this.t.values[g]!;
        let map = table.get(key);
        if (v === undefined) {
          if (map === undefined) continue;
          this.t.markChanged(g, key);
          map.delete(uk);
          const times = this.times === null ? undefined : this.times[g]!.get(key);
          times?.delete(uk);
          if (map.size === 0) {
            table.delete(key);
            this.times?.[g]!.delete(key);
          }
          continue;
        }
        if (map === undefined) {
          map = new Map<StateKey, V>();
          table.set(key, map);
        }
        map.set(uk, v);
        this.t.markChanged(g, key);
        if (this.times !== null) {
          let times = this.times[g]!.get(key);
          if (times === undefined) {
            times = new Map<StateKey, number>();
            this.times[g]!.set(key, times);
          }
          times.set(uk, this.now);
        }
      }
    });
  }

  deleteMany(keys: readonly StateKey[]): Promise<void> {
    return settle(() => {
      this.begin();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const g = this.t.group(key);
        this.t.values[g]!.delete(key);
        this.times?.[g]!.delete(key);
        this.t.markChanged(g, key);
      }
    });
  }
}
