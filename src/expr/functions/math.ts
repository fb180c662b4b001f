/**
 * Math functions: ABS, CEIL/FLOOR (numbers; timestamps with a unit), ROUND, TRUNCATE, POWER, SQRT, EXP, LN,
 * LOG, LOG10, LOG2, SIGN, trigonometry, PI, E, RAND, RAND_INTEGER, UUID.
 *
 * FLOOR/CEIL of a datetime: the planner passes `FLOOR(ts TO HOUR)` as `FLOOR(ts, 'HOUR')` — the unit as a
 * string literal second argument (the same convention as EXTRACT/TIMESTAMPADD).
 */
import { randomUUID } from 'node:crypto';
import { userError } from '../../common/index.js';
import {
  MS_PER_DAY,
  ceilTimestamp,
  decimalRoundType,
  decimalToNumber,
  divideHalfUp,
  floorTimestamp,
  parseDecimalText,
  parseTimeUnit,
  pow10,
  rescale,
  type LogicalType,
  type TimeUnit,
} from '../../types/index.js';
import {
  DOUBLE,
  INT,
  STRING,
  anyNullable,
  defineFunction,
  isIntegerKind,
  isNumericKind,
  isTimestampKind,
  nullable,
  type ScalarFunctionDef,
} from './function-def.js';

const sameType = (args: readonly LogicalType[]): LogicalType => args[0]!;

function unitOf(unit: string, fn: string): TimeUnit {
  const u = parseTimeUnit(unit);
  if (u === null) throw userError('EXPR.TIME_UNIT', `${fn}: unknown time unit '${unit}'`);
  return u;
}

/** Rounds a double to `digits` decimal places HALF_UP on its shortest decimal text (as BigDecimal.valueOf). */
function roundDouble(x: number, digits: number, truncate: boolean): number {
  if (!Number.isFinite(x)) return x;
  const d = parseDecimalText(String(x));
  if (d === null) return x;
  const r = truncate ? truncScale(d.unscaled, d.scale, digits) : rescale(d.unscaled, d.scale, digits);
  return digits >= 0 ? decimalToNumber(r, digits) : Number(r) * 10 ** -digits;
}

/** Drops digits toward zero: the unscaled value at scale `to` (negative `to` keeps tens, hundreds …). */
function truncScale(u: bigint, from: number, to: number): bigint {
  if (to >= from) return u * pow10(to - from);
  return u / pow10(from - to);
}

/** Rounds or truncates an unscaled decimal at scale s to `digits` places, and re-expresses it at scale `outScale`. */
function roundDecimal(u: bigint, s: number, digits: number, outScale: number, truncate: boolean): bigint {
  if (digits >= s) return u * pow10(outScale - s);
  const r = truncate ? truncScale(u, s, digits) : digits >= 0 ? rescale(u, s, digits) : divideHalfUp(u, pow10(s - digits));
  // r is at scale `digits` (possibly negative): bring it to outScale.
  const shift = outScale - digits;
  return shift >= 0 ? r * pow10(shift) : r / pow10(-shift);
}

function roundLike(name: 'ROUND' | 'TRUNCATE', description: string): ScalarFunctionDef {
  const truncate = name === 'TRUNCATE';
  return {
    kind: 'scalar',
    names: [name],
    signatures: [`${name}(NUMERIC[, INTEGER]) → NUMERIC`],
    description,
    deterministic: true,
    nulls: 'strict',
    resolve(argTypes, literals) {
      if (argTypes.length < 1 || argTypes.length > 2) return null;
      const x = argTypes[0]!.kind === 'NULL' ? INT : argTypes[0]!;
      const d = argTypes[1];
      if (!isNumericKind(x) || (d !== undefined && d.kind !== 'NULL' && !isIntegerKind(d))) return null;
      const n = anyNullable(argTypes);
      const digitsType = d === undefined ? [] : [d.kind === 'NULL' ? INT : d];
      if (x.kind === 'DECIMAL') {
        const lit = literals?.[1];
        const digits = d === undefined ? 0 : typeof lit === 'number' ? lit : null;
        // Without a constant digit count the scale stays (the value is still rounded).
        const shape = digits === null ? { precision: Math.min(38, x.precision + 1), scale: x.scale } : decimalRoundType(x, digits);
        return { returnType: { kind: 'DECIMAL', precision: shape.precision, scale: shape.scale, nullable: n }, argTypes: [x, ...digitsType] };
      }
      return { returnType: nullable(x, n), argTypes: [x, ...digitsType] };
    },
    implement(argTypes, ret) {
      const x = argTypes[0]!;
      if (x.kind === 'DECIMAL' && ret.kind === 'DECIMAL') {
        const s = x.scale, out = ret.scale;
        return { kernel: (u: bigint, digits = 0) => roundDecimal(u, s, digits, out, truncate) };
      }
      if (isIntegerKind(x)) {
        return {
          kernel: (v: number, digits = 0) => {
            if (digits >= 0) return v;
            const r = truncate ? truncScale(BigInt(v), 0, digits) : divideHalfUp(BigInt(v), pow10(-digits));
            return Number(r * pow10(-digits));
          },
        };
      }
      const fround = x.kind === 'FLOAT';
      return { kernel: (v: number, digits = 0) => (fround ? Math.fround(roundDouble(v, digits, truncate)) : roundDouble(v, digits, truncate)) };
    },
  };
}

