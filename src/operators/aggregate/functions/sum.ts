/**
 * SUM and SUM0. The accumulator keeps the sum and the number of non-NULL values, so SUM can return NULL
 * again when every value was retracted (Flink's SumWithRetractAggFunction); SUM0 returns 0 instead.
 * Numbers sum as JS numbers; DECIMAL sums as unscaled bigints at the argument's scale and is rescaled to
 * the result type's scale (HALF_UP) when they differ.
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';
import { rescale } from '../../../types/index.js';
import { scaleOf } from './numeric-result.js';

export interface NumberSumAcc {
  sum: number;
  count: number;
}
export interface DecimalSumAcc {
  sum: bigint;
  count: number;
}

export function createSum(sig: AggregateSignature): AggregateFunction {
  const zero = sig.fn === 'SUM0';
  const arg = sig.argTypes[0];
  if (sig.resultType.kind === 'DECIMAL') {
    const from = scaleOf(arg);
    const to = sig.resultType.scale;
    const fn: AggregateFunction<DecimalSumAcc> = {
      name: sig.fn,
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
      getValue: (acc) => (acc.count === 0 && !zero ? null : rescale(acc.sum, from, to)),
    };
    return fn as AggregateFunction;
  }
  const fn: AggregateFunction<NumberSumAcc> = {
    name: sig.fn,
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
    getValue: (acc) => (acc.count === 0 ? (zero ? 0 : null) : acc.sum),
  };
  return fn as AggregateFunction;
}
