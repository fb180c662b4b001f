/**
 * The keyed-state snapshot file format, version 1, and its writer and reader. The heap backend writes it
 * (full snapshots); the format is backend-neutral: a file holds, per key group and per state, the entries
 * sorted by key.
 *
 * Layout (little-endian; `varuint` is LEB128, `string` as in byte-buffer.ts, `value` as in value-codec.ts):
 *
 *     header   magic "FLKS" | u16 formatVersion=1 | u8 fileKind (0 = full) | u8 valueCodecVersion=1
 *              | u32 maxParallelism | u32 firstKeyGroup | u32 lastKeyGroup
 *              | varuint stateCount | stateCount × (string name | u8 kind 0=value 1=list 2=map | f64 ttlMs)
 *     sections ascending (keyGroup, stateIndex), only non-empty ones:
 *              u32 keyGroup | varuint stateIndex | varuint entryCount | u32 byteLength | entries
 *              value/list entry: string key | [f64 writeTime if ttlMs > 0] | value (a list is an array)
 *              map entry:        string key | varuint n | n × (string userKey | [f64 writeTime] | value)
 *     end      u32 0xFFFFFFFF
 *     trailer  u32 CRC-32 of every byte before it
 *
 * Keys are sorted in code-unit order (the order of `StateKey` strings), so files are deterministic and a
 * later merge (incremental snapshots, the LSM backend's compaction) is a streaming merge. A map entry's
 * user keys keep the map's iteration order, which operators can observe (see value-codec.ts).
 *
 * Granularity: one file per contiguous range of key groups, cut at a key-group boundary once it reaches
 * `targetFileBytes`. One file per key group would mean maxParallelism (128) small objects per subtask per
 * checkpoint, which object stores charge for per request; one file per subtask would make a rescaled
 * restore read whole files of other subtasks. Cutting by size bounds the over-read of a rescale to about
 * one file per range boundary, and `byteLength` lets a reader skip the sections of key groups it does not
 * own without decoding them.
 *
 * Integrity: the manifest records each file's exact size and CRC-32, and the trailer repeats the CRC;
 * a reader checks all three before decoding, so truncation and bit flips are `STATE.CORRUPT_SNAPSHOT`
 * naming the file, never wrong state.
 *
 * Delta files (`fileKind` 1, incremental snapshots): the same layout, but a section holds only the keys
 * changed since the snapshot the delta builds on, and every entry starts with a u8 flag: 0 = the key's
 * current entry follows (it replaces the earlier one whole, a map with all its live user keys), 1 = the
 * key was removed (nothing follows the key). A manifest lists full files first and then deltas in the
 * order they were taken; a reader applies them in that order. Readers reject an unknown `fileKind` or
 * version instead of misreading it.
 */
import { crc32 } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { FloeError } from '../common/index.js';
import type { ObjectStore } from '../storage/index.js';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import type { KeyedStateKind, SnapshotFileInfo, SnapshotStateInfo } from './keyed-state-snapshot.js';
import type { KeyGroupRange, StateKey } from './state-api.js';
import { readStateValue, STATE_VALUE_CODEC_VERSION, writeStateValue } from './value-codec.js';

export const SNAPSHOT_FILE_FORMAT_VERSION = 1;
const MAGIC = [0x46, 0x4c, 0x4b, 0x53]; // "FLKS"
const FILE_KIND_FULL = 0;
const FILE_KIND_DELTA = 1;
const ENTRY_PUT = 0;
const ENTRY_REMOVED = 1;
const END_MARKER = 0xffffffff;
const KIND_CODES: Record<KeyedStateKind, number> = { value: 0, list: 1, map: 2 };
const KINDS: readonly KeyedStateKind[] = ['value', 'list', 'map'];

/** The raw tables of one state, as the heap backend keeps them (indexes are key-group offsets). */
export interface StateTables {
  readonly info: SnapshotStateInfo;
  /** Per key group: key → value (value: V, list: V[], map: Map<userKey, V>). */
  readonly values: readonly Map<StateKey, unknown>[];
  /** value/list states with TTL: per key group, key → last write time; otherwise null. */
  readonly times: readonly Map<StateKey, number>[] | null;
  /** map states with TTL: per key group, key → user key → last write time; otherwise null. */
  readonly userKeyTimes: readonly Map<StateKey, Map<StateKey, number>>[] | null;
}

/**
 * The keys changed since the snapshot a delta builds on, per state (in `StateTables` order) and per key
 * group offset; `undefined` where nothing changed.
 */
export type ChangedKeys = readonly (readonly (ReadonlySet<StateKey> | undefined)[])[];

export interface EncodedSnapshotFile {
  readonly keyGroupRange: KeyGroupRange;
  readonly bytes: Uint8Array;
  readonly crc32: number;
  readonly entries: number;
}

