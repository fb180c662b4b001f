/**
 * Physical planning of the joins that are not regular joins (Flink's StreamPhysicalLookupJoinRule and
 * StreamPhysicalIntervalJoinRule):
 * - a join with `FOR SYSTEM_TIME AS OF` a processing-time column against a bounded table becomes a
 *   lookup join (`LookupJoinSpec`): the table is read by the join operator itself, not by a source node;
 * - a join whose condition bounds one input's rowtime by the other's from below and above
 *   (`a.rt BETWEEN b.rt - INTERVAL '1' HOUR AND b.rt + INTERVAL '1' HOUR`, or `>`/`>=`/`<`/`<=` pairs)
 *   becomes an interval join (`IntervalJoinSpec`);
 * - a join with `FOR SYSTEM_TIME AS OF` a rowtime attribute against a versioned table (a rowtime
 *   attribute and a primary key the join keys cover) becomes an event-time temporal join
 *   (`TemporalJoinSpec`);
 * - a join of two inputs windowed by the same window TVF, whose condition equates both window_start
 *   and both window_end columns, becomes a window join (`WindowJoinSpec`).
 */
import { unsupported, userError } from '../common/index.js';
import { formatIdentifier } from '../catalog/index.js';
import { getSourceConnector } from '../connectors/index.js';
import { evaluateConstant, formatExprIR, type ExprIR } from '../expr/index.js';
import type { IntervalJoinSpec, LookupJoinSpec, TemporalJoinSpec, WindowJoinSpec, WindowSpec } from '../spec/index.js';
import type { RowType } from '../types/index.js';
import { inputIndices } from './ir-utils.js';
import type { JoinNode, LogicalNode, ScanNode } from './logical-plan.js';
import { formatDuration, formatWindow } from './node-names.js';
import { parseDurationMs } from './planner-context.js';

const names = (t: RowType): string[] => t.fields.map((f) => f.name);
const timeAttributeOf = (t: RowType, i: number): 'rowtime' | 'proctime' | undefined => (t.fields[i]?.type as { timeAttribute?: 'rowtime' | 'proctime' } | undefined)?.timeAttribute;

/** Flink's filesystem connector keeps a lookup table for `lookup.join.cache.ttl` (default 60 min). */
const DEFAULT_LOOKUP_CACHE_TTL_MS = 60 * 60 * 1000;

// ---- lookup join ------------------------------------------------------------------------------------

/**
 * The lookup-join spec for a snapshot join over a processing-time column. The right input must be a
 * bounded table scan, possibly under one Calc (a projection or filter the optimizer kept above it).
 */
