/**
 * The manifest of a keyed-state snapshot: what a backend's `snapshot` returns and what `restore` takes.
 * It is small and JSON-able (the checkpoint coordinator stores it in the checkpoint's metadata file);
 * the state itself lives in the immutable object-store files it lists.
 *
 * Files cover contiguous, ascending, non-overlapping key-group ranges whose union is inside the
 * snapshot's `keyGroupRange` (key groups with no state may be covered by no file). A restore reads only
 * the files whose range meets the key groups it must hold, which is what makes rescaling cheap.
 */
import { userError, type FloeError } from '../common/index.js';
import type { KeyGroupRange } from './state-api.js';

export type KeyedStateKind = 'value' | 'list' | 'map';

/** A registered state as snapshotted: restore re-registers it with the same kind and TTL. */
export interface SnapshotStateInfo {
  readonly name: string;
  readonly kind: KeyedStateKind;
  /** TTL of the state (0 = none); entries carry their last write time (processing-time epoch ms). */
  readonly ttlMs: number;
}

export interface SnapshotFileInfo {
  /** Object key of the file in the store the snapshot was written to. */
  readonly key: string;
  readonly keyGroupRange: KeyGroupRange;
  /** Exact size in bytes: a different length on restore means truncation. */
  readonly size: number;
  /** CRC-32 (IEEE) of the file without its 4-byte trailer, which holds the same value. */
  readonly crc32: number;
  /** Keys written (all states). */
  readonly entries: number;
}

export const KEYED_STATE_SNAPSHOT_FORMAT = 'floe.keyed-state';

export interface KeyedStateSnapshot {
  readonly format: typeof KEYED_STATE_SNAPSHOT_FORMAT;
  /** Version of the file format (`heap-snapshot-file.ts`). */
  readonly formatVersion: number;
  /** Version of the value codec (`value-codec.ts`) used inside the files. */
  readonly valueCodecVersion: number;
  readonly maxParallelism: number;
  /** The key groups the snapshotted backend owned. */
  readonly keyGroupRange: KeyGroupRange;
  /** The backend clock when the snapshot was taken (entries expired by then were left out). */
  readonly takenAtMs: number;
  readonly states: readonly SnapshotStateInfo[];
  /**
   * Full files first, then deltas in the order they were taken (restore applies them in this order).
   * Keys are relative to the snapshot's folder; `../<folder>/<key>` names a file an earlier incremental
   * snapshot wrote in a sibling folder.
   */
  readonly files: readonly SnapshotFileInfo[];
  /** Sum of the file sizes: the state's size as stored. */
  readonly totalBytes: number;
  /** Bytes this snapshot wrote (less than `totalBytes` when it reuses earlier files); absent = `totalBytes`. */
  readonly writtenBytes?: number;
}

export function incompatibleSnapshot(message: string): FloeError {
  return userError('STATE.INCOMPATIBLE_SNAPSHOT', message);
}

/** Whether two inclusive ranges share a key group. */
export function rangesOverlap(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}
