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

/**
 * The accumulating half of SUM (init, accumulate, retract, merge) over JS numbers or unscaled DECIMAL
 * bigints; SUM, SUM0 and AVG differ only in how they read the result (`getValue`).
 */
export const numberSumAccumulator: Omit<AggregateFunction<NumberSumAcc>, 'name' | 'getValue'> = {
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
};

export const decimalSumAccumulator: Omit<AggregateFunction<DecimalSumAcc>, 'name' | 'getValue'> = {
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
};

export function createSum(sig: AggregateSignature): AggregateFunction {
  const zero = sig.fn === 'SUM0';
  if (sig.resultType.kind === 'DECIMAL') {
    const from = scaleOf(sig.argTypes[0]);
    const to = sig.resultType.scale;
    const fn: AggregateFunction<DecimalSumAcc> = {
      ...decimalSumAccumulator,
      name: sig.fn,
      getValue: (acc) => (acc.count === 0 && !zero ? null : rescale(acc.sum, from, to)),
    };
    return fn as AggregateFunction;
  }
  const fn: AggregateFunction<NumberSumAcc> = {
    ...numberSumAccumulator,
    name: sig.fn,
    getValue: (acc) => (acc.count === 0 ? (zero ? 0 : null) : acc.sum),
  };
  return fn as AggregateFunction;
}
