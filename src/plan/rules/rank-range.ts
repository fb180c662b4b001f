/**
 * Top-N recognition (Flink's FlinkLogicalRankRule): a Calc whose condition bounds the row number of an
 * open-range Rank below it — `rn <= N`, `rn < N`, `rn = N`, `rn >= M`, `rn > M`, `rn BETWEEN M AND N`
 * (bound as `rn >= M AND rn <= N`), constants on either side — moves those conjuncts into the Rank's
 * range. When nothing above reads the number any more, the Rank stops outputting it (Flink: the output
 * has no rank column and is smaller; it is also what makes `rn = 1` over a time attribute a Deduplicate).
 *
 * A filter that leaves no upper bound does not make a Top-N; the Rank stays open and the physical planner
 * reports it as unsupported.
 */
import { evaluateConstant } from '../../expr/index.js';
import type { ExprIR } from '../../expr/index.js';
import { andAll, conjuncts, inputIndices, inputRef, remapInputs } from '../ir-utils.js';
import type { CalcNode, LogicalNode, RankNode } from '../logical-plan.js';
import { changedTo, unchanged, type Rule, type RuleResult } from './rule.js';

const FLIPPED: Readonly<Record<string, string>> = { '<=': '>=', '<': '>', '>=': '<=', '>': '<', '=': '=' };

/** `rn op constant` as [op, integer constant], or null when `e` is not such a comparison. */
function rankBound(e: ExprIR, rankIndex: number): [string, number] | null {
  if (e.kind !== 'call' || e.args.length !== 2 || FLIPPED[e.fn] === undefined) return null;
  let [a, b] = e.args as [ExprIR, ExprIR];
  let op = e.fn;
  if (b.kind === 'input' && b.index === rankIndex) {
    [a, b] = [b, a];
    op = FLIPPED[op]!;
  }
  if (a.kind !== 'input' || a.index !== rankIndex || inputIndices(b).size > 0) return null;
  let v: unknown;
  try {
    v = evaluateConstant(b);
  } catch {
    return null;
  }
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  return [op, n];
}

export const rankRangeRule: Rule = {
  name: 'RankRange',
  apply(node: LogicalNode): RuleResult {
    if (node.kind !== 'Calc') return unchanged(node);
    const rank = node.input;
    if (rank.kind !== 'Rank') return unchanged(node);
    const rankIndex = rank.input.rowType.fields.length;
    if (rank.rankEnd !== null) {
      // Already a Top-N: drop the number once no Calc above reads it (the filter's Calc kept it until
      // the outer projection merged into it), then the input columns nothing reads.
      if (rank.outputRankNumber && !readsColumn(node, rankIndex)) return changedTo({ ...node, input: withoutRankNumber(rank) });
      return pruneRankInput(node, rank);
    }
    if (node.condition === null) return unchanged(node);
    let start = 1;
    let end = Infinity;
    const rest: ExprIR[] = [];
    for (const c of conjuncts(node.condition)) {
      const bound = rankBound(c, rankIndex);
      if (bound === null) {
        rest.push(c);
        continue;
      }
      const [op, v] = bound;
      // Row numbers are integers ≥ 1: turn each bound into an inclusive integer range.
      if (op === '<=') end = Math.min(end, Math.floor(v));
      else if (op === '<') end = Math.min(end, Math.ceil(v) - 1);
      else if (op === '>=') start = Math.max(start, Math.ceil(v));
      else if (op === '>') start = Math.max(start, Math.floor(v) + 1);
      else {
        start = Math.max(start, v);
        end = Math.min(end, v);
        if (!Number.isInteger(v)) end = 0;
      }
    }
    if (end === Infinity) return unchanged(node);
    const calc: CalcNode = { ...node, condition: andAll(rest) };
    // An empty range (e.g. rn < 1) keeps no row; it is kept as [start, start - 1] and rejected later.
    const narrowed: RankNode = { ...rank, rankStart: start, rankEnd: Math.max(end, start - 1) };
    return changedTo({ ...calc, input: readsColumn(calc, rankIndex) ? narrowed : withoutRankNumber(narrowed) });
  },
};

function readsColumn(calc: CalcNode, index: number): boolean {
  const used = new Set<number>();
  for (const p of calc.projection) inputIndices(p, used);
  if (calc.condition !== null) inputIndices(calc.condition, used);
  return used.has(index);
}

function withoutRankNumber(rank: RankNode): RankNode {
  return { ...rank, outputRankNumber: false, rowType: { fields: rank.rowType.fields.slice(0, rank.input.rowType.fields.length) } };
}

/**
 * Projection push-down through a Top-N (as Flink prunes the Rank's `select`): the Rank keeps every row of
 * its state, so columns that neither the Calc above nor the partition/sort keys read are dropped below it.
 */
function pruneRankInput(calc: CalcNode, rank: RankNode): RuleResult {
  const width = rank.input.rowType.fields.length;
  const used = new Set<number>();
  for (const p of calc.projection) inputIndices(p, used);
  if (calc.condition !== null) inputIndices(calc.condition, used);
  for (const k of rank.partitionKeys) used.add(k);
  for (const o of rank.orderBy) used.add(o.index);
  const kept = [...used].filter((i) => i < width).sort((a, b) => a - b);
  if (kept.length === width) return unchanged(calc);
  const pos = new Map<number, number>(kept.map((c, i) => [c, i]));
  // The rank column moves from `width` to right after the kept columns.
  pos.set(width, kept.length);
  const map = (i: number): number => pos.get(i)!;
  const inputFields = rank.input.rowType.fields;
  const below: CalcNode = {
    kind: 'Calc',
    input: rank.input,
    projection: kept.map((c) => inputRef(c, inputFields[c]!.type)),
    condition: null,
    rowType: { fields: kept.map((c) => inputFields[c]!) },
  };
  const pruned: RankNode = {
    ...rank,
    input: below,
    partitionKeys: rank.partitionKeys.map(map),
    orderBy: rank.orderBy.map((o) => ({ ...o, index: map(o.index) })),
    rowType: { fields: [...below.rowType.fields, ...(rank.outputRankNumber ? [rank.rowType.fields[width]!] : [])] },
  };
  return changedTo({
    ...calc,
    input: pruned,
    projection: calc.projection.map((p) => remapInputs(p, map)),
    condition: calc.condition === null ? null : remapInputs(calc.condition, map),
  });
}
