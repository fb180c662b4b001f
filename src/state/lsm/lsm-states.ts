/**
 * The value, list and map states of the LSM backend: the read paths (memtables first, then the runs
 * through the backend's batched `lookup` / `scan`) and the writes into the active memtable. Every call is
 * one operation on the backend's queue (see lsm-backend.ts for the ordering rules).
 */
import { internalError } from '../../common/index.js';
import { keyGroupOf } from '../key-codec.js';
import type { KeyedStateKind } from '../keyed-state-snapshot.js';
import type { ListState, MapState, StateKey, ValueState } from '../state-api.js';
import type { LsmBackend } from './lsm-backend.js';
import { ENTRY_SEPARATOR, mapPrefix, MARKER_SUFFIX, valueKey } from './lsm-keys.js';
import { decodeValue, firstDurable, live } from './lsm-run.js';
import type { Run } from './lsm-run.js';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, MemEntry, MemMap } from './memtable.js';
import { ENTRY_MARKER, ENTRY_PUT, ENTRY_TOMBSTONE } from './sst-format.js';

/** A registered state: its registration index (memtable slot), kind, TTL and internal-key tag. */
export interface RegisteredState {
  readonly index: number;
  readonly name: string;
  readonly kind: KeyedStateKind;
  readonly ttlMs: number;
  readonly tag: string;
  readonly impl: unknown;
}


/** Shared read path of value and list state: the newest entry of each key, or undefined. */
export abstract class PerKeyState<T> {
  constructor(
    protected readonly b: LsmBackend,
    protected readonly reg: RegisteredState,
  ) {}

  protected now(): number {
    return this.reg.ttlMs > 0 ? this.b.clock() : 0;
  }

  /** The memtable entry of `key` (active, then frozen memtables), or undefined if none holds it. */
  protected memEntry(key: StateKey, runs: readonly Run[], durableFrom: number): MemEntry | undefined {
    const e = this.b.active.kv[this.reg.index]?.get(key);
    if (e !== undefined) return e;
    for (let i = 0; i < durableFrom; i++) {
      const f = runs[i]!.mem!.kv[this.reg.index]?.get(key);
      if (f !== undefined) return f;
    }
    return undefined;
  }

  /**
   * Current values of `keys` (undefined = absent or expired); `fromActive[i]` says whether the value is
   * the active memtable's own object. Synchronous when every key is in a memtable.
   */
  protected read(keys: readonly StateKey[], now: number, fromActive: boolean[] | null): (T | undefined)[] | Promise<(T | undefined)[]> {
    const n = keys.length;
    const out = new Array<T | undefined>(n);
    const runs = this.b.version;
    const from = firstDurable(runs);
    const ttl = this.reg.ttlMs;
    let missing: number[] | null = null;
    const active = this.b.active.kv[this.reg.index];
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      this.b.kg(key);
      const inActive = active?.get(key);
      const e = inActive ?? this.memEntry(key, runs, from);
      if (fromActive !== null) fromActive[i] = inActive !== undefined;
      if (e !== undefined) out[i] = e.type === ENTRY_PUT && live(ttl, now, e.time) ? (e.value as T) : undefined;
      else {
        out[i] = undefined; // no holes: callers may deepEqual the array
        if (from < runs.length) (missing ??= []).push(i);
      }
    }
    if (missing === null) return out;
    const miss = missing;
    const probes = miss.map((i) => valueKey(keyGroupOf(keys[i]!, this.b.maxParallelism), this.reg.tag, keys[i]!));
    this.b.pinRuns(runs, from);
    return this.b
      .lookup(runs, from, probes, probes, null)
      .then((found) => {
        for (let m = 0; m < miss.length; m++) {
          const f = found[m]!;
          out[miss[m]!] = f !== null && f.type === ENTRY_PUT && live(ttl, now, f.time) ? (f.value() as T) : undefined;
        }
        return out;
      })
      .finally(() => this.b.releaseRuns(runs, from));
  }

  /**
   * Writes one entry into the active memtable. `bytes` is the value's size estimate when the caller knows
   * it cheaply (a list appended in place); otherwise the value is estimated here, also when it is the
   * entry's own object put back after an in-place change, so the memtable size follows its growth.
   */
  protected write(key: StateKey, type: number, time: number, value: unknown, bytes = type === ENTRY_PUT ? estimateBytes(value) : 0): void {
    const kg = this.b.kg(key);
    const kv = this.b.active.kvOf(this.reg.index);
    const old = kv.get(key);
    if (old !== undefined) {
      this.b.active.bytes += bytes - old.bytes;
      old.type = type;
      old.time = time;
      old.value = value;
      old.bytes = bytes;
    } else {
      kv.set(key, new MemEntry(type, time, value, kg, bytes));
      this.b.active.bytes += ENTRY_OVERHEAD_BYTES + key.length * 2 + bytes;
    }
    this.b.active.writes++;
  }

  /** The active memtable's entry for `key`, if any. */
  protected activeEntry(key: StateKey): MemEntry | undefined {
    return this.b.active.kv[this.reg.index]?.get(key);
  }

  deleteMany(keys: readonly StateKey[]): Promise<void> {
    return this.b.enqueue(() => {
      for (let i = 0; i < keys.length; i++) this.write(keys[i]!, ENTRY_TOMBSTONE, 0, undefined);
      return this.b.afterWrite();
    });
  }
}

