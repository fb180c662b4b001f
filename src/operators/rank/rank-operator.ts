/**
 * Top-N with ROW_NUMBER (spec `rank`; Flink's AppendOnlyTopNFunction and RetractableTopNFunction).
 *
 * State, per partition key: the partition's rows sorted by the sort fields, equal sort keys in arrival
 * order. Over insert-only input only the first `rankEnd` rows are kept: a row that falls below them can
 * never come back. Over updating input every row is kept, because retracting a row of the top N pulls the
 * next one up.
 *
 * Streaming mode, per input batch (the mini-batch shape of the group aggregate):
 * 1. read the states of the batch's distinct partitions with one `getMany`;
 * 2. remember each partition's rows at ranks `rankStart`..`rankEnd`, apply the batch's rows in order;
 * 3. emit the net change of that range: with the rank number, per rank position -U/+U when its row
 *    changed, +I when newly filled, -D when emptied (so one insertion near the top shifts every rank below
 *    it, as Flink emits it); without the rank number, -D for rows that left the range and +I for rows
 *    that entered it;
 * 4. write the states back.
 *
 * Batch mode: nothing is emitted until the input ends; then the final ranks of every partition as +I.
 */
import { internalError } from '../../common/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { RankSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, isAccumulate, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { sameValues } from '../common/cell.js';
import { readRow, RowComparator, type StoredRow } from './row-comparator.js';
import { distinctBatchKeys } from '../common/batch-keys.js';

/** One partition's rows, sorted; ties in arrival order. */
interface PartitionState {
  rows: StoredRow[];
}

const FLUSH_BATCH_ROWS = 1024;

export class RankOperator implements Operator {
  private ctx!: OperatorContext;
  private state!: ValueState<PartitionState>;
  private writer!: BatchBuilder;
  private comparator!: RowComparator;
  private isBool!: readonly boolean[];
  private boolKeyColumns!: ReadonlySet<number>;
  private width = 0;
  private appendOnly = true;
  private batchMode = false;
  private readonly seenKeys = new Set<string>();
  private droppedRetractions!: { inc(n?: number): void };

  constructor(readonly spec: RankSpec) {
    if (!(spec.rankStart >= 1 && spec.rankEnd >= spec.rankStart)) {
      throw internalError(`rank spec has an empty or invalid range [${spec.rankStart}, ${spec.rankEnd}]`);
    }
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType: RowType | undefined = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('rank needs one input');
    this.width = inputType.fields.length;
    this.isBool = inputType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.partitionKeys.filter((k) => this.isBool[k]));
    this.comparator = new RowComparator(this.spec.orderBy, inputType);
    this.appendOnly = this.spec.inputMode.kind === 'insert-only';
    this.state = ctx.keyedState().valueState<PartitionState>({ name: 'rank', ttlMs: this.spec.stateTtlMs });
    this.writer = new BatchBuilder(ctx.outputType);
    this.batchMode = ctx.config('execution.runtime-mode') === 'batch';
    this.droppedRetractions = ctx.metrics().counter('rankRetractionsWithoutRow');
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const { uniqueKeys, slotOf } = distinctBatchKeys(batch, this.spec.partitionKeys, this.boolKeyColumns);
    const states = await this.state.getMany(uniqueKeys);
    const before: StoredRow[][] | null = this.batchMode ? null : states.map((st) => this.visible(st));

    const kinds = batch.kinds;
    const keep = this.appendOnly ? this.spec.rankEnd : Infinity;
    for (let r = 0; r < n; r++) {
      const slot = slotOf[r]!;
      let st = states[slot];
      if (kinds === null || isAccumulate(kinds[r]!)) {
        // Full insert-only partition and the row does not sort before the N-th: it can never enter.
        if (st !== undefined && st.rows.length >= keep && this.comparator.compareToBatchRow(st.rows[keep - 1]!, batch, r, this.isBool) <= 0) continue;
        const row = readRow(batch, r, this.isBool);
        if (st === undefined) {
          st = { rows: [] };
          states[slot] = st;
        }
        const rows = st.rows;
        const pos = this.comparator.upperBound(rows, row);
        // Insert-only input: a row that sorts at or below rank `rankEnd` can never enter the range.
        if (pos >= keep) continue;
        rows.splice(pos, 0, row);
        if (rows.length > keep) rows.length = keep;
      } else {
        const removed = st === undefined ? false : this.retract(st.rows, readRow(batch, r, this.isBool));
        // A retraction of a row this operator does not hold is dropped (its state expired, or it never
        // reached the kept rows of an insert-only input), as Flink does with state TTL.
        if (!removed) this.droppedRetractions.inc();
      }
    }

