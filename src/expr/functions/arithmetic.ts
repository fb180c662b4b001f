/**
 * Arithmetic operators + - * / % (MOD) and unary minus (NEGATE), with Flink's result types:
 * - integers: the wider operand type (INT + INT = INT, INT + BIGINT = BIGINT); INT/SMALLINT/TINYINT results
 *   wrap like Java primitives; `/` on integers truncates (7 / 2 = 3); a zero divisor fails the job;
 * - MOD of integers has the type of the divisor (Calcite's ARG1 rule), so MOD(BIGINT, INT) is INT;
 * - FLOAT/DOUBLE: IEEE arithmetic (1.0 / 0 = Infinity);
 * - DECIMAL (integers join as DECIMAL(3/5/10/19, 0)): exact, with `LogicalTypeMerging` precision and scale;
 *   a result that does not fit its precision is NULL;
 * - datetime ± interval (calendar-correct for months), interval ± interval, interval × number.
 *
 * BIGINT values are JS numbers (see logical-type.ts), exact within ±2^53.
 */
import {
  decimalAdd,
  decimalAddType,
  decimalDivide,
  decimalDivideType,
  decimalMod,
  decimalModType,
  decimalMultiply,
  decimalMultiplyType,
  decimalShapeOf,
  decimalSubtract,
  addMonthsToDate,
  addMonthsToTimestamp,
  MS_PER_DAY,
  type LogicalType,
} from '../../types/index.js';
import { HELPERS } from './helpers.js';
import {
  DOUBLE,
  anyNullable,
  isApproxKind,
  isIntegerKind,
  isNumericKind,
  isTimestampKind,
  nullable,
  type Implementation,
  type Resolution,
  type ScalarFunctionDef,
} from './function-def.js';

type ArithOp = '+' | '-' | '*' | '/' | '%';

const RANK: Readonly<Record<string, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

function widerInteger(a: LogicalType, b: LogicalType): LogicalType {
  return RANK[a.kind]! >= RANK[b.kind]! ? a : b;
}

/** Wraps a JS number expression to the integer type (Java overflow semantics). */
function wrapExpr(kind: string, expr: string): string {
  switch (kind) {
    case 'INT':
      return `((${expr}) | 0)`;
    case 'SMALLINT':
      return `(((${expr}) << 16) >> 16)`;
    case 'TINYINT':
      return `(((${expr}) << 24) >> 24)`;
    default:
      return expr;
  }
}

const decimalType = (shape: { precision: number; scale: number }, n: boolean): LogicalType => ({
  kind: 'DECIMAL',
  precision: shape.precision,
  scale: shape.scale,
  nullable: n,
});

function asDecimal(t: LogicalType): LogicalType {
  const s = decimalShapeOf(t)!;
  return decimalType(s, t.nullable);
}

const NULL_AS_INT: LogicalType = { kind: 'INT', nullable: true };

function resolveArithmetic(op: ArithOp, rawArgs: readonly LogicalType[]): Resolution | null {
  if (rawArgs.length !== 2) return null;
  const both = rawArgs.map((t, i) => (t.kind === 'NULL' ? (rawArgs[1 - i]!.kind === 'NULL' ? NULL_AS_INT : nullable(rawArgs[1 - i]!, true)) : t));
  let a = both[0]!, b = both[1]!;
  const n = anyNullable(rawArgs);
  // NULL next to an interval/temporal operand: the NULL takes the interval's role.
  if (rawArgs[0]!.kind === 'NULL' && !isNumericKind(b)) a = b.kind.startsWith('INTERVAL') ? b : NULL_AS_INT;
  if (rawArgs[1]!.kind === 'NULL' && !isNumericKind(a)) b = a.kind.startsWith('INTERVAL') ? a : { kind: 'INTERVAL_DAY_TIME', nullable: true };
  if (isNumericKind(a) && isNumericKind(b)) {
    if (isApproxKind(a) || isApproxKind(b)) {
      const kind = a.kind === 'DOUBLE' || b.kind === 'DOUBLE' || a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? 'DOUBLE' : 'FLOAT';
      const toApprox = (t: LogicalType): LogicalType => (t.kind === 'DECIMAL' ? nullable(DOUBLE, t.nullable) : t);
      return { returnType: { kind, nullable: n }, argTypes: [toApprox(a), toApprox(b)] };
    }
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      const sa = decimalShapeOf(a)!, sb = decimalShapeOf(b)!;
      const shape =
        op === '+' || op === '-' ? decimalAddType(sa, sb) : op === '*' ? decimalMultiplyType(sa, sb) : op === '/' ? decimalDivideType(sa, sb) : decimalModType(sa, sb);
      return { returnType: decimalType(shape, n), argTypes: [asDecimal(a), asDecimal(b)] };
    }
    const ret = op === '%' ? b : widerInteger(a, b);
    return { returnType: nullable({ kind: ret.kind, nullable: n } as LogicalType, n), argTypes: [a, b] };
  }
  // Temporal and interval arithmetic.
  const isInterval = (t: LogicalType): boolean => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';
  const datetime = (t: LogicalType): boolean => isTimestampKind(t) || t.kind === 'DATE' || t.kind === 'TIME';
  if (op === '+' || op === '-') {
    if (datetime(a) && isInterval(b)) return { returnType: nullable(stripAttr(a), n), argTypes: [a, b] };
    if (op === '+' && isInterval(a) && datetime(b)) return { returnType: nullable(stripAttr(b), n), argTypes: [a, b] };
    if (isInterval(a) && a.kind === b.kind) return { returnType: nullable(a, n), argTypes: [a, b] };
  }
  if (op === '*') {
    if (isInterval(a) && isNumericKind(b)) return { returnType: nullable(a, n), argTypes: [a, b.kind === 'DECIMAL' ? nullable(DOUBLE, b.nullable) : b] };
    if (isNumericKind(a) && isInterval(b)) return { returnType: nullable(b, n), argTypes: [a.kind === 'DECIMAL' ? nullable(DOUBLE, a.nullable) : a, b] };
  }
  if (op === '/' && isInterval(a) && isNumericKind(b)) return { returnType: nullable(a, n), argTypes: [a, b.kind === 'DECIMAL' ? nullable(DOUBLE, b.nullable) : b] };
  return null;
}

