/**
 * The logical plan: immutable relational nodes with typed rows, as the binder builds them and the rules
 * rewrite them. Expressions are already resolved IR (`src/expr/ir.ts`) over each node's input row (for a
 * join: left columns then right columns).
 *
 * Node kinds and their output rows:
 * - `Scan`: a connector table. Output = `projection` over the *extended* row (physical columns then the
 *   table's computed columns, as `SourceSpec` defines), after `filter` (over the extended row).
 * - `Values`: constant rows.
 * - `Calc`: `projection` over the rows passing `condition` (Flink's Calc = Project + Filter).
 * - `Aggregate`: GROUP BY; output = group keys then one column per aggregate.
 * - `WindowTvf`: input columns (the time column demoted to a plain timestamp), then window_start,
 *   window_end, window_time.
 * - `WindowAggregate`: output = group keys, aggregates, window_start, window_end, window_time.
 * - `Join`: left columns then right columns; `condition` over the same layout.
 * - `Union`: UNION ALL of inputs with equal row types.
 * - `Match`: MATCH_RECOGNIZE: partition key columns, then the measures.
 * - `Rank`: `ROW_NUMBER() OVER (PARTITION BY … ORDER BY …)`: input columns, then the row number when
 *   `outputRankNumber`. As bound, the range is open (`rankEnd` null: every row, numbered); the rank-range
 *   rule narrows it from a filter on the number (`rn <= N`), as Flink's FlinkLogicalRankRule does.
 */
import type { ExprIR, JsonValue } from '../expr/index.js';
import type { AggregateCall, JoinSpec, MatchRecognizeSpec, OverFrame, SortField, WindowSpec } from '../spec/index.js';
import type { ObjectIdentifier } from '../catalog/index.js';
import type { RowType } from '../types/index.js';
import type { LookupHint } from './lookup-hint.js';

/** A connector table as the scan reads it. */
export interface ScanTable {
  readonly id: ObjectIdentifier;
  readonly connector: string;
  readonly options: Readonly<Record<string, string>>;
  readonly physicalType: RowType;
  /** `PARTITIONED BY` columns as indices into `physicalType`. */
  readonly partitionKeys: readonly number[];
  /** Computed columns in declaration order, expressions over the physical row. */
  readonly computed: readonly { readonly name: string; readonly expr: ExprIR }[];
  /** Physical then computed columns (rowtime column typed `*ROWTIME*`). */
  readonly extendedType: RowType;
  readonly watermark: { readonly rowtimeIndex: number; readonly expr: ExprIR } | null;
  readonly bounded: boolean;
  /** `PRIMARY KEY (…) NOT ENFORCED` columns as indices into `extendedType` (a versioned table's key). */
  readonly primaryKey?: readonly number[];
}

export interface ScanNode {
  readonly kind: 'Scan';
  readonly table: ScanTable;
  readonly projection: readonly number[];
  readonly filter: ExprIR | null;
  readonly rowType: RowType;
}

export interface ValuesNode {
  readonly kind: 'Values';
  /** Literal values in the JSON-safe literal encoding, one array per row. */
  readonly rows: readonly (readonly JsonValue[])[];
  readonly rowType: RowType;
}

export interface CalcNode {
  readonly kind: 'Calc';
  readonly input: LogicalNode;
  readonly projection: readonly ExprIR[];
  readonly condition: ExprIR | null;
  readonly rowType: RowType;
}

export interface AggregateNode {
  readonly kind: 'Aggregate';
  readonly input: LogicalNode;
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly AggregateCall[];
  readonly rowType: RowType;
  /** State TTL in ms from a `STATE_TTL` hint (0 = keep forever); absent: `table.exec.state.ttl`. */
  readonly stateTtlMs?: number;
}

/**
 * A SESSION window (gap in ms). Only executable aggregated (`WindowAggregate`): sessions are cut per group
 * key, by the session operator (spec `session-window-aggregate`), not by the window assigners of
 * `WindowSpec`.
 */
export interface SessionWindow {
  readonly kind: 'SESSION';
  readonly gap: number;
}

/** The windows a logical window node can hold. */
export type LogicalWindow = WindowSpec | SessionWindow;

export interface WindowTvfNode {
  readonly kind: 'WindowTvf';
  readonly input: LogicalNode;
  readonly window: LogicalWindow;
  readonly timeIndex: number;
  readonly rowType: RowType;
  /** SESSION's `TABLE t PARTITION BY k` columns (input indices); the aggregate must group by them. */
  readonly partitionKeys?: readonly number[];
  /** Bound from a legacy group window, `GROUP BY TUMBLE/HOP/SESSION(time, …)`, rather than a window TVF. */
  readonly groupWindow?: boolean;
}

