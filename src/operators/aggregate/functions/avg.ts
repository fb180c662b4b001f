/**
 * AVG, from a sum and a count of non-NULL values (as Flink derives AVG from SUM and COUNT). The result
 * type decides the division: integer results truncate toward zero (AVG of BIGINT 1 and 2 is 1, as in
 * Flink), floating results divide as doubles, DECIMAL results divide the unscaled sum at the result's
 * scale, rounding HALF_UP (the result scale may exceed the argument's: AVG(DECIMAL(p, 2)) has scale 6).
 * NULL when no value is counted.
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';
import { decimalToNumber, divideHalfUp, isExactIntegerType, pow10 } from '../../../types/index.js';
import { scaleOf } from './numeric-result.js';
import { decimalSumAccumulator, exactSum, integerSumAccumulator, numberSumAccumulator, type DecimalSumAcc, type IntegerSumAcc, type NumberSumAcc } from './sum.js';

export function createAvg(sig: AggregateSignature): AggregateFunction {
  const arg = sig.argTypes[0];
  const result = sig.resultType;
  if (result.kind === 'DECIMAL' || arg?.kind === 'DECIMAL') {
    const from = scaleOf(arg);
    const to = scaleOf(result);
    const resultIsDecimal = result.kind === 'DECIMAL';
    const fn: AggregateFunction<DecimalSumAcc> = {
      ...decimalSumAccumulator,
      name: 'AVG',
      getValue(acc) {
        if (acc.count === 0) return null;
        if (!resultIsDecimal) return decimalToNumber(acc.sum, from) / acc.count;
        const n = BigInt(acc.count);
        return to >= from ? divideHalfUp(acc.sum * pow10(to - from), n) : divideHalfUp(acc.sum, n * pow10(from - to));
      },
    };
    return fn as AggregateFunction;
  }
  if (isExactIntegerType(result)) {
    const fn: AggregateFunction<IntegerSumAcc> = {
      ...integerSumAccumulator,
      name: 'AVG',
      getValue(acc) {
        const sum = exactSum(acc, 'AVG', result);
        return acc.count === 0 ? null : Math.trunc(sum / acc.count);
      },
    };
    return fn as AggregateFunction;
  }
  const fn: AggregateFunction<NumberSumAcc> = {
    ...numberSumAccumulator,
    name: 'AVG',
    getValue: (acc) => (acc.count === 0 ? null : acc.sum / acc.count),
  };
  return fn as AggregateFunction;
}