export class LsmValueState<V> extends PerKeyState<V> implements ValueState<V> {
  getMany(keys: readonly StateKey[]): Promise<(V | undefined)[]> {
    return this.b.enqueue(() => this.read(keys, this.now(), null));
  }

  putMany(keys: readonly StateKey[], values: readonly V[]): Promise<void> {
    return this.b.enqueue(() => {
      if (keys.length !== values.length) throw internalError(`putMany: ${keys.length} keys but ${values.length} values`);
      const now = this.now();
      for (let i = 0; i < keys.length; i++) {
        const v = values[i];
        // `undefined` is how absence is reported, so storing it would be unreadable: delete.
        if (v === undefined) this.write(keys[i]!, ENTRY_TOMBSTONE, 0, undefined);
        else this.write(keys[i]!, ENTRY_PUT, now, v);
      }
      return this.b.afterWrite();
    });
  }
}

export class LsmListState<V> extends PerKeyState<V[]> implements ListState<V> {
  getMany(keys: readonly StateKey[]): Promise<V[][]> {
    return this.b.enqueue(() => {
      const r = this.read(keys, this.now(), null);
      return r instanceof Promise ? r.then(orEmpty) : orEmpty(r);
    });
  }

  /** Read-modify-write: the current lists are read (from memory or the runs), appended to, put back. */
  addMany(keys: readonly StateKey[], values: readonly V[]): Promise<void> {
    return this.b.enqueue(() => {
      if (keys.length !== values.length) throw internalError(`addMany: ${keys.length} keys but ${values.length} values`);
      const now = this.now();
      const fromActive = new Array<boolean>(keys.length);
      const r = this.read(keys, now, fromActive);
      const apply = (lists: (V[] | undefined)[]): Promise<void> | undefined => {
        // Several values for one key in one call append to the same list.
        const current = new Map<StateKey, V[]>();
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          let list = current.get(key);
          if (list === undefined) {
            const old = lists[i];
            // The active memtable's own array may be appended in place; anything else is copied.
            list = old === undefined ? [] : fromActive[i] ? old : old.slice();
            current.set(key, list);
          }
          // A list appended in place grows by the new value; a fresh list (copied or new) is estimated whole.
          const entry = this.activeEntry(key);
          list.push(values[i]!);
          this.write(key, ENTRY_PUT, now, list, entry !== undefined && entry.value === list ? entry.bytes + estimateBytes(values[i]) : estimateBytes(list));
        }
        return this.b.afterWrite();
      };
      if (r instanceof Promise) return r.then(apply);
      return apply(r);
    });
  }

  putMany(keys: readonly StateKey[], lists: readonly (readonly V[])[]): Promise<void> {
    return this.b.enqueue(() => {
      if (keys.length !== lists.length) throw internalError(`putMany: ${keys.length} keys but ${lists.length} lists`);
      const now = this.now();
      for (let i = 0; i < keys.length; i++) {
        const list = lists[i]!;
        // An empty list is indistinguishable from no list (getMany returns []), so it is not kept.
        if (list.length === 0) this.write(keys[i]!, ENTRY_TOMBSTONE, 0, undefined);
        else this.write(keys[i]!, ENTRY_PUT, now, list.slice());
      }
      return this.b.afterWrite();
    });
  }
}