export interface WindowAggregateNode {
  readonly kind: 'WindowAggregate';
  readonly input: LogicalNode;
  readonly window: LogicalWindow;
  readonly timeIndex: number;
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly AggregateCall[];
  readonly rowType: RowType;
  /**
   * From a legacy group window (`GROUP BY SESSION(time, …)`): runs as any window aggregate, but EXPLAIN
   * names it as Flink plans that syntax, `GroupWindowAggregate(… window=[SessionGroupWindow(…)] …)`.
   */
  readonly groupWindow?: boolean;
}

export type JoinType = JoinSpec['joinType'];

export interface JoinNode {
  readonly kind: 'Join';
  readonly left: LogicalNode;
  readonly right: LogicalNode;
  readonly joinType: JoinType;
  readonly condition: ExprIR | null;
  readonly rowType: RowType;
  /**
   * `JOIN t FOR SYSTEM_TIME AS OF left.time`: a lookup join (processing time, bounded table) or an
   * event-time temporal join. Rules that rebuild a join keep it and renumber `timeIndex`.
   */
  readonly snapshot?: JoinSnapshot;
  /** Per-side state TTL from a `STATE_TTL` hint (regular joins only); absent: `table.exec.state.ttl`. */
  readonly stateTtl?: JoinStateTtl;
}

/** State TTL per join side in ms (0 = keep forever); null = the side was not hinted (the configured TTL applies). */
export interface JoinStateTtl {
  readonly left: number | null;
  readonly right: number | null;
}

export interface JoinSnapshot {
  /** The left column named by `AS OF` (a time attribute). */
  readonly timeIndex: number;
  /** Options of the `LOOKUP` hint naming this table, if any. */
  readonly lookupHint: LookupHint | null;
}

export interface UnionNode {
  readonly kind: 'Union';
  readonly inputs: readonly LogicalNode[];
  readonly rowType: RowType;
}

export interface RankNode {
  readonly kind: 'Rank';
  readonly input: LogicalNode;
  readonly partitionKeys: readonly number[];
  readonly orderBy: readonly SortField[];
  /** 1-based, inclusive. */
  readonly rankStart: number;
  /** Null while no filter bounds the number (not executable as Top-N). */
  readonly rankEnd: number | null;
  readonly outputRankNumber: boolean;
  readonly rowType: RowType;
}

/**
 * `agg(x) OVER (PARTITION BY … ORDER BY time frame)`: every aggregate shares one window. Output = input
 * columns, then one column per aggregate (arguments are input columns, computed by a Calc below).
 */
export interface OverNode {
  readonly kind: 'Over';
  readonly input: LogicalNode;
  readonly partitionKeys: readonly number[];
  /** The ORDER BY column: a time attribute, ascending. */
  readonly timeIndex: number;
  readonly frame: OverFrame;
  readonly aggregates: readonly AggregateCall[];
  readonly rowType: RowType;
}

/**
 * `MATCH_RECOGNIZE` (Flink's LogicalMatch): pattern matching per partition in time order. Output = the
 * partition key columns, then one column per measure. The pattern, DEFINE and MEASURES are kept in their
 * spec form (`MatchRecognizeSpec`): expressions over navigation slots whose arguments read the input row.
 */
export interface MatchNode
  extends Pick<MatchRecognizeSpec, 'partitionKeys' | 'timeIndex' | 'orderBy' | 'variables' | 'elements' | 'within' | 'after' | 'defines' | 'measures'> {
  readonly kind: 'Match';
  readonly input: LogicalNode;
  readonly rowType: RowType;
}

export type LogicalNode = ScanNode | ValuesNode | CalcNode | AggregateNode | WindowTvfNode | WindowAggregateNode | JoinNode | UnionNode | RankNode | OverNode | MatchNode;

export function inputsOf(node: LogicalNode): readonly LogicalNode[] {
  switch (node.kind) {
    case 'Scan':
    case 'Values':
      return [];
    case 'Calc':
    case 'Aggregate':
    case 'WindowTvf':
    case 'WindowAggregate':
    case 'Rank':
    case 'Over':
    case 'Match':
      return [node.input];
    case 'Join':
      return [node.left, node.right];
    case 'Union':
      return node.inputs;
  }
}

/** The same node over new inputs (same count and order as `inputsOf`). */
export function withInputs(node: LogicalNode, inputs: readonly LogicalNode[]): LogicalNode {
  switch (node.kind) {
    case 'Scan':
    case 'Values':
      return node;
    case 'Calc':
    case 'Aggregate':
    case 'WindowTvf':
    case 'WindowAggregate':
    case 'Rank':
    case 'Over':
    case 'Match':
      return inputs[0] === node.input ? node : { ...node, input: inputs[0]! };
    case 'Join':
      return inputs[0] === node.left && inputs[1] === node.right ? node : { ...node, left: inputs[0]!, right: inputs[1]! };
    case 'Union':
      return inputs.every((x, i) => x === node.inputs[i]) ? node : { ...node, inputs };
  }
}

export function fieldNames(rowType: RowType): string[] {
  return rowType.fields.map((f) => f.name);
}
