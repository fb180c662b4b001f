/**
 * Projection and filter push-down into a source scan (Flink's PushProjectIntoTableSourceScanRule and
 * PushFilterIntoTableSourceScanRule): for `Calc(Scan)`, the Calc's condition becomes (part of) the scan's
 * `filter`, and the scan's projection shrinks to the columns the Calc reads. The Calc disappears when it
 * only selected columns.
 *
 * Invariant: the scan's filter and projection are over the extended row (physical then computed columns),
 * so references through the old projection are renumbered to extended positions.
 */
import type { ExprIR } from '../../expr/index.js';
import { andAll, inputIndices, isDeterministic, isIdentityProjection, remapInputs } from '../ir-utils.js';
import type { LogicalNode, ScanNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

export const scanPushDownRule: Rule = {
  name: 'ScanPushDown',
  apply(node: LogicalNode): RuleResult {
    if (node.kind !== 'Calc' || node.input.kind !== 'Scan') return unchanged(node);
    const scan = node.input;
    const toExtended = (i: number): number => scan.projection[i]!;
    let filter = scan.filter;
    let residual: ExprIR | null = null;
    if (node.condition) {
      // Non-deterministic predicates stay in the Calc: the scan must not change how often they run.
      if (isDeterministic(node.condition)) filter = andAll([...(filter ? [filter] : []), remapInputs(node.condition, toExtended)]);
      else residual = node.condition;
    }
    const used = new Set<number>();
    for (const p of node.projection) inputIndices(p, used);
    if (residual) inputIndices(residual, used);
    const newProjection = [...used].map(toExtended).sort((a, b) => a - b);
    const position = new Map(newProjection.map((e, i) => [e, i]));
    const mapInput = (i: number): number => position.get(toExtended(i))!;
    const newScan: ScanNode = {
      kind: 'Scan',
      table: scan.table,
      projection: newProjection,
      filter,
      rowType: { fields: newProjection.map((e) => scan.table.extendedType.fields[e]!) },
    };
    const projection = node.projection.map((p) => remapInputs(p, mapInput));
    const condition = residual ? remapInputs(residual, mapInput) : null;
    const sameOutput =
      condition === null &&
      isIdentityProjection(projection, newProjection.length) &&
      node.rowType.fields.every((f, i) => f.name === newScan.rowType.fields[i]!.name && JSON.stringify(f.type) === JSON.stringify(newScan.rowType.fields[i]!.type));
    if (sameOutput) return changedTo(newScan);
    if (sameProjection(scan.projection, newProjection) && filter === scan.filter) return unchanged(node);
    return changedTo({ kind: 'Calc', input: newScan, projection, condition, rowType: node.rowType });
  },
};

function sameProjection(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
