/**
 * Binds queries (SELECT, set operations, VALUES, WITH) and FROM items (tables, views, subqueries, joins,
 * window TVFs) into logical plans. Expressions go through `ExprBinder`; GROUP BY follows Flink's shape:
 * a Calc computing group keys, aggregate arguments and FILTER flags, the Aggregate, then a Calc for the
 * SELECT list and HAVING over the aggregate's output.
 *
 * Errors in different select items / clauses are collected and thrown together (FloeErrors).
 */
import { didYouMeanSuffix, FloeError, FloeErrors, unsupported, userError, type SourceSpan } from '../common/index.js';
import { formatIdentifier } from '../catalog/index.js';
import { encodeLiteral, evaluateConstant, leastRestrictiveType } from '../expr/index.js';
import type { ExprIR, JsonValue } from '../expr/index.js';
import type { Expr, FunctionCall, Query, Select, SelectItem, SetOperation, TableFunctionRef, TableName, TableRef, Values } from '../sql/index.js';
import {
  Types,
  formatType,
  isTimestampType,
  typeEquals,
  withNullable,
  withoutTimeAttribute,
  type LogicalType,
  type RowField,
  type RowType,
} from '../types/index.js';
import type { BinderContext, CteDef } from './binder-context.js';
import { AggregateScope, ExprBinder, containsAggregate } from './expr-binder.js';
import { castIfNeeded, conjuncts, inputRef } from './ir-utils.js';
import type { AggregateNode, CalcNode, JoinType, LogicalNode, LogicalWindow, ValuesNode } from './logical-plan.js';
import { buildScanTable } from './scan-table.js';
import { parseLookupHints } from './lookup-hint.js';
import { applyStateTtlToJoins, checkStateTtlHint, parseStateTtlHints, withAggregateStateTtl } from './state-ttl-hint.js';
import { bindSnapshotJoin } from './snapshot-join-binder.js';
import { TIME_TRAVEL_OPTION, canTimeTravel, timeTravelMillis, unsupportedTimeTravel } from './time-travel.js';
import { bindSubqueryPredicates, splitSubqueryPredicates } from './subquery-binder.js';
import { extractIntervalBounds } from './time-join-planning.js';
import { Scope, type ScopeColumn } from './scope.js';
import { bindRowNumber, findRowNumberCalls } from './row-number-binder.js';
import { bindGroupWindow, isGroupWindowCall, type BoundGroupWindow } from './group-window-binder.js';
import { bindOverAggregates, findOverAggregateCalls } from './over-binder.js';
import { bindMatchRecognize } from './match-binder.js';

export interface BoundRelation {
  readonly node: LogicalNode;
  readonly scope: Scope;
}

// ---- node builders ---------------------------------------------------------------------------------------

export function makeCalc(input: LogicalNode, projection: readonly ExprIR[], names: readonly string[], condition: ExprIR | null = null): CalcNode {
  return {
    kind: 'Calc',
    input,
    projection,
    condition,
    rowType: { fields: projection.map((p, i) => ({ name: names[i] ?? `$f${i}`, type: p.type })) },
  };
}

export function identityProjection(rowType: RowType): ExprIR[] {
  return rowType.fields.map((f, i) => inputRef(i, f.type));
}

/** Renames the output columns (a no-op Calc when names already match). */
export function renameColumns(node: LogicalNode, names: readonly string[]): LogicalNode {
  if (node.rowType.fields.every((f, i) => f.name === names[i])) return node;
  return makeCalc(node, identityProjection(node.rowType), names);
}

/** Calcite-style unique names: later duplicates get a numeric suffix (`id`, `id0`, `id1`). */
export function uniquify(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let i = 0; seen.has(name); i++) name = `${n}${i}`;
    seen.add(name);
    return name;
  });
}

function collect<T>(errors: FloeError[], f: () => T, fallback: T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FloeErrors) errors.push(...e.errors);
    else if (e instanceof FloeError) errors.push(e);
    else throw e;
    return fallback;
  }
}

function throwCollected(errors: readonly FloeError[]): void {
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new FloeErrors(errors);
}

