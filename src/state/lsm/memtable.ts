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

/**
 * A cheap estimate of a value's memory, for the flush trigger only: exact sizes would need an encode per
 * write. Nested containers below two levels count a flat 32 bytes per element.
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
  if (depth >= 2) return 32;
  if (Array.isArray(v)) {
    let n = 32;
    for (let i = 0; i < v.length; i++) n += estimateBytes(v[i], depth + 1);
    return n;
  }
  if (v instanceof Uint8Array) return 32 + v.length;
  if (v instanceof Map) {
    let n = 64;
    for (const [k, x] of v) n += 16 + estimateBytes(k, depth + 1) + estimateBytes(x, depth + 1);
    return n;
  }
  let n = 32;
  for (const k in v as Record<string, unknown>) n += 16 + estimateBytes((v as Record<string, unknown>)[k], depth + 1);
  return n;
}
