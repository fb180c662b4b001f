/**
 * Physical planning: optimized logical trees (one per sink) → a `JobSpec`.
 *
 * 1. Translate each logical node into a draft physical node (operator choice, parallelism, input
 *    partitioning: hash by group/join keys, `global` into parallelism-1 global aggregates, `forward` where
 *    a node can chain to its input).
 * 2. Changelog-mode inference as Flink does it (FlinkChangelogModeInferenceProgram): bottom-up, which row
 *    kinds each node may emit (ignoring -U); top-down, whether each consumer needs -U (a retracting
 *    aggregate or join needs the old row; an upsert sink with a primary key or the blackhole sink does not);
 *    bottom-up again, the final kinds. Window aggregates and window TVFs reject updating input; sinks that
 *    only take inserts reject updating input (PLAN.SINK_UPDATES).
 *    In batch mode every edge is insert-only: aggregates emit final rows at the end of input.
 * 3. Emit nodes in topological order, sharing structurally identical subtrees (so the sources of an
 *    `EXECUTE STATEMENT SET`, or q5's two reads of `bid`, are read once).
 */
import { unsupported, userError } from '../common/index.js';
import { formatIdentifier } from '../catalog/index.js';
import { PAIMON_COMMITTABLE_TYPE, PAIMON_CONNECTOR, VALUES_CONNECTOR, getSourceConnector } from '../connectors/index.js';
import type { ExprIR } from '../expr/index.js';
import type {
  AggregateCall,
  ChangelogMode,
  EdgeSpec,
  JobSpec,
  NodeSpec,
  OperatorSpec,
  Partitioning,
  SourceSpec,
} from '../spec/index.js';
import type { IntervalJoinSpec, LakeCommitterSpec, LookupJoinSpec, TemporalJoinSpec, WindowJoinSpec } from '../spec/index.js';
import {
  extractIntervalBounds,
  intervalJoinName,
  lookupJoinName,
  lookupJoinSpec,
  temporalJoinName,
  temporalJoinSpec,
  windowJoinName,
  windowJoinSpec,
} from './time-join-planning.js';
import { JOB_SPEC_VERSION } from '../spec/index.js';
import { Types, withoutTimeAttribute, type RowType } from '../types/index.js';
import { KIND_D, KIND_I, KIND_UA, KIND_UB, isUpdating, toChangelogMode, type RowKinds } from './changelog-mode.js';
import { conjuncts, andAll, inputIndices, remapInputs, sameValueType } from './ir-utils.js';
import type { JoinType, LogicalNode, MatchNode, OverNode, RankNode, ScanNode, ValuesNode, WindowAggregateNode } from './logical-plan.js';
import { calcName, deduplicateName, formatWindow, groupAggregateName, joinName, matchName, overAggregateName, rankName, windowAggregateName } from './node-names.js';
import { formatExprIR } from '../expr/index.js';
import { windowDeduplicateName, windowRankName, windowRankOf } from './window-rank.js';
import { defaultParallelism, runtimeMode, stateTtlMs, type RuntimeMode } from './planner-context.js';

/** Where a plan's rows go. */
export interface SinkTarget {
  readonly connector: string;
  readonly tableName: string;
  readonly options: Readonly<Record<string, string>>;
  /** The sink's physical columns; the plan's output matches them by position. */
  readonly schema: RowType;
  readonly partitionKeys: readonly number[];
  readonly primaryKey: readonly number[] | null;
  readonly acceptsUpdates: boolean;
  /** INSERT OVERWRITE (paimon sinks only, batch mode; insert-binder.ts checks both): what it replaces. */
  readonly overwrite?: LakeCommitterSpec['overwrite'];
}

/**
 * Sinks that never need -U rows. Flink's blackhole sink requests "all kinds but UPDATE_BEFORE"
 * (BlackHoleTableSinkFactory), which is what makes nexmark q15–q17 plans upsert ([I,UA]).
 */
const SINKS_WITHOUT_UPDATE_BEFORE: ReadonlySet<string> = new Set(['blackhole']);

type DraftOp =
  | { readonly t: 'source'; readonly scan: ScanNode }
  | { readonly t: 'values'; readonly values: ValuesNode }
  | { readonly t: 'calc'; readonly projection: readonly ExprIR[]; readonly condition: ExprIR | null }
  | { readonly t: 'agg'; readonly groupKeys: readonly number[]; readonly aggregates: readonly AggregateCall[]; readonly stateTtlMs: number }
  | { readonly t: 'wagg'; readonly node: WindowAggregateNode }
  | { readonly t: 'wtvf'; readonly node: Extract<LogicalNode, { kind: 'WindowTvf' }> }
  | {
      readonly t: 'join';
      readonly joinType: JoinType;
      readonly leftKeys: readonly number[];
      readonly rightKeys: readonly number[];
      readonly residual: ExprIR | null;
      readonly condition: ExprIR | null;
      /** Per-side state TTL: a `STATE_TTL` hint's, else `table.exec.state.ttl`. */
      readonly leftStateTtlMs: number;
      readonly rightStateTtlMs: number;
    }
  | { readonly t: 'union' }
  | { readonly t: 'lookup-join'; readonly spec: LookupJoinSpec }
  | { readonly t: 'interval-join'; readonly spec: IntervalJoinSpec }
  | { readonly t: 'temporal-join'; readonly spec: TemporalJoinSpec }
  | { readonly t: 'window-join'; readonly spec: WindowJoinSpec }
  | { readonly t: 'rank'; readonly node: RankNode }
  | { readonly t: 'over'; readonly node: OverNode }
  | { readonly t: 'match'; readonly node: MatchNode }
  | { readonly t: 'wrank'; readonly node: RankNode; readonly windowEnd: number; readonly laterRowFirstOnTies: boolean }
  | { readonly t: 'dedup'; readonly keys: readonly number[]; readonly timeIndex: number; readonly keepLast: boolean; readonly rowtime: boolean }
  | { readonly t: 'sink'; readonly target: SinkTarget };

