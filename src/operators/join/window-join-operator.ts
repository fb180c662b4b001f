/**
 * Window join (spec `window-join`; Flink's WindowJoinOperator): joins the rows of both inputs that fall
 * in the same window, when the watermark closes the window.
 *
 * State, per side: a map state keyed by the join key; user key = the window (start and end); value =
 * the side's rows of that key and window, in arrival order. Timers: an event-time timer per key at
 * `window_end - 1`. When it fires, every buffered window of the key whose end - 1 <= watermark is joined:
 * each left row with each right row (arrival order) passing the condition; with an outer side, its rows
 * that matched nothing are emitted NULL-padded after the pairs. The window's rows are then dropped.
 *
 * A row whose window already fired (`window_end - 1 <= watermark` on arrival) is late and dropped, as in
 * Flink. Rows with a NULL key never match: on an outer side they are emitted padded at once.
 */
import { internalError } from '../../common/index.js';
import { compileTwoInputPredicate, loadUdfs } from '../../expr/index.js';
import type { OperatorContext, TimeDomain, TimerOperator } from '../../runtime/index.js';
import type { WindowJoinSpec } from '../../spec/index.js';
import { encodeBatchKeys, encodeValue } from '../../state/index.js';
import type { MapState } from '../../state/index.js';
import { BatchBuilder, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { nullKeyRows } from './join-keys.js';
import { loadRow, oneRowBatch, readRow } from './row-scratch.js';

interface Side {
  readonly type: RowType;
  readonly keys: readonly number[];
  readonly start: number;
  readonly end: number;
  readonly isBool: readonly boolean[];
  readonly boolColumns: ReadonlySet<number>;
  readonly state: MapState<unknown[][]>;
  readonly outer: boolean;
  readonly scratch: RecordBatch;
}

const PAIR_SEPARATOR = '\u001d';

export class WindowJoinOperator implements TimerOperator {
  private ctx!: OperatorContext;
  private sides!: [Side, Side];
  private writer!: BatchBuilder;
  private condition: ((left: RecordBatch, lrow: number, right: RecordBatch, rrow: number) => boolean) | null = null;
  private late!: { inc(n?: number): void };

  constructor(readonly spec: WindowJoinSpec) {
    if (spec.leftKeys.length !== spec.rightKeys.length) {
      throw internalError(`window join: ${spec.leftKeys.length} left keys but ${spec.rightKeys.length} right keys`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const spec = this.spec;
    const backend = ctx.keyedState();
    const t = spec.joinType;
    const side = (type: RowType, keys: readonly number[], start: number, end: number, outer: boolean, name: string): Side => {
      const isBool = type.fields.map((f) => f.type.kind === 'BOOLEAN');
      return {
        type,
        keys,
        start,
        end,
        isBool,
        boolColumns: new Set(isBool.flatMap((b, i) => (b ? [i] : []))),
        state: backend.mapState<unknown[][]>({ name }),
        outer,
        scratch: oneRowBatch(type),
      };
    };
    this.sides = [
      side(spec.leftType, spec.leftKeys, spec.leftWindowStart, spec.leftWindowEnd, t === 'LEFT' || t === 'FULL', 'window-join-left'),
      side(spec.rightType, spec.rightKeys, spec.rightWindowStart, spec.rightWindowEnd, t === 'RIGHT' || t === 'FULL', 'window-join-right'),
    ];
    this.writer = new BatchBuilder(ctx.outputType);
    this.late = ctx.metrics().counter('numLateRecordsDropped');
    if (spec.condition !== null) {
      await loadUdfs([spec.condition]);
      const context = { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' };
      this.condition = compileTwoInputPredicate(spec.condition, spec.leftType, spec.rightType, { context });
    }
  }

  async processBatch(input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    if (input !== 0 && input !== 1) throw internalError(`window join has inputs 0 and 1, got ${input}`);
    const own = this.sides[input]!;
    const isLeft = input === 0;
    const keys = encodeBatchKeys(batch, own.keys, own.boolColumns);
    const nullKey = own.keys.length === 0 ? null : nullKeyRows(batch, own.keys);
    const starts = batch.columns[own.start]!.data as Float64Array;
    const ends = batch.columns[own.end]!.data as Float64Array;
    const wm = this.ctx.timers().currentWatermark();
    const timers = this.ctx.timers();
    const slotByPair = new Map<string, number>();
    const pairKeys: string[] = [];
    const pairWindows: string[] = [];
    const added: unknown[][][] = [];
    let late = 0;
    for (let r = 0; r < n; r++) {
      const end = ends[r]!;
      if (end - 1 <= wm) {
        late++;
        continue;
      }
      if (nullKey !== null && nullKey[r] === 1) {
        if (own.outer) this.emitPaddedStored(readRow(batch, r, own.isBool), isLeft);
        continue;
      }
      const key = keys[r]!;
      const w = encodeValue(starts[r]!) + encodeValue(end);
      const id = key + PAIR_SEPARATOR + w;
      let p = slotByPair.get(id);
      if (p === undefined) {
        p = pairKeys.length;
        slotByPair.set(id, p);
        pairKeys.push(key);
        pairWindows.push(w);
        added.push([]);
        timers.registerEventTimeTimer(key, end - 1);
      }
      added[p]!.push(readRow(batch, r, own.isBool));
    }
    if (late > 0) this.late.inc(late);
    if (pairKeys.length > 0) {
      const existing = await own.state.getEntries(pairKeys, pairWindows);
      await own.state.putEntries(pairKeys, pairWindows, existing.map((rows, p) => (rows === undefined ? added[p]! : [...rows, ...added[p]!])));
    }
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  async onTimers(domain: TimeDomain, keys: readonly string[], _timestamps: readonly number[]): Promise<void> {
    if (domain !== 'event-time') return;
    const unique = [...new Set(keys)];
    const wm = this.ctx.timers().currentWatermark();
    const [left, right] = this.sides;
    const [lefts, rights] = await Promise.all([left.state.getMany(unique), right.state.getMany(unique)]);
    const delKeys: string[] = [];
    const delWindows: string[] = [];
    for (let k = 0; k < unique.length; k++) {
      const lmap = lefts[k]!;
      const rmap = rights[k]!;
      // Windows of either side whose end - 1 <= wm, in the order of their ends (then starts).
      const due = new Map<string, number>();
      for (const [w, rows] of lmap) if ((rows[0]![left.end] as number) - 1 <= wm) due.set(w, rows[0]![left.end] as number);
      for (const [w, rows] of rmap) if ((rows[0]![right.end] as number) - 1 <= wm) due.set(w, rows[0]![right.end] as number);
      for (const w of [...due.keys()].sort((a, b) => due.get(a)! - due.get(b)! || (a < b ? -1 : a > b ? 1 : 0))) {
        this.joinWindow(lmap.get(w) ?? [], rmap.get(w) ?? []);
        delKeys.push(unique[k]!);
        delWindows.push(w);
      }
    }
    if (delKeys.length > 0) {
      const none = new Array<undefined>(delKeys.length).fill(undefined);
      await left.state.putEntries(delKeys, delWindows, none);
      await right.state.putEntries(delKeys, delWindows, none);
    }
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  private joinWindow(lrows: readonly unknown[][], rrows: readonly unknown[][]): void {
    const [left, right] = this.sides;
    const cond = this.condition;
    const rightMatched = right.outer ? new Uint8Array(rrows.length) : null;
    for (const l of lrows) {
      let matched = false;
      if (cond !== null) loadRow(left.scratch, l);
      for (let j = 0; j < rrows.length; j++) {
        const r = rrows[j]!;
        if (cond !== null) {
          loadRow(right.scratch, r);
          if (!cond(left.scratch, 0, right.scratch, 0)) continue;
        }
        matched = true;
        if (rightMatched !== null) rightMatched[j] = 1;
        this.emitRow(l, r);
      }
      if (!matched && left.outer) this.emitRow(l, null);
    }
    if (rightMatched !== null) for (let j = 0; j < rrows.length; j++) if (rightMatched[j] === 0) this.emitRow(null, rrows[j]!);
  }

  /** `left` joined with `right`; a null side is NULL-padded. */
  private emitRow(left: readonly unknown[] | null, right: readonly unknown[] | null): void {
    const w = this.writer;
    w.beginRow(RowKind.INSERT);
    const nl = this.spec.leftType.fields.length;
    const nr = this.spec.rightType.fields.length;
    for (let c = 0; c < nl; c++) {
      if (left === null) w.setNull(c);
      else w.set(c, left[c]);
    }
    for (let c = 0; c < nr; c++) {
      if (right === null) w.setNull(nl + c);
      else w.set(nl + c, right[c]);
    }
  }

  private emitPaddedStored(row: readonly unknown[], isLeft: boolean): void {
    if (isLeft) this.emitRow(row, null);
    else this.emitRow(null, row);
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}
}
