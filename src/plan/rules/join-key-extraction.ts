/**
 * Equi-join keys that are expressions (Flink pushes them into the join's inputs): for a conjunct
 * `f(left) = g(right)` where either side is not a plain column (e.g. `a.id + 1 = b.id`, or an implicit cast
 * `a.int_col = b.bigint_col`, whose sides are first cast to their common type), the left input gets `f(left)` appended as a column and the
 * right input `g(right)`, the conjunct becomes a column equality the physical join hashes on, and a Calc on
 * top drops the helper columns again.
 *
 * Invariant: only conjuncts of INNER joins and of the ON condition of outer joins are rewritten; the
 * join's visible output (columns, names, types) is unchanged.
 */
import type { ExprIR } from '../../expr/index.js';
import { leastRestrictiveType } from '../../expr/index.js';
import { andAll, castIfNeeded, conjuncts, exprDigest, inputIndices, inputRef, isDeterministic, remapInputs } from '../ir-utils.js';
import type { CalcNode, JoinNode, LogicalNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

function sideOf(e: ExprIR, width: number): 'left' | 'right' | null {
  const refs = [...inputIndices(e)];
  if (refs.length === 0) return null;
  if (refs.every((i) => i < width)) return 'left';
  if (refs.every((i) => i >= width)) return 'right';
  return null;
}

function appendColumns(input: LogicalNode, extra: readonly ExprIR[], prefix: string): CalcNode {
  const base = input.rowType.fields.map((f, i) => inputRef(i, f.type));
  return {
    kind: 'Calc',
    input,
    projection: [...base, ...extra],
    condition: null,
    rowType: { fields: [...input.rowType.fields, ...extra.map((e, i) => ({ name: `${prefix}${i}`, type: e.type }))] },
  };
}

export const joinKeyExtractionRule: Rule = {
  name: 'JoinKeyExtraction',
  apply(node: LogicalNode): RuleResult {
    if (node.kind !== 'Join' || node.condition === null) return unchanged(node);
    const width = node.left.rowType.fields.length;
    const rightWidth = node.right.rowType.fields.length;
    const leftExtra: ExprIR[] = [];
    const rightExtra: ExprIR[] = [];
    const pairs: [ExprIR, ExprIR][] = [];
    const rest: ExprIR[] = [];
    for (const c of conjuncts(node.condition)) {
      if (c.kind === 'call' && c.fn === '=' && c.args.length === 2 && isDeterministic(c)) {
        const [a, b] = c.args as [ExprIR, ExprIR];
        const sa = sideOf(a, width);
        const sb = sideOf(b, width);
        const common = leastRestrictiveType([a.type, b.type]);
        if (sa !== null && sb !== null && sa !== sb && common !== null) {
          // Hash keys must hold values of one type on both sides (INT 1 and BIGINT 1 must meet).
          const ca = castIfNeeded(a, common);
          const cb = castIfNeeded(b, common);
          if (ca.kind !== 'input' || cb.kind !== 'input') {
            const [l, r] = sa === 'left' ? [ca, cb] : [cb, ca];
            pairs.push([l, remapInputs(r, (i) => i - width)]);
            continue;
          }
        }
      }
      rest.push(c);
    }
    if (pairs.length === 0) return unchanged(node);
    // Plain references stay plain; only computed keys become helper columns.
    const helper = (extra: ExprIR[], base: number) => (e: ExprIR): ExprIR => {
      if (e.kind === 'input') return e;
      let i = extra.findIndex((x) => exprDigest(x) === exprDigest(e));
      if (i < 0) i = extra.push(e) - 1;
      return inputRef(base + i, e.type);
    };
    const leftKey = helper(leftExtra, width);
    const rightKey = helper(rightExtra, rightWidth);
    const keyPairs = pairs.map(([l, r]) => [leftKey(l), rightKey(r)] as const);
    const newLeftWidth = width + leftExtra.length;
    // Old right columns move past the left helper columns.
    const shiftOld = (i: number): number => (i < width ? i : i + leftExtra.length);
    const condition = andAll([
      ...rest.map((c) => remapInputs(c, shiftOld)),
      ...keyPairs.map(
        ([l, r]): ExprIR => ({
          kind: 'call',
          fn: '=',
          args: [l, remapInputs(r, (i) => i + newLeftWidth)],
          type: { kind: 'BOOLEAN', nullable: l.type.nullable || r.type.nullable },
        }),
      ),
    ]);
    const left = leftExtra.length > 0 ? appendColumns(node.left, leftExtra, '$kl') : node.left;
    const right = rightExtra.length > 0 ? appendColumns(node.right, rightExtra, '$kr') : node.right;
    const padL = node.joinType === 'RIGHT' || node.joinType === 'FULL';
    const padR = node.joinType === 'LEFT' || node.joinType === 'FULL';
    const side = (fields: LogicalNode['rowType']['fields'], pad: boolean) =>
      fields.map((f) => ({ name: f.name, type: pad && f.type.kind !== 'NULL' ? { ...f.type, nullable: true } : f.type }) as (typeof fields)[number]);
    const join: JoinNode = {
      kind: 'Join',
      left,
      right,
      joinType: node.joinType,
      condition,
      // SEMI/ANTI joins output the (extended) left row only.
      rowType:
        node.joinType === 'SEMI' || node.joinType === 'ANTI'
          ? { fields: [...node.rowType.fields, ...left.rowType.fields.slice(width)] }
          : { fields: [...node.rowType.fields.slice(0, width), ...side(left.rowType.fields.slice(width), padL), ...node.rowType.fields.slice(width), ...side(right.rowType.fields.slice(rightWidth), padR)] },
      // Helper columns are appended after the left columns, so the AS OF column keeps its index.
      ...(node.snapshot ? { snapshot: node.snapshot } : {}),
      ...(node.stateTtl ? { stateTtl: node.stateTtl } : {}),
    };
    const projection = node.rowType.fields.map((f, i) => inputRef(shiftOld(i), join.rowType.fields[shiftOld(i)]!.type));
    return changedTo({ kind: 'Calc', input: join, projection, condition: null, rowType: node.rowType });
  },
};
