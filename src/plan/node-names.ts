/**
 * Display names of plan nodes in Flink's style (`Calc(select=[…], where=[…])`,
 * `GroupAggregate(groupBy=[…], select=[…])`, `WindowAggregate(groupBy=[…], window=[HOP(slide=[2 s], size=[10 s])], select=[…])`),
 * used for `NodeSpec.name`, EXPLAIN and logs. Expressions print with the expression layer's formatter.
 */
import { formatIdentifier } from '../catalog/index.js';
import { formatExprIR } from '../expr/index.js';
import type { ExprIR } from '../expr/index.js';
import type { AggregateCall, OverFrame, SortField } from '../spec/index.js';
import type { RowType } from '../types/index.js';
import type { JoinType, LogicalNode, LogicalWindow, MatchNode, OverNode, RankNode } from './logical-plan.js';
import { formatMatchExpr, formatPattern } from './match-binder.js';

const names = (t: RowType): string[] => t.fields.map((f) => f.name);

/** Flink's duration display: `10 s`, `1 min`, `500 ms`, `2 h`, `1 d`. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86400000, 'd'],
    [3600000, 'h'],
    [60000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms !== 0 && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

export function formatWindow(w: LogicalWindow, timeCol?: string): string {
  const col = timeCol === undefined ? '' : `time_col=[${timeCol}], `;
  if (w.kind === 'SESSION') return `SESSION(${col}gap=[${formatDuration(w.gap)}])`;
  const off = w.offset !== 0 ? `, offset=[${formatDuration(w.offset)}]` : '';
  switch (w.kind) {
    case 'TUMBLE':
      return `TUMBLE(${col}size=[${formatDuration(w.size)}]${off})`;
    case 'HOP':
      return `HOP(${col}slide=[${formatDuration(w.slide)}], size=[${formatDuration(w.size)}]${off})`;
    case 'CUMULATE':
      return `CUMULATE(${col}step=[${formatDuration(w.step)}], size=[${formatDuration(w.size)}]${off})`;
  }
}

/** A state TTL from a `STATE_TTL` hint: a duration, or `none` for 0 (state kept forever). */
function formatTtl(ms: number): string {
  return ms === 0 ? 'none' : formatDuration(ms);
}

/** `expr AS name` unless the expression is a reference to a column of that name. */
export function formatProjection(projection: readonly ExprIR[], outNames: readonly string[], inNames: readonly string[]): string {
  return projection
    .map((p, i) => {
      const text = formatExprIR(p, inNames);
      return p.kind === 'input' && inNames[p.index] === outNames[i] ? text : `${text} AS ${outNames[i]}`;
    })
    .join(', ');
}

export function calcName(projection: readonly ExprIR[], condition: ExprIR | null, out: RowType, input: RowType): string {
  const inNames = names(input);
  const where = condition ? `, where=[${formatExprIR(condition, inNames)}]` : '';
  return `Calc(select=[${formatProjection(projection, names(out), inNames)}]${where})`;
}

function aggSelect(keys: readonly number[], aggs: readonly AggregateCall[], input: RowType, out: RowType, extra: readonly string[] = []): string {
  const inNames = names(input);
  const outNames = names(out);
  const parts = keys.map((k, i) => (inNames[k] === outNames[i] ? inNames[k]! : `${inNames[k]} AS ${outNames[i]}`));
  aggs.forEach((a, i) => parts.push(`${a.name} AS ${outNames[keys.length + i]}`));
  return [...parts, ...extra].join(', ');
}

export function groupAggregateName(keys: readonly number[], aggs: readonly AggregateCall[], input: RowType, out: RowType): string {
  const inNames = names(input);
  const groupBy = keys.length > 0 ? `groupBy=[${keys.map((k) => inNames[k]).join(', ')}], ` : '';
  return `GroupAggregate(${groupBy}select=[${aggSelect(keys, aggs, input, out)}])`;
}

/**
 * `WindowAggregate(groupBy=[…], window=[TUMBLE(…)], select=[…])`; with `groupWindow` (a legacy
 * `GROUP BY TUMBLE/HOP/SESSION(time, …)`), Flink's name for that syntax:
 * `GroupWindowAggregate(groupBy=[…], window=[SessionGroupWindow('w$, dateTime, 10000)], properties=[…], select=[…])`.
 * The window properties keep Floe's column names (window_start, window_end, window_time; Flink calls them
 * w$start, w$end, w$rowtime/w$proctime), so the Calc above reads the names printed here.
 */
