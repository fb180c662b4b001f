/**
 * Binder: name resolution, the types of the nexmark expressions, time attributes, GROUP BY/DISTINCT/UNION
 * shapes, INSERT column mapping, and errors with their line:col.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FloeError, FloeErrors } from '../common/index.js';
import { parseQuery } from '../sql/index.js';
import { formatType, isRowtime } from '../types/index.js';
import { newBinderContext } from './binder-context.js';
import type { LogicalNode } from './logical-plan.js';
import { bindQuery } from './query-binder.js';
import { TestSession, nexmarkSession } from './test-support.js';

async function bind(s: TestSession, sql: string): Promise<LogicalNode> {
  return bindQuery(parseQuery(sql), await newBinderContext(s.ctx));
}

async function types(s: TestSession, sql: string): Promise<string[]> {
  const node = await bind(s, sql);
  return node.rowType.fields.map((f) => `${f.name}: ${formatType(f.type)}`);
}

async function bindError(s: TestSession, sql: string): Promise<FloeError> {
  try {
    await bind(s, sql);
  } catch (e) {
    assert.ok(e instanceof FloeError, `expected a FloeError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected an error for: ${sql}`);
}

const at = (e: FloeError): string => `${e.span?.start.line}:${e.span?.start.col}`;

describe('name resolution', () => {
  test('plain, qualified and nested column references', async () => {
    const s = await nexmarkSession();
    assert.deepEqual(await types(s, 'SELECT B.price, auction, B.`dateTime` FROM bid AS B'), [
      'price: BIGINT',
      'auction: BIGINT',
      'dateTime: TIMESTAMP(3) *ROWTIME*',
    ]);
    // `person.id` is a ROW field of the datagen table (nullable because the row is nullable).
    assert.deepEqual(await types(s, 'SELECT person.id, datagen.person.name, event_type FROM datagen'), [
      'id: BIGINT',
      'name: STRING',
      'event_type: INT',
    ]);
  });

  test('* and t.* expand in FROM order; duplicate names are made unique', async () => {
    const s = await nexmarkSession();
    const node = await bind(s, 'SELECT P.*, A.id FROM person P JOIN auction A ON P.id = A.seller');
    assert.deepEqual(
      node.rowType.fields.map((f) => f.name),
      ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra', 'id0'],
    );
    const all = await bind(s, 'SELECT * FROM bid');
    assert.deepEqual(all.rowType.fields.map((f) => f.name), ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
  });

  test('subqueries and CTEs with column aliases', async () => {
    const s = await nexmarkSession();
    assert.deepEqual(await types(s, 'SELECT x.a FROM (SELECT auction, price FROM bid) AS x (a, b)'), ['a: BIGINT']);
    assert.deepEqual(await types(s, 'WITH t (a) AS (SELECT price FROM bid), u AS (SELECT a * 2 AS d FROM t) SELECT d FROM u'), ['d: BIGINT']);
  });

  test('unknown column: did-you-mean and position', async () => {
    const s = await nexmarkSession();
    const e = await bindError(s, 'SELECT auction,\n  pricee\nFROM bid');
    assert.equal(e.code, 'PLAN.UNKNOWN_COLUMN');
    assert.equal(e.message, "column 'pricee' not found in any table; did you mean 'price'?");
    assert.equal(at(e), '2:3');
  });

  test('unknown table: did-you-mean over tables and views in scope', async () => {
    const s = await nexmarkSession();
    const e = await bindError(s, 'SELECT auction FROM bidd');
    assert.equal(e.code, 'PLAN.UNKNOWN_TABLE');
    assert.match(e.message, /'bidd' not found in default_catalog\.default_database; did you mean 'bid'\?/);
    assert.equal(at(e), '1:21');
  });

  test('identifiers are case-sensitive', async () => {
    const s = await nexmarkSession();
    const e = await bindError(s, 'SELECT Price FROM bid');
    assert.match(e.message, /did you mean 'price'/);
  });

  test('ambiguous column across a join', async () => {
    const s = await nexmarkSession();
    const e = await bindError(s, 'SELECT auction FROM bid B1 JOIN bid B2 ON B1.auction = B2.auction');
    assert.equal(e.code, 'PLAN.AMBIGUOUS_COLUMN');
    assert.match(e.message, /'B1', 'B2'/);
  });

  test('several errors in one statement are reported together', async () => {
    const s = await nexmarkSession();
    const e = await bindError(s, 'SELECT pricee, bidderr FROM bid');
    assert.ok(e instanceof FloeErrors);
    assert.deepEqual(e.errors.map(at), ['1:8', '1:16']);
  });
});

describe('expression types', () => {
  test('literals: INT/BIGINT by size, DECIMAL as written, DOUBLE with exponent, CHAR(n), intervals', async () => {
    const s = new TestSession();
    assert.deepEqual(await types(s, "SELECT 1, -2147483648, 3000000000, 0.908, 1e3, 'abc', TRUE, NULL, INTERVAL '4' SECOND, INTERVAL '1' MONTH"), [
      'EXPR$0: INT NOT NULL',
      'EXPR$1: INT NOT NULL',
      'EXPR$2: BIGINT NOT NULL',
      'EXPR$3: DECIMAL(4, 3) NOT NULL',
      'EXPR$4: DOUBLE NOT NULL',
      "EXPR$5: CHAR(3) NOT NULL",
      'EXPR$6: BOOLEAN NOT NULL',
      'EXPR$7: NULL',
      'EXPR$8: INTERVAL SECOND(3) NOT NULL',
      'EXPR$9: INTERVAL MONTH NOT NULL',
    ]);
  });

  test('interval literal values are milliseconds / months', async () => {
    const s = new TestSession();
    const node = await bind(s, "SELECT INTERVAL '4' SECOND, INTERVAL '1 02:03' DAY TO MINUTE, INTERVAL '1-2' YEAR TO MONTH, INTERVAL -'5' MINUTE");
    assert.equal(node.kind, 'Calc');
    const values = node.kind === 'Calc' ? node.projection.map((p) => (p.kind === 'literal' ? p.value : null)) : [];
    assert.deepEqual(values, [4000, 86400000 + 2 * 3600000 + 3 * 60000, 14, -300000]);
  });

  test('nexmark expressions (q1, q14, q15, q21, q22)', async () => {
    const s = await nexmarkSession();
    assert.deepEqual(
      await types(
        s,
        `SELECT 0.908 * price AS p, HOUR(dateTime) AS h,
           CASE WHEN HOUR(dateTime) >= 8 THEN 'dayTime' WHEN HOUR(dateTime) <= 6 THEN 'nightTime' ELSE 'otherTime' END AS t,
           DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS d, SPLIT_INDEX(url, '/', 3) AS dir1,
           REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) AS cid, lower(channel) IN ('apple', 'google') AS hot,
           MOD(auction, 123) = 0 AS m
         FROM bid`,
      ),
      [
        'p: DECIMAL(23, 3)',
        'h: BIGINT',
        't: VARCHAR(9) NOT NULL',
        'd: STRING',
        'dir1: STRING',
        'cid: STRING',
        'hot: BOOLEAN',
        'm: BOOLEAN',
      ],
    );
  });

  test('aggregate result types (q15, q17)', async () => {
    const s = await nexmarkSession();
    assert.deepEqual(
      await types(s, 'SELECT count(*) AS c, count(DISTINCT bidder) FILTER (WHERE price < 10000) AS d, min(price) AS mi, avg(price) AS a, sum(price) AS s FROM bid'),
      ['c: BIGINT NOT NULL', 'd: BIGINT NOT NULL', 'mi: BIGINT', 'a: BIGINT', 's: BIGINT'],
    );
  });

  test('time attributes survive plain references and views, and are materialised by expressions', async () => {
    const s = await nexmarkSession();
    const node = await bind(s, "SELECT dateTime, dateTime + INTERVAL '1' SECOND AS later, CAST(dateTime AS TIMESTAMP(3)) AS c FROM bid");
    const [t0, t1, t2] = node.rowType.fields.map((f) => f.type);
    assert.ok(isRowtime(t0!));
    assert.ok(!isRowtime(t1!));
    assert.ok(!isRowtime(t2!));
    // A GROUP BY key is materialised too.
    const grouped = await bind(s, 'SELECT dateTime, count(*) FROM bid GROUP BY dateTime');
    assert.ok(!isRowtime(grouped.rowType.fields[0]!.type));
  });

  test('BETWEEN is inclusive (>= AND <=); simple CASE becomes searched', async () => {
    const s = await nexmarkSession();
    const node = await bind(s, "SELECT CASE auction WHEN 1 THEN 'a' ELSE 'b' END FROM bid WHERE price BETWEEN 10 AND 20");
    assert.equal(node.kind, 'Calc');
    if (node.kind !== 'Calc') return;
    const c = node.projection[0]!;
    assert.equal(c.kind, 'case');
    if (c.kind === 'case') assert.equal(c.branches[0]!.when.kind === 'call' && c.branches[0]!.when.fn, '=');
    const where = node.input.kind === 'Calc' ? node.input.condition : null;
    assert.ok(where?.kind === 'call' && where.fn === 'AND');
    if (where?.kind === 'call') assert.deepEqual(where.args.map((a) => (a.kind === 'call' ? a.fn : a.kind)), ['>=', '<=']);
  });

  test('type mismatch names the types', async () => {
    const s = await nexmarkSession();
    const e = await bindError(s, "SELECT CASE WHEN price > 1 THEN 'x' ELSE 1 END FROM bid");
    assert.equal(e.code, 'PLAN.TYPE_MISMATCH');
    assert.match(e.message, /CHAR\(1\) NOT NULL, INT NOT NULL/);
    const w = await bindError(s, 'SELECT price FROM bid WHERE price');
    assert.equal(w.code, 'PLAN.TYPE_MISMATCH');
    assert.match(w.message, /BOOLEAN, got BIGINT/);
  });
});

describe('aggregation', () => {
  test('GROUP BY expressions referenced in SELECT match structurally', async () => {
    const s = await nexmarkSession();
    const node = await bind(s, "SELECT DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS d, max(DATE_FORMAT(dateTime, 'HH:mm')) AS m, count(*) + 1 AS c FROM bid GROUP BY DATE_FORMAT(dateTime, 'yyyy-MM-dd')");
    assert.equal(node.kind, 'Calc');
    if (node.kind !== 'Calc') return;
    const agg = node.input;
    assert.equal(agg.kind, 'Aggregate');
    if (agg.kind !== 'Aggregate') return;
    assert.deepEqual(agg.groupKeys, [0]);
    assert.deepEqual(agg.aggregates.map((a) => a.fn), ['MAX', 'COUNT']);
    assert.deepEqual(node.rowType.fields.map((f) => f.name), ['d', 'm', 'c']);
  });

  test('FILTER flags and DISTINCT arguments are computed before the aggregate (deduplicated)', async () => {
    const s = await nexmarkSession();
    const node = await bind(
      s,
      'SELECT count(*) FILTER (WHERE price < 10000), count(DISTINCT bidder) FILTER (WHERE price < 10000), count(DISTINCT bidder) FROM bid GROUP BY auction',
    );
    const agg = node.kind === 'Calc' ? node.input : node;
    assert.equal(agg.kind, 'Aggregate');
    if (agg.kind !== 'Aggregate') return;
    assert.equal(agg.input.kind, 'Calc');
    const pre = agg.input.kind === 'Calc' ? agg.input.projection : [];
    assert.equal(pre.length, 3, 'key, the filter flag (shared), bidder');
    assert.deepEqual(agg.aggregates.map((a) => [a.distinct, a.filterArg]), [
      [false, 1],
      [true, 1],
      [true, null],
    ]);
  });

  test('not grouped, aggregate in WHERE, nested aggregates', async () => {
    const s = await nexmarkSession();
    const e1 = await bindError(s, 'SELECT auction, bidder, count(*)\nFROM bid GROUP BY auction');
    assert.equal(e1.code, 'PLAN.NOT_GROUPED');
    assert.equal(e1.message, "expression 'bidder' is not being grouped");
    assert.equal(at(e1), '1:17');
    const e2 = await bindError(s, 'SELECT auction FROM bid\nWHERE count(*) > 1');
    assert.equal(e2.code, 'PLAN.AGGREGATE_IN_WHERE');
    assert.equal(at(e2), '2:7');
    const e3 = await bindError(s, 'SELECT max(count(*)) FROM bid');
    assert.equal(e3.code, 'PLAN.NESTED_AGGREGATE');
  });

  test('a global aggregate has no keys; HAVING filters after it', async () => {
    const s = await nexmarkSession();
    const node = await bind(s, 'SELECT count(*) FROM bid HAVING count(*) > 10');
    assert.equal(node.kind, 'Calc');
    if (node.kind !== 'Calc') return;
    assert.ok(node.condition !== null);
    assert.equal(node.input.kind === 'Aggregate' && node.input.groupKeys.length, 0);
  });

  test('DISTINCT and UNION become a group-by over all columns; UNION ALL stays a union', async () => {
    const s = await nexmarkSession();
    const d = await bind(s, 'SELECT DISTINCT auction, bidder FROM bid');
    assert.equal(d.kind === 'Aggregate' && d.groupKeys.length, 2);
    const u = await bind(s, 'SELECT auction FROM bid UNION SELECT seller FROM auction');
    assert.equal(u.kind === 'Aggregate' && u.input.kind, 'Union');
    const ua = await bind(s, 'SELECT auction, 1 FROM bid UNION ALL SELECT seller, 2000000000000 FROM auction');
    assert.equal(ua.kind, 'Union');
    assert.deepEqual(ua.rowType.fields.map((f) => formatType(f.type)), ['BIGINT', 'BIGINT NOT NULL']);
  });

  test('VALUES rows get the common column type', async () => {
    const s = new TestSession();
    const v = await bind(s, "VALUES (1, 'a'), (2000000000000, 'bcd')");
    assert.equal(v.kind, 'Values');
    assert.deepEqual(v.rowType.fields.map((f) => formatType(f.type)), ['BIGINT NOT NULL', 'VARCHAR(3) NOT NULL']);
    if (v.kind === 'Values') assert.equal(v.rows.length, 2);
  });
});

describe('INSERT', () => {
  test('columns map by position with implicit casts (nexmark q7 quirk)', async () => {
    const s = await nexmarkSession();
    const job = await s.insert(`
      CREATE TABLE sink (auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), note STRING) WITH ('connector' = 'blackhole');
      INSERT INTO sink SELECT auction, price, bidder, channel FROM bid;`);
    const calc = job.nodes.find((n) => n.operator.type === 'calc')!;
    assert.equal(calc.operator.type, 'calc');
    if (calc.operator.type !== 'calc') return;
    // Sink column `bidder` receives the query's `price`, and `price` the bidder cast to DECIMAL.
    const [, b, p] = calc.operator.projection;
    assert.equal(b!.kind, 'field');
    assert.equal(p!.kind, 'cast');
    assert.equal(formatType(p!.type), 'DECIMAL(23, 3)');
  });

  test('column count and type errors', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE TABLE sink2 (a BIGINT, b BIGINT) WITH ('connector' = 'blackhole')");
    await assert.rejects(s.insert('INSERT INTO sink2 SELECT auction FROM bid'), (e: FloeError) => {
      assert.equal(e.code, 'PLAN.INSERT_COLUMN_COUNT');
      assert.match(e.message, /produces 1 column but the target has 2 \(a, b\)/);
      return true;
    });
    await assert.rejects(s.insert('INSERT INTO sink2 SELECT auction, channel FROM bid'), (e: FloeError) => {
      assert.equal(e.code, 'PLAN.TYPE_MISMATCH');
      assert.match(e.message, /STRING.*column 'b' BIGINT/);
      return true;
    });
    await assert.rejects(s.insert('INSERT INTO bid SELECT * FROM bid'), /cannot INSERT INTO view/);
  });

  test('an explicit column list fills the others with NULL', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE TABLE sink3 (a BIGINT, b STRING, c BIGINT) WITH ('connector' = 'blackhole')");
    const job = await s.insert('INSERT INTO sink3 (c, a) SELECT price, auction FROM bid');
    const calc = job.nodes.find((n) => n.operator.type === 'calc');
    assert.ok(calc && calc.operator.type === 'calc');
    if (calc?.operator.type !== 'calc') return;
    assert.deepEqual(calc.operator.projection.map((p) => p.kind), ['field', 'literal', 'field']);
  });
});
