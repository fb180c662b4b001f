import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FloeError } from '../common/index.js';
import { TestSession, nexmarkSession } from './test-support.js';

const rows = (r: Awaited<ReturnType<TestSession['ddl']>>): string[][] => (r.kind === 'rows' ? r.rows : []);

describe('executeDdl', () => {
  test('SHOW TABLES / VIEWS / CURRENT / DATABASES after the nexmark DDL', async () => {
    const s = await nexmarkSession();
    assert.deepEqual(rows(await s.ddl('SHOW TABLES')), [['auction'], ['bid'], ['datagen'], ['person']]);
    assert.deepEqual(rows(await s.ddl('SHOW VIEWS')), [['auction'], ['bid'], ['person']]);
    assert.deepEqual(rows(await s.ddl("SHOW TABLES LIKE 'b%'")), [['bid']]);
    assert.deepEqual(rows(await s.ddl('SHOW CURRENT DATABASE')), [['default_database']]);
    assert.deepEqual(rows(await s.ddl('SHOW CATALOGS')), [['default_catalog']]);
  });

  test('DESCRIBE shows types, rowtime, computed expressions and the watermark', async () => {
    const s = await nexmarkSession();
    const r = await s.ddl('DESCRIBE datagen');
    assert.equal(r.kind, 'rows');
    if (r.kind !== 'rows') return;
    assert.deepEqual(r.columns, ['name', 'type', 'null', 'key', 'extras', 'watermark']);
    const dt = r.rows.find((x) => x[0] === 'dateTime')!;
    assert.equal(dt[1], 'TIMESTAMP(3) *ROWTIME*');
    assert.match(dt[4]!, /^AS CASE WHEN/);
    assert.match(dt[5]!, /dateTime/);
    assert.equal(r.rows[0]![1], 'INT');
    const v = rows(await s.ddl('DESCRIBE bid'));
    assert.deepEqual(v.map((x) => x[0]), ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
  });

  test('CREATE TABLE validation: duplicates, watermark column, primary key', async () => {
    const s = new TestSession();
    await assert.rejects(s.ddl("CREATE TABLE t (a INT, a BIGINT) WITH ('connector' = 'blackhole')"), (e: FloeError) => e.code === 'PLAN.DUPLICATE_COLUMN');
    await assert.rejects(s.ddl("CREATE TABLE t (a INT, WATERMARK FOR a AS a) WITH ('connector' = 'blackhole')"), (e: FloeError) => e.code === 'PLAN.BAD_WATERMARK');
    await assert.rejects(s.ddl("CREATE TABLE t (a INT, c AS b + 1) WITH ('connector' = 'blackhole')"), (e: FloeError) => e.code === 'PLAN.UNKNOWN_COLUMN');
    await assert.rejects(s.ddl("CREATE TABLE t (a INT, PRIMARY KEY (b) NOT ENFORCED) WITH ('connector' = 'blackhole')"), (e: FloeError) => e.code === 'PLAN.BAD_PRIMARY_KEY');
    await s.ddl("CREATE TABLE t (a INT, b STRING, PRIMARY KEY (a) NOT ENFORCED) WITH ('connector' = 'blackhole')");
    const d = rows(await s.ddl('DESCRIBE t'));
    assert.deepEqual(d[0], ['a', 'INT', 'FALSE', 'PRI(a)', '', '']);
    await assert.rejects(s.ddl("CREATE TABLE t (a INT) WITH ('connector' = 'blackhole')"), (e: FloeError) => e.code === 'PLAN.TABLE_EXISTS');
    await s.ddl("CREATE TABLE IF NOT EXISTS t (a INT) WITH ('connector' = 'blackhole')");
  });

  test('SHOW CREATE TABLE round-trips through the parser', async () => {
    const s = await nexmarkSession();
    const text = rows(await s.ddl('SHOW CREATE TABLE datagen'))[0]![0]!;
    assert.match(text, /^CREATE TABLE `default_catalog`\.`default_database`\.`datagen` \(/);
    assert.match(text, /WATERMARK FOR `dateTime` AS/);
    assert.match(text, /'connector' = 'nexmark'/);
    const view = rows(await s.ddl('SHOW CREATE VIEW bid'))[0]![0]!;
    assert.match(view, /^CREATE VIEW `default_catalog`\.`default_database`\.`bid` AS\n/);
  });

  test('CREATE VIEW binds its query at creation; views resolve in their own database', async () => {
    const s = await nexmarkSession();
    await assert.rejects(s.ddl('CREATE VIEW v AS SELECT pricee FROM bid'), (e: FloeError) => e.code === 'PLAN.UNKNOWN_COLUMN');
    await s.ddl('CREATE VIEW v (a, p) AS SELECT auction, price FROM bid');
    await s.ddl('CREATE DATABASE other');
    await s.ddl('USE other');
    // `bid` inside the view still means default_database.bid.
    const q = await s.query('SELECT p FROM default_database.v');
    assert.deepEqual(q.resultType.fields.map((f) => f.name), ['p']);
    await assert.rejects(s.query('SELECT * FROM v'), (e: FloeError) => e.code === 'PLAN.UNKNOWN_TABLE');
  });

  test('CREATE FUNCTION with the nexmark Java class binds to the built-in count_char (q14)', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'");
    const q = await s.query("SELECT count_char(extra, 'c') AS n FROM bid");
    const calc = q.job.nodes.find((n) => n.operator.type === 'calc');
    assert.ok(calc?.operator.type === 'calc');
    if (calc?.operator.type !== 'calc') return;
    const call = calc.operator.projection[0]!;
    assert.equal(call.kind, 'udf');
    if (call.kind === 'udf') assert.equal(call.ref, 'builtin:count_char');
    assert.deepEqual(rows(await s.ddl('SHOW USER FUNCTIONS')), [['count_char']]);
    await assert.rejects(s.ddl("CREATE FUNCTION f AS 'com.acme.Missing'"), (e: FloeError) => e.code === 'PLAN.UNBOUND_JAVA_FUNCTION');
  });

  test('ALTER TABLE SET merges options; DROP removes', async () => {
    const s = new TestSession();
    await s.ddl("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')");
    await s.ddl("ALTER TABLE t SET ('number-of-rows' = '5')");
    const text = rows(await s.ddl('SHOW CREATE TABLE t'))[0]![0]!;
    assert.match(text, /'number-of-rows' = '5'/);
    const q = await s.withConfig({ 'execution.runtime-mode': 'batch' }).query('SELECT a FROM t');
    assert.equal(q.job.nodes[0]!.operator.type === 'source' && q.job.nodes[0]!.operator.bounded, true);
    await s.ddl('DROP TABLE t');
    await assert.rejects(s.ddl('DROP TABLE t'), (e: FloeError) => e.code === 'PLAN.UNKNOWN_TABLE');
    await s.ddl('DROP TABLE IF EXISTS t');
  });

  test('CREATE TABLE … LIKE copies columns, watermark and options', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE TABLE copy WITH ('events.num' = '10') LIKE datagen");
    const d = rows(await s.ddl('DESCRIBE copy'));
    assert.equal(d.find((x) => x[0] === 'dateTime')![1], 'TIMESTAMP(3) *ROWTIME*');
    const text = rows(await s.ddl('SHOW CREATE TABLE copy'))[0]![0]!;
    assert.match(text, /'connector' = 'nexmark'/);
    assert.match(text, /'events.num' = '10'/);
  });
});
