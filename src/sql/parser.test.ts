import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type {
  ColumnRef,
  CreateFunction,
  CreateTable,
  CreateView,
  Expr,
  FunctionCall,
  InsertStatement,
  IntervalLiteral,
  JoinRef,
  Query,
  Select,
  SetOperation,
  Statement,
  SubqueryRef,
  TableFunctionRef,
  TableName,
  TypeAst,
} from './ast.js';
import { parseExpression, parseQuery, parseScript, parseStatement } from './parser.js';
import { substituteVariables } from './substitute-variables.js';
import { nexmarkDir } from '../common/index.js';

const NEXMARK = nexmarkDir();
const NEXMARK_VARS: Record<string, string> = {
  TPS: '10000',
  EVENTS_NUM: '100000',
  PERSON_PROPORTION: '1',
  AUCTION_PROPORTION: '3',
  BID_PROPORTION: '46',
  NEXMARK_TABLE: 'datagen',
  BOOTSTRAP_SERVERS: 'localhost:9092',
  NEXMARK_DIR: '/tmp/nexmark',
  SUBMIT_TIME: '1700000000',
  FLINK_HOME: '/opt/flink',
  KEEP_ALIVE: 'false',
  STOP_AT: '-1',
};

function readNexmark(path: string): Statement[] {
  return parseScript(substituteVariables(readFileSync(join(NEXMARK, path), 'utf8'), NEXMARK_VARS));
}

/** Drops spans so that trees can be compared structurally. */
function strip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'span' ? undefined : v)));
}

const col = (...names: string[]) => ({ kind: 'ColumnRef', parts: names.map((n) => ({ kind: 'Identifier', value: n, quoted: false })) });
const num = (value: string) => ({ kind: 'Literal', literalType: 'number', value });
const str = (value: string) => ({ kind: 'Literal', literalType: 'string', value });

function as<K extends { kind: string }>(value: { kind: string } | undefined, kind: K['kind']): K {
  assert.ok(value, `expected a ${kind}`);
  assert.equal(value.kind, kind);
  return value as K;
}

const expr = (text: string): unknown => strip(parseExpression(text));
const select = (text: string): Select => as<Select>(parseQuery(text), 'Select');
const insertOf = (statements: Statement[]): InsertStatement => as<InsertStatement>(statements.find((s) => s.kind === 'Insert'), 'Insert');
const selectOf = (statements: Statement[]): Select => as<Select>(insertOf(statements).query, 'Select');

