/**
 * Window aggregation with one accumulator per (key, window) and one timer per (key, window): the fallback
 * of `WindowAggregateOperator` for what slicing cannot serve exactly (see `window-aggregate.ts`):
 * processing-time windows, and HOP / CUMULATE windows whose aggregates cannot be merged from slices
 * without changing results (DISTINCT, and the arrival-order functions FIRST_VALUE, LAST_VALUE, LISTAGG).
 *
 * State: a map state keyed by the group key, user key = the window end (`String(end)`), value = the
 * window's accumulators plus its start and the group key values (needed when the timer fires, which only
 * knows the encoded key). Keying by the group key keeps every entry in the key group the hash exchange
 * routed the row to.
 *
 * Per batch: assign each row to its windows (rows with a NULL time are dropped and counted; event-time
 * rows whose slice already fired are late: dropped and counted in `numLateRecordsDropped`), read the
 * batch's distinct (key, window) accumulators with one `getEntries`, register one timer per new
 * (key, window) at `window_end - 1`, accumulate the rows in order, write back with one `putEntries`.
 *
 * Firing: event-time timers fire when the watermark reaches `window_end - 1`; processing-time windows
 * (`procTime`) on processing-time timers. Each fired (key, window) emits one +I row and its state is
 * purged. Processing-time windows still open when the input ends are fired at end of input, so bounded
 * runs produce their last windows (a processing-time result is not deterministic anyway).
 */
import { internalError } from '../../common/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { WindowAggregateSpec } from '../../spec/index.js';
import { encodeBatchKeys } from '../../state/index.js';
import type { MapState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch } from '../../types/index.js';
import { readCell } from '../common/cell.js';
import { WindowAssigner } from '../window/window-assigner.js';
import { AggregateSet } from './aggregate-set.js';
import type { AggState } from './aggregate-set.js';

interface WindowState extends AggState {
  readonly key: unknown[];
  readonly start: number;
}

/** Separates the encoded group key from the window end in the per-batch dedup map (never in state). */
const PAIR_SEPARATOR = '\u001d';

export class PerWindowAggregate implements TimerOperator {
  private ctx!: OperatorContext;
  private aggs!: AggregateSet;
  private state!: MapState<WindowState>;
  private writer!: BatchBuilder;
  private boolKeyColumns!: ReadonlySet<number>;
  private keyIsBool!: readonly boolean[];
  private lateDropped!: { inc(n?: number): void };
  private nullTimeDropped!: { inc(n?: number): void };
  private readonly assigner: WindowAssigner;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private watermark = -Infinity;
  /** Processing-time windows registered and not yet fired (id → key, timer time), for the end-of-input flush. */
  private readonly openProcTimers = new Map<string, { key: string; ts: number }>();
  private scratch: unknown[] = [];

