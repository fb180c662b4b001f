/**
 * Deduplication (spec `deduplicate`; Flink's ProcTime/RowTime Deduplicate functions, mini-batch shape).
 *
 * State, per key: the kept row (processing-time keep-first in streaming mode only needs to know that a
 * row was seen, so it stores `true`, as Flink stores a flag).
 *
 * Streaming mode, per input batch: read the states of the batch's distinct keys with one `getMany`; walk
 * the rows in arrival order, deciding per row whether it replaces the key's current candidate:
 * - processing time: keep-first never replaces, keep-last always replaces;
 * - event time: keep-last replaces when `kept.time <= row.time`, keep-first when `row.time < kept.time`
 *   (DeduplicateFunctionHelper.isDuplicate): so for keep-last an equal timestamp arriving later wins, and
 *   a late row with an older timestamp never replaces the kept one.
 * Then emit the net change per key from before the batch to after it: +I for a new key, -U old / +U new
 * (just +U without `generateUpdateBefore`) for a replaced row, nothing when the replacement is equal to
 * the kept row and no state TTL is set (Flink re-emits under TTL so downstream state stays fresh).
 *
 * Batch mode: the final row per key, as +I, at the end of input.
 */
import { internalError, unsupported } from '../../common/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { DeduplicateSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { sameValues } from '../common/cell.js';
import { readRow, type StoredRow } from './row-comparator.js';
import { distinctBatchKeys } from '../common/batch-keys.js';

/** The kept row, or `true` when only the fact that a row was seen matters (processing-time keep-first). */
type DedupState = StoredRow | true;

const FLUSH_BATCH_ROWS = 1024;
/** Sentinel for "no candidate from this batch" in the per-slot row index. */
const NONE = -1;

export class DeduplicateOperator implements Operator {
  private ctx!: OperatorContext;
  private state!: ValueState<DedupState>;
  private writer!: BatchBuilder;
  private isBool!: readonly boolean[];
  private boolKeyColumns!: ReadonlySet<number>;
  private width = 0;
  private batchMode = false;
  /** Processing-time keep-first in streaming mode: state is a flag, output insert-only. */
  private flagOnly = false;
  private readonly seenKeys = new Set<string>();

  constructor(readonly spec: DeduplicateSpec) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType: RowType | undefined = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('deduplicate needs one input');
    this.width = inputType.fields.length;
    this.isBool = inputType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.keys.filter((k) => this.isBool[k]));
    this.state = ctx.keyedState().valueState<DedupState>({ name: 'deduplicate', ttlMs: this.spec.stateTtlMs });
    this.writer = new BatchBuilder(ctx.outputType);
    this.batchMode = ctx.config('execution.runtime-mode') === 'batch';
    this.flagOnly = !this.batchMode && !this.spec.rowtime && !this.spec.keepLast;
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const kinds = batch.kinds;
    if (kinds !== null) {
      for (let r = 0; r < n; r++) {
        if (kinds[r] !== RowKind.INSERT) {
          throw unsupported('OPERATOR.DEDUPLICATE_UPDATING_INPUT', `Deduplicate (node ${this.ctx.node.name}) received an update or delete row; it consumes insert-only input`);
        }
      }
    }
    const { uniqueKeys, slotOf } = distinctBatchKeys(batch, this.spec.keys, this.boolKeyColumns);
    const states = await this.state.getMany(uniqueKeys);
    const slots = uniqueKeys.length;
    // Per slot: the batch row that is the current candidate (NONE: the state's row, if any, still is),
    // and the candidate's time (event time only).
    const chosen = new Int32Array(slots).fill(NONE);
    const candTime = new Float64Array(slots);
    const timeCol = this.spec.rowtime ? batch.columns[this.spec.timeIndex]! : null;
    if (timeCol !== null) {
      for (let s = 0; s < slots; s++) {
        const st = states[s];
        if (st !== undefined && st !== true) candTime[s] = st[this.spec.timeIndex] as number;
      }
    }
    const keepLast = this.spec.keepLast;
    for (let r = 0; r < n; r++) {
      const s = slotOf[r]!;
      const has = chosen[s] !== NONE || states[s] !== undefined;
      if (!has) {
        chosen[s] = r;
        if (timeCol !== null) candTime[s] = timeCol.data[r] as number;
        continue;
      }
      if (timeCol === null) {
        if (keepLast) chosen[s] = r;
        continue;
      }
      const t = timeCol.data[r] as number;
      if (keepLast ? candTime[s]! <= t : t < candTime[s]!) {
        chosen[s] = r;
        candTime[s] = t;
      }
    }

    const writer = this.writer;
    const putKeys: string[] = [];
    const putValues: DedupState[] = [];
    const emitUnchanged = this.spec.stateTtlMs > 0;
    for (let s = 0; s < slots; s++) {
      const r = chosen[s]!;
      if (r === NONE) continue;
      const prev = states[s];
      putKeys.push(uniqueKeys[s]!);
      if (this.flagOnly) {
        putValues.push(true);
        writer.appendFrom(batch, r, RowKind.INSERT);
        continue;
      }
      const row = readRow(batch, r, this.isBool);
      putValues.push(row);
      if (this.batchMode) {
        this.seenKeys.add(uniqueKeys[s]!);
        continue;
      }
      if (prev === undefined || prev === true) {
        writer.appendFrom(batch, r, RowKind.INSERT);
        continue;
      }
      if (!emitUnchanged && sameValues(prev, row, this.width)) continue;
      if (this.spec.generateUpdateBefore) this.writeRow(writer, RowKind.UPDATE_BEFORE, prev);
      writer.appendFrom(batch, r, RowKind.UPDATE_AFTER);
    }
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
    if (writer.numRows > 0) this.ctx.emit(writer.finish());
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
      for (const st of states) if (st !== undefined && st !== true) this.writeRow(this.writer, RowKind.INSERT, st);
      if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
    }
  }

  close(): void {}

  private writeRow(writer: BatchBuilder, kind: RowKind, row: StoredRow): void {
    writer.beginRow(kind);
    for (let c = 0; c < this.width; c++) writer.set(c, row[c]);
  }
}