describe('nexmark workload', () => {
  const ddl = ['ddl/ddl_gen.sql', 'ddl/ddl_gen_v2.sql', 'ddl/ddl_kafka.sql', 'ddl/ddl_views.sql', 'ddl/insert_kafka.sql', 'ddl/cep/ddl_gen.sql'];
  const queries = readdirSync(join(NEXMARK, 'queries'))
    .filter((f) => /^q\d+\.sql$/.test(f))
    .map((f) => `queries/${f}`);

  it('finds all 24 queries', () => assert.equal(queries.length, 24));

  for (const file of [...ddl, ...queries]) {
    it(`parses ${file}`, () => {
      const statements = readNexmark(file);
      assert.ok(statements.length >= 1);
    });
  }

  it('ddl_gen: nested ROW types, computed CASE column and watermark', () => {
    const [create] = readNexmark('ddl/ddl_gen.sql');
    const table = as<CreateTable>(create, 'CreateTable');
    assert.equal(table.name.parts[0]?.value, 'datagen');
    assert.deepEqual(
      table.columns.map((c) => `${c.kind}:${c.name.value}`),
      ['PhysicalColumn:event_type', 'PhysicalColumn:person', 'PhysicalColumn:auction', 'PhysicalColumn:bid', 'ComputedColumn:dateTime'],
    );
    const person = table.columns[1];
    assert.equal(person?.kind, 'PhysicalColumn');
    const personType = (person as { type: TypeAst }).type;
    assert.equal(personType.name, 'ROW');
    assert.equal(personType.fields?.length, 8);
    assert.deepEqual(strip(personType.fields?.[6]), {
      name: { kind: 'Identifier', value: 'dateTime', quoted: true },
      type: { kind: 'Type', name: 'TIMESTAMP', params: [3], nullable: true },
    });
    assert.equal((table.columns[0] as { type: TypeAst }).type.name, 'INT');
    const computed = table.columns[4];
    assert.equal(computed?.kind === 'ComputedColumn' && computed.expr.kind, 'Case');
    assert.equal(table.watermark?.column.value, 'dateTime');
    assert.deepEqual(strip(table.watermark?.expr), {
      kind: 'Binary',
      op: '-',
      left: { kind: 'ColumnRef', parts: [{ kind: 'Identifier', value: 'dateTime', quoted: true }] },
      right: { kind: 'IntervalLiteral', value: '4', sign: 1, from: 'SECOND' },
    });
    assert.deepEqual(
      table.options.map((o) => [o.key, o.value]),
      [
        ['connector', 'nexmark'],
        ['first-event.rate', '10000'],
        ['next-event.rate', '10000'],
        ['events.num', '100000'],
        ['person.proportion', '1'],
        ['auction.proportion', '3'],
        ['bid.proportion', '46'],
      ],
    );
  });

  it('ddl_views: views keep their exact query text', () => {
    const text = substituteVariables(readFileSync(join(NEXMARK, 'ddl/ddl_views.sql'), 'utf8'), NEXMARK_VARS);
    const views = parseScript(text).map((s) => as<CreateView>(s, 'CreateView'));
    assert.deepEqual(views.map((v) => v.name.parts[0]?.value), ['person', 'auction', 'bid']);
    const bid = views[2] as CreateView;
    assert.ok(bid.queryText.startsWith('SELECT\n    bid.auction,'));
    assert.ok(bid.queryText.endsWith('FROM datagen WHERE event_type = 2'));
    assert.equal(text.slice(bid.span.start.offset, bid.span.end.offset).endsWith(bid.queryText), true);
  });

  it('q1: DECIMAL(23, 3) sink and exact numeric literal', () => {
    const statements = readNexmark('queries/q1.sql');
    const sink = as<CreateTable>(statements[0], 'CreateTable');
    assert.deepEqual(strip((sink.columns[2] as { type: TypeAst }).type), { kind: 'Type', name: 'DECIMAL', params: [23, 3], nullable: true });
    const item = selectOf(statements).items[2];
    assert.equal(item?.alias?.value, 'price');
    assert.deepEqual(strip(item?.expr), { kind: 'Binary', op: '*', left: num('0.908'), right: col('price') });
  });

  it('q5: HOP window table function arguments', () => {
    const statements = readNexmark('queries/q5.sql');
    const join = as<JoinRef>(selectOf(statements).from, 'Join');
    assert.equal(join.joinType, 'INNER');
    const auctionBids = as<SubqueryRef>(join.left, 'Subquery');
    assert.equal(auctionBids.alias?.value, 'AuctionBids');
    const hop = as<TableFunctionRef>(as<Select>(auctionBids.query, 'Select').from, 'TableFunction');
    assert.equal(hop.name.parts[0]?.value, 'HOP');
    assert.deepEqual(strip(hop.args), [
      { kind: 'Table', table: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'bid', quoted: false }] } },
      { kind: 'Descriptor', columns: [{ kind: 'Identifier', value: 'dateTime', quoted: true }] },
      { kind: 'Expr', expr: { kind: 'IntervalLiteral', value: '2', sign: 1, from: 'SECOND' } },
      { kind: 'Expr', expr: { kind: 'IntervalLiteral', value: '10', sign: 1, from: 'SECOND' } },
    ]);
    assert.equal(join.on?.kind, 'Binary');
  });

  it('q7: BETWEEN with interval arithmetic in the lower bound', () => {
    const where = selectOf(readNexmark('queries/q7.sql')).where;
    assert.deepEqual(strip(where), {
      kind: 'Between',
      operand: { kind: 'ColumnRef', parts: [{ kind: 'Identifier', value: 'B', quoted: false }, { kind: 'Identifier', value: 'dateTime', quoted: true }] },
      low: {
        kind: 'Binary',
        op: '-',
        left: { kind: 'ColumnRef', parts: [{ kind: 'Identifier', value: 'B1', quoted: false }, { kind: 'Identifier', value: 'dateTime', quoted: true }] },
        right: { kind: 'IntervalLiteral', value: '10', sign: 1, from: 'SECOND' },
      },
      high: { kind: 'ColumnRef', parts: [{ kind: 'Identifier', value: 'B1', quoted: false }, { kind: 'Identifier', value: 'dateTime', quoted: true }] },
      negated: false,
      symmetric: false,
    });
  });

  it('q4/q9: comma joins are CROSS joins with the condition in WHERE', () => {
    const q4 = selectOf(readNexmark('queries/q4.sql'));
    const inner = as<Select>(as<SubqueryRef>(q4.from, 'Subquery').query, 'Select');
    const join = as<JoinRef>(inner.from, 'Join');
    assert.equal(join.joinType, 'CROSS');
    assert.equal(as<TableName>(join.left, 'TableName').alias?.value, 'A');
    assert.equal(inner.where?.kind, 'Binary');
    const q9 = selectOf(readNexmark('queries/q9.sql'));
    const q9inner = as<Select>(as<SubqueryRef>(q9.from, 'Subquery').query, 'Select');
    assert.equal(q9inner.items[0]?.expr.kind, 'Star');
    const rowNumber = as<FunctionCall>(q9inner.items[6]?.expr, 'FunctionCall');
    assert.equal(rowNumber.name.parts[0]?.value, 'ROW_NUMBER');
    assert.deepEqual(
      rowNumber.over?.orderBy.map((o) => o.descending),
      [true, false],
    );
  });

  it('q6: OVER with a ROWS frame', () => {
    const avg = as<FunctionCall>(selectOf(readNexmark('queries/q6.sql')).items[1]?.expr, 'FunctionCall');
    assert.deepEqual(strip(avg.over?.frame), {
      unit: 'ROWS',
      start: { kind: 'Preceding', offset: num('10') },
      end: { kind: 'CurrentRow' },
    });
    assert.equal(avg.over?.partitionBy.length, 1);
  });

  it('q10: PARTITIONED BY', () => {
    const sink = as<CreateTable>(readNexmark('queries/q10.sql')[0], 'CreateTable');
    assert.deepEqual(sink.partitionedBy.map((p) => p.value), ['dt', 'hm']);
    assert.equal(sink.options.find((o) => o.key === 'path')?.value, 'file:///tmp/nexmark/data/output/1700000000/bid/');
  });

  it('q11: legacy SESSION group window in GROUP BY', () => {
    const groupBy = selectOf(readNexmark('queries/q11.sql')).groupBy;
    assert.equal(groupBy.length, 2);
    const session = groupBy[1];
    assert.ok(session?.kind === 'Expr');
    assert.equal(as<FunctionCall>(session.expr, 'FunctionCall').name.parts[0]?.value, 'SESSION');
  });

  it('q13: legacy connector.type options, `value` column, FOR SYSTEM_TIME AS OF', () => {
    const statements = readNexmark('queries/q13.sql');
    const side = as<CreateTable>(statements[0], 'CreateTable');
    assert.deepEqual(side.columns.map((c) => [c.name.value, c.name.quoted]), [['key', false], ['value', true]]);
    assert.equal(side.options[0]?.key, 'connector.type');
    const join = as<JoinRef>(selectOf(statements).from, 'Join');
    const lookup = as<TableName>(join.right, 'TableName');
    assert.equal(lookup.alias?.value, 'S');
    assert.deepEqual(strip(lookup.forSystemTime), col('B', 'p_time'));
  });

  it('q14: CREATE FUNCTION and a UDF call', () => {
    const statements = readNexmark('queries/q14.sql');
    assert.deepEqual(strip(statements[0]), {
      kind: 'CreateFunction',
      name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'count_char', quoted: false }] },
      temporary: false,
      system: false,
      ifNotExists: false,
      identifier: 'com.github.nexmark.flink.udf.CountChar',
    });
    const items = selectOf(statements).items;
    assert.deepEqual(strip(items[6]?.expr), {
      kind: 'FunctionCall',
      name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'count_char', quoted: false }] },
      args: [col('extra'), str('c')],
      distinct: false,
      star: false,
    });
    const caseExpr = items[3]?.expr;
    assert.equal(caseExpr?.kind === 'Case' && caseExpr.whens.length, 2);
  });

  it('q15: COUNT(*) and COUNT(DISTINCT …) with FILTER clauses', () => {
    const items = selectOf(readNexmark('queries/q15.sql')).items;
    const rank2 = as<FunctionCall>(items[3]?.expr, 'FunctionCall');
    assert.equal(rank2.star, true);
    assert.deepEqual(strip(rank2.filter), {
      kind: 'Binary',
      op: 'AND',
      left: { kind: 'Binary', op: '>=', left: col('price'), right: num('10000') },
      right: { kind: 'Binary', op: '<', left: col('price'), right: num('1000000') },
    });
    const distinctBidders = as<FunctionCall>(items[6]?.expr, 'FunctionCall');
    assert.equal(distinctBidders.distinct, true);
    assert.deepEqual(strip(distinctBidders.args), [col('bidder')]);
    assert.ok(distinctBidders.filter);
    assert.equal(items[0]?.alias?.value, 'day');
    assert.equal(items[0]?.alias?.quoted, true);
  });

  it('q12: TUMBLE over a view with PROCTIME()', () => {
    const statements = readNexmark('queries/q12.sql');
    const view = as<CreateView>(statements[1], 'CreateView');
    assert.equal(view.queryText, 'SELECT *, PROCTIME() as p_time FROM bid');
    const tumble = as<TableFunctionRef>(selectOf(statements).from, 'TableFunction');
    assert.equal(tumble.name.parts[0]?.value, 'TUMBLE');
    assert.equal(tumble.args[0]?.kind, 'Table');
  });

  it('q18/q19: ROW_NUMBER() OVER in a derived table without alias', () => {
    const q19 = selectOf(readNexmark('queries/q19.sql'));
    const sub = as<SubqueryRef>(q19.from, 'Subquery');
    assert.equal(sub.alias, undefined);
    const rn = as<FunctionCall>(as<Select>(sub.query, 'Select').items[1]?.expr, 'FunctionCall');
    assert.deepEqual(strip(rn.over), {
      kind: 'WindowSpec',
      partitionBy: [col('auction')],
      orderBy: [{ expr: col('price'), descending: true }],
    });
  });

  it('q21: IN list and IS NOT NULL joined by OR', () => {
    const where = selectOf(readNexmark('queries/q21.sql')).where;
    assert.ok(where?.kind === 'Binary' && where.op === 'OR');
    assert.equal(where.left.kind, 'IsNull');
    assert.ok(where.right.kind === 'In' && where.right.list?.length === 4);
  });

  it('q23: chained joins are left-deep', () => {
    const join = as<JoinRef>(selectOf(readNexmark('queries/q23.sql')).from, 'Join');
    assert.equal(as<JoinRef>(join.left, 'Join').joinType, 'INNER');
    assert.equal(as<TableName>(join.right, 'TableName').alias?.value, 'A');
  });
});

