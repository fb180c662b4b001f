/**
 * Calc merging (Flink's FlinkCalcMergeRule): `Calc(Calc(x))` becomes one Calc by inlining the lower
 * projection into the upper one; conditions are AND-ed (the lower one first, so rows it drops are never
 * evaluated by the upper one's expressions). Skipped when the upper Calc reads a non-deterministic lower
 * expression more than once, which inlining would evaluate several times with different results.
 * Also removes a Calc that changes nothing (identity projection, same types, no condition).
 */
import { andAll, forEachNode, isDeterministic, isIdentityProjection, substituteInputs } from '../ir-utils.js';
import type { CalcNode, LogicalNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';
import { formatType } from '../../types/index.js';

export const calcMergeRule: Rule = {
  name: 'CalcMerge',
  apply(node: LogicalNode): RuleResult {
    if (node.kind !== 'Calc') return unchanged(node);
    if (isNoOp(node)) return changedTo(node.input);
    const lower = node.input;
    if (lower.kind !== 'Calc') return unchanged(node);
    // A non-deterministic lower expression (PROCTIME(), RAND()) may be inlined only where it is read once.
    const uses = new Map<number, number>();
    for (const e of [...node.projection, ...(node.condition ? [node.condition] : [])]) {
      forEachNode(e, (n) => {
        if (n.kind === 'input') uses.set(n.index, (uses.get(n.index) ?? 0) + 1);
      });
    }
    for (const [i, count] of uses) if (count > 1 && !isDeterministic(lower.projection[i]!)) return unchanged(node);
    const projection = node.projection.map((p) => substituteInputs(p, lower.projection));
    const condition = andAll([...(lower.condition ? [lower.condition] : []), ...(node.condition ? [substituteInputs(node.condition, lower.projection)] : [])]);
    return changedTo({ kind: 'Calc', input: lower.input, projection, condition, rowType: node.rowType });
  },
};

function isNoOp(calc: CalcNode): boolean {
  if (calc.condition !== null) return false;
  if (!isIdentityProjection(calc.projection, calc.input.rowType.fields.length)) return false;
  return calc.rowType.fields.every((f, i) => formatType(f.type) === formatType(calc.input.rowType.fields[i]!.type));
}
