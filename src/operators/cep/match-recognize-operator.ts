/**
 * MATCH_RECOGNIZE (spec `match-recognize`, Flink's CepOperator under StreamExecMatch): per partition key,
 * rows are put in time order and fed to the pattern NFA (`MatchNfa`); every complete match emits one row
 * (partition keys, then the measures).
 *
 * Event time (as Flink's CepOperator): a row waits in keyed state (`pending`, by timestamp) with a keyed
 * event-time timer at its time; when the watermark passes it, the rows of that timestamp are sorted (by the
 * spec's secondary ORDER BY keys, then by their values so the result never depends on arrival order) and
 * matched. A row at or before the partition's last matched time is late: dropped and counted.
 * Processing time: rows are matched on arrival, at the wall clock.
 *
 * State: one value per partition key (`CepState`): pending rows, the last matched time, the NFA's partial
 * matches and the rows they hold. Keyed state plus timers is everything a restore needs.
 */
import { internalError } from '../../common/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { MatchRecognizeSpec, SortField } from '../../spec/index.js';
import type { ValueState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch } from '../../types/index.js';
import { distinctBatchKeys } from '../common/batch-keys.js';
import { readCell } from '../common/cell.js';
import { MatchNfa, newPartitionMatchState, type PartitionMatchState } from './match-nfa.js';

interface CepState extends PartitionMatchState {
  /** Event time: timestamp → rows waiting for the watermark (arrival order). */
  pending: Map<number, unknown[][]>;
  lastTriggered: number;
}

