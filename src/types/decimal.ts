/**
 * Exact DECIMAL arithmetic on unscaled bigints, with Flink's result-type rules (`LogicalTypeMerging`).
 *
 * A DECIMAL(p, s) value is the bigint `unscaled` with value = unscaled × 10^-s (see logical-type.ts).
 * Invariant: a value of type DECIMAL(p, s) satisfies |unscaled| < 10^p. Operations that would break it
 * return `null`, which is what Flink does (`DecimalData.fromBigDecimal` yields null on precision overflow,
 * and `CAST(x AS DECIMAL(p, s))` is NULL when x does not fit).
 *
 * Rounding is HALF_UP (away from zero on a tie), as Java's `RoundingMode.HALF_UP` which Flink uses when it
 * rescales (casts, division, rounding adjustments when the precision is capped at 38).
 */
import { MAX_DECIMAL_PRECISION, type LogicalType } from './logical-type.js';

/** Flink's `LogicalTypeMerging.MINIMUM_ADJUSTED_SCALE`: scale kept when precision must be capped. */
const MINIMUM_ADJUSTED_SCALE = 6;

export interface DecimalShape {
  readonly precision: number;
  readonly scale: number;
}

const POW10: bigint[] = [];
{
  let p = 1n;
  for (let i = 0; i <= 80; i++) {
    POW10.push(p);
    p *= 10n;
  }
}

/** 10^n as a bigint (cached up to 10^80). */
export function pow10(n: number): bigint {
  return n <= 80 ? POW10[n]! : 10n ** BigInt(n);
}

// ---------------------------------------------------------------------------------------------------------
// Result types

/** The DECIMAL view of an exact numeric type: integers have scale 0 and their maximum digit count. */
export function decimalShapeOf(type: LogicalType): DecimalShape | null {
  switch (type.kind) {
    case 'DECIMAL':
      return { precision: type.precision, scale: type.scale };
    case 'TINYINT':
      return { precision: 3, scale: 0 };
    case 'SMALLINT':
      return { precision: 5, scale: 0 };
    case 'INT':
      return { precision: 10, scale: 0 };
    case 'BIGINT':
      return { precision: 19, scale: 0 };
    default:
      return null;
  }
}

/**
 * Flink's `adjustPrecisionScale`: when the exact result needs more than 38 digits, keep the integral digits
 * and give up fraction digits, but keep at least min(scale, 6) of them.
 */
export function adjustPrecisionScale(precision: number, scale: number): DecimalShape {
  if (precision <= MAX_DECIMAL_PRECISION) return { precision, scale };
  const digitPart = precision - scale;
  const minScalePart = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  const adjustScale = Math.max(MAX_DECIMAL_PRECISION - digitPart, minScalePart);
  return { precision: MAX_DECIMAL_PRECISION, scale: adjustScale };
}

/** `+` and `-`: s = max(s1, s2), p = max(p1 - s1, p2 - s2) + s + 1. */
export function decimalAddType(a: DecimalShape, b: DecimalShape): DecimalShape {
  const scale = Math.max(a.scale, b.scale);
  return adjustPrecisionScale(Math.max(a.precision - a.scale, b.precision - b.scale) + scale + 1, scale);
}

/** `*`: p = p1 + p2, s = s1 + s2. E.g. DECIMAL(4, 3) × BIGINT (= DECIMAL(19, 0)) → DECIMAL(23, 3) (nexmark q1). */
export function decimalMultiplyType(a: DecimalShape, b: DecimalShape): DecimalShape {
  return adjustPrecisionScale(a.precision + b.precision, a.scale + b.scale);
}

/** `/`: s = max(6, s1 + p2 + 1), p = p1 - s1 + s2 + s. */
export function decimalDivideType(a: DecimalShape, b: DecimalShape): DecimalShape {
  const scale = Math.max(MINIMUM_ADJUSTED_SCALE, a.scale + b.precision + 1);
  return adjustPrecisionScale(a.precision - a.scale + b.scale + scale, scale);
}

/** `%` / MOD: s = max(s1, s2), p = min(p1 - s1, p2 - s2) + s. */
export function decimalModType(a: DecimalShape, b: DecimalShape): DecimalShape {
  const scale = Math.max(a.scale, b.scale);
  return adjustPrecisionScale(Math.min(a.precision - a.scale, b.precision - b.scale) + scale, scale);
}

/** ROUND(x, r) of a DECIMAL(p, s) (Flink `findRoundDecimalType`); rounding may add one digit. */
export function decimalRoundType(a: DecimalShape, round: number): DecimalShape {
  if (round >= a.scale) return a;
  if (round < 0) return { precision: Math.min(MAX_DECIMAL_PRECISION, 1 + a.precision - a.scale), scale: 0 };
  return { precision: 1 + a.precision - a.scale + round, scale: round };
}

/** SUM(DECIMAL(p, s)) → DECIMAL(38, s). */
export function decimalSumType(a: DecimalShape): DecimalShape {
  return { precision: MAX_DECIMAL_PRECISION, scale: a.scale };
}

/** AVG(DECIMAL(p, s)) → Flink divides the sum DECIMAL(38, s) by a count DECIMAL(20, 0): DECIMAL(38, max(6, s)). */
export function decimalAvgType(a: DecimalShape): DecimalShape {
  return decimalDivideType({ precision: MAX_DECIMAL_PRECISION, scale: a.scale }, { precision: 20, scale: 0 });
}

/**
 * The type Calcite (and so Flink) gives an exact numeric literal as written: precision counts every digit
 * written, including a leading zero, so `0.908` is DECIMAL(4, 3) and `12.50` is DECIMAL(4, 2); a literal
 * without a point is DECIMAL(n, 0) (the binder narrows small ones to INT/BIGINT).
 */
