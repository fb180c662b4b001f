/**
 * Window Top-N and window deduplication (spec `window-rank`; Flink's WindowRankOperator and
 * WindowDeduplicate). The partition keys include the window's start and end, so a partition is one window
 * of one key: its rows are ranked as they arrive, only the best `rankEnd` are kept (insert-only input: a
 * row below them can never come back), and when the watermark reaches `window_end - 1` the ranks
 * `rankStart`..`rankEnd` are emitted once, as final insert-only rows, and the partition is dropped.
 *
 * State: one value per partition (`WindowPartition`): its kept rows, sorted, ties in arrival order (or
 * reversed for keep-last deduplication). Timers: one event-time timer per partition at `window_end - 1`,
 * registered with its first row; keyed state plus timers are all that must survive a failure.
 *
 * Lateness: a row whose window end − 1 is not after the current watermark arrives after its window fired:
 * dropped and counted in `numLateRecordsDropped` (an upstream window aggregate emits a window's rows
 * before the watermark that fires them, so its rows are never late here).
 */
import { internalError } from '../../common/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { WindowRankSpec } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch } from '../../types/index.js';
import { distinctBatchKeys } from '../common/batch-keys.js';
import { readRow, RowComparator, type StoredRow } from './row-comparator.js';

interface WindowPartition {
  readonly rows: StoredRow[];
}

export class WindowRankOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private state!: ValueState<WindowPartition>;
  private writer!: BatchBuilder;
  private comparator!: RowComparator;
  private isBool!: readonly boolean[];
  private boolKeyColumns!: ReadonlySet<number>;
  private lateDropped!: { inc(n?: number): void };
  private watermark = -Infinity;

  constructor(readonly spec: WindowRankSpec) {
    if (!(spec.rankStart >= 1 && spec.rankEnd >= spec.rankStart)) {
      throw internalError(`window-rank spec has an empty or invalid range [${spec.rankStart}, ${spec.rankEnd}]`);
    }
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('window-rank needs one input');
    this.isBool = inputType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.partitionKeys.filter((k) => this.isBool[k]));
    this.comparator = new RowComparator(this.spec.orderBy, inputType);
    this.state = ctx.keyedState().valueState<WindowPartition>({ name: 'window-rank' });
    this.writer = new BatchBuilder(ctx.outputType);
    this.lateDropped = ctx.metrics().counter('numLateRecordsDropped');
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const spec = this.spec;
    const { uniqueKeys, slotOf } = distinctBatchKeys(batch, spec.partitionKeys, this.boolKeyColumns);
    const states = (await this.state.getMany(uniqueKeys)) as (WindowPartition | undefined)[];
    const ends = batch.columns[spec.windowEndIndex]!.data as Float64Array;
    const touched = new Uint8Array(uniqueKeys.length);
    const keep = spec.rankEnd;
    const cmp = this.comparator;
    const laterFirst = spec.laterRowFirstOnTies;
    const timers = this.ctx.timers();
    let late = 0;
    for (let r = 0; r < n; r++) {
      const end = ends[r]!;
      if (end - 1 <= this.watermark) {
        late++;
        continue;
      }
      const slot = slotOf[r]!;
      let st = states[slot];
      if (st === undefined) {
        st = states[slot] = { rows: [] };
        timers.registerEventTimeTimer(uniqueKeys[slot]!, end - 1);
      }
      const rows = st.rows;
      touched[slot] = 1;
      // A full partition drops a row that does not sort before its last kept row (the common case).
      if (rows.length >= keep) {
        const c = cmp.compareToBatchRow(rows[rows.length - 1]!, batch, r, this.isBool);
        if (c < 0 || (c === 0 && !laterFirst)) continue;
      }
      const row = readRow(batch, r, this.isBool);
      rows.splice(laterFirst ? cmp.lowerBound(rows, row) : cmp.upperBound(rows, row), 0, row);
      if (rows.length > keep) rows.length = keep;
    }
    if (late > 0) this.lateDropped.inc(late);
    const putKeys: string[] = [];
    const putValues: WindowPartition[] = [];
    for (let s = 0; s < uniqueKeys.length; s++) {
      if (touched[s] === 0) continue;
      putKeys.push(uniqueKeys[s]!);
      putValues.push(states[s]!);
    }
    if (putKeys.length > 0) await this.state.putMany(putKeys, putValues);
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], _timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time' || keys.length === 0) return;
    const states = await this.state.getMany(keys);
    const writer = this.writer;
    const spec = this.spec;
    for (let i = 0; i < keys.length; i++) {
      const st = states[i];
      // No state: the partition was already emitted (a duplicate timer after a restore).
      if (st === undefined) continue;
      const rows = st.rows;
      const last = Math.min(rows.length, spec.rankEnd);
      for (let k = spec.rankStart - 1; k < last; k++) {
        const row = rows[k]!;
        writer.beginRow(RowKind.INSERT);
        for (let c = 0; c < row.length; c++) writer.set(c, row[c]);
        if (spec.outputRankNumber) writer.set(row.length, k + 1);
      }
    }
    await this.state.deleteMany(keys);
    if (writer.numRows > 0) this.ctx.emit(writer.finish());
  }

  processWatermark(watermark: number): void {
    this.watermark = watermark;
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}
}
