/**
 * FIRST_VALUE and LAST_VALUE: the first / last non-NULL value in arrival order. On insert-only input the
 * accumulator is that value. Under retraction it is the list of non-NULL values still present, in arrival
 * order; a retraction removes the earliest copy of an equal value (Flink's FirstValueWithRetract removes
 * the value's earliest order too), and the result is the list's first / last element.
 */
import { internalError } from '../../../common/index.js';
import { encodeValue } from '../../../state/index.js';
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';

export function createFirstLastValue(sig: AggregateSignature): AggregateFunction {
  const first = sig.fn === 'FIRST_VALUE';
  if (!sig.withRetraction) {
    const fn: AggregateFunction<unknown> = {
      name: sig.fn,
      supportsRetraction: false,
      init: () => null,
      accumulate: first ? (acc, value) => (acc === null ? value : acc) : (acc, value) => (value === null ? acc : value),
      retract: () => {
        throw internalError(`${sig.fn} was planned for insert-only input but received a retraction`);
      },
      merge: first ? (acc, other) => (acc === null ? other : acc) : (acc, other) => (other === null ? acc : other),
      getValue: (acc) => acc,
    };
    return fn;
  }
  const fn: AggregateFunction<unknown[]> = {
    name: sig.fn,
    supportsRetraction: true,
    init: () => [],
    accumulate(acc, value) {
      if (value !== null) acc.push(value);
      return acc;
    },
    retract(acc, value) {
      if (value === null) return acc;
      const i = indexOfValue(acc, value);
      if (i >= 0) acc.splice(i, 1);
      return acc;
    },
    merge(acc, other) {
      for (const v of other) acc.push(v);
      return acc;
    },
    getValue: (acc) => (acc.length === 0 ? null : first ? acc[0] : acc[acc.length - 1]),
  };
  return fn as AggregateFunction;
}

/** Index of the first element equal (as a SQL value) to `value`, or -1. */
export function indexOfValue(list: readonly unknown[], value: unknown): number {
  if (typeof value !== 'object') return list.indexOf(value);
  const key = encodeValue(value);
  for (let i = 0; i < list.length; i++) if (encodeValue(list[i]) === key) return i;
  return -1;
}