export function decimalLiteralShape(text: string): DecimalShape {
  const t = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  const dot = t.indexOf('.');
  if (dot >= 0 && dot !== t.length - 1) return { precision: t.length - 1, scale: t.length - dot - 1 };
  if (dot >= 0) return { precision: t.length - 1, scale: 0 };
  return { precision: t.length, scale: 0 };
}

// ---------------------------------------------------------------------------------------------------------
// Value operations

/** True when |unscaled| < 10^precision. */
export function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const limit = pow10(precision);
  return unscaled < limit && unscaled > -limit;
}

/** num / den rounded HALF_UP (den ≠ 0). */
export function divideHalfUp(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const r2 = (r < 0n ? -r : r) * 2n;
  const d = den < 0n ? -den : den;
  if (r2 >= d) return (num < 0n) !== (den < 0n) ? q - 1n : q + 1n;
  return q;
}

/** Changes the scale of an unscaled value, rounding HALF_UP when digits are dropped. */
export function rescale(unscaled: bigint, fromScale: number, toScale: number): bigint {
  if (toScale === fromScale) return unscaled;
  if (toScale > fromScale) return unscaled * pow10(toScale - fromScale);
  return divideHalfUp(unscaled, pow10(fromScale - toScale));
}

/** Rescales and checks the precision: null when the value does not fit DECIMAL(p, s) (Flink's cast overflow). */
export function toDecimal(unscaled: bigint, fromScale: number, precision: number, scale: number): bigint | null {
  const r = rescale(unscaled, fromScale, scale);
  return fitsPrecision(r, precision) ? r : null;
}

/** a + b, both already at scale `scale` (the planner casts operands to the result scale when they differ). */
export function decimalAdd(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null {
  const sum = rescale(a, sa, Math.max(sa, sb)) + rescale(b, sb, Math.max(sa, sb));
  return toDecimal(sum, Math.max(sa, sb), p, s);
}

export function decimalSubtract(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null {
  const diff = rescale(a, sa, Math.max(sa, sb)) - rescale(b, sb, Math.max(sa, sb));
  return toDecimal(diff, Math.max(sa, sb), p, s);
}

export function decimalMultiply(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null {
  return toDecimal(a * b, sa + sb, p, s);
}

/** a / b at result scale s, HALF_UP. Returns undefined for a zero divisor (the caller raises the error). */
export function decimalDivide(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null | undefined {
  if (b === 0n) return undefined;
  // a·10^-sa / (b·10^-sb) · 10^s = a·10^(sb+s) / (b·10^sa)
  const q = divideHalfUp(a * pow10(sb + s), b * pow10(sa));
  return fitsPrecision(q, p) ? q : null;
}

/** a % b with the sign of a (Java `BigDecimal.remainder`). Undefined for a zero divisor. */
export function decimalMod(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null | undefined {
  if (b === 0n) return undefined;
  const c = Math.max(sa, sb);
  return toDecimal(rescale(a, sa, c) % rescale(b, sb, c), c, p, s);
}

/** Three-way comparison of two decimals with possibly different scales. */
export function decimalCompare(a: bigint, sa: number, b: bigint, sb: number): number {
  const c = Math.max(sa, sb);
  const x = rescale(a, sa, c);
  const y = rescale(b, sb, c);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Text and number conversions

export interface ParsedDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
  /** Digits of `unscaled` (at least 1). */
  readonly precision: number;
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses `12.50`, `-0.908`, `.5`, `1e3`, `1.5E-2` exactly; null when the text is not a number. */
export function parseDecimalText(text: string): ParsedDecimal | null {
  const m = DECIMAL_TEXT.exec(text);
  if (m === null) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart.length === 0 && fracPart.length === 0) return null;
  let scale = fracPart.length - (m[4] === undefined ? 0 : Number(m[4]));
  let unscaled = BigInt(intPart + fracPart || '0');
  if (scale < 0) {
    unscaled *= pow10(-scale);
    scale = 0;
  }
  if (m[1] === '-') unscaled = -unscaled;
  const abs = unscaled < 0n ? -unscaled : unscaled;
  return { unscaled, scale, precision: Math.max(abs.toString().length, 1) };
}

/** Parses text as DECIMAL(p, s) (HALF_UP); null when it is not a number or does not fit (Flink: NULL). */
export function parseDecimal(text: string, precision: number, scale: number): bigint | null {
  const d = parseDecimalText(text);
  if (d === null) return null;
  return toDecimal(d.unscaled, d.scale, precision, scale);
}

/** Plain text with exactly `scale` fraction digits, as Flink prints DECIMAL: `1234.560`, `-0.5`, `0.000`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale === 0) return neg ? '-' + digits : digits;
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const text = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  return neg ? '-' + text : text;
}

/** The nearest double (via the exact decimal text, so 0.1 stays 0.1). */
export function decimalToNumber(unscaled: bigint, scale: number): number {
  return scale === 0 ? Number(unscaled) : Number(formatDecimal(unscaled, scale));
}

/**
 * A double as DECIMAL(p, s), as Flink (`BigDecimal.valueOf(double)`, i.e. the shortest decimal text, then
 * HALF_UP): null for NaN/±Infinity or when it does not fit.
 */
export function decimalFromNumber(value: number, precision: number, scale: number): bigint | null {
  if (!Number.isFinite(value)) return null;
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
    return toDecimal(BigInt(value), 0, precision, scale);
  }
  const d = parseDecimalText(String(value));
  return d === null ? null : toDecimal(d.unscaled, d.scale, precision, scale);
}

/** Truncates toward zero to an integer (Flink's DECIMAL → integer casts), as a bigint. */
export function decimalTruncate(unscaled: bigint, scale: number): bigint {
  return scale === 0 ? unscaled : unscaled / pow10(scale);
}