function floorCeil(name: 'FLOOR' | 'CEIL', description: string): ScalarFunctionDef {
  const isFloor = name === 'FLOOR';
  return {
    kind: 'scalar',
    names: isFloor ? ['FLOOR'] : ['CEIL', 'CEILING'],
    signatures: [`${name}(NUMERIC) → NUMERIC`, `${name}(DATETIME, STRING unit) → DATETIME`],
    description,
    deterministic: true,
    nulls: 'strict',
    resolve(argTypes) {
      const n = anyNullable(argTypes);
      if (argTypes.length === 1) {
        const x = argTypes[0]!.kind === 'NULL' ? DOUBLE : argTypes[0]!;
        if (!isNumericKind(x)) return null;
        if (x.kind === 'DECIMAL') {
          const s = decimalRoundType(x, 0);
          return { returnType: { kind: 'DECIMAL', precision: s.precision, scale: 0, nullable: n }, argTypes: [x] };
        }
        return { returnType: nullable(x, n), argTypes: [x] };
      }
      if (argTypes.length === 2) {
        const x = argTypes[0]!;
        const u = argTypes[1]!;
        if (!(isTimestampKind(x) || x.kind === 'DATE' || x.kind === 'TIME') || (u.kind !== 'VARCHAR' && u.kind !== 'CHAR')) return null;
        const plain = isTimestampKind(x) ? ({ kind: x.kind, precision: (x as { precision: number }).precision, nullable: n } as LogicalType) : nullable(x, n);
        return { returnType: plain, argTypes: [x, u] };
      }
      return null;
    },
    implement(argTypes, ret) {
      const x = argTypes[0]!;
      if (argTypes.length === 2) {
        if (x.kind === 'DATE') {
          return { kernel: (d: number, unit: string) => Math.floor((isFloor ? floorTimestamp : ceilTimestamp)(d * MS_PER_DAY, unitOf(unit, name)) / MS_PER_DAY) };
        }
        if (x.kind === 'TIME') return { kernel: (t: number, unit: string) => (isFloor ? floorTimestamp : ceilTimestamp)(t, unitOf(unit, name)) };
        // TIMESTAMP_LTZ rounds on the UTC time line (as Flink with a UTC session); TIMESTAMP on its wall clock.
        return { kernel: (ts: number, unit: string) => (isFloor ? floorTimestamp : ceilTimestamp)(ts, unitOf(unit, name)) };
      }
      if (x.kind === 'DECIMAL' && ret.kind === 'DECIMAL') {
        const d = pow10(x.scale);
        return {
          kernel: (u: bigint) => {
            const q = u / d;
            const r = u % d;
            if (r === 0n) return q;
            return isFloor ? (u < 0n ? q - 1n : q) : u > 0n ? q + 1n : q;
          },
        };
      }
      if (isIntegerKind(x)) return { kernel: (v: number) => v, inline: ([v]) => v! };
      const f = isFloor ? 'floor' : 'ceil';
      return { kernel: isFloor ? Math.floor : Math.ceil, inline: ([v]) => `Math.${f}(${v})` };
    },
  };
}

