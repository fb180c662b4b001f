/**
 * The registry of built-in functions: every family file contributes its definitions here, indexed by each
 * upper-case name and alias. Adding a function = adding a definition to its family's list.
 */
import { internalError } from '../../common/index.js';
import { AGGREGATE_FUNCTIONS, type AggregateDef } from './aggregate.js';
import { ARITHMETIC_FUNCTIONS } from './arithmetic.js';
import { COLLECTION_FUNCTIONS } from './collection.js';
import { COMPARISON_FUNCTIONS } from './comparison.js';
import { CONDITIONAL_FUNCTIONS } from './conditional.js';
import type { ScalarFunctionDef } from './function-def.js';
import { JSON_FUNCTIONS } from './json.js';
import { LOGIC_FUNCTIONS } from './logic.js';
import { MATH_FUNCTIONS } from './math.js';
import { STRING_FUNCTIONS } from './string.js';
import { TEMPORAL_FUNCTIONS } from './temporal.js';

export const SCALAR_FUNCTIONS: readonly ScalarFunctionDef[] = [
  ...COMPARISON_FUNCTIONS,
  ...LOGIC_FUNCTIONS,
  ...ARITHMETIC_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...TEMPORAL_FUNCTIONS,
  ...CONDITIONAL_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
  ...JSON_FUNCTIONS,
];

const scalarByName = new Map<string, ScalarFunctionDef>();
for (const def of SCALAR_FUNCTIONS) {
  for (const name of def.names) {
    if (scalarByName.has(name)) throw internalError(`duplicate built-in function name ${name}`);
    scalarByName.set(name, def);
  }
}

const aggregateByName = new Map<string, AggregateDef>();
for (const def of AGGREGATE_FUNCTIONS) for (const name of def.names) aggregateByName.set(name, def);

export function lookupScalar(name: string): ScalarFunctionDef | undefined {
  return scalarByName.get(name.toUpperCase());
}

export function lookupAggregate(name: string): AggregateDef | undefined {
  return aggregateByName.get(name.toUpperCase());
}

/** Every known name (scalar and aggregate), for did-you-mean suggestions. */
export function allFunctionNames(): string[] {
  return [...scalarByName.keys(), ...aggregateByName.keys()];
}

export { AGGREGATE_FUNCTIONS };