  constructor(readonly spec: WindowAggregateSpec) {
    this.assigner = new WindowAssigner(spec.window);
    this.starts = new Float64Array(this.assigner.maxWindowsPerRow);
    this.ends = new Float64Array(this.assigner.maxWindowsPerRow);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('window-aggregate needs one input');
    // Window aggregation consumes insert-only input (the spec says so), so no retracting accumulators.
    this.aggs = new AggregateSet(this.spec.aggregates, inputType, false);
    this.state = ctx.keyedState().mapState<WindowState>({ name: 'window-agg' });
    for (const [key, ts] of (ctx.restoredKeyedOperatorState ?? []) as readonly (readonly [string, number])[]) {
      this.openProcTimers.set(key + PAIR_SEPARATOR + ts, { key, ts });
    }
    this.writer = new BatchBuilder(ctx.outputType);
    this.keyIsBool = this.spec.groupKeys.map((c) => inputType.fields[c]?.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.groupKeys.filter((_, i) => this.keyIsBool[i]));
    this.lateDropped = ctx.metrics().counter('numLateRecordsDropped');
    this.nullTimeDropped = ctx.metrics().counter('numNullTimeRecordsDropped');
    this.scratch = new Array<unknown>(this.aggs.size);
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const spec = this.spec;
    const keys = spec.groupKeys.length === 0 ? new Array<string>(n).fill('') : encodeBatchKeys(batch, spec.groupKeys, this.boolKeyColumns);
    const procTime = spec.procTime;
    const now = procTime ? this.ctx.processingTime() : 0;
    const timeCol = batch.columns[spec.timeIndex]!;
    const times = timeCol.data as Float64Array;
    const timeNulls = procTime ? null : timeCol.nulls;

    // Pass 1: (row, window) assignments and the batch's distinct (key, window) pairs.
    const cap = n * this.assigner.maxWindowsPerRow;
    const assignRow = new Int32Array(cap);
    const assignSlot = new Int32Array(cap);
    let assigned = 0;
    const slotById = new Map<string, number>();
    const pairKeys: string[] = [];
    const pairUserKeys: string[] = [];
    const pairStarts: number[] = [];
    const pairRows: number[] = [];
    let late = 0;
    let nullTime = 0;
    for (let r = 0; r < n; r++) {
      if (timeNulls !== null && timeNulls[r] === 1) {
        nullTime++;
        continue;
      }
      const ts = procTime ? now : times[r]!;
      if (!procTime && this.assigner.sliceEnd(ts) - 1 <= this.watermark) {
        late++;
        continue;
      }
      const k = this.assigner.assign(ts, this.starts, this.ends);
      const key = keys[r]!;
      for (let w = 0; w < k; w++) {
        const endKey = String(this.ends[w]!);
        const id = key + PAIR_SEPARATOR + endKey;
        let slot = slotById.get(id);
        if (slot === undefined) {
          slot = pairKeys.length;
          slotById.set(id, slot);
          pairKeys.push(key);
          pairUserKeys.push(endKey);
          pairStarts.push(this.starts[w]!);
          pairRows.push(r);
        }
        assignRow[assigned] = r;
        assignSlot[assigned] = slot;
        assigned++;
      }
    }
    if (late > 0) this.lateDropped.inc(late);
    if (nullTime > 0) this.nullTimeDropped.inc(nullTime);
    if (assigned === 0) return;

    const states = (await this.state.getEntries(pairKeys, pairUserKeys)) as WindowState[];
    const timers = this.ctx.timers();
    for (let s = 0; s < pairKeys.length; s++) {
      if (states[s] !== undefined) continue;
      states[s] = this.newState(batch, pairRows[s]!, pairStarts[s]!);
      const timerTs = Number(pairUserKeys[s]) - 1;
      if (procTime) {
        timers.registerProcessingTimeTimer(pairKeys[s]!, timerTs);
        this.openProcTimers.set(pairKeys[s]! + PAIR_SEPARATOR + timerTs, { key: pairKeys[s]!, ts: timerTs });
      } else timers.registerEventTimeTimer(pairKeys[s]!, timerTs);
    }

    // Pass 2: accumulate in row order.
    for (let a = 0; a < assigned; a++) {
      const st = states[assignSlot[a]!]!;
      st.rows++;
      this.aggs.apply(st, batch, assignRow[a]!, false);
    }
    await this.state.putEntries(pairKeys, pairUserKeys, states);
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> {
    const n = keys.length;
    if (n === 0) return;
    const userKeys = new Array<string>(n);
    for (let i = 0; i < n; i++) userKeys[i] = String(timestamps[i]! + 1);
    if (domain === 'processing-time') for (let i = 0; i < n; i++) this.openProcTimers.delete(keys[i]! + PAIR_SEPARATOR + timestamps[i]!);
    const states = await this.state.getEntries(keys, userKeys);
    const writer = this.writer;
    const nKeys = this.spec.groupKeys.length;
    const width = this.aggs.size;
    const values = this.scratch;
    for (let i = 0; i < n; i++) {
      const st = states[i];
      // No state: a timer for a window that was already emitted (a duplicate registration) or never filled.
      if (st === undefined) continue;
      const end = timestamps[i]! + 1;
      this.aggs.getValues(st, values);
      writer.beginRow(RowKind.INSERT);
      for (let k = 0; k < nKeys; k++) writer.set(k, st.key[k]);
      for (let a = 0; a < width; a++) writer.set(nKeys + a, values[a]);
      writer.set(nKeys + width, st.start);
      writer.set(nKeys + width + 1, end);
      writer.set(nKeys + width + 2, end - 1);
    }
    await this.state.putEntries(keys, userKeys, new Array<WindowState | undefined>(n));
    if (writer.numRows > 0) this.ctx.emit(writer.finish());
  }

  processWatermark(watermark: number): void {
    this.watermark = watermark;
    this.ctx.emitWatermark(watermark);
  }

  /** Open processing-time windows (the runtime snapshots the timers themselves; this is their index). */
  snapshotKeyedOperatorState(): readonly (readonly [string, unknown])[] {
    return [...this.openProcTimers.values()].map((t) => [t.key, t.ts] as const);
  }

  async endInput(): Promise<void> {
    if (!this.spec.procTime || this.openProcTimers.size === 0) return;
    const open = [...this.openProcTimers.values()].sort((a, b) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const timers = this.ctx.timers();
    for (const t of open) timers.deleteProcessingTimeTimer(t.key, t.ts);
    await this.onTimers(
      'processing-time',
      open.map((t) => t.key),
      open.map((t) => t.ts),
    );
  }

  close(): void {}

  private newState(batch: RecordBatch, row: number, start: number): WindowState {
    const key = new Array<unknown>(this.spec.groupKeys.length);
    for (let k = 0; k < key.length; k++) key[k] = readCell(batch.columns[this.spec.groupKeys[k]!]!, row, this.keyIsBool[k]!);
    return Object.assign(this.aggs.createState(), { key, start });
  }
}