/** A physical node while modes are being inferred (mutable only inside this module). */
interface Draft {
  readonly op: DraftOp;
  readonly inputs: Draft[];
  readonly rowType: RowType;
  /** Fixed at translation, except a Rank's strategy, which depends on its input's inferred mode. */
  name: string;
  parallelism: number;
  partitioning: Partitioning[];
  /** Kinds emitted, -U not yet decided. */
  baseKinds: RowKinds;
  upsertKey: number[] | null;
  needUpdateBefore: boolean;
  kinds: RowKinds;
}

export interface PhysicalPlanResult {
  readonly job: JobSpec;
  /** Node id of each sink, in the order of the roots given. */
  readonly sinkIds: readonly number[];
  /** Row kinds each node emits, by node id (EXPLAIN prints them as Flink does: `[I,UB,UA]`). */
  readonly kinds: readonly RowKinds[];
}

export interface PlanRoot {
  readonly node: LogicalNode;
  readonly sink: SinkTarget;
}

export function planPhysical(roots: readonly PlanRoot[], config: Readonly<Record<string, string>>, jobName: string): PhysicalPlanResult {
  const planner = new PhysicalPlanner(config);
  const sinks = roots.map((r) => planner.sink(r));
  for (const s of sinks) planner.inferModes(s);
  return planner.emit(sinks, jobName);
}

class PhysicalPlanner {
  readonly mode: RuntimeMode;
  readonly parallelism: number;
  readonly ttl: number;
  readonly config: Readonly<Record<string, string>>;

  constructor(config: Readonly<Record<string, string>>) {
    this.config = config;
    this.mode = runtimeMode(config);
    this.parallelism = defaultParallelism(config);
    // Idle state retention is a streaming notion (Flink ignores table.exec.state.ttl and STATE_TTL hints
    // in batch mode): a batch operator must keep its state until the end of its input.
    this.ttl = this.mode === 'batch' ? 0 : stateTtlMs(config);
  }

  /** The state TTL of an operator: a `STATE_TTL` hint's (streaming only), else `table.exec.state.ttl`. */
  private stateTtl(hinted: number | null | undefined): number {
    return this.mode === 'batch' ? 0 : (hinted ?? this.ttl);
  }

  private draft(op: DraftOp, inputs: Draft[], rowType: RowType, name: string, parallelism: number, partitioning: Partitioning[]): Draft {
    return { op, inputs, rowType, name, parallelism, partitioning, baseKinds: KIND_I, upsertKey: null, needUpdateBefore: false, kinds: KIND_I };
  }

  sink(root: PlanRoot): Draft {
    const input = this.translate(root.node);
    const t = root.sink;
    const name = `Sink(table=[${t.tableName}], fields=[${t.schema.fields.map((f) => f.name).join(', ')}])`;
    // Partitioning is decided after mode inference (an updating input must keep per-key order).
    return this.draft({ t: 'sink', target: t }, [input], t.schema, name, this.parallelism, [{ kind: 'forward' }]);
  }

  private forwardOrRebalance(input: Draft, parallelism: number): Partitioning {
    return input.parallelism === parallelism ? { kind: 'forward' } : { kind: 'rebalance' };
  }

