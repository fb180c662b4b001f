/**
 * Constant folding (Flink's ReduceExpressionsRule): a deterministic call or cast whose arguments are all
 * literals is evaluated once at planning time with the runtime's own kernels (`evaluateConstant`) and
 * replaced by a literal. A call that fails (e.g. a bad cast) is left for run time, where the error is
 * raised with row context. `x AND TRUE` / `TRUE AND x` simplify to `x`; a Calc whose condition folds to
 * TRUE drops it.
 */
import { encodeLiteral, evaluateConstant, isDeterministicFunction } from '../../expr/index.js';
import type { ExprIR } from '../../expr/index.js';
import { withNullable } from '../../types/index.js';
import { NON_DETERMINISTIC, mapExpr } from '../ir-utils.js';
import type { LogicalNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

/** Functions that must not be folded although they look constant (they read time or randomness). */
function foldable(e: ExprIR): boolean {
  if (e.kind === 'call') return !NON_DETERMINISTIC.has(e.fn) && isDeterministicFunction(e.fn) && e.args.every((a) => a.kind === 'literal');
  if (e.kind === 'cast') return e.arg.kind === 'literal';
  if (e.kind === 'case') return e.branches.every((b) => b.when.kind === 'literal' && b.then.kind === 'literal') && (e.else === null || e.else.kind === 'literal');
  return false;
}

export function foldExpr(e: ExprIR): ExprIR {
  return mapExpr(e, (n) => {
    if (n.kind === 'call' && n.fn === 'AND' && n.args.length === 2) {
      const [a, b] = n.args as [ExprIR, ExprIR];
      if (a.kind === 'literal' && a.value === true) return b;
      if (b.kind === 'literal' && b.value === true) return a;
    }
    if (!foldable(n)) return n;
    try {
      const value = evaluateConstant(n);
      const type = withNullable(n.type, value === null);
      return { kind: 'literal', value: encodeLiteral(value, type), type };
    } catch {
      return n;
    }
  });
}

function changedExpr(before: ExprIR | null, after: ExprIR | null): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

export const constantFoldingRule: Rule = {
  name: 'ConstantFolding',
  apply(node: LogicalNode): RuleResult {
    if (node.kind === 'Calc') {
      const projection = node.projection.map(foldExpr);
      let condition = node.condition ? foldExpr(node.condition) : null;
      if (condition?.kind === 'literal' && condition.value === true) condition = null;
      const changed = changedExpr(condition, node.condition) || projection.some((p, i) => changedExpr(p, node.projection[i]!));
      if (!changed) return unchanged(node);
      // Keep the declared row type: folding never changes a value's type, only (possibly) nullability.
      return changedTo({ ...node, projection, condition });
    }
    if (node.kind === 'Scan' && node.filter) {
      let filter: ExprIR | null = foldExpr(node.filter);
      if (filter.kind === 'literal' && filter.value === true) filter = null;
      return changedExpr(filter, node.filter) ? changedTo({ ...node, filter }) : unchanged(node);
    }
    if (node.kind === 'Join' && node.condition) {
      let condition: ExprIR | null = foldExpr(node.condition);
      if (condition.kind === 'literal' && condition.value === true) condition = null;
      return changedExpr(condition, node.condition) ? changedTo({ ...node, condition }) : unchanged(node);
    }
    return unchanged(node);
  },
};
