/**
 * COUNT(*) and COUNT(x): BIGINT row counts. The accumulator is the count itself. COUNT(x) skips NULL
 * arguments (for COUNT(a, b) the aggregate set passes NULL when any argument is NULL).
 */
import type { AggregateFunction } from '../aggregate-function.js';

export const countStar: AggregateFunction<number> = {
  name: 'COUNT',
  supportsRetraction: true,
  init: () => 0,
  accumulate: (acc) => acc + 1,
  retract: (acc) => acc - 1,
  merge: (acc, other) => acc + other,
  getValue: (acc) => acc,
};

export const count: AggregateFunction<number> = {
  name: 'COUNT',
  supportsRetraction: true,
  init: () => 0,
  accumulate: (acc, value) => (value === null ? acc : acc + 1),
  retract: (acc, value) => (value === null ? acc : acc - 1),
  merge: (acc, other) => acc + other,
  getValue: (acc) => acc,
};
