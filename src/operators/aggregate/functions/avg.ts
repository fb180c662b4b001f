/**
 * AVG, from a sum and a count of non-NULL values (as Flink derives AVG from SUM and COUNT). The result
 * type decides the division: integer results truncate toward zero (AVG of BIGINT 1 and 2 is 1, as in
 * Flink), floating results divide as doubles, DECIMAL results divide the unscaled sum at the result's
 * scale, rounding HALF_UP (the result scale may exceed the argument's: AVG(DECIMAL(p, 2)) has scale 6).
 * NULL when no value is counted.
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';
import { divideHalfUp, pow10 } from '../../../types/index.js';
import { scaleOf } from './numeric-result.js';
import type { DecimalSumAcc, NumberSumAcc } from './sum.js';

export function createAvg(sig: AggregateSignature): AggregateFunction {
  const arg = sig.argTypes[0];
  const result = sig.resultType;
  if (result.kind === 'DECIMAL' || arg?.kind === 'DECIMAL') {
    const from = scaleOf(arg);
    const to = scaleOf(result);
    const resultIsDecimal = result.kind === 'DECIMAL';
    const fn: AggregateFunction<DecimalSumAcc> = {
      name: 'AVG',
      supportsRetraction: true,
      init: () => ({ sum: 0n, count: 0 }),
      accumulate(acc, value) {
        if (value === null) return acc;
        acc.sum += typeof value === 'bigint' ? value : BigInt(value as number);
        acc.count++;
        return acc;
      },
      retract(acc, value) {
        if (value === null) return acc;
        acc.sum -= typeof value === 'bigint' ? value : BigInt(value as number);
        acc.count--;
        return acc;
      },
      merge(acc, other) {
        acc.sum += other.sum;
        acc.count += other.count;
        return acc;
      },
      getValue(acc) {
        if (acc.count === 0) return null;
        if (!resultIsDecimal) return Number(acc.sum) / 10 ** from / acc.count;
        const n = BigInt(acc.count);
        return to >= from ? divideHalfUp(acc.sum * pow10(to - from), n) : divideHalfUp(acc.sum, n * pow10(from - to));
      },
    };
    return fn as AggregateFunction;
  }
  const integral = result.kind === 'TINYINT' || result.kind === 'SMALLINT' || result.kind === 'INT' || result.kind === 'BIGINT';
  const fn: AggregateFunction<NumberSumAcc> = {
    name: 'AVG',
    supportsRetraction: true,
    init: () => ({ sum: 0, count: 0 }),
    accumulate(acc, value) {
      if (value === null) return acc;
      acc.sum += value as number;
      acc.count++;
      return acc;
    },
    retract(acc, value) {
      if (value === null) return acc;
      acc.sum -= value as number;
      acc.count--;
      return acc;
    },
    merge(acc, other) {
      acc.sum += other.sum;
      acc.count += other.count;
      return acc;
    },
    getValue(acc) {
      if (acc.count === 0) return null;
      const q = acc.sum / acc.count;
      return integral ? Math.trunc(q) : q;
    },
  };
  return fn as AggregateFunction;
}
