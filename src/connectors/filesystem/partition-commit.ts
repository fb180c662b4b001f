/**
 * Partition commit (Flink's `sink.partition-commit.*`): when a partition of a streaming filesystem sink is
 * complete, and what committing it does.
 *
 * Trigger (`sink.partition-commit.trigger`):
 * - `process-time` (Flink's default): committable once the processing time passes the time this
 *   subtask created the partition + `sink.partition-commit.delay` (delay 0: at every check).
 * - `partition-time`: committable once the watermark passes the partition's time (extracted from its
 *   values, see partition-time-extractor.ts, read in `sink.partition-commit.watermark-time-zone`) +
 *   delay. As in Flink the comparison is strict: `watermark > partitionTime + delay`.
 *
 * Policies (`sink.partition-commit.policy.kind`, comma-separated): `success-file` writes an empty marker
 * (`sink.partition-commit.success-file.name`, default `_SUCCESS`) into the partition directory. `metastore`
 * needs a Hive metastore, which a filesystem table does not have (Flink rejects it too), and `custom` needs
 * a Java class: both are rejected with clear errors at plan time.
 */
import * as path from 'node:path';
import { unsupported } from '../../common/index.js';
import { commitFileOnce, writeMarkerFile } from '../../storage/index.js';
import { optionError } from '../option-values.js';

export type CommitTrigger = 'process-time' | 'partition-time';

export interface CommitPolicies {
  /** The success marker's file name, or null without the `success-file` policy. */
  readonly successFileName: string | null;
}

/** Parses the policy list; throws for `metastore`, `custom` and unknown kinds. */
export function parseCommitPolicies(tableName: string, kinds: string | undefined, successFileName: string): CommitPolicies {
  let success = false;
  for (const raw of (kinds ?? '').split(',')) {
    const kind = raw.trim().toLowerCase();
    if (kind === '') continue;
    if (kind === 'success-file') success = true;
    else if (kind === 'metastore') {
      throw unsupported(
        'CONNECTOR.COMMIT_POLICY',
        `table '${tableName}': partition commit policy 'metastore' needs a Hive metastore; a 'filesystem' table has none (use 'success-file')`,
      );
    } else if (kind === 'custom') {
      throw unsupported(
        'CONNECTOR.COMMIT_POLICY',
        `table '${tableName}': partition commit policy 'custom' needs a Java class ('sink.partition-commit.policy.class'), which Floe cannot load (use 'success-file')`,
      );
    } else {
      throw optionError(tableName, `unknown partition commit policy '${raw.trim()}' in 'sink.partition-commit.policy.kind' (known: 'success-file', 'metastore', 'custom')`);
    }
  }
  if (success && (successFileName === '' || /[/\\]/.test(successFileName))) {
    throw optionError(tableName, `'sink.partition-commit.success-file.name' must be a plain file name, got '${successFileName}'`);
  }
  return { successFileName: success ? successFileName : null };
}

/** `process-time`: the processing time passed the partition's creation time + delay. */
export function procTimeCommittable(createdAtMs: number, nowMs: number, delayMs: number): boolean {
  return delayMs === 0 || nowMs > createdAtMs + delayMs;
}

/** `partition-time`: the watermark passed the partition's time (as an instant) + delay. */
export function partitionTimeCommittable(partitionInstantMs: number, watermark: number, delayMs: number): boolean {
  return watermark > partitionInstantMs + delayMs;
}

/**
 * The durable outcome of pre-committing one partition: its part files are closed (hidden, under their
 * in-progress names) and will become visible at their final names. Plain data, so that a checkpoint can
 * store it (see `FileSystemSinkWriter` for the exactly-once hook).
 */
export interface PartitionCommit {
  /** Absolute directory of the partition (the table root for an unpartitioned table). */
  readonly folder: string;
  /** Whether commit policies apply (false for the unpartitioned root: Flink commits partitions only). */
  readonly isPartition: boolean;
  readonly files: readonly PendingFile[];
}

export interface PendingFile {
  readonly inProgressPath: string;
  readonly finalPath: string;
}

/**
 * Commits a pre-committed partition: renames its closed files to their visible names, then runs the
 * policies. Idempotent: files already renamed are skipped and the success marker is rewritten, so
 * replaying a commit (after a failure between rename and marker, or on recovery) is harmless.
 * The marker is written last, so a reader that sees it also sees every file of this commit.
 */
export async function applyPartitionCommit(commit: PartitionCommit, policies: CommitPolicies): Promise<void> {
  for (const f of commit.files) await commitFileOnce(f.inProgressPath, f.finalPath);
  if (commit.isPartition && policies.successFileName !== null) {
    await writeMarkerFile(path.join(commit.folder, policies.successFileName));
  }
}
