/**
 * Job specs: the serialisable, versioned contract between planner and runtime (DESIGN.md, `src/spec/`).
 *
 * The planner produces a `JobSpec`: a DAG of nodes in topological order, each running one operator spec at
 * some parallelism, connected by edges that say how batches are partitioned between subtasks. The runtime
 * reads nothing else: it chains forward-connected nodes of equal parallelism, starts subtasks, and finds
 * the implementation of each operator spec by its `type` in a registry.
 *
 * Versioning rule: a change to the meaning or layout of an operator spec (or of the state it keeps) bumps
 * that spec's `version`; implementations reject versions they do not know with a clear error.
 */
import type { ExprIR } from '../expr/index.js';
import type { LogicalType, RowType } from '../types/index.js';
import type { IntervalJoinSpec, LookupJoinSpec, TemporalJoinSpec, WindowJoinSpec } from './time-join-specs.js';
import type { MatchRecognizeSpec } from './match-recognize-spec.js';
import type { LakeBucketAssignSpec, LakeCommitterSpec, LakeWriterSpec } from './lake-sink-specs.js';

export const JOB_SPEC_VERSION = 1;

export interface JobSpec {
  readonly version: typeof JOB_SPEC_VERSION;
  /** `pipeline.name`, or a name derived from the statement. */
  readonly name: string;
  /** Effective configuration (`SET` values and `-D` options, as strings, by Flink key). */
  readonly config: Readonly<Record<string, string>>;
  /** Topologically ordered: every input of a node appears before it. */
  readonly nodes: readonly NodeSpec[];
}

/** How a stream's rows relate to each other (DESIGN.md principle 1). */
export type ChangelogMode =
  /** Only +I rows. */
  | { readonly kind: 'insert-only' }
  /** +I, +U, -D keyed by `key` (no -U): a later row for a key replaces the earlier one. */
  | { readonly kind: 'upsert'; readonly key: readonly number[] }
  /** +I, -U, +U, -D: every change carries the full old row to retract. */
  | { readonly kind: 'retract' };

export interface NodeSpec {
  /** Unique within the job; also the index into `JobSpec.nodes`. */
  readonly id: number;
  /** Short display name for EXPLAIN, logs and the UI, e.g. `GroupAggregate(groupBy=[auction])`. */
  readonly name: string;
  readonly parallelism: number;
  /** Incoming edges; input `i` of the operator is `inputs[i]`. Sources have none. */
  readonly inputs: readonly EdgeSpec[];
  readonly outputType: RowType;
  readonly changelogMode: ChangelogMode;
  readonly operator: OperatorSpec;
}

export interface EdgeSpec {
  readonly from: number;
  readonly partitioning: Partitioning;
}

/**
 * - `forward`: subtask i → subtask i (same parallelism required; such edges are chained).
 * - `hash`: by the canonical key of columns `keys` → key group (murmur3, `maxParallelism` groups) → the
 *   subtask owning that key-group range. The only partitioning stateful keyed operators accept.
 * - `rebalance`: round-robin by batch.
 * - `broadcast`: every batch to every subtask.
 * - `global`: everything to subtask 0 (parallelism-1 consumers).
 */
export type Partitioning =
  | { readonly kind: 'forward' }
  | { readonly kind: 'hash'; readonly keys: readonly number[] }
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'global' };

export type OperatorSpec =
  | SourceSpec
  | SinkSpec
  | CalcSpec
  | UnionSpec
  | GroupAggregateSpec
  | WindowAggregateSpec
  | SessionWindowAggregateSpec
  | OverAggregateSpec
  | WindowRankSpec
  | WindowTableFunctionSpec
  | JoinSpec
  | RankSpec
  | DeduplicateSpec
  | LookupJoinSpec
  | IntervalJoinSpec
  | TemporalJoinSpec
  | WindowJoinSpec
  | MatchRecognizeSpec
  | LakeBucketAssignSpec
  | LakeWriterSpec
  | LakeCommitterSpec;

export type OperatorType = OperatorSpec['type'];

// ---------------------------------------------------------------------------------------------------------

/**
 * Reads a table through a connector, one or more splits per subtask. The scan computes, per row:
 * `physical` columns from the connector → `computed` columns appended (expressions over the physical row)
 * → watermark per split from `watermark.expr` over that extended row → `filter` → `projection`.
 * `projection` indices refer to the extended row (physical then computed); the output is exactly that.
 */
