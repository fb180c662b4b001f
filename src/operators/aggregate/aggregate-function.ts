/**
 * The definition every aggregate function implements (STYLE.md: aggregates declare init / accumulate /
 * retract / merge / getValue and whether they support retraction).
 *
 * Accumulators are plain values or plain objects (numbers, bigints, arrays, Maps): they live in keyed state,
 * which a remote backend serialises, so no class instances or closures. `accumulate`/`retract`/`merge`
 * return the accumulator, which lets a scalar accumulator (COUNT's number) be updated without an object;
 * object accumulators are updated in place and returned.
 *
 * Arguments: `value` is the first argument's JS value (`null` for SQL NULL; `undefined` when the call has no
 * argument, as COUNT(*)), `value2` the second one (LISTAGG's separator). NULL handling is each function's:
 * SQL aggregates ignore NULL arguments.
 *
 * Retraction: `retract` undoes one earlier `accumulate` of the same value. Functions with
 * `supportsRetraction: false` are only used on insert-only input.
 */
import type { LogicalType } from '../../types/index.js';

export interface AggregateFunction<A = unknown> {
  /** SQL name, e.g. `SUM`. */
  readonly name: string;
  readonly supportsRetraction: boolean;
  init(): A;
  accumulate(acc: A, value: unknown, value2: unknown): A;
  retract(acc: A, value: unknown, value2: unknown): A;
  /** Combines two partial accumulators (window slices, local/global aggregation). */
  merge(acc: A, other: A): A;
  /** The result as a JS value of the call's result type. Must not mutate observable state. */
  getValue(acc: A): unknown;
}

/** What a family's factory needs to pick and type its implementation. */
export interface AggregateSignature {
  readonly fn: string;
  readonly argTypes: readonly LogicalType[];
  readonly resultType: LogicalType;
  /** Whether the input can retract (+U/-U/-D rows): selects the retracting implementation. */
  readonly withRetraction: boolean;
}
