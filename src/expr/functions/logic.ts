/**
 * Boolean connectives with SQL three-valued logic. AND/OR are lazy (the right side is not evaluated when the
 * left side decides), so `b <> 0 AND a / b > 1` never divides by zero; compile.ts and the interpreter
 * implement that, the kernels here are the all-values form used for constant folding.
 */
import { BOOLEAN, anyNullable, nullable, type ScalarFunctionDef } from './function-def.js';

/** 3VL AND over values: FALSE wins, then NULL, else TRUE. */
export function and3(...args: (boolean | null)[]): boolean | null {
  let sawNull = false;
  for (const a of args) {
    if (a === false) return false;
    if (a === null) sawNull = true;
  }
  return sawNull ? null : true;
}

/** 3VL OR over values: TRUE wins, then NULL, else FALSE. */
export function or3(...args: (boolean | null)[]): boolean | null {
  let sawNull = false;
  for (const a of args) {
    if (a === true) return true;
    if (a === null) sawNull = true;
  }
  return sawNull ? null : false;
}

function connective(name: 'AND' | 'OR', description: string): ScalarFunctionDef {
  return {
    kind: 'scalar',
    names: [name],
    signatures: [`BOOLEAN ${name} BOOLEAN [${name} ...] → BOOLEAN`],
    description,
    deterministic: true,
    nulls: 'lazy',
    resolve(argTypes) {
      if (argTypes.length < 2 || !argTypes.every((t) => t.kind === 'BOOLEAN' || t.kind === 'NULL')) return null;
      return { returnType: nullable(BOOLEAN, anyNullable(argTypes)), argTypes: argTypes.map((t) => (t.kind === 'NULL' ? BOOLEAN : t)) };
    },
    implement() {
      return { kernel: name === 'AND' ? and3 : or3 };
    },
  };
}

const not: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['NOT'],
  signatures: ['NOT BOOLEAN → BOOLEAN'],
  description: 'NOT b: NULL stays NULL. NOT FALSE = TRUE',
  deterministic: true,
  nulls: 'strict',
  resolve(argTypes) {
    if (argTypes.length !== 1 || (argTypes[0]!.kind !== 'BOOLEAN' && argTypes[0]!.kind !== 'NULL')) return null;
    return { returnType: nullable(BOOLEAN, anyNullable(argTypes)), argTypes: [argTypes[0]!.kind === 'NULL' ? BOOLEAN : argTypes[0]!] };
  },
  implement() {
    return { kernel: (b: boolean) => !b, inline: ([b]) => `(!${b})` };
  },
};

export const LOGIC_FUNCTIONS: readonly ScalarFunctionDef[] = [
  connective('AND', 'a AND b: FALSE if either is FALSE, else NULL if either is NULL, else TRUE. TRUE AND NULL = NULL'),
  connective('OR', 'a OR b: TRUE if either is TRUE, else NULL if either is NULL, else FALSE. TRUE OR NULL = TRUE'),
  not,
];
