/**
 * Regular (unbounded) streaming join (spec `join`): INNER, LEFT, RIGHT, FULL, SEMI and ANTI over
 * insert-only or retracting inputs, with Flink's StreamingJoinOperator / StreamingSemiAntiJoinOperator
 * semantics, row for row.
 *
 * State, per side: a map state keyed by the side's equi-join key; user key = the canonical encoding of
 * the side's unique key when the planner knows one, else of the whole row; value = a `JoinRecord` (the
 * row's values, its multiplicity, and for an outer side the number of other-side rows it matches).
 *
 * Per input batch: encode the batch's join keys, read the other side's records of the batch's distinct
 * keys (one `getMany`) and this side's entries for the batch's rows (one `getEntries`), process the rows
 * in order, then write back this side's entries and the other side's changed match counts (one
 * `putEntries` each).
 *
 * Rules (Flink's, quoted from StreamingJoinOperator): an accumulating row (+I/+U) is added to its side's
 * state and joined with every matching other-side record (each of its copies); a retracting row (-U/-D)
 * is removed and its joined rows retracted.
 * - Inner join outputs carry the input row's kind (+I/+U/-U/-D).
 * - An outer input row with no match emits `+I[row, null]` (and `-D[row, null]` when retracted).
 * - When an outer other-side record gets its first match, its `+I[null, other]` is retracted first with
 *   `-D[null, other]`; when its last match is retracted, `+I[null, other]` is emitted again. Outputs that
 *   involve an outer side use +I/-D (Flink: "we always send insert and delete for simplification"),
 *   except that a retraction arriving on the non-outer side keeps its own kind.
 * - SEMI emits a left row while it has at least one match, ANTI while it has none; a right-side change
 *   that flips a left row's state emits +I/-D of that left row.
 * Rows whose join key contains NULL never match: they are not stored (nothing could ever join them), an
 * outer row is emitted NULL-padded, an ANTI left row is emitted, a SEMI left row is not.
 */
import { internalError } from '../../common/index.js';
import { compileTwoInputPredicate, loadUdfs } from '../../expr/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { JoinSpec } from '../../spec/index.js';
import { encodeRowKey } from '../../state/index.js';
import type { MapState } from '../../state/index.js';
import { BatchBuilder, isAccumulate, RowKind } from '../../types/index.js';
import type { RecordBatch, RowType } from '../../types/index.js';
import { distinctBatchKeys } from '../common/batch-keys.js';
import { nullKeyRows } from './join-keys.js';
import { loadRow, oneRowBatch, readRow } from './row-scratch.js';

/** One distinct row of one side, as kept in state. */
export interface JoinRecord {
  readonly row: unknown[];
  /** Multiplicity: accumulated minus retracted copies (> 0 while stored). */
  count: number;
  /** Outer (and SEMI/ANTI left) side only: other-side rows currently matching this row. */
  matched: number;
}

/** Per-side layout fixed at open. */
interface Side {
  readonly type: RowType;
  readonly keys: readonly number[];
  readonly userKeyColumns: readonly number[];
  /** Join key then user key columns: rows agreeing on these share one state entry. */
  readonly pairColumns: readonly number[];
  /** True when `userKeyColumns` is a unique key (at most one record per user key). */
  readonly uniqueKeyed: boolean;
  readonly boolColumns: ReadonlySet<number>;
  readonly isBool: readonly boolean[];
  readonly state: MapState<JoinRecord>;
  readonly outer: boolean;
  /** A one-row batch of this side's schema that stored rows are loaded into for the join condition. */
  readonly scratch: RecordBatch;
}

export class JoinOperator implements Operator {
  private ctx!: OperatorContext;
  private sides!: [Side, Side];
  private writer!: BatchBuilder;
  private condition: ((left: RecordBatch, lrow: number, right: RecordBatch, rrow: number) => boolean) | null = null;
  private readonly semi: boolean;
  private readonly anti: boolean;
  /** Reused per row: the other-side records matching the current row. */
  private readonly matches: JoinRecord[] = [];
  private readonly matchUserKeys: string[] = [];

