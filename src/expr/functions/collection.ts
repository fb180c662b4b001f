/**
 * Constructors and accessors of nested values: ARRAY[…], MAP[…], ROW(…), `x[i]` (ITEM), CARDINALITY, ELEMENT,
 * ARRAY_CONTAINS. The planner turns the AST's Constructor into `ARRAY`/`MAP`/`ROW` calls and Subscript into
 * `ITEM(x, i)`; array subscripts are 1-based and out-of-range gives NULL.
 */
import { userError } from '../../common/index.js';
import { valuesEqual, type LogicalType } from '../../types/index.js';
import { leastRestrictiveType } from '../type-coercion.js';
import { BOOLEAN, INT, anyNullable, isIntegerKind, isStringKind, nullable, type ScalarFunctionDef } from './function-def.js';

const arrayCtor: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['ARRAY'],
  signatures: ['ARRAY[T, ...] → ARRAY<T>'],
  description: 'ARRAY[a, b, …]: an array of the values. ARRAY[1, 2] = [1, 2]',
  deterministic: true,
  nulls: 'custom',
  resolve(argTypes) {
    if (argTypes.length === 0) return null;
    const e = leastRestrictiveType(argTypes);
    if (e === null) return null;
    return { returnType: { kind: 'ARRAY', element: e, nullable: false }, argTypes: argTypes.map((t) => nullable(e, t.kind === 'NULL' || t.nullable)) };
  },
  implement: () => ({ kernel: (...xs: unknown[]) => xs }),
};

const mapCtor: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['MAP'],
  signatures: ['MAP[K, V, ...] → MAP<K, V>'],
  description: "MAP[k1, v1, k2, v2, …]: a map; a later duplicate key wins. MAP['a', 1] = {a=1}",
  deterministic: true,
  nulls: 'custom',
  resolve(argTypes) {
    if (argTypes.length === 0 || argTypes.length % 2 !== 0) return null;
    const k = leastRestrictiveType(argTypes.filter((_, i) => i % 2 === 0));
    const v = leastRestrictiveType(argTypes.filter((_, i) => i % 2 === 1));
    if (k === null || v === null) return null;
    return {
      returnType: { kind: 'MAP', key: k, value: v, nullable: false },
      argTypes: argTypes.map((t, i) => nullable(i % 2 === 0 ? k : v, t.kind === 'NULL' || t.nullable)),
    };
  },
  implement: () => ({
    kernel: (...xs: unknown[]) => {
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < xs.length; i += 2) m.set(xs[i], xs[i + 1]);
      return m;
    },
  }),
};

const rowCtor: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['ROW'],
  signatures: ['ROW(T1, T2, ...) → ROW<EXPR$0 T1, EXPR$1 T2, ...>'],
  description: "ROW(a, b, …): a row value with fields EXPR$0, EXPR$1, …. ROW(1, 'a') = (1, a)",
  deterministic: true,
  nulls: 'custom',
  resolve(argTypes) {
    if (argTypes.length === 0) return null;
    const fields = argTypes.map((t, i) => ({ name: `EXPR$${i}`, type: t.kind === 'NULL' ? ({ kind: 'VARCHAR', length: 2147483647, nullable: true } as LogicalType) : t }));
    return { returnType: { kind: 'ROW', fields, nullable: false }, argTypes: fields.map((f) => f.type) };
  },
  implement: () => ({ kernel: (...xs: unknown[]) => xs }),
};

/** Map keys are compared by value for strings/numbers (JS Map identity) and structurally otherwise. */
function mapGet(m: Map<unknown, unknown>, key: unknown, keyType: LogicalType): unknown {
  if (m.has(key)) return m.get(key) ?? null;
  if (typeof key === 'object') for (const [k, v] of m) if (k !== null && valuesEqual(k, key, keyType)) return v ?? null;
  return null;
}

