/**
 * Restoring an LSM backend from snapshot manifests (lsm-snapshot.ts), at any parallelism with the same
 * maxParallelism: the listed files are attached as runs, cut to the key groups the new backend owns.
 */
import { incompatibleSnapshot, rangesOverlap } from '../keyed-state-snapshot.js';
import type { KeyedStateSnapshot, SnapshotStateInfo } from '../keyed-state-snapshot.js';
import type { KeyGroupRange } from '../state-api.js';
import type { ObjectStore } from '../../storage/index.js';
import { STATE_VALUE_CODEC_VERSION } from '../value-codec.js';
import { LsmBackend } from './lsm-backend.js';
import type { LsmKeyedStateBackend, LsmKeyedStateBackendOptions } from './lsm-backend.js';
import { Run } from './lsm-run.js';
import { isLsmStateSnapshot } from './lsm-snapshot.js';
import type { LsmStateSnapshot } from './lsm-snapshot.js';
import { SST_FORMAT_VERSION, SST_MIN_FORMAT_VERSION } from './sst-format.js';
import { newFileId } from './sst-reader.js';
import type { SstFileRef } from './sst-reader.js';


/**
 * Builds an LSM backend for `options.keyGroupRange` from the snapshots of one operator (one per old
 * subtask, any order, any old parallelism with the same maxParallelism). Nothing is downloaded: the
 * listed files are opened remotely on first use and used only for the key groups this backend owns
 * (a file shared with other subtasks is range-filtered, not rewritten). Manifests in the heap format
 * are accepted only when they hold no files (subtasks that never created state).
 *
 * Fails with `STATE.INCOMPATIBLE_SNAPSHOT` as the heap restore does (other maxParallelism, overlapping or
 * missing ranges, conflicting state kinds); a missing or corrupt file surfaces as
 * `STATE.CORRUPT_SNAPSHOT` when it is first read.
 */
export async function restoreLsmKeyedStateBackend(
  snapshots: readonly (KeyedStateSnapshot | LsmStateSnapshot)[],
  options: LsmKeyedStateBackendOptions,
  snapshotStore?: ObjectStore,
): Promise<LsmKeyedStateBackend> {
  return openLsmKeyedStateBackend(snapshots, options, snapshotStore);
}

/**
 * `restoreLsmKeyedStateBackend` without the promise: opening needs no I/O (files are read on first use),
 * so the runtime can restore while it creates an operator's state, where the job configuration is at hand.
 * `snapshotStore` is the folder the manifests were read from: files listed with the store '' (a
 * savepoint's own copies) are read from it.
 */
export function openLsmKeyedStateBackend(
  snapshots: readonly (KeyedStateSnapshot | LsmStateSnapshot)[],
  options: LsmKeyedStateBackendOptions,
  snapshotStore?: ObjectStore,
): LsmKeyedStateBackend {
  const backend = new LsmBackend(options);
  const target = backend.keyGroupRange;
  for (const s of snapshots) {
    if (s.maxParallelism !== options.maxParallelism) {
      throw incompatibleSnapshot(`snapshot was taken with maxParallelism ${s.maxParallelism}, the restoring operator has ${options.maxParallelism}; key groups cannot be remapped`);
    }
    if (isLsmStateSnapshot(s)) {
      if (s.formatVersion < SST_MIN_FORMAT_VERSION || s.formatVersion > SST_FORMAT_VERSION || s.valueCodecVersion !== STATE_VALUE_CODEC_VERSION) {
        throw incompatibleSnapshot(
          `LSM snapshot has format version ${s.formatVersion} and value codec version ${s.valueCodecVersion}; this Floe reads ${SST_MIN_FORMAT_VERSION}–${SST_FORMAT_VERSION} and ${STATE_VALUE_CODEC_VERSION}`,
        );
      }
    } else if (s.files.length > 0) {
      throw incompatibleSnapshot(`cannot restore a '${String(s.format)}' snapshot with data into the lsm state backend`, );
    }
  }
  const relevant = snapshots.filter((s) => rangesOverlap(s.keyGroupRange, target));
  checkCoverage(relevant.map((s) => s.keyGroupRange), target);
  const seen = new Map<string, SnapshotStateInfo>();
  for (const s of snapshots) {
    for (const info of s.states) {
      const prev = seen.get(info.name);
      if (prev !== undefined) {
        if (prev.kind !== info.kind || prev.ttlMs !== info.ttlMs) {
          throw incompatibleSnapshot(`state '${info.name}' is ${prev.kind} state with ttl ${prev.ttlMs} ms in one snapshot and ${info.kind} state with ttl ${info.ttlMs} ms in another`);
        }
        continue;
      }
      seen.set(info.name, info);
      backend.restoreState(info);
    }
  }
  const stores = new Map<string, ObjectStore>();
  const runs: Run[] = [];
  for (const s of relevant) {
    if (!isLsmStateSnapshot(s)) continue;
    for (const f of s.files) {
      const start = Math.max(f.keyGroupRange.start, s.keyGroupRange.start, target.start);
      const end = Math.min(f.keyGroupRange.end, s.keyGroupRange.end, target.end);
      if (start > end) continue;
      let store = stores.get(f.store);
      if (store === undefined) {
        if (f.store === '' && snapshotStore === undefined) throw incompatibleSnapshot(`file '${f.key}' of an lsm savepoint is relative to its folder, which was not given`);
        store = f.store === '' ? snapshotStore! : backend.openStore(f.store);
        stores.set(f.store, store);
      }
      const ref: SstFileRef = { id: newFileId(), store, key: f.key, size: f.size, crc32: f.crc32 };
      // The live-key count of an inherited file is unknown until its index is read: estimate by entries.
      runs.push(new Run(ref, { start, end }, f.keyGroupRange, false, f.entries, f.entries, null, 0));
    }
  }
  backend.installRestored(runs);
  return backend;
}

/** The snapshots meeting `target` must not overlap and must together cover it. */
function checkCoverage(ranges: KeyGroupRange[], target: KeyGroupRange): void {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let covered = target.start - 1;
  let previousEnd = -1;
  for (const r of sorted) {
    if (r.start <= previousEnd) throw incompatibleSnapshot(`snapshots overlap at key group ${Math.max(r.start, target.start)}: each key group must come from exactly one snapshot`);
    previousEnd = r.end;
    if (r.start > covered + 1) break;
    covered = Math.max(covered, r.end);
  }
  if (covered < target.end) {
    throw incompatibleSnapshot(`the snapshots do not cover key group ${covered + 1} of the restored range [${target.start}, ${target.end}]: pass the snapshots of every subtask`);
  }
}
