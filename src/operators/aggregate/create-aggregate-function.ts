/**
 * Picks the implementation of an `AggregateCall` by function name (the spec's `fn`) and argument/result
 * types. Unknown names are a planner/runtime mismatch and fail when the operator is built.
 */
import { unsupported } from '../../common/index.js';
import type { AggregateCall } from '../../spec/index.js';
import type { AggregateFunction, AggregateSignature } from './aggregate-function.js';
import { createAvg } from './functions/avg.js';
import { createBoolAndOr } from './functions/bool-and-or.js';
import { count, countStar } from './functions/count.js';
import { createFirstLastValue } from './functions/first-last-value.js';
import { createListAgg } from './functions/listagg.js';
import { createMinMax } from './functions/min-max.js';
import { createSum } from './functions/sum.js';
import { createVariance } from './functions/variance.js';

/** Aggregate function names the operators implement (the spec's `AggregateCall.fn`). */
export const SUPPORTED_AGGREGATES: readonly string[] = [
  'COUNT',
  'SUM',
  'SUM0',
  'AVG',
  'MIN',
  'MAX',
  'FIRST_VALUE',
  'LAST_VALUE',
  'LISTAGG',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VAR_POP',
  'VAR_SAMP',
  'BOOL_AND',
  'BOOL_OR',
];

export function createAggregateFunction(call: AggregateCall, withRetraction: boolean): AggregateFunction {
  const sig: AggregateSignature = { fn: call.fn, argTypes: call.argTypes, resultType: call.type, withRetraction };
  switch (call.fn) {
    case 'COUNT':
      return (call.args.length === 0 ? countStar : count) as AggregateFunction;
    case 'SUM':
    case 'SUM0':
      return createSum(sig);
    case 'AVG':
      return createAvg(sig);
    case 'MIN':
    case 'MAX':
      return createMinMax(sig);
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      return createFirstLastValue(sig);
    case 'LISTAGG':
      return createListAgg(sig);
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'VAR_POP':
    case 'VAR_SAMP':
      return createVariance(sig);
    case 'BOOL_AND':
    case 'BOOL_OR':
      return createBoolAndOr(sig);
    default:
      throw unsupported('OPERATOR.UNSUPPORTED_AGGREGATE', `aggregate function ${call.fn} (${call.name}) is not supported`, {
        notes: [`supported: ${SUPPORTED_AGGREGATES.join(', ')}`],
      });
  }
}

/** Functions whose merge of partial accumulators equals accumulating all their rows in one accumulator. */
const EXACT_MERGE = new Set(['COUNT', 'SUM', 'SUM0', 'AVG', 'MIN', 'MAX', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'BOOL_AND', 'BOOL_OR']);
/** Of those, the ones that add up their arguments (inexact over binary floating point). */
const SUMMING = new Set(['SUM', 'SUM0', 'AVG', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP']);

/**
 * Whether merging partial accumulators of `call` (window slices, a pre-aggregation buffer and state) gives
 * exactly the result of one accumulator over all rows, however the rows were split. Not for DISTINCT (a
 * distinct view cannot be merged from accumulators), FIRST_VALUE / LAST_VALUE / LISTAGG (arrival order
 * across parts), and sums over FLOAT / DOUBLE (partial sums round differently from one running sum).
 */
export function mergesExactly(call: AggregateCall): boolean {
  if (call.distinct || !EXACT_MERGE.has(call.fn)) return false;
  if (!SUMMING.has(call.fn)) return true;
  const kind = call.argTypes[0]?.kind;
  return kind !== 'FLOAT' && kind !== 'DOUBLE';
}