export function windowAggregateName(
  node: { window: LogicalWindow; timeIndex: number; groupKeys: readonly number[]; aggregates: readonly AggregateCall[]; groupWindow?: boolean },
  input: RowType,
  out: RowType,
): string {
  const inNames = names(input);
  const groupBy = node.groupKeys.length > 0 ? `groupBy=[${node.groupKeys.map((k) => inNames[k]).join(', ')}], ` : '';
  const props = ['window_start', 'window_end', 'window_time'];
  if (node.groupWindow === true) {
    const time = inNames[node.timeIndex]!;
    const proctime = (input.fields[node.timeIndex]!.type as { timeAttribute?: string }).timeAttribute === 'proctime';
    const fns = ['start', 'end', proctime ? 'proctime' : 'rowtime'];
    const w = node.window;
    const window =
      w.kind === 'SESSION'
        ? `SessionGroupWindow('w$, ${time}, ${w.gap})`
        : w.kind === 'HOP'
          ? `SlidingGroupWindow('w$, ${time}, ${w.size}, ${w.slide})`
          : w.kind === 'TUMBLE'
            ? `TumblingGroupWindow('w$, ${time}, ${w.size})`
            : formatWindow(w, time);
    const extra = props.map((p, i) => `${fns[i]}('w$) AS ${p}`);
    return `GroupWindowAggregate(${groupBy}window=[${window}], properties=[${props.join(', ')}], select=[${aggSelect(node.groupKeys, node.aggregates, input, out, extra)}])`;
  }
  return `WindowAggregate(${groupBy}window=[${formatWindow(node.window, inNames[node.timeIndex])}], select=[${aggSelect(node.groupKeys, node.aggregates, input, out, props)}])`;
}

const JOIN_TYPE_NAMES: Readonly<Record<JoinType, string>> = {
  INNER: 'InnerJoin',
  LEFT: 'LeftOuterJoin',
  RIGHT: 'RightOuterJoin',
  FULL: 'FullOuterJoin',
  SEMI: 'LeftSemiJoin',
  ANTI: 'LeftAntiJoin',
};

export function joinName(joinType: JoinType, condition: ExprIR | null, out: RowType, _left: RowType, right: RowType): string {
  // The join's output is left then right columns with unique names: the condition reads the same layout.
  // SEMI/ANTI joins output the left columns only; their condition still reads the right ones.
  const inNames = joinType === 'SEMI' || joinType === 'ANTI' ? [...names(out), ...names(right)] : names(out);
  const where = condition ? formatExprIR(condition, inNames) : 'true';
  return `Join(joinType=[${JOIN_TYPE_NAMES[joinType]}], where=[${where}], select=[${names(out).join(', ')}])`;
}

/** Flink's collation display: `price DESC`; NULL placement only when it is not the default (ASC NULLS FIRST, DESC NULLS LAST). */
export function formatOrderBy(orderBy: readonly SortField[], inNames: readonly string[]): string {
  return orderBy
    .map((o) => {
      const nulls = o.nullsFirst === !o.descending ? '' : o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
      return `${inNames[o.index]} ${o.descending ? 'DESC' : 'ASC'}${nulls}`;
    })
    .join(', ');
}

/** `Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=10], partitionBy=[auction], orderBy=[price DESC], select=[…])`. */
export function rankName(node: Pick<RankNode, 'input' | 'partitionKeys' | 'orderBy' | 'rankStart' | 'rankEnd' | 'rowType'>, strategy: string | null): string {
  const inNames = names(node.input.rowType);
  const range = node.rankEnd === null ? `rankStart=${node.rankStart}, rankEnd=unbounded` : `rankStart=${node.rankStart}, rankEnd=${node.rankEnd}`;
  const parts = [
    ...(strategy === null ? [] : [`strategy=[${strategy}]`]),
    'rankType=[ROW_NUMBER]',
    `rankRange=[${range}]`,
    `partitionBy=[${node.partitionKeys.map((k) => inNames[k]).join(', ')}]`,
    `orderBy=[${formatOrderBy(node.orderBy, inNames)}]`,
    `select=[${names(node.rowType).join(', ')}]`,
  ];
  return `Rank(${parts.join(', ')})`;
}

/** `Deduplicate(keep=[LastRow], key=[bidder, auction], order=[ROWTIME])`. */
export function deduplicateName(keys: readonly number[], keepLast: boolean, rowtime: boolean, input: RowType): string {
  const inNames = names(input);
  return `Deduplicate(keep=[${keepLast ? 'LastRow' : 'FirstRow'}], key=[${keys.map((k) => inNames[k]).join(', ')}], order=[${rowtime ? 'ROWTIME' : 'PROCTIME'}])`;
}

/** Flink's frame text: `ROWS BETWEEN 10 PRECEDING AND CURRENT ROW`, `RANGE BETWEEN 10000 PRECEDING AND CURRENT ROW` (ms). */
export function formatOverFrame(frame: OverFrame): string {
  return `${frame.unit} BETWEEN ${frame.preceding === null ? 'UNBOUNDED' : frame.preceding} PRECEDING AND CURRENT ROW`;
}

/** `OverAggregate(partitionBy=[seller], orderBy=[dateTime ASC], window=[ROWS BETWEEN 10 PRECEDING AND CURRENT ROW], select=[…, AVG(price) AS w0$o0])`. */
export function overAggregateName(node: Pick<OverNode, 'input' | 'partitionKeys' | 'timeIndex' | 'frame' | 'aggregates' | 'rowType'>): string {
  const inNames = names(node.input.rowType);
  const outNames = names(node.rowType);
  const width = inNames.length;
  const select = [...inNames, ...node.aggregates.map((a, i) => `${a.name} AS ${outNames[width + i]}`)];
  const partition = node.partitionKeys.length > 0 ? `partitionBy=[${node.partitionKeys.map((k) => inNames[k]).join(', ')}], ` : '';
  return `OverAggregate(${partition}orderBy=[${inNames[node.timeIndex]} ASC], window=[${formatOverFrame(node.frame)}], select=[${select.join(', ')}])`;
}

