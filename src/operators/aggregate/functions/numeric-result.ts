/**
 * Converting aggregate intermediate values to a result type (JS numbers to integer/floating/DECIMAL
 * results), as Flink's aggregate result casts do; DECIMAL arithmetic itself lives in types/decimal.ts.
 */
import { decimalFromNumber, decimalToNumber, type LogicalType } from '../../../types/index.js';

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
    case 'DECIMAL':
      return decimalFromNumber(x, type.precision, type.scale);
    default:
      return x;
  }
}

/** A value of a numeric argument type as a JS number (DECIMAL bigints divided by their scale). */
export function toNumber(value: unknown, type: LogicalType | undefined): number {
  if (typeof value === 'bigint') return decimalToNumber(value, scaleOf(type));
  return value as number;
}
