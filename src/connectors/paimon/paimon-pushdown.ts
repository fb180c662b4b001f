/**
 * Filter push-down into Paimon scans: the scan's pushed filter (expression IR over the physical row, see
 * `ConnectorContext.filter`) as a lake `ScanPredicate`, which `PaimonTable.plan` prunes partitions,
 * buckets and files with (src/lake/scan-predicate.ts).
 *
 * Only shapes whose meaning is certain translate: comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`) and `IN`
 * between a column and literals, `IS [NOT] NULL`, and AND/OR of those (BETWEEN arrives as `>= AND <=`).
 * A column may be wrapped in a widening CAST (INT → BIGINT, VARCHAR(n) → VARCHAR(m ≥ n), …), which keeps
 * the order and equality of its values. Any other conjunct is left out — weaker, so still safe to prune
 * with; an OR with an untranslatable branch is left out whole. The scan still applies the whole filter.
 */
import { decodeLiteral, type ExprIR } from '../../expr/index.js';
import { predicateColumns, type ComparisonOp, type ScanPredicate } from '../../lake/index.js';
import { Types, type LogicalType, type RowType } from '../../types/index.js';

const COMPARISONS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** `a op b` ⇔ `b flipped(op) a`. */
const FLIPPED: Readonly<Record<ComparisonOp, ComparisonOp>> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const INTEGER_RANK: Readonly<Record<string, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

/** Whether CAST from `from` to `to` keeps equality and order of every value (and never fails). */
function isWidening(from: LogicalType, to: LogicalType): boolean {
  const rf = INTEGER_RANK[from.kind], rt = INTEGER_RANK[to.kind];
  if (rf !== undefined && rt !== undefined) return rt >= rf;
  if (from.kind !== to.kind) return false;
  switch (from.kind) {
    case 'VARCHAR':
      return to.kind === 'VARCHAR' && to.length >= from.length;
    case 'DECIMAL':
      return to.kind === 'DECIMAL' && to.scale === from.scale && to.precision >= from.precision;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (to.kind === 'TIMESTAMP' || to.kind === 'TIMESTAMP_LTZ') && to.precision >= from.precision;
    case 'DATE':
    case 'BOOLEAN':
      return true;
    default:
      return false;
  }
}

/** The physical column an expression reads, through widening casts; null for anything else. */
function columnOf(e: ExprIR, physicalType: RowType): string | null {
  if (e.kind === 'cast' && !e.safe && isWidening(e.arg.type, e.type)) return columnOf(e.arg, physicalType);
  if (e.kind !== 'input' || e.index >= physicalType.fields.length) return null;
  return physicalType.fields[e.index]!.name;
}

/** A literal's value (Floe representation) and type; undefined when `e` is not a literal. */
function literalOf(e: ExprIR): { value: unknown; type: LogicalType } | undefined {
  if (e.kind !== 'literal') return undefined;
  return { value: e.type.kind === 'NULL' ? null : decodeLiteral(e.value, e.type), type: e.type };
}

/**
 * The pushed filter as a scan predicate over the columns of `physicalType` (by name), or null when no
 * part of it translates. See the file comment for what translates.
 */
export function scanPredicateOf(filter: ExprIR, physicalType: RowType): ScanPredicate | null {
  if (filter.kind !== 'call') return null;
  const args = filter.args;
  switch (filter.fn) {
    case 'AND': {
      const children: ScanPredicate[] = [];
      for (const a of args) {
        const c = scanPredicateOf(a, physicalType);
        if (c !== null) children.push(c);
      }
      return children.length === 0 ? null : children.length === 1 ? children[0]! : { kind: 'and', children };
    }
    case 'OR': {
      const children: ScanPredicate[] = [];
      for (const a of args) {
        const c = scanPredicateOf(a, physicalType);
        if (c === null) return null;
        children.push(c);
      }
      return children.length === 0 ? null : { kind: 'or', children };
    }
    case 'IS NULL':
    case 'IS NOT NULL': {
      const column = args.length === 1 ? columnOf(args[0]!, physicalType) : null;
      return column === null ? null : { kind: 'null', column, isNull: filter.fn === 'IS NULL' };
    }
    case 'NOT': {
      // NOT (x IS NULL) is how some rewrites spell IS NOT NULL; other negations are left out.
      const inner = args[0];
      if (args.length !== 1 || inner?.kind !== 'call' || (inner.fn !== 'IS NULL' && inner.fn !== 'IS NOT NULL')) return null;
      const column = inner.args.length === 1 ? columnOf(inner.args[0]!, physicalType) : null;
      return column === null ? null : { kind: 'null', column, isNull: inner.fn !== 'IS NULL' };
    }
    case 'IN': {
      const column = args.length >= 2 ? columnOf(args[0]!, physicalType) : null;
      if (column === null) return null;
      const values: unknown[] = [];
      let type: LogicalType | null = null;
      for (let i = 1; i < args.length; i++) {
        const lit = literalOf(args[i]!);
        if (lit === undefined) return null;
        if (lit.value === null) continue;
        // IN's items share the tested expression's type after the planner's casts; a mixed list is left out.
        if (type !== null && lit.type.kind !== type.kind) return null;
        type ??= lit.type;
        values.push(lit.value);
      }
      return { kind: 'in', column, values, type: type ?? Types.null() };
    }
    default: {
      if (!COMPARISONS.has(filter.fn) || args.length !== 2) return null;
      let op = filter.fn as ComparisonOp;
      let column = columnOf(args[0]!, physicalType);
      let lit = literalOf(args[1]!);
      if (column === null || lit === undefined) {
        column = columnOf(args[1]!, physicalType);
        lit = literalOf(args[0]!);
        op = FLIPPED[op];
      }
      // A comparison with NULL passes no row; it is left to the scan's filter rather than pruned on.
      if (column === null || lit === undefined || lit.value === null) return null;
      return { kind: 'compare', column, op, value: lit.value, type: lit.type };
    }
  }
}

/** Top-level conjuncts of a boolean expression. */
function conjunctsOf(e: ExprIR): ExprIR[] {
  return e.kind === 'call' && e.fn === 'AND' ? e.args.flatMap(conjunctsOf) : [e];
}

/**
 * The conjuncts of `filter` that prune partitions: those that translate and read only partition columns
 * (`partitionKeys`, indices into `physicalType`), ANDed; null when there are none. For EXPLAIN.
 */
export function partitionPruningFilter(filter: ExprIR, physicalType: RowType, partitionKeys: readonly number[]): ExprIR | null {
  if (partitionKeys.length === 0) return null;
  const names = new Set(partitionKeys.map((i) => physicalType.fields[i]!.name));
  const kept = conjunctsOf(filter).filter((c) => {
    const p = scanPredicateOf(c, physicalType);
    return p !== null && [...predicateColumns(p)].every((n) => names.has(n));
  });
  if (kept.length === 0) return null;
  return kept.reduce((a, b) => ({ kind: 'call', fn: 'AND', args: [a, b], type: Types.boolean(a.type.nullable || b.type.nullable) }));
}
