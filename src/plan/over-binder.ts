/**
 * Binds OVER aggregation: `agg(x) OVER (PARTITION BY … ORDER BY time [ROWS|RANGE BETWEEN … PRECEDING AND
 * CURRENT ROW])` calls of a SELECT list into one `Over` node (Flink's rules for streaming OVER):
 * - every OVER aggregate of the SELECT uses the same window (partition, order, frame);
 * - ORDER BY is one time attribute, ascending;
 * - the frame ends at CURRENT ROW; it starts at `n PRECEDING` (ROWS: a row count; RANGE: a day-time
 *   interval) or UNBOUNDED PRECEDING; no frame means RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
 *
 * Shape: a Calc below appends the aggregate arguments (and FILTER flags) to the input columns, which keep
 * their positions; the `Over` node appends one column per aggregate. The SELECT list binds over that row,
 * with each OVER call resolved to its column (`ExprBinder.withOverRefs`).
 */
import { unsupported, userError } from '../common/index.js';
import { evaluateConstant, isAggregateFunction } from '../expr/index.js';
import type { ExprIR } from '../expr/index.js';
import type { Expr, FunctionCall, Identifier, WindowFrame, WindowSpec } from '../sql/index.js';
import type { OverFrame } from '../spec/index.js';
import { formatType, isTimestampType } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { AggregateScope, ExprBinder } from './expr-binder.js';
import { inputRef } from './ir-utils.js';
import type { CalcNode, LogicalNode, OverNode } from './logical-plan.js';
import { Scope } from './scope.js';

function isOverAggregate(e: FunctionCall): boolean {
  return e.over !== undefined && e.name.parts.length === 1 && isAggregateFunction(e.name.parts[0]!.value.toUpperCase());
}

/** The aggregate `… OVER (…)` calls anywhere in `exprs` (not inside subqueries). */
export function findOverAggregateCalls(exprs: readonly (Expr | undefined)[]): FunctionCall[] {
  const out: FunctionCall[] = [];
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) visit(x);
      return;
    }
    const node = e as { kind?: string };
    if (node.kind === 'Exists' || node.kind === 'ScalarSubquery') return;
    if (node.kind === 'FunctionCall' && isOverAggregate(node as FunctionCall)) {
      out.push(node as FunctionCall);
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'query') visit(v);
  };
  for (const e of exprs) if (e !== undefined) visit(e);
  return out;
}

export interface BoundOver {
  readonly node: OverNode;
  readonly overRefs: ReadonlyMap<FunctionCall, ExprIR>;
}

/** A SELECT's `WINDOW w AS (…)` definitions. */
export type NamedWindows = readonly { readonly name: Identifier; readonly spec: WindowSpec }[];

/** Binds `calls` (one shared window) over `input`, whose columns `scope` names; `OVER w` refers to `named`. */
export function bindOverAggregates(input: LogicalNode, scope: Scope, calls: readonly FunctionCall[], ctx: BinderContext, named: NamedWindows = []): BoundOver {
  const binder = new ExprBinder(scope, ctx, 'SELECT');
  const width = input.rowType.fields.length;
  let digest: string | null = null;
  let partitionKeys: number[] = [];
  let timeIndex = -1;
  let frame: OverFrame = { unit: 'RANGE', preceding: null };
  for (const call of calls) {
    const over = resolveNamed(call.over!, named);
    const keys = over.partitionBy.map((e) => {
      const ir = binder.bind(e);
      if (ir.kind !== 'input') {
        throw unsupported('PLAN.UNSUPPORTED_OVER', 'OVER (PARTITION BY …) must list columns, not expressions', { span: e.span, help: 'compute the expression in a subquery' });
      }
      return ir.index;
    });
    if (over.orderBy.length !== 1) {
      throw userError('PLAN.BAD_OVER_ORDER', 'OVER aggregation needs ORDER BY exactly one time attribute', { span: over.span });
    }
    const order = over.orderBy[0]!;
    const time = binder.bind(order.expr);
    const attr = isTimestampType(time.type) ? (time.type as { timeAttribute?: string }).timeAttribute : undefined;
    if (time.kind !== 'input' || attr === undefined) {
      throw userError('PLAN.BAD_OVER_ORDER', `OVER windows must be ordered by a time attribute (rowtime or proctime), not ${formatType(time.type)}`, {
        span: order.span,
        help: 'declare a WATERMARK FOR the column in the source table, or order by a PROCTIME() column',
      });
    }
    if (order.descending) throw userError('PLAN.BAD_OVER_ORDER', 'OVER windows must be ordered by time ascending', { span: order.span });
    const f = bindFrame(over.frame, ctx, call);
    const d = JSON.stringify([keys, time.index, f]);
    if (digest === null) {
      digest = d;
      partitionKeys = keys;
      timeIndex = time.index;
      frame = f;
    } else if (d !== digest) {
      throw unsupported('PLAN.UNSUPPORTED_OVER', 'all OVER aggregates of a SELECT must use the same window (PARTITION BY, ORDER BY and frame)', { span: call.span });
    }
  }

  // Input columns as "keys" keep their positions; arguments and FILTER flags are appended after them.
  const names = input.rowType.fields.map((f) => f.name);
  const agg = new AggregateScope(
    binder.withClause('SELECT', null),
    input.rowType.fields.map((f, i) => inputRef(i, f.type)),
    names,
  );
  const aggBinder = new ExprBinder(scope, ctx, 'SELECT', agg);
  const results = calls.map((c) => aggBinder.bindAggregateCall(c, agg));
  const pre: CalcNode = {
    kind: 'Calc',
    input,
    projection: agg.preExprs,
    condition: null,
    rowType: { fields: agg.preExprs.map((e, i) => (i < width ? input.rowType.fields[i]! : { name: agg.preNames[i]!, type: e.type })) },
  };
  const nPre = agg.preExprs.length;
  const aggNames = agg.calls.map((_, i) => `w0$o${i}`);
  const node: OverNode = {
    kind: 'Over',
    input: nPre === width ? input : pre,
    partitionKeys,
    timeIndex,
    frame,
    aggregates: agg.calls,
    rowType: { fields: [...(nPre === width ? input.rowType.fields : pre.rowType.fields), ...agg.calls.map((c, i) => ({ name: aggNames[i]!, type: c.type }))] },
  };
  // bindAggregateCall refers to aggregate i as keyCount + i; in the Over row it follows all pre columns.
  const overRefs = new Map<FunctionCall, ExprIR>();
  calls.forEach((c, i) => {
    const r = results[i]!;
    const index = r.kind === 'input' ? r.index - agg.keyCount + nPre : -1;
    overRefs.set(c, inputRef(index, r.type));
  });
  return { node, overRefs };
}