export function lookupJoinSpec(
  node: JoinNode,
  leftKeys: readonly number[],
  rightKeys: readonly number[],
  residual: ExprIR | null,
  sourceSpecOf: (scan: ScanNode) => LookupJoinSpec['table'],
): LookupJoinSpec {
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') throw unsupported('PLAN.UNSUPPORTED_TEMPORAL_JOIN', `a ${node.joinType} lookup join is not supported (INNER or LEFT)`);
  let right: LogicalNode = node.right;
  let tableCalc: LookupJoinSpec['tableCalc'] = null;
  if (right.kind === 'Calc' && right.input.kind === 'Scan') {
    tableCalc = { projection: right.projection, condition: right.condition };
    right = right.input;
  }
  if (right.kind !== 'Scan') {
    throw unsupported('PLAN.UNSUPPORTED_LOOKUP_JOIN', `FOR SYSTEM_TIME AS OF a processing-time attribute needs a table to look up, not a query (${right.kind})`, {
      help: 'join a table declared with CREATE TABLE directly, or use an event-time temporal join',
    });
  }
  const table = right.table;
  // A lookup cache load reads the table once, as it is now (lookup-table-loader.ts reads it as in batch
  // mode): tables that are unbounded only because a streaming job follows them (Paimon) qualify.
  const loadable =
    table.bounded ||
    getSourceConnector(table.connector).isBounded({
      tableName: formatIdentifier(table.id),
      options: table.options,
      physicalType: table.physicalType,
      partitionKeys: table.partitionKeys,
      config: (key) => (key === 'execution.runtime-mode' ? 'batch' : undefined),
    });
  if (!loadable) {
    throw unsupported(
      'PLAN.UNSUPPORTED_LOOKUP_JOIN',
      `table ${formatIdentifier(table.id)} (connector '${table.connector}') cannot be used as a lookup table: it is unbounded, and lookup tables are loaded in full`,
      { help: 'use a bounded table (e.g. the filesystem connector), or an event-time temporal join against a versioned table' },
    );
  }
  if (leftKeys.length === 0) {
    throw userError('PLAN.LOOKUP_JOIN_KEYS', `the lookup join on ${formatIdentifier(table.id)} needs an equality between a column of the left input and a column of the table in ON`, {
      help: 'e.g. ON o.customer_id = c.id',
    });
  }
  const rawTtl = table.options['lookup.join.cache.ttl'];
  const cacheTtlMs = rawTtl === undefined ? DEFAULT_LOOKUP_CACHE_TTL_MS : parseDurationMs('lookup.join.cache.ttl', rawTtl);
  const hint = node.snapshot?.lookupHint ?? null;
  return {
    type: 'lookup-join',
    version: 1,
    joinType: node.joinType,
    table: sourceSpecOf(right),
    tableCalc,
    tableType: node.right.rowType,
    inputType: node.left.rowType,
    inputKeys: leftKeys,
    tableKeys: rightKeys,
    condition: residual,
    cacheTtlMs,
    retry: hint?.retry ?? null,
  };
}

/** `LookupJoin(table=[…], joinType=[InnerJoin], lookup=[key=$kl0], where=[…], select=[…])`. */
export function lookupJoinName(node: JoinNode, spec: LookupJoinSpec): string {
  const inNames = names(node.left.rowType);
  const tableNames = names(spec.tableType);
  const lookup = spec.tableKeys.map((k, i) => `${tableNames[k]}=${inNames[spec.inputKeys[i]!]}`).join(', ');
  const all = names(node.rowType);
  const where = spec.condition ? `, where=[${formatExprIR(spec.condition, all)}]` : '';
  const retry = spec.retry ? `, retry=[lookup_miss, FIXED_DELAY, ${formatDuration(spec.retry.fixedDelayMs)}, ${spec.retry.maxAttempts}]` : '';
  return `LookupJoin(table=[${spec.table.tableName}], joinType=[${spec.joinType === 'INNER' ? 'InnerJoin' : 'LeftOuterJoin'}], lookup=[${lookup}]${where}${retry}, select=[${all.join(', ')}])`;
}

// ---- interval join ----------------------------------------------------------------------------------

export interface IntervalBounds {
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  /** `right.time + lowerBound <= left.time <= right.time + upperBound`, inclusive, in ms. */
  readonly lowerBound: number;
  readonly upperBound: number;
  /** The conjuncts that were not time bounds (over the join row). */
  readonly rest: readonly ExprIR[];
}

/** `input ± constant interval` → [input index, offset ms], else null. */
function timePlusOffset(e: ExprIR): [number, number] | null {
  if (e.kind === 'input') return [e.index, 0];
  if (e.kind !== 'call' || (e.fn !== '+' && e.fn !== '-') || e.args.length !== 2) return null;
  const [a, b] = e.args as [ExprIR, ExprIR];
  const constant = (x: ExprIR): number | null => {
    if (x.type.kind !== 'INTERVAL_DAY_TIME' || inputIndices(x).size > 0) return null;
    const v = evaluateConstant(x);
    return typeof v === 'number' ? v : null;
  };
  if (a.kind === 'input') {
    const c = constant(b);
    return c === null ? null : [a.index, e.fn === '+' ? c : -c];
  }
  if (b.kind === 'input' && e.fn === '+') {
    const c = constant(a);
    return c === null ? null : [b.index, c];
  }
  return null;
}

const FLIP: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * Finds Flink's interval-join bounds in a join condition's conjuncts: comparisons between one rowtime
 * attribute of each side (the same pair throughout), each side optionally plus or minus a constant
 * interval. Needs a lower and an upper bound; when several of either are given the tightest wins.
 */