  translate(node: LogicalNode): Draft {
    const P = this.parallelism;
    switch (node.kind) {
      case 'Scan': {
        if (this.mode === 'batch' && !node.table.bounded) {
          throw userError(
            'PLAN.UNBOUNDED_SOURCE',
            `table ${formatIdentifier(node.table.id)} (connector '${node.table.connector}') is unbounded, but batch mode ('execution.runtime-mode' = 'batch') needs every source to be bounded`,
            { help: "bound the source (e.g. 'events.num' for nexmark, 'number-of-rows' for datagen) or run in streaming mode" },
          );
        }
        return this.draft({ t: 'source', scan: node }, [], node.rowType, scanName(node), scanParallelism(node, P), []);
      }
      case 'Values':
        return this.draft({ t: 'values', values: node }, [], node.rowType, `Values(tuples=[${node.rows.length} rows], fields=[${node.rowType.fields.map((f) => f.name).join(', ')}])`, 1, []);
      case 'Calc': {
        const input = this.translate(node.input);
        return this.draft(
          { t: 'calc', projection: node.projection, condition: node.condition },
          [input],
          node.rowType,
          calcName(node.projection, node.condition, node.rowType, node.input.rowType),
          input.parallelism,
          [{ kind: 'forward' }],
        );
      }
      case 'Aggregate': {
        const input = this.translate(node.input);
        const global = node.groupKeys.length === 0;
        return this.draft(
          { t: 'agg', groupKeys: node.groupKeys, aggregates: node.aggregates, stateTtlMs: this.stateTtl(node.stateTtlMs) },
          [input],
          node.rowType,
          groupAggregateName(node.groupKeys, node.aggregates, node.input.rowType, node.rowType),
          global ? 1 : P,
          [global ? { kind: 'global' } : { kind: 'hash', keys: node.groupKeys }],
        );
      }
      case 'WindowAggregate': {
        const distinct = node.window.kind === 'SESSION' ? node.aggregates.find((a) => a.distinct) : undefined;
        if (distinct !== undefined) {
          throw unsupported('PLAN.UNSUPPORTED_SESSION_DISTINCT', `DISTINCT aggregates are not supported in SESSION windows (${distinct.name})`, {
            help: 'merging sessions needs mergeable accumulators; deduplicate in a subquery first',
          });
        }
        const input = this.translate(node.input);
        const global = node.groupKeys.length === 0;
        return this.draft(
          { t: 'wagg', node },
          [input],
          node.rowType,
          windowAggregateName(node, node.input.rowType, node.rowType),
          global ? 1 : P,
          [global ? { kind: 'global' } : { kind: 'hash', keys: node.groupKeys }],
        );
      }
      case 'WindowTvf': {
        if (node.window.kind === 'SESSION') {
          throw unsupported(
            'PLAN.UNSUPPORTED_SESSION_TVF',
            'the SESSION window table function is only supported in a window aggregation (GROUP BY window_start, window_end and the PARTITION BY columns)',
            { help: 'SELECT k, window_start, window_end, COUNT(*) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL …)) GROUP BY k, window_start, window_end' },
          );
        }
        const input = this.translate(node.input);
        const name = `WindowTableFunction(window=[${formatWindow(node.window, node.input.rowType.fields[node.timeIndex]!.name)}])`;
        return this.draft({ t: 'wtvf', node }, [input], node.rowType, name, input.parallelism, [{ kind: 'forward' }]);
      }
      case 'Join': {
        const width = node.left.rowType.fields.length;
        const leftKeys: number[] = [];
        const rightKeys: number[] = [];
        const residual: ExprIR[] = [];
        for (const c of conjuncts(node.condition)) {
          const pair = equiPair(c, width);
          if (pair) {
            leftKeys.push(pair[0]);
            rightKeys.push(pair[1]);
          } else {
            residual.push(c);
          }
        }
        if (node.snapshot) return this.translateSnapshotJoin(node, leftKeys, rightKeys, andAll(residual));
        const left = this.translate(node.left);
        const right = this.translate(node.right);
        if (leftKeys.length === 0) {
          throw unsupported(
            'PLAN.UNSUPPORTED_JOIN',
            `joins need at least one equality between columns of both sides (a ${node.joinType === 'INNER' ? 'cross' : 'non-equi'} join would keep every row of both inputs in state)`,
            { help: 'add a condition like a.id = b.id to ON or WHERE' },
          );
        }
        const windowed = windowJoinSpec(node, leftKeys, rightKeys, andAll(residual));
        if (windowed !== null) {
          // Without keys besides the window, one subtask sees every row of a window.
          const global = windowed.leftKeys.length === 0;
          const parts: Partitioning[] = global
            ? [{ kind: 'global' }, { kind: 'global' }]
            : [
                { kind: 'hash', keys: windowed.leftKeys },
                { kind: 'hash', keys: windowed.rightKeys },
              ];
          return this.draft({ t: 'window-join', spec: windowed }, [left, right], node.rowType, windowJoinName(node, windowed), global ? 1 : P, parts);
        }
        const bounds = node.joinType === 'SEMI' || node.joinType === 'ANTI' ? null : extractIntervalBounds(residual, node.left.rowType, node.right.rowType);
        if (bounds !== null) {
          const spec: IntervalJoinSpec = {
            type: 'interval-join',
            version: 1,
            joinType: node.joinType as IntervalJoinSpec['joinType'],
            leftKeys,
            rightKeys,
            leftTimeIndex: bounds.leftTimeIndex,
            rightTimeIndex: bounds.rightTimeIndex,
            lowerBound: bounds.lowerBound,
            upperBound: bounds.upperBound,
            condition: andAll(bounds.rest),
            leftType: node.left.rowType,
            rightType: node.right.rowType,
          };
          return this.draft({ t: 'interval-join', spec }, [left, right], node.rowType, intervalJoinName(node, spec), P, [
            { kind: 'hash', keys: leftKeys },
            { kind: 'hash', keys: rightKeys },
          ]);
        }
        const name = joinName(node.joinType, node.condition, node.rowType, node.left.rowType, node.right.rowType);
        return this.draft(
          {
            t: 'join',
            joinType: node.joinType,
            leftKeys,
            rightKeys,
            residual: andAll(residual),
            condition: node.condition,
            leftStateTtlMs: this.stateTtl(node.stateTtl?.left),
            rightStateTtlMs: this.stateTtl(node.stateTtl?.right),
          },
          [left, right],
          node.rowType,
          name,
          P,
          [
            { kind: 'hash', keys: leftKeys },
            { kind: 'hash', keys: rightKeys },
          ],
        );
      }
      case 'Rank':
        return this.translateRank(node);
      case 'Over': {
        const input = this.translate(node.input);
        const global = node.partitionKeys.length === 0;
        return this.draft(
          { t: 'over', node },
          [input],
          node.rowType,
          overAggregateName(node),
          global ? 1 : P,
          [global ? { kind: 'global' } : { kind: 'hash', keys: node.partitionKeys }],
        );
      }
      case 'Match': {
        const input = this.translate(node.input);
        const global = node.partitionKeys.length === 0;
        return this.draft(
          { t: 'match', node },
          [input],
          node.rowType,
          matchName(node),
          global ? 1 : P,
          [global ? { kind: 'global' } : { kind: 'hash', keys: node.partitionKeys }],
        );
      }
      case 'Union': {
        const inputs = node.inputs.map((i) => this.translate(i));
        const same = inputs.every((i) => i.parallelism === inputs[0]!.parallelism);
        const p = same ? inputs[0]!.parallelism : P;
        return this.draft(
          { t: 'union' },
          inputs,
          node.rowType,
          `Union(all=[true], union=[${node.rowType.fields.map((f) => f.name).join(', ')}])`,
          p,
          inputs.map((i) => this.forwardOrRebalance(i, p)),
        );
      }
    }
  }

  /**
   * `JOIN t FOR SYSTEM_TIME AS OF l.time`: an event-time temporal join when the time is a rowtime
   * attribute; a lookup join when it is processing time (the table is read by the join operator, so the
   * right subtree is not translated into nodes; the join runs at the input's parallelism, chained to it).
   */
  private translateSnapshotJoin(node: Extract<LogicalNode, { kind: 'Join' }>, leftKeys: number[], rightKeys: number[], residual: ExprIR | null): Draft {
    const attr = (node.left.rowType.fields[node.snapshot!.timeIndex]!.type as { timeAttribute?: string }).timeAttribute;
    if (attr === 'rowtime') {
      if (this.mode === 'batch') {
        // Batch edges are insert-only: a versioned view (deduplication) would only show its final versions.
        throw unsupported('PLAN.UNSUPPORTED_TEMPORAL_JOIN', "event-time temporal joins (FOR SYSTEM_TIME AS OF a rowtime attribute) run in streaming mode only ('execution.runtime-mode' = 'streaming')");
      }
      // Event time: both inputs are streams, hash-partitioned by the keys (which cover the primary key).
      const spec = temporalJoinSpec(node, leftKeys, rightKeys, residual);
      const left = this.translate(node.left);
      const right = this.translate(node.right);
      return this.draft({ t: 'temporal-join', spec }, [left, right], node.rowType, temporalJoinName(node, spec), this.parallelism, [
        { kind: 'hash', keys: leftKeys },
        { kind: 'hash', keys: rightKeys },
      ]);
    }
    const input = this.translate(node.left);
    const spec = lookupJoinSpec(node, leftKeys, rightKeys, residual, sourceSpec);
    return this.draft({ t: 'lookup-join', spec }, [input], node.rowType, lookupJoinName(node, spec), input.parallelism, [{ kind: 'forward' }]);
  }

