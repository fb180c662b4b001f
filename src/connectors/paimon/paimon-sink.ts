/**
 * The `paimon` sink: rows go through src/lake's table writer (partition and bucket routing, sorted
 * level-0 files, sequence numbers) and become visible as APPEND snapshots.
 *
 * Row kinds: a primary-key table takes +I/+U as upserts and -D (and -U, which the planner drops before
 * upsert sinks) as deletes, folded by the table's merge engine on read and compaction; an append table
 * takes inserts only (the writer refuses retractions unless `ignore-delete` drops them).
 *
 * Commits:
 * - without checkpoints (a bounded job): everything written is committed as one snapshot in `finish`,
 *   with Paimon's batch identifier (Long.MAX_VALUE);
 * - with checkpoints (`SinkContext.exactlyOnce`): at each barrier `preCommit` writes the buffered rows
 *   as data files, invisible until committed, and hands their manifest entries over as the committable;
 *   `commit` commits each checkpoint's entries as one snapshot whose commit identifier is the checkpoint
 *   id. The committable carries the commit user, so a replay after recovery finds the snapshot already
 *   committed (`commitEntries` with `idempotent`) and writes nothing: exactly once. Files written after
 *   the last completed checkpoint by a failed attempt are never referenced (orphans, as in Paimon, until
 *   orphan-file cleanup).
 *
 * Each sink subtask commits its own files, so this writer makes up to n snapshots per commit at
 * parallelism n. Jobs planned from SQL do not commit through it: the planner expands a `paimon` sink
 * into parallel writers and one committer (`paimon-writer-operator.ts`, `paimon-committer-operator.ts`),
 * so a checkpoint makes one snapshot whatever the parallelism; this `SinkWriter` remains the connector's
 * generic sink for callers that drive one directly. Compaction after a commit: `paimon-compaction.ts`.
 */
import { randomUUID } from 'node:crypto';
import { userError } from '../../common/index.js';
import { commitEntries, type IndexManifestEntry, type ManifestEntry, type PaimonTable, type PaimonTableWrite } from '../../lake/index.js';
import type { RecordBatch } from '../../types/index.js';
import type { SinkConnector, SinkContext, SinkWriter } from '../connector.js';
import { OptionReader } from '../option-values.js';
import { compactIfDue } from './paimon-compaction.js';
import { openTableAt } from './paimon-location.js';
import { PAIMON_CONNECTOR, PAIMON_OPTIONS, PATH_OPTION, SYSTEM_TABLE_OPTION } from './paimon-options.js';

/** One checkpoint's files of one sink subtask (structured-cloneable: kept in the checkpoint). */
export interface PaimonCommittable {
  readonly commitUser: string;
  readonly checkpointId: number;
  readonly entries: readonly ManifestEntry[];
  /** New HASH index files of a dynamic-bucket table (absent in committables of older checkpoints). */
  readonly indexChanges?: readonly IndexManifestEntry[];
}

class PaimonSinkWriter implements SinkWriter {
  private writer: PaimonTableWrite | null = null;
  private table: PaimonTable | null = null;
  private readonly commitUser = randomUUID();
  private readonly compactUser = randomUUID();
  private finished = false;

  constructor(private readonly ctx: SinkContext) {}

  private async open(): Promise<PaimonTableWrite> {
    if (this.writer !== null) return this.writer;
    const path = new OptionReader(this.ctx.tableName, this.ctx.options, PAIMON_OPTIONS).requiredString(PATH_OPTION);
    const dynamic: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.ctx.options)) if (k !== 'connector' && k !== PATH_OPTION) dynamic[k] = v;
    this.table = await openTableAt(path, (k) => this.ctx.config(k), { dynamicOptions: dynamic });
    // Dynamic-bucket tables: each subtask assigns only its own buckets; the caller routes each key to one subtask.
    this.writer = this.table.newWrite({ commitUser: this.commitUser, assigner: { assignId: this.ctx.subtaskIndex, numAssigners: this.ctx.parallelism } });
    return this.writer;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    (await this.open()).write(batch);
  }

  async finish(): Promise<void> {
    if (this.finished) return;
    // With checkpoints the final checkpoint's preCommit/commit publishes the rest.
    if (this.ctx.exactlyOnce === true) {
      this.finished = true;
      return;
    }
    const writer = await this.open();
    // prepareCommit writes the files (kept by the writer, which deletes them if the commit fails and the
    // job closes); its entries name the buckets to check for compaction.
    const entries = await writer.prepareCommit();
    await writer.commit();
    this.finished = true;
    await compactIfDue(this.table!, this.compactUser, entries);
  }

  async preCommit(checkpointId: number): Promise<readonly PaimonCommittable[]> {
    if (this.writer === null) return [];
    const { entries, indexChanges } = await this.writer.prepareAndDetachAll();
    return entries.length === 0 && indexChanges.length === 0 ? [] : [{ commitUser: this.commitUser, checkpointId, entries, indexChanges }];
  }

  async commit(committables: readonly unknown[]): Promise<void> {
    if (committables.length === 0) return;
    await this.open();
    const written: ManifestEntry[] = [];
    for (const c of committables as readonly PaimonCommittable[]) {
      await commitEntries(this.table!, { commitUser: c.commitUser, identifier: BigInt(c.checkpointId), idempotent: true, kind: 'APPEND', entries: c.entries, indexChanges: c.indexChanges ?? [] });
      for (const e of c.entries) written.push(e);
    }
    await compactIfDue(this.table!, this.compactUser, written);
  }

  async close(): Promise<void> {
    // Rows not committed by now belong to a failed or cancelled job: drop them and their files.
    if (this.writer !== null && !this.finished) await this.writer.discard();
    this.writer = null;
  }
}

export const paimonSink: SinkConnector = {
  name: PAIMON_CONNECTOR,
  options: PAIMON_OPTIONS,
  validate(ctx) {
    if (ctx.options[SYSTEM_TABLE_OPTION] !== undefined) {
      throw userError('PLAN.READ_ONLY_TABLE', `table '${ctx.tableName}' is a Paimon system table and cannot be written`);
    }
  },
  // Primary-key tables take updates and deletes; append tables refuse retractions when they arrive.
  acceptsUpdates: true,
  createWriter: (ctx) => new PaimonSinkWriter(ctx),
};