export function extractIntervalBounds(conjuncts: readonly ExprIR[], leftType: RowType, rightType: RowType): IntervalBounds | null {
  const width = leftType.fields.length;
  let pair: [number, number] | null = null;
  let lower = -Infinity;
  let upper = Infinity;
  const rest: ExprIR[] = [];
  for (const c of conjuncts) {
    const bound = c.kind === 'call' && c.args.length === 2 && FLIP[c.fn] !== undefined ? comparisonBound(c.fn, c.args[0]!, c.args[1]!, width, leftType, rightType) : null;
    if (bound === null || (pair !== null && (pair[0] !== bound.left || pair[1] !== bound.right))) {
      rest.push(c);
      continue;
    }
    pair = [bound.left, bound.right];
    if (bound.isLower) lower = Math.max(lower, bound.value);
    else upper = Math.min(upper, bound.value);
  }
  if (pair === null || lower === -Infinity || upper === Infinity) return null;
  return { leftTimeIndex: pair[0], rightTimeIndex: pair[1], lowerBound: lower, upperBound: upper, rest };
}

/** `a op b` as a bound on `left.time - right.time`, or null. */
function comparisonBound(fn: string, a: ExprIR, b: ExprIR, width: number, leftType: RowType, rightType: RowType): { left: number; right: number; isLower: boolean; value: number } | null {
  const pa = timePlusOffset(a);
  const pb = timePlusOffset(b);
  if (pa === null || pb === null) return null;
  let op = fn;
  let [l, r] = [pa, pb];
  if (pa[0] >= width && pb[0] < width) {
    [l, r] = [pb, pa];
    op = FLIP[fn]!;
  } else if (!(pa[0] < width && pb[0] >= width)) return null;
  const li = l[0];
  const ri = r[0] - width;
  if (timeAttributeOf(leftType, li) !== 'rowtime' || timeAttributeOf(rightType, ri) !== 'rowtime') return null;
  // lt + a op rt + b  ⇔  lt - rt op b - a.
  const c = r[1] - l[1];
  switch (op) {
    case '>=':
      return { left: li, right: ri, isLower: true, value: c };
    case '>':
      return { left: li, right: ri, isLower: true, value: c + 1 };
    case '<=':
      return { left: li, right: ri, isLower: false, value: c };
    default:
      return { left: li, right: ri, isLower: false, value: c - 1 };
  }
}

const JOIN_NAMES: Readonly<Record<IntervalJoinSpec['joinType'], string>> = { INNER: 'InnerJoin', LEFT: 'LeftOuterJoin', RIGHT: 'RightOuterJoin', FULL: 'FullOuterJoin' };

/** `IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, leftLowerBound=-3600000, leftUpperBound=600000, leftTimeIndex=1, rightTimeIndex=1], where=[…], select=[…])`. */
export function intervalJoinName(node: JoinNode, spec: IntervalJoinSpec): string {
  const all = names(node.rowType);
  const where = node.condition ? formatExprIR(node.condition, all) : 'true';
  const bounds = `isRowTime=true, leftLowerBound=${spec.lowerBound}, leftUpperBound=${spec.upperBound}, leftTimeIndex=${spec.leftTimeIndex}, rightTimeIndex=${spec.rightTimeIndex}`;
  return `IntervalJoin(joinType=[${JOIN_NAMES[spec.joinType]}], windowBounds=[${bounds}], where=[${where}], select=[${all.join(', ')}])`;
}

// ---- event-time temporal join -------------------------------------------------------------------------

/**
 * The unique key of a relation, as far as the plan shows it: a scanned table's PRIMARY KEY, a
 * deduplication's partition keys (ROW_NUMBER() = 1 without the number), a GROUP BY's keys, carried
 * through Calcs that pass the key columns as plain references. Null when none is known.
 */