  /**
   * A Rank with a bounded range: Flink's Deduplicate when it keeps row number 1 ordered by one time
   * attribute and the number is not selected (RankUtil.canConvertToDeduplicate), else a Top-N. Both are
   * hash-partitioned by the partition keys (one subtask without keys).
   */
  private translateRank(node: RankNode): Draft {
    if (node.rankEnd === null) {
      throw unsupported(
        'PLAN.UNSUPPORTED_OVER',
        `ROW_NUMBER() OVER (…) is only supported as a Top-N or deduplication: filter the number (${node.rowType.fields[node.input.rowType.fields.length]?.name ?? 'rn'}) with <= N, < N, = 1 or BETWEEN 1 AND N in an outer query or QUALIFY`,
        { help: 'OVER aggregation (a running row number over all rows) is not supported yet' },
      );
    }
    if (node.rankEnd < node.rankStart) {
      throw userError('PLAN.EMPTY_RANK_RANGE', `the filter on ROW_NUMBER() keeps no row (range ${node.rankStart}..${node.rankEnd})`);
    }
    const input = this.translate(node.input);
    const global = node.partitionKeys.length === 0;
    const parallelism = global ? 1 : this.parallelism;
    const partitioning: Partitioning = global ? { kind: 'global' } : { kind: 'hash', keys: node.partitionKeys };
    // Ranking within event-time windows: final rows per window (WindowRank / WindowDeduplicate).
    const win = windowRankOf(node);
    if (win !== null) {
      const descending = node.orderBy[0]!.descending;
      const op: DraftOp = { t: 'wrank', node, windowEnd: win.windowEnd, laterRowFirstOnTies: win.dedup && descending };
      const name = win.dedup ? windowDeduplicateName(node) : windowRankName(node);
      return this.draft(op, [input], node.rowType, name, parallelism, [partitioning]);
    }
    const order = node.orderBy[0]!;
    const timeAttribute = (node.input.rowType.fields[order.index]!.type as { timeAttribute?: 'rowtime' | 'proctime' }).timeAttribute;
    if (node.orderBy.length === 1 && timeAttribute !== undefined && node.rankStart === 1 && node.rankEnd === 1 && !node.outputRankNumber) {
      const rowtime = timeAttribute === 'rowtime';
      const op: DraftOp = { t: 'dedup', keys: node.partitionKeys, timeIndex: order.index, keepLast: order.descending, rowtime };
      return this.draft(op, [input], node.rowType, deduplicateName(node.partitionKeys, order.descending, rowtime, node.input.rowType), parallelism, [partitioning]);
    }
    return this.draft({ t: 'rank', node }, [input], node.rowType, rankName(node, 'AppendFastStrategy'), parallelism, [partitioning]);
  }

  // ---- changelog modes --------------------------------------------------------------------------------

  inferModes(sink: Draft): void {
    if (this.mode === 'batch') {
      this.finishSinkPartitioning(sink);
      return;
    }
    this.inferBase(sink);
    this.requireUpdateBefore(sink, false);
    this.inferFinal(sink);
    this.finishSinkPartitioning(sink);
  }