/** `OVER w` → the spec of the SELECT's `WINDOW w AS (…)` (names compared as written, like other identifiers). */
function resolveNamed(over: WindowSpec, named: NamedWindows): WindowSpec {
  if (over.name === undefined || over.partitionBy.length > 0 || over.orderBy.length > 0 || over.frame !== undefined) return over;
  const name = over.name.value;
  const def = named.find((w) => w.name.value === name);
  if (def === undefined) {
    throw userError('PLAN.UNKNOWN_WINDOW', `window '${name}' is not defined${named.length > 0 ? ` (WINDOW defines ${named.map((w) => w.name.value).join(', ')})` : ''}`, {
      span: over.span,
      help: `add WINDOW ${name} AS (PARTITION BY … ORDER BY …) after the FROM/WHERE/GROUP BY clauses`,
    });
  }
  return def.spec;
}

function bindFrame(frame: WindowFrame | undefined, ctx: BinderContext, call: FunctionCall): OverFrame {
  if (frame === undefined) return { unit: 'RANGE', preceding: null };
  const end = frame.end ?? { kind: 'CurrentRow' as const };
  if (end.kind !== 'CurrentRow') {
    throw unsupported('PLAN.UNSUPPORTED_OVER_FRAME', 'OVER windows must end at CURRENT ROW (FOLLOWING rows are not supported in streaming)', { span: call.span });
  }
  const start = frame.start;
  switch (start.kind) {
    case 'UnboundedPreceding':
      return { unit: frame.unit, preceding: null };
    case 'CurrentRow':
      return { unit: frame.unit, preceding: 0 };
    case 'Preceding':
      return { unit: frame.unit, preceding: frameOffset(frame.unit, start.offset, ctx) };
    default:
      throw unsupported('PLAN.UNSUPPORTED_OVER_FRAME', 'OVER windows must start at UNBOUNDED PRECEDING, n PRECEDING or CURRENT ROW', { span: call.span });
  }
}

function frameOffset(unit: 'ROWS' | 'RANGE', e: Expr, ctx: BinderContext): number {
  const ir = new ExprBinder(Scope.empty(), ctx, 'window argument').bind(e);
  let v: unknown;
  try {
    v = evaluateConstant(ir);
  } catch {
    v = undefined;
  }
  if (unit === 'ROWS') {
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || (ir.type.kind !== 'INT' && ir.type.kind !== 'BIGINT' && ir.type.kind !== 'SMALLINT' && ir.type.kind !== 'TINYINT')) {
      throw userError('PLAN.BAD_OVER_FRAME', `ROWS n PRECEDING needs a non-negative integer constant, got ${formatType(ir.type)}`, { span: e.span });
    }
    return n;
  }
  if (ir.type.kind !== 'INTERVAL_DAY_TIME' || typeof v !== 'number' || v < 0) {
    throw userError('PLAN.BAD_OVER_FRAME', `RANGE … PRECEDING needs a non-negative day-time INTERVAL constant (e.g. INTERVAL '10' SECOND), got ${formatType(ir.type)}`, { span: e.span });
  }
  return v;
}
