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