  private inferBase(d: Draft): void {
    for (const i of d.inputs) this.inferBase(i);
    const op = d.op;
    switch (op.t) {
      case 'source':
        // A continuous read of a Paimon primary-key table emits the table's changelog with full old rows
        // (paimon-stream-reader.ts); every other source is insert-only.
        d.baseKinds = isLakeChangelogScan(op.scan) ? KIND_I | KIND_UB | KIND_UA | KIND_D : KIND_I;
        return;
      case 'values':
        d.baseKinds = KIND_I;
        return;
      case 'calc': {
        const input = d.inputs[0]!;
        d.baseKinds = input.baseKinds;
        d.upsertKey = mapKeyThroughProjection(input.upsertKey, op.projection);
        return;
      }
      case 'agg': {
        const input = d.inputs[0]!;
        // A group only disappears when retractions empty it; with insert-only input it only grows.
        d.baseKinds = KIND_I | KIND_UA | (isUpdating(input.baseKinds) ? KIND_D : 0);
        d.upsertKey = op.groupKeys.map((_, i) => i);
        return;
      }
      case 'wagg':
      case 'wtvf': {
        const input = d.inputs[0]!;
        if (isUpdating(input.baseKinds)) {
          const what = op.t === 'wagg' ? 'window aggregate' : 'window table function';
          throw unsupported('PLAN.WINDOW_UPDATING_INPUT', `a ${what} cannot consume updating input (from ${shortName(input)}); window TVFs need an insert-only stream`, {
            notes: [`at ${d.name}`],
          });
        }
        d.baseKinds = KIND_I;
        return;
      }
      case 'join': {
        d.baseKinds = joinKinds(op.joinType, d.inputs[0]!.baseKinds, d.inputs[1]!.baseKinds);
        d.upsertKey = null;
        return;
      }
      case 'union':
        d.baseKinds = d.inputs.reduce((acc, i) => acc | i.baseKinds, 0);
        d.upsertKey = null;
        return;
      case 'lookup-join':
        // Each input row keeps its kind; a key may match several table rows, so no upsert key survives.
        d.baseKinds = d.inputs[0]!.baseKinds;
        d.upsertKey = null;
        return;
      case 'temporal-join': {
        const left = d.inputs[0]!;
        if (isUpdating(left.baseKinds)) {
          throw unsupported('PLAN.TEMPORAL_JOIN_UPDATING_INPUT', `the left (probe) input of a temporal join must be insert-only, but ${producerOfUpdates(left)} produces updates`, {
            notes: [`at ${d.name}`],
          });
        }
        // The versioned side may be an upsert stream: each change is a new version.
        d.baseKinds = KIND_I;
        d.upsertKey = null;
        return;
      }
      case 'interval-join':
      case 'window-join':
        for (const input of d.inputs) {
          if (isUpdating(input.baseKinds)) {
            const what = op.t === 'interval-join' ? 'an interval join' : 'a window join';
            const code = op.t === 'interval-join' ? 'PLAN.INTERVAL_JOIN_UPDATING_INPUT' : 'PLAN.WINDOW_JOIN_UPDATING_INPUT';
            throw unsupported(code, `${what} cannot consume updating input (from ${producerOfUpdates(input)}); both inputs must be insert-only`, {
              notes: [`at ${d.name}`],
            });
          }
        }
        d.baseKinds = KIND_I;
        d.upsertKey = null;
        return;
      case 'rank': {
        const input = d.inputs[0]!;
        // Over updating input every row is kept so a retraction can pull the next row up (Flink's
        // RetractStrategy); over insert-only input only the top N (AppendFastStrategy).
        if (isUpdating(input.baseKinds)) d.name = rankName(op.node, 'RetractStrategy');
        // With the number, a rank position is the row's identity (upsert key: partition keys + number) and
        // changes by update; without it, rows only enter (+I) and leave (-D) the top N.
        if (op.node.outputRankNumber) {
          d.baseKinds = KIND_I | KIND_UA | KIND_D;
          d.upsertKey = [...op.node.partitionKeys, op.node.input.rowType.fields.length];
        } else {
          d.baseKinds = KIND_I | KIND_D;
          d.upsertKey = null;
        }
        return;
      }
      case 'wrank':
        // Its input is a window TVF or window aggregate (insert-only); it emits each window's rows once.
        d.baseKinds = KIND_I;
        d.upsertKey = null;
        return;
      case 'over': {
        const input = d.inputs[0]!;
        if (isUpdating(input.baseKinds)) {
          // Flink: "OverAggregate doesn't support consuming update and delete changes" (nexmark q6).
          throw unsupported('PLAN.OVER_UPDATING_INPUT', `OverAggregate doesn't support consuming update and delete changes (from ${producerOfUpdates(input)})`, {
            notes: [`at ${d.name}`],
            help: 'OVER aggregation needs an insert-only input; aggregate the rows before the operator that produces updates, or use a window aggregation',
          });
        }
        d.baseKinds = KIND_I;
        d.upsertKey = null;
        return;
      }
      case 'match': {
        const input = d.inputs[0]!;
        if (isUpdating(input.baseKinds)) {
          // Flink: "Match Recognize doesn't support consuming update and delete changes".
          throw unsupported('PLAN.MATCH_UPDATING_INPUT', `Match Recognize doesn't support consuming update and delete changes (from ${producerOfUpdates(input)})`, {
            notes: [`at ${d.name}`],
            help: 'MATCH_RECOGNIZE needs an insert-only input ordered by a time attribute',
          });
        }
        d.baseKinds = KIND_I;
        d.upsertKey = null;
        return;
      }
      case 'dedup': {
        const input = d.inputs[0]!;
        if (isUpdating(input.baseKinds)) {
          throw unsupported('PLAN.DEDUPLICATE_UPDATING_INPUT', `Deduplicate doesn't support consuming update and delete changes (from ${producerOfUpdates(input)})`, {
            notes: [`at ${d.name}`],
            help: 'deduplicate the insert-only input before the operator that produces updates',
          });
        }
        // Only processing-time keep-first never revises its row; the others replace it with updates.
        d.baseKinds = !op.rowtime && !op.keepLast ? KIND_I : KIND_I | KIND_UA;
        d.upsertKey = [...op.keys];
        return;
      }
      case 'sink': {
        const input = d.inputs[0]!;
        if (isUpdating(input.baseKinds) && !op.target.acceptsUpdates) {
          throw userError(
            'PLAN.SINK_UPDATES',
            `table '${op.target.tableName}' (connector '${op.target.connector}') cannot consume updates produced by ${producerOfUpdates(input)}; it only accepts inserts`,
            { help: 'write to a sink that accepts updates (e.g. with a PRIMARY KEY), or make the query insert-only (e.g. a window aggregate instead of GROUP BY)' },
          );
        }
        return;
      }
    }
  }

  /** Top-down: `need` says whether this node's consumer needs -U rows. */
  private requireUpdateBefore(d: Draft, need: boolean): void {
    d.needUpdateBefore ||= need;
    const op = d.op;
    const inputs = d.inputs;
    switch (op.t) {
      case 'source':
      case 'values':
        return;
      case 'sink': {
        const t = op.target;
        // A keyed sink upserts, so it needs no -U; except a Paimon table whose changelog producer is
        // `input`: its changelog files keep the input as it arrives, -U included (as Flink's Paimon sink).
        const keepsInput = t.connector === 'paimon' && (t.options['changelog-producer'] ?? '').trim().toLowerCase() === 'input';
        const noUb = SINKS_WITHOUT_UPDATE_BEFORE.has(t.connector) || (t.primaryKey !== null && !keepsInput);
        this.requireUpdateBefore(inputs[0]!, !noUb);
        return;
      }
      case 'calc': {
        const input = inputs[0]!;
        // A filter over updates must see the old row to retract it; a projection that drops the upsert
        // key leaves updates that can no longer be matched by key.
        const mustRetract = isUpdating(input.baseKinds) && (op.condition !== null || d.upsertKey === null);
        this.requireUpdateBefore(input, d.needUpdateBefore || mustRetract);
        return;
      }
      case 'agg':
      case 'join':
      case 'rank':
        for (const i of inputs) this.requireUpdateBefore(i, isUpdating(i.baseKinds));
        return;
      case 'union':
      case 'lookup-join':
        for (const i of inputs) this.requireUpdateBefore(i, d.needUpdateBefore || isUpdating(i.baseKinds));
        return;
      case 'interval-join':
      case 'temporal-join':
      case 'window-join':
        for (const i of inputs) this.requireUpdateBefore(i, false);
        return;
      case 'wagg':
      case 'wtvf':
      case 'dedup':
      case 'over':
      case 'wrank':
        this.requireUpdateBefore(inputs[0]!, false);
        return;
    }
  }

