/**
 * `MATCH_RECOGNIZE` (Flink's StreamExecMatch / CEP operator): row pattern recognition per partition.
 *
 * Input is insert-only and hash-partitioned by `partitionKeys` (global when empty). Rows are ordered by the
 * time attribute `timeIndex` (event time: rows wait in keyed state until the watermark passes them, then are
 * matched in time order; ties by `orderBy`, then by row content so the result does not depend on arrival
 * order; processing time: matched on arrival). A row not later than the last time already matched for its
 * partition is late (dropped, counted in `numLateRecordsDropped`).
 *
 * The pattern is a concatenation of `elements` over strictly consecutive rows. Each element is a variable
 * (index into `variables`) repeated `min`..`max` times (`max` null = unbounded); a greedy element keeps
 * taking rows while its condition holds (its exit to the next element is taken only when the condition is
 * false, as Flink's greedy states); a reluctant one leaves as soon as `min` is reached. A partial match
 * whose last row is `within` ms or more after its first row is discarded.
 *
 * Expressions (`defines`, `measures`) are IR over a small row of navigation results (`MatchExpr.slots`):
 * input ref i of the expression is the value of `slots[i]`, computed by the operator over the match so
 * far (DEFINE: including the row being classified as its variable) or the complete match (MEASURES).
 * Navigation arguments (`arg`) are IR over the input row.
 *
 * Output row (ONE ROW PER MATCH): the partition key columns, then one column per measure. Insert-only.
 */
import type { ExprIR } from '../expr/index.js';
import type { LogicalType } from '../types/index.js';
import type { SortField } from './job-spec.js';

export interface MatchRecognizeSpec {
  readonly type: 'match-recognize';
  readonly version: 1;
  readonly partitionKeys: readonly number[];
  readonly timeIndex: number;
  readonly procTime: boolean;
  /** Sort keys after the time attribute (ties of equal time). */
  readonly orderBy: readonly SortField[];
  /** Pattern variable names (as written); elements and navigations refer to them by index. */
  readonly variables: readonly string[];
  readonly elements: readonly MatchPatternElement[];
  /** `WITHIN` in ms, or null. */
  readonly within: number | null;
  readonly after: MatchAfterSkip;
  /** Per variable (same index): its DEFINE condition (BOOLEAN), or null (matches every row). */
  readonly defines: readonly (MatchExpr | null)[];
  readonly measures: readonly { readonly name: string; readonly expr: MatchExpr }[];
}

export interface MatchPatternElement {
  readonly variable: number;
  readonly min: number;
  readonly max: number | null;
  readonly greedy: boolean;
}

/** Where matching resumes after a match (`AFTER MATCH SKIP …`); `variable` indexes `variables`. */
export type MatchAfterSkip =
  | { readonly kind: 'past-last-row' | 'to-next-row' }
  | { readonly kind: 'to-first' | 'to-last'; readonly variable: number };

export interface MatchExpr {
  readonly expr: ExprIR;
  readonly slots: readonly MatchNavigation[];
}

/**
 * One value an expression reads from the match. `variable` null means any variable (all rows of the match).
 * - `last` / `first`: `arg` at the row `offset` rows back from the last (forward from the first) row of the
 *   variable; NULL when there is no such row.
 * - `prev`: `arg` at the row `offset` rows before the last row of the variable, counted over all rows of
 *   the match; NULL before the match's first row.
 * - `aggregate`: `fn` over `arg` at every row of the variable (`arg` null: COUNT(*)); SUM/AVG/MIN/MAX skip
 *   NULLs and are NULL without values; COUNT is 0 then. AVG of an integer type truncates (Flink).
 * - `match-rowtime`: the time of the match's last row; `classifier`: the variable of the last row.
 */
export type MatchNavigation =
  | { readonly kind: 'last' | 'first' | 'prev'; readonly variable: number | null; readonly offset: number; readonly arg: ExprIR; readonly type: LogicalType }
  | {
      readonly kind: 'aggregate';
      readonly fn: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
      readonly variable: number | null;
      readonly arg: ExprIR | null;
      readonly type: LogicalType;
    }
  | { readonly kind: 'match-rowtime' | 'classifier'; readonly type: LogicalType };
