/**
 * `lake-committer`: the single committer of a Paimon sink (parallelism 1, src/spec/lake-sink-specs.ts).
 *
 * It collects the writers' committables by checkpoint id. Committables of a checkpoint all arrive before
 * that checkpoint's barrier (writers emit them before forwarding it, and the committer aligns barriers),
 * so its snapshot of checkpoint c holds every file of c. Files written at the end of a writer's input
 * (checkpoint id -1) join the next checkpoint the committer snapshots: once a writer finished, the
 * checkpoint that records it finished is the one whose commit must publish its last files.
 *
 * When checkpoint c completed, every pending checkpoint ≤ c is committed in id order, each as ONE APPEND
 * snapshot with commit identifier = checkpoint id under this committer's commit user. The commit user is
 * kept in the checkpoint: on recovery the restored pending checkpoints are committed again and
 * `commitEntries` (idempotent) skips those the table already holds, so every file is committed once.
 * Without checkpoints (a bounded job) everything is committed at the end of the input as one snapshot
 * with Paimon's batch identifier. Compaction runs after commits, here only, so it never races another
 * writer of this job; snapshot (and consumer) expiration by the table's options follows it
 * (`expireAfterCommit`).
 *
 * Dynamic-bucket tables: a committable may also hold new HASH index files; they are committed with the
 * checkpoint's data files (`CommitRequest.indexChanges`), each replacing its bucket's index entry.
 *
 * A committable may hold changelog files (`changelog-producer` = `input`, told apart by file name): they
 * go into the same snapshot's changelog manifest list. With `lookup`, the compaction after every commit
 * produces the changelog (paimon-compaction.ts); a crash between the two leaves level-0 files that the
 * next compaction (after the recovery's commit) moves up with their changelog, so none is lost.
 *
 * `INSERT OVERWRITE` (`spec.overwrite`) runs in batch jobs only, which take no checkpoints: the one
 * commit at the end of the input is an OVERWRITE snapshot (`overwriteEntries`), made even when nothing
 * was written, since overwriting with an empty result empties the table or static partition.
 */
import { randomUUID } from 'node:crypto';
import { unsupported } from '../../common/index.js';
import { decodeLiteral } from '../../expr/index.js';
import { BATCH_COMMIT_IDENTIFIER, commitEntries, expireAfterCommit, overwriteEntries, splitChangelogEntries, type ManifestEntry, type PaimonTable } from '../../lake/index.js';
import { readCheckpointSettings, type CheckpointedOperator, type OperatorContext } from '../../runtime/index.js';
import type { LakeCommitterSpec } from '../../spec/index.js';
import type { RecordBatch } from '../../types/index.js';
import { END_OF_INPUT_CHECKPOINT, decodeCommittable, readCommittable, type CommittableFiles } from './paimon-committable.js';
import { compactIfDue } from './paimon-compaction.js';
import { openSinkTable } from './paimon-sink-table.js';

/** The files of one checkpoint, from all writers (manifest bytes, see paimon-committable.ts). */
interface PendingCheckpoint {
  readonly checkpointId: number;
  readonly files: Uint8Array[];
}

/** The committer's checkpointed state (one entry). */
interface CommitterState {
  readonly commitUser: string;
  readonly pending: readonly PendingCheckpoint[];
}

export class PaimonCommitterOperator implements CheckpointedOperator {
  private table: PaimonTable | null = null;
  private commitUser = '';
  private readonly compactUser = randomUUID();
  /** Uncommitted checkpoints, ascending by id. */
  private pending: PendingCheckpoint[] = [];
  /** Files written at the end of a writer's input, not yet assigned to a checkpoint. */
  private endOfInput: Uint8Array[] = [];
  private exactlyOnce = false;