const abs = defineFunction({
  names: ['ABS'],
  signatures: [{ args: ['numeric'], returns: sameType }, { args: ['interval'], returns: sameType }],
  description: 'ABS(x): absolute value. ABS(-2.5) = 2.5',
  implement(argTypes) {
    const t = argTypes[0]!;
    if (t.kind === 'DECIMAL') return (u: bigint) => (u < 0n ? -u : u);
    if (t.kind === 'INT') return { kernel: (v: number) => Math.abs(v) | 0, inline: ([v]) => `(Math.abs(${v}) | 0)` };
    return { kernel: Math.abs, inline: ([v]) => `Math.abs(${v})` };
  },
});

function doubleFn(names: string[], arity: number, description: string, f: (...xs: number[]) => number, optional = 0): ScalarFunctionDef {
  return defineFunction({
    names,
    signatures: [{ args: Array.from({ length: arity }, () => 'numeric' as const), optional, returns: DOUBLE }],
    description,
    implement(argTypes) {
      const conv = argTypes.map((t) => (t.kind === 'DECIMAL' ? t.scale : -1));
      if (conv.every((c) => c < 0)) return f;
      return (...xs: unknown[]) => f(...xs.map((x, i) => (conv[i]! >= 0 ? decimalToNumber(x as bigint, conv[i]!) : (x as number))));
    },
  });
}

const sign = defineFunction({
  names: ['SIGN'],
  signatures: [{ args: ['numeric'], returns: sameType }],
  description: 'SIGN(x): -1, 0 or 1 (in the type of x). SIGN(-8) = -1',
  implement(argTypes) {
    const t = argTypes[0]!;
    if (t.kind === 'DECIMAL') {
      const one = pow10(t.scale);
      return (u: bigint) => (u > 0n ? one : u < 0n ? -one : 0n);
    }
    return { kernel: Math.sign, inline: ([v]) => `Math.sign(${v})` };
  },
});

/** Mulberry32: a small seeded PRNG so RAND(seed) gives the same sequence on every run. */
function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = defineFunction({
  names: ['RAND'],
  signatures: [{ args: ['integer'], optional: 1, returns: nullable(DOUBLE, false) }],
  description: 'RAND([seed]): a pseudo-random DOUBLE in [0, 1); with a seed the sequence repeats. RAND(42)',
  deterministic: false,
  nulls: 'custom',
  implement(_argTypes, _ret, ctx) {
    let gen: (() => number) | null = ctx.randomSeed === undefined ? null : seededRandom(ctx.randomSeed);
    let seeded: number | null = null;
    return (seed?: number | null) => {
      if (seed !== undefined && seed !== null) {
        if (seeded !== seed) {
          gen = seededRandom(seed);
          seeded = seed;
        }
        return gen!();
      }
      return gen === null ? Math.random() : gen();
    };
  },
});

const randInteger = defineFunction({
  names: ['RAND_INTEGER'],
  signatures: [{ args: ['integer'], returns: INT }, { args: ['integer', 'integer'], returns: INT }],
  description: 'RAND_INTEGER([seed, ] n): a pseudo-random INT in [0, n). RAND_INTEGER(10)',
  deterministic: false,
  implement(argTypes, _ret, ctx) {
    let gen: () => number = ctx.randomSeed === undefined ? Math.random : seededRandom(ctx.randomSeed);
    let seeded: number | null = null;
    if (argTypes.length === 1) return (n: number) => Math.floor(gen() * n);
    return (seed: number, n: number) => {
      if (seeded !== seed) {
        gen = seededRandom(seed);
        seeded = seed;
      }
      return Math.floor(gen() * n);
    };
  },
});

const uuid = defineFunction({
  names: ['UUID'],
  signatures: [{ args: [], returns: nullable(STRING, false) }],
  description: "UUID(): a random RFC 4122 version 4 UUID string. UUID() = '3d3c68f7-…'",
  deterministic: false,
  implement: () => () => randomUUID(),
});

const constant = (name: string, value: number, description: string): ScalarFunctionDef =>
  defineFunction({
    names: [name],
    signatures: [{ args: [], returns: nullable(DOUBLE, false) }],
    description,
    implement: () => ({ kernel: () => value, inline: () => String(value) }),
  });