function corrupt(file: string, what: string, cause?: unknown): FloeError {
  return new FloeError('io', 'STATE.CORRUPT_SNAPSHOT', `snapshot file '${file}' is corrupt: ${what}`, {
    ...(cause === undefined ? {} : { cause }),
    help: 'restore from an earlier checkpoint or savepoint',
  });
}

/**
 * Encodes the tables of key groups `range` (offset `rangeStart` in the tables) into files: full files, or
 * with `changed` delta files holding only those keys. Runs synchronously, so the result is a consistent
 * copy even if the state changes right after it returns. Entries expired at `now` are left out of full
 * files and written as removals in deltas (they could never be read again).
 */
export function encodeSnapshotFiles(
  states: readonly StateTables[],
  maxParallelism: number,
  range: KeyGroupRange,
  now: number,
  targetFileBytes: number,
  changed: ChangedKeys | null = null,
): EncodedSnapshotFile[] {
  const files: EncodedSnapshotFile[] = [];
  // Each file is written in one buffer, header first (its range is patched when the file is cut), so
  // the bytes are never copied into a second buffer: at checkpoint sizes, every large copy is external
  // memory that triggers a full garbage collection over the whole (large) state heap.
  const kind = changed === null ? FILE_KIND_FULL : FILE_KIND_DELTA;
  let w = startFile(states, maxParallelism, kind);
  let fileFirst = range.start;
  let entries = 0;
  const cut = (last: number): void => {
    if (entries > 0) {
      files.push(finishFile(w, { start: fileFirst, end: last }, entries));
      w = startFile(states, maxParallelism, kind);
    }
    fileFirst = last + 1;
    entries = 0;
  };
  for (let g = range.start; g <= range.end; g++) {
    const gi = g - range.start;
    for (let si = 0; si < states.length; si++) {
      try {
        if (changed === null) entries += writeSection(w, states[si]!, g, gi, si, now);
        else {
          const keys = changed[si]![gi];
          if (keys !== undefined && keys.size > 0) entries += writeDeltaSection(w, states[si]!, g, gi, si, now, keys);
        }
      } catch (e) {
        if (e instanceof FloeError && e.code === 'STATE.UNSERIALIZABLE_VALUE') {
          throw new FloeError(e.kind, e.code, `state '${states[si]!.info.name}' (key group ${g}): ${e.message}`, { notes: e.notes, cause: e });
        }
        throw e;
      }
    }
    if (w.pos >= targetFileBytes) cut(g);
  }
  // The last file's range runs to the end of the backend's range (trailing empty groups included).
  if (entries > 0) cut(range.end);
  return files;
}

/** Writes one (key group, state) section of a full file unless it is empty; returns the entries written. */
function writeSection(w: ByteWriter, s: StateTables, g: number, gi: number, si: number, now: number): number {
  const table = s.values[gi]!;
  if (table.size === 0) return 0;
  // The default sort compares strings by UTF-16 code units: the order the format promises.
  return writeEntries(w, s, g, gi, si, now, [...table.keys()].sort(), false);
}

/**
 * Writes the delta section of one (key group, state): each changed key, in key order, with its current
 * entry, or as removed when it is gone or has expired. Returns the entries written.
 */
function writeDeltaSection(w: ByteWriter, s: StateTables, g: number, gi: number, si: number, now: number, changed: ReadonlySet<StateKey>): number {
  return writeEntries(w, s, g, gi, si, now, [...changed].sort(), true);
}

/**
 * Writes a section holding `keys` (sorted). A key with nothing live at `now` is left out of a full file
 * and written as removed in a delta; a delta entry starts with its flag. The section is dropped when it
 * would hold no entry.
 */