  private inferFinal(d: Draft): void {
    for (const i of d.inputs) this.inferFinal(i);
    const op = d.op;
    switch (op.t) {
      case 'agg':
      case 'rank':
      case 'dedup':
        d.kinds = d.baseKinds | (d.needUpdateBefore && d.baseKinds & KIND_UA ? KIND_UB : 0);
        return;
      case 'calc':
      case 'sink':
      case 'lookup-join':
        d.kinds = d.inputs[0]!.kinds;
        return;
      case 'join':
        d.kinds = joinKinds(op.joinType, d.inputs[0]!.kinds, d.inputs[1]!.kinds);
        return;
      case 'union':
        d.kinds = d.inputs.reduce((acc, i) => acc | i.kinds, 0);
        return;
      default:
        d.kinds = d.baseKinds;
    }
  }

  /**
   * Sinks run at the default parallelism; an insert-only input at another parallelism is rebalanced, an
   * updating one is hashed by the sink's primary key, or else the sink follows its input's parallelism so
   * every key's changes stay in order.
   */
  private finishSinkPartitioning(sink: Draft): void {
    const input = sink.inputs[0]!;
    if (input.parallelism === sink.parallelism) {
      sink.partitioning = [{ kind: 'forward' }];
    } else if (!isUpdating(input.kinds)) {
      sink.partitioning = [{ kind: 'rebalance' }];
    } else if (sink.op.t === 'sink' && sink.op.target.primaryKey !== null && sink.op.target.primaryKey.length > 0) {
      sink.partitioning = [{ kind: 'hash', keys: sink.op.target.primaryKey }];
    } else {
      sink.parallelism = input.parallelism;
      sink.partitioning = [{ kind: 'forward' }];
    }
  }

  // ---- emission ---------------------------------------------------------------------------------------

  emit(sinks: readonly Draft[], jobName: string): PhysicalPlanResult {
    const nodes: NodeSpec[] = [];
    const kinds: RowKinds[] = [];
    const byDigest = new Map<string, number>();
    const ids = new Map<Draft, number>();
    const visit = (d: Draft): number => {
      const known = ids.get(d);
      if (known !== undefined) return known;
      const inputIds = d.inputs.map(visit);
      if (d.op.t === 'sink' && d.op.target.connector === PAIMON_CONNECTOR) {
        const id = this.emitLakeSink(d, d.op.target, inputIds[0]!, (node, k) => {
          nodes.push({ id: nodes.length, ...node });
          kinds.push(this.mode === 'batch' ? KIND_I : k);
          return nodes.length - 1;
        });
        ids.set(d, id);
        return id;
      }
      const mode = this.modeOf(d);
      const operator = this.operatorSpec(d, mode);
      const inputs: EdgeSpec[] = inputIds.map((from, i) => ({ from, partitioning: d.partitioning[i] ?? { kind: 'forward' } }));
      const digest = JSON.stringify([d.name, d.parallelism, inputs, mode, operator, d.rowType]);
      const shared = byDigest.get(digest);
      if (shared !== undefined) {
        ids.set(d, shared);
        return shared;
      }
      const id = nodes.length;
      nodes.push({ id, name: d.name, parallelism: d.parallelism, inputs, outputType: d.rowType, changelogMode: mode, operator });
      kinds.push(this.mode === 'batch' ? KIND_I : d.kinds);
      byDigest.set(digest, id);
      ids.set(d, id);
      return id;
    };
    const sinkIds = sinks.map(visit);
    const config: Record<string, string> = {
      ...this.config,
      'execution.runtime-mode': this.mode,
      'parallelism.default': String(this.parallelism),
    };
    return { job: { version: JOB_SPEC_VERSION, name: this.config['pipeline.name'] ?? jobName, config, nodes }, sinkIds, kinds };
  }