export function uniqueKeyOf(node: LogicalNode): number[] | null {
  switch (node.kind) {
    case 'Scan': {
      const pk = node.table.primaryKey;
      if (pk === undefined) return null;
      const out = pk.map((e) => node.projection.indexOf(e));
      return out.every((i) => i >= 0) ? out : null;
    }
    case 'Calc': {
      const key = uniqueKeyOf(node.input);
      if (key === null) return null;
      const out = key.map((k) => node.projection.findIndex((p) => p.kind === 'input' && p.index === k));
      return out.every((i) => i >= 0) ? out : null;
    }
    case 'Rank':
      return node.rankStart === 1 && node.rankEnd === 1 && !node.outputRankNumber ? [...node.partitionKeys] : null;
    case 'Aggregate':
      return node.groupKeys.map((_, i) => i);
    default:
      return null;
  }
}

/** The temporal-join spec for a snapshot join over a rowtime attribute (Flink's checks and messages). */
export function temporalJoinSpec(node: JoinNode, leftKeys: readonly number[], rightKeys: readonly number[], residual: ExprIR | null): TemporalJoinSpec {
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') throw unsupported('PLAN.UNSUPPORTED_TEMPORAL_JOIN', `a ${node.joinType} temporal join is not supported (INNER or LEFT)`);
  const right = node.right.rowType;
  const rightTimeIndex = right.fields.findIndex((_, i) => timeAttributeOf(right, i) === 'rowtime');
  if (rightTimeIndex < 0) {
    throw userError('PLAN.TEMPORAL_JOIN_VERSIONED', 'an event-time temporal join needs a versioned table on the right: it has no rowtime attribute (WATERMARK)', {
      help: 'declare WATERMARK FOR the versioned table, or join AS OF a processing-time attribute (a lookup join)',
    });
  }
  const pk = uniqueKeyOf(node.right);
  if (pk === null) {
    throw userError('PLAN.TEMPORAL_JOIN_VERSIONED', 'Temporal Table Join requires primary key in versioned table, but no primary key can be found', {
      help: "declare PRIMARY KEY (…) NOT ENFORCED on the versioned table, or make it a deduplicating view (ROW_NUMBER() OVER (PARTITION BY key ORDER BY rowtime DESC) = 1)",
    });
  }
  const rightNames = names(right);
  const missing = pk.filter((k) => !rightKeys.includes(k));
  if (missing.length > 0 || leftKeys.length === 0) {
    throw userError(
      'PLAN.TEMPORAL_JOIN_KEYS',
      `Temporal table's primary key [${pk.map((k) => rightNames[k]).join(', ')}] must be included in the equivalence condition of the temporal join${missing.length > 0 ? ` (missing: ${missing.map((k) => rightNames[k]).join(', ')})` : ''}`,
      { help: 'add e.g. ON o.currency = r.currency for each primary key column' },
    );
  }
  return {
    type: 'temporal-join',
    version: 1,
    joinType: node.joinType,
    leftKeys,
    rightKeys,
    leftTimeIndex: node.snapshot!.timeIndex,
    rightTimeIndex,
    condition: residual,
    leftType: node.left.rowType,
    rightType: right,
  };
}

/** `TemporalJoin(joinType=[InnerJoin], where=[…], select=[…])` with the AS OF column, as Flink names it. */
export function temporalJoinName(node: JoinNode, spec: TemporalJoinSpec): string {
  const all = names(node.rowType);
  const where = node.condition ? formatExprIR(node.condition, all) : 'true';
  const leftTime = names(node.left.rowType)[spec.leftTimeIndex];
  const rightTime = names(node.right.rowType)[spec.rightTimeIndex];
  return `TemporalJoin(joinType=[${spec.joinType === 'INNER' ? 'InnerJoin' : 'LeftOuterJoin'}], where=[${where} AND __TEMPORAL_JOIN_CONDITION(${leftTime}, ${rightTime})], select=[${all.join(', ')}])`;
}

// ---- window join --------------------------------------------------------------------------------------

/** Where a relation's window_start/window_end columns are, when it is the output of a window TVF. */
export interface WindowColumns {
  readonly window: WindowSpec;
  readonly start: number;
  readonly end: number;
  /** Whether the windows are in event time (the window_time column is a rowtime attribute). */
  readonly rowtime: boolean;
}