    if (before === null) {
      for (const k of uniqueKeys) this.seenKeys.add(k);
    } else {
      const writer = this.writer;
      for (let s = 0; s < uniqueKeys.length; s++) this.emitChanges(writer, before[s]!, this.visible(states[s]));
    }
    await this.writeBack(uniqueKeys, states);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  async endInput(): Promise<void> {
    if (!this.batchMode) return;
    const keys = [...this.seenKeys];
    this.seenKeys.clear();
    for (let start = 0; start < keys.length; start += FLUSH_BATCH_ROWS) {
      const states = await this.state.getMany(keys.slice(start, start + FLUSH_BATCH_ROWS));
      for (const st of states) {
        const rows = this.visible(st);
        for (let i = 0; i < rows.length; i++) this.writeRow(this.writer, RowKind.INSERT, rows[i]!, this.spec.rankStart + i);
      }
      if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
    }
  }

  close(): void {}

  /** The rows at ranks rankStart..rankEnd (a copy of the references, so later edits do not change it). */
  private visible(st: PartitionState | undefined): StoredRow[] {
    if (st === undefined) return [];
    return st.rows.slice(this.spec.rankStart - 1, this.spec.rankEnd);
  }

  /** Removes the first row equal to `row` (same sort key, same values); false when there is none. */
  private retract(rows: StoredRow[], row: StoredRow): boolean {
    for (let i = this.comparator.lowerBound(rows, row); i < rows.length; i++) {
      const cand = rows[i]!;
      if (this.comparator.compare(cand, row) !== 0) return false;
      if (sameValues(cand, row, this.width)) {
        rows.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  private emitChanges(writer: BatchBuilder, before: readonly StoredRow[], after: readonly StoredRow[]): void {
    if (this.spec.outputRankNumber) {
      const len = Math.max(before.length, after.length);
      for (let i = 0; i < len; i++) {
        const b = before[i];
        const a = after[i];
        const rank = this.spec.rankStart + i;
        if (b === undefined) this.writeRow(writer, RowKind.INSERT, a!, rank);
        else if (a === undefined) this.writeRow(writer, RowKind.DELETE, b, rank);
        else if (a !== b && !sameValues(a, b, this.width)) {
          if (this.spec.generateUpdateBefore) this.writeRow(writer, RowKind.UPDATE_BEFORE, b, rank);
          this.writeRow(writer, RowKind.UPDATE_AFTER, a, rank);
        }
      }
      return;
    }
    // Without the rank number only membership matters: rows are matched by identity first (the same
    // stored row), then equal values cancel (a retracted row replaced by an identical one is no change).
    const kept = new Set<StoredRow>(after);
    const removed = before.filter((b) => !kept.delete(b));
    const added = after.filter((a) => kept.has(a));
    for (let i = 0; i < removed.length; i++) {
      const j = added.findIndex((a) => sameValues(a, removed[i]!, this.width));
      if (j >= 0) {
        added.splice(j, 1);
        removed.splice(i--, 1);
      }
    }
    for (const b of removed) this.writeRow(writer, RowKind.DELETE, b, 0);
    for (const a of added) this.writeRow(writer, RowKind.INSERT, a, 0);
  }

  private writeRow(writer: BatchBuilder, kind: RowKind, row: StoredRow, rank: number): void {
    writer.beginRow(kind);
    const width = this.width;
    for (let c = 0; c < width; c++) writer.set(c, row[c]);
    if (this.spec.outputRankNumber) writer.set(width, rank);
  }

  private async writeBack(keys: readonly string[], states: readonly (PartitionState | undefined)[]): Promise<void> {
    const putKeys: string[] = [];
    const putValues: PartitionState[] = [];
    const deleteKeys: string[] = [];
    for (let s = 0; s < keys.length; s++) {
      const st = states[s];
      if (st === undefined) continue;
      if (st.rows.length > 0) {
        putKeys.push(keys[s]!);
        putValues.push(st);
      } else deleteKeys.push(keys[s]!);
    }
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
    if (deleteKeys.length > 0) await this.state.deleteMany(deleteKeys);
  }
}
