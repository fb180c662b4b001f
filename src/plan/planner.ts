/**
 * The planner's entry points for queries and INSERTs: bind → optimize → physical plan → JobSpec, and
 * EXPLAIN over the same pipeline.
 */
import { COLLECT_CONNECTOR } from '../connectors/index.js';
import type { ExplainStatement, InsertStatement, QueryStatement } from '../sql/index.js';
import type { ChangelogMode, JobSpec } from '../spec/index.js';
import type { RowType } from '../types/index.js';
import { newBinderContext } from './binder-context.js';
import { formatExplain, formatLogicalPlan } from './explain.js';
import { bindInsert } from './insert-binder.js';
import type { LogicalNode } from './logical-plan.js';
import { optimize } from './optimizer.js';
import { planPhysical, type PhysicalPlanResult, type PlanRoot, type SinkTarget } from './physical-planner.js';
import type { PlannerContext } from './planner-context.js';
import { bindQuery } from './query-binder.js';

export interface PlannedQuery {
  readonly job: JobSpec;
  readonly resultType: RowType;
  readonly changelogMode: ChangelogMode;
  readonly collectNodeId: number;
}

interface Bound {
  readonly roots: readonly PlanRoot[];
  readonly jobName: string;
}

async function bindQueryRoot(query: QueryStatement, ctx: PlannerContext): Promise<Bound & { resultType: RowType }> {
  const bctx = await newBinderContext(ctx);
  const node = bindQuery(query.query, bctx);
  const sink: SinkTarget = {
    connector: COLLECT_CONNECTOR,
    tableName: 'collect',
    options: {},
    schema: node.rowType,
    partitionKeys: [],
    primaryKey: null,
    acceptsUpdates: true,
  };
  return { roots: [{ node, sink }], jobName: 'collect', resultType: node.rowType };
}

async function bindInsertRoots(inserts: readonly InsertStatement[], ctx: PlannerContext): Promise<Bound> {
  const bctx = await newBinderContext(ctx);
  const roots = inserts.map((ins) => bindInsert(ins, bctx));
  return { roots, jobName: `insert-into_${roots.map((r) => r.sink.tableName).join(',')}` };
}

function physical(bound: Bound, ctx: PlannerContext): PhysicalPlanResult {
  const optimized = bound.roots.map((r) => ({ node: optimize(r.node), sink: r.sink }));
  return planPhysical(optimized, ctx.config, bound.jobName);
}

/** Plans a SELECT whose rows go to the internal collect sink. */
export async function planQuery(query: QueryStatement, ctx: PlannerContext): Promise<PlannedQuery> {
  const bound = await bindQueryRoot(query, ctx);
  const { job, sinkIds } = physical(bound, ctx);
  const collectNodeId = sinkIds[0]!;
  const sink = job.nodes[collectNodeId]!.operator;
  const changelogMode: ChangelogMode = sink.type === 'sink' ? sink.inputMode : { kind: 'insert-only' };
  return { job, resultType: bound.resultType, changelogMode, collectNodeId };
}

/** Plans one INSERT or a statement set's INSERTs as one job (common sub-plans are shared). */
export async function planInserts(inserts: readonly InsertStatement[], ctx: PlannerContext): Promise<JobSpec> {
  return physical(await bindInsertRoots(inserts, ctx), ctx).job;
}

/** `EXPLAIN [details] <query | INSERT | statement set>`. */
export async function explain(stmt: ExplainStatement, ctx: PlannerContext): Promise<string> {
  const inner = stmt.statement;
  const bound =
    inner.kind === 'QueryStatement'
      ? await bindQueryRoot(inner, ctx)
      : await bindInsertRoots(inner.kind === 'Insert' ? [inner] : inner.inserts, ctx);
  const ast = formatLogicalPlan(bound.roots.map((r) => ({ node: r.node as LogicalNode, sinkName: `LogicalSink(table=[${r.sink.tableName}], fields=[${r.sink.schema.fields.map((f) => f.name).join(', ')}])` })));
  const { job, sinkIds, kinds } = physical(bound, ctx);
  const text = formatExplain(ast, job, sinkIds, kinds);
  // Flink's JSON_EXECUTION_PLAN detail: here the JobSpec itself, the exact contract the runtime executes.
  if (stmt.details.some((d) => d.toUpperCase() === 'JSON_EXECUTION_PLAN')) {
    return `${text}\n== Physical Execution Plan ==\n${JSON.stringify(job, null, 2)}\n`;
  }
  return text;
}