/** Flink's deprecated GROUP BY TUMBLE(ts, size) style, superseded by window TVFs. */
const LEGACY_GROUP_WINDOWS: ReadonlySet<string> = new Set(['TUMBLE', 'HOP', 'SESSION', 'CUMULATE']);

const NULL_PLACEHOLDER: ExprIR = { kind: 'literal', value: null, type: Types.null() };

// ---- queries ---------------------------------------------------------------------------------------------

export function bindQuery(q: Query, ctx: BinderContext): LogicalNode {
  if (q.orderBy.length > 0 || q.limit || q.offset) {
    throw unsupported('PLAN.UNSUPPORTED_SORT', 'ORDER BY, LIMIT and OFFSET are not supported yet', { span: q.span });
  }
  switch (q.kind) {
    case 'Select':
      return bindSelect(q, ctx);
    case 'SetOperation':
      return bindSetOperation(q, ctx);
    case 'Values':
      return bindValues(q, ctx);
    case 'With': {
      // One scope level per CTE: each sees the ones before it (Flink/Calcite scoping), never itself.
      let ctes = ctx.ctes;
      for (const cte of q.ctes) {
        ctes = [...ctes, new Map([[cte.name.value, { query: cte.query, columns: cte.columns?.map((c) => c.value) ?? null }]])];
      }
      return bindQuery(q.body, { ...ctx, ctes });
    }
  }
}

interface ItemToBind {
  readonly ast: Expr | null;
  readonly column: ScopeColumn | null;
  readonly name: string;
  readonly span: SourceSpan;
}

function expandItems(items: readonly SelectItem[], scope: Scope): ItemToBind[] {
  const out: ItemToBind[] = [];
  items.forEach((item, i) => {
    const e = item.expr;
    if (e.kind === 'Star') {
      let cols: readonly ScopeColumn[];
      if (e.qualifier) {
        const alias = e.qualifier.parts.map((p) => p.value).join('.');
        const t = scope.findTable(alias);
        if (!t) {
          const names = scope.tables.flatMap((x) => (x.alias ? [x.alias] : []));
          throw userError('PLAN.UNKNOWN_TABLE', `table '${alias}' not found in FROM${didYouMeanSuffix(alias, names)}`, { span: e.span });
        }
        cols = t.columns;
      } else {
        cols = scope.allColumns();
        if (scope.tables.length === 0) throw userError('PLAN.BAD_STAR', `SELECT * needs a FROM clause`, { span: e.span });
      }
      for (const c of cols) out.push({ ast: null, column: c, name: c.name, span: e.span });
      return;
    }
    const name = item.alias
      ? item.alias.value
      : e.kind === 'ColumnRef'
        ? e.parts[e.parts.length - 1]!.value
        : e.kind === 'FieldAccess'
          ? e.field.value
          : `EXPR$${i}`;
    out.push({ ast: e, column: null, name, span: item.span });
  });
  return out;
}

