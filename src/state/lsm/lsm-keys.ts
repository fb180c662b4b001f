/**
 * Internal keys of the LSM backend: one sortable string per stored entry, so that a key-group range is a
 * key range and all user keys of one map-state key are one contiguous range.
 *
 * An internal key is a string of UTF-16 code units, compared in code-unit order (JS `<`, the order of
 * `Array.prototype.sort`). Its first code unit is the key group (0…65535): ordering by it is exactly the
 * ordering of a 2-byte big-endian key-group prefix. Then the state: one code unit for its kind, one for
 * the length of its name, the name (so a state needs no numeric id that would have to agree between the
 * snapshots of several subtasks on a rescale). Then:
 *
 *     value / list state   kg | kind | nameLength | name | StateKey
 *     map state entry      kg | kind | nameLength | name | len(StateKey) as 2 units | StateKey | \u0001 | userKey
 *     map state marker     kg | kind | nameLength | name | len(StateKey) as 2 units | StateKey | \u0000
 *
 * The "map prefix" (everything before the \u0000 / \u0001) identifies one map-state key: a marker is a
 * range deletion of every entry under that prefix written earlier (`MapState.deleteMany`), and it sorts
 * before the entries it covers. The length prefix keeps one key's prefix from being a prefix of another's.
 * In SST files keys are stored with `ByteWriter.string`, which round-trips any string exactly.
 */
import type { KeyedStateKind } from '../keyed-state-snapshot.js';
import type { StateKey } from '../state-api.js';

export const KIND_VALUE = 0;
export const KIND_LIST = 1;
export const KIND_MAP = 2;

export function kindCode(kind: KeyedStateKind): number {
  return kind === 'value' ? KIND_VALUE : kind === 'list' ? KIND_LIST : KIND_MAP;
}

/** The part of an internal key after the key group that names a state: kind, name length, name. */
export function stateTag(kind: KeyedStateKind, name: string): string {
  return String.fromCharCode(kindCode(kind), name.length) + name;
}

/** Internal key of a value/list entry. */
export function valueKey(keyGroup: number, tag: string, key: StateKey): string {
  return String.fromCharCode(keyGroup) + tag + key;
}

/** The prefix shared by the marker and all entries of one map-state key. */
export function mapPrefix(keyGroup: number, tag: string, key: StateKey): string {
  const n = key.length;
  return String.fromCharCode(keyGroup) + tag + String.fromCharCode(Math.floor(n / 65536), n % 65536) + key;
}

export const MARKER_SUFFIX = '\u0000';
export const ENTRY_SEPARATOR = '\u0001';
/** The first string after every key starting with `prefix + ENTRY_SEPARATOR` (exclusive upper bound). */
export const MAP_RANGE_END = '\u0002';

/** The key group of an internal key. */
export function keyGroupOfInternal(key: string): number {
  return key.charCodeAt(0);
}

export function kindOfInternal(key: string): number {
  return key.charCodeAt(1);
}

/** The state name of an internal key. */
export function stateNameOfInternal(key: string): string {
  return key.substring(3, 3 + key.charCodeAt(2));
}

/**
 * The "primary key" of an internal key: the key itself for value/list entries, the map prefix for map
 * entries and markers. Bloom filters hold primary keys, so a map `getMany` (a prefix scan) and a map
 * point read can both skip a file that has nothing for that state key.
 */
export function primaryKeyOf(key: string): string {
  if (key.charCodeAt(1) !== KIND_MAP) return key;
  const nameEnd = 3 + key.charCodeAt(2);
  const len = key.charCodeAt(nameEnd) * 65536 + key.charCodeAt(nameEnd + 1);
  return key.substring(0, nameEnd + 2 + len);
}

/** The user key of a map entry key whose prefix has length `prefixLength`. */
export function userKeyOf(key: string, prefixLength: number): StateKey {
  return key.substring(prefixLength + 1);
}