  constructor(readonly spec: JoinSpec) {
    this.semi = spec.joinType === 'SEMI';
    this.anti = spec.joinType === 'ANTI';
    if (spec.leftKeys.length !== spec.rightKeys.length) {
      throw internalError(`join: ${spec.leftKeys.length} left keys but ${spec.rightKeys.length} right keys`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const spec = this.spec;
    const t = spec.joinType;
    const backend = ctx.keyedState();
    const side = (type: RowType, keys: readonly number[], uniqueKey: readonly number[] | null, outer: boolean, name: string, ttlMs: number): Side => {
      const isBool = type.fields.map((f) => f.type.kind === 'BOOLEAN');
      const boolColumns = new Set(isBool.flatMap((b, i) => (b ? [i] : [])));
      const userKeyColumns = uniqueKey ?? type.fields.map((_, i) => i);
      return {
        type,
        keys,
        userKeyColumns,
        pairColumns: [...keys, ...userKeyColumns],
        uniqueKeyed: uniqueKey !== null,
        boolColumns,
        isBool,
        state: backend.mapState<JoinRecord>({ name, ttlMs }),
        outer,
        scratch: oneRowBatch(type),
      };
    };
    this.sides = [
      side(spec.leftType, spec.leftKeys, spec.leftUniqueKey, t === 'LEFT' || t === 'FULL' || this.semi || this.anti, 'join-left', spec.leftStateTtlMs),
      side(spec.rightType, spec.rightKeys, spec.rightUniqueKey, t === 'RIGHT' || t === 'FULL', 'join-right', spec.rightStateTtlMs),
    ];
    this.writer = new BatchBuilder(ctx.outputType);
    if (spec.condition !== null) {
      await loadUdfs([spec.condition]);
      const context = { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' };
      this.condition = compileTwoInputPredicate(spec.condition, spec.leftType, spec.rightType, { context });
    }
  }

  async processBatch(input: number, batch: RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    if (input !== 0 && input !== 1) throw internalError(`join has inputs 0 and 1, got ${input}`);
    const own = this.sides[input]!;
    const other = this.sides[1 - input]!;
    const nullKey = nullKeyRows(batch, own.keys);
    // Distinct join keys (for the other side's records) and distinct (key, user key) pairs (own entries),
    // grouped by value: only distinct keys and user keys are encoded, never one string per row.
    const { uniqueKeys, slotOf: keySlot } = distinctBatchKeys(batch, own.keys, own.boolColumns, nullKey ?? undefined);
    const { slotOf: pairSlot, firstRow: pairRow } = distinctBatchKeys(batch, own.pairColumns, own.boolColumns, nullKey ?? undefined);
    const pairKeys = new Array<string>(pairRow.length);
    const pairUserKeys = new Array<string>(pairRow.length);
    for (let p = 0; p < pairRow.length; p++) {
      const r = pairRow[p]!;
      pairKeys[p] = uniqueKeys[keySlot[r]!]!;
      pairUserKeys[p] = encodeRowKey(batch, r, own.userKeyColumns, own.boolColumns);
    }
    const otherRecords = uniqueKeys.length === 0 ? [] : await other.state.getMany(uniqueKeys);
    const ownRecords = pairKeys.length === 0 ? [] : await own.state.getEntries(pairKeys, pairUserKeys);
    /** Other-side records whose match count changed: record → index into changedKeys/changedUserKeys. */
    const otherChanged = new Map<JoinRecord, number>();
    const changedKeys: string[] = [];
    const changedUserKeys: string[] = [];
    const markChanged = (rec: JoinRecord, key: string, uk: string): void => {
      if (otherChanged.has(rec)) return;
      otherChanged.set(rec, changedKeys.length);
      changedKeys.push(key);
      changedUserKeys.push(uk);
    };

    const kinds = batch.kinds;
    const inputIsLeft = input === 0;
    const semiAnti = this.semi || this.anti;
    for (let r = 0; r < n; r++) {
      const kind = (kinds === null ? RowKind.INSERT : kinds[r]!) as RowKind;
      const accumulate = isAccumulate(kind);
      if (nullKey !== null && nullKey[r] === 1) {
        // NULL keys never match; nothing is stored because no row of the other side could join it.
        if (semiAnti) {
          if (inputIsLeft && this.anti) this.emitLeftOnly(batch, r, kind);
        } else if (own.outer) this.emitPadded(kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? RowKind.INSERT : RowKind.DELETE, batch, r, inputIsLeft);
        continue;
      }
      const slot = keySlot[r]!;
      const otherMap = otherRecords[slot]!;
      const found = this.findMatches(batch, r, inputIsLeft, other, otherMap);
      const pair = pairSlot[r]!;
      const key = uniqueKeys[slot]!;

      // Update this side's record first: it is not among the matches (those are the other side's).
      let rec = ownRecords[pair];
      if (accumulate) {
        if (rec === undefined || rec.count <= 0 || own.uniqueKeyed) {
          // Keyed by a unique key, an accumulate replaces the record (upsert, as Flink's unique-key views).
          rec = { row: readRow(batch, r, own.isBool), count: 0, matched: 0 };
          ownRecords[pair] = rec;
        }
        rec.count++;
        if (own.outer) rec.matched = found;
      } else if (rec !== undefined && rec.count > 0) {
        rec.count--;
      }
      // (Flink also drops a retraction of a record it does not hold from state, but still emits it.)

      if (semiAnti) {
        if (inputIsLeft) {
          if ((found === 0) === this.anti) this.emitLeftOnly(batch, r, kind);
        } else this.semiAntiRightChange(accumulate, key, markChanged);
        continue;
      }
      this.emitJoined(batch, r, kind, accumulate, inputIsLeft, own.outer, other.outer, key, markChanged);
    }

    // Write back: own entries (deleted when no copy is left), then the other side's match counts.
    const ownValues = new Array<JoinRecord | undefined>(pairKeys.length);
    for (let p = 0; p < pairKeys.length; p++) {
      const rec = ownRecords[p];
      ownValues[p] = rec !== undefined && rec.count > 0 ? rec : undefined;
    }
    if (pairKeys.length > 0) await own.state.putEntries(pairKeys, pairUserKeys, ownValues);
    if (changedKeys.length > 0) {
      const values = new Array<JoinRecord>(changedKeys.length);
      for (const [rec, i] of otherChanged) values[i] = rec;
      await other.state.putEntries(changedKeys, changedUserKeys, values);
    }
    if (this.writer.numRows > 0) this.ctx.emit(this.writer.finish());
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {}

  /**
   * Collects the other-side records matching row `r` (equal key — guaranteed by the map — and the
   * non-equi condition) into `this.matches`/`this.matchUserKeys`; returns the number of matching rows
   * counting duplicates.
   */
  private findMatches(batch: RecordBatch, r: number, inputIsLeft: boolean, other: Side, otherMap: Map<string, JoinRecord>): number {
    const matches = this.matches;
    const uks = this.matchUserKeys;
    matches.length = 0;
    uks.length = 0;
    let total = 0;
    const cond = this.condition;
    for (const [uk, rec] of otherMap) {
      if (rec.count <= 0) continue;
      if (cond !== null) {
        loadRow(other.scratch, rec.row);
        const ok = inputIsLeft ? cond(batch, r, other.scratch, 0) : cond(other.scratch, 0, batch, r);
        if (!ok) continue;
      }
      matches.push(rec);
      uks.push(uk);
      total += rec.count;
    }
    return total;
  }

  private emitJoined(
    batch: RecordBatch,
    r: number,
    kind: RowKind,
    accumulate: boolean,
    inputIsLeft: boolean,
    inputOuter: boolean,
    otherOuter: boolean,
    key: string,
    markChanged: (rec: JoinRecord, key: string, uk: string) => void,
  ): void {
    const matches = this.matches;
    if (accumulate) {
      if (matches.length === 0) {
        if (inputOuter) this.emitPadded(RowKind.INSERT, batch, r, inputIsLeft);
        return;
      }
      // Outer joins emit +I; an inner join forwards the input's kind (+I or +U).
      const outKind = inputOuter || otherOuter ? RowKind.INSERT : kind;
      for (let m = 0; m < matches.length; m++) {
        const rec = matches[m]!;
        const wasUnmatched = otherOuter && rec.matched === 0;
        for (let c = 0; c < rec.count; c++) {
          if (wasUnmatched) this.emitPaddedStored(RowKind.DELETE, rec.row, !inputIsLeft);
          this.emitPair(outKind, batch, r, rec.row, inputIsLeft);
        }
        if (otherOuter) {
          rec.matched++;
          markChanged(rec, key, this.matchUserKeys[m]!);
        }
      }
      return;
    }
    if (matches.length === 0) {
      if (inputOuter) this.emitPadded(RowKind.DELETE, batch, r, inputIsLeft);
      return;
    }
    const outKind = inputOuter ? RowKind.DELETE : kind;
    for (let m = 0; m < matches.length; m++) {
      const rec = matches[m]!;
      const lastMatch = otherOuter && rec.matched === 1;
      for (let c = 0; c < rec.count; c++) {
        this.emitPair(outKind, batch, r, rec.row, inputIsLeft);
        if (lastMatch) this.emitPaddedStored(RowKind.INSERT, rec.row, !inputIsLeft);
      }
      if (otherOuter) {
        rec.matched--;
        markChanged(rec, key, this.matchUserKeys[m]!);
      }
    }
  }

  /** A right-side row of a SEMI/ANTI join changed: left rows whose match state flips are emitted. */
  private semiAntiRightChange(accumulate: boolean, key: string, markChanged: (rec: JoinRecord, key: string, uk: string) => void): void {
    const matches = this.matches;
    for (let m = 0; m < matches.length; m++) {
      const left = matches[m]!;
      if (accumulate) {
        // First match: SEMI starts emitting the left row, ANTI retracts it.
        if (left.matched === 0) for (let c = 0; c < left.count; c++) this.emitLeftStored(this.anti ? RowKind.DELETE : RowKind.INSERT, left.row);
        left.matched++;
      } else {
        if (left.matched === 1) for (let c = 0; c < left.count; c++) this.emitLeftStored(this.anti ? RowKind.INSERT : RowKind.DELETE, left.row);
        left.matched--;
      }
      markChanged(left, key, this.matchUserKeys[m]!);
    }
  }

  private emitPair(kind: RowKind, batch: RecordBatch, r: number, stored: readonly unknown[], inputIsLeft: boolean): void {
    const w = this.writer;
    w.beginRow(kind);
    const nl = this.spec.leftType.fields.length;
    if (inputIsLeft) {
      for (let c = 0; c < nl; c++) w.copyFrom(c, batch, c, r);
      for (let c = 0; c < stored.length; c++) w.set(nl + c, stored[c]);
    } else {
      for (let c = 0; c < nl; c++) w.set(c, stored[c]);
      const nr = batch.columns.length;
      for (let c = 0; c < nr; c++) w.copyFrom(nl + c, batch, c, r);
    }
  }

  /** The input row with the other side NULL. */
  private emitPadded(kind: RowKind, batch: RecordBatch, r: number, inputIsLeft: boolean): void {
    const w = this.writer;
    w.beginRow(kind);
    const nl = this.spec.leftType.fields.length;
    const nr = this.spec.rightType.fields.length;
    if (inputIsLeft) {
      for (let c = 0; c < nl; c++) w.copyFrom(c, batch, c, r);
      for (let c = 0; c < nr; c++) w.setNull(nl + c);
    } else {
      for (let c = 0; c < nl; c++) w.setNull(c);
      for (let c = 0; c < nr; c++) w.copyFrom(nl + c, batch, c, r);
    }
  }

  /** A stored row with the other side NULL; `isLeft` says which side the stored row is. */
  private emitPaddedStored(kind: RowKind, stored: readonly unknown[], isLeft: boolean): void {
    const w = this.writer;
    w.beginRow(kind);
    const nl = this.spec.leftType.fields.length;
    const nr = this.spec.rightType.fields.length;
    if (isLeft) {
      for (let c = 0; c < nl; c++) w.set(c, stored[c]);
      for (let c = 0; c < nr; c++) w.setNull(nl + c);
    } else {
      for (let c = 0; c < nl; c++) w.setNull(c);
      for (let c = 0; c < nr; c++) w.set(nl + c, stored[c]);
    }
  }

  private emitLeftOnly(batch: RecordBatch, r: number, kind: RowKind): void {
    const w = this.writer;
    w.beginRow(kind);
    for (let c = 0; c < batch.columns.length; c++) w.copyFrom(c, batch, c, r);
  }

  private emitLeftStored(kind: RowKind, stored: readonly unknown[]): void {
    const w = this.writer;
    w.beginRow(kind);
    for (let c = 0; c < stored.length; c++) w.set(c, stored[c]);
  }
}