export function orEmpty<V>(lists: (V[] | undefined)[]): V[][] {
  const out = new Array<V[]>(lists.length);
  for (let i = 0; i < lists.length; i++) out[i] = lists[i] ?? [];
  return out;
}

/** Map state: entries per (key, user key) with their own write times; `deleteMany` writes a marker. */
export class LsmMapState<V> implements MapState<V> {
  constructor(
    private readonly b: LsmBackend,
    private readonly reg: RegisteredState,
  ) {}

  private now(): number {
    return this.reg.ttlMs > 0 ? this.b.clock() : 0;
  }

  getMany(keys: readonly StateKey[]): Promise<Map<StateKey, V>[]> {
    return this.b.enqueue(() => {
      const now = this.now();
      const ttl = this.reg.ttlMs;
      const n = keys.length;
      const out = new Array<Map<StateKey, V>>(n);
      const decided: Set<StateKey>[] = new Array<Set<StateKey>>(n);
      const done = new Array<boolean>(n).fill(false);
      const runs = this.b.version;
      const from = firstDurable(runs);
      let anyOpen = false;
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        this.b.kg(key);
        const result = new Map<StateKey, V>();
        const seen = new Set<StateKey>();
        out[i] = result;
        decided[i] = seen;
        // Newest level first: active memtable, then frozen ones.
        for (let level = -1; level < from && !done[i]; level++) {
          const mt = level < 0 ? this.b.active : runs[level]!.mem!;
          const mm = mt.maps[this.reg.index]?.get(key);
          if (mm === undefined) continue;
          for (const [uk, e] of mm.entries) {
            if (seen.has(uk)) continue;
            seen.add(uk);
            if (e.type === ENTRY_PUT && live(ttl, now, e.time)) result.set(uk, e.value as V);
          }
          if (mm.marker) done[i] = true;
        }
        if (!done[i] && from < runs.length) anyOpen = true;
      }
      if (!anyOpen) return out;
      const prefixes = keys.map((key) => mapPrefix(keyGroupOf(key, this.b.maxParallelism), this.reg.tag, key));
      this.b.pinRuns(runs, from);
      return this.b
        .scan(runs, from, prefixes, done, (p, block, j, file, key) => {
          const type = block.types[j]!;
          if (type === ENTRY_MARKER) return true;
          const uk = key.substring(prefixes[p]!.length + 1);
          const seen = decided[p]!;
          if (seen.has(uk)) return false;
          seen.add(uk);
          if (type === ENTRY_PUT && live(ttl, now, block.times[j]!)) out[p]!.set(uk, decodeValue(block, j, file) as V);
          return false;
        })
        .then(() => out)
        .finally(() => this.b.releaseRuns(runs, from));
    });
  }

  getEntries(keys: readonly StateKey[], userKeys: readonly StateKey[]): Promise<(V | undefined)[]> {
    return this.b.enqueue(() => {
      if (keys.length !== userKeys.length) throw internalError(`getEntries: ${keys.length} keys but ${userKeys.length} user keys`);
      const now = this.now();
      const ttl = this.reg.ttlMs;
      const n = keys.length;
      const out = new Array<V | undefined>(n);
      const runs = this.b.version;
      const from = firstDurable(runs);
      let missing: number[] | null = null;
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        this.b.kg(key);
        let decided = false;
        out[i] = undefined;
        for (let level = -1; level < from && !decided; level++) {
          const mt = level < 0 ? this.b.active : runs[level]!.mem!;
          const mm = mt.maps[this.reg.index]?.get(key);
          if (mm === undefined) continue;
          const e = mm.entries.get(userKeys[i]!);
          if (e !== undefined) {
            out[i] = e.type === ENTRY_PUT && live(ttl, now, e.time) ? (e.value as V) : undefined;
            decided = true;
          } else if (mm.marker) decided = true;
        }
        if (!decided && from < runs.length) (missing ??= []).push(i);
      }
      if (missing === null) return out;
      const miss = missing;
      const prefixes = miss.map((i) => mapPrefix(keyGroupOf(keys[i]!, this.b.maxParallelism), this.reg.tag, keys[i]!));
      const probes = miss.map((i, m) => prefixes[m]! + ENTRY_SEPARATOR + userKeys[i]!);
      const markers = prefixes.map((p) => p + MARKER_SUFFIX);
      this.b.pinRuns(runs, from);
      return this.b
        .lookup(runs, from, probes, prefixes, markers)
        .then((found) => {
          for (let m = 0; m < miss.length; m++) {
            const f = found[m]!;
            out[miss[m]!] = f !== null && f.type === ENTRY_PUT && live(ttl, now, f.time) ? (f.value() as V) : undefined;
          }
          return out;
        })
        .finally(() => this.b.releaseRuns(runs, from));
    });
  }

  putEntries(keys: readonly StateKey[], userKeys: readonly StateKey[], values: readonly (V | undefined)[]): Promise<void> {
    return this.b.enqueue(() => {
      if (keys.length !== userKeys.length || keys.length !== values.length) {
        throw internalError(`putEntries: ${keys.length} keys, ${userKeys.length} user keys, ${values.length} values`);
      }
      const now = this.now();
      const maps = this.b.active.mapsOf(this.reg.index);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const kg = this.b.kg(key);
        let mm = maps.get(key);
        if (mm === undefined) {
          mm = new MemMap(kg);
          maps.set(key, mm);
          this.b.active.bytes += ENTRY_OVERHEAD_BYTES + key.length * 2;
        }
        const uk = userKeys[i]!;
        const v = values[i];
        const old = mm.entries.get(uk);
        const bytes = v === undefined ? 0 : estimateBytes(v);
        if (old !== undefined) this.b.active.bytes -= old.bytes;
        else this.b.active.bytes += ENTRY_OVERHEAD_BYTES + uk.length * 2;
        this.b.active.bytes += bytes;
        if (old !== undefined) {
          old.type = v === undefined ? ENTRY_TOMBSTONE : ENTRY_PUT;
          old.time = now;
          old.value = v;
          old.bytes = bytes;
        } else mm.entries.set(uk, new MemEntry(v === undefined ? ENTRY_TOMBSTONE : ENTRY_PUT, now, v, kg, bytes));
        this.b.active.writes++;
      }
      return this.b.afterWrite();
    });
  }

  deleteMany(keys: readonly StateKey[]): Promise<void> {
    return this.b.enqueue(() => {
      const maps = this.b.active.mapsOf(this.reg.index);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const kg = this.b.kg(key);
        const mm = new MemMap(kg);
        mm.marker = true;
        if (!maps.has(key)) this.b.active.bytes += ENTRY_OVERHEAD_BYTES + key.length * 2;
        maps.set(key, mm);
        this.b.active.writes++;
      }
      return this.b.afterWrite();
    });
  }
}