const log = defineFunction({
  names: ['LOG'],
  signatures: [{ args: ['numeric', 'numeric'], optional: 1, returns: DOUBLE }],
  description: 'LOG(x) natural logarithm; LOG(base, x) logarithm to a base. LOG(10, 100) = 2.0',
  implement(argTypes) {
    const conv = argTypes.map((t) => (t.kind === 'DECIMAL' ? t.scale : -1));
    const num = (x: unknown, i: number): number => (conv[i]! >= 0 ? decimalToNumber(x as bigint, conv[i]!) : (x as number));
    if (argTypes.length === 1) return (x: unknown) => Math.log(num(x, 0));
    return (b: unknown, x: unknown) => Math.log(num(x, 1)) / Math.log(num(b, 0));
  },
});

export const MATH_FUNCTIONS: readonly ScalarFunctionDef[] = [
  abs,
  floorCeil('FLOOR', "FLOOR(x): largest integer ≤ x; FLOOR(ts TO unit) rounds a timestamp down. FLOOR(TIMESTAMP '2020-01-01 10:20:30' TO HOUR) = 2020-01-01 10:00:00"),
  floorCeil('CEIL', 'CEIL(x): smallest integer ≥ x; CEIL(ts TO unit) rounds a timestamp up. CEIL(1.2) = 2'),
  roundLike('ROUND', 'ROUND(x[, d]): rounds half away from zero to d decimal places. ROUND(2.345, 2) = 2.35'),
  roundLike('TRUNCATE', 'TRUNCATE(x[, d]): cuts to d decimal places toward zero. TRUNCATE(2.349, 2) = 2.34'),
  doubleFn(['POWER', 'POW'], 2, 'POWER(x, y): x raised to y. POWER(2, 10) = 1024.0', Math.pow),
  doubleFn(['SQRT'], 1, 'SQRT(x): square root. SQRT(9) = 3.0', Math.sqrt),
  doubleFn(['EXP'], 1, 'EXP(x): e to the power x. EXP(0) = 1.0', Math.exp),
  doubleFn(['LN'], 1, 'LN(x): natural logarithm. LN(1) = 0.0', Math.log),
  log,
  doubleFn(['LOG10'], 1, 'LOG10(x): base-10 logarithm. LOG10(1000) = 3.0', Math.log10),
  doubleFn(['LOG2'], 1, 'LOG2(x): base-2 logarithm. LOG2(8) = 3.0', Math.log2),
  sign,
  doubleFn(['SIN'], 1, 'SIN(x): sine of x radians. SIN(0) = 0.0', Math.sin),
  doubleFn(['COS'], 1, 'COS(x): cosine of x radians. COS(0) = 1.0', Math.cos),
  doubleFn(['TAN'], 1, 'TAN(x): tangent of x radians. TAN(0) = 0.0', Math.tan),
  doubleFn(['COT'], 1, 'COT(x): cotangent of x radians. COT(1) = 0.642…', (x) => 1 / Math.tan(x)),
  doubleFn(['ASIN'], 1, 'ASIN(x): arc sine. ASIN(1) = 1.5707…', Math.asin),
  doubleFn(['ACOS'], 1, 'ACOS(x): arc cosine. ACOS(1) = 0.0', Math.acos),
  doubleFn(['ATAN'], 1, 'ATAN(x): arc tangent. ATAN(0) = 0.0', Math.atan),
  doubleFn(['ATAN2'], 2, 'ATAN2(y, x): angle of the point (x, y). ATAN2(1, 1) = 0.785…', Math.atan2),
  doubleFn(['SINH'], 1, 'SINH(x): hyperbolic sine. SINH(0) = 0.0', Math.sinh),
  doubleFn(['COSH'], 1, 'COSH(x): hyperbolic cosine. COSH(0) = 1.0', Math.cosh),
  doubleFn(['TANH'], 1, 'TANH(x): hyperbolic tangent. TANH(0) = 0.0', Math.tanh),
  doubleFn(['DEGREES'], 1, 'DEGREES(x): radians to degrees. DEGREES(PI()) = 180.0', (x) => (x * 180) / Math.PI),
  doubleFn(['RADIANS'], 1, 'RADIANS(x): degrees to radians. RADIANS(180) = 3.14159…', (x) => (x * Math.PI) / 180),
  constant('PI', Math.PI, 'PI(): π. PI() = 3.141592653589793'),
  constant('E', Math.E, 'E(): Euler’s number. E() = 2.718281828459045'),
  rand,
  randInteger,
  uuid,
];
