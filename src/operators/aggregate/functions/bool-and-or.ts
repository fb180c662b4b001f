/**
 * BOOL_AND and BOOL_OR over the non-NULL values, from counts of TRUE and FALSE values so retraction is
 * exact. NULL when there are no non-NULL values.
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';

export interface BoolCountsAcc {
  trues: number;
  falses: number;
}

export function createBoolAndOr(sig: AggregateSignature): AggregateFunction {
  const and = sig.fn === 'BOOL_AND';
  const fn: AggregateFunction<BoolCountsAcc> = {
    name: sig.fn,
    supportsRetraction: true,
    init: () => ({ trues: 0, falses: 0 }),
    accumulate(acc, value) {
      if (value === true) acc.trues++;
      else if (value === false) acc.falses++;
      return acc;
    },
    retract(acc, value) {
      if (value === true) acc.trues--;
      else if (value === false) acc.falses--;
      return acc;
    },
    merge(acc, other) {
      acc.trues += other.trues;
      acc.falses += other.falses;
      return acc;
    },
    getValue(acc) {
      if (acc.trues <= 0 && acc.falses <= 0) return null;
      return and ? acc.falses <= 0 : acc.trues > 0;
    },
  };
  return fn as AggregateFunction;
}
