/**
 * Function resolution for the planner: name + argument types → canonical name, result type and the types the
 * arguments must be cast to. Unknown names get a did-you-mean; rejected argument types list the accepted
 * signatures.
 */
import { closestMatch, userError } from '../common/index.js';
import { formatType, typeEquals, type LogicalType } from '../types/index.js';
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS, allFunctionNames, lookupAggregate, lookupScalar } from './functions/registry.js';

export interface ResolvedFunction {
  /** The canonical registry name to put into `CallIR.fn`. */
  readonly fn: string;
  readonly returnType: LogicalType;
  /** What each argument must be cast to; where it differs from the given type, the planner inserts a cast. */
  readonly argTypes: readonly LogicalType[];
}

/** The closest known function name, if one is close enough to be a plausible typo. */
export function suggestFunctionName(name: string): string | undefined {
  const names = [...allFunctionNames()].filter((candidate) => /^[A-Z_]/.test(candidate));
  return closestMatch(name.toUpperCase(), names);
}

function unknownFunction(name: string): Error {
  const suggestion = suggestFunctionName(name);
  return userError('PLAN.UNKNOWN_FUNCTION', `no function named '${name}'`, {
    help: suggestion ? `did you mean ${suggestion}?` : 'SHOW FUNCTIONS lists the built-in functions',
  });
}

function describeArgs(argTypes: readonly LogicalType[]): string {
  return argTypes.map((t) => formatType(t)).join(', ');
}

/**
 * Resolves a built-in scalar function or operator. `literals[i]` is the (decoded) value of argument i when it
 * is a literal, else undefined; ROUND/TRUNCATE of a DECIMAL use it for their result scale.
 * @example resolveFunction('*', [Types.decimal(4, 3, false), Types.bigint()]).returnType // DECIMAL(23, 3)
 */
export function resolveFunction(name: string, argTypes: readonly LogicalType[], literals?: readonly unknown[]): ResolvedFunction {
  const def = lookupScalar(name);
  if (def === undefined) {
    if (lookupAggregate(name) !== undefined) {
      throw userError('PLAN.FUNCTION_SIGNATURE', `${name.toUpperCase()} is an aggregate function and cannot be used as a scalar function here`);
    }
    throw unknownFunction(name);
  }
  const r = def.resolve(argTypes, literals);
  if (r === null) {
    throw userError('PLAN.FUNCTION_SIGNATURE', `cannot apply ${def.names[0]} to arguments (${describeArgs(argTypes)})`, {
      notes: def.signatures.map((s) => `accepted: ${s}`),
    });
  }
  return { fn: def.names[0]!, returnType: r.returnType, argTypes: r.argTypes };
}

/** Resolves an aggregate function's result type (Flink's rules; see functions/aggregate.ts). */
export function resolveAggregate(name: string, argTypes: readonly LogicalType[], distinct: boolean): ResolvedFunction {
  const def = lookupAggregate(name);
  if (def === undefined) {
    if (lookupScalar(name) !== undefined) throw userError('PLAN.FUNCTION_SIGNATURE', `${name.toUpperCase()} is not an aggregate function`);
    throw unknownFunction(name);
  }
  const r = def.resolve(argTypes, distinct);
  if (r === null) {
    throw userError('PLAN.FUNCTION_SIGNATURE', `cannot apply ${def.names[0]} to arguments (${describeArgs(argTypes)})`, {
      notes: def.signatures.map((s) => `accepted: ${s}`),
    });
  }
  return { fn: def.names[0]!, returnType: r.returnType, argTypes: r.argTypes };
}

export function isAggregateFunction(name: string): boolean {
  return lookupAggregate(name) !== undefined;
}

/** True when the built-in scalar function always gives the same result for the same arguments. */
export function isDeterministicFunction(name: string): boolean {
  return lookupScalar(name)?.deterministic ?? false;
}

export interface FunctionInfo {
  readonly name: string;
  readonly kind: 'scalar' | 'aggregate';
  readonly signature: string;
  readonly description: string;
}

/** Every built-in function and alias, sorted by name (SHOW FUNCTIONS, generated docs). */
export function listFunctions(): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (const def of SCALAR_FUNCTIONS) {
    for (const name of def.names) out.push({ name, kind: 'scalar', signature: def.signatures.join('; '), description: def.description });
  }
  for (const def of AGGREGATE_FUNCTIONS) {
    for (const name of def.names) out.push({ name, kind: 'aggregate', signature: def.signatures.join('; '), description: def.description });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether the planner needs a cast from `from` to `to` (they differ beyond nullability). */
export function needsCast(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return to.kind !== 'NULL';
  return !typeEquals({ ...from, nullable: true } as LogicalType, { ...to, nullable: true } as LogicalType);
}
