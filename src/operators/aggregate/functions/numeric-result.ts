/**
 * Converting aggregate intermediate values to a result type: JS numbers to integer/floating/DECIMAL results,
 * unscaled DECIMAL bigints between scales (HALF_UP), as Flink's aggregate result casts do.
 */
import type { LogicalType } from '../../../types/index.js';

export function pow10(n: number): bigint {
  let r = 1n;
  for (let i = 0; i < n; i++) r *= 10n;
  return r;
}

/** num / den rounded HALF_UP (away from zero at .5), den ≠ 0. */
export function divideHalfUp(num: bigint, den: bigint): bigint {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) return num < 0n ? q - 1n : q + 1n;
  return q;
}

/** An unscaled decimal moved from scale `from` to scale `to` (HALF_UP when digits are dropped). */
export function rescaleDecimal(unscaled: bigint, from: number, to: number): bigint {
  if (from === to) return unscaled;
  if (to > from) return unscaled * pow10(to - from);
  return divideHalfUp(unscaled, pow10(from - to));
}

export function scaleOf(type: LogicalType | undefined): number {
  return type !== undefined && type.kind === 'DECIMAL' ? type.scale : 0;
}

/** A JS number as a value of `type`: truncated for integer types, an unscaled bigint for DECIMAL. */
export function numberToResult(x: number, type: LogicalType): unknown {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return Math.trunc(x);
    case 'DECIMAL': {
      if (!Number.isFinite(x)) return null;
      const s = type.scale;
      // Through the decimal string so that 0.1 + 0.2 style binary noise rounds the way a reader expects.
      const [intPart, frac = ''] = Math.abs(x).toFixed(Math.min(s + 1, 100)).split('.');
      const digits = BigInt(intPart! + frac);
      const unscaled = rescaleDecimal(digits, frac.length, s);
      return x < 0 ? -unscaled : unscaled;
    }
    default:
      return x;
  }
}

/** A value of a numeric argument type as a JS number (DECIMAL bigints divided by their scale). */
export function toNumber(value: unknown, type: LogicalType | undefined): number {
  if (typeof value === 'bigint') return Number(value) / 10 ** scaleOf(type);
  return value as number;
}
