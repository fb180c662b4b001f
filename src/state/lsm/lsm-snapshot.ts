/**
 * The manifest of an LSM state snapshot (format `floe.lsm-state`).
 *
 * An LSM snapshot copies nothing: it flushes the memtable and lists the SST files of the backend's
 * current version, which already live in the primary object store. The files stay where they are and
 * are opened remotely on restore (block by block, no download up front).
 *
 * Retention rule: a backend never deletes a file that a live version, an in-flight read, a running
 * compaction or a retained snapshot references. A snapshot stays retained until `releaseSnapshot` is
 * called with its manifest, or until `retainedSnapshots` newer snapshots have been taken (the runtime sets
 * this from the checkpoint retention). Files a backend restored from (its "inherited" files) are never
 * deleted by it: other subtasks of a rescaled job and older checkpoints may share them.
 *
 * A savepoint is the exception: its files are copied under the savepoint's folder, and listed with the
 * empty store '' (relative to the folder the manifest was read from), so the savepoint is self-contained.
 *
 * `files` are ordered newest first; each lists the store it lives in (a restored backend keeps reading
 * the old job's files from the old primary location while writing new ones to its own) and the key-group
 * range it contributes to this snapshot (already cut to the snapshot's `keyGroupRange`: a file shared by
 * several subtasks after a rescale is listed by each with its own part).
 */
import type { KeyGroupRange } from '../state-api.js';
import type { SnapshotFileInfo, SnapshotStateInfo } from '../keyed-state-snapshot.js';

export const LSM_STATE_SNAPSHOT_FORMAT = 'floe.lsm-state';

export interface LsmSnapshotFileInfo extends SnapshotFileInfo {
  /** URI of the object store holding the file (`key` is relative to it); '' = the snapshot's own folder. */
  readonly store: string;
}

export interface LsmStateSnapshot {
  readonly format: typeof LSM_STATE_SNAPSHOT_FORMAT;
  /** Version of the SST format (sst-format.ts). */
  readonly formatVersion: number;
  readonly valueCodecVersion: number;
  /** Unique per snapshot call (`releaseSnapshot` matches on it). */
  readonly snapshotId: string;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly takenAtMs: number;
  readonly states: readonly SnapshotStateInfo[];
  /** Newest first. */
  readonly files: readonly LsmSnapshotFileInfo[];
  /** Sum of the referenced file sizes (nothing is copied; this is what a restore may read). */
  readonly totalBytes: number;
}

export function isLsmStateSnapshot(s: unknown): s is LsmStateSnapshot {
  return typeof s === 'object' && s !== null && (s as { format?: unknown }).format === LSM_STATE_SNAPSHOT_FORMAT;
}
