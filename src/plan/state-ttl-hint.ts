/**
 * Flink's `STATE_TTL` query hint (Flink 1.18+): `SELECT /*+ STATE_TTL('o' = '1d', 'l' = '12h') *\/ …`
 * gives regular joins and group aggregations of one query block their own idle-state retention instead
 * of `table.exec.state.ttl`. Rules, as Flink documents them:
 *
 * - A key is the name of an input of a join or of an aggregation in this query block (the SELECT the hint
 *   is written on; subqueries and views are blocks of their own): a table or view name, or its alias, and
 *   once an input has an alias only the alias names it. A key naming no input is an error that lists the
 *   names that are allowed (Flink: "The options of following hints cannot match the name of input tables
 *   or views").
 * - A join takes the TTL of its left input's name for its left state and of its right input's name for
 *   its right state. In a cascade `a JOIN b JOIN c` the inner join gets `a` and `b`, the outer join gets
 *   `c` on the right and keeps the configured TTL on the left (its left input, `a JOIN b`, has no name).
 * - A group aggregation (`GROUP BY`, `DISTINCT`) takes the TTL of the single FROM item it aggregates.
 * - A key repeated inside one hint: the last value wins; repeated across STATE_TTL hints: the first hint
 *   wins.
 *
 * Interval, window, temporal and lookup joins clean their state by time or hold none, so the hint has no
 * effect on them (the names of their inputs are still valid keys, as in Flink).
 */
import { didYouMeanSuffix, userError, type SourceSpan } from '../common/index.js';
import type { Hint, TableRef } from '../sql/index.js';
import type { AggregateNode, JoinNode, JoinStateTtl, LogicalNode } from './logical-plan.js';
import { parseDurationMs } from './planner-context.js';

/** The TTLs of one query block's `STATE_TTL` hints, by input name (ms; 0 = keep forever). */
export interface StateTtlHint {
  readonly ttlByName: ReadonlyMap<string, number>;
  readonly span: SourceSpan;
}

/** The merged `STATE_TTL` hints among `hints` (null when there are none), values validated. */
export function parseStateTtlHints(hints: readonly Hint[]): StateTtlHint | null {
  const ttlHints = hints.filter((h) => h.name.value.toUpperCase() === 'STATE_TTL');
  if (ttlHints.length === 0) return null;
  const merged = new Map<string, number>();
  for (const h of ttlHints) {
    if (h.args.length > 0 || h.options.length === 0) {
      throw userError('PLAN.BAD_HINT', `STATE_TTL hint takes 'table' = 'duration' options, e.g. STATE_TTL('o' = '1d', 'l' = '12h')`, { span: h.span });
    }
    const own = new Map<string, number>();
    for (const o of h.options) {
      let ms: number;
      try {
        ms = parseDurationMs(o.key, o.value);
      } catch {
        throw userError('PLAN.BAD_HINT', `STATE_TTL hint: the TTL of '${o.key}' must be a duration like '1d', '12 h' or '500 ms', got '${o.value}'`, { span: h.span });
      }
      own.set(o.key, ms); // last value within one hint wins
    }
    for (const [k, v] of own) if (!merged.has(k)) merged.set(k, v); // first hint wins across hints
  }
  return { ttlByName: merged, span: ttlHints[0]!.span };
}

/** The name a FROM item is known by in hints: its alias, else a table's (unqualified) name. */
function inputName(ref: TableRef): string | null {
  switch (ref.kind) {
    case 'TableName':
      return ref.alias?.value ?? ref.name.parts[ref.name.parts.length - 1]!.value;
    case 'Subquery':
    case 'TableFunction':
    case 'MatchRecognize':
      return ref.alias?.value ?? null;
    case 'Join':
      return null;
  }
}

/** Names of every join input of the FROM tree, or of the FROM item itself when it is not a join. */
function blockInputNames(from: TableRef, into: string[]): void {
  if (from.kind === 'Join') {
    for (const side of [from.left, from.right]) {
      if (side.kind === 'Join') blockInputNames(side, into);
      else {
        const n = inputName(side);
        if (n !== null) into.push(n);
      }
    }
    return;
  }
  const n = inputName(from);
  if (n !== null) into.push(n);
}

/**
 * Checks that every key of `hint` names an input of the query block whose FROM clause is `from` (null:
 * no FROM), and returns the TTL for an aggregation of the FROM item (undefined: not hinted).
 */
export function checkStateTtlHint(hint: StateTtlHint, from: TableRef | null): { readonly aggregateTtlMs: number | undefined } {
  const names: string[] = [];
  if (from !== null) blockInputNames(from, names);
  const unknown = [...hint.ttlByName.keys()].filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    const allowed = names.length === 0 ? 'this query block has no named inputs' : `the inputs of this query block are ${names.map((n) => `'${n}'`).join(', ')}`;
    throw userError(
      'PLAN.UNKNOWN_HINT_TABLE',
      `the options of hint STATE_TTL cannot match the name of input tables or views: ${unknown.map((k) => `'${k}'`).join(', ')}; ${allowed}${unknown.length === 1 ? didYouMeanSuffix(unknown[0]!, names) : ''}`,
      { span: hint.span, help: 'a STATE_TTL key is a table or view name of a join or aggregation input in the same SELECT, or its alias when it has one' },
    );
  }
  const own = from !== null && from.kind !== 'Join' ? inputName(from) : null;
  return { aggregateTtlMs: own === null ? undefined : hint.ttlByName.get(own) };
}

/**
 * The bound FROM tree `node` (as `bindTableRef` returned it for `from`) with the hinted TTLs set on its
 * regular joins. Walks the AST and the plan together: a plain `JoinRef` binds to a `Join` node whose
 * inputs are the bound sides (a snapshot join, `FOR SYSTEM_TIME AS OF`, gets no TTL of its own).
 */
export function applyStateTtlToJoins(hint: StateTtlHint, from: TableRef, node: LogicalNode): LogicalNode {
  if (from.kind !== 'Join' || node.kind !== 'Join') return node;
  if (node.snapshot !== undefined) {
    // A temporal/lookup join keeps no TTL'd state, but its left input may be a hinted join.
    const inner = applyStateTtlToJoins(hint, from.left, node.left);
    return inner === node.left ? node : { ...node, left: inner };
  }
  const left = applyStateTtlToJoins(hint, from.left, node.left);
  const right = applyStateTtlToJoins(hint, from.right, node.right);
  const ln = inputName(from.left);
  const rn = inputName(from.right);
  const ttl: JoinStateTtl = {
    left: ln === null ? null : (hint.ttlByName.get(ln) ?? null),
    right: rn === null ? null : (hint.ttlByName.get(rn) ?? null),
  };
  const hinted = ttl.left !== null || ttl.right !== null;
  if (!hinted && left === node.left && right === node.right) return node;
  const out: JoinNode = { ...node, left, right, ...(hinted ? { stateTtl: ttl } : {}) };
  return out;
}

/** `agg` with its state TTL set from the hint (unchanged when the hint does not name its input). */
export function withAggregateStateTtl(agg: AggregateNode, ttlMs: number | undefined): AggregateNode {
  return ttlMs === undefined ? agg : { ...agg, stateTtlMs: ttlMs };
}
