/**
 * STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP from the count, sum and sum of squares of the non-NULL
 * values (Flink rewrites them the same way), computed in doubles. NULL with no values, and for the sample
 * forms with one value. Rounding can make the variance a tiny negative number; it is clamped to 0. The
 * result is converted to the call's result type (Flink types STDDEV(INT) as INT: truncated).
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';
import { numberToResult, toNumber } from './numeric-result.js';

export interface MomentsAcc {
  count: number;
  sum: number;
  sumSq: number;
}

export function createVariance(sig: AggregateSignature): AggregateFunction {
  const arg = sig.argTypes[0];
  const sample = sig.fn === 'STDDEV_SAMP' || sig.fn === 'VAR_SAMP';
  const sqrt = sig.fn === 'STDDEV_POP' || sig.fn === 'STDDEV_SAMP';
  const result = sig.resultType;
  const fn: AggregateFunction<MomentsAcc> = {
    name: sig.fn,
    supportsRetraction: true,
    init: () => ({ count: 0, sum: 0, sumSq: 0 }),
    accumulate(acc, value) {
      if (value === null) return acc;
      const x = toNumber(value, arg);
      acc.count++;
      acc.sum += x;
      acc.sumSq += x * x;
      return acc;
    },
    retract(acc, value) {
      if (value === null) return acc;
      const x = toNumber(value, arg);
      acc.count--;
      acc.sum -= x;
      acc.sumSq -= x * x;
      return acc;
    },
    merge(acc, other) {
      acc.count += other.count;
      acc.sum += other.sum;
      acc.sumSq += other.sumSq;
      return acc;
    },
    getValue(acc) {
      const n = acc.count;
      if (n <= 0 || (sample && n === 1)) return null;
      let v = (acc.sumSq - (acc.sum * acc.sum) / n) / (sample ? n - 1 : n);
      if (v < 0) v = 0;
      return numberToResult(sqrt ? Math.sqrt(v) : v, result);
    },
  };
  return fn as AggregateFunction;
}