function bindSelect(sel: Select, ctx: BinderContext): LogicalNode {
  const errors: FloeError[] = [];
  const from: BoundRelation = sel.from
    ? bindTableRef(sel.from, { ...ctx, lookupHints: parseLookupHints(sel.hints) })
    : { node: { kind: 'Values', rows: [[]], rowType: { fields: [] } } satisfies ValuesNode, scope: Scope.empty() };
  // STATE_TTL names inputs of this block's joins and aggregation; checked before anything else is bound.
  const ttlHint = parseStateTtlHints(sel.hints);
  const aggregateTtlMs = ttlHint === null ? undefined : checkStateTtlHint(ttlHint, sel.from ?? null).aggregateTtlMs;
  let input = ttlHint !== null && sel.from ? applyStateTtlToJoins(ttlHint, sel.from, from.node) : from.node;
  const scope = from.scope;
  const base = new ExprBinder(scope, ctx, 'WHERE');
  if (sel.where) {
    // [NOT] IN / EXISTS subqueries among the WHERE conjuncts become SEMI/ANTI joins after the filter.
    const { rest, subqueries } = splitSubqueryPredicates(sel.where);
    const cond = rest === null ? null : collect(errors, () => base.bindCondition(rest), null);
    if (cond) input = makeCalc(input, identityProjection(input.rowType), input.rowType.fields.map((f) => f.name), cond);
    if (subqueries.length > 0) input = collect(errors, () => bindSubqueryPredicates(input, scope, subqueries, ctx), input);
  }
  const items = collect(errors, () => expandItems(sel.items, scope), []);
  const grouped = sel.groupBy.length > 0 || items.some((it) => it.ast !== null && containsAggregate(it.ast)) || (sel.having !== undefined);
  let node: LogicalNode;
  const names = uniquify(items.map((it) => it.name));
  // ROW_NUMBER() OVER (…) in the SELECT list or QUALIFY: a Rank node appends the number to the rows
  // (Flink's Top-N / deduplication pattern, completed by the rank-range rule).
  const rowNumberCalls = grouped ? [] : findRowNumberCalls([...items.map((it) => it.ast ?? undefined), sel.qualify]);
  if (sel.qualify && rowNumberCalls.length === 0) {
    throw unsupported('PLAN.UNSUPPORTED_QUALIFY', 'QUALIFY is only supported with ROW_NUMBER() OVER (…) (Top-N)', { span: sel.qualify.span });
  }
  if (!grouped) {
    let selectBinder = base.withClause('SELECT');
    if (rowNumberCalls.length > 0) {
      throwCollected(errors);
      const selected = items.findIndex((it) => it.ast !== null && rowNumberCalls.includes(it.ast as (typeof rowNumberCalls)[number]));
      const rank = bindRowNumber(input, scope, rowNumberCalls, ctx, selected >= 0 ? names[selected]! : null);
      input = rank.node;
      selectBinder = selectBinder.withOverRefs(rank.overRefs);
      if (sel.qualify) {
        const cond = selectBinder.withClause('QUALIFY').bindCondition(sel.qualify);
        input = makeCalc(input, identityProjection(input.rowType), input.rowType.fields.map((f) => f.name), cond);
      }
    }
    // agg(x) OVER (…): an Over node appends the aggregates to the rows (input columns keep their positions).
    const overCalls = findOverAggregateCalls(items.map((it) => it.ast ?? undefined));
    if (overCalls.length > 0) {
      if (rowNumberCalls.length > 0) {
        throw unsupported('PLAN.UNSUPPORTED_OVER', 'ROW_NUMBER() and OVER aggregates in one SELECT are not supported; compute one of them in a subquery', { span: sel.span });
      }
      throwCollected(errors);
      const over = bindOverAggregates(input, scope, overCalls, ctx, sel.windows);
      input = over.node;
      selectBinder = selectBinder.withOverRefs(over.overRefs);
    }
    const projection = items.map((it) =>
      it.column ? inputRef(it.column.index, it.column.type) : collect(errors, () => selectBinder.bind(it.ast!), NULL_PLACEHOLDER),
    );
    throwCollected(errors);
    node = makeCalc(input, projection, names);
  } else {
    const keyBinder = base.withClause('GROUP BY');
    let groupWindow: BoundGroupWindow | null = null;
    const keys: ExprIR[] = [];
    const keyNames: (string | undefined)[] = [];
    for (const g of sel.groupBy) {
      if (g.kind !== 'Expr') {
        errors.push(unsupported('PLAN.UNSUPPORTED_GROUPING_SETS', `${g.kind === 'GroupingSets' ? 'GROUPING SETS' : g.kind.toUpperCase()} is not supported yet`, { span: g.span }));
        continue;
      }
      if (isGroupWindowCall(g.expr)) {
        // Legacy GROUP BY TUMBLE/HOP/SESSION(ts, …): window_start/window_end keys over a window TVF.
        if (groupWindow !== null) {
          errors.push(userError('PLAN.BAD_GROUP_WINDOW_FUNCTION', 'GROUP BY takes at most one group window', { span: g.expr.span }));
          continue;
        }
        const call = g.expr as FunctionCall;
        const bound = collect(errors, () => bindGroupWindow(call, input, scope, [...items.map((it) => it.ast ?? undefined), sel.having], ctx), null);
        if (bound === null) continue;
        groupWindow = bound;
        input = bound.node;
        keys.push(...bound.keys);
        keyNames.push(...bound.keyNames);
        continue;
      }
      if (g.expr.kind === 'FunctionCall' && LEGACY_GROUP_WINDOWS.has(g.expr.name.parts.map((p) => p.value).join('.').toUpperCase())) {
        const fn = g.expr.name.parts.map((p) => p.value).join('.').toUpperCase();
        errors.push(
          unsupported('PLAN.UNSUPPORTED_GROUP_WINDOW', `group window functions in GROUP BY (${fn}(…)) are not supported yet`, {
            span: g.expr.span,
            help: fn === 'SESSION' ? undefined : `use the window table function: FROM TABLE(${fn}(TABLE t, DESCRIPTOR(ts), …)) GROUP BY window_start, window_end`,
          }),
        );
        continue;
      }
      const k = collect(errors, () => keyBinder.bind(g.expr), null);
      if (k) {
        keys.push(k);
        keyNames.push(k.kind === 'input' ? scope.allColumns().find((c) => c.index === k.index)?.name : undefined);
      }
    }
    throwCollected(errors);
    const aggInput = groupWindow === null ? base : base.withOverRefs(groupWindow.auxiliary);
    const agg = new AggregateScope(aggInput.withClause('SELECT', null), keys, keyNames as string[]);
    const selectBinder = new ExprBinder(scope, ctx, 'SELECT', agg);
    const projection = items.map((it) => {
      if (it.column) {
        const ref = inputRef(it.column.index, it.column.type);
        const key = agg.keyIndexOf(ref);
        if (key === undefined) {
          errors.push(userError('PLAN.NOT_GROUPED', `expression '${it.column.name}' is not being grouped`, { span: it.span }));
          return NULL_PLACEHOLDER;
        }
        return inputRef(key, agg.keyType(key));
      }
      return collect(errors, () => selectBinder.bind(it.ast!), NULL_PLACEHOLDER);
    });
    const having = sel.having ? collect(errors, () => selectBinder.withClause('HAVING').bindCondition(sel.having!), null) : null;
    throwCollected(errors);
    const pre = makeCalc(input, agg.preExprs, agg.preNames);
    // Name each aggregate after the select alias that is exactly it (readable plans, as Flink shows them).
    const aggNames = agg.calls.map((_, i) => `EXPR$${i}`);
    projection.forEach((p, i) => {
      if (p.kind === 'input' && p.index >= agg.keyCount) aggNames[p.index - agg.keyCount] = names[i]!;
    });
    const outNames = uniquify([...agg.preNames.slice(0, agg.keyCount), ...aggNames]);
    const aggNode: AggregateNode = {
      kind: 'Aggregate',
      input: pre,
      groupKeys: keys.map((_, i) => i).slice(0, agg.keyCount),
      aggregates: agg.calls,
      rowType: {
        fields: [
          ...Array.from({ length: agg.keyCount }, (_, i) => ({ name: outNames[i]!, type: agg.keyType(i) })),
          ...agg.calls.map((c, i) => ({ name: outNames[agg.keyCount + i]!, type: c.type })),
        ],
      },
    };
    node = makeCalc(withAggregateStateTtl(aggNode, aggregateTtlMs), projection, names, having);
  }
  if (sel.distinct) node = withAggregateStateTtl(distinctOf(node), aggregateTtlMs);
  return node;
}