/**
 * The window columns of a window TVF's or window aggregate's output, followed through Calcs that pass
 * them on as plain references; null for anything else.
 */
export function windowColumnsOf(node: LogicalNode): WindowColumns | null {
  switch (node.kind) {
    // Session windows have no fixed bounds to meet on (Flink's window join takes TUMBLE, HOP, CUMULATE).
    case 'WindowTvf': {
      if (node.window.kind === 'SESSION') return null;
      const width = node.input.rowType.fields.length;
      return { window: node.window, start: width, end: width + 1, rowtime: timeAttributeOf(node.rowType, width + 2) === 'rowtime' };
    }
    case 'WindowAggregate': {
      if (node.window.kind === 'SESSION') return null;
      const base = node.groupKeys.length + node.aggregates.length;
      return { window: node.window, start: base, end: base + 1, rowtime: timeAttributeOf(node.rowType, base + 2) === 'rowtime' };
    }
    case 'Calc': {
      const inner = windowColumnsOf(node.input);
      if (inner === null) return null;
      const start = node.projection.findIndex((p) => p.kind === 'input' && p.index === inner.start);
      const end = node.projection.findIndex((p) => p.kind === 'input' && p.index === inner.end);
      return start < 0 || end < 0 ? null : { ...inner, start, end };
    }
    default:
      return null;
  }
}

/**
 * The window-join spec when `node` joins two event-time windowed inputs of the same window on
 * `window_start` and `window_end` (both among the equi-keys; they are taken out of the keys), else null.
 */
export function windowJoinSpec(node: JoinNode, leftKeys: readonly number[], rightKeys: readonly number[], residual: ExprIR | null): WindowJoinSpec | null {
  if (node.joinType === 'SEMI' || node.joinType === 'ANTI') return null;
  const l = windowColumnsOf(node.left);
  const r = windowColumnsOf(node.right);
  if (l === null || r === null || !l.rowtime || !r.rowtime) return null;
  const pairAt = (a: number, b: number): number => leftKeys.findIndex((k, i) => k === a && rightKeys[i] === b);
  const startPair = pairAt(l.start, r.start);
  const endPair = pairAt(l.end, r.end);
  if (startPair < 0 || endPair < 0) return null;
  if (JSON.stringify(l.window) !== JSON.stringify(r.window)) {
    throw unsupported('PLAN.WINDOW_JOIN_WINDOWS', `a window join needs the same window on both sides, got ${formatWindow(l.window)} and ${formatWindow(r.window)}`);
  }
  const keep = (_: number, i: number): boolean => i !== startPair && i !== endPair;
  return {
    type: 'window-join',
    version: 1,
    joinType: node.joinType,
    window: l.window,
    leftKeys: leftKeys.filter(keep),
    rightKeys: rightKeys.filter(keep),
    leftWindowStart: l.start,
    leftWindowEnd: l.end,
    rightWindowStart: r.start,
    rightWindowEnd: r.end,
    condition: residual,
    leftType: node.left.rowType,
    rightType: node.right.rowType,
  };
}

/** `WindowJoin(leftWindow=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[10 s])], rightWindow=[…], joinType=[…], where=[…], select=[…])`. */
export function windowJoinName(node: JoinNode, spec: WindowJoinSpec): string {
  const all = names(node.rowType);
  const ln = names(node.left.rowType);
  const rn = names(node.right.rowType);
  const win = (start: string, end: string): string => formatWindow(spec.window).replace('(', `(win_start=[${start}], win_end=[${end}], `);
  const where = node.condition ? formatExprIR(node.condition, all) : 'true';
  return `WindowJoin(leftWindow=[${win(ln[spec.leftWindowStart]!, ln[spec.leftWindowEnd]!)}], rightWindow=[${win(rn[spec.rightWindowStart]!, rn[spec.rightWindowEnd]!)}], joinType=[${JOIN_NAMES[spec.joinType]}], where=[${where}], select=[${all.join(', ')}])`;
}
