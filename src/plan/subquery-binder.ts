/**
 * `[NOT] IN (SELECT …)` and `[NOT] EXISTS (SELECT …)` as top-level conjuncts of a WHERE clause become
 * SEMI and ANTI joins of the query's input with the subquery (Flink's SubQueryRemoveRule rewrites them
 * the same way), so they run on the regular join operator.
 *
 * - A subquery of the simple form `SELECT … FROM … [WHERE …]` may be correlated: its WHERE can read
 *   columns of the outer query (names resolve in the subquery first, then outside). Its conjuncts that
 *   read only the subquery's columns filter the subquery; the others (the correlation) become the join
 *   condition, which needs at least one equality between an outer and an inner column to run.
 * - `x IN (subquery)` adds `x = <the subquery's one column>` to the condition; `NOT IN` is an ANTI join
 *   with the same equality, which is SQL's three-valued NOT IN only when neither side can be NULL (a NULL
 *   would make the predicate UNKNOWN for every row), so nullable NOT IN is rejected with a pointer to
 *   NOT EXISTS.
 * Subqueries elsewhere (under OR, in SELECT, scalar subqueries) stay unsupported with a clear error.
 */
import { FloeError, unsupported, userError, type SourceSpan } from '../common/index.js';
import { leastRestrictiveType, type ExprIR } from '../expr/index.js';
import type { Expr, Identifier, Query, Select } from '../sql/index.js';
import { formatType } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { andAll, conjuncts, inputIndices, inputRef, remapInputs } from './ir-utils.js';
import type { JoinNode, LogicalNode } from './logical-plan.js';
import { bindQuery, bindTableRef, identityProjection, makeCalc } from './query-binder.js';
import { Scope } from './scope.js';

/** A subquery predicate taken out of a WHERE clause. */
export interface SubqueryPredicate {
  readonly kind: 'IN' | 'EXISTS';
  readonly negated: boolean;
  /** The IN operand (outer side). */
  readonly operand?: Expr;
  readonly query: Query;
  readonly span: SourceSpan;
}

/** Splits a WHERE clause into its subquery conjuncts and the rest (null when nothing is left). */
export function splitSubqueryPredicates(where: Expr): { rest: Expr | null; subqueries: SubqueryPredicate[] } {
  const subqueries: SubqueryPredicate[] = [];
  const kept: Expr[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'Binary' && e.op === 'AND') {
      visit(e.left);
      visit(e.right);
      return;
    }
    const negatedBy = e.kind === 'Unary' && e.op === 'NOT' ? e.operand : null;
    const inner = negatedBy ?? e;
    if (inner.kind === 'Exists') {
      subqueries.push({ kind: 'EXISTS', negated: negatedBy !== null, query: inner.query, span: e.span });
    } else if (inner.kind === 'In' && inner.query !== undefined) {
      subqueries.push({ kind: 'IN', negated: inner.negated !== (negatedBy !== null), operand: inner.operand, query: inner.query, span: e.span });
    } else kept.push(e);
  };
  visit(where);
  let rest: Expr | null = null;
  for (const k of kept) rest = rest === null ? k : { kind: 'Binary', op: 'AND', left: rest, right: k, span: k.span };
  return { rest, subqueries };
}

/** Applies the subquery predicates to `input` (whose columns `scope` names) as SEMI/ANTI joins. */
export function bindSubqueryPredicates(input: LogicalNode, scope: Scope, subqueries: readonly SubqueryPredicate[], ctx: BinderContext): LogicalNode {
  let node = input;
  for (const sq of subqueries) node = bindOne(node, scope, sq, ctx);
  return node;
}

function isSimpleSelect(q: Query): q is Select & { from: NonNullable<Select['from']> } {
  return (
    q.kind === 'Select' &&
    q.from !== undefined &&
    !q.distinct &&
    q.groupBy.length === 0 &&
    q.having === undefined &&
    q.qualify === undefined &&
    q.windows.length === 0 &&
    q.orderBy.length === 0 &&
    q.limit === undefined &&
    q.offset === undefined
  );
}

