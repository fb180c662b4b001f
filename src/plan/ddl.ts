/**
 * CREATE / DROP / ALTER / USE / SHOW / DESCRIBE against the catalog manager, with Flink's semantics and
 * messages. Computed columns, watermarks and view queries are bound at CREATE time, so a bad expression
 * fails the CREATE (as in Flink) and the stored types are known.
 */
import { unsupported, userError, type SourceSpan } from '../common/index.js';
import {
  createCatalog,
  bindFunctionIdentifier,
  quoteIdentifier,
  tableRowType,
  type CatalogTable,
  type CatalogView,
  type ColumnDef,
} from '../catalog/index.js';
import { listFunctions } from '../expr/index.js';
import type {
  CreateFunction,
  CreateTable,
  CreateView,
  DescribeStatement,
  DropStatement,
  QualifiedName,
  ShowStatement,
  Statement,
} from '../sql/index.js';
import { formatType, isTimestampType, withNullable, type RowType } from '../types/index.js';
import { newBinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { formatExprIR } from '../expr/index.js';
import type { PlannerContext } from './planner-context.js';
import { bindQuery, uniquify } from './query-binder.js';
import { Scope } from './scope.js';
import { logicalTypeFromAst } from './type-from-ast.js';

export type DdlResult =
  | { readonly kind: 'ok'; readonly message: string }
  | { readonly kind: 'rows'; readonly columns: string[]; readonly rows: string[][] };

const ok = (message: string): DdlResult => ({ kind: 'ok', message });
const parts = (n: QualifiedName): string[] => n.parts.map((p) => p.value);

export async function executeDdl(stmt: Statement, ctx: PlannerContext): Promise<DdlResult> {
  const catalogs = ctx.catalogs;
  // Storage-backed catalogs (Paimon) answer from a cache; see what their storage holds now.
  await catalogs.refresh();
  switch (stmt.kind) {
    case 'CreateTable':
      return createTable(stmt, ctx);
    case 'CreateView':
      return createView(stmt, ctx);
    case 'CreateFunction':
      return createFunction(stmt, ctx);
    case 'CreateCatalog': {
      const options: Record<string, string> = {};
      for (const o of stmt.options) options[o.key] = o.value;
      // Decide on a duplicate before opening anything (a Paimon catalog reads its warehouse).
      if (catalogs.getCatalog(stmt.name.value) === undefined || !stmt.ifNotExists) {
        if (catalogs.getCatalog(stmt.name.value) !== undefined) {
          throw userError('PLAN.CATALOG_EXISTS', `catalog '${stmt.name.value}' already exists`, { span: stmt.span });
        }
        catalogs.registerCatalog(await createCatalog(stmt.name.value, options, ctx.config), { span: stmt.span });
      }
      return ok('Catalog has been created.');
    }
    case 'CreateDatabase': {
      const options: Record<string, string> = {};
      for (const o of stmt.options) options[o.key] = o.value;
      await catalogs.createDatabase(parts(stmt.name), { ignoreIfExists: stmt.ifNotExists, comment: stmt.comment, options, span: stmt.span });
      return ok('Database has been created.');
    }
    case 'Drop':
      return await drop(stmt, ctx);
    case 'AlterTableSetOptions': {
      const resolved = catalogs.resolveTable(parts(stmt.name), stmt.name.span);
      if (resolved.table.kind !== 'table') {
        throw userError('PLAN.WRONG_OBJECT_KIND', `${quoteIdentifier(resolved.id)} is a view; ALTER TABLE … SET needs a table`, { span: stmt.span });
      }
      const options = { ...resolved.table.options };
      for (const o of stmt.options) options[o.key] = o.value;
      await catalogs.alterTable(resolved.id, { ...resolved.table, options }, stmt.span);
      return ok('Alter table succeeded!');
    }
    case 'Use':
      if (stmt.catalog) catalogs.useCatalog(stmt.name.parts[0]!.value, stmt.span);
      else catalogs.useDatabase(parts(stmt.name), stmt.span);
      return ok('OK');
    case 'Show':
      return show(stmt, ctx);
    case 'Describe':
      return describe(stmt, ctx);
    default:
      throw userError('PLAN.NOT_DDL', `executeDdl cannot run a ${stmt.kind} statement`, { span: stmt.span });
  }
}

// ---- CREATE TABLE --------------------------------------------------------------------------------------

async function createTable(stmt: CreateTable, ctx: PlannerContext): Promise<DdlResult> {
  if (stmt.asQuery) {
    throw unsupported('PLAN.UNSUPPORTED_CTAS', 'CREATE TABLE … AS SELECT is not supported yet; create the table, then INSERT INTO it', { span: stmt.span });
  }
  const id = ctx.catalogs.qualify(parts(stmt.name), stmt.name.span);
  const bctx = await newBinderContext(ctx);
  const columns: ColumnDef[] = [];
  let options: Record<string, string> = {};
  let watermark: CatalogTable['watermark'] = null;
  let likePartitions: readonly string[] = [];
  if (stmt.like) {
    const base = ctx.catalogs.resolveTable(parts(stmt.like.table), stmt.like.table.span);
    if (base.table.kind !== 'table') throw userError('PLAN.WRONG_OBJECT_KIND', `CREATE TABLE … LIKE needs a table, ${quoteIdentifier(base.id)} is a view`, { span: stmt.span });
    const excluding = (what: string) => stmt.like!.options.some((o) => /^EXCLUDING\s+/i.test(o) && new RegExp(`\\b(${what}|ALL)\\b`, 'i').test(o));
    columns.push(...base.table.columns.filter((c) => c.kind === 'physical' || !excluding(c.kind === 'computed' ? 'GENERATED' : 'METADATA')));
    if (!excluding('OPTIONS')) options = { ...base.table.options };
    if (!excluding('WATERMARKS')) watermark = base.table.watermark;
    if (!excluding('PARTITIONS')) likePartitions = base.table.partitionKeys;
  }
  const seen = new Set(columns.map((c) => c.name));
  const dup = (name: string, span: SourceSpan) => {
    if (seen.has(name)) throw userError('PLAN.DUPLICATE_COLUMN', `column '${name}' is defined twice in table ${quoteIdentifier(id)}`, { span });
    seen.add(name);
  };
  // Physical and metadata columns first: computed columns are bound over the physical ones.
  for (const c of stmt.columns) {
    if (c.kind === 'PhysicalColumn') {
      dup(c.name.value, c.name.span);
      columns.push({ kind: 'physical', name: c.name.value, type: logicalTypeFromAst(c.type), comment: c.comment });
    } else if (c.kind === 'MetadataColumn') {
      dup(c.name.value, c.name.span);
      columns.push({ kind: 'metadata', name: c.name.value, type: logicalTypeFromAst(c.type), key: c.from, virtual: c.virtual, comment: c.comment });
    }
  }
  const physical: RowType = { fields: columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type })) };
  const physicalNames = physical.fields.map((f) => f.name);
  const binder = new ExprBinder(Scope.of(null, physical), bctx, 'computed column');
  const ordered: ColumnDef[] = [...columns.filter((c) => !stmt.columns.some((d) => d.name.value === c.name))];
  for (const c of stmt.columns) {
    if (c.kind === 'ComputedColumn') {
      dup(c.name.value, c.name.span);
      const ir = binder.bind(c.expr);
      ordered.push({ kind: 'computed', name: c.name.value, type: ir.type, expr: c.expr, exprText: formatExprIR(ir, physicalNames), comment: c.comment });
    } else {
      ordered.push(columns.find((x) => x.name === c.name.value)!);
    }
  }
  let finalColumns = ordered;
  // Primary key: declared columns become NOT NULL (Flink's rule); NOT ENFORCED is required.
  const pkCols = stmt.primaryKey ? stmt.primaryKey.columns.map((c) => c.value) : stmt.columns.filter((c) => c.kind === 'PhysicalColumn' && c.primaryKey).map((c) => c.name.value);
  if (stmt.primaryKey?.enforced) {
    throw unsupported('PLAN.ENFORCED_PRIMARY_KEY', "Flink doesn't support ENFORCED mode for PRIMARY KEY constraints; write PRIMARY KEY (…) NOT ENFORCED", { span: stmt.primaryKey.span });
  }
  for (const k of pkCols) {
    const col = finalColumns.find((c) => c.name === k);
    if (!col || col.kind !== 'physical') {
      throw userError('PLAN.BAD_PRIMARY_KEY', `primary key column '${k}' is not a physical column of ${quoteIdentifier(id)}`, { span: stmt.primaryKey?.span ?? stmt.span });
    }
  }
  finalColumns = finalColumns.map((c) => (pkCols.includes(c.name) ? { ...c, type: withNullable(c.type, false) } : c));
  for (const p of stmt.partitionedBy) {
    if (!finalColumns.some((c) => c.name === p.value && c.kind === 'physical')) {
      throw userError('PLAN.UNKNOWN_COLUMN', `partition column '${p.value}' is not a physical column of ${quoteIdentifier(id)}`, { span: p.span });
    }
  }
  if (stmt.watermark) {
    const wm = stmt.watermark;
    const col = finalColumns.find((c) => c.name === wm.column.value);
    if (!col) throw userError('PLAN.UNKNOWN_COLUMN', `watermark column '${wm.column.value}' not found in ${quoteIdentifier(id)}`, { span: wm.column.span });
    if (!isTimestampType(col.type)) {
      throw userError('PLAN.BAD_WATERMARK', `watermark column '${col.name}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), not ${formatType(col.type)}`, { span: wm.column.span });
    }
    const rowtimeType = { ...col.type, timeAttribute: 'rowtime' } as typeof col.type;
    const all: RowType = { fields: finalColumns.map((c) => ({ name: c.name, type: c.name === col.name ? rowtimeType : c.type })) };
    const ir = new ExprBinder(Scope.of(null, all), bctx, 'watermark').bind(wm.expr);
    if (!isTimestampType(ir.type)) {
      throw userError('PLAN.BAD_WATERMARK', `the watermark expression must return a timestamp, not ${formatType(ir.type)}`, { span: wm.expr.span });
    }
    watermark = { column: col.name, expr: wm.expr, exprText: formatExprIR(ir, all.fields.map((f) => f.name)) };
  }
  for (const o of stmt.options) options[o.key] = o.value;
  const table: CatalogTable = {
    kind: 'table',
    columns: finalColumns,
    watermark,
    primaryKey: pkCols.length > 0 ? { name: `PK_${pkCols.join('_')}`, columns: pkCols } : null,
    partitionKeys: stmt.partitionedBy.length > 0 ? stmt.partitionedBy.map((p) => p.value) : likePartitions,
    options,
    comment: stmt.comment,
  };
  await ctx.catalogs.createTable(id, table, { temporary: stmt.temporary, ignoreIfExists: stmt.ifNotExists, span: stmt.name.span });
  return ok('Table has been created.');
}

