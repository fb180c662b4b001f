/**
 * The aggregates of one operator, applied together to the rows of a group: reads each call's argument and
 * FILTER columns, keeps DISTINCT views, and produces the result values. Group and window aggregation
 * share it.
 *
 * DISTINCT (Flink's distinct view): calls with `distinct` over the same argument columns share one map per
 * group, canonical value encoding → one counter per such call. A call's FILTER is applied before its
 * counter moves, so `COUNT(DISTINCT x) FILTER (WHERE a)` and `COUNT(DISTINCT x) FILTER (WHERE b)` (nexmark
 * q15) count independently over one map. A value reaches the call's accumulator when its counter goes
 * 0 → 1 and is retracted from it when the counter goes back to 0. NULL arguments never enter the view
 * (aggregates ignore NULLs).
 *
 * Invariant: `AggState.accs[i]` is call i's accumulator; `AggState.distinct[d]` is distinct view d.
 */
import type { AggregateCall } from '../../spec/index.js';
import type { Column, RecordBatch, RowType } from '../../types/index.js';
import { encodeValue } from '../../state/index.js';
import { readCell } from '../common/cell.js';
import type { AggregateFunction } from './aggregate-function.js';
import { createAggregateFunction } from './create-aggregate-function.js';

/** Per-group aggregation state, stored in keyed state (plain data only). */
export interface AggState {
  /** Accumulated minus retracted rows: the group exists while this is positive. */
  rows: number;
  readonly accs: unknown[];
  /** Per distinct view: encoded argument value(s) → counter per call of the view. */
  readonly distinct: Map<string, number[]>[] | null;
}

interface CallPlan {
  readonly fn: AggregateFunction;
  /** Argument columns (at most two are passed: the second is LISTAGG's separator). */
  readonly arg0: number;
  readonly arg1: number;
  readonly arg0Bool: boolean;
  readonly arg1Bool: boolean;
  /** COUNT(a, b, …): NULL when any argument is NULL. */
  readonly multiArgs: readonly number[] | null;
  readonly filter: number;
  readonly distinctView: number;
  readonly distinctSlot: number;
}

export class AggregateSet {
  readonly size: number;
  private readonly plans: readonly CallPlan[];
  private readonly viewSizes: readonly number[];

  constructor(
    calls: readonly AggregateCall[],
    inputType: RowType,
    readonly withRetraction: boolean,
  ) {
    const isBool = (c: number): boolean => c >= 0 && inputType.fields[c]?.type.kind === 'BOOLEAN';
    const views = new Map<string, number>();
    const viewSizes: number[] = [];
    this.plans = calls.map((call) => {
      let distinctView = -1;
      let distinctSlot = -1;
      if (call.distinct && call.args.length > 0) {
        const sig = call.args.join(',');
        let v = views.get(sig);
        if (v === undefined) {
          v = viewSizes.length;
          views.set(sig, v);
          viewSizes.push(0);
        }
        distinctView = v;
        distinctSlot = viewSizes[v]!++;
      }
      const arg0 = call.args[0] ?? -1;
      const arg1 = call.fn === 'LISTAGG' ? call.args[1] ?? -1 : -1;
      return {
        fn: createAggregateFunction(call, withRetraction),
        arg0,
        arg1,
        arg0Bool: isBool(arg0),
        arg1Bool: isBool(arg1),
        multiArgs: call.fn === 'COUNT' && call.args.length > 1 ? call.args : null,
        filter: call.filterArg ?? -1,
        distinctView,
        distinctSlot,
      };
    });
    this.viewSizes = viewSizes;
    this.size = calls.length;
  }

  createState(): AggState {
    return {
      rows: 0,
      accs: this.plans.map((p) => p.fn.init()),
      distinct: this.viewSizes.length === 0 ? null : this.viewSizes.map(() => new Map<string, number[]>()),
    };
  }

  /** Applies row `row` of `batch` to `state`: accumulates when `retract` is false, else retracts. */
  apply(state: AggState, batch: RecordBatch, row: number, retract: boolean): void {
    const cols = batch.columns;
    const plans = this.plans;
    const accs = state.accs;
    for (let i = 0; i < plans.length; i++) {
      const p = plans[i]!;
      if (p.filter >= 0) {
        const fc: Column = cols[p.filter]!;
        if ((fc.nulls !== null && fc.nulls[row] === 1) || fc.data[row] !== 1) continue;
      }
      let v0: unknown = undefined;
      if (p.multiArgs !== null) {
        v0 = true;
        for (const c of p.multiArgs) if (readCell(cols[c]!, row, false) === null) v0 = null;
      } else if (p.arg0 >= 0) v0 = readCell(cols[p.arg0]!, row, p.arg0Bool);
      const v1 = p.arg1 >= 0 ? readCell(cols[p.arg1]!, row, p.arg1Bool) : undefined;
      if (p.distinctView >= 0) {
        if (v0 === null) continue;
        const view = state.distinct![p.distinctView]!;
        const key = this.distinctKey(cols, row, p, v0);
        let counts = view.get(key);
        if (!retract) {
          if (counts === undefined) {
            counts = new Array<number>(this.viewSizes[p.distinctView]!).fill(0);
            view.set(key, counts);
          }
          if (++counts[p.distinctSlot]! !== 1) continue;
          accs[i] = p.fn.accumulate(accs[i], v0, v1);
        } else {
          // A value this call never counted (e.g. its retraction arrived after a TTL expiry) is ignored.
          if (counts === undefined || counts[p.distinctSlot] === 0) continue;
          if (--counts[p.distinctSlot]! === 0) {
            if (counts.every((n) => n === 0)) view.delete(key);
            accs[i] = p.fn.retract(accs[i], v0, v1);
          }
        }
        continue;
      }
      accs[i] = retract ? p.fn.retract(accs[i], v0, v1) : p.fn.accumulate(accs[i], v0, v1);
    }
  }

  /**
   * Merges `other` into `target` (accumulators and row counts), as merging session windows does. Only for
   * sets without DISTINCT calls: a distinct view keeps encoded values, which cannot be re-accumulated.
   */
  merge(target: AggState, other: AggState): void {
    const plans = this.plans;
    for (let i = 0; i < plans.length; i++) target.accs[i] = plans[i]!.fn.merge(target.accs[i], other.accs[i]);
    target.rows += other.rows;
  }

  /** Writes the result of every call into `out` from index `offset`. */
  getValues(state: AggState, out: unknown[], offset = 0): void {
    const plans = this.plans;
    for (let i = 0; i < plans.length; i++) out[offset + i] = plans[i]!.fn.getValue(state.accs[i]);
  }

  private distinctKey(cols: readonly Column[], row: number, p: CallPlan, v0: unknown): string {
    if (p.multiArgs === null) return encodeValue(v0);
    let s = '';
    for (const c of p.multiArgs) s += encodeValue(readCell(cols[c]!, row, false));
    return s;
  }
}
