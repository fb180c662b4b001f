/**
 * The shape of a built-in scalar function definition, and a small signature language most functions use.
 *
 * A definition resolves argument types to a result type (and the types its kernel wants, so the planner can
 * insert casts), declares how it treats NULLs and whether it is deterministic, and builds a kernel for one
 * resolved call site (`implement` runs once per compiled expression, so per-call-site caches such as a
 * compiled regex live in the kernel's closure).
 */
import { formatType, MAX_VARCHAR_LENGTH, type LogicalType } from '../../types/index.js';

/** Session settings a kernel may depend on. */
export interface EvalContext {
  /** `table.local-time-zone`: IANA name or fixed offset. */
  readonly timeZone: string;
  /** Seed for RAND() without an explicit seed (deterministic runs); undefined → Math.random. */
  readonly randomSeed?: number;
}

export const DEFAULT_EVAL_CONTEXT: EvalContext = { timeZone: 'UTC' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Kernel = (...args: any[]) => unknown;

export interface Implementation {
  /** Called with argument values (JS values per the value table). Never sees NULL when `nulls` is 'strict'. */
  readonly kernel: Kernel;
  /**
   * Optional JS expression for the compiler, over the argument expressions (already non-NULL). It may use
   * only the arguments, literals, `Math` and helpers of `H` (see compile.ts); it must not allocate per row.
   */
  readonly inline?: (args: readonly string[]) => string;
  /** True when the kernel can return NULL for non-NULL arguments (overflow, no match, out of range). */
  readonly mayReturnNull?: boolean;
}

export interface Resolution {
  readonly returnType: LogicalType;
  /** What each argument must be cast to (equal to the given types where no cast is needed). */
  readonly argTypes: readonly LogicalType[];
}

/**
 * - `strict`: NULL when any argument is NULL; the kernel never sees NULL.
 * - `custom`: the kernel receives NULLs and decides (IS NULL, CONCAT_WS, IN, …).
 * - `lazy`: arguments are evaluated on demand (AND, OR, IF, COALESCE); compiler and interpreter special-case
 *   them, and the kernel (with all values) is only used for constant folding.
 */
export type NullBehaviour = 'strict' | 'custom' | 'lazy';

export interface ScalarFunctionDef {
  readonly kind: 'scalar';
  /** The first name is canonical (what `resolveFunction` returns as `fn`); the rest are aliases. */
  readonly names: readonly string[];
  readonly signatures: readonly string[];
  /** One line, with an example: `UPPER(s): s in upper case. UPPER('ab') = 'AB'`. */
  readonly description: string;
  readonly deterministic: boolean;
  readonly nulls: NullBehaviour;
  /**
   * Checks the arguments and infers the result type; null when these argument types are not accepted.
   * `literals[i]` is the value of argument i when it is a literal (undefined otherwise): a few result types
   * depend on a constant (ROUND(decimal, 2)).
   */
  resolve(argTypes: readonly LogicalType[], literals?: readonly unknown[]): Resolution | null;
  implement(argTypes: readonly LogicalType[], returnType: LogicalType, ctx: EvalContext): Implementation;
}

// ---------------------------------------------------------------------------------------------------------
// Type helpers

export const STRING: LogicalType = { kind: 'VARCHAR', length: MAX_VARCHAR_LENGTH, nullable: true };
export const INT: LogicalType = { kind: 'INT', nullable: true };
export const BIGINT: LogicalType = { kind: 'BIGINT', nullable: true };
export const DOUBLE: LogicalType = { kind: 'DOUBLE', nullable: true };
export const BOOLEAN: LogicalType = { kind: 'BOOLEAN', nullable: true };
export const DATE: LogicalType = { kind: 'DATE', nullable: true };
export const BYTES: LogicalType = { kind: 'VARBINARY', length: MAX_VARCHAR_LENGTH, nullable: true };
export const timestampType = (precision = 3): LogicalType => ({ kind: 'TIMESTAMP', precision, nullable: true });
export const timestampLtzType = (precision = 3): LogicalType => ({ kind: 'TIMESTAMP_LTZ', precision, nullable: true });

export function nullable(type: LogicalType, isNullable: boolean): LogicalType {
  if (type.kind === 'NULL' || type.nullable === isNullable) return type;
  return { ...type, nullable: isNullable } as LogicalType;
}

export function anyNullable(types: readonly LogicalType[]): boolean {
  for (const t of types) if (t.kind === 'NULL' || t.nullable) return true;
  return false;
}

export const isIntegerKind = (t: LogicalType): boolean =>
  t.kind === 'TINYINT' || t.kind === 'SMALLINT' || t.kind === 'INT' || t.kind === 'BIGINT';
export const isApproxKind = (t: LogicalType): boolean => t.kind === 'FLOAT' || t.kind === 'DOUBLE';
export const isNumericKind = (t: LogicalType): boolean => isIntegerKind(t) || isApproxKind(t) || t.kind === 'DECIMAL';
export const isStringKind = (t: LogicalType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR';
export const isBinaryKind = (t: LogicalType): boolean => t.kind === 'BINARY' || t.kind === 'VARBINARY';
export const isTimestampKind = (t: LogicalType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';

// ---------------------------------------------------------------------------------------------------------
// Signature language

/** What an argument position accepts. NULL-typed arguments are accepted everywhere. */
export type ArgKind =
  | 'string'
  | 'integer'
  | 'numeric'
  | 'exact'
  | 'boolean'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'datetime'
  | 'bytes'
  | 'interval'
  | 'any';

const ARG_KIND_NAMES: Record<ArgKind, string> = {
  string: 'STRING',
  integer: 'INTEGER',
  numeric: 'NUMERIC',
  exact: 'EXACT_NUMERIC',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  time: 'TIME',
  datetime: 'DATETIME',
  bytes: 'BYTES',
  interval: 'INTERVAL',
  any: 'ANY',
};

/** The type a NULL-typed argument becomes at a position of this kind. */
const NULL_DEFAULT: Record<ArgKind, LogicalType> = {
  string: STRING,
  integer: INT,
  numeric: INT,
  exact: INT,
  boolean: BOOLEAN,
  timestamp: timestampType(3),
  date: DATE,
  time: { kind: 'TIME', precision: 0, nullable: true },
  datetime: timestampType(3),
  bytes: BYTES,
  interval: { kind: 'INTERVAL_DAY_TIME', nullable: true },
  any: STRING,
};

export function argKindAccepts(kind: ArgKind, t: LogicalType): boolean {
  switch (kind) {
    case 'string':
      return isStringKind(t);
    case 'integer':
      return isIntegerKind(t);
    case 'numeric':
      return isNumericKind(t);
    case 'exact':
      return isIntegerKind(t) || t.kind === 'DECIMAL';
    case 'boolean':
      return t.kind === 'BOOLEAN';
    case 'timestamp':
      return isTimestampKind(t);
    case 'date':
      return t.kind === 'DATE';
    case 'time':
      return t.kind === 'TIME';
    case 'datetime':
      return isTimestampKind(t) || t.kind === 'DATE';
    case 'bytes':
      return isBinaryKind(t);
    case 'interval':
      return t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';
    case 'any':
      return true;
  }
}

export interface SimpleSignature {
  readonly args: readonly ArgKind[];
  /** How many trailing `args` may be left out. */
  readonly optional?: number;
  /** The last arg kind repeats (at least once). */
  readonly variadic?: boolean;
  /** The result type (its nullability is set from the arguments), or a function of the argument types. */
  readonly returns: LogicalType | ((argTypes: readonly LogicalType[]) => LogicalType | null);
}

export function formatSignature(name: string, s: SimpleSignature): string {
  const req = s.args.length - (s.optional ?? 0);
  const parts = s.args.map((a, i) => (i >= req ? `[${ARG_KIND_NAMES[a]}]` : ARG_KIND_NAMES[a]));
  if (s.variadic) parts.push('...');
  const ret = typeof s.returns === 'function' ? '' : ` → ${formatType(s.returns).replace(' NOT NULL', '')}`;
  return `${name}(${parts.join(', ')})${ret}`;
}

/** Matches argument types against one signature; returns the argument types (NULL replaced) or null. */
export function matchSignature(s: SimpleSignature, argTypes: readonly LogicalType[]): LogicalType[] | null {
  const n = argTypes.length;
  const min = s.args.length - (s.optional ?? 0);
  if (n < min) return null;
  if (!s.variadic && n > s.args.length) return null;
  const out: LogicalType[] = [];
  for (let i = 0; i < n; i++) {
    const kind = s.args[Math.min(i, s.args.length - 1)]!;
    const t = argTypes[i]!;
    if (t.kind === 'NULL') out.push(NULL_DEFAULT[kind]);
    else if (argKindAccepts(kind, t)) out.push(t);
    else return null;
  }
  return out;
}

export interface SimpleFunctionSpec {
  readonly names: readonly string[];
  readonly signatures: readonly SimpleSignature[];
  readonly description: string;
  readonly deterministic?: boolean;
  readonly nulls?: NullBehaviour;
  /** When true the result is nullable even for NOT NULL arguments (the kernel may return NULL). */
  readonly resultNullable?: boolean;
  readonly implement: (argTypes: readonly LogicalType[], returnType: LogicalType, ctx: EvalContext) => Implementation | Kernel;
}

/** Builds a definition from declarative signatures; the first signature that matches wins. */
export function defineFunction(spec: SimpleFunctionSpec): ScalarFunctionDef {
  const name = spec.names[0]!;
  return {
    kind: 'scalar',
    names: spec.names,
    signatures: spec.signatures.map((s) => formatSignature(name, s)),
    description: spec.description,
    deterministic: spec.deterministic ?? true,
    nulls: spec.nulls ?? 'strict',
    resolve(argTypes) {
      for (const s of spec.signatures) {
        const args = matchSignature(s, argTypes);
        if (args === null) continue;
        const ret = typeof s.returns === 'function' ? s.returns(args) : s.returns;
        if (ret === null) continue;
        const isNullable = spec.resultNullable === true || (spec.nulls ?? 'strict') === 'strict' ? anyNullable(argTypes) || spec.resultNullable === true : ret.nullable;
        return { returnType: typeof s.returns === 'function' && spec.nulls === 'custom' ? ret : nullable(ret, isNullable), argTypes: args };
      }
      return null;
    },
    implement(argTypes, returnType, ctx) {
      const impl = spec.implement(argTypes, returnType, ctx);
      if (typeof impl === 'function') return { kernel: impl, mayReturnNull: spec.resultNullable === true };
      return spec.resultNullable === true && impl.mayReturnNull === undefined ? { ...impl, mayReturnNull: true } : impl;
    },
  };
}
