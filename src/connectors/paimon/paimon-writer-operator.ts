/**
 * `lake-writer`: one of the parallel writers of a Paimon sink (src/spec/lake-sink-specs.ts). It buffers
 * its input in a `PaimonTableWrite`; at each checkpoint barrier — before the barrier goes downstream, so
 * the committer receives the files within the same checkpoint — and at the end of its input it writes the
 * buffered rows as data files and emits their manifest entries as one committable row. It never commits:
 * the files stay invisible until the committer commits the checkpoint they belong to.
 *
 * State: the per-bucket sequence counters, as keyed operator state under the key (partition values…,
 * bucket) — the key the hash exchange routes the bucket's rows by — so after a recovery (even at another
 * parallelism) the writer that owns a bucket continues its numbering above the restored checkpoint's
 * files, which the committer may not have committed yet when this writer prepares its next files.
 *
 * Dynamic-bucket tables (`bucket` = -1): the routing column holds a channel derived from the key hash
 * (`dynamicBucketChannel`), not the bucket; this writer is the bucket assigner of the keys routed to it
 * (assigner `subtaskIndex` of `parallelism`, see src/lake/dynamic-bucket-index.ts) and hands its new HASH
 * index files over with its data files. Its rows of one bucket may now share the bucket with another
 * writer's rows (keys that kept a bucket of another assigner), so the counters are filed under every
 * (partition values…, channel) state key the writer saw, each holding all of the partition's counters:
 * after a recovery the writer that receives a channel gets every counter any old writer of that channel
 * had, and raising a counter is always safe.
 */
import { unsupported } from '../../common/index.js';
import { changelogProducerOf, type PaimonTableWrite, type SequenceCounter } from '../../lake/index.js';
import type { CheckpointedOperator, OperatorContext } from '../../runtime/index.js';
import { encodeKey } from '../../state/index.js';
import type { LakeWriterSpec } from '../../spec/index.js';
import { RowKind, selectRows, type RecordBatch } from '../../types/index.js';
import { END_OF_INPUT_CHECKPOINT, committableBatch } from './paimon-committable.js';
import { openSinkTable } from './paimon-sink-table.js';

/**
 * A primary-key table takes its input as upserts, as Paimon's Flink sink declares (Flink drops -U before
 * it): the +U that follows a -U for the key replaces the row, so the -U carries nothing — and merge
 * engines such as `partial-update` refuse -U records. The planner already drops -U before a keyed sink,
 * except where another consumer of the same input needs them (a UNION ALL branch). A table with
 * `changelog-producer` = `input` keeps them: Paimon's sink then takes every row kind, since its changelog
 * files are the input as received.
 */
function withoutUpdateBefore(batch: RecordBatch): RecordBatch {
  const kinds = batch.kinds!;
  let keep = 0;
  for (let r = 0; r < batch.numRows; r++) if (kinds[r] !== RowKind.UPDATE_BEFORE) keep++;
  if (keep === batch.numRows) return batch;
  const idx = new Int32Array(keep);
  for (let r = 0, k = 0; r < batch.numRows; r++) if (kinds[r] !== RowKind.UPDATE_BEFORE) idx[k++] = r;
  return selectRows(batch, idx);
}

/** The keyed operator state of a dynamic-bucket writer under one (partition values…, channel) key. */
interface ChannelCounters {
  readonly channel: number;
  readonly counters: readonly SequenceCounter[];
}

function isChannelCounters(v: unknown): v is ChannelCounters {
  return typeof v === 'object' && v !== null && Array.isArray((v as ChannelCounters).counters);
}

export class PaimonWriterOperator implements CheckpointedOperator {
  private writer: PaimonTableWrite | null = null;
  private ctx: OperatorContext | null = null;
  private finished = false;
  private readonly width: number;
  /** `changelog-producer` = `input`: the changelog files record the input as received, -U included. */
  private keepUpdateBefore = false;
  /** A dynamic-bucket table: the routing column holds channels. */
  private dynamic = false;

  constructor(private readonly spec: LakeWriterSpec) {
    if (spec.version !== 1) {
      throw unsupported('SPEC.VERSION', `lake-writer spec version ${String(spec.version)} of table '${spec.tableName}' is not supported by this Floe (knows 1)`);
    }
    this.width = spec.schema.fields.length;
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const table = await openSinkTable(this.spec.tableName, this.spec.options, (k) => ctx.config(k));
    this.writer = table.newWrite({ assigner: { assignId: ctx.subtaskIndex, numAssigners: ctx.parallelism } });
    this.keepUpdateBefore = changelogProducerOf(table.options, table.primaryKeys.length > 0, this.spec.tableName) === 'input';
    this.dynamic = table.primaryKeys.length > 0 && table.numBuckets === -1;
    for (const [, value] of ctx.restoredKeyedOperatorState ?? []) {
      if (!isChannelCounters(value)) {
        this.writer.restoreSequenceCounter(value as SequenceCounter);
        continue;
      }
      for (const c of value.counters) {
        this.writer.restoreSequenceCounter(c);
        this.writer.restoreChannel(c.partition, c.partitionValues, value.channel);
      }
    }
  }

  processBatch(_input: number, batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    const routing = this.spec.bucketColumn;
    if (routing === null) {
      this.writer!.write(batch);
      return;
    }
    const input = batch.kinds !== null && !this.keepUpdateBefore ? withoutUpdateBefore(batch) : batch;
    if (input.numRows === 0) return;
    // Drop the routing column of `lake-bucket-assign` (the table's columns come first).
    const rows = { numRows: input.numRows, kinds: input.kinds, columns: input.columns.slice(0, this.width) };
    this.writer!.write(rows, this.dynamic ? (input.columns[routing]!.data as Int32Array) : undefined);
  }

  processWatermark(): void {}

  /** Writes what is buffered and hands the files to the committer (nothing when there is nothing). */
  private async handOver(checkpointId: number): Promise<void> {
    const { entries, indexChanges } = await this.writer!.prepareAndDetachAll();
    if (entries.length > 0 || indexChanges.length > 0) this.ctx!.emit(committableBatch(checkpointId, entries, indexChanges));
  }

  async snapshotOperatorState(checkpointId: number): Promise<readonly unknown[]> {
    // After the end of input the output is closed: those files went out in `endInput`.
    if (!this.finished) await this.handOver(checkpointId);
    return [];
  }

  snapshotKeyedOperatorState(): readonly (readonly [string, unknown])[] {
    if (this.spec.bucketColumn === null || this.writer === null) return [];
    if (!this.dynamic) return this.writer.sequenceCounters().map((c) => [encodeKey([...c.partitionValues, c.bucket]), c] as const);
    const byPartition = new Map<string, SequenceCounter[]>();
    for (const c of this.writer.sequenceCounters()) {
      const key = encodeKey([...c.partitionValues]);
      let list = byPartition.get(key);
      if (list === undefined) byPartition.set(key, (list = []));
      list.push(c);
    }
    const out: (readonly [string, ChannelCounters])[] = [];
    for (const p of this.writer.dynamicChannels()) {
      const counters = byPartition.get(encodeKey([...p.partitionValues])) ?? [];
      if (counters.length === 0) continue;
      for (const channel of p.channels) out.push([encodeKey([...p.partitionValues, channel]), { channel, counters }] as const);
    }
    return out;
  }

  async endInput(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.handOver(END_OF_INPUT_CHECKPOINT);
  }

  async close(): Promise<void> {
    // Buffered rows of a failed or cancelled attempt are dropped; handed-over files belong to the committer.
    try {
      await this.writer?.discard();
    } catch {
      // Cleanup must not throw; the job's real error (if any) is already reported.
    }
    this.writer = null;
  }
}