/**
 * `Match(partitionBy=[auction, bidder], orderBy=[dateTime ASC], measures=[…], rowsPerMatch=[ONE ROW PER MATCH],
 * after=[SKIP TO LAST PRICE_UP], pattern=[START_ROW PRICE_DOWN+ PRICE_UP], within=[5 s], define=[…])`.
 */
export function matchName(node: MatchNode): string {
  const inNames = names(node.input.rowType);
  const vars = node.variables;
  const a = node.after;
  let after = '';
  if (a.kind === 'past-last-row') after = 'SKIP PAST LAST ROW';
  else if (a.kind === 'to-next-row') after = 'SKIP TO NEXT ROW';
  else if ('variable' in a) after = `SKIP TO ${a.kind === 'to-first' ? 'FIRST' : 'LAST'} ${vars[a.variable]}`;
  const order = [`${inNames[node.timeIndex]} ASC`, ...(node.orderBy.length > 0 ? [formatOrderBy(node.orderBy, inNames)] : [])].join(', ');
  const define = node.defines.flatMap((d, i) => (d === null ? [] : [`${vars[i]} AS ${formatMatchExpr(d, vars, inNames)}`]));
  const parts = [
    `partitionBy=[${node.partitionKeys.map((k) => inNames[k]).join(', ')}]`,
    `orderBy=[${order}]`,
    `measures=[${node.measures.map((m) => `${formatMatchExpr(m.expr, vars, inNames)} AS ${m.name}`).join(', ')}]`,
    'rowsPerMatch=[ONE ROW PER MATCH]',
    `after=[${after}]`,
    `pattern=[${formatPattern(node.elements, vars)}]`,
    ...(node.within === null ? [] : [`within=[${formatDuration(node.within)}]`]),
    `define=[${define.join(', ')}]`,
  ];
  return `Match(${parts.join(', ')})`;
}

/** One-line description of a logical node (the "Abstract Syntax Tree" section of EXPLAIN). */
export function logicalNodeName(node: LogicalNode): string {
  switch (node.kind) {
    case 'Scan': {
      const t = node.table;
      const filter = node.filter ? `, filter=[${formatExprIR(node.filter, names(t.extendedType))}]` : '';
      return `LogicalTableScan(table=[[${formatIdentifier(t.id).split('.').join(', ')}]], fields=[${names(node.rowType).join(', ')}]${filter})`;
    }
    case 'Values':
      return `LogicalValues(rows=[${node.rows.length}], fields=[${names(node.rowType).join(', ')}])`;
    case 'Calc':
      return 'Logical' + calcName(node.projection, node.condition, node.rowType, node.input.rowType);
    case 'Aggregate': {
      const agg = 'LogicalAggregate' + groupAggregateName(node.groupKeys, node.aggregates, node.input.rowType, node.rowType).slice('GroupAggregate'.length);
      // A STATE_TTL hint shows on the node it applies to (Flink's AST lists it as the node's hints).
      return node.stateTtlMs === undefined ? agg : `${agg.slice(0, -1)}, stateTtl=[${formatTtl(node.stateTtlMs)}])`;
    }
    case 'WindowTvf':
      return `LogicalWindowTableFunction(window=[${formatWindow(node.window, node.input.rowType.fields[node.timeIndex]!.name)}])`;
    case 'WindowAggregate':
      // The logical node keeps the TVF form's name; only the physical node is named as Flink plans it.
      return 'Logical' + windowAggregateName({ ...node, groupWindow: false }, node.input.rowType, node.rowType);
    case 'Join': {
      const join = 'Logical' + joinName(node.joinType, node.condition, node.rowType, node.left.rowType, node.right.rowType);
      // A temporal/lookup join shows the AS OF column (Flink: LogicalSnapshot(period=[…])).
      if (node.snapshot) return `${join.slice(0, -1)}, period=[${node.left.rowType.fields[node.snapshot.timeIndex]!.name}])`;
      const ttl = node.stateTtl;
      if (ttl === undefined) return join;
      // Hinted sides only; the others keep table.exec.state.ttl.
      const sides = [ttl.left === null ? null : `left=${formatTtl(ttl.left)}`, ttl.right === null ? null : `right=${formatTtl(ttl.right)}`].filter((x) => x !== null);
      return `${join.slice(0, -1)}, stateTtl=[${sides.join(', ')}])`;
    }
    case 'Union':
      return `LogicalUnion(all=[true], union=[${names(node.rowType).join(', ')}])`;
    case 'Rank':
      return 'Logical' + rankName(node, null);
    case 'Over':
      return 'Logical' + overAggregateName(node);
    case 'Match':
      return 'Logical' + matchName(node);
  }
}
