/**
 * Applies the rewrite rules bottom-up until none changes the plan (or an iteration cap, which would mean
 * two rules undo each other — a bug, reported as such).
 */
import { internalError } from '../common/index.js';
import { inputsOf, withInputs, type LogicalNode } from './logical-plan.js';
import { calcMergeRule } from './rules/calc-merge.js';
import { constantFoldingRule } from './rules/constant-folding.js';
import { joinFilterPushDownRule } from './rules/join-filter-push-down.js';
import { joinKeyExtractionRule } from './rules/join-key-extraction.js';
import { joinProjectionPushDownRule } from './rules/join-projection-push-down.js';
import { rankRangeRule } from './rules/rank-range.js';
import type { Rule } from './rules/rule.js';
import { scanPushDownRule } from './rules/scan-push-down.js';
import { windowAggregateRule } from './rules/window-aggregate.js';

export const DEFAULT_RULES: readonly Rule[] = [
  constantFoldingRule,
  joinFilterPushDownRule,
  joinKeyExtractionRule,
  joinProjectionPushDownRule,
  windowAggregateRule,
  rankRangeRule,
  calcMergeRule,
  scanPushDownRule,
];

const MAX_PASSES = 100;

export function optimize(root: LogicalNode, rules: readonly Rule[] = DEFAULT_RULES): LogicalNode {
  let node = root;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { node: next, changed } = rewrite(node, rules);
    node = next;
    if (!changed) return node;
  }
  throw internalError(`the optimizer did not converge after ${MAX_PASSES} passes`);
}

function rewrite(node: LogicalNode, rules: readonly Rule[]): { node: LogicalNode; changed: boolean } {
  let changed = false;
  const inputs = inputsOf(node).map((i) => {
    const r = rewrite(i, rules);
    changed ||= r.changed;
    return r.node;
  });
  let cur = withInputs(node, inputs);
  for (const rule of rules) {
    const r = rule.apply(cur);
    if (r.changed) {
      changed = true;
      cur = r.node;
    }
  }
  return { node: cur, changed };
}