describe('CREATE TABLE', () => {
  it('parses computed, metadata and physical columns with keys and comments', () => {
    const table = as<CreateTable>(
      parseStatement(`CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.orders (
        id BIGINT NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'the id',
        ts TIMESTAMP(3) WITH LOCAL TIME ZONE,
        ltz TIMESTAMP_LTZ(3),
        amount DECIMAL(10, 2),
        tags ARRAY<STRING NOT NULL>,
        attrs MAP<STRING, INT>,
        nested ROW(a INT, b STRING),
        dur INTERVAL DAY(2) TO SECOND(3),
        raw_ts TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
        part INT METADATA,
        total AS amount * 2 COMMENT 'doubled',
        WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
      ) COMMENT 'orders' PARTITIONED BY (id) WITH ('connector' = 'datagen', 'rows-per-second' = '10')`),
      'CreateTable',
    );
    assert.equal(table.temporary, true);
    assert.equal(table.ifNotExists, true);
    assert.deepEqual(table.name.parts.map((p) => p.value), ['cat', 'db', 'orders']);
    assert.equal(table.comment, 'orders');
    const [id, ts, ltz, amount, tags, attrs, nested, dur, rawTs, part, total] = table.columns;
    assert.deepEqual(strip(id), {
      kind: 'PhysicalColumn',
      name: { kind: 'Identifier', value: 'id', quoted: false },
      type: { kind: 'Type', name: 'BIGINT', params: [], nullable: false },
      primaryKey: true,
      comment: 'the id',
    });
    assert.equal((ts as { type: TypeAst }).type.name, 'TIMESTAMP_LTZ');
    assert.deepEqual((ltz as { type: TypeAst }).type.params, [3]);
    assert.deepEqual((amount as { type: TypeAst }).type.params, [10, 2]);
    assert.equal((tags as { type: TypeAst }).type.elementType?.nullable, false);
    assert.equal((attrs as { type: TypeAst }).type.valueType?.name, 'INT');
    assert.deepEqual((nested as { type: TypeAst }).type.fields?.map((f) => f.name.value), ['a', 'b']);
    const durType = (dur as { type: TypeAst }).type;
    assert.deepEqual([durType.intervalFrom, durType.intervalTo, durType.params], ['DAY', 'SECOND', [2, 3]]);
    assert.deepEqual(strip(rawTs), {
      kind: 'MetadataColumn',
      name: { kind: 'Identifier', value: 'raw_ts', quoted: false },
      type: { kind: 'Type', name: 'TIMESTAMP', params: [3], nullable: true },
      from: 'timestamp',
      virtual: true,
    });
    assert.equal(part?.kind === 'MetadataColumn' && part.virtual, false);
    assert.equal(total?.kind === 'ComputedColumn' && total.comment, 'doubled');
    assert.equal(table.watermark?.column.value, 'ts');
    assert.deepEqual(table.partitionedBy.map((p) => p.value), ['id']);
    assert.equal(table.options.length, 2);
  });

  it('parses a table-level primary key, LIKE and CTAS', () => {
    const pk = as<CreateTable>(parseStatement('CREATE TABLE t (a INT, b STRING, CONSTRAINT pk PRIMARY KEY (a, b) NOT ENFORCED)'), 'CreateTable');
    assert.deepEqual(pk.primaryKey?.columns.map((c) => c.value), ['a', 'b']);
    assert.equal(pk.primaryKey?.enforced, false);
    const like = as<CreateTable>(parseStatement("CREATE TABLE t2 WITH ('a' = 'b') LIKE t (INCLUDING ALL EXCLUDING OPTIONS)"), 'CreateTable');
    assert.deepEqual(strip(like.like), {
      table: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 't', quoted: false }] },
      options: ['INCLUDING ALL', 'EXCLUDING OPTIONS'],
    });
    const ctas = as<CreateTable>(parseStatement("CREATE TABLE t3 WITH ('connector' = 'print') AS SELECT a FROM t"), 'CreateTable');
    assert.equal(ctas.asQuery?.kind, 'Select');
    assert.equal(ctas.columns.length, 0);
  });

  it('canonicalises type names', () => {
    const table = as<CreateTable>(
      parseStatement('CREATE TABLE t (a INTEGER, b DOUBLE PRECISION, c CHARACTER VARYING(5), d NUMERIC(5,1), e TIMESTAMP WITHOUT TIME ZONE, f INT ARRAY, g STRING, h BYTES)'),
      'CreateTable',
    );
    assert.deepEqual(
      table.columns.map((c) => (c.kind === 'PhysicalColumn' ? c.type.name : '')),
      ['INT', 'DOUBLE', 'VARCHAR', 'DECIMAL', 'TIMESTAMP', 'ARRAY', 'STRING', 'BYTES'],
    );
  });
});

