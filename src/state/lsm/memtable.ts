/**
 * The memtable: the newest writes of every state, in JS maps keyed by `StateKey` (the internal key is
 * built only when the memtable is flushed). Values are the caller's objects, as in the heap backend; a
 * flush encodes them synchronously, so an SST is a consistent copy even though operators may later put
 * back values they mutated.
 *
 * Per state (indexed by the state's registration index):
 * - value/list state: key → MemEntry (PUT with write time and value, or TOMBSTONE);
 * - map state: key → MemMap: `marker` (a `deleteMany` of the key happened, hiding every older entry) and
 *   user key → MemEntry for the entries written since (they are newer than the marker).
 */
import type { StateKey } from '../state-api.js';
import { ENTRY_PUT } from './sst-format.js';

export class MemEntry {
  constructor(
    /** ENTRY_PUT or ENTRY_TOMBSTONE. */
    public type: number,
    public time: number,
    public value: unknown,
    /** The key's key group (computed once, reused at flush). */
    readonly kg: number,
    /**
     * The size estimate of `value` counted in `Memtable.bytes` for this entry (without the entry's fixed
     * overhead). Kept so that an overwrite, or a put of the same object mutated in place, adjusts the
     * total by the difference: re-estimating the old object would see its new size and count no growth.
     */
    public bytes = 0,
  ) {}
}

export class MemMap {
  marker = false;
  readonly entries = new Map<StateKey, MemEntry>();
  constructor(readonly kg: number) {}
}

export class Memtable {
  readonly kv: (Map<StateKey, MemEntry> | undefined)[] = [];
  readonly maps: (Map<StateKey, MemMap> | undefined)[] = [];
  /** Estimated memory held (the flush trigger). */
  bytes = 0;
  /** Operations applied (0 = nothing to flush). */
  writes = 0;

  kvOf(state: number): Map<StateKey, MemEntry> {
    let m = this.kv[state];
    if (m === undefined) {
      m = new Map();
      this.kv[state] = m;
    }
    return m;
  }

  mapsOf(state: number): Map<StateKey, MemMap> {
    let m = this.maps[state];
    if (m === undefined) {
      m = new Map();
      this.maps[state] = m;
    }
    return m;
  }

  /** Keys with a live PUT (map keys: with at least one PUT entry), for `approximateKeyCount`. */
  liveKeys(): number {
    let n = 0;
    for (const m of this.kv) if (m !== undefined) for (const e of m.values()) if (e.type === ENTRY_PUT) n++;
    for (const m of this.maps) {
      if (m === undefined) continue;
      for (const mm of m.values()) {
        for (const e of mm.entries.values()) {
          if (e.type === ENTRY_PUT) {
            n++;
            break;
          }
        }
      }
    }
    return n;
  }
}

/** Fixed cost of one memtable entry (map slot, MemEntry object) in the size estimate. */
export const ENTRY_OVERHEAD_BYTES = 80;

/** Container depth to which `estimateBytes` walks; deeper containers are counted by element count. */
const ESTIMATE_DEPTH = 4;
/** Elements of a container that are estimated; a larger one is extrapolated from them by its size. */
const ESTIMATE_SAMPLE = 32;

/**
 * A cheap estimate of a value's memory, for the flush trigger: exact sizes would need an encode per
 * write. Strings and byte arrays count their length at any depth (operators nest their large values:
 * group aggregation keeps `{rows, accs: [..., 'a 2 KB string']}`, so a cut-off that counted everything
 * below two levels as a flat 32 bytes let memtables grow to many times their configured size and
 * exhaust a small heap). Containers below `ESTIMATE_DEPTH` levels count 32 bytes per element, and a
 * container with more than `ESTIMATE_SAMPLE` elements is extrapolated from its first ones, so one
 * estimate costs O(sample^depth) at most however large the value (a put re-estimates the value, also
 * when it is the same object changed in place, e.g. a growing COUNT DISTINCT map).
 */
export function estimateBytes(v: unknown, depth = 0): number {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'string':
      return 16 + v.length * 2;
    case 'bigint':
      return 24;
    default:
      break;
  }
  if (v === null) return 8;
  if (v instanceof Uint8Array) return 32 + v.length;
  if (Array.isArray(v)) {
    const len = v.length;
    if (depth >= ESTIMATE_DEPTH) return 32 + 32 * len;
    const sample = len < ESTIMATE_SAMPLE ? len : ESTIMATE_SAMPLE;
    let n = 0;
    for (let i = 0; i < sample; i++) n += estimateBytes(v[i], depth + 1);
    return 32 + (sample === len ? n : Math.round((n / sample) * len));
  }
  if (v instanceof Map) {
    if (depth >= ESTIMATE_DEPTH) return 64 + 64 * v.size;
    let n = 0;
    let seen = 0;
    for (const [k, x] of v) {
      n += 16 + estimateBytes(k, depth + 1) + estimateBytes(x, depth + 1);
      if (++seen === ESTIMATE_SAMPLE) break;
    }
    return 64 + (seen === v.size ? n : Math.round((n / seen) * v.size));
  }
  if (v instanceof Set) {
    if (depth >= ESTIMATE_DEPTH) return 64 + 32 * v.size;
    let n = 0;
    let seen = 0;
    for (const x of v) {
      n += 16 + estimateBytes(x, depth + 1);
      if (++seen === ESTIMATE_SAMPLE) break;
    }
    return 64 + (seen === v.size ? n : Math.round((n / seen) * v.size));
  }
  if (depth >= ESTIMATE_DEPTH) return 64;
  let n = 32;
  for (const k in v as Record<string, unknown>) n += 16 + estimateBytes((v as Record<string, unknown>)[k], depth + 1);
  return n;
}
