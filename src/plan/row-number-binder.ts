/**
 * Binds `ROW_NUMBER() OVER (PARTITION BY … ORDER BY …)` in a SELECT list or QUALIFY into a `Rank` node
 * that appends the row number to the input rows (open range). The rank-range rule later narrows the range
 * from a filter on the number (Flink's Top-N pattern); a row number that no filter bounds stays
 * unexecutable and the physical planner reports it as unsupported.
 *
 * Only ROW_NUMBER is taken here, and only one window per SELECT; every other `OVER` call is left for the
 * expression binder, which reports PLAN.UNSUPPORTED_OVER.
 */
import { unsupported, userError } from '../common/index.js';
import type { ExprIR } from '../expr/index.js';
import type { Expr, FunctionCall } from '../sql/index.js';
import type { SortField } from '../spec/index.js';
import { Types } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { inputRef } from './ir-utils.js';
import type { LogicalNode, RankNode } from './logical-plan.js';
import type { Scope } from './scope.js';

/** Flink's name for an unnamed OVER result column. */
const DEFAULT_RANK_COLUMN = 'w0$o0';

function isRowNumber(e: Expr): e is FunctionCall {
  return e.kind === 'FunctionCall' && e.over !== undefined && e.name.parts.length === 1 && e.name.parts[0]!.value.toUpperCase() === 'ROW_NUMBER';
}

/**
 * The ROW_NUMBER() OVER calls of `exprs`: the expressions themselves or operands of comparisons, NOT,
 * AND/OR and BETWEEN under them (where a Top-N filter or a selected row number puts them).
 */
export function findRowNumberCalls(exprs: readonly (Expr | undefined)[]): FunctionCall[] {
  const out: FunctionCall[] = [];
  const visit = (e: Expr): void => {
    if (isRowNumber(e)) out.push(e);
    else if (e.kind === 'Binary') {
      visit(e.left);
      visit(e.right);
    } else if (e.kind === 'Unary') visit(e.operand);
    else if (e.kind === 'Between') {
      visit(e.operand);
      visit(e.low);
      visit(e.high);
    }
  };
  for (const e of exprs) if (e !== undefined) visit(e);
  return out;
}

export interface BoundRowNumber {
  readonly node: RankNode;
  /** Each call → the row-number column of `node`. */
  readonly overRefs: ReadonlyMap<FunctionCall, ExprIR>;
}

/** Binds the calls (all the same window) over `input` (whose columns `scope` names). */
export function bindRowNumber(input: LogicalNode, scope: Scope, calls: readonly FunctionCall[], ctx: BinderContext, rankName: string | null): BoundRowNumber {
  const binder = new ExprBinder(scope, ctx, 'SELECT');
  let digest: string | null = null;
  let partitionKeys: number[] = [];
  let orderBy: SortField[] = [];
  for (const call of calls) {
    const over = call.over!;
    if (over.name !== undefined && over.partitionBy.length === 0 && over.orderBy.length === 0) {
      throw unsupported('PLAN.UNSUPPORTED_OVER', `named windows (ROW_NUMBER() OVER ${over.name.value}) are not supported yet; write the window inline`, { span: over.span });
    }
    if (call.args.length > 0 || call.star || call.distinct) {
      throw userError('PLAN.BAD_ROW_NUMBER', 'ROW_NUMBER() takes no arguments', { span: call.span });
    }
    if (over.frame !== undefined) {
      throw userError('PLAN.BAD_ROW_NUMBER', 'ROW_NUMBER() does not take a window frame (ROWS/RANGE …)', { span: over.span });
    }
    if (over.orderBy.length === 0) {
      throw userError('PLAN.BAD_ROW_NUMBER', 'ROW_NUMBER() OVER (…) needs an ORDER BY', { span: over.span });
    }
    const column = (e: Expr, what: string): number => {
      const ir = binder.bind(e);
      if (ir.kind !== 'input') {
        throw unsupported('PLAN.UNSUPPORTED_OVER', `ROW_NUMBER() ${what} must be a column, not an expression`, {
          span: e.span,
          help: 'compute the expression in a subquery and refer to its column',
        });
      }
      return ir.index;
    };
    const keys = over.partitionBy.map((e) => column(e, 'PARTITION BY'));
    // Flink's default NULL collation is LOW: NULLS FIRST for ASC, NULLS LAST for DESC.
    const order = over.orderBy.map((o) => ({ index: column(o.expr, 'ORDER BY'), descending: o.descending, nullsFirst: o.nullsFirst ?? !o.descending }));
    const d = JSON.stringify([keys, order]);
    if (digest === null) {
      digest = d;
      partitionKeys = keys;
      orderBy = order;
    } else if (d !== digest) {
      throw unsupported('PLAN.UNSUPPORTED_OVER', 'only one ROW_NUMBER() window per SELECT is supported; these two differ', { span: call.span });
    }
  }
  const width = input.rowType.fields.length;
  const node: RankNode = {
    kind: 'Rank',
    input,
    partitionKeys,
    orderBy,
    rankStart: 1,
    rankEnd: null,
    outputRankNumber: true,
    rowType: { fields: [...input.rowType.fields, { name: rankName ?? DEFAULT_RANK_COLUMN, type: Types.bigint(false) }] },
  };
  const ref = inputRef(width, Types.bigint(false));
  return { node, overRefs: new Map(calls.map((c) => [c, ref])) };
}
