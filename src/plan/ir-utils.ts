/**
 * Small helpers over expression IR used by the binder and the rules. Planning-time only.
 */
import { internalError } from '../common/index.js';
import { isDeterministicFunction } from '../expr/index.js';
import type { ExprIR, InputRef, JsonValue, LiteralIR } from '../expr/index.js';
import { Types, formatType, withNullable, withoutTimeAttribute, type LogicalType } from '../types/index.js';

export function inputRef(index: number, type: LogicalType): InputRef {
  return { kind: 'input', index, type };
}

export function literal(value: JsonValue, type: LogicalType): LiteralIR {
  return { kind: 'literal', value, type };
}

export const TRUE_LITERAL: LiteralIR = literal(true, Types.boolean(false));

/** Structural identity of an expression (used to dedupe and to match GROUP BY expressions). */
export function exprDigest(e: ExprIR): string {
  return JSON.stringify(e);
}

/** Whether two types hold the same values (nullability and time-attribute markers aside). */
export function sameValueType(a: LogicalType, b: LogicalType): boolean {
  return formatType(withNullable(withoutTimeAttribute(a), true)) === formatType(withNullable(withoutTimeAttribute(b), true));
}

/** `e` cast to `type` unless it already holds values of that type. */
export function castIfNeeded(e: ExprIR, type: LogicalType): ExprIR {
  if (sameValueType(e.type, type)) return e;
  return { kind: 'cast', arg: e, safe: false, type: withNullable(type, e.type.nullable || type.kind === 'NULL') };
}

/** Visits every node (pre-order). */
export function forEachNode(e: ExprIR, visit: (node: ExprIR) => void): void {
  visit(e);
  switch (e.kind) {
    case 'input':
    case 'literal':
      return;
    case 'call':
    case 'udf':
      for (const a of e.args) forEachNode(a, visit);
      return;
    case 'cast':
    case 'field':
      forEachNode(e.arg, visit);
      return;
    case 'case':
      for (const b of e.branches) {
        forEachNode(b.when, visit);
        forEachNode(b.then, visit);
      }
      if (e.else) forEachNode(e.else, visit);
      return;
  }
}

/** Input column indices an expression reads. */
export function inputIndices(e: ExprIR, into: Set<number> = new Set()): Set<number> {
  forEachNode(e, (n) => {
    if (n.kind === 'input') into.add(n.index);
  });
  return into;
}

/** Rebuilds `e` bottom-up, replacing each node by `fn(node with rewritten children)`. */
export function mapExpr(e: ExprIR, fn: (node: ExprIR) => ExprIR): ExprIR {
  switch (e.kind) {
    case 'input':
    case 'literal':
      return fn(e);
    case 'call':
      return fn({ ...e, args: e.args.map((a) => mapExpr(a, fn)) });
    case 'udf':
      return fn({ ...e, args: e.args.map((a) => mapExpr(a, fn)) });
    case 'cast':
      return fn({ ...e, arg: mapExpr(e.arg, fn) });
    case 'field':
      return fn({ ...e, arg: mapExpr(e.arg, fn) });
    case 'case':
      return fn({
        ...e,
        branches: e.branches.map((b) => ({ when: mapExpr(b.when, fn), then: mapExpr(b.then, fn) })),
        else: e.else ? mapExpr(e.else, fn) : null,
      });
  }
}

/** Replaces input refs by the given expressions (inlining a lower projection into an upper one). */
export function substituteInputs(e: ExprIR, inputs: readonly ExprIR[]): ExprIR {
  return mapExpr(e, (n) => {
    if (n.kind !== 'input') return n;
    const replacement = inputs[n.index];
    if (!replacement) throw internalError(`input ref $${n.index} out of range (${inputs.length} inputs)`);
    return replacement;
  });
}

/** Renumbers input refs through `mapping` (old index → new index). */
export function remapInputs(e: ExprIR, mapping: (index: number) => number): ExprIR {
  return mapExpr(e, (n) => (n.kind === 'input' ? { ...n, index: mapping(n.index) } : n));
}

/** Splits a condition into its AND-ed conjuncts. */
export function conjuncts(e: ExprIR | null): ExprIR[] {
  if (e === null) return [];
  if (e.kind === 'call' && e.fn === 'AND') return e.args.flatMap((a) => conjuncts(a));
  return [e];
}

/** AND of the conjuncts (null for none). */
export function andAll(parts: readonly ExprIR[]): ExprIR | null {
  const kept = parts.filter((p) => !(p.kind === 'literal' && p.value === true));
  if (kept.length === 0) return null;
  return kept.reduce((acc, p) => ({
    kind: 'call',
    fn: 'AND',
    args: [acc, p],
    type: Types.boolean(acc.type.nullable || p.type.nullable),
  }));
}

/** Whether the expression can be evaluated more than once without changing results. */
export function isDeterministic(e: ExprIR): boolean {
  let det = true;
  forEachNode(e, (n) => {
    if ((n.kind === 'udf' && !n.deterministic) || (n.kind === 'call' && (NON_DETERMINISTIC.has(n.fn) || !isDeterministicFunction(n.fn)))) det = false;
  });
  return det;
}

/** Built-ins whose value changes between calls or rows (never folded, never duplicated by calc merging). */
export const NON_DETERMINISTIC: ReadonlySet<string> = new Set([
  'RAND',
  'RAND_INTEGER',
  'UUID',
  'NOW',
  'CURRENT_TIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'CURRENT_ROW_TIMESTAMP',
  'PROCTIME',
  'UNIX_TIMESTAMP',
]);

export function isIdentityProjection(projection: readonly ExprIR[], inputCount: number): boolean {
  if (projection.length !== inputCount) return false;
  for (let i = 0; i < projection.length; i++) {
    const p = projection[i]!;
    if (p.kind !== 'input' || p.index !== i) return false;
  }
  return true;
}