function writeEntries(w: ByteWriter, s: StateTables, g: number, gi: number, si: number, now: number, keys: readonly StateKey[], delta: boolean): number {
  const table = s.values[gi]!;
  const ttl = s.info.ttlMs;
  const start = w.pos;
  w.u32(g);
  w.varuint(si);
  const countAt = w.pos;
  // Count and length are patched once known: reserve a fixed-width u32 for each.
  w.u32(0);
  w.u32(0);
  const dataStart = w.pos;
  let count = 0;
  const removed = (key: StateKey): void => {
    if (!delta) return;
    w.u8(ENTRY_REMOVED);
    w.string(key);
    count++;
  };
  if (s.info.kind === 'map') {
    const timesOf = s.userKeyTimes?.[gi] ?? null;
    for (const key of keys) {
      const map = table.get(key) as Map<StateKey, unknown> | undefined;
      const times = map === undefined || timesOf === null ? null : timesOf.get(key)!;
      let live = 0;
      if (map !== undefined) {
        if (times === null) live = map.size;
        else for (const uk of map.keys()) if (now - times.get(uk)! < ttl) live++;
      }
      if (live === 0) {
        removed(key);
        continue;
      }
      if (delta) w.u8(ENTRY_PUT);
      w.string(key);
      w.varuint(live);
      for (const [uk, v] of map!) {
        if (times !== null) {
          const at = times.get(uk)!;
          if (now - at >= ttl) continue;
          w.string(uk);
          w.f64(at);
        } else w.string(uk);
        writeStateValue(w, v);
      }
      count++;
    }
  } else {
    const times = s.times?.[gi] ?? null;
    for (const key of keys) {
      const v = table.get(key);
      const at = v === undefined || times === null ? 0 : times.get(key)!;
      if (v === undefined || (times !== null && now - at >= ttl)) {
        removed(key);
        continue;
      }
      if (delta) w.u8(ENTRY_PUT);
      w.string(key);
      if (times !== null) w.f64(at);
      writeStateValue(w, v);
      count++;
    }
  }
  if (count === 0) {
    w.pos = start; // every entry had expired: drop the section header too
    return 0;
  }
  w.patchU32(countAt, count);
  w.patchU32(countAt + 4, w.pos - dataStart);
  return count;
}

/** Offset of the header's first key group (u32), after magic, version, kind, codec version, maxParallelism. */
const HEADER_RANGE_AT = MAGIC.length + 2 + 1 + 1 + 4;

/** A writer holding a file's header; its key-group range is filled in by `finishFile`. */
function startFile(states: readonly StateTables[], maxParallelism: number, kind: number): ByteWriter {
  const w = new ByteWriter(256 * 1024);
  for (const b of MAGIC) w.u8(b);
  w.u16(SNAPSHOT_FILE_FORMAT_VERSION);
  w.u8(kind);
  w.u8(STATE_VALUE_CODEC_VERSION);
  w.u32(maxParallelism);
  w.u32(0); // first key group, patched
  w.u32(0); // last key group, patched
  w.varuint(states.length);
  for (const s of states) {
    w.string(s.info.name);
    w.u8(KIND_CODES[s.info.kind]);
    w.f64(s.info.ttlMs);
  }
  return w;
}

function finishFile(w: ByteWriter, range: KeyGroupRange, entries: number): EncodedSnapshotFile {
  w.patchU32(HEADER_RANGE_AT, range.start);
  w.patchU32(HEADER_RANGE_AT + 4, range.end);
  w.u32(END_MARKER);
  const crc = crc32(w.written());
  w.u32(crc);
  // A view, not a copy: the writer is dropped here, so nothing else writes to its buffer.
  return { keyGroupRange: range, bytes: w.written(), crc32: crc, entries };
}

/** A file name that is unique per attempt, so a retried checkpoint never overwrites a committed file. */
export function snapshotFileKey(prefix: string, range: KeyGroupRange): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  const base = `kg-${pad(range.start)}-${pad(range.end)}-${randomUUID()}.flks`;
  const p = prefix.replace(/\/+$/, '');
  return p === '' ? base : `${p}/${base}`;
}

/** Where decoded entries go: the restoring backend's tables for state `info` (throws if it cannot take them). */
export type TablesFor = (info: SnapshotStateInfo) => StateTables;

/** Reads `file` from `store` and verifies its size and checksums. */
export async function fetchSnapshotFile(store: ObjectStore, file: SnapshotFileInfo): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(file.key);
  } catch (e) {
    if (e instanceof FloeError && e.code === 'IO.NOT_FOUND') throw corrupt(file.key, `it is missing from ${store.uri}`, e);
    throw e;
  }
  verifyFile(file, bytes);
  return bytes;
}

/**
 * Applies the entries of key groups in `target` of a fetched (verified) file to the tables `tablesFor`
 * gives (indexes relative to `target.start`): a full file adds them, a delta replaces or removes keys.
 */
export function applySnapshotFile(file: SnapshotFileInfo, bytes: Uint8Array, maxParallelism: number, target: KeyGroupRange, tablesFor: TablesFor): void {
  decodeFile(file, bytes, maxParallelism, target, tablesFor);
}

function verifyFile(file: SnapshotFileInfo, bytes: Uint8Array): void {
  if (bytes.length !== file.size) throw corrupt(file.key, `its size is ${bytes.length} bytes, the manifest says ${file.size} (truncated?)`);
  if (bytes.length < 8) throw corrupt(file.key, 'it is too short to be a snapshot file');
  const n = bytes.length - 4;
  const actual = crc32(bytes.subarray(0, n));
  const trailer = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(n, true);
  if (actual !== trailer || actual !== file.crc32) {
    throw corrupt(file.key, `checksum mismatch (computed ${hex(actual)}, trailer ${hex(trailer)}, manifest ${hex(file.crc32)})`);
  }
}

const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

