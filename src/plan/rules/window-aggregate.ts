/**
 * Window aggregation (Flink's window TVF aggregation): `Aggregate` over a window TVF (directly or through a
 * Calc) whose GROUP BY contains both `window_start` and `window_end` becomes a `WindowAggregate` over the
 * TVF's input, which fires each window once when the watermark passes its end and emits insert-only rows.
 *
 * Also the cascading form (Flink 1.15+ "window aggregation on a windowed table"): an Aggregate grouping by
 * window_start and window_end of an upstream TUMBLE `WindowAggregate` reuses that window with the upstream
 * `window_time` as its time attribute. Only TUMBLE qualifies: a row stamped `window_end - 1` falls into
 * exactly one tumbling window of the same size, but into several HOP/CUMULATE windows; those cascades stay
 * a regular GroupAggregate (same final result, updating output).
 *
 * SESSION windows (TVF or legacy `GROUP BY SESSION(ts, gap)`) take the same rewrite; their sessions are cut
 * per group key, so the aggregate must group by the TVF's PARTITION BY columns.
 *
 * The rewrite applies only when the Calc between TVF and Aggregate reads no window column except as the
 * window_start/window_end (optionally window_time) group keys; otherwise the plan stays a regular
 * aggregate over the TVF, which is correct but keeps state forever.
 *
 * Output layout: the WindowAggregate emits (other keys, aggregates, window_start, window_end, window_time);
 * a Calc on top restores the Aggregate's layout (keys in GROUP BY order, then aggregates).
 */