const item: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['ITEM'],
  signatures: ['ITEM(ARRAY<T>, INTEGER) → T', 'ITEM(MAP<K, V>, K) → V'],
  description: "x[i]: array element i (1-based; NULL when out of range) or the map value for a key. ARRAY[10, 20][2] = 20",
  deterministic: true,
  nulls: 'strict',
  resolve(argTypes) {
    if (argTypes.length !== 2) return null;
    const [c, k] = argTypes as [LogicalType, LogicalType];
    if (c.kind === 'ARRAY' && (isIntegerKind(k) || k.kind === 'NULL')) return { returnType: nullable(c.element, true), argTypes: [c, k.kind === 'NULL' ? INT : k] };
    if (c.kind === 'MAP') {
      const kt = leastRestrictiveType([c.key, k]);
      if (kt === null) return null;
      return { returnType: nullable(c.value, true), argTypes: [c, nullable(c.key, k.nullable)] };
    }
    if (c.kind === 'ROW' && isStringKind(k)) return null;
    return null;
  },
  implement(argTypes) {
    const c = argTypes[0]!;
    if (c.kind === 'ARRAY') return { kernel: (a: unknown[], i: number) => (i >= 1 && i <= a.length ? a[i - 1] ?? null : null), mayReturnNull: true };
    const keyType = (c as { key: LogicalType }).key;
    return { kernel: (m: Map<unknown, unknown>, k: unknown) => mapGet(m, k, keyType), mayReturnNull: true };
  },
};

const cardinality: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['CARDINALITY'],
  signatures: ['CARDINALITY(ARRAY | MAP) → INT'],
  description: 'CARDINALITY(x): the number of elements of an array or entries of a map. CARDINALITY(ARRAY[1, 2]) = 2',
  deterministic: true,
  nulls: 'strict',
  resolve(argTypes) {
    const t = argTypes[0];
    if (argTypes.length !== 1 || (t!.kind !== 'ARRAY' && t!.kind !== 'MAP')) return null;
    return { returnType: nullable(INT, anyNullable(argTypes)), argTypes };
  },
  implement: (argTypes) => ({ kernel: argTypes[0]!.kind === 'ARRAY' ? (a: unknown[]) => a.length : (m: Map<unknown, unknown>) => m.size }),
};

const element: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['ELEMENT'],
  signatures: ['ELEMENT(ARRAY<T>) → T'],
  description: 'ELEMENT(a): the only element of a one-element array; NULL when empty; an error when longer. ELEMENT(ARRAY[7]) = 7',
  deterministic: true,
  nulls: 'strict',
  resolve(argTypes) {
    const t = argTypes[0];
    if (argTypes.length !== 1 || t!.kind !== 'ARRAY') return null;
    return { returnType: nullable(t.element, true), argTypes };
  },
  implement: () => ({
    kernel: (a: unknown[]) => {
      if (a.length > 1) throw userError('EXPR.ELEMENT', `ELEMENT expects an array of at most one element, found ${a.length}`);
      return a.length === 0 ? null : a[0] ?? null;
    },
    mayReturnNull: true,
  }),
};

const arrayContains: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['ARRAY_CONTAINS'],
  signatures: ['ARRAY_CONTAINS(ARRAY<T>, T) → BOOLEAN'],
  description: 'ARRAY_CONTAINS(a, x): TRUE when some element equals x. ARRAY_CONTAINS(ARRAY[1, 2], 2) = TRUE',
  deterministic: true,
  nulls: 'strict',
  resolve(argTypes) {
    const [a, x] = argTypes;
    if (argTypes.length !== 2 || a!.kind !== 'ARRAY') return null;
    const common = leastRestrictiveType([a.element, x!]);
    if (common === null) return null;
    return { returnType: nullable(BOOLEAN, anyNullable(argTypes)), argTypes: [a, nullable(a.element, x!.nullable)] };
  },
  implement(argTypes) {
    const et = (argTypes[0] as { element: LogicalType }).element;
    return { kernel: (a: unknown[], x: unknown) => a.some((e) => e !== null && valuesEqual(e, x, et)) };
  },
};

export const COLLECTION_FUNCTIONS: readonly ScalarFunctionDef[] = [arrayCtor, mapCtor, rowCtor, item, cardinality, element, arrayContains];
