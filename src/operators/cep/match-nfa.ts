/**
 * The pattern matcher of MATCH_RECOGNIZE: an NFA over a concatenation of quantified variables with strict
 * contiguity (SQL patterns match consecutive rows), run per partition over rows in time order.
 *
 * A partial match is (first row, element i, rows taken by element i, the variable of every row so far).
 * For each new row every partial match branches (Flink's NFA, `NFACompiler`'s take / proceed edges):
 * - take: element i accepts the row (fewer than `max` rows taken, and its DEFINE holds with the row
 *   tentatively classified as its variable);
 * - proceed: element i has its `min` rows, so element i + 1 may try the same row (recursively). For a greedy
 *   element the proceed edge carries NOT(take condition), so it is followed only when the take failed.
 * A fresh partial match starts at every row. A successor is complete when the end of the pattern is
 * reachable without a condition: its element has its `min` rows and is not greedy (or is full), and every
 * later element is optional and reluctant. Complete matches leave the NFA and are reported in the order of
 * their first row; the AFTER MATCH SKIP strategy then discards partial and complete matches that started
 * before its resume point (Flink's `AfterMatchSkipStrategy.prune`).
 *
 * All per-partition data lives in `PartitionMatchState`, a plain object kept in keyed state; this class
 * holds only compiled expressions and scratch space (no per-row closures; per row, one object for the
 * partial match starting there, and copies only where a partial match branches).
 */
import { internalError } from '../../common/index.js';
import { compileRowEvaluator, createInterpreter } from '../../expr/index.js';
import type { ExprIR, Interpreter } from '../../expr/index.js';
import type { MatchExpr, MatchNavigation, MatchRecognizeSpec } from '../../spec/index.js';
import { columnStorageOf, type Column, type RecordBatch, type RowType } from '../../types/index.js';

export interface PartialMatch {
  /** Sequence number of the first row (see `PartitionMatchState.firstSeq`). */
  readonly start: number;
  readonly startTs: number;
  elem: number;
  count: number;
  /** Variable index of each row from `start` on. */
  readonly classes: number[];
}

export interface PartitionMatchState {
  /** Rows still needed by a partial match, oldest first; `history[0]` has sequence number `firstSeq`. */
  history: unknown[][];
  firstSeq: number;
  nextSeq: number;
  /** Sorted by `start`. */
  partials: PartialMatch[];
}

export function newPartitionMatchState(): PartitionMatchState {
  return { history: [], firstSeq: 0, nextSeq: 0, partials: [] };
}

/** One compiled DEFINE/MEASURES expression: navigation slots written into a one-row scratch batch. */
class CompiledMatchExpr {
  private readonly columns: { data: Float64Array | Int32Array | Uint8Array | unknown[]; nulls: Uint8Array | null }[];
  private readonly storages: ('bool' | 'int32' | 'float64' | 'object')[];
  private readonly scratch: RecordBatch;
  private readonly evalRow: (batch: RecordBatch, row: number) => unknown;

  constructor(readonly def: MatchExpr) {
    const rowType: RowType = { fields: def.slots.map((s, i) => ({ name: `$nav${i}`, type: s.type })) };
    this.storages = rowType.fields.map((f) => columnStorageOf(f.type));
    this.columns = this.storages.map((s) =>
      s === 'float64'
        ? { data: new Float64Array(1), nulls: new Uint8Array(1) }
        : s === 'int32'
          ? { data: new Int32Array(1), nulls: new Uint8Array(1) }
          : s === 'bool'
            ? { data: new Uint8Array(1), nulls: new Uint8Array(1) }
            : { data: [null], nulls: null },
    );
    this.scratch = { numRows: 1, kinds: null, columns: this.columns as Column[] };
    this.evalRow = compileRowEvaluator(def.expr, rowType);
  }

  setSlot(i: number, v: unknown): void {
    const col = this.columns[i]!;
    const s = this.storages[i]!;
    if (s === 'object') {
      (col.data as unknown[])[0] = v;
      return;
    }
    if (v === null) {
      col.nulls![0] = 1;
      col.data[0] = 0;
      return;
    }
    col.nulls![0] = 0;
    col.data[0] = s === 'bool' ? (v === true ? 1 : 0) : (v as number);
  }

  evaluate(): unknown {
    return this.evalRow(this.scratch, 0);
  }
}

export class MatchNfa {
  private readonly defines: (CompiledMatchExpr | null)[];
  readonly measures: CompiledMatchExpr[];
  private readonly interpreter: Interpreter = createInterpreter();
  /** `finishAfter[i]`: every element after i is optional and reluctant. */
  private readonly finishAfter: boolean[];
  /** Successors of one partial match for the current row, as (element, count) pairs. */
  private succElem: number[] = [];
  private succCount: number[] = [];
  /** Complete matches of the current row, in order of their first row. */
  readonly completed: PartialMatch[] = [];
  // The match being looked at by navigations: rows history[base + p] for p < classes.length.
  private viewHistory: unknown[][] = [];
  private viewBase = 0;
  private viewClasses: number[] = [];