/** SELECT DISTINCT / UNION: a group-by over every column with no aggregates. */
export function distinctOf(node: LogicalNode): AggregateNode {
  return {
    kind: 'Aggregate',
    input: node,
    groupKeys: node.rowType.fields.map((_, i) => i),
    aggregates: [],
    rowType: { fields: node.rowType.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })) },
  };
}

function bindSetOperation(q: SetOperation, ctx: BinderContext): LogicalNode {
  if (q.op !== 'UNION') {
    throw unsupported('PLAN.UNSUPPORTED_SET_OPERATION', `${q.op} is not supported yet`, { span: q.span });
  }
  const left = bindQuery(q.left, ctx);
  const right = bindQuery(q.right, ctx);
  const lf = left.rowType.fields;
  const rf = right.rowType.fields;
  if (lf.length !== rf.length) {
    throw userError('PLAN.SET_OP_COLUMN_COUNT', `UNION inputs have different column counts: ${lf.length} and ${rf.length}`, { span: q.span });
  }
  const types = lf.map((l, i) => {
    const r = rf[i]!;
    if (typeEquals(l.type, r.type)) return l.type;
    const t = leastRestrictiveType([l.type, r.type]);
    if (t === null) {
      throw userError('PLAN.TYPE_MISMATCH', `UNION column ${i + 1} ('${l.name}') has incompatible types ${formatType(l.type)} and ${formatType(r.type)}`, { span: q.span });
    }
    return withoutTimeAttribute(t);
  });
  const names = lf.map((f) => f.name);
  const conform = (n: LogicalNode): LogicalNode => {
    if (n.rowType.fields.every((f, i) => typeEquals(f.type, types[i]!) && f.name === names[i])) return n;
    return makeCalc(n, n.rowType.fields.map((f, i) => castIfNeeded(inputRef(i, f.type), types[i]!)), names);
  };
  const union: LogicalNode = { kind: 'Union', inputs: [conform(left), conform(right)], rowType: { fields: names.map((name, i) => ({ name, type: types[i]! })) } };
  return q.all ? union : distinctOf(union);
}