export class MatchRecognizeOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private nfa!: MatchNfa;
  private state!: ValueState<CepState>;
  private writer!: BatchBuilder;
  private isBool!: readonly boolean[];
  private boolKeyColumns!: ReadonlySet<number>;
  private lateDropped!: { inc(n?: number): void };
  private nullTimeDropped!: { inc(n?: number): void };
  private readonly sortFields: readonly SortField[];

  constructor(readonly spec: MatchRecognizeSpec) {
    this.sortFields = spec.orderBy;
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    const inputType = ctx.inputTypes[0];
    if (inputType === undefined) throw internalError('match-recognize needs one input');
    this.nfa = new MatchNfa(this.spec, inputType);
    this.state = ctx.keyedState().valueState<CepState>({ name: 'match-recognize' });
    this.writer = new BatchBuilder(ctx.outputType);
    this.isBool = inputType.fields.map((f) => f.type.kind === 'BOOLEAN');
    this.boolKeyColumns = new Set(this.spec.partitionKeys.filter((c) => this.isBool[c]));
    this.lateDropped = ctx.metrics().counter('numLateRecordsDropped');
    this.nullTimeDropped = ctx.metrics().counter('numNullTimeRecordsDropped');
  }

  async processBatch(_input: number, batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    const { uniqueKeys, slotOf } = distinctBatchKeys(batch, this.spec.partitionKeys, this.boolKeyColumns);
    const states = (await this.state.getMany(uniqueKeys)) as (CepState | undefined)[];
    for (let s = 0; s < states.length; s++) if (states[s] === undefined) states[s] = newState();
    if (this.spec.procTime) {
      const now = this.ctx.processingTime();
      for (let r = 0; r < batch.numRows; r++) this.match(states[slotOf[r]!]!, this.readRow(batch, r), now);
    } else this.buffer(batch, uniqueKeys, slotOf, states as CepState[]);
    await this.state.putMany(uniqueKeys, states as CepState[]);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  /** Event time: keep each row until the watermark passes its time; one timer per (key, time). */
  private buffer(batch: RecordBatch, keys: readonly string[], slotOf: Int32Array, states: CepState[]): void {
    const timeCol = batch.columns[this.spec.timeIndex]!;
    const times = timeCol.data as Float64Array;
    const timers = this.ctx.timers();
    const watermark = timers.currentWatermark();
    let late = 0;
    let nullTime = 0;
    for (let r = 0; r < batch.numRows; r++) {
      if (timeCol.nulls !== null && timeCol.nulls[r] === 1) {
        nullTime++;
        continue;
      }
      const slot = slotOf[r]!;
      const st = states[slot]!;
      const ts = times[r]!;
      // Rows at or behind the watermark, or of a time the partition already matched, would be out of order
      // (Flink's CepOperator drops them as late).
      if (ts <= watermark || ts <= st.lastTriggered) {
        late++;
        continue;
      }
      let rows = st.pending.get(ts);
      if (rows === undefined) {
        rows = [];
        st.pending.set(ts, rows);
        timers.registerEventTimeTimer(keys[slot]!, ts);
      }
      rows.push(this.readRow(batch, r));
    }
    if (late > 0) this.lateDropped.inc(late);
    if (nullTime > 0) this.nullTimeDropped.inc(nullTime);
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time' || keys.length === 0) return;
    const slotByKey = new Map<string, number>();
    const distinct: string[] = [];
    for (const k of keys) {
      if (!slotByKey.has(k)) {
        slotByKey.set(k, distinct.length);
        distinct.push(k);
      }
    }
    const states = await this.state.getMany(distinct);
    for (let i = 0; i < keys.length; i++) {
      const st = states[slotByKey.get(keys[i]!)!];
      const ts = timestamps[i]!;
      if (st === undefined) continue;
      const rows = st.pending.get(ts);
      if (rows === undefined) continue;
      st.pending.delete(ts);
      st.lastTriggered = ts;
      if (rows.length > 1) rows.sort(this.compareRows);
      for (const row of rows) this.match(st, row, ts);
    }
    const put: string[] = [];
    const putValues: CepState[] = [];
    const del: string[] = [];
    for (let s = 0; s < distinct.length; s++) {
      const st = states[s];
      if (st === undefined) continue;
      // A partition with nothing pending and no partial match needs no state: its lastTriggered is at or
      // below the watermark, which rejects late rows by itself.
      if (st.pending.size === 0 && st.partials.length === 0) del.push(distinct[s]!);
      else {
        put.push(distinct[s]!);
        putValues.push(st);
      }
    }
    if (del.length > 0) await this.state.deleteMany(del);
    if (put.length > 0) await this.state.putMany(put, putValues);
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  /** Feeds one row to the partition's NFA and emits the matches it completes. */
  private match(st: CepState, row: unknown[], ts: number): void {
    const nfa = this.nfa;
    nfa.step(st, row, ts);
    const done = nfa.completed;
    if (done.length > 0) {
      const w = this.writer;
      const keys = this.spec.partitionKeys;
      const nMeasures = this.spec.measures.length;
      for (let m = 0; m < done.length; m++) {
        nfa.setView(st, done[m]!);
        const last = nfa.lastRow();
        w.beginRow(RowKind.INSERT);
        for (let k = 0; k < keys.length; k++) w.set(k, last[keys[k]!] ?? null);
        for (let i = 0; i < nMeasures; i++) w.set(keys.length + i, nfa.measure(i));
      }
    }
    nfa.trim(st);
  }

  /** Rows of one timestamp: by the secondary ORDER BY keys, then by value (a deterministic tie-break). */
  private readonly compareRows = (a: unknown[], b: unknown[]): number => {
    for (const f of this.sortFields) {
      const x = a[f.index] ?? null;
      const y = b[f.index] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === f.nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y);
      if (c !== 0) return f.descending ? -c : c;
    }
    for (let i = 0; i < a.length; i++) {
      const c = compareValues(a[i] ?? null, b[i] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  };

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}

  private readRow(batch: RecordBatch, r: number): unknown[] {
    const cols = batch.columns;
    const isBool = this.isBool;
    const row = new Array<unknown>(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = readCell(cols[c]!, r, isBool[c]!);
    return row;
  }
}

function newState(): CepState {
  return { ...newPartitionMatchState(), pending: new Map(), lastTriggered: -Infinity };
}

/** A total order over cell values of one column (NULL first); only used to break ties deterministically. */
function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'boolean' && typeof y === 'boolean') return x ? 1 : -1;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}