  constructor(
    readonly spec: MatchRecognizeSpec,
    readonly inputType: RowType,
  ) {
    if (spec.elements.length === 0) throw internalError('match-recognize needs a non-empty pattern');
    this.defines = spec.defines.map((d) => (d === null ? null : new CompiledMatchExpr(d)));
    this.measures = spec.measures.map((m) => new CompiledMatchExpr(m.expr));
    const els = spec.elements;
    this.finishAfter = els.map((_, i) => els.slice(i + 1).every((e) => e.min === 0 && !e.greedy));
  }

  /**
   * Feeds one row (time `ts`) to the partition. Afterwards `completed` holds the matches it completed, in
   * emission order, already filtered by the skip strategy; the caller reads them (`setView`) before the
   * next call, then calls `trim`.
   */
  step(st: PartitionMatchState, row: unknown[], ts: number): void {
    st.history.push(row);
    const seq = st.nextSeq++;
    const within = this.spec.within;
    const next: PartialMatch[] = [];
    const completed = this.completed;
    completed.length = 0;
    for (const p of st.partials) {
      // Flink times a partial match out when the new row is `within` or more after its first row.
      if (within !== null && ts - p.startTs >= within) continue;
      this.advance(st, p, seq, next, completed);
    }
    this.advance(st, { start: seq, startTs: ts, elem: 0, count: 0, classes: [] }, seq, next, completed);
    st.partials = next;
    if (completed.length > 0) this.applySkip(st, seq);
  }

  /** Drops history rows no partial match refers to (call after the completed matches were read). */
  trim(st: PartitionMatchState): void {
    const keepFrom = st.partials.length > 0 ? st.partials[0]!.start : st.nextSeq;
    const drop = keepFrom - st.firstSeq;
    if (drop <= 0) return;
    st.history.splice(0, drop);
    st.firstSeq = keepFrom;
  }

  private advance(st: PartitionMatchState, p: PartialMatch, seq: number, next: PartialMatch[], completed: PartialMatch[]): void {
    this.succElem.length = 0;
    this.succCount.length = 0;
    this.viewHistory = st.history;
    this.viewBase = p.start - st.firstSeq;
    this.viewClasses = p.classes;
    if (this.viewBase + p.classes.length !== seq - st.firstSeq) throw internalError('match-recognize: partial match is not contiguous with the current row');
    this.explore(p.elem, p.count);
    const n = this.succElem.length;
    for (let k = 0; k < n; k++) {
      const elem = this.succElem[k]!;
      const count = this.succCount[k]!;
      // The last successor is the partial match itself, moved on (no allocation on the common
      // non-branching path); earlier ones are copies taken before it changes.
      let q: PartialMatch;
      if (k === n - 1) {
        q = p;
        q.elem = elem;
        q.count = count;
      } else q = { start: p.start, startTs: p.startTs, elem, count, classes: p.classes.slice() };
      q.classes.push(this.spec.elements[elem]!.variable);
      if (this.canFinish(elem, count)) completed.push(q);
      else next.push(q);
    }
  }

  /** Collects the (element, count) successors of a partial match at (i, c) for the current row. */
  private explore(i: number, c: number): void {
    const el = this.spec.elements[i]!;
    const takeOk = (el.max === null || c < el.max) && this.test(el.variable);
    if (takeOk) {
      this.succElem.push(i);
      this.succCount.push(c + 1);
    }
    if (c >= el.min && !(el.greedy && takeOk) && i + 1 < this.spec.elements.length) this.explore(i + 1, 0);
  }

  private canFinish(i: number, c: number): boolean {
    const el = this.spec.elements[i]!;
    if (c < el.min) return false;
    if (el.greedy && (el.max === null || c < el.max)) return false;
    return this.finishAfter[i]!;
  }

  /** DEFINE of `variable` over the viewed partial match plus the current row classified as `variable`. */
  private test(variable: number): boolean {
    const def = this.defines[variable];
    if (def === null || def === undefined) return true;
    const classes = this.viewClasses;
    classes.push(variable);
    try {
      this.fillSlots(def);
      return def.evaluate() === true;
    } finally {
      classes.pop();
    }
  }

  /** Views a complete match for measure evaluation. */
  setView(st: PartitionMatchState, m: PartialMatch): void {
    this.viewHistory = st.history;
    this.viewBase = m.start - st.firstSeq;
    this.viewClasses = m.classes;
  }

