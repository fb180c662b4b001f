/**
 * Specs of the joins that are not regular (unbounded) joins: lookup joins against a dimension table,
 * interval joins bounded by event time, event-time temporal joins and window joins. Kept apart from
 * `job-spec.ts` so each family's contract reads in one place; `OperatorSpec` includes them.
 */
import type { ExprIR } from '../expr/index.js';
import type { RowType } from '../types/index.js';
import type { SourceSpec, WindowSpec } from './job-spec.js';

/**
 * Lookup join (Flink's LookupJoin, `JOIN t FOR SYSTEM_TIME AS OF x.proc_time`): per input row, the rows
 * of a bounded dimension table whose `tableKeys` equal the row's `inputKeys` (NULL never matches) and
 * that satisfy `condition` (over the input row then the table row). Input 0 is the probe stream (any
 * changelog: each output row carries its input row's kind); there is no second input: the operator reads
 * the table itself through its connector (`table`, a bounded scan with its filter and projection, then
 * `tableCalc` when the planner kept a projection above the scan).
 * Output row: input columns, then `tableType` columns (NULL-padded for a LEFT join without match).
 * The table is held in memory as a hash index by `tableKeys` and reloaded when it is older than
 * `cacheTtlMs` (0 = loaded once). `retry`: a row without match is looked up again up to `maxAttempts`
 * more times (Flink's `max-attempts` counts retries), after `fixedDelayMs` and a reload of the table each
 * time (Flink's `lookup_miss` retry predicate with the `fixed_delay` strategy).
 * The operator keeps no keyed state: the index is rebuilt from the table after a restore.
 */
export interface LookupJoinSpec {
  readonly type: 'lookup-join';
  readonly version: 1;
  readonly joinType: 'INNER' | 'LEFT';
  readonly table: SourceSpec;
  readonly tableCalc: { readonly projection: readonly ExprIR[]; readonly condition: ExprIR | null } | null;
  /** The table rows as joined (after `tableCalc`). */
  readonly tableType: RowType;
  readonly inputType: RowType;
  readonly inputKeys: readonly number[];
  readonly tableKeys: readonly number[];
  readonly condition: ExprIR | null;
  readonly cacheTtlMs: number;
  readonly retry: { readonly maxAttempts: number; readonly fixedDelayMs: number } | null;
}

/**
 * Event-time interval join (Flink's IntervalJoin): rows of input 0 (left) and input 1 (right) with equal
 * keys (`leftKeys[i]` = `rightKeys[i]`, NULL never matches) join when
 * `right.time + lowerBound <= left.time <= right.time + upperBound` (`leftTimeIndex`/`rightTimeIndex`,
 * bounds in ms, inclusive; a strict `<` was turned into `<= … - 1`) and `condition` (the rest of the ON
 * predicate, over left then right columns) holds. Both inputs are insert-only and hash-partitioned by the
 * keys; the output is insert-only: left columns then right columns, NULL-padded for an outer side's row
 * that never joined, emitted when the watermark guarantees it never will.
 *
 * State (Flink's TimeIntervalJoin / RowTimeIntervalJoin, row for row): each side buffers its rows per
 * key while a future row of the other side may still join them; an event-time timer per (key, cleanup
 * time) drops expired rows (left `time <= watermark + lowerBound - 1`, right
 * `time <= watermark - upperBound - 1`), emitting outer padding then. A row
 * arriving after its join window has passed the watermark (late) still joins the buffered rows of the
 * other side, is not buffered itself, and is emitted NULL-padded at once when it is outer and unmatched.
 */
export interface IntervalJoinSpec {
  readonly type: 'interval-join';
  readonly version: 1;
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly condition: ExprIR | null;
  readonly leftType: RowType;
  readonly rightType: RowType;
}

/**
 * Event-time temporal join (Flink's TemporalRowTimeJoinOperator, `JOIN versioned FOR SYSTEM_TIME AS OF
 * o.rowtime ON o.k = v.pk`): each left (probe) row joins the version of the right (versioned) table
 * that was current at the left row's time: the right row of the same key with the largest
 * `rightTimeIndex` time <= the left row's `leftTimeIndex` time, if that version is not a deletion, and
 * `condition` (over left then right columns) holds. The keys include the versioned table's primary key,
 * so per key the right rows are one entity's history. INNER or LEFT (NULL-padded when no version, a
 * deleted one, or the condition fails).
 *
 * Input 0 (left) is insert-only; input 1 (right) is insert-only or upsert (+I/+U/-D; no -U is requested
 * and any that arrives is ignored). Both are hash-partitioned by the keys. Output is insert-only and is
 * emitted when the watermark passes a left row's time (so every version up to it is known): left rows
 * and right versions are buffered in keyed state with an event-time timer at their time; a timer joins
 * and drops the key's left rows with time <= watermark (in time order), then drops the versions older
 * than the latest one at or before the watermark. A left row with a NULL key or time never matches
 * (LEFT: emitted padded at once).
 */
export interface TemporalJoinSpec {
  readonly type: 'temporal-join';
  readonly version: 1;
  readonly joinType: 'INNER' | 'LEFT';
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  readonly condition: ExprIR | null;
  readonly leftType: RowType;
  readonly rightType: RowType;
}

/**
 * Window join (Flink's WindowJoin): both inputs are windowed by the same window TVF (`window`), and rows
 * join when they are in the same window (`leftWindowStart`/`leftWindowEnd` equal to
 * `rightWindowStart`/`rightWindowEnd`), have equal `leftKeys`/`rightKeys` (NULL never matches) and satisfy
 * `condition` (over left then right columns). Both inputs are insert-only and hash-partitioned by the
 * keys (global when there are none). Each side's rows are buffered per key and window until the
 * watermark reaches `window_end - 1`; then the window's rows are joined, emitted (outer sides' unmatched
 * rows NULL-padded) and dropped. Rows of a window that has already fired are late and dropped (counted as
 * `numLateRecordsDropped`). Output: left columns then right columns, insert-only.
 */
export interface WindowJoinSpec {
  readonly type: 'window-join';
  readonly version: 1;
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly window: WindowSpec;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftWindowStart: number;
  readonly leftWindowEnd: number;
  readonly rightWindowStart: number;
  readonly rightWindowEnd: number;
  readonly condition: ExprIR | null;
  readonly leftType: RowType;
  readonly rightType: RowType;
}