async function createView(stmt: CreateView, ctx: PlannerContext): Promise<DdlResult> {
  const id = ctx.catalogs.qualify(parts(stmt.name), stmt.name.span);
  // Decide on a duplicate before binding, so the error is the duplicate, not something in the query.
  const existing = ctx.catalogs.getTable(id);
  if (existing && existing.temporary === stmt.temporary) {
    if (stmt.ifNotExists) return ok('View has been created.');
    throw userError('PLAN.TABLE_EXISTS', `${existing.table.kind} ${quoteIdentifier(id)} already exists`, { span: stmt.name.span });
  }
  const bctx = await newBinderContext(ctx);
  const node = bindQuery(stmt.query, bctx);
  let fields = node.rowType.fields;
  const aliases = stmt.columns?.map((c) => c.value) ?? null;
  if (aliases) {
    if (aliases.length !== fields.length) {
      throw userError('PLAN.COLUMN_ALIAS_COUNT', `view ${quoteIdentifier(id)} lists ${aliases.length} columns but its query produces ${fields.length}`, { span: stmt.span });
    }
    fields = fields.map((f, i) => ({ name: aliases[i]!, type: f.type }));
  }
  const names = uniquify(fields.map((f) => f.name));
  const view: CatalogView = {
    kind: 'view',
    schema: { fields: fields.map((f, i) => ({ name: names[i]!, type: f.type })) },
    query: stmt.query,
    queryText: stmt.queryText,
    columnAliases: aliases,
    defaultCatalog: ctx.catalogs.currentCatalog,
    defaultDatabase: ctx.catalogs.currentDatabase,
    comment: stmt.comment,
  };
  await ctx.catalogs.createTable(id, view, { temporary: stmt.temporary, ignoreIfExists: stmt.ifNotExists, span: stmt.name.span });
  return ok('View has been created.');
}

