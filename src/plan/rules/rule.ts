/**
 * A rewrite rule looks at one node (whose inputs are already rewritten) and returns the node to use instead,
 * with `changed` telling the optimizer whether to keep iterating (DataFusion's `Transformed`).
 */
import type { LogicalNode } from '../logical-plan.js';

export interface RuleResult {
  readonly node: LogicalNode;
  readonly changed: boolean;
}

export interface Rule {
  readonly name: string;
  apply(node: LogicalNode): RuleResult;
}

export const unchanged = (node: LogicalNode): RuleResult => ({ node, changed: false });
export const changedTo = (node: LogicalNode): RuleResult => ({ node, changed: true });
