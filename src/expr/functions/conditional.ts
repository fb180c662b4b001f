/**
 * Conditional functions: IF, COALESCE, IFNULL (lazy: only the chosen branch is evaluated), NULLIF, GREATEST,
 * LEAST. CASE is its own IR node (`case`), compiled directly.
 */
import { compareValues, valuesEqual, type LogicalType } from '../../types/index.js';
import { leastRestrictiveType } from '../type-coercion.js';
import { BOOLEAN, anyNullable, nullable, type ScalarFunctionDef } from './function-def.js';

function castTargets(argTypes: readonly LogicalType[], common: LogicalType): LogicalType[] {
  return argTypes.map((t) => nullable(common, t.kind === 'NULL' || t.nullable));
}

const ifDef: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['IF'],
  signatures: ['IF(BOOLEAN, T, T) → T'],
  description: "IF(c, a, b): a when c is TRUE, else b (also when c is NULL). IF(1 > 2, 'x', 'y') = 'y'",
  deterministic: true,
  nulls: 'lazy',
  resolve(argTypes) {
    if (argTypes.length !== 3) return null;
    const c = argTypes[0]!;
    if (c.kind !== 'BOOLEAN' && c.kind !== 'NULL') return null;
    const common = leastRestrictiveType([argTypes[1]!, argTypes[2]!]);
    if (common === null) return null;
    return { returnType: common, argTypes: [c.kind === 'NULL' ? BOOLEAN : c, ...castTargets(argTypes.slice(1), common)] };
  },
  implement() {
    return { kernel: (c: boolean | null, a: unknown, b: unknown) => (c === true ? a : b) };
  },
};

function coalesceLike(names: string[], description: string, arity: number | null): ScalarFunctionDef {
  return {
    kind: 'scalar',
    names,
    signatures: [arity === 2 ? `${names[0]}(T, T) → T` : `${names[0]}(T, T, ...) → T`],
    description,
    deterministic: true,
    nulls: 'lazy',
    resolve(argTypes) {
      if (argTypes.length < (arity ?? 1) || (arity !== null && argTypes.length !== arity)) return null;
      const common = leastRestrictiveType(argTypes);
      if (common === null) return null;
      // The result is NULL only when every argument may be NULL.
      const isNullable = argTypes.every((t) => t.kind === 'NULL' || t.nullable);
      return { returnType: nullable(common, isNullable), argTypes: castTargets(argTypes, common) };
    },
    implement() {
      return {
        kernel: (...args: unknown[]) => {
          for (const a of args) if (a !== null) return a;
          return null;
        },
      };
    },
  };
}

const nullif: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['NULLIF'],
  signatures: ['NULLIF(T, T) → T'],
  description: 'NULLIF(a, b): NULL when a = b, else a. NULLIF(5, 5) = NULL',
  deterministic: true,
  nulls: 'custom',
  resolve(argTypes) {
    if (argTypes.length !== 2) return null;
    const common = leastRestrictiveType(argTypes);
    if (common === null) return null;
    return { returnType: nullable(common, true), argTypes: castTargets(argTypes, common) };
  },
  implement(argTypes) {
    const t = argTypes[0]!;
    return { kernel: (a: unknown, b: unknown) => (a === null ? null : b !== null && valuesEqual(a, b, t) ? null : a), mayReturnNull: true };
  },
};

function extreme(name: 'GREATEST' | 'LEAST', description: string): ScalarFunctionDef {
  const sign = name === 'GREATEST' ? 1 : -1;
  return {
    kind: 'scalar',
    names: [name],
    signatures: [`${name}(T, T, ...) → T`],
    description,
    deterministic: true,
    nulls: 'strict',
    resolve(argTypes) {
      if (argTypes.length < 1) return null;
      const common = leastRestrictiveType(argTypes);
      if (common === null || common.kind === 'MAP') return null;
      return { returnType: nullable(common, anyNullable(argTypes)), argTypes: castTargets(argTypes, common) };
    },
    implement(argTypes) {
      const t = argTypes[0]!;
      return {
        kernel: (...args: unknown[]) => {
          let best = args[0];
          for (let i = 1; i < args.length; i++) if (compareValues(args[i], best, t) * sign > 0) best = args[i];
          return best;
        },
      };
    },
  };
}

export const CONDITIONAL_FUNCTIONS: readonly ScalarFunctionDef[] = [
  ifDef,
  coalesceLike(['COALESCE'], "COALESCE(a, b, …): the first argument that is not NULL. COALESCE(NULL, 'x') = 'x'", null),
  coalesceLike(['IFNULL'], 'IFNULL(a, b): a unless it is NULL, then b. IFNULL(NULL, 0) = 0', 2),
  nullif,
  extreme('GREATEST', 'GREATEST(a, b, …): the largest argument; NULL if any is NULL. GREATEST(1, 3, 2) = 3'),
  extreme('LEAST', 'LEAST(a, b, …): the smallest argument; NULL if any is NULL. LEAST(1, 3, 2) = 1'),
];