  /** The value of measure `i` over the viewed match. */
  measure(i: number): unknown {
    const m = this.measures[i]!;
    this.fillSlots(m);
    return m.evaluate();
  }

  /** The last row of the viewed match. */
  lastRow(): unknown[] {
    return this.viewHistory[this.viewBase + this.viewClasses.length - 1]!;
  }

  private fillSlots(e: CompiledMatchExpr): void {
    const slots = e.def.slots;
    for (let i = 0; i < slots.length; i++) e.setSlot(i, this.navigate(slots[i]!));
  }

  private arg(arg: ExprIR, row: unknown[]): unknown {
    return arg.kind === 'input' ? (row[arg.index] ?? null) : this.interpreter.evaluate(arg, row);
  }

  private navigate(nav: MatchNavigation): unknown {
    const classes = this.viewClasses;
    const len = classes.length;
    const rows = this.viewHistory;
    const base = this.viewBase;
    switch (nav.kind) {
      case 'last': {
        let n = nav.offset;
        for (let p = len - 1; p >= 0; p--) {
          if (nav.variable !== null && classes[p] !== nav.variable) continue;
          if (n === 0) return this.arg(nav.arg, rows[base + p]!);
          n--;
        }
        return null;
      }
      case 'first': {
        let n = nav.offset;
        for (let p = 0; p < len; p++) {
          if (nav.variable !== null && classes[p] !== nav.variable) continue;
          if (n === 0) return this.arg(nav.arg, rows[base + p]!);
          n--;
        }
        return null;
      }
      case 'prev': {
        let p = len - 1;
        if (nav.variable !== null) while (p >= 0 && classes[p] !== nav.variable) p--;
        const q = p - nav.offset;
        return p >= 0 && q >= 0 ? this.arg(nav.arg, rows[base + q]!) : null;
      }
      case 'aggregate':
        return this.aggregate(nav, classes, rows, base);
      case 'match-rowtime':
        return rows[base + len - 1]![this.spec.timeIndex] ?? null;
      case 'classifier':
        return len === 0 ? null : this.spec.variables[classes[len - 1]!]!;
    }
  }

  private aggregate(nav: Extract<MatchNavigation, { kind: 'aggregate' }>, classes: readonly number[], rows: unknown[][], base: number): unknown {
    let count = 0;
    let sum = 0;
    let best: unknown = null;
    for (let p = 0; p < classes.length; p++) {
      if (nav.variable !== null && classes[p] !== nav.variable) continue;
      if (nav.arg === null) {
        count++;
        continue;
      }
      const v = this.arg(nav.arg, rows[base + p]!);
      if (v === null) continue;
      count++;
      if (nav.fn === 'SUM' || nav.fn === 'AVG') sum += v as number;
      else if (nav.fn === 'MIN' ? best === null || (v as number) < (best as number) : nav.fn === 'MAX' && (best === null || (v as number) > (best as number))) best = v;
    }
    switch (nav.fn) {
      case 'COUNT':
        return count;
      case 'SUM':
        return count === 0 ? null : sum;
      case 'AVG': {
        if (count === 0) return null;
        const k = nav.type.kind;
        // Flink: AVG over an integer type is of that type, truncating toward zero.
        return k === 'FLOAT' || k === 'DOUBLE' ? sum / count : Math.trunc(sum / count);
      }
      default:
        return best;
    }
  }

  /**
   * Filters `completed` by the skip strategy: after a match is reported, partial and complete matches that
   * started before the resume point are discarded (PAST LAST ROW: every one that started at or before the
   * match's last row; TO NEXT ROW: at or before its first row; TO FIRST/LAST v: before that row of v).
   */
  private applySkip(st: PartitionMatchState, seq: number): void {
    const completed = this.completed;
    const kept: PartialMatch[] = [];
    let bound = -Infinity; // discard start < bound
    for (const m of completed) {
      if (m.start < bound) continue;
      kept.push(m);
      bound = Math.max(bound, this.resumeFrom(m, seq));
    }
    completed.length = 0;
    for (const m of kept) completed.push(m);
    if (bound > -Infinity) st.partials = st.partials.filter((p) => p.start >= bound);
  }

  /** The first row sequence number a later match may start at, after match `m` ending at row `seq`. */
  private resumeFrom(m: PartialMatch, seq: number): number {
    const after = this.spec.after;
    switch (after.kind) {
      case 'past-last-row':
        return seq + 1;
      case 'to-next-row':
        return m.start + 1;
      case 'to-first':
      case 'to-last': {
        const cls = m.classes;
        const v = after.variable;
        let p = -1;
        if (after.kind === 'to-first') p = cls.indexOf(v);
        else p = cls.lastIndexOf(v);
        // No row of the variable: resume at the next row (Flink's skip to next).
        return p < 0 ? m.start + 1 : m.start + p;
      }
    }
  }
}
