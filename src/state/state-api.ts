/**
 * Keyed state, reached asynchronously and in batches (DESIGN.md principle 3).
 *
 * An operator processing a batch first collects the keys the batch touches, asks for all of them at once
 * (`getMany`), then processes the batch synchronously against the returned values and writes back what
 * changed (`putMany` / `deleteMany`). The heap backend answers from memory; the object-store LSM backend
 * (a later issue) serves cached keys immediately and fetches the rest with bounded I/O parallelism. The
 * same operator code runs on both.
 *
 * Keys are `StateKey` strings in the canonical key encoding of `key-codec.ts` (never JSON): equal SQL keys
 * give equal strings, and the key group of a key is a function of the string alone, so the runtime's hash
 * exchange and the state backend agree on which subtask owns a key.
 *
 * Ordering guarantee: operations issued by one operator on the same key complete in issue order; a
 * `getMany` issued after a `putMany` observes it. Different keys may complete out of order.
 *
 * Values are JS values owned by the backend after `put`: the caller must not mutate a value after putting
 * it, and must treat values returned by `get` as read-only unless it puts them back (the heap backend
 * hands out its own objects; a remote backend hands out decoded copies; code must work with both).
 */

import type { ObjectStore } from '../storage/index.js';
import type { KeyedStateSnapshot } from './keyed-state-snapshot.js';

export type StateKey = string;

/** Per-state time-to-live: entries not written for `ttlMs` are expired (0 = never). */
export interface StateDescriptor {
  readonly name: string;
  readonly ttlMs?: number;
}

export interface ValueState<V> {
  getMany(keys: readonly StateKey[]): Promise<(V | undefined)[]>;
  putMany(keys: readonly StateKey[], values: readonly V[]): Promise<void>;
  deleteMany(keys: readonly StateKey[]): Promise<void>;
}

/** A per-key map from user keys (`StateKey` encoded too) to values: join records, distinct counts, … */
export interface MapState<V> {
  /** All entries of each key (an empty map when the key has none). */
  getMany(keys: readonly StateKey[]): Promise<Map<StateKey, V>[]>;
  /** Point reads of one user key per key. */
  getEntries(keys: readonly StateKey[], userKeys: readonly StateKey[]): Promise<(V | undefined)[]>;
  /** Point writes; `undefined` as a value deletes that user key. */
  putEntries(keys: readonly StateKey[], userKeys: readonly StateKey[], values: readonly (V | undefined)[]): Promise<void>;
  deleteMany(keys: readonly StateKey[]): Promise<void>;
}

export interface ListState<V> {
  getMany(keys: readonly StateKey[]): Promise<V[][]>;
  addMany(keys: readonly StateKey[], values: readonly V[]): Promise<void>;
  putMany(keys: readonly StateKey[], lists: readonly (readonly V[])[]): Promise<void>;
  deleteMany(keys: readonly StateKey[]): Promise<void>;
}

/**
 * The keyed state of one operator subtask, covering the key groups `keyGroupRange` of `maxParallelism`.
 * Snapshots are taken per key group, so implementations keep entries grouped by key group.
 */
export interface KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  valueState<V>(descriptor: StateDescriptor): ValueState<V>;
  mapState<V>(descriptor: StateDescriptor): MapState<V>;
  listState<V>(descriptor: StateDescriptor): ListState<V>;
  /** Approximate number of keys held (all states), for metrics. */
  approximateKeyCount(): number;
  /**
   * Writes the state as of this call (the consistency point is the call itself: changes made after it
   * returns its promise are not included) as immutable files under `prefix` in `store`, and resolves to
   * the manifest to keep in the checkpoint. Files are named uniquely per call, so a retried snapshot
   * never overwrites a committed one. Restore with the backend's restore function (e.g.
   * `restoreHeapKeyedStateBackend`), at any parallelism with the same `maxParallelism`.
   */
  snapshot(store: ObjectStore, prefix: string, options?: SnapshotOptions): Promise<KeyedStateSnapshot>;
  /**
   * The checkpoint `checkpointId` completed: a backend taking incremental snapshots may build later ones
   * on that checkpoint's files (never on a snapshot whose checkpoint did not complete).
   */
  notifyCheckpointComplete?(checkpointId: number): void;
  dispose(): Promise<void>;
}

/** How a snapshot is taken (without options: a full, self-contained snapshot). */
export interface SnapshotOptions {
  /** The checkpoint the snapshot belongs to (what `notifyCheckpointComplete` later names). */
  readonly checkpointId: number;
  /**
   * A savepoint: the snapshot must be self-contained, its files all under `prefix` in `store` (the user
   * owns it and may move it; nothing the backend deletes later may be referenced).
   */
  readonly savepoint: boolean;
  /**
   * The snapshot may write only what changed since the last confirmed snapshot and list that snapshot's
   * files too. Never for savepoints, which must be self-contained.
   */
  readonly incremental: boolean;
  /**
   * Name of the folder `store` is rooted at (e.g. `chk-7`). Files of earlier snapshots, written at
   * sibling folders, are listed in the manifest as `../<their folder>/<key>`: a store given to restore
   * must resolve such keys against the parent folder.
   */
  readonly folder: string;
}

/** Inclusive range of key groups [start, end]. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** Flink's assignment of key groups to subtasks: contiguous ranges, sizes differing by at most one. */
export function keyGroupRangeForSubtask(maxParallelism: number, parallelism: number, subtask: number): KeyGroupRange {
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return { start, end };
}

/** The subtask that owns `keyGroup` (inverse of `keyGroupRangeForSubtask`). */
export function subtaskForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}