function stripAttr(t: LogicalType): LogicalType {
  if (isTimestampKind(t)) {
    const ts = t as { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ'; precision: number; nullable: boolean };
    return { kind: ts.kind, precision: ts.precision, nullable: ts.nullable };
  }
  return t;
}

function implementArithmetic(op: ArithOp, argTypes: readonly LogicalType[], ret: LogicalType): Implementation {
  const a = argTypes[0]!, b = argTypes[1]!;
  if (ret.kind === 'DECIMAL') {
    const sa = decimalShapeOf(a)!.scale, sb = decimalShapeOf(b)!.scale;
    const p = ret.precision, s = ret.scale;
    switch (op) {
      case '+':
        return { kernel: (x: bigint, y: bigint) => decimalAdd(x, sa, y, sb, p, s), mayReturnNull: true };
      case '-':
        return { kernel: (x: bigint, y: bigint) => decimalSubtract(x, sa, y, sb, p, s), mayReturnNull: true };
      case '*':
        return { kernel: (x: bigint, y: bigint) => decimalMultiply(x, sa, y, sb, p, s), mayReturnNull: true };
      case '/':
        return {
          kernel: (x: bigint, y: bigint) => {
            const r = decimalDivide(x, sa, y, sb, p, s);
            return r === undefined ? HELPERS.divZero() : r;
          },
          mayReturnNull: true,
        };
      case '%':
        return {
          kernel: (x: bigint, y: bigint) => {
            const r = decimalMod(x, sa, y, sb, p, s);
            return r === undefined ? HELPERS.divZero() : r;
          },
          mayReturnNull: true,
        };
    }
  }
  if (isIntegerKind(ret) && isIntegerKind(a) && isIntegerKind(b)) {
    const k = ret.kind;
    switch (op) {
      case '+':
      case '-': {
        const inline = ([x, y]: readonly string[]): string => wrapExpr(k, `${x} ${op} ${y}`);
        return { kernel: new Function('a', 'b', `return ${inline(['a', 'b'])};`) as (x: number, y: number) => number, inline };
      }
      case '*': {
        const inline = ([x, y]: readonly string[]): string => (k === 'INT' ? `Math.imul(${x}, ${y})` : k === 'BIGINT' ? `(${x} * ${y} + 0)` : wrapExpr(k, `${x} * ${y}`));
        return { kernel: new Function('a', 'b', `return ${inline(['a', 'b'])};`) as (x: number, y: number) => number, inline };
      }
      case '/': {
        const inline = ([x, y]: readonly string[]): string => wrapExpr(k, `H.idiv(${x}, ${y})`);
        return { kernel: (x: number, y: number) => wrapNumber(k, HELPERS.idiv(x, y)), inline };
      }
      case '%': {
        // Literal non-zero divisors (MOD(auction, 123)) compile to a bare `%`.
        const inline = ([x, y]: readonly string[]): string => (/^[1-9]\d*$/.test(y!) ? `((${x} % ${y}) + 0)` : `H.imod(${x}, ${y})`);
        return { kernel: (x: number, y: number) => HELPERS.imod(x, y), inline };
      }
    }
  }
  if (isApproxKind(ret)) {
    const fround = ret.kind === 'FLOAT';
    const inline = ([x, y]: readonly string[]): string => (fround ? `Math.fround(${x} ${op} ${y})` : `(${x} ${op} ${y})`);
    return { kernel: new Function('a', 'b', `return ${inline(['a', 'b'])};`) as (x: number, y: number) => number, inline };
  }
  // Temporal / interval arithmetic.
  const sign = op === '-' ? -1 : 1;
  if (ret.kind === 'INTERVAL_DAY_TIME' || ret.kind === 'INTERVAL_YEAR_MONTH') {
    if (op === '+' || op === '-') return { kernel: (x: number, y: number) => x + sign * y, inline: ([x, y]) => `(${x} ${op} ${y})` };
    const months = ret.kind === 'INTERVAL_YEAR_MONTH';
    if (op === '*') return { kernel: (x: number, y: number) => (months ? Math.trunc(x * y) : x * y) };
    return { kernel: (x: number, y: number) => (y === 0 ? HELPERS.divZero() : months ? Math.trunc(x / y) : x / y) };
  }
  const intervalFirst = a.kind === 'INTERVAL_DAY_TIME' || a.kind === 'INTERVAL_YEAR_MONTH';
  const interval = intervalFirst ? a : b;
  const order = (f: (dt: number, iv: number) => number) => (intervalFirst ? (x: number, y: number) => f(y, x) : (x: number, y: number) => f(x, y));
  if (ret.kind === 'DATE') {
    if (interval.kind === 'INTERVAL_YEAR_MONTH') return { kernel: order((d, m) => addMonthsToDate(d, sign * m)) };
    return { kernel: order((d, ms) => d + Math.trunc((sign * ms) / MS_PER_DAY)) };
  }
  if (ret.kind === 'TIME') {
    if (interval.kind === 'INTERVAL_YEAR_MONTH') return { kernel: order((t) => t) };
    return { kernel: order((t, ms) => (((t + sign * ms) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) };
  }
  // TIMESTAMP / TIMESTAMP_LTZ
  if (interval.kind === 'INTERVAL_YEAR_MONTH') return { kernel: order((ts, m) => addMonthsToTimestamp(ts, sign * m)) };
  return {
    kernel: order((ts, ms) => ts + sign * ms),
    inline: intervalFirst ? ([x, y]) => `(${y} + ${x})` : ([x, y]) => `(${x} ${op} ${y})`,
  };
}

function wrapNumber(kind: string, n: number): number {
  switch (kind) {
    case 'INT':
      return n | 0;
    case 'SMALLINT':
      return (n << 16) >> 16;
    case 'TINYINT':
      return (n << 24) >> 24;
    default:
      return n;
  }
}

function arithmeticDef(op: ArithOp, names: string[], description: string): ScalarFunctionDef {
  return {
    kind: 'scalar',
    names,
    signatures: [`NUMERIC ${op} NUMERIC → NUMERIC`, ...(op === '+' || op === '-' ? [`DATETIME ${op} INTERVAL → DATETIME`, `INTERVAL ${op} INTERVAL → INTERVAL`] : [])],
    description,
    deterministic: true,
    nulls: 'strict',
    resolve: (argTypes) => resolveArithmetic(op, argTypes),
    implement: (argTypes, ret) => implementArithmetic(op, argTypes, ret),
  };
}

const negate: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['NEGATE'],
  signatures: ['-NUMERIC → NUMERIC', '-INTERVAL → INTERVAL'],
  description: 'Unary minus. -(3) = -3',
  deterministic: true,
  nulls: 'strict',
  resolve(argTypes) {
    if (argTypes.length !== 1) return null;
    const t = argTypes[0]!.kind === 'NULL' ? NULL_AS_INT : argTypes[0]!;
    if (!isNumericKind(t) && t.kind !== 'INTERVAL_DAY_TIME' && t.kind !== 'INTERVAL_YEAR_MONTH') return null;
    return { returnType: t, argTypes: [t] };
  },
  implement(argTypes) {
    const t = argTypes[0]!;
    if (t.kind === 'DECIMAL') return { kernel: (x: bigint) => -x, inline: ([x]) => `(-${x})` };
    const inline = ([x]: readonly string[]): string => (isIntegerKind(t) ? wrapExpr(t.kind, `0 - ${x}`) : `(-${x})`);
    return { kernel: (x: number) => (isIntegerKind(t) ? wrapNumber(t.kind, 0 - x) : -x), inline };
  },
};

export const ARITHMETIC_FUNCTIONS: readonly ScalarFunctionDef[] = [
  arithmeticDef('+', ['+', 'PLUS'], 'a + b. 1 + 2 = 3; ts + INTERVAL \'1\' MONTH adds a calendar month'),
  arithmeticDef('-', ['-', 'MINUS'], 'a - b. 5 - 7 = -2'),
  arithmeticDef('*', ['*', 'TIMES'], 'a * b. 0.908 * 100 = 90.800'),
  arithmeticDef('/', ['/', 'DIVIDE'], 'a / b; integers divide truncating. 7 / 2 = 3; 7.0 / 2 = 3.5'),
  arithmeticDef('%', ['%', 'MOD'], 'a % b, MOD(a, b): remainder with the sign of a. MOD(-7, 3) = -1'),
  negate,
];