describe('other statements', () => {
  it('parses CREATE VIEW, FUNCTION, CATALOG, DATABASE', () => {
    const view = as<CreateView>(parseStatement('CREATE TEMPORARY VIEW IF NOT EXISTS v (x) AS SELECT a FROM t  ;'), 'CreateView');
    assert.equal(view.queryText, 'SELECT a FROM t');
    assert.deepEqual(view.columns?.map((c) => c.value), ['x']);
    const fn = as<CreateFunction>(parseStatement("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS './f.js' LANGUAGE JAVASCRIPT"), 'CreateFunction');
    assert.deepEqual([fn.temporary, fn.system, fn.ifNotExists, fn.identifier, fn.language], [true, true, true, './f.js', 'JAVASCRIPT']);
    assert.deepEqual(strip(parseStatement("CREATE CATALOG c WITH ('type' = 'generic_in_memory')")), {
      kind: 'CreateCatalog',
      name: { kind: 'Identifier', value: 'c', quoted: false },
      ifNotExists: false,
      options: [{ key: 'type', value: 'generic_in_memory' }],
    });
    const db = parseStatement("CREATE DATABASE IF NOT EXISTS c.d COMMENT 'x' WITH ('k' = 'v')");
    assert.equal(db.kind === 'CreateDatabase' && db.comment, 'x');
  });

  it('parses DROP and ALTER TABLE SET', () => {
    assert.deepEqual(strip(parseStatement('DROP TEMPORARY VIEW IF EXISTS v')), {
      kind: 'Drop',
      objectType: 'VIEW',
      name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'v', quoted: false }] },
      ifExists: true,
      temporary: true,
      system: false,
      cascade: false,
    });
    assert.equal((parseStatement('DROP DATABASE d CASCADE') as { cascade: boolean }).cascade, true);
    const alter = parseStatement("ALTER TABLE t SET ('a' = 'b')");
    assert.equal(alter.kind === 'AlterTableSetOptions' && alter.options[0]?.value, 'b');
  });

  it('parses SET and RESET in quoted, unquoted and bare forms', () => {
    const settings = parseScript("SET 'table.exec.state.ttl' = '1 h'; SET execution.runtime-mode = batch; SET pipeline.name=my job; SET; RESET; RESET 'a.b'; RESET a.b");
    assert.deepEqual(strip(settings), [
      { kind: 'Set', key: 'table.exec.state.ttl', value: '1 h' },
      { kind: 'Set', key: 'execution.runtime-mode', value: 'batch' },
      { kind: 'Set', key: 'pipeline.name', value: 'my job' },
      { kind: 'Set' },
      { kind: 'Reset' },
      { kind: 'Reset', key: 'a.b' },
      { kind: 'Reset', key: 'a.b' },
    ]);
  });

  it('parses USE, SHOW and DESCRIBE', () => {
    assert.deepEqual(
      (strip(parseScript("USE CATALOG c; USE d; SHOW TABLES; SHOW TABLES FROM db LIKE 'o%'; SHOW CURRENT CATALOG; SHOW CREATE TABLE t; SHOW USER FUNCTIONS; SHOW COLUMNS FROM t")) as unknown[]).map(
        (s) => JSON.stringify(s),
      ),
      [
        { kind: 'Use', catalog: true, name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'c', quoted: false }] } },
        { kind: 'Use', catalog: false, name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'd', quoted: false }] } },
        { kind: 'Show', what: 'TABLES' },
        { kind: 'Show', what: 'TABLES', name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 'db', quoted: false }] }, like: 'o%' },
        { kind: 'Show', what: 'CURRENT CATALOG' },
        { kind: 'Show', what: 'CREATE TABLE', name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 't', quoted: false }] } },
        { kind: 'Show', what: 'USER FUNCTIONS' },
        { kind: 'Show', what: 'COLUMNS', name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: 't', quoted: false }] } },
      ].map((s) => JSON.stringify(s)),
    );
    assert.equal(parseStatement('DESC t').kind, 'Describe');
    assert.equal(parseStatement('DESCRIBE db.t').kind, 'Describe');
  });

  it('parses EXPLAIN with details', () => {
    const explain = parseStatement('EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1');
    assert.ok(explain.kind === 'Explain');
    assert.deepEqual(explain.details, ['CHANGELOG_MODE', 'ESTIMATED_COST']);
    assert.equal(explain.statement.kind, 'QueryStatement');
    const plan = parseStatement('EXPLAIN PLAN FOR INSERT INTO t SELECT 1');
    assert.ok(plan.kind === 'Explain' && plan.statement.kind === 'Insert');
    const set = parseStatement('EXPLAIN STATEMENT SET BEGIN INSERT INTO t SELECT 1; END');
    assert.ok(set.kind === 'Explain' && set.statement.kind === 'StatementSet');
  });

  it('parses INSERT with OVERWRITE, hints, PARTITION and a column list', () => {
    const insert = as<InsertStatement>(
      parseStatement("INSERT OVERWRITE t /*+ OPTIONS('sink.parallelism' = '2') */ PARTITION (dt = '2024-01-01', h = 1) (a, b) SELECT x, y FROM s"),
      'Insert',
    );
    assert.equal(insert.overwrite, true);
    assert.deepEqual(strip(insert.targetHints), [
      { name: { kind: 'Identifier', value: 'OPTIONS', quoted: false }, options: [{ key: 'sink.parallelism', value: '2' }], args: [] },
    ]);
    assert.deepEqual(insert.partition.map((p) => p.key.value), ['dt', 'h']);
    assert.deepEqual(insert.columns?.map((c) => c.value), ['a', 'b']);
    const paren = as<InsertStatement>(parseStatement('INSERT INTO t (SELECT 1)'), 'Insert');
    assert.equal(paren.columns, undefined);
    const values = as<InsertStatement>(parseStatement("INSERT INTO t VALUES (1, 'a'), (2, 'b')"), 'Insert');
    assert.equal(values.query.kind === 'Values' && values.query.rows.length, 2);
  });

  it('parses both statement set forms and EXECUTE INSERT', () => {
    const statements = parseScript(`
      EXECUTE STATEMENT SET BEGIN
        INSERT INTO a SELECT 1;
        INSERT INTO b SELECT 2;
      END;
      BEGIN STATEMENT SET;
      INSERT INTO c SELECT 3;
      END;
      EXECUTE INSERT INTO d SELECT 4;
      EXECUTE SELECT 5`);
    assert.deepEqual(statements.map((s) => s.kind), ['StatementSet', 'StatementSet', 'Insert', 'QueryStatement']);
    assert.equal(statements[0]?.kind === 'StatementSet' && statements[0].inserts.length, 2);
    assert.equal(statements[1]?.kind === 'StatementSet' && statements[1].inserts[0]?.target.parts[0]?.value, 'c');
  });

  it('parses SHOW JOBS and STOP JOB with its optional clauses', () => {
    assert.deepEqual(strip(parseStatement('SHOW JOBS')), { kind: 'Show', what: 'JOBS' });
    const id = '6b1af540c0c0bb3fcfcad50ac037c862';
    assert.deepEqual(strip(parseScript(`STOP JOB '${id}'; stop job '${id}' with savepoint; STOP JOB '${id}' WITH SAVEPOINT WITH DRAIN; STOP JOB '${id}' WITH DRAIN`)), [
      { kind: 'StopJob', jobId: id, withSavepoint: false, withDrain: false },
      { kind: 'StopJob', jobId: id, withSavepoint: true, withDrain: false },
      { kind: 'StopJob', jobId: id, withSavepoint: true, withDrain: true },
      { kind: 'StopJob', jobId: id, withSavepoint: false, withDrain: true },
    ]);
    const stop = parseStatement("  STOP JOB 'a' 'b' WITH SAVEPOINT");
    assert.ok(stop.kind === 'StopJob');
    assert.equal(stop.jobId, 'ab', 'adjacent string literals concatenate, as everywhere');
    assert.deepEqual([stop.span.start.col, stop.span.end.col], [3, 34], 'the span ends after SAVEPOINT (end is exclusive)');
  });

  it('keeps STOP, JOB, JOBS and DRAIN usable as names', () => {
    const q = select('SELECT stop, job, jobs, drain FROM job AS stop');
    assert.deepEqual(q.items.map((i) => strip(i)), ['stop', 'job', 'jobs', 'drain'].map((n) => ({ expr: col(n) })));
    const create = as<CreateTable>(parseStatement("CREATE TABLE stop (job STRING, drain INT) WITH ('connector' = 'blackhole')"), 'CreateTable');
    assert.equal(create.name.parts[0]?.value, 'stop');
    assert.deepEqual(create.columns.map((c) => c.name.value), ['job', 'drain']);
    assert.equal(as<InsertStatement>(parseStatement('INSERT INTO stop SELECT job FROM jobs'), 'Insert').target.parts[0]?.value, 'stop');
  });

  it('ignores empty statements and accepts a missing final semicolon', () => {
    assert.equal(parseScript(';;SELECT 1;; ;SELECT 2').length, 2);
    assert.equal(parseScript('  -- only a comment\n').length, 0);
  });
});