function createFunction(stmt: CreateFunction, ctx: PlannerContext): DdlResult {
  const ref = bindFunctionIdentifier(stmt.identifier, stmt.language, { baseDir: ctx.baseDir, config: ctx.config, span: stmt.span });
  ctx.catalogs.createFunction(
    parts(stmt.name),
    { identifier: stmt.identifier, language: (stmt.language ?? 'JAVA').toUpperCase(), ref },
    { temporary: stmt.temporary || stmt.system, system: stmt.system, ignoreIfExists: stmt.ifNotExists, span: stmt.name.span },
  );
  return ok('Function has been created.');
}

async function drop(stmt: DropStatement, ctx: PlannerContext): Promise<DdlResult> {
  const c = ctx.catalogs;
  const p = parts(stmt.name);
  switch (stmt.objectType) {
    case 'TABLE':
    case 'VIEW': {
      const kind = stmt.objectType === 'TABLE' ? 'table' : 'view';
      await c.dropTable(c.qualify(p, stmt.name.span), kind, { temporary: stmt.temporary, ifExists: stmt.ifExists, span: stmt.name.span });
      return ok(`${kind === 'table' ? 'Table' : 'View'} has been removed.`);
    }
    case 'FUNCTION':
      c.dropFunction(p, { temporary: stmt.temporary || stmt.system, system: stmt.system, ifExists: stmt.ifExists, span: stmt.name.span });
      return ok('Function has been removed.');
    case 'DATABASE':
      await c.dropDatabase(p, { ifExists: stmt.ifExists, cascade: stmt.cascade, span: stmt.name.span });
      return ok('Database has been removed.');
    case 'CATALOG':
      c.dropCatalog(p[0]!, { ifExists: stmt.ifExists, span: stmt.name.span });
      return ok('Catalog has been removed.');
  }
}