export interface SourceSpec {
  readonly type: 'source';
  readonly version: 1;
  readonly connector: string;
  readonly tableName: string;
  /** All connector options of the table (after hints), verbatim. */
  readonly options: Readonly<Record<string, string>>;
  /** Physical columns the connector produces (all of them, in declaration order). */
  readonly physicalType: RowType;
  /**
   * `PARTITIONED BY` columns (indices into `physicalType`): connectors that store partitions as
   * directories (`k=v/`) fill them from the path rather than from the data. Absent = none.
   */
  readonly partitionKeys?: readonly number[];
  readonly computed: readonly { readonly name: string; readonly expr: ExprIR }[];
  /**
   * Event-time watermark: `expr` over the extended row yields a candidate watermark per row; a split's
   * watermark is the maximum candidate seen; a subtask emits the minimum over its active splits.
   * `rowtimeIndex` is the rowtime column in the extended row. Null without `WATERMARK FOR`.
   */
  readonly watermark: { readonly rowtimeIndex: number; readonly expr: ExprIR } | null;
  readonly filter: ExprIR | null;
  readonly projection: readonly number[];
  /** Whether the connector reads bounded input with these options (decides batch-mode eligibility). */
  readonly bounded: boolean;
}

/**
 * Writes rows to a connector. `inputMode` is what the planner proved the input emits; the connector
 * rejected the plan at planning time if it cannot consume it.
 */
export interface SinkSpec {
  readonly type: 'sink';
  readonly version: 1;
  readonly connector: string;
  readonly tableName: string;
  readonly options: Readonly<Record<string, string>>;
  /** The sink table's declared physical columns (the input matches it by position after casts). */
  readonly schema: RowType;
  readonly inputMode: ChangelogMode;
  /** `PARTITIONED BY` column indices, for connectors that partition output. */
  readonly partitionKeys: readonly number[];
  readonly primaryKey: readonly number[] | null;
}

/** Projection and filter, compiled to one JS function per batch. Output = `projection` over passing rows. */
export interface CalcSpec {
  readonly type: 'calc';
  readonly version: 1;
  readonly projection: readonly ExprIR[];
  readonly condition: ExprIR | null;
}

/** UNION ALL: forwards every input's batches unchanged (all inputs have the same row type). */
export interface UnionSpec {
  readonly type: 'union';
  readonly version: 1;
}

/**
 * One aggregate call. Arguments and the FILTER condition are input column indices (the planner computes
 * them in a calc before the aggregate, as Flink does).
 * - `fn`: `COUNT` (args: [] for COUNT(*) or [col]), `SUM`, `SUM0`, `AVG`, `MIN`, `MAX`, `FIRST_VALUE`,
 *   `LAST_VALUE`, `LISTAGG`, `STDDEV_POP`, `STDDEV_SAMP`, `VAR_POP`, `VAR_SAMP`, `BOOL_AND`, `BOOL_OR`.
 * - `distinct`: aggregate over distinct argument values (COUNT(DISTINCT x)); under retraction, a value
 *   leaves the distinct set when its count drops to zero.
 * - `filterArg`: a BOOLEAN input column; only rows where it is TRUE count.
 * - `type`: the result type (Flink's rules: AVG(BIGINT) is BIGINT, SUM(INT) is INT, …).
 */
export interface AggregateCall {
  readonly fn: string;
  readonly args: readonly number[];
  readonly argTypes: readonly LogicalType[];
  readonly distinct: boolean;
  readonly filterArg: number | null;
  readonly type: LogicalType;
  /** Display name, e.g. `COUNT(DISTINCT $1) FILTER $4`. */
  readonly name: string;
}

/**
 * Unbounded GROUP BY over a changelog (Flink's GroupAggregate). Input is hash-partitioned by `groupKeys`.
 * Output row: group key columns then one column per aggregate. Emits +I for a new group, -U (old row)
 * then +U (new row) when a group's result changes, -D when a group's count of accumulated rows drops to
 * zero. An unchanged result is not re-emitted.
 * `generateUpdateBefore`: emit -U before +U (retract mode); false when every consumer takes upserts.
 * `groupKeys` may be empty (global aggregate: parallelism 1, emits a row even for no input in batch mode).
 */
export interface GroupAggregateSpec {
  readonly type: 'group-aggregate';
  readonly version: 1;
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly AggregateCall[];
  readonly inputMode: ChangelogMode;
  readonly generateUpdateBefore: boolean;
  /** `table.exec.state.ttl` in ms for this operator's state; 0 = never expire. */
  readonly stateTtlMs: number;
}

/**
 * Windows in milliseconds. `offset` shifts window starts (Flink's optional OFFSET argument).
 * TUMBLE: [start, start + size). HOP: windows of `size` every `slide`; a row belongs to size/slide of them.
 * CUMULATE: windows [start, start + step·k) for k = 1 … size/step within each `size`-aligned period.
 */
