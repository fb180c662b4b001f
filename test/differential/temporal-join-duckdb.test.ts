/**
 * Differential test of the event-time temporal join: generated orders (out of order by up to 3 s, some
 * NULL currencies, one currency without any version) joined AS OF their time with a versioned rates
 * table (PRIMARY KEY + watermark; a new version of some currency every 250 ms) by Floe (streaming,
 * parallelism 1 and 2) and by DuckDB's ASOF join (the latest version at or before the order's time).
 * The final rows must be equal. (Deletions are covered by the operator's unit tests: an append-only
 * CSV table has none.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { MaterializedTable, Session } from '../../src/api/index.js';
import { BASE_TIME as BASE, prng, timestampText as ts } from './generated-events.js';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'CNY'];

let dir: string;
let duck: DuckDBConnection;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'floe-temporal-diff-'));
  const rnd = prng(42);
  // Versions in time order with distinct times (GBP first appears late, CHF never: no version → no match).
  const rates: string[] = [];
  for (let i = 0; i < 400; i++) {
    const cur = CURRENCIES[Math.floor(rnd() * 4)]!;
    if (cur === 'GBP' && i < 100) continue;
    rates.push(`${cur},${100 + Math.floor(rnd() * 50)},${ts(BASE + i * 250)}`);
  }
  const orders: string[] = [];
  for (let i = 0; i < 800; i++) {
    const cur = rnd() < 0.03 ? '' : CURRENCIES[Math.floor(rnd() * 6)]!;
    orders.push(`${i},${cur},${1 + Math.floor(rnd() * 9)},${ts(BASE - 2000 + i * 130 + Math.floor(rnd() * 3000))}`);
  }
  for (const [name, lines] of [['rates', rates], ['orders', orders]] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'data.csv'), lines.join('\n') + '\n');
  }
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`CREATE TABLE rates AS SELECT * FROM read_csv('${join(dir, 'rates', 'data.csv')}', header = false, columns = {'cur': 'VARCHAR', 'rate': 'INTEGER', 'rt': 'TIMESTAMP'})`);
  await duck.run(`CREATE TABLE orders AS SELECT * FROM read_csv('${join(dir, 'orders', 'data.csv')}', header = false, columns = {'id': 'BIGINT', 'cur': 'VARCHAR', 'amount': 'INTEGER', 'ot': 'TIMESTAMP'})`);
});

after(() => {
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function floe(sql: string, parallelism: number): Promise<string[]> {
  const session = new Session({ config: { 'parallelism.default': String(parallelism) }, warn: () => {} });
  const ddl = `CREATE TABLE rates (cur STRING, rate INT, rt TIMESTAMP(3), PRIMARY KEY (cur) NOT ENFORCED, WATERMARK FOR rt AS rt) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates')}', 'format' = 'csv');
    CREATE TABLE orders (id BIGINT, cur STRING, amount INT, ot TIMESTAMP(3), WATERMARK FOR ot AS ot - INTERVAL '4' SECOND) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'orders')}', 'format' = 'csv')`;
  for (const s of session.parse(ddl)) await session.execute(s);
  const result = await session.execute(session.parse(sql)[0]!);
  assert.equal(result.kind, 'query');
  if (result.kind !== 'query') return [];
  const q = result.query;
  assert.ok(q.job.nodes.some((n) => n.operator.type === 'temporal-join'), 'planned as a temporal join');
  const rows = new MaterializedTable(q.resultType);
  for await (const batch of q.batches) rows.apply(batch);
  await q.handle.done;
  return rows
    .snapshot()
    .map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join(' | '))
    .sort();
}

async function oracle(sql: string): Promise<string[]> {
  const rows = (await duck.runAndReadAll(sql)).getRows();
  return rows.map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join(' | ')).sort();
}

for (const [name, floeJoin, duckJoin] of [
  ['INNER', 'JOIN', 'ASOF JOIN'],
  ['LEFT', 'LEFT JOIN', 'ASOF LEFT JOIN'],
] as const) {
  test(`temporal join ${name}: Floe equals DuckDB's ASOF join (parallelism 1/2)`, async () => {
    const expected = await oracle(`SELECT o.id, o.amount * r.rate FROM orders o ${duckJoin} rates r ON o.cur = r.cur AND o.ot >= r.rt`);
    assert.ok(expected.length > 300, `the oracle joins rows (${expected.length})`);
    assert.ok(expected.some((r) => r.endsWith('NULL')) === (name === 'LEFT'));
    for (const p of [1, 2]) {
      const actual = await floe(`SELECT o.id, o.amount * r.rate FROM orders AS o ${floeJoin} rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`, p);
      assert.equal(actual.length, expected.length, `p=${p}: row count`);
      assert.deepEqual(actual, expected, `p=${p}`);
    }
  });
}
