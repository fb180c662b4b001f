/**
 * Filter push-down around inner joins (Flink's FlinkFilterJoinRule): for `Calc(condition)` over an INNER
 * join, and for the join's own condition, each conjunct that reads only left columns becomes a filter on
 * the left input, only right columns a filter on the right input, and the rest join the join condition
 * (that is how `FROM a, b WHERE a.x = b.y` becomes an equi-join). Outer joins are left alone: pushing a
 * predicate below the NULL-padded side would change results.
 */
import type { ExprIR } from '../../expr/index.js';
import { andAll, conjuncts, inputIndices, isDeterministic, remapInputs } from '../ir-utils.js';
import type { CalcNode, JoinNode, LogicalNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

function filterOn(input: LogicalNode, preds: readonly ExprIR[]): LogicalNode {
  const condition = andAll(preds);
  if (condition === null) return input;
  const projection = input.rowType.fields.map((f, i): ExprIR => ({ kind: 'input', index: i, type: f.type }));
  return { kind: 'Calc', input, projection, condition, rowType: input.rowType } satisfies CalcNode;
}

/** Splits predicates over the join row into (left-only, right-only, both/none). */
function split(join: JoinNode, preds: readonly ExprIR[]): { left: ExprIR[]; right: ExprIR[]; keep: ExprIR[] } {
  const width = join.left.rowType.fields.length;
  const left: ExprIR[] = [];
  const right: ExprIR[] = [];
  const keep: ExprIR[] = [];
  for (const p of preds) {
    const refs = [...inputIndices(p)];
    if (!isDeterministic(p) || refs.length === 0) keep.push(p);
    else if (refs.every((i) => i < width)) left.push(p);
    else if (refs.every((i) => i >= width)) right.push(remapInputs(p, (i) => i - width));
    else keep.push(p);
  }
  return { left, right, keep };
}

export const joinFilterPushDownRule: Rule = {
  name: 'JoinFilterPushDown',
  apply(node: LogicalNode): RuleResult {
    if (node.kind === 'Calc' && node.condition && node.input.kind === 'Join' && node.input.joinType === 'INNER') {
      const join = node.input;
      // The Calc's input row is the join's row, so its conjuncts can move into the join condition as-is.
      const movable = conjuncts(node.condition).filter(isDeterministic);
      if (movable.length === 0) return unchanged(node);
      const stay = conjuncts(node.condition).filter((c) => !isDeterministic(c));
      const newJoin: JoinNode = { ...join, condition: andAll([...conjuncts(join.condition), ...movable]) };
      return changedTo({ ...node, input: newJoin, condition: andAll(stay) });
    }
    if (node.kind === 'Join' && node.joinType === 'INNER' && node.condition) {
      const { left, right, keep } = split(node, conjuncts(node.condition));
      if (left.length === 0 && right.length === 0) return unchanged(node);
      return changedTo({ ...node, left: filterOn(node.left, left), right: filterOn(node.right, right), condition: andAll(keep) });
    }
    return unchanged(node);
  },
};