export type WindowSpec =
  | { readonly kind: 'TUMBLE'; readonly size: number; readonly offset: number }
  | { readonly kind: 'HOP'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'CUMULATE'; readonly size: number; readonly step: number; readonly offset: number };

/**
 * Window TVF followed by GROUP BY window_start, window_end, keys (Flink's WindowAggregate). Event time:
 * `timeIndex` is a rowtime column; a window fires when the watermark reaches `window_end - 1`; rows for
 * already-fired windows are late and dropped (counted in metrics). Processing time when `timeIndex` is a
 * proctime column (`procTime: true`): windows fire on processing-time timers.
 * Input is insert-only and hash-partitioned by `groupKeys` (or global when empty).
 * Output row: group keys, aggregates, then window_start, window_end (TIMESTAMP(3)) and window_time
 * (TIMESTAMP(3) rowtime = window_end − 1 ms). Output is insert-only.
 */
export interface WindowAggregateSpec {
  readonly type: 'window-aggregate';
  readonly version: 1;
  readonly window: WindowSpec;
  readonly timeIndex: number;
  readonly procTime: boolean;
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly AggregateCall[];
}

/**
 * Session windows (Flink's SESSION window TVF and legacy `GROUP BY SESSION(ts, gap)`) aggregated per group
 * key: a row at time t opens the window [t, t + gap); windows of one key that overlap or touch merge into
 * one session (their accumulators merge), so a late row can bridge and merge two sessions. Event time: a
 * session fires when the watermark reaches `end - 1` (end = last row time + gap); a row whose own window
 * is already complete and merges with nothing is late (dropped, counted). Processing time (`procTime`):
 * rows take the wall clock, sessions fire on processing-time timers and at end of input.
 * Input is insert-only, hash-partitioned by `groupKeys` (global when empty). Output like
 * `WindowAggregateSpec`: group keys, aggregates, window_start, window_end, window_time (= end − 1).
 * No DISTINCT aggregates (a distinct view cannot be merged from its encoded values).
 */
export interface SessionWindowAggregateSpec {
  readonly type: 'session-window-aggregate';
  readonly version: 1;
  /** Session gap in ms (> 0). */
  readonly gap: number;
  readonly timeIndex: number;
  readonly procTime: boolean;
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly AggregateCall[];
}

/**
 * OVER aggregation (Flink's OverAggregate): `agg(x) OVER (PARTITION BY keys ORDER BY time frame)`, every
 * aggregate of the node sharing one window. Output row: the input row, then one column per aggregate.
 * Insert-only in and out; input hash-partitioned by `partitionKeys` (global when empty).
 * - Event time (`procTime: false`): rows wait in state until the watermark passes their time, then are
 *   emitted in time order (arrival order within a timestamp). A row not later than the last time already
 *   emitted for its partition is late (dropped, counted in `numLateRecordsDropped`).
 * - Processing time: each row is emitted on arrival, in arrival order, with the wall clock as its time.
 * - `frame.unit` ROWS: the current row and the `preceding` rows before it (null = all earlier rows).
 *   RANGE: rows with time in [t − preceding, t] (null = all rows up to t), rows of equal time are peers
 *   and get the same result (event time).
 */
export interface OverAggregateSpec {
  readonly type: 'over-aggregate';
  readonly version: 1;
  readonly partitionKeys: readonly number[];
  readonly timeIndex: number;
  readonly procTime: boolean;
  readonly frame: OverFrame;
  readonly aggregates: readonly AggregateCall[];
}

/** `ROWS|RANGE BETWEEN <preceding> PRECEDING AND CURRENT ROW`; RANGE `preceding` in ms; null = UNBOUNDED. */
export interface OverFrame {
  readonly unit: 'ROWS' | 'RANGE';
  readonly preceding: number | null;
}

/**
 * A window TVF whose result is used directly (not aggregated): appends window_start, window_end and
 * window_time to each input row; HOP and CUMULATE emit one row per window a row belongs to.
 * Output: input columns then window_start, window_end, window_time. Insert-only in and out.
 */
export interface WindowTableFunctionSpec {
  readonly type: 'window-table-function';
  readonly version: 1;
  readonly window: WindowSpec;
  readonly timeIndex: number;
}

/**
 * Regular (unbounded) join. Input 0 is left, input 1 is right, each hash-partitioned by its equi-join keys
 * (`leftKeys[i]` = `rightKeys[i]`, NULL keys never match). `condition` is the remaining predicate over the
 * concatenated row (left columns, then right columns). Output row: left columns then right columns (for
 * SEMI/ANTI: left columns only), NULL-padded for the outer side. Handles insert-only and updating inputs
 * and emits retractions: e.g. a LEFT join emits `+I[l, null]`, then `-D[l, null]`, `+I[l, r]` when the
 * first match arrives. `leftUniqueKey`/`rightUniqueKey` (if known) let state be keyed by unique key.
 */
