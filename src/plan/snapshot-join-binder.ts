/**
 * Binds `left JOIN t FOR SYSTEM_TIME AS OF left.time [AS s] ON …` (Flink's temporal table join): the
 * table binds as a plain relation, and the join carries a `snapshot` saying which left column is the
 * "as of" time, plus the `LOOKUP` hint that names the table. The physical planner turns it into a lookup
 * join (processing time) or an event-time temporal join (rowtime).
 *
 * Flink's rules: the AS OF expression must be a time attribute column of the left input; only INNER and
 * LEFT joins; the output keeps the left side's time attributes (the join emits each left row at its own
 * time) and drops the table's.
 */
import { unsupported, userError } from '../common/index.js';
import type { Expr, JoinRef, TableName } from '../sql/index.js';
import { formatType, withNullable, withoutTimeAttribute, type RowField, type RowType } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import type { JoinNode, JoinType } from './logical-plan.js';
import type { BoundRelation } from './query-binder.js';
import { uniquify } from './query-binder.js';
import { Scope } from './scope.js';

export function bindSnapshotJoin(ref: JoinRef, left: BoundRelation, right: BoundRelation, asOf: Expr, table: TableName, ctx: BinderContext): BoundRelation {
  if (ref.natural || ref.using) {
    throw unsupported('PLAN.UNSUPPORTED_JOIN', `${ref.natural ? 'NATURAL' : 'USING'} joins are not supported yet; write the ON condition`, { span: ref.span });
  }
  if (ref.joinType !== 'INNER' && ref.joinType !== 'LEFT') {
    throw unsupported('PLAN.UNSUPPORTED_TEMPORAL_JOIN', `a ${ref.joinType} JOIN with FOR SYSTEM_TIME AS OF is not supported: temporal and lookup joins are INNER or LEFT joins`, { span: ref.span });
  }
  const joinType: JoinType = ref.joinType;
  const time = new ExprBinder(left.scope, ctx, 'ON').bind(asOf);
  const attr = (time.type as { timeAttribute?: 'rowtime' | 'proctime' }).timeAttribute;
  if (time.kind !== 'input' || attr === undefined) {
    throw userError(
      'PLAN.TEMPORAL_JOIN_TIME',
      `FOR SYSTEM_TIME AS OF must name a time attribute column of the left input (a PROCTIME() column or a column with a WATERMARK), got an expression of type ${formatType(time.type)}`,
      { span: asOf.span, help: 'add e.g. PROCTIME() AS proc_time to the left input and write FOR SYSTEM_TIME AS OF l.proc_time' },
    );
  }
  const tableName = table.name.parts[table.name.parts.length - 1]!.value;
  const alias = table.alias?.value ?? tableName;
  const hints = ctx.lookupHints ?? [];
  const lookupHint = hints.find((h) => h.table === alias) ?? hints.find((h) => h.table === tableName) ?? null;

  const width = left.node.rowType.fields.length;
  const rightNullable = joinType === 'LEFT';
  const leftFields: RowField[] = left.node.rowType.fields.map((f) => ({ name: f.name, type: f.type }));
  const rightFields: RowField[] = right.node.rowType.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(rightNullable ? withNullable(f.type, true) : f.type) }));
  const joined = [...leftFields, ...rightFields];
  const unique = uniquify(joined.map((f) => f.name));
  const rowType: RowType = { fields: joined.map((f, i) => ({ name: unique[i]!, type: f.type })) };
  const inputScope = Scope.concat(left.scope, right.scope, width);
  const condition = ref.on ? new ExprBinder(inputScope, ctx, 'ON').bindCondition(ref.on) : null;
  const outScope = new Scope(
    inputScope.tables.map((t) => ({ alias: t.alias, columns: t.columns.map((c) => ({ ...c, type: rowType.fields[c.index]!.type })) })),
  );
  const node: JoinNode = { kind: 'Join', left: left.node, right: right.node, joinType, condition, rowType, snapshot: { timeIndex: time.index, lookupHint } };
  return { node, scope: outScope };
}