  /**
   * A `paimon` sink becomes Paimon's sink topology (src/spec/lake-sink-specs.ts): for a primary-key
   * table a bucket assigner chained with the input and a hash exchange on (partition columns, bucket), so
   * each bucket has one writer; then the writers at the sink's parallelism (append tables keep the sink's
   * input edge), and one committer behind a `global` exchange that makes one snapshot per checkpoint.
   * Returns the committer's node id (the sink's root).
   */
  private emitLakeSink(d: Draft, t: SinkTarget, inputId: number, push: (node: Omit<NodeSpec, 'id'>, kinds: RowKinds) => number): number {
    const schema: RowType = { fields: t.schema.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })) };
    const inputMode = this.inputMode(d);
    const label = `table=[${t.tableName}]`;
    let writerInput: EdgeSpec = { from: inputId, partitioning: d.partitioning[0] ?? { kind: 'forward' } };
    let bucketColumn: number | null = null;
    if (t.primaryKey !== null && t.primaryKey.length > 0) {
      const input = d.inputs[0]!;
      bucketColumn = schema.fields.length;
      const assign = push(
        {
          name: `LakeBucketAssign(${label})`,
          parallelism: input.parallelism,
          inputs: [{ from: inputId, partitioning: { kind: 'forward' } }],
          outputType: { fields: [...schema.fields, { name: '_bucket', type: Types.int(false) }] },
          changelogMode: inputMode,
          operator: { type: 'lake-bucket-assign', version: 1, tableName: t.tableName, options: t.options },
        },
        input.kinds,
      );
      writerInput = { from: assign, partitioning: { kind: 'hash', keys: [...t.partitionKeys, bucketColumn] } };
    }
    const writer = push(
      {
        name: `LakeWriter(${label}, fields=[${schema.fields.map((f) => f.name).join(', ')}])`,
        parallelism: d.parallelism,
        inputs: [writerInput],
        outputType: PAIMON_COMMITTABLE_TYPE,
        changelogMode: { kind: 'insert-only' },
        operator: { type: 'lake-writer', version: 1, tableName: t.tableName, options: t.options, schema, inputMode, bucketColumn },
      },
      KIND_I,
    );
    return push(
      {
        name: `LakeCommitter(${label}${t.overwrite === undefined ? '' : `, overwrite=[${overwriteLabel(t.overwrite)}]`})`,
        parallelism: 1,
        inputs: [{ from: writer, partitioning: { kind: 'global' } }],
        outputType: PAIMON_COMMITTABLE_TYPE,
        changelogMode: { kind: 'insert-only' },
        operator: { type: 'lake-committer', version: 1, tableName: t.tableName, options: t.options, ...(t.overwrite === undefined ? {} : { overwrite: t.overwrite }) },
      },
      KIND_I,
    );
  }

  private modeOf(d: Draft): ChangelogMode {
    if (this.mode === 'batch' || d.op.t === 'sink') return { kind: 'insert-only' };
    return toChangelogMode(d.kinds, d.upsertKey);
  }

  private inputMode(d: Draft, i = 0): ChangelogMode {
    return this.modeOf(d.inputs[i]!);
  }

  private operatorSpec(d: Draft, _mode: ChangelogMode): OperatorSpec {
    const op = d.op;
    switch (op.t) {
      case 'source':
        return sourceSpec(op.scan);
      case 'values':
        return valuesSpec(op.values);
      case 'calc':
        return { type: 'calc', version: 1, projection: op.projection, condition: op.condition };
      case 'agg':
        return {
          type: 'group-aggregate',
          version: 1,
          groupKeys: op.groupKeys,
          aggregates: op.aggregates,
          inputMode: this.inputMode(d),
          generateUpdateBefore: this.mode === 'streaming' && (d.kinds & KIND_UB) !== 0,
          stateTtlMs: op.stateTtlMs,
        };
      case 'wagg': {
        const timeType = op.node.input.rowType.fields[op.node.timeIndex]!.type;
        const procTime = (timeType as { timeAttribute?: string }).timeAttribute === 'proctime';
        const w = op.node.window;
        if (w.kind === 'SESSION') {
          return {
            type: 'session-window-aggregate',
            version: 1,
            gap: w.gap,
            timeIndex: op.node.timeIndex,
            procTime,
            groupKeys: op.node.groupKeys,
            aggregates: op.node.aggregates,
          };
        }
        return {
          type: 'window-aggregate',
          version: 1,
          window: w,
          timeIndex: op.node.timeIndex,
          procTime,
          groupKeys: op.node.groupKeys,
          aggregates: op.node.aggregates,
        };
      }
      case 'wtvf': {
        const w = op.node.window;
        // Rejected when translated; kept here so the spec type stays exact.
        if (w.kind === 'SESSION') throw unsupported('PLAN.UNSUPPORTED_SESSION_TVF', 'the SESSION window table function is only supported in a window aggregation');
        return { type: 'window-table-function', version: 1, window: w, timeIndex: op.node.timeIndex };
      }
      case 'join': {
        const [left, right] = d.inputs as [Draft, Draft];
        return {
          type: 'join',
          version: 1,
          joinType: op.joinType,
          leftKeys: op.leftKeys,
          rightKeys: op.rightKeys,
          condition: op.residual,
          leftType: left.rowType,
          rightType: right.rowType,
          leftUniqueKey: uniqueKeyOf(this.inputMode(d, 0)),
          rightUniqueKey: uniqueKeyOf(this.inputMode(d, 1)),
          leftMode: this.inputMode(d, 0),
          rightMode: this.inputMode(d, 1),
          leftStateTtlMs: op.leftStateTtlMs,
          rightStateTtlMs: op.rightStateTtlMs,
        };
      }
      case 'union':
        return { type: 'union', version: 1 };
      case 'lookup-join':
      case 'interval-join':
      case 'temporal-join':
      case 'window-join':
        return op.spec;
      case 'rank': {
        const n = op.node;
        return {
          type: 'rank',
          version: 1,
          partitionKeys: n.partitionKeys,
          orderBy: n.orderBy,
          rankStart: n.rankStart,
          rankEnd: n.rankEnd!,
          outputRankNumber: n.outputRankNumber,
          inputMode: this.inputMode(d),
          generateUpdateBefore: this.mode === 'streaming' && (d.kinds & KIND_UB) !== 0,
          stateTtlMs: this.ttl,
        };
      }
      case 'wrank': {
        const n = op.node;
        return {
          type: 'window-rank',
          version: 1,
          partitionKeys: n.partitionKeys,
          windowEndIndex: op.windowEnd,
          orderBy: n.orderBy,
          rankStart: n.rankStart,
          rankEnd: n.rankEnd!,
          outputRankNumber: n.outputRankNumber,
          laterRowFirstOnTies: op.laterRowFirstOnTies,
        };
      }
      case 'over': {
        const n = op.node;
        const timeType = n.input.rowType.fields[n.timeIndex]!.type as { timeAttribute?: string };
        return {
          type: 'over-aggregate',
          version: 1,
          partitionKeys: n.partitionKeys,
          timeIndex: n.timeIndex,
          procTime: timeType.timeAttribute === 'proctime',
          frame: n.frame,
          aggregates: n.aggregates,
        };
      }
      case 'match': {
        const n = op.node;
        const timeType = n.input.rowType.fields[n.timeIndex]!.type as { timeAttribute?: string };
        return {
          type: 'match-recognize',
          version: 1,
          partitionKeys: n.partitionKeys,
          timeIndex: n.timeIndex,
          procTime: timeType.timeAttribute === 'proctime',
          orderBy: n.orderBy,
          variables: n.variables,
          elements: n.elements,
          within: n.within,
          after: n.after,
          defines: n.defines,
          measures: n.measures,
        };
      }
      case 'dedup':
        return {
          type: 'deduplicate',
          version: 1,
          keys: op.keys,
          timeIndex: op.timeIndex,
          keepLast: op.keepLast,
          rowtime: op.rowtime,
          generateUpdateBefore: this.mode === 'streaming' && (d.kinds & KIND_UB) !== 0,
          stateTtlMs: this.ttl,
        };
      case 'sink': {
        const t = op.target;
        return {
          type: 'sink',
          version: 1,
          connector: t.connector,
          tableName: t.tableName,
          options: t.options,
          schema: { fields: t.schema.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })) },
          inputMode: this.inputMode(d),
          partitionKeys: t.partitionKeys,
          primaryKey: t.primaryKey,
        };
      }
    }
  }
}

/** `EXPLAIN`'s text for what an INSERT OVERWRITE replaces: `dt=2024-01-01`, or `true` without static values. */
function overwriteLabel(o: NonNullable<SinkTarget['overwrite']>): string {
  const parts = Object.entries(o.staticPartition).map(([k, v]) => `${k}=${v === null ? 'NULL' : String(v)}`);
  return parts.length === 0 ? 'true' : parts.join(', ');
}