// ---- SHOW / DESCRIBE -----------------------------------------------------------------------------------

/** SQL LIKE pattern (`%`, `_`) as a RegExp; Flink's SHOW … LIKE is case-sensitive. */
function likeFilter(pattern: string | undefined): (s: string) => boolean {
  if (pattern === undefined) return () => true;
  const re = new RegExp('^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 's');
  return (s) => re.test(s);
}

const list = (column: string, values: readonly string[], like?: string): DdlResult => ({
  kind: 'rows',
  columns: [column],
  rows: values.filter(likeFilter(like)).map((v) => [v]),
});

function show(stmt: ShowStatement, ctx: PlannerContext): DdlResult {
  const c = ctx.catalogs;
  const scope = (): { catalog?: string; database?: string } => {
    if (!stmt.name) return {};
    const p = parts(stmt.name);
    return p.length === 2 ? { catalog: p[0]!, database: p[1]! } : { database: p[0]! };
  };
  switch (stmt.what.toUpperCase()) {
    case 'CATALOGS':
      return list('catalog name', c.listCatalogs(), stmt.like);
    case 'DATABASES':
      return list('database name', c.listDatabases(stmt.name ? stmt.name.parts[0]!.value : undefined), stmt.like);
    case 'TABLES':
      return list('table name', c.listTables(scope()), stmt.like);
    case 'VIEWS':
      return list('view name', c.listTables({ ...scope(), kind: 'view' }), stmt.like);
    case 'FUNCTIONS': {
      const names = new Set([...listFunctions().map((f) => f.name).filter((n) => /^[A-Za-z_]/.test(n)), ...c.listUserFunctions()]);
      return list('function name', [...names].sort(), stmt.like);
    }
    case 'USER FUNCTIONS':
      return list('function name', c.listUserFunctions(), stmt.like);
    case 'CURRENT CATALOG':
      return list('current catalog name', [c.currentCatalog]);
    case 'CURRENT DATABASE':
      return list('current database name', [c.currentDatabase]);
    case 'COLUMNS': {
      const d = describeRows(stmt.name!, ctx, stmt.span);
      const keep = likeFilter(stmt.like);
      return { ...d, rows: d.rows.filter((r) => keep(r[0]!)) };
    }
    case 'CREATE TABLE':
    case 'CREATE VIEW':
      return { kind: 'rows', columns: ['result'], rows: [[showCreate(stmt, ctx)]] };
    default:
      throw unsupported('PLAN.UNSUPPORTED_SHOW', `SHOW ${stmt.what} is not supported here`, { span: stmt.span });
  }
}

function showCreate(stmt: ShowStatement, ctx: PlannerContext): string {
  const resolved = ctx.catalogs.resolveTable(parts(stmt.name!), stmt.name!.span);
  const id = resolved.id;
  const t = resolved.table;
  const wantView = stmt.what.toUpperCase() === 'CREATE VIEW';
  if ((t.kind === 'view') !== wantView) {
    throw userError('PLAN.WRONG_OBJECT_KIND', `${quoteIdentifier(id)} is a ${t.kind}; use SHOW CREATE ${t.kind.toUpperCase()}`, { span: stmt.span });
  }
  const temp = resolved.temporary ? 'TEMPORARY ' : '';
  if (t.kind === 'view') {
    const cols = t.columnAliases ? `(${t.columnAliases.map((a) => '`' + a + '`').join(', ')})` : '';
    return `CREATE ${temp}VIEW ${quoteIdentifier(id)}${cols} AS\n${t.queryText}`;
  }
  const lines = t.columns.map((c) => {
    const name = '`' + c.name + '`';
    const comment = c.comment ? ` COMMENT '${c.comment.replace(/'/g, "''")}'` : '';
    switch (c.kind) {
      case 'physical':
        return `  ${name} ${formatType(c.type)}${comment}`;
      case 'computed':
        return `  ${name} AS ${c.exprText}${comment}`;
      case 'metadata':
        return `  ${name} ${formatType(c.type)} METADATA${c.key ? ` FROM '${c.key}'` : ''}${c.virtual ? ' VIRTUAL' : ''}${comment}`;
    }
  });
  if (t.watermark) lines.push(`  WATERMARK FOR ${'`' + t.watermark.column + '`'} AS ${t.watermark.exprText}`);
  if (t.primaryKey) lines.push(`  CONSTRAINT ${'`' + t.primaryKey.name + '`'} PRIMARY KEY (${t.primaryKey.columns.map((k) => '`' + k + '`').join(', ')}) NOT ENFORCED`);
  const parts2 = [`CREATE ${temp}TABLE ${quoteIdentifier(id)} (\n${lines.join(',\n')}\n)`];
  if (t.comment) parts2.push(`COMMENT '${t.comment.replace(/'/g, "''")}'`);
  if (t.partitionKeys.length > 0) parts2.push(`PARTITIONED BY (${t.partitionKeys.map((k) => '`' + k + '`').join(', ')})`);
  const opts = Object.entries(t.options).map(([k, v]) => `  '${k}' = '${v.replace(/'/g, "''")}'`);
  parts2.push(`WITH (\n${opts.join(',\n')}\n)`);
  return parts2.join('\n');
}

/** Flink's DESCRIBE columns: name, type, null, key, extras, watermark. */
function describeRows(name: QualifiedName, ctx: PlannerContext, span: SourceSpan): Extract<DdlResult, { kind: 'rows' }> {
  const resolved = ctx.catalogs.resolveTable(parts(name), span);
  const t = resolved.table;
  const columns = ['name', 'type', 'null', 'key', 'extras', 'watermark'];
  if (t.kind === 'view') {
    return {
      kind: 'rows',
      columns,
      rows: t.schema.fields.map((f) => [f.name, formatType(withNullable(f.type, true)), String(f.type.nullable).toUpperCase(), '', '', '']),
    };
  }
  const rowType = tableRowType(t);
  return {
    kind: 'rows',
    columns,
    rows: t.columns.map((c, i) => {
      let type = rowType.fields[i]!.type;
      if (t.watermark?.column === c.name) type = { ...type, timeAttribute: 'rowtime' } as typeof type;
      const extras = c.kind === 'computed' ? `AS ${c.exprText}` : c.kind === 'metadata' ? `METADATA${c.key ? ` FROM '${c.key}'` : ''}${c.virtual ? ' VIRTUAL' : ''}` : '';
      const key = t.primaryKey?.columns.includes(c.name) ? `PRI(${t.primaryKey.columns.join(', ')})` : '';
      return [
        c.name,
        formatType(withNullable(type, true)),
        String(type.nullable).toUpperCase(),
        key,
        extras,
        t.watermark?.column === c.name ? t.watermark.exprText : '',
      ];
    }),
  };
}

function describe(stmt: DescribeStatement, ctx: PlannerContext): DdlResult {
  return describeRows(stmt.name, ctx, stmt.span);
}