function decodeFile(file: SnapshotFileInfo, bytes: Uint8Array, maxParallelism: number, target: KeyGroupRange, tablesFor: TablesFor): void {
  const r = new ByteReader(bytes, `snapshot file '${file.key}'`, 'STATE.CORRUPT_SNAPSHOT', 0, bytes.length - 4);
  for (const b of MAGIC) if (r.u8() !== b) throw corrupt(file.key, 'it does not start with the FLKS magic');
  const version = r.u16();
  if (version !== SNAPSHOT_FILE_FORMAT_VERSION) {
    throw new FloeError('unsupported', 'STATE.UNSUPPORTED_SNAPSHOT_VERSION', `snapshot file '${file.key}' has format version ${version}; this Floe reads version ${SNAPSHOT_FILE_FORMAT_VERSION}`);
  }
  const kind = r.u8();
  if (kind !== FILE_KIND_FULL && kind !== FILE_KIND_DELTA) throw corrupt(file.key, `unknown file kind ${kind}`);
  const codec = r.u8();
  if (codec !== STATE_VALUE_CODEC_VERSION) {
    throw new FloeError('unsupported', 'STATE.UNSUPPORTED_SNAPSHOT_VERSION', `snapshot file '${file.key}' uses value codec version ${codec}; this Floe reads version ${STATE_VALUE_CODEC_VERSION}`);
  }
  if (r.u32() !== maxParallelism) throw corrupt(file.key, 'its maxParallelism differs from the manifest');
  const first = r.u32();
  const last = r.u32();
  if (first !== file.keyGroupRange.start || last !== file.keyGroupRange.end) throw corrupt(file.key, 'its key-group range differs from the manifest');
  const stateCount = r.varuint();
  const tables: (StateTables | null)[] = [];
  for (let i = 0; i < stateCount; i++) {
    const name = r.string();
    const k = KINDS[r.u8()];
    const ttlMs = r.f64();
    if (k === undefined) throw r.corrupt('unknown state kind');
    tables.push(tablesFor({ name, kind: k, ttlMs }));
  }
  let prevGroup = -1;
  let prevState = -1;
  for (;;) {
    const g = r.u32();
    if (g === END_MARKER) break;
    const si = r.varuint();
    const count = r.u32();
    const length = r.u32();
    if (g < first || g > last || g < prevGroup || (g === prevGroup && si <= prevState) || si >= stateCount || length > r.remaining) {
      throw r.corrupt(`bad section header (key group ${g}, state ${si})`);
    }
    prevGroup = g;
    prevState = si;
    const end = r.pos + length;
    if (g < target.start || g > target.end) {
      r.pos = end; // another subtask's key group: skip without decoding
      continue;
    }
    if (kind === FILE_KIND_DELTA) readDeltaSection(r, tables[si]!, g - target.start, count);
    else readSection(r, tables[si]!, g - target.start, count);
    if (r.pos !== end) throw r.corrupt(`section of key group ${g} has ${end - r.pos} unread bytes`);
  }
  if (r.remaining !== 0) throw r.corrupt(`${r.remaining} bytes after the end marker`);
}

function readSection(r: ByteReader, s: StateTables, gi: number, count: number): void {
  for (let i = 0; i < count; i++) readEntry(r, s, gi, r.string());
}

function readDeltaSection(r: ByteReader, s: StateTables, gi: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const flag = r.u8();
    const key = r.string();
    if (flag === ENTRY_PUT) readEntry(r, s, gi, key);
    else if (flag === ENTRY_REMOVED) {
      s.values[gi]!.delete(key);
      s.times?.[gi]!.delete(key);
      s.userKeyTimes?.[gi]!.delete(key);
    } else throw r.corrupt(`unknown entry flag ${flag}`);
  }
}

/** Reads the entry of `key` (after its key) and stores it, replacing any earlier one. */
function readEntry(r: ByteReader, s: StateTables, gi: number, key: StateKey): void {
  const table = s.values[gi]!;
  const withTtl = s.info.ttlMs > 0;
  if (s.info.kind === 'map') {
    const timesOf = s.userKeyTimes?.[gi] ?? null;
    const n = r.varuint();
    const map = new Map<StateKey, unknown>();
    const times = withTtl ? new Map<StateKey, number>() : null;
    for (let j = 0; j < n; j++) {
      const uk = r.string();
      if (withTtl) times!.set(uk, r.f64());
      map.set(uk, readStateValue(r));
    }
    table.set(key, map);
    if (times !== null && timesOf !== null) timesOf.set(key, times);
  } else {
    const at = withTtl ? r.f64() : 0;
    const v = readStateValue(r);
    if (s.info.kind === 'list' && !Array.isArray(v)) throw r.corrupt(`list state '${s.info.name}' holds a non-list`);
    table.set(key, v);
    s.times?.[gi]!.set(key, at);
  }
}