describe('queries', () => {
  it('gives INTERSECT higher precedence than UNION and EXCEPT', () => {
    const q = as<SetOperation>(parseQuery('SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4'), 'SetOperation');
    assert.equal(q.op, 'EXCEPT');
    const union = as<SetOperation>(q.left, 'SetOperation');
    assert.equal(union.op, 'UNION');
    assert.equal(union.all, true);
    assert.equal(as<SetOperation>(union.right, 'SetOperation').op, 'INTERSECT');
  });

  it('attaches ORDER BY / LIMIT to the whole set operation', () => {
    const q = as<SetOperation>(parseQuery('SELECT a FROM t UNION DISTINCT SELECT a FROM u ORDER BY a DESC NULLS FIRST LIMIT 5 OFFSET 2'), 'SetOperation');
    assert.equal(q.all, false);
    assert.deepEqual(strip(q.orderBy), [{ expr: col('a'), descending: true, nullsFirst: true }]);
    assert.deepEqual(strip(q.limit), num('5'));
    assert.deepEqual(strip(q.offset), num('2'));
    const fetch = select('SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS ONLY');
    assert.deepEqual(strip(fetch.limit), num('3'));
    const parenthesised = as<SetOperation>(parseQuery('(SELECT a FROM t LIMIT 1) UNION ALL (SELECT a FROM u LIMIT 2)'), 'SetOperation');
    assert.deepEqual(strip((parenthesised.right as Select).limit), num('2'));
  });

  it('parses WITH, DISTINCT, hints, GROUP BY variants, HAVING, WINDOW and QUALIFY', () => {
    const w = parseQuery('WITH c (x) AS (SELECT a FROM t), d AS (SELECT 1) SELECT x FROM c');
    assert.ok(w.kind === 'With');
    assert.deepEqual(w.ctes.map((c) => c.name.value), ['c', 'd']);
    const s = select(`SELECT /*+ STATE_TTL('t' = '1d'), BROADCAST(u) */ DISTINCT a, SUM(b) OVER w AS s
      FROM t GROUP BY GROUPING SETS ((a, b), (a), ()), ROLLUP (a), CUBE (a, b) HAVING COUNT(*) > 1
      WINDOW w AS (PARTITION BY a ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)
      QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts) = 1`);
    assert.equal(s.distinct, true);
    assert.deepEqual(s.hints.map((h) => h.name.value), ['STATE_TTL', 'BROADCAST']);
    assert.deepEqual(s.hints[1]?.args, ['u']);
    assert.deepEqual(s.groupBy.map((g) => g.kind), ['GroupingSets', 'Rollup', 'Cube']);
    const sets = s.groupBy[0];
    assert.ok(sets?.kind === 'GroupingSets');
    assert.deepEqual(sets.sets.map((x) => x.length), [2, 1, 0]);
    assert.equal(s.windows[0]?.name.value, 'w');
    assert.equal(s.windows[0]?.spec.frame?.unit, 'RANGE');
    assert.equal(as<FunctionCall>(s.items[1]?.expr, 'FunctionCall').over?.name?.value, 'w');
    assert.ok(s.having && s.qualify);
  });

  it('parses every join form', () => {
    const s = select(`SELECT * FROM a
      INNER JOIN b ON a.x = b.x
      LEFT OUTER JOIN c USING (x, y)
      RIGHT JOIN d ON TRUE
      FULL JOIN e ON a.x = e.x
      CROSS JOIN f
      NATURAL JOIN g
      LEFT JOIN LATERAL TABLE(split(a.s)) AS T(w, n) ON TRUE`);
    const types: string[] = [];
    let ref = s.from;
    while (ref?.kind === 'Join') {
      types.unshift(`${ref.natural ? 'NATURAL ' : ''}${ref.joinType}${ref.using ? ' USING' : ''}`);
      ref = ref.left;
    }
    assert.deepEqual(types, ['INNER', 'LEFT USING', 'RIGHT', 'FULL', 'CROSS', 'NATURAL INNER', 'LEFT']);
    const lateral = as<TableFunctionRef>((s.from as JoinRef).right, 'TableFunction');
    assert.equal(lateral.lateral, true);
    assert.deepEqual(lateral.columnAliases?.map((c) => c.value), ['w', 'n']);
  });

  it('parses window TVFs with named arguments and SESSION partitions', () => {
    const named = as<TableFunctionRef>(
      select("SELECT * FROM TABLE(TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECONDS))").from,
      'TableFunction',
    );
    assert.deepEqual(named.args.map((a) => `${a.name}:${a.kind}`), ['DATA:Table', 'TIMECOL:Descriptor', 'SIZE:Expr']);
    const size = named.args[2];
    assert.equal(size?.kind === 'Expr' && (size.expr as IntervalLiteral).from, 'SECOND');
    const session = as<TableFunctionRef>(
      select("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY (bidder, auction), DESCRIPTOR(ts), INTERVAL '5' MINUTE)) AS w").from,
      'TableFunction',
    );
    const table = session.args[0];
    assert.ok(table?.kind === 'Table');
    assert.equal(table.partitionBy?.length, 2);
    assert.equal(session.alias?.value, 'w');
    const cumulate = as<TableFunctionRef>(
      select("SELECT * FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR))").from,
      'TableFunction',
    );
    assert.equal(cumulate.args.length, 4);
  });

  it('parses subqueries, UNNEST, temporal joins and table hints', () => {
    const s = select(`SELECT * FROM (SELECT a FROM t) AS s (x)
      CROSS JOIN UNNEST(s.arr) WITH ORDINALITY AS u (v, i)
      JOIN dim /*+ LOOKUP('table' = 'dim', 'retry-predicate' = 'lookup_miss') */ FOR SYSTEM_TIME AS OF s.pt AS d ON s.x = d.x`);
    const join = as<JoinRef>(s.from, 'Join');
    const dim = as<TableName>(join.right, 'TableName');
    assert.deepEqual(dim.hints[0]?.options, [
      { key: 'table', value: 'dim' },
      { key: 'retry-predicate', value: 'lookup_miss' },
    ]);
    assert.ok(dim.forSystemTime);
    const unnest = as<TableFunctionRef>(as<JoinRef>(join.left, 'Join').right, 'TableFunction');
    assert.equal(unnest.name.parts[0]?.value, 'UNNEST');
    assert.equal(unnest.withOrdinality, true);
    const sub = as<SubqueryRef>(as<JoinRef>(join.left, 'Join').left, 'Subquery');
    assert.deepEqual(sub.columnAliases?.map((c) => c.value), ['x']);
  });

  it('parses VALUES and t.* select items', () => {
    const v = parseQuery("VALUES (1, 'a'), (2, 'b')");
    assert.ok(v.kind === 'Values');
    assert.equal(v.rows.length, 2);
    const s = select('SELECT t.*, db.u.*, * FROM t');
    assert.deepEqual(
      s.items.map((i) => (i.expr.kind === 'Star' ? (i.expr.qualifier?.parts.map((p) => p.value).join('.') ?? '*') : '?')),
      ['t', 'db.u', '*'],
    );
  });

  it('accepts common non-reserved keywords as names and back-quoted reserved ones', () => {
    const s = select('SELECT name, id, type, data, extra, channel, url, price, window_start, `value`, `day`, `minute`, `timestamp`, key, final FROM t');
    assert.deepEqual(
      s.items.map((i) => (i.expr as ColumnRef).parts[0]?.value),
      ['name', 'id', 'type', 'data', 'extra', 'channel', 'url', 'price', 'window_start', 'value', 'day', 'minute', 'timestamp', 'key', 'final'],
    );
  });

  it('reads aliases with and without AS', () => {
    const s = select('SELECT a AS x, b y, c `z z` FROM t AS u');
    assert.deepEqual(s.items.map((i) => i.alias?.value), ['x', 'y', 'z z']);
    assert.equal(as<TableName>(s.from, 'TableName').alias?.value, 'u');
  });
});