function bindValues(q: Values, ctx: BinderContext): ValuesNode {
  const binder = new ExprBinder(Scope.empty(), ctx, 'VALUES');
  const errors: FloeError[] = [];
  const rows = q.rows.map((r) => r.map((e) => collect(errors, () => binder.bind(e), NULL_PLACEHOLDER)));
  throwCollected(errors);
  const width = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== width)) throw userError('PLAN.VALUES_WIDTH', 'VALUES rows have different numbers of columns', { span: q.span });
  const types: LogicalType[] = [];
  for (let c = 0; c < width; c++) {
    const colTypes = rows.map((r) => r[c]!.type);
    const t = leastRestrictiveType(colTypes);
    if (t === null) throw userError('PLAN.TYPE_MISMATCH', `VALUES column ${c + 1} has incompatible types: ${colTypes.map(formatType).join(', ')}`, { span: q.span });
    types.push(t);
  }
  const encoded: JsonValue[][] = rows.map((r, ri) =>
    r.map((e, c) => {
      let value: unknown;
      try {
        value = evaluateConstant(castIfNeeded(e, types[c]!));
      } catch (err) {
        throw userError('PLAN.NON_CONSTANT_VALUES', `VALUES row ${ri + 1} column ${c + 1} is not a constant expression`, { span: q.rows[ri]![c]!.span, cause: err });
      }
      return encodeLiteral(value, types[c]!);
    }),
  );
  return { kind: 'Values', rows: encoded, rowType: { fields: types.map((t, i) => ({ name: `EXPR$${i}`, type: t })) } };
}

// ---- FROM items ------------------------------------------------------------------------------------------

function aliased(rel: { node: LogicalNode }, alias: string | null, columnAliases: readonly { value: string; span: SourceSpan }[] | undefined, span: SourceSpan): BoundRelation {
  let node = rel.node;
  if (columnAliases && columnAliases.length > 0) {
    if (columnAliases.length !== node.rowType.fields.length) {
      throw userError('PLAN.COLUMN_ALIAS_COUNT', `${columnAliases.length} column aliases given for ${node.rowType.fields.length} columns`, { span });
    }
    node = renameColumns(node, columnAliases.map((c) => c.value));
  }
  return { node, scope: Scope.of(alias, node.rowType) };
}