export interface JoinSpec {
  readonly type: 'join';
  readonly version: 1;
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly condition: ExprIR | null;
  readonly leftType: RowType;
  readonly rightType: RowType;
  readonly leftUniqueKey: readonly number[] | null;
  readonly rightUniqueKey: readonly number[] | null;
  readonly leftMode: ChangelogMode;
  readonly rightMode: ChangelogMode;
  /** State retention per side in ms; 0 = forever. */
  readonly leftStateTtlMs: number;
  readonly rightStateTtlMs: number;
}

/** One sort field of a Top-N: input column, direction, and where NULLs go (Flink: ASC NULLS FIRST, DESC NULLS LAST). */
export interface SortField {
  readonly index: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/**
 * Top-N (Flink's Rank with `ROW_NUMBER()`): per partition (`partitionKeys`, hash-partitioned input; global
 * when empty), rows ordered by `orderBy`, ties in arrival order (an earlier row ranks first, as Flink's
 * TopNBuffer appends equal sort keys); the rows at ranks `rankStart`..`rankEnd` (1-based, inclusive) are
 * the output. Output row: the input columns, then (when `outputRankNumber`) the rank as BIGINT NOT NULL.
 * Streaming emits the changes to that range: with the rank number, a rank whose row changes emits -U old
 * (only with `generateUpdateBefore`) / +U new, a newly filled rank +I, an emptied rank -D; without it, a
 * row entering the range +I and a row leaving it -D. `inputMode` insert-only keeps only the top `rankEnd`
 * rows per partition (Flink's AppendOnlyTopNFunction); an updating input keeps every row, since a
 * retraction can bring a lower row into the range (RetractableTopNFunction).
 * Batch mode: the final ranks, as +I, at the end of input.
 */
export interface RankSpec {
  readonly type: 'rank';
  readonly version: 1;
  readonly partitionKeys: readonly number[];
  readonly orderBy: readonly SortField[];
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly outputRankNumber: boolean;
  readonly inputMode: ChangelogMode;
  readonly generateUpdateBefore: boolean;
  /** `table.exec.state.ttl` in ms; 0 = never expire. */
  readonly stateTtlMs: number;
}

/**
 * Window Top-N and window deduplication (Flink's WindowRank / WindowDeduplicate): a `ROW_NUMBER()` Top-N
 * whose `partitionKeys` include the window_start and window_end columns of an event-time window TVF or
 * window aggregate. Rows of a window are kept (only the best `rankEnd` per partition) until the watermark
 * reaches `window_end - 1` (`windowEndIndex` is the window_end column), then ranks `rankStart`..`rankEnd`
 * are emitted once as +I (with the rank as BIGINT NOT NULL when `outputRankNumber`) and the partition's
 * state is dropped. A row whose window already fired is late (dropped, counted). Ties of the sort key:
 * an earlier row ranks first, unless `laterRowFirstOnTies` (window deduplication keeping the last row).
 * Input and output are insert-only.
 */
export interface WindowRankSpec {
  readonly type: 'window-rank';
  readonly version: 1;
  readonly partitionKeys: readonly number[];
  readonly windowEndIndex: number;
  readonly orderBy: readonly SortField[];
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly outputRankNumber: boolean;
  readonly laterRowFirstOnTies: boolean;
}

/**
 * Deduplication (Flink's Deduplicate: `ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time) = 1` with the
 * rank not selected): one row per `keys`, insert-only input. Output row = input row.
 * - processing time (`rowtime: false`): keep-first keeps the first arriving row and emits only +I;
 *   keep-last replaces the kept row with every new one (-U old / +U new; nothing when equal and no TTL).
 * - event time (`rowtime: true`, `timeIndex` the rowtime column): keep-last replaces when
 *   `kept.time <= new.time` (an equal timestamp that arrives later wins), keep-first replaces when
 *   `new.time < kept.time` (Flink's DeduplicateFunctionHelper.isDuplicate); a later-arriving row with an
 *   older time never replaces a keep-last row. Both emit updates.
 * Batch mode: the final row per key, as +I, at the end of input.
 */
export interface DeduplicateSpec {
  readonly type: 'deduplicate';
  readonly version: 1;
  readonly keys: readonly number[];
  readonly timeIndex: number;
  readonly keepLast: boolean;
  readonly rowtime: boolean;
  readonly generateUpdateBefore: boolean;
  /** `table.exec.state.ttl` in ms; 0 = never expire. */
  readonly stateTtlMs: number;
}
