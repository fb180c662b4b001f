/**
 * MIN and MAX. On insert-only input the accumulator is the current extreme (NULL until a non-NULL value
 * arrives). Under retraction it is a multiset of values (canonical encoding → [value, count]) plus the
 * cached extreme: retracting a value other than the extreme is O(1); retracting the last copy of the
 * extreme marks the cache stale and the next `getValue` rescans the multiset (Flink's MaxWithRetract keeps
 * the same map). Counts may go negative when a retraction precedes its accumulation (out-of-order
 * changelog across keys of an upstream join); only values with a positive count are candidates.
 */
import { internalError } from '../../../common/index.js';
import { compareValues } from '../../../types/index.js';
import type { LogicalType } from '../../../types/index.js';
import { encodeValue } from '../../../state/index.js';
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';

export interface MinMaxRetractAcc {
  readonly values: Map<string, [unknown, number]>;
  extreme: unknown;
  /** True when `extreme` may be out of date (its last copy was retracted). */
  stale: boolean;
}

export function createMinMax(sig: AggregateSignature): AggregateFunction {
  const type: LogicalType = sig.argTypes[0] ?? sig.resultType;
  const sign = sig.fn === 'MIN' ? 1 : -1;
  /** True when `a` should replace the current extreme `b`. */
  const better = (a: unknown, b: unknown): boolean => sign * compareValues(a, b, type) < 0;

  if (!sig.withRetraction) {
    const fn: AggregateFunction<unknown> = {
      name: sig.fn,
      supportsRetraction: false,
      init: () => null,
      accumulate: (acc, value) => (value === null ? acc : acc === null || better(value, acc) ? value : acc),
      retract: () => {
        throw internalError(`${sig.fn} was planned for insert-only input but received a retraction`);
      },
      merge: (acc, other) => (other === null ? acc : acc === null || better(other, acc) ? other : acc),
      getValue: (acc) => acc,
    };
    return fn;
  }

  const recompute = (acc: MinMaxRetractAcc): void => {
    let best: unknown = null;
    for (const [v, n] of acc.values.values()) if (n > 0 && (best === null || better(v, best))) best = v;
    acc.extreme = best;
    acc.stale = false;
  };
  const add = (acc: MinMaxRetractAcc, value: unknown, delta: number): void => {
    const key = encodeValue(value);
    const entry = acc.values.get(key);
    let n: number;
    if (entry === undefined) {
      n = delta;
      acc.values.set(key, [value, n]);
    } else {
      n = entry[1] += delta;
      if (n === 0) acc.values.delete(key);
    }
    if (delta > 0) {
      if (n > 0 && !acc.stale && (acc.extreme === null || better(value, acc.extreme))) acc.extreme = value;
    } else if (n <= 0 && acc.extreme !== null && compareValues(value, acc.extreme, type) === 0) {
      acc.stale = true;
    }
  };
  const fn: AggregateFunction<MinMaxRetractAcc> = {
    name: sig.fn,
    supportsRetraction: true,
    init: () => ({ values: new Map(), extreme: null, stale: false }),
    accumulate(acc, value) {
      if (value !== null) add(acc, value, 1);
      return acc;
    },
    retract(acc, value) {
      if (value !== null) add(acc, value, -1);
      return acc;
    },
    merge(acc, other) {
      for (const [v, n] of other.values.values()) add(acc, v, n);
      return acc;
    },
    getValue(acc) {
      if (acc.stale) recompute(acc);
      return acc.extreme;
    },
  };
  return fn as AggregateFunction;
}
