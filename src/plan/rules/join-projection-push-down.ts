/**
 * Column pruning below joins (Flink's ProjectJoinTransposeRule): for `Calc(Join)`, each join input keeps
 * only the columns the Calc or the join condition read, so join state holds no unused columns (nexmark q3
 * joins 10-column auctions with 8-column persons to output 4 columns).
 */
import type { ExprIR } from '../../expr/index.js';
import { inputIndices, inputRef, remapInputs } from '../ir-utils.js';
import type { CalcNode, JoinNode, LogicalNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

function project(input: LogicalNode, keep: readonly number[]): CalcNode {
  return {
    kind: 'Calc',
    input,
    projection: keep.map((i) => inputRef(i, input.rowType.fields[i]!.type)),
    condition: null,
    rowType: { fields: keep.map((i) => input.rowType.fields[i]!) },
  };
}

export const joinProjectionPushDownRule: Rule = {
  name: 'JoinProjectionPushDown',
  apply(node: LogicalNode): RuleResult {
    if (node.kind !== 'Calc' || node.input.kind !== 'Join') return unchanged(node);
    const join = node.input;
    const width = join.left.rowType.fields.length;
    // SEMI/ANTI joins output only the left columns, but their condition reads the right ones too.
    const leftOnly = join.joinType === 'SEMI' || join.joinType === 'ANTI';
    const total = width + join.right.rowType.fields.length;
    const used = new Set<number>();
    for (const p of node.projection) inputIndices(p, used);
    if (node.condition) inputIndices(node.condition, used);
    if (join.condition) inputIndices(join.condition, used);
    if (join.snapshot) {
      // A temporal or lookup join reads the AS OF column, and the versioned side's primary key and rowtime
      // even when nothing else does: its right side (a table, not a stream to thin) is kept whole.
      used.add(join.snapshot.timeIndex);
      join.right.rowType.fields.forEach((_, i) => used.add(width + i));
    }
    if (used.size === total) return unchanged(node);
    const sorted = [...used].sort((a, b) => a - b);
    const keepLeft = sorted.filter((i) => i < width);
    const keepRight = sorted.filter((i) => i >= width).map((i) => i - width);
    // A side with no column read still needs one to exist per row; keep its first column.
    if (keepLeft.length === 0) keepLeft.push(0);
    if (keepRight.length === 0) keepRight.push(0);
    if (keepLeft.length === width && keepRight.length === total - width) return unchanged(node);
    const position = new Map<number, number>();
    keepLeft.forEach((i, j) => position.set(i, j));
    keepRight.forEach((i, j) => position.set(i + width, keepLeft.length + j));
    const map = (i: number): number => position.get(i)!;
    const left = keepLeft.length === width ? join.left : project(join.left, keepLeft);
    const right = keepRight.length === total - width ? join.right : project(join.right, keepRight);
    const newJoin: JoinNode = {
      ...join,
      left,
      right,
      condition: join.condition ? remapInputs(join.condition, map) : null,
      rowType: {
        fields: leftOnly
          ? keepLeft.map((i) => join.rowType.fields[i]!)
          : [...keepLeft, ...keepRight.map((i) => i + width)].map((i) => join.rowType.fields[i]!),
      },
      ...(join.snapshot ? { snapshot: { ...join.snapshot, timeIndex: map(join.snapshot.timeIndex) } } : {}),
    };
    const projection: ExprIR[] = node.projection.map((p) => remapInputs(p, map));
    return changedTo({ ...node, input: newJoin, projection, condition: node.condition ? remapInputs(node.condition, map) : null });
  },
};