export function bindTableRef(ref: TableRef, ctx: BinderContext): BoundRelation {
  switch (ref.kind) {
    case 'TableName': {
      const rel = bindTableName(ref, ctx);
      const alias = ref.alias?.value ?? ref.name.parts[ref.name.parts.length - 1]!.value;
      return aliased(rel, alias, ref.columnAliases, ref.span);
    }
    case 'Subquery': {
      if (ref.lateral) throw unsupported('PLAN.UNSUPPORTED_LATERAL', 'LATERAL subqueries are not supported yet', { span: ref.span });
      return aliased({ node: bindQuery(ref.query, ctx) }, ref.alias?.value ?? null, ref.columnAliases, ref.span);
    }
    case 'TableFunction':
      return aliased({ node: bindTableFunction(ref, ctx) }, ref.alias?.value ?? null, ref.columnAliases, ref.span);
    case 'MatchRecognize': {
      const input = bindTableRef(ref.input, ctx);
      return aliased({ node: bindMatchRecognize(ref, input.node, input.scope, ctx) }, ref.alias?.value ?? null, ref.columnAliases, ref.span);
    }
    case 'Join': {
      if (ref.natural || ref.using) {
        throw unsupported('PLAN.UNSUPPORTED_JOIN', `${ref.natural ? 'NATURAL' : 'USING'} joins are not supported yet; write the ON condition`, { span: ref.span });
      }
      const left = bindTableRef(ref.left, ctx);
      const temporal = ref.right.kind === 'TableName' && ref.right.forSystemTime !== undefined ? ref.right : null;
      if (temporal !== null) {
        // `JOIN t FOR SYSTEM_TIME AS OF l.time`: the table binds as usual; the AS OF goes on the join.
        const { forSystemTime, ...plain } = temporal;
        return bindSnapshotJoin(ref, left, bindTableRef(plain, ctx), forSystemTime!, temporal, ctx);
      }
      const right = bindTableRef(ref.right, ctx);
      const width = left.node.rowType.fields.length;
      const joinType: JoinType = ref.joinType === 'CROSS' ? 'INNER' : ref.joinType;
      const leftNullable = joinType === 'RIGHT' || joinType === 'FULL';
      const rightNullable = joinType === 'LEFT' || joinType === 'FULL';
      const inputScope = Scope.concat(left.scope, right.scope, width);
      const condition = ref.on ? new ExprBinder(inputScope, ctx, 'ON').bindCondition(ref.on) : null;
      // A regular join materialises time attributes (Flink: they are no longer ordered after the join); an
      // interval join (time bounds in ON) keeps them, since it holds the watermark back by its bounds.
      const keepTime = condition !== null && extractIntervalBounds(conjuncts(condition), left.node.rowType, right.node.rowType) !== null;
      const side = (fields: readonly RowField[], nullable: boolean): RowField[] =>
        fields.map((f) => {
          const type = nullable ? withNullable(f.type, true) : f.type;
          return { name: f.name, type: keepTime ? type : withoutTimeAttribute(type) };
        });
      const joined = [...side(left.node.rowType.fields, leftNullable), ...side(right.node.rowType.fields, rightNullable)];
      // Output names are made unique (Calcite: `starttime`, `starttime0`); the scope keeps the written names.
      const unique = uniquify(joined.map((f) => f.name));
      const rowType: RowType = { fields: joined.map((f, i) => ({ name: unique[i]!, type: f.type })) };
      const outScope = new Scope(
        inputScope.tables.map((t) => ({ alias: t.alias, columns: t.columns.map((c) => ({ ...c, type: rowType.fields[c.index]!.type })) })),
      );
      return { node: { kind: 'Join', left: left.node, right: right.node, joinType, condition, rowType }, scope: outScope };
    }
  }
}

function cteLookup(ctx: BinderContext, name: string): { def: CteDef; level: number } | undefined {
  for (let i = ctx.ctes.length - 1; i >= 0; i--) {
    const def = ctx.ctes[i]!.get(name);
    if (def) return { def, level: i };
  }
  return undefined;
}

