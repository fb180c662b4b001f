/**
 * Expression IR: the typed, resolved form of a scalar SQL expression, as the planner writes it into operator
 * specs and as `compile*` turns it into JS. Plain JSON data (it is stored with checkpoints), so literal
 * values use the JSON-safe encoding of `encodeLiteral` (bigints and byte strings are tagged).
 *
 * Invariants:
 * - Every node's `type` is the result type after the planner's implicit casts: a call's args already have
 *   the types the function's kernel expects (the planner inserted `cast` nodes where needed).
 * - `input.index` refers to the operator's input row (for two-input conditions: left columns then right).
 * - `fn` names a function in the registry (`src/expr/functions/`): upper-case SQL names (`UPPER`,
 *   `DATE_FORMAT`) and operator names (`=`, `<>`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `/`, `%`, `AND`, `OR`,
 *   `NOT`, `IS NULL`, `IS NOT NULL`, `IS TRUE`, `IS FALSE`, `IS DISTINCT FROM`, `IN`, `LIKE`, `NEGATE`, `||`).
 * - AND/OR follow SQL three-valued logic; all other built-ins return NULL when any argument is NULL unless
 *   their definition says otherwise (COALESCE, IF, IS NULL, CONCAT_WS, …).
 */
import type { LogicalType } from '../types/index.js';

export type ExprIR = InputRef | LiteralIR | CallIR | CastIR | CaseIR | FieldIR | UdfCallIR;

export interface InputRef {
  readonly kind: 'input';
  readonly index: number;
  readonly type: LogicalType;
}

/** `value` is in the JSON-safe literal encoding (see `encodeLiteral`/`decodeLiteral` in expr/). */
export interface LiteralIR {
  readonly kind: 'literal';
  readonly value: JsonValue;
  readonly type: LogicalType;
}

export interface CallIR {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly ExprIR[];
  readonly type: LogicalType;
}

/** `safe` is TRY_CAST: NULL instead of an error when the value does not convert. */
export interface CastIR {
  readonly kind: 'cast';
  readonly arg: ExprIR;
  readonly safe: boolean;
  readonly type: LogicalType;
}

/** Searched CASE; the planner rewrites simple CASE (`CASE x WHEN 1 …`) into this form. */
export interface CaseIR {
  readonly kind: 'case';
  readonly branches: readonly { readonly when: ExprIR; readonly then: ExprIR }[];
  readonly else: ExprIR | null;
  readonly type: LogicalType;
}

/** Field `index` of a ROW value (`bid.price`); NULL when the row is NULL. */
export interface FieldIR {
  readonly kind: 'field';
  readonly arg: ExprIR;
  readonly index: number;
  readonly type: LogicalType;
}

/**
 * A user-defined scalar function. `ref` says where the implementation lives so that any worker can load it:
 * `file:/abs/path/udf.js#exportName` (a module on disk, resolved to an absolute URL by the planner) or
 * `builtin:name` (a JS implementation Floe ships and that users bind a Java class name to, e.g.
 * `com.github.nexmark.flink.udf.CountChar` → `builtin:count_char`).
 */
export interface UdfCallIR {
  readonly kind: 'udf';
  readonly name: string;
  readonly ref: string;
  readonly args: readonly ExprIR[];
  readonly type: LogicalType;
  readonly deterministic: boolean;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };
