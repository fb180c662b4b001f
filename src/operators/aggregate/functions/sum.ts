/**
 * SUM and SUM0. The accumulator keeps the sum and the number of non-NULL values, so SUM can return NULL
 * again when every value was retracted (Flink's SumWithRetractAggFunction); SUM0 returns 0 instead.
 * Numbers sum as JS numbers; DECIMAL sums as unscaled bigints at the argument's scale and is rescaled to
 * the result type's scale (HALF_UP) when they differ.
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';
import { runtimeError } from '../../../common/index.js';
import { formatType, rescale, type LogicalType } from '../../../types/index.js';
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
  if (sig.resultType.kind === 'BIGINT' || sig.resultType.kind === 'INT') return createIntegerSum(sig, zero);
  const fn: AggregateFunction<NumberSumAcc> = {
    ...numberSumAccumulator,
    name: sig.fn,
    getValue: (acc) => (acc.count === 0 ? (zero ? 0 : null) : acc.sum),
  };
  return fn as AggregateFunction;
}

export interface IntegerSumAcc extends NumberSumAcc {
  /** Set once the running sum left ±2^53−1: from then on its digits are not exact, whatever follows. */
  inexact: boolean;
}

const outOfRange = (x: number): boolean => x > Number.MAX_SAFE_INTEGER || x < -Number.MAX_SAFE_INTEGER;

/**
 * The accumulating half of an integer SUM (and of AVG over integers). Integer sums are JS numbers
 * (logical-type.ts); a sum that leaves ±2^53−1 has lost digits for good, so the accumulator remembers it and
 * `exactSum` turns it into an error rather than a wrong number (Flink would wrap at 2^63).
 */
export const integerSumAccumulator: Omit<AggregateFunction<IntegerSumAcc>, 'name' | 'getValue'> = {
  supportsRetraction: true,
  init: () => ({ sum: 0, count: 0, inexact: false }),
  accumulate(acc, value) {
    if (value === null) return acc;
    acc.sum += value as number;
    acc.count++;
    if (outOfRange(acc.sum)) acc.inexact = true;
    return acc;
  },
  retract(acc, value) {
    if (value === null) return acc;
    acc.sum -= value as number;
    acc.count--;
    if (outOfRange(acc.sum)) acc.inexact = true;
    return acc;
  },
  merge(acc, other) {
    acc.sum += other.sum;
    acc.count += other.count;
    acc.inexact ||= other.inexact || outOfRange(acc.sum);
    return acc;
  },
};

/** The sum of an integer accumulator, or an ARITH.INTEGER_RANGE error when it is no longer exact. */
export function exactSum(acc: IntegerSumAcc, fnName: string, resultType: LogicalType): number {
  if (acc.inexact) {
    throw runtimeError('ARITH.INTEGER_RANGE', `${fnName} over ${formatType(resultType)} values left the exact range ±2^53−1`, {
      help: 'CAST the argument to DECIMAL(38, 0) for exact large sums',
    });
  }
  return acc.sum;
}

function createIntegerSum(sig: AggregateSignature, zero: boolean): AggregateFunction {
  const fn: AggregateFunction<IntegerSumAcc> = {
    ...integerSumAccumulator,
    name: sig.fn,
    getValue(acc) {
      const sum = exactSum(acc, sig.fn, sig.resultType);
      return acc.count === 0 ? (zero ? 0 : null) : sum;
    },
  };
  return fn as AggregateFunction;
}