function bindTableName(ref: TableName, ctx: BinderContext): { node: LogicalNode } {
  const parts = ref.name.parts.map((p) => p.value);
  if (ref.forSystemTime && ((parts.length === 1 && cteLookup(ctx, parts[0]!)) || !canTimeTravel(ref, ctx))) {
    unsupportedTimeTravel(ref);
  }
  if (parts.length === 1) {
    const cte = cteLookup(ctx, parts[0]!);
    if (cte) {
      const node = bindQuery(cte.def.query, { ...ctx, ctes: ctx.ctes.slice(0, cte.level) });
      return { node: cte.def.columns ? renameColumns(node, cte.def.columns) : node };
    }
  }
  const catalogs = ctx.planner.catalogs;
  const fullParts =
    ctx.path === null ? parts : parts.length === 1 ? [ctx.path.catalog, ctx.path.database, parts[0]!] : parts.length === 2 ? [ctx.path.catalog, ...parts] : parts;
  const resolved = catalogs.resolveTable(fullParts, ref.name.span);
  const key = formatIdentifier(resolved.id);
  if (resolved.table.kind === 'view') {
    const view = resolved.table;
    if (ctx.viewStack.includes(key)) {
      throw userError('PLAN.VIEW_CYCLE', `view ${key} refers to itself (${[...ctx.viewStack, key].join(' → ')})`, { span: ref.span });
    }
    const node = bindQuery(view.query, {
      ...ctx,
      ctes: [],
      viewStack: [...ctx.viewStack, key],
      path: { catalog: view.defaultCatalog, database: view.defaultDatabase },
    });
    if (node.rowType.fields.length !== view.schema.fields.length) {
      throw userError('PLAN.VIEW_CHANGED', `view ${key} now has ${node.rowType.fields.length} columns but was created with ${view.schema.fields.length}; recreate it`, { span: ref.span });
    }
    return { node: renameColumns(node, view.schema.fields.map((f) => f.name)) };
  }
  const hintOptions: Record<string, string> = {};
  for (const h of ref.hints) {
    if (h.name.value.toUpperCase() === 'OPTIONS') for (const o of h.options) hintOptions[o.key] = o.value;
  }
  if (ref.forSystemTime) hintOptions[TIME_TRAVEL_OPTION] = timeTravelMillis(ref.forSystemTime, ctx);
  const { scan, columnToExtended } = buildScanTable(ctx, resolved.id, resolved.table, hintOptions, ref.span);
  return {
    node: {
      kind: 'Scan',
      table: scan,
      projection: columnToExtended,
      filter: null,
      rowType: { fields: columnToExtended.map((i) => scan.extendedType.fields[i]!) },
    },
  };
}

// ---- window table functions ------------------------------------------------------------------------------

const WINDOW_PARAMS: Readonly<Record<string, readonly string[]>> = {
  TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
  HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
  CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
  SESSION: ['DATA', 'TIMECOL', 'GAP'],
};