describe('expressions', () => {
  it('follows SQL precedence', () => {
    assert.deepEqual(expr('a OR b AND NOT c = d'), {
      kind: 'Binary',
      op: 'OR',
      left: col('a'),
      right: {
        kind: 'Binary',
        op: 'AND',
        left: col('b'),
        right: { kind: 'Unary', op: 'NOT', operand: { kind: 'Binary', op: '=', left: col('c'), right: col('d') } },
      },
    });
    assert.deepEqual(expr("a || 'x' = b"), {
      kind: 'Binary',
      op: '=',
      left: { kind: 'Binary', op: '||', left: col('a'), right: str('x') },
      right: col('b'),
    });
    assert.deepEqual(expr('1 + 2 * -3 % 4'), {
      kind: 'Binary',
      op: '+',
      left: num('1'),
      right: {
        kind: 'Binary',
        op: '%',
        left: { kind: 'Binary', op: '*', left: num('2'), right: { kind: 'Unary', op: '-', operand: num('3') } },
        right: num('4'),
      },
    });
    assert.deepEqual(expr('a - b - c'), {
      kind: 'Binary',
      op: '-',
      left: { kind: 'Binary', op: '-', left: col('a'), right: col('b') },
      right: col('c'),
    });
    assert.deepEqual(expr('a != b'), { kind: 'Binary', op: '<>', left: col('a'), right: col('b') });
  });

  it('parses postfix subscripts and field access', () => {
    assert.deepEqual(expr("-m['k'].f"), {
      kind: 'Unary',
      op: '-',
      operand: {
        kind: 'FieldAccess',
        operand: { kind: 'Subscript', operand: col('m'), index: str('k') },
        field: { kind: 'Identifier', value: 'f', quoted: false },
      },
    });
    assert.deepEqual(expr('t.`a`.b'), {
      kind: 'ColumnRef',
      parts: [
        { kind: 'Identifier', value: 't', quoted: false },
        { kind: 'Identifier', value: 'a', quoted: true },
        { kind: 'Identifier', value: 'b', quoted: false },
      ],
    });
  });

  it('parses IS, BETWEEN, IN, LIKE, SIMILAR TO, EXISTS and subqueries', () => {
    assert.deepEqual(expr('a IS NOT NULL'), { kind: 'IsNull', operand: col('a'), negated: true });
    assert.deepEqual(expr('a IS NOT UNKNOWN'), { kind: 'IsBool', operand: col('a'), value: 'UNKNOWN', negated: true });
    assert.deepEqual(expr('a IS DISTINCT FROM b'), { kind: 'IsDistinctFrom', left: col('a'), right: col('b'), negated: false });
    assert.deepEqual(expr('a NOT BETWEEN SYMMETRIC 1 AND 2 AND c'), {
      kind: 'Binary',
      op: 'AND',
      left: { kind: 'Between', operand: col('a'), low: num('1'), high: num('2'), negated: true, symmetric: true },
      right: col('c'),
    });
    assert.deepEqual(expr("a NOT LIKE 'x!%' ESCAPE '!'"), {
      kind: 'Like',
      operand: col('a'),
      pattern: str('x!%'),
      escape: str('!'),
      negated: true,
      similar: false,
    });
    assert.equal((parseExpression("a SIMILAR TO '[ab]+'") as { similar: boolean }).similar, true);
    const inQuery = parseExpression('a NOT IN (SELECT b FROM t)');
    assert.ok(inQuery.kind === 'In' && inQuery.negated && inQuery.query?.kind === 'Select');
    assert.equal(parseExpression('EXISTS (SELECT 1)').kind, 'Exists');
    assert.equal(parseExpression('(SELECT MAX(a) FROM t) + 1').kind, 'Binary');
  });

  it('parses literals', () => {
    assert.deepEqual(expr("'a' 'b'"), str('ab'));
    assert.deepEqual(expr("DATE '2024-01-01'"), { kind: 'Literal', literalType: 'date', value: '2024-01-01' });
    assert.deepEqual(expr("TIME '10:00:00'"), { kind: 'Literal', literalType: 'time', value: '10:00:00' });
    assert.deepEqual(expr("TIMESTAMP '2024-01-01 00:00:00'"), { kind: 'Literal', literalType: 'timestamp', value: '2024-01-01 00:00:00' });
    assert.deepEqual(expr("TIMESTAMP_LTZ '2024-01-01 00:00:00'"), { kind: 'Literal', literalType: 'timestamp_ltz', value: '2024-01-01 00:00:00' });
    assert.deepEqual(expr("X'CAFE'"), { kind: 'Literal', literalType: 'binary', value: 'CAFE' });
    assert.deepEqual(expr('TRUE'), { kind: 'Literal', literalType: 'boolean', value: 'TRUE' });
    assert.deepEqual(expr('UNKNOWN'), { kind: 'Literal', literalType: 'unknown', value: 'UNKNOWN' });
    assert.deepEqual(expr('NULL'), { kind: 'Literal', literalType: 'null', value: 'NULL' });
  });

  it('parses interval literals in all forms', () => {
    assert.deepEqual(expr("INTERVAL '10' SECONDS"), { kind: 'IntervalLiteral', value: '10', sign: 1, from: 'SECOND' });
    assert.deepEqual(expr("INTERVAL '1 02:03:04.5' DAY TO SECOND(3)"), {
      kind: 'IntervalLiteral',
      value: '1 02:03:04.5',
      sign: 1,
      from: 'DAY',
      to: 'SECOND',
      toPrecision: 3,
    });
    assert.deepEqual(expr("INTERVAL -'5' MINUTE(3)"), { kind: 'IntervalLiteral', value: '5', sign: -1, from: 'MINUTE', precision: 3 });
    assert.deepEqual(expr("INTERVAL '1-2' YEAR TO MONTH"), { kind: 'IntervalLiteral', value: '1-2', sign: 1, from: 'YEAR', to: 'MONTH' });
  });

  it('parses CASE, CAST and TRY_CAST', () => {
    assert.deepEqual(expr("CASE a WHEN 1 THEN 'x' ELSE 'y' END"), {
      kind: 'Case',
      operand: col('a'),
      whens: [{ when: num('1'), then: str('x') }],
      else: str('y'),
    });
    assert.deepEqual(expr('CAST(a AS DECIMAL(10, 2) NOT NULL)'), {
      kind: 'Cast',
      operand: col('a'),
      type: { kind: 'Type', name: 'DECIMAL', params: [10, 2], nullable: false },
      try: false,
    });
    assert.equal((parseExpression('TRY_CAST(a AS INT)') as { try: boolean }).try, true);
  });

  it('parses function calls with DISTINCT, *, FILTER, OVER and IGNORE NULLS', () => {
    const count = as<FunctionCall>(parseExpression('COUNT(*)'), 'FunctionCall');
    assert.deepEqual([count.star, count.args.length], [true, 0]);
    const lag = as<FunctionCall>(parseExpression('LAG(x, 1) IGNORE NULLS OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING)'), 'FunctionCall');
    assert.equal(lag.nullTreatment, 'IGNORE');
    assert.deepEqual(lag.over?.frame, { unit: 'ROWS', start: { kind: 'UnboundedPreceding' } });
    const qualified = as<FunctionCall>(parseExpression('cat.db.f(1)'), 'FunctionCall');
    assert.deepEqual(qualified.name.parts.map((p) => p.value), ['cat', 'db', 'f']);
    assert.equal(as<FunctionCall>(parseExpression('SUM(DISTINCT a) FILTER (WHERE b > 0)'), 'FunctionCall').distinct, true);
  });

  it('normalises special-syntax functions to plain calls', () => {
    const sym = (value: string) => ({ kind: 'Symbol', value });
    const call = (name: string, args: unknown[]) => ({
      kind: 'FunctionCall',
      name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', value: name, quoted: false }] },
      args,
      distinct: false,
      star: false,
    });
    assert.deepEqual(expr('EXTRACT(DAY FROM ts)'), call('EXTRACT', [sym('DAY'), col('ts')]));
    assert.deepEqual(expr('SUBSTRING(s FROM 2 FOR 3)'), call('SUBSTRING', [col('s'), num('2'), num('3')]));
    assert.deepEqual(expr('SUBSTRING(s, 2)'), call('SUBSTRING', [col('s'), num('2')]));
    assert.deepEqual(expr("TRIM(BOTH 'x' FROM s)"), call('TRIM', [sym('BOTH'), str('x'), col('s')]));
    assert.deepEqual(expr('TRIM(LEADING FROM s)'), call('TRIM', [sym('LEADING'), str(' '), col('s')]));
    assert.deepEqual(expr('TRIM(s)'), call('TRIM', [sym('BOTH'), str(' '), col('s')]));
    assert.deepEqual(expr("POSITION('a' IN s)"), call('POSITION', [str('a'), col('s')]));
    assert.deepEqual(expr("OVERLAY(s PLACING 'x' FROM 2 FOR 1)"), call('OVERLAY', [col('s'), str('x'), num('2'), num('1')]));
    assert.deepEqual(expr('TIMESTAMPADD(SQL_TSI_DAY, 1, ts)'), call('TIMESTAMPADD', [sym('DAY'), num('1'), col('ts')]));
    assert.deepEqual(expr('TIMESTAMPDIFF(HOUR, a, b)'), call('TIMESTAMPDIFF', [sym('HOUR'), col('a'), col('b')]));
    assert.deepEqual(expr('FLOOR(ts TO HOUR)'), call('FLOOR', [col('ts'), sym('HOUR')]));
    assert.deepEqual(expr('CURRENT_TIMESTAMP'), call('CURRENT_TIMESTAMP', []));
    assert.deepEqual(expr('LOCALTIMESTAMP'), call('LOCALTIMESTAMP', []));
    assert.deepEqual(expr('CURRENT_DATE'), call('CURRENT_DATE', []));
    assert.deepEqual(expr('HOUR(ts)'), call('HOUR', [col('ts')]));
  });

  it('parses ROW, ARRAY and MAP constructors', () => {
    assert.deepEqual(expr('ROW(1, a)'), { kind: 'Constructor', type: 'ROW', args: [num('1'), col('a')] });
    assert.deepEqual(expr('(1, a)'), { kind: 'Constructor', type: 'ROW', args: [num('1'), col('a')] });
    assert.deepEqual(expr('ARRAY[1, 2][1]'), {
      kind: 'Subscript',
      operand: { kind: 'Constructor', type: 'ARRAY', args: [num('1'), num('2')] },
      index: num('1'),
    });
    assert.deepEqual(expr("MAP['k', 1]"), { kind: 'Constructor', type: 'MAP', args: [str('k'), num('1')] });
  });

  it('records spans of nodes', () => {
    const e = parseExpression('a +\n  f(b)') as Expr & { right: Expr };
    assert.deepEqual(e.span.start, { line: 1, col: 1, offset: 0 });
    assert.deepEqual(e.span.end, { line: 2, col: 7, offset: 10 });
    assert.deepEqual(e.right.span.start, { line: 2, col: 3, offset: 6 });
  });
});

describe('scripts', () => {
  it('parses a long script in one pass', () => {
    const script = 'INSERT INTO sink SELECT a, b + 1 FROM src WHERE c > 2;\n'.repeat(5000);
    const statements = parseScript(script);
    assert.equal(statements.length, 5000);
    assert.equal(statements[4999]?.span.start.line, 5000);
  });

  it('substitutes variables', () => {
    assert.equal(substituteVariables("FROM ${T} WITH ('r' = '${R}')", { T: 'datagen', R: '5' }), "FROM datagen WITH ('r' = '5')");
  });

  it('parses a query typed as a whole statement', () => {
    const q: Query = parseQuery('SELECT 1;');
    assert.equal(q.kind, 'Select');
  });
});