  constructor(private readonly spec: LakeCommitterSpec) {
    if (spec.version !== 1) {
      throw unsupported('SPEC.VERSION', `lake-committer spec version ${String(spec.version)} of table '${spec.tableName}' is not supported by this Floe (knows 1)`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.exactlyOnce = readCheckpointSettings(ctx.job.config, ctx.job.name) !== null;
    this.table = await openSinkTable(this.spec.tableName, this.spec.options, (k) => ctx.config(k));
    if (this.spec.overwrite !== undefined && this.exactlyOnce) {
      throw unsupported('PAIMON.OVERWRITE_STREAMING', `INSERT OVERWRITE of Paimon table '${this.spec.tableName}' runs in batch mode only, without checkpoints`);
    }
    const restored = ctx.restoredOperatorState as readonly CommitterState[] | undefined;
    if (restored === undefined || restored.length === 0) {
      this.commitUser = randomUUID();
      return;
    }
    // Recovery: the restored checkpoint completed, so everything it kept pending is due now (again, if
    // the crash came after its commit: commits are idempotent under the restored commit user).
    this.commitUser = restored[0]!.commitUser;
    for (const s of restored) for (const p of s.pending) this.pendingFor(p.checkpointId).push(...p.files);
    await this.commitUpTo(Infinity);
  }

  private pendingFor(checkpointId: number): Uint8Array[] {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.checkpointId > checkpointId) i--;
    if (i > 0 && this.pending[i - 1]!.checkpointId === checkpointId) return this.pending[i - 1]!.files;
    const p: PendingCheckpoint = { checkpointId, files: [] };
    this.pending.splice(i, 0, p);
    return p.files;
  }

  processBatch(_input: number, batch: RecordBatch): void {
    for (let r = 0; r < batch.numRows; r++) {
      const c = readCommittable(batch, r);
      if (c.checkpointId === END_OF_INPUT_CHECKPOINT) this.endOfInput.push(c.files);
      else this.pendingFor(c.checkpointId).push(c.files);
    }
  }

  processWatermark(): void {}

  snapshotOperatorState(checkpointId: number): readonly CommitterState[] {
    if (this.endOfInput.length > 0) {
      this.pendingFor(checkpointId).push(...this.endOfInput);
      this.endOfInput = [];
    }
    return [{ commitUser: this.commitUser, pending: this.pending.map((p) => ({ checkpointId: p.checkpointId, files: p.files.slice() })) }];
  }

  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.commitUpTo(checkpointId);
  }

  /** Commits every pending checkpoint with id ≤ `checkpointId`, one snapshot each, in id order. */
  private async commitUpTo(checkpointId: number): Promise<void> {
    const written: ManifestEntry[] = [];
    while (this.pending.length > 0 && this.pending[0]!.checkpointId <= checkpointId) {
      const p = this.pending[0]!;
      const files = this.decode(p.files);
      const { data, changelog } = splitChangelogEntries(files.entries);
      await commitEntries(this.table!, { commitUser: this.commitUser, identifier: BigInt(p.checkpointId), idempotent: true, kind: 'APPEND', entries: data, changelog, indexChanges: files.indexChanges });
      this.pending.shift();
      for (const e of data) written.push(e);
    }
    await compactIfDue(this.table!, this.compactUser, written);
    await expireAfterCommit(this.table!);
  }

  /** The files of several committables, in order (a later index file of a bucket replaces an earlier one). */
  private decode(files: readonly Uint8Array[]): CommittableFiles {
    const entries: ManifestEntry[] = [];
    const indexChanges: CommittableFiles['indexChanges'] = [];
    for (const f of files) {
      const c = decodeCommittable(f, this.spec.tableName);
      for (const e of c.entries) entries.push(e);
      for (const e of c.indexChanges) indexChanges.push(e);
    }
    return { entries, indexChanges };
  }

  async endInput(): Promise<void> {
    // With checkpoints the final checkpoint commits the rest (see the module comment).
    if (this.exactlyOnce) return;
    const files: Uint8Array[] = [];
    for (const p of this.pending) files.push(...p.files);
    files.push(...this.endOfInput);
    this.pending = [];
    this.endOfInput = [];
    const decoded = this.decode(files);
    const { data: entries, changelog } = splitChangelogEntries(decoded.entries);
    const indexChanges = decoded.indexChanges;
    if (this.spec.overwrite !== undefined) {
      await overwriteEntries(this.table!, { commitUser: this.commitUser, identifier: BATCH_COMMIT_IDENTIFIER, entries, changelog, indexChanges, staticPartition: this.staticPartition() });
    } else {
      if (entries.length === 0 && indexChanges.length === 0) return;
      await commitEntries(this.table!, { commitUser: this.commitUser, identifier: BATCH_COMMIT_IDENTIFIER, idempotent: false, kind: 'APPEND', entries, changelog, indexChanges });
    }
    await compactIfDue(this.table!, this.compactUser, entries);
    await expireAfterCommit(this.table!);
  }

  /** The spec's static partition as values of the table's partition column types. */
  private staticPartition(): Record<string, unknown> {
    const schema = this.table!.schema();
    const out: Record<string, unknown> = {};
    for (const [name, json] of Object.entries(this.spec.overwrite?.staticPartition ?? {})) {
      const field = schema.fields.find((f) => f.name === name);
      // An unknown column is reported by `overwriteEntries`, which names the partition columns.
      out[name] = field === undefined ? json : decodeLiteral(json, field.type);
    }
    return out;
  }

  close(): void {
    this.table = null;
  }
}
