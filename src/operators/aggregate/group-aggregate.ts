/**
 * Unbounded GROUP BY over a changelog (spec `group-aggregate`, Flink's GroupAggFunction with mini-batch).
 *
 * Streaming mode, per input batch:
 * 1. encode the group key of every row and read the state of the batch's distinct keys in one `getMany`;
 * 2. remember each group's result before the batch, then apply the rows in order (+I/+U accumulate,
 *    -U/-D retract);
 * 3. emit the net change of each touched group from before the batch to after it: +I for a new group,
 *    -U old / +U new for a changed one (only +U without `generateUpdateBefore`), -D when its row count
 *    drops to zero, nothing when the result is unchanged;
 * 4. write the touched states back with one `putMany` and one `deleteMany`.
 *
 * Emitting net changes per batch rather than per row is what Flink's mini-batch aggregation does: a group
 * that changes several times within a batch emits one update, which keeps the changelog (and the work of
 * every downstream operator) small. The final result is the same; only intermediate updates are folded.
 *
 * Batch mode (`execution.runtime-mode = batch`): nothing is emitted until the input ends; then one +I per
 * group, so the output is insert-only. A global aggregate (no group keys) over empty input emits one row
 * of initial values (COUNT 0, SUM NULL) in batch mode, as SQL requires; in streaming mode it emits
 * nothing, as Flink's GroupAggFunction does (no row ever created the group).
 */
import { internalError } from '../../common/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { GroupAggregateSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, isAccumulate, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { readCell, sameValues } from '../common/cell.js';
import { AggregateSet } from './aggregate-set.js';
import type { AggState } from './aggregate-set.js';
import { distinctBatchKeys } from '../common/batch-keys.js';

/** Group state: the aggregation state plus, in batch mode, the group key values for the final emission. */
interface GroupState extends AggState {
  key: unknown[] | null;
}

const NO_KEYS = Object.freeze([]) as readonly number[];
/** Rows per output batch of the final batch-mode emission. */
const FLUSH_BATCH_ROWS = 1024;

export class GroupAggregateOperator implements Operator {
  private ctx!: OperatorContext;
  private aggs!: AggregateSet;
  private state!: ValueState<GroupState>;
  private writer!: BatchBuilder;
  private boolKeyColumns!: ReadonlySet<number>;
  private keyIsBool!: readonly boolean[];
  private batchMode = false;
  /** Batch mode: every group key seen, in first-seen order (the state API cannot enumerate keys). */
  private readonly seenKeys = new Set<string>();
  private readonly nKeys: number;
  /** Reused per batch for before/after result values. */
  private scratchBefore: unknown[] = [];
  private scratchAfter: unknown[] = [];