/** An unbounded scan of a Paimon primary-key table: a retract changelog, not inserts. */
function isLakeChangelogScan(node: ScanNode): boolean {
  const t = node.table;
  return t.connector === PAIMON_CONNECTOR && !t.bounded && t.primaryKey !== undefined && t.primaryKey.length > 0;
}

/** `scan.parallelism` (Flink's source option) overrides the default parallelism of one source. */
function scanParallelism(node: ScanNode, dflt: number): number {
  const raw = node.table.options['scan.parallelism'];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw userError('PLAN.BAD_OPTION', `table ${formatIdentifier(node.table.id)}: 'scan.parallelism' must be a positive integer, got '${raw}'`);
  }
  return n;
}

function uniqueKeyOf(mode: ChangelogMode): readonly number[] | null {
  return mode.kind === 'upsert' && mode.key.length > 0 ? mode.key : null;
}

/** `l = r` between a left column and a right column of the same value type → [left index, right index]. */
function equiPair(c: ExprIR, width: number): [number, number] | null {
  if (c.kind !== 'call' || c.fn !== '=' || c.args.length !== 2) return null;
  const [a, b] = c.args as [ExprIR, ExprIR];
  if (a.kind !== 'input' || b.kind !== 'input' || !sameValueType(a.type, b.type)) return null;
  if (a.index < width && b.index >= width) return [a.index, b.index - width];
  if (b.index < width && a.index >= width) return [b.index, a.index - width];
  return null;
}

/** The upsert key after a projection: each key column must pass through as a plain reference. */
function mapKeyThroughProjection(key: readonly number[] | null, projection: readonly ExprIR[]): number[] | null {
  if (key === null) return null;
  const out: number[] = [];
  for (const k of key) {
    const pos = projection.findIndex((p) => p.kind === 'input' && p.index === k);
    if (pos < 0) return null;
    out.push(pos);
  }
  return out;
}

/**
 * Row kinds a regular join emits (JoinOperator's rules): an INNER join forwards its inputs' kinds; a SEMI
 * join forwards the left input's kinds, and a change on an updating right input that takes a left row's
 * last match away retracts that row with -D (Flink's static inference, left ∪ right, leaves the D out);
 * outer and ANTI joins add and retract NULL-padded or unmatched rows with +I/-D.
 */
function joinKinds(joinType: JoinType, left: RowKinds, right: RowKinds): RowKinds {
  const k = left | right;
  if (joinType === 'INNER') return k;
  if (joinType === 'SEMI') return isUpdating(right) ? k | KIND_D : k;
  return k | KIND_I | KIND_D;
}

function shortName(d: Draft): string {
  const paren = d.name.indexOf('(');
  return paren < 0 ? d.name : d.name.slice(0, paren);
}

/** The operator that makes an edge updating, for error messages (`GroupAggregate(groupBy=[…])`). */
function producerOfUpdates(d: Draft): string {
  if (d.op.t === 'agg' || d.op.t === 'join') {
    const m = /^(\w+)\((groupBy=\[[^\]]*\]|joinType=\[[^\]]*\])?/.exec(d.name);
    return m ? `${m[1]}${m[2] ? `(${m[2]})` : ''}` : shortName(d);
  }
  const updating = d.inputs.find((i) => isUpdating(i.baseKinds));
  return updating ? producerOfUpdates(updating) : shortName(d);
}

function scanName(node: ScanNode): string {
  const t = node.table;
  const ext = t.extendedType.fields.map((f) => f.name);
  const parts = [`table=[[${formatIdentifier(t.id).split('.').join(', ')}]]`, `fields=[${node.rowType.fields.map((f) => f.name).join(', ')}]`];
  if (node.filter) {
    parts.push(`filter=[${formatExprIR(node.filter, ext)}]`);
    // What the connector prunes partitions with (it still applies the whole filter to the rows it reads).
    const pruning = getSourceConnector(t.connector).partitionPruning?.(node.filter, t.physicalType, t.partitionKeys) ?? null;
    if (pruning !== null) parts.push(`partitions=[${formatExprIR(pruning, ext)}]`);
  }
  if (t.watermark) parts.push(`watermark=[${ext[t.watermark.rowtimeIndex]}: ${formatExprIR(t.watermark.expr, ext)}]`);
  return `TableSourceScan(${parts.join(', ')})`;
}

/**
 * The scan's spec: only the computed columns something reads (the projection, the filter or the
 * watermark) are kept, renumbered after the physical columns.
 */
export function sourceSpec(node: ScanNode): SourceSpec {
  const t = node.table;
  const nPhys = t.physicalType.fields.length;
  const needed = new Set<number>(node.projection);
  if (node.filter) inputIndices(node.filter, needed);
  if (t.watermark) {
    needed.add(t.watermark.rowtimeIndex);
    inputIndices(t.watermark.expr, needed);
  }
  const keptComputed = t.computed.map((_, j) => nPhys + j).filter((e) => needed.has(e));
  const renumber = new Map<number, number>();
  for (let i = 0; i < nPhys; i++) renumber.set(i, i);
  keptComputed.forEach((e, j) => renumber.set(e, nPhys + j));
  const map = (i: number): number => renumber.get(i)!;
  return {
    type: 'source',
    version: 1,
    connector: t.connector,
    tableName: formatIdentifier(t.id),
    options: t.options,
    physicalType: t.physicalType,
    ...(t.partitionKeys.length > 0 ? { partitionKeys: t.partitionKeys } : {}),
    computed: keptComputed.map((e) => t.computed[e - nPhys]!),
    watermark: t.watermark ? { rowtimeIndex: map(t.watermark.rowtimeIndex), expr: remapInputs(t.watermark.expr, map) } : null,
    filter: node.filter ? remapInputs(node.filter, map) : null,
    projection: node.projection.map(map),
    bounded: t.bounded,
  };
}

/** Constant rows run as the internal `__values` source: the rows travel in its options as JSON. */
function valuesSpec(node: ValuesNode): SourceSpec {
  return {
    type: 'source',
    version: 1,
    connector: VALUES_CONNECTOR,
    tableName: 'VALUES',
    options: { rows: JSON.stringify(node.rows) },
    physicalType: node.rowType,
    computed: [],
    watermark: null,
    filter: null,
    projection: node.rowType.fields.map((_, i) => i),
    bounded: true,
  };
}
