/**
 * A scan predicate: the part of a query's filter a lake scan can use to skip input, by column name.
 * It only prunes — a partition, bucket or file it keeps may still hold rows that fail it, so the reader's
 * caller must apply the full filter after reading. The invariant every function here keeps: when
 * `mayMatch` says false, no row of that input satisfies the predicate (SQL WHERE semantics: a NULL
 * comparison does not pass).
 *
 * Values are non-NULL values of the leaf's `type` in the Floe value representation
 * (src/types/logical-type.ts). They are only compared with a column whose stored type orders its values
 * the same way (`sameOrdering`); any other leaf is "unknown" (may match), as is a column without stats.
 */
import { compareValues, type LogicalType } from '../types/index.js';

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ScanPredicate =
  | { readonly kind: 'and' | 'or'; readonly children: readonly ScanPredicate[] }
  | { readonly kind: 'compare'; readonly column: string; readonly op: ComparisonOp; readonly value: unknown; readonly type: LogicalType }
  /** `column IN (values)`; NULL list items are left out (they never make a row pass a WHERE). */
  | { readonly kind: 'in'; readonly column: string; readonly values: readonly unknown[]; readonly type: LogicalType }
  | { readonly kind: 'null'; readonly column: string; readonly isNull: boolean };

/**
 * What is known about a column over some input (a partition: one exact value; a file: its stats).
 * `min`/`max` null or undefined: unknown. `hasNull`/`hasValue` undefined: unknown.
 */
export interface ColumnRange {
  /** The column's stored type (the order `min`/`max` are in). */
  readonly type: LogicalType;
  readonly min: unknown;
  readonly max: unknown;
  readonly hasNull: boolean | undefined;
  readonly hasValue: boolean | undefined;
}

/** The range of a column with one exact value (a partition column of a partition). */
export function exactRange(type: LogicalType, value: unknown): ColumnRange {
  const isNull = value === null || value === undefined;
  return { type, min: isNull ? null : value, max: isNull ? null : value, hasNull: isNull, hasValue: !isNull };
}

/**
 * The family a type's JS values order in, or null when its values are not compared here: FLOAT/DOUBLE
 * (NaN, and -0 in stats), CHAR columns (padding), and nested or binary types.
 */
function orderingFamily(type: LogicalType, isColumn: boolean): string | null {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return 'integer';
    case 'DECIMAL':
      return `decimal/${type.scale}`;
    case 'VARCHAR':
      return 'string';
    case 'CHAR':
      // A CHAR literal ('abc' is CHAR(3)) compares to a VARCHAR column as its text; a CHAR column may be
      // stored padded, so it is not compared.
      return isColumn ? null : 'string';
    case 'DATE':
    case 'BOOLEAN':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return type.kind;
    default:
      return null;
  }
}

/** Whether a value of `valueType` compares with values of column type `columnType` by `compareValues(…, columnType)`. */
export function sameOrdering(valueType: LogicalType, columnType: LogicalType): boolean {
  const f = orderingFamily(valueType, false);
  return f !== null && f === orderingFamily(columnType, true);
}

/** True when the text has UTF-16 surrogates: there JS order and UTF-8 byte order (Paimon's stats) differ. */
function hasSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

function usable(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return !hasSurrogates(v);
  if (typeof v === 'number') return !Number.isNaN(v);
  return true;
}

/**
 * Whether some row of an input described by `rangeOf` may satisfy `p` (false only when none can).
 * `rangeOf` returns undefined for a column it knows nothing about.
 */
export function mayMatch(p: ScanPredicate, rangeOf: (column: string) => ColumnRange | undefined): boolean {
  switch (p.kind) {
    case 'and':
      for (const c of p.children) if (!mayMatch(c, rangeOf)) return false;
      return true;
    case 'or':
      for (const c of p.children) if (mayMatch(c, rangeOf)) return true;
      return p.children.length === 0;
    case 'null': {
      const r = rangeOf(p.column);
      if (r === undefined) return true;
      return (p.isNull ? r.hasNull : r.hasValue) !== false;
    }
    case 'compare': {
      const r = rangeOf(p.column);
      if (r === undefined) return true;
      if (r.hasValue === false) return false;
      if (!sameOrdering(p.type, r.type) || !usable(p.value)) return true;
      return compareMayMatch(p.op, p.value, r);
    }
    case 'in': {
      const r = rangeOf(p.column);
      if (r === undefined) return true;
      if (r.hasValue === false || p.values.length === 0) return false;
      if (!sameOrdering(p.type, r.type)) return true;
      for (const v of p.values) if (!usable(v) || compareMayMatch('=', v, r)) return true;
      return false;
    }
  }
}

function compareMayMatch(op: ComparisonOp, v: unknown, r: ColumnRange): boolean {
  const lo = usable(r.min) ? r.min : undefined;
  const hi = usable(r.max) ? r.max : undefined;
  const t = r.type;
  switch (op) {
    case '=':
      return (lo === undefined || compareValues(v, lo, t) >= 0) && (hi === undefined || compareValues(v, hi, t) <= 0);
    case '<>':
      // Only an input whose every non-NULL value is v fails `<>`.
      return lo === undefined || hi === undefined || compareValues(lo, v, t) !== 0 || compareValues(hi, v, t) !== 0;
    case '<':
      return lo === undefined || compareValues(lo, v, t) < 0;
    case '<=':
      return lo === undefined || compareValues(lo, v, t) <= 0;
    case '>':
      return hi === undefined || compareValues(hi, v, t) > 0;
    case '>=':
      return hi === undefined || compareValues(hi, v, t) >= 0;
  }
}

/** Column names the predicate mentions. */
export function predicateColumns(p: ScanPredicate, out: Set<string> = new Set()): Set<string> {
  switch (p.kind) {
    case 'and':
    case 'or':
      for (const c of p.children) predicateColumns(c, out);
      break;
    default:
      out.add(p.column);
  }
  return out;
}

/** The top-level conjuncts of `p` (itself when it is not an AND). */
export function conjuncts(p: ScanPredicate): readonly ScanPredicate[] {
  return p.kind === 'and' ? p.children.flatMap(conjuncts) : [p];
}

/**
 * The part of `p` that only mentions `columns`: conjuncts on other columns are dropped (weaker, so still a
 * valid pruning predicate); an OR with a branch on another column is dropped whole. Null when nothing is left.
 */
export function restrictPredicate(p: ScanPredicate, columns: ReadonlySet<string>): ScanPredicate | null {
  const kept = conjuncts(p).filter((c) => [...predicateColumns(c)].every((n) => columns.has(n)));
  return kept.length === 0 ? null : kept.length === 1 ? kept[0]! : { kind: 'and', children: kept };
}

/**
 * The values a top-level conjunct pins `column` to (`column = v` or `column IN (…)`), of a type that
 * orders like `columnType`; undefined when no conjunct does. Several such conjuncts intersect.
 */
export function pinnedValues(p: ScanPredicate, column: string, columnType: LogicalType): readonly unknown[] | undefined {
  let out: unknown[] | undefined;
  for (const c of conjuncts(p)) {
    let vals: readonly unknown[];
    if (c.kind === 'compare' && c.op === '=' && c.column === column && sameOrdering(c.type, columnType)) vals = [c.value];
    else if (c.kind === 'in' && c.column === column && sameOrdering(c.type, columnType)) vals = c.values;
    else continue;
    out = out === undefined ? [...vals] : out.filter((x) => vals.some((y) => compareValues(x, y, columnType) === 0));
  }
  return out;
}