import type { ExprIR } from '../../expr/index.js';
import type { AggregateCall } from '../../spec/index.js';
import type { LogicalType } from '../../types/index.js';
import { inputIndices, inputRef, isIdentityProjection } from '../ir-utils.js';
import type { AggregateNode, CalcNode, LogicalNode, LogicalWindow, WindowAggregateNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

interface WindowSource {
  /** Node the new WindowAggregate's input Calc reads. */
  readonly base: LogicalNode;
  readonly window: LogicalWindow;
  /** SESSION's PARTITION BY columns in `base` (each must be a group key). */
  readonly partitionKeys: readonly number[];
  /** Time attribute column in `base`. */
  readonly timeIndex: number;
  /** window_start / window_end / window_time columns in the row the Calc reads (= `base`'s row). */
  readonly ws: number;
  readonly we: number;
  readonly wt: number;
  /** The windows come from a legacy `GROUP BY TUMBLE/HOP/SESSION(…)` (kept for EXPLAIN's name). */
  readonly groupWindow: boolean;
}

function windowSourceOf(node: LogicalNode): WindowSource | null {
  if (node.kind === 'WindowTvf') {
    const n = node.input.rowType.fields.length;
    return { base: node.input, window: node.window, partitionKeys: node.partitionKeys ?? [], timeIndex: node.timeIndex, ws: n, we: n + 1, wt: n + 2, groupWindow: node.groupWindow === true };
  }
  if (node.kind === 'WindowAggregate' && node.window.kind === 'TUMBLE') {
    const n = node.rowType.fields.length;
    return { base: node, window: node.window, partitionKeys: [], timeIndex: n - 1, ws: n - 3, we: n - 2, wt: n - 1, groupWindow: false };
  }
  return null;
}

export const windowAggregateRule: Rule = {
  name: 'WindowAggregate',
  apply(node: LogicalNode): RuleResult {
    if (node.kind !== 'Aggregate') return unchanged(node);
    const below = node.input;
    const calc: CalcNode | null = below.kind === 'Calc' ? below : null;
    const source = windowSourceOf(calc ? calc.input : below);
    if (!source) return unchanged(node);
    const width = (calc ? calc.input : below).rowType.fields.length;
    const projection: readonly ExprIR[] = calc ? calc.projection : Array.from({ length: width }, (_, i) => inputRef(i, below.rowType.fields[i]!.type));
    const windowCol = (e: ExprIR): number | null => (e.kind === 'input' && (e.index === source.ws || e.index === source.we || e.index === source.wt) ? e.index : null);

    // Classify the Aggregate's keys.
    const keyRole: ('ws' | 'we' | 'wt' | 'other')[] = node.groupKeys.map((k) => {
      const c = windowCol(projection[k]!);
      return c === source.ws ? 'ws' : c === source.we ? 'we' : c === source.wt ? 'wt' : 'other';
    });
    if (!keyRole.includes('ws') || !keyRole.includes('we')) return unchanged(node);
    const windowKeyCols = new Set(node.groupKeys.filter((_, i) => keyRole[i] !== 'other'));
    const windowCols = new Set([source.ws, source.we, source.wt]);
    const readsWindow = (e: ExprIR): boolean => [...inputIndices(e)].some((i) => windowCols.has(i));
    if (calc?.condition && readsWindow(calc.condition)) return unchanged(node);
    // Sessions are cut per group key: a SESSION partitioned by a column the aggregate does not group by
    // would cut across groups, so it is left unrewritten (and rejected by the physical planner).
    for (const p of source.partitionKeys) {
      if (!node.groupKeys.some((k, i) => keyRole[i] === 'other' && projection[k]!.kind === 'input' && (projection[k] as { index: number }).index === p)) return unchanged(node);
    }
    for (let j = 0; j < projection.length; j++) {
      if (windowKeyCols.has(j)) continue;
      if (readsWindow(projection[j]!)) return unchanged(node);
    }

    // The new input Calc: every non-window column of the old Calc, then the time attribute.
    const keep: number[] = [];
    for (let j = 0; j < projection.length; j++) if (!windowKeyCols.has(j)) keep.push(j);
    const newIndex = new Map(keep.map((j, i) => [j, i]));
    const timeRef = inputRef(source.timeIndex, source.base.rowType.fields[source.timeIndex]!.type);
    const calcFields = calc ? calc.rowType.fields : below.rowType.fields;
    const inputCalc: CalcNode = {
      kind: 'Calc',
      input: source.base,
      projection: [...keep.map((j) => projection[j]!), timeRef],
      condition: calc?.condition ?? null,
      rowType: { fields: [...keep.map((j) => calcFields[j]!), { name: source.base.rowType.fields[source.timeIndex]!.name, type: timeRef.type }] },
    };
    const input: LogicalNode =
      inputCalc.condition === null && isIdentityProjection(inputCalc.projection, source.base.rowType.fields.length) ? source.base : inputCalc;
    const otherKeys = node.groupKeys.filter((_, i) => keyRole[i] === 'other').map((k) => newIndex.get(k)!);
    const aggregates: AggregateCall[] = node.aggregates.map((a) => ({
      ...a,
      args: a.args.map((x) => newIndex.get(x)!),
      filterArg: a.filterArg === null ? null : newIndex.get(a.filterArg)!,
    }));
    const inFields = input.rowType.fields;
    const aggFields = node.rowType.fields.slice(node.groupKeys.length);
    const windowTimeType = source.base.rowType.fields[source.timeIndex]!.type;
    const wa: WindowAggregateNode = {
      kind: 'WindowAggregate',
      input,
      window: source.window,
      timeIndex: inputCalc === input ? keep.length : source.timeIndex,
      groupKeys: otherKeys,
      aggregates,
      rowType: {
        fields: [
          ...otherKeys.map((k) => ({ name: inFields[k]!.name, type: node.rowType.fields[node.groupKeys.indexOf(keep[k]!)]?.type ?? inFields[k]!.type })),
          ...aggFields,
          { name: 'window_start', type: { kind: 'TIMESTAMP', precision: 3, nullable: false } },
          { name: 'window_end', type: { kind: 'TIMESTAMP', precision: 3, nullable: false } },
          { name: 'window_time', type: windowTimeOf(windowTimeType) },
        ],
      },
      ...(source.groupWindow ? { groupWindow: true } : {}),
    };
    // Restore the Aggregate's output layout.
    const nOther = otherKeys.length;
    const nAgg = aggregates.length;
    let other = 0;
    const out: ExprIR[] = node.groupKeys.map((_, i) => {
      const role = keyRole[i]!;
      const idx = role === 'ws' ? nOther + nAgg : role === 'we' ? nOther + nAgg + 1 : role === 'wt' ? nOther + nAgg + 2 : other++;
      return inputRef(idx, wa.rowType.fields[idx]!.type);
    });
    for (let a = 0; a < nAgg; a++) out.push(inputRef(nOther + a, wa.rowType.fields[nOther + a]!.type));
    const top: CalcNode = { kind: 'Calc', input: wa, projection: out, condition: null, rowType: restoreTypes(node, out) };
    return changedTo(top);
  },
};

/** window_time: a rowtime of the time column's kind, or a proctime TIMESTAMP_LTZ(3). */
function windowTimeOf(timeType: LogicalType): LogicalType {
  const attr = (timeType as { timeAttribute?: 'rowtime' | 'proctime' }).timeAttribute ?? 'rowtime';
  if (attr === 'proctime') return { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'proctime' };
  return { kind: timeType.kind === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', precision: 3, nullable: false, timeAttribute: 'rowtime' };
}

/** The Aggregate's names with the WindowAggregate's types (window_time keeps its time attribute). */
function restoreTypes(node: AggregateNode, out: readonly ExprIR[]): CalcNode['rowType'] {
  return { fields: node.rowType.fields.map((f, i) => ({ name: f.name, type: out[i]!.type })) };
}
