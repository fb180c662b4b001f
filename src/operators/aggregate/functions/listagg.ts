/**
 * LISTAGG(expr [, separator]): the non-NULL values joined by the separator (default `,`), NULL when there
 * are none. The accumulator keeps the values in arrival order so a retraction can remove one (the
 * earliest equal value, like Flink's ListAggWithRetract `list.remove(value)`), and the separator of the
 * latest row (it is a per-call constant in practice).
 */
import type { AggregateFunction, AggregateSignature } from '../aggregate-function.js';

export interface ListAggAcc {
  readonly values: string[];
  separator: string;
}

export function createListAgg(sig: AggregateSignature): AggregateFunction {
  const fn: AggregateFunction<ListAggAcc> = {
    name: 'LISTAGG',
    supportsRetraction: true,
    init: () => ({ values: [], separator: ',' }),
    accumulate(acc, value, separator) {
      if (typeof separator === 'string') acc.separator = separator;
      if (value !== null) acc.values.push(value as string);
      return acc;
    },
    retract(acc, value) {
      if (value === null) return acc;
      const i = acc.values.indexOf(value as string);
      if (i >= 0) acc.values.splice(i, 1);
      return acc;
    },
    merge(acc, other) {
      for (const v of other.values) acc.values.push(v);
      return acc;
    },
    getValue: (acc) => (acc.values.length === 0 ? null : acc.values.join(acc.separator)),
  };
  void sig;
  return fn as AggregateFunction;
}