function bindOne(outer: LogicalNode, outerScope: Scope, sq: SubqueryPredicate, ctx: BinderContext): LogicalNode {
  const ow = outer.rowType.fields.length;
  const what = sq.kind === 'IN' ? `${sq.negated ? 'NOT ' : ''}IN (SELECT …)` : `${sq.negated ? 'NOT ' : ''}EXISTS (SELECT …)`;
  let inner: LogicalNode;
  const condition: ExprIR[] = [];
  let innerColumn: ExprIR | null = null;
  if (isSimpleSelect(sq.query)) {
    // Possibly correlated: bind FROM alone, then WHERE (and the IN column) with the outer columns visible.
    const from = bindTableRef(sq.query.from, ctx);
    const scope = new CorrelatedScope(Scope.concat(Scope.empty(), from.scope, ow), outerScope);
    const binder = new ExprBinder(scope, ctx, 'WHERE');
    const filters: ExprIR[] = [];
    if (sq.query.where) {
      for (const c of conjuncts(binder.bindCondition(sq.query.where))) {
        const refs = [...inputIndices(c)];
        if (refs.length > 0 && refs.every((i) => i >= ow)) filters.push(remapInputs(c, (i) => i - ow));
        else condition.push(c);
      }
    }
    inner = filters.length === 0 ? from.node : makeCalc(from.node, identityProjection(from.node.rowType), from.node.rowType.fields.map((f) => f.name), andAll(filters));
    if (sq.kind === 'IN') {
      const items = sq.query.items;
      if (items.length !== 1 || items[0]!.expr.kind === 'Star') {
        throw userError('PLAN.SUBQUERY_COLUMNS', `the subquery of ${what} must select exactly one column`, { span: sq.span });
      }
      innerColumn = binder.bind(items[0]!.expr);
      if ([...inputIndices(innerColumn)].some((i) => i < ow)) {
        throw unsupported('PLAN.UNSUPPORTED_SUBQUERY', `the selected column of an ${what} subquery must not read the outer query`, { span: items[0]!.span });
      }
    }
  } else {
    if (sq.kind === 'EXISTS') {
      throw unsupported('PLAN.UNSUPPORTED_SUBQUERY', `${what} is supported for subqueries of the form SELECT … FROM … [WHERE …] (no GROUP BY, DISTINCT, ORDER BY or LIMIT)`, { span: sq.span });
    }
    inner = bindQuery(sq.query, ctx);
    if (inner.rowType.fields.length !== 1) {
      throw userError('PLAN.SUBQUERY_COLUMNS', `the subquery of ${what} must return exactly one column, not ${inner.rowType.fields.length}`, { span: sq.span });
    }
    innerColumn = inputRef(ow, inner.rowType.fields[0]!.type);
  }
  if (sq.kind === 'IN') {
    const x = new ExprBinder(outerScope, ctx, 'WHERE').bind(sq.operand!);
    const y = innerColumn!;
    if (leastRestrictiveType([x.type, y.type]) === null) {
      throw userError('PLAN.TYPE_MISMATCH', `${what}: cannot compare ${formatType(x.type)} with the subquery's ${formatType(y.type)}`, { span: sq.span });
    }
    if (sq.negated && (x.type.nullable || y.type.nullable)) {
      throw unsupported('PLAN.UNSUPPORTED_SUBQUERY', `NOT IN (SELECT …) over nullable values is not supported: a NULL on either side makes NOT IN unknown for every row`, {
        span: sq.span,
        help: 'write NOT EXISTS (SELECT … WHERE inner.col = outer.col), or filter NULLs out on both sides (… IS NOT NULL)',
      });
    }
    condition.push({ kind: 'call', fn: '=', args: [x, y], type: { kind: 'BOOLEAN', nullable: x.type.nullable || y.type.nullable } });
  }
  const join: JoinNode = { kind: 'Join', left: outer, right: inner, joinType: sq.negated ? 'ANTI' : 'SEMI', condition: andAll(condition), rowType: outer.rowType };
  return join;
}

/**
 * The scope of a correlated subquery's WHERE: names resolve among the subquery's own tables first (its
 * columns follow the outer row's), then among the outer query's.
 */
class CorrelatedScope extends Scope {
  constructor(
    private readonly inner: Scope,
    private readonly outer: Scope,
  ) {
    super([...outer.tables, ...inner.tables]);
  }

  override resolve(parts: readonly Identifier[], span: SourceSpan): ExprIR {
    try {
      return this.inner.resolve(parts, span);
    } catch (e) {
      if (!(e instanceof FloeError) || e.code !== 'PLAN.UNKNOWN_COLUMN') throw e;
      try {
        return this.outer.resolve(parts, span);
      } catch {
        // Report the subquery's own error: it names what the subquery has.
        throw e;
      }
    }
  }
}