  constructor(readonly spec: GroupAggregateSpec) {
    this.nKeys = spec.groupKeys.length;
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType: RowType | undefined = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('group-aggregate needs one input');
    const withRetraction = this.spec.inputMode.kind !== 'insert-only';
    this.aggs = new AggregateSet(this.spec.aggregates, inputType, withRetraction);
    this.state = ctx.keyedState().valueState<GroupState>({ name: 'group-agg', ttlMs: this.spec.stateTtlMs });
    this.writer = new BatchBuilder(ctx.outputType);
    this.keyIsBool = this.spec.groupKeys.map((c) => inputType.fields[c]?.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.groupKeys.filter((_, i) => this.keyIsBool[i]));
    this.batchMode = ctx.config('execution.runtime-mode') === 'batch';
    const width = this.spec.aggregates.length;
    this.scratchBefore = new Array<unknown>(width);
    this.scratchAfter = new Array<unknown>(width);
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const { uniqueKeys, slotOf, firstRow } = distinctBatchKeys(batch, this.spec.groupKeys, this.boolKeyColumns);

    const states: (GroupState | undefined)[] = await this.state.getMany(uniqueKeys);
    const width = this.aggs.size;
    // Results before the batch, flattened: slot s at [s * width, (s + 1) * width); `existed[s]` says whether
    // the group had a result (row count > 0) before the batch.
    const existed = new Uint8Array(uniqueKeys.length);
    const before = this.batchMode ? null : new Array<unknown>(uniqueKeys.length * width);
    for (let s = 0; s < uniqueKeys.length; s++) {
      const st = states[s];
      if (st !== undefined && st.rows > 0) {
        existed[s] = 1;
        if (before !== null) this.aggs.getValues(st, before, s * width);
      }
    }

    const kinds = batch.kinds;
    for (let r = 0; r < n; r++) {
      const slot = slotOf[r]!;
      let st = states[slot];
      const accumulate = kinds === null || isAccumulate(kinds[r]!);
      if (st === undefined || st.rows <= 0) {
        // A retraction for a group without state is dropped, as Flink does: the group's state expired
        // (TTL) or was never built here, so there is nothing to retract from, and creating state from a
        // retraction would produce negative counts and a result that never existed.
        if (!accumulate) continue;
        st = this.newState(batch, r);
        states[slot] = st;
      }
      if (accumulate) st.rows++;
      else st.rows--;
      this.aggs.apply(st, batch, r, !accumulate);
    }

    if (this.batchMode) {
      for (const k of uniqueKeys) this.seenKeys.add(k);
      await this.writeBack(uniqueKeys, states);
      return;
    }

    const writer = this.writer;
    const after = this.scratchAfter;
    const prev = this.scratchBefore;
    // With state TTL, Flink re-emits unchanged results so downstream state (which has its own TTL) is
    // refreshed and does not expire before ours; without TTL an unchanged result is not re-emitted.
    const emitUnchanged = this.spec.stateTtlMs > 0;
    for (let s = 0; s < uniqueKeys.length; s++) {
      const st = states[s];
      const alive = st !== undefined && st.rows > 0;
      const had = existed[s] === 1;
      if (!had && !alive) continue;
      const row = firstRow[s]!;
      if (had) for (let i = 0; i < width; i++) prev[i] = before![s * width + i];
      if (!alive) {
        this.writeRow(writer, RowKind.DELETE, batch, row, prev);
        continue;
      }
      this.aggs.getValues(st, after);
      if (!had) {
        this.writeRow(writer, RowKind.INSERT, batch, row, after);
        continue;
      }
      if (!emitUnchanged && sameValues(prev, after, width)) continue;
      if (this.spec.generateUpdateBefore) this.writeRow(writer, RowKind.UPDATE_BEFORE, batch, row, prev);
      this.writeRow(writer, RowKind.UPDATE_AFTER, batch, row, after);
    }
    await this.writeBack(uniqueKeys, states);
    if (writer.numRows > 0) this.ctx.emit(writer.finish());
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  async endInput(): Promise<void> {
    if (!this.batchMode) return;
    const keys = [...this.seenKeys];
    this.seenKeys.clear();
    const values = this.scratchAfter;
    let emitted = 0;
    for (let start = 0; start < keys.length; start += FLUSH_BATCH_ROWS) {
      const chunk = keys.slice(start, start + FLUSH_BATCH_ROWS);
      const states = await this.state.getMany(chunk);
      for (const st of states) {
        if (st === undefined || st.rows <= 0) continue;
        this.aggs.getValues(st, values);
        this.writer.beginRow(RowKind.INSERT);
        for (let k = 0; k < this.nKeys; k++) this.writer.set(k, st.key![k]);
        for (let i = 0; i < values.length; i++) this.writer.set(this.nKeys + i, values[i]);
        emitted++;
      }
      if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
    }
    if (emitted === 0 && this.nKeys === 0) {
      // SQL: a global aggregate over no rows yields one row of the aggregates' initial results.
      this.aggs.getValues(this.aggs.createState(), values);
      this.writer.beginRow(RowKind.INSERT);
      for (let i = 0; i < values.length; i++) this.writer.set(i, values[i]);
      this.ctx.emit(this.writer.finish());
    }
  }

  close(): void {}

  private newState(batch: RecordBatch, row: number): GroupState {
    const st = this.aggs.createState() as GroupState;
    st.key = null;
    if (this.batchMode) {
      const key = new Array<unknown>(this.nKeys);
      for (let k = 0; k < this.nKeys; k++) key[k] = readCell(batch.columns[this.spec.groupKeys[k]!]!, row, this.keyIsBool[k]!);
      st.key = key;
    }
    return st;
  }

  private writeRow(writer: BatchBuilder, kind: RowKind, batch: RecordBatch, row: number, values: readonly unknown[]): void {
    writer.beginRow(kind);
    const groupKeys = this.spec.groupKeys;
    for (let k = 0; k < groupKeys.length; k++) writer.copyFrom(k, batch, groupKeys[k]!, row);
    for (let i = 0; i < values.length; i++) writer.set(groupKeys.length + i, values[i]);
  }

  private async writeBack(keys: readonly string[], states: readonly (GroupState | undefined)[]): Promise<void> {
    const putKeys: string[] = [];
    const putValues: GroupState[] = [];
    const deleteKeys: string[] = [];
    for (let s = 0; s < keys.length; s++) {
      const st = states[s];
      if (st === undefined) continue;
      if (st.rows > 0) {
        putKeys.push(keys[s]!);
        putValues.push(st);
      } else deleteKeys.push(keys[s]!);
    }
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
    if (deleteKeys.length > 0) await this.state.deleteMany(deleteKeys);
  }
}