function bindTableFunction(ref: TableFunctionRef, ctx: BinderContext): LogicalNode {
  const name = ref.name.parts.map((p) => p.value).join('.').toUpperCase();
  if (ref.lateral || name === 'UNNEST') {
    throw unsupported('PLAN.UNSUPPORTED_TABLE_FUNCTION', `${ref.lateral ? 'LATERAL TABLE' : 'UNNEST'} is not supported yet`, { span: ref.span });
  }
  const params = WINDOW_PARAMS[name];
  if (!params) {
    throw unsupported('PLAN.UNSUPPORTED_TABLE_FUNCTION', `table function ${name} is not supported (window TVFs: TUMBLE, HOP, CUMULATE, SESSION)`, { span: ref.span });
  }
  const byName = new Map<string, (typeof ref.args)[number]>();
  ref.args.forEach((a, i) => {
    const key = a.name !== undefined ? a.name.toUpperCase() : params[i];
    if (key === undefined || !params.includes(key)) {
      throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name} has no ${a.name !== undefined ? `parameter '${a.name}'` : `argument ${i + 1}`} (parameters: ${params.join(', ')})`, { span: a.span });
    }
    if (byName.has(key)) throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: parameter ${key} given twice`, { span: a.span });
    byName.set(key, a);
  });
  const arg = (key: string, required: boolean) => {
    const a = byName.get(key);
    if (!a && required) throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name} requires the ${key} argument`, { span: ref.span });
    return a;
  };
  const data = arg('DATA', true)!;
  let input: LogicalNode;
  if (data.kind === 'Table') {
    input = bindTableName({ kind: 'TableName', name: data.table, hints: [], span: data.span }, ctx).node;
  } else if (data.kind === 'TableQuery') {
    input = bindQuery(data.query, ctx);
  } else {
    throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: DATA must be TABLE name or TABLE(query)`, { span: data.span });
  }
  const timecol = arg('TIMECOL', true)!;
  if (timecol.kind !== 'Descriptor' || timecol.columns.length !== 1) {
    throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: TIMECOL must be DESCRIPTOR(column) naming one column`, { span: timecol.span });
  }
  const colName = timecol.columns[0]!.value;
  const timeIndex = input.rowType.fields.findIndex((f) => f.name === colName);
  if (timeIndex < 0) {
    throw userError('PLAN.UNKNOWN_COLUMN', `column '${colName}' not found in the window's input${didYouMeanSuffix(colName, input.rowType.fields.map((f) => f.name))}`, {
      span: timecol.columns[0]!.span,
    });
  }
  const timeType = input.rowType.fields[timeIndex]!.type;
  const attr = isTimestampType(timeType) ? (timeType as { timeAttribute?: 'rowtime' | 'proctime' }).timeAttribute : undefined;
  if (!attr) {
    throw userError('PLAN.NOT_TIME_ATTRIBUTE', `${name}: column '${colName}' (${formatType(timeType)}) is not a time attribute`, {
      span: timecol.columns[0]!.span,
      help: "declare a WATERMARK FOR the column in the source table, or use a PROCTIME() column",
    });
  }
  const ms = (key: string, required: boolean): number | undefined => {
    const a = arg(key, required);
    if (!a) return undefined;
    if (a.kind !== 'Expr') throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: ${key} must be an interval`, { span: a.span });
    const ir = new ExprBinder(Scope.empty(), ctx, 'window argument').bind(a.expr);
    if (ir.type.kind !== 'INTERVAL_DAY_TIME') {
      throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: ${key} must be a day-time INTERVAL, got ${formatType(ir.type)}`, { span: a.span });
    }
    const v = evaluateConstant(ir);
    if (typeof v !== 'number') throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: ${key} must be a constant interval`, { span: a.span });
    if (key !== 'OFFSET' && v <= 0) throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: ${key} must be positive`, { span: a.span });
    return v;
  };
  let window: LogicalWindow;
  let partitionKeys: number[] | undefined;
  if (data.kind === 'Table' && data.partitionBy !== undefined) {
    if (name !== 'SESSION') throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${name}: only SESSION takes PARTITION BY`, { span: data.span });
    const scope = Scope.of(null, input.rowType);
    partitionKeys = data.partitionBy.map((e) => {
      const ir = new ExprBinder(scope, ctx, 'window argument').bind(e);
      if (ir.kind !== 'input') throw userError('PLAN.BAD_WINDOW_ARGUMENT', 'SESSION: PARTITION BY takes columns, not expressions', { span: e.span });
      return ir.index;
    });
  }
  const size = name === 'SESSION' ? 0 : ms('SIZE', true)!;
  const offset = name === 'SESSION' ? 0 : ms('OFFSET', false) ?? 0;
  if (name === 'SESSION') {
    window = { kind: 'SESSION', gap: ms('GAP', true)! };
  } else if (name === 'TUMBLE') {
    window = { kind: 'TUMBLE', size, offset };
  } else if (name === 'HOP') {
    const slide = ms('SLIDE', true)!;
    if (size % slide !== 0) {
      throw userError('PLAN.BAD_WINDOW_ARGUMENT', `HOP: size (${size} ms) must be an integral multiple of slide (${slide} ms)`, { span: ref.span });
    }
    window = { kind: 'HOP', size, slide, offset };
  } else {
    const step = ms('STEP', true)!;
    if (size % step !== 0) {
      throw userError('PLAN.BAD_WINDOW_ARGUMENT', `CUMULATE: size (${size} ms) must be an integral multiple of step (${step} ms)`, { span: ref.span });
    }
    window = { kind: 'CUMULATE', size, step, offset };
  }
  const windowTime: LogicalType =
    attr === 'rowtime'
      ? { kind: timeType.kind as 'TIMESTAMP' | 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'rowtime' }
      : { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'proctime' };
  const fields: RowField[] = input.rowType.fields.map((f, i) => (i === timeIndex ? { name: f.name, type: withoutTimeAttribute(f.type) } : f));
  fields.push(
    { name: 'window_start', type: Types.timestamp(3, false) },
    { name: 'window_end', type: Types.timestamp(3, false) },
    { name: 'window_time', type: windowTime },
  );
  return { kind: 'WindowTvf', input, window, timeIndex, rowType: { fields }, ...(partitionKeys === undefined ? {} : { partitionKeys }) };
}
