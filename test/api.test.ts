/**
 * The TypeScript API: a Session run from code, user functions registered from TypeScript and from SQL,
 * on one thread and on worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Session } from '../src/api/index.js';

const DATA = join(import.meta.dirname, 'sql', 'data');
const ORDERS = `CREATE TABLE orders (order_id BIGINT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');`;

function udfModule(): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-udf-'));
  const file = join(dir, 'udf.mjs');
  writeFileSync(
    file,
    `export const vowels = { returnType: 'INT', eval: (s) => (s == null ? null : (s.match(/[aeiou]/g) ?? []).length) };
     export function shout(s) { return s == null ? null : s.toUpperCase() + '!'; }
     shout.returnType = 'STRING';`,
  );
  return file;
}

test('session.query returns the final rows as objects', async () => {
  const session = new Session({ warn: () => {} });
  const rows = await session.query<{ customer: string; n: number }>(`${ORDERS} SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer`);
  assert.deepEqual(rows.sort((a, b) => a.customer.localeCompare(b.customer)), [
    { customer: 'alice', n: 3 },
    { customer: 'bob', n: 2 },
    { customer: 'carol', n: 1 },
  ]);
});

for (const parallelism of [1, 2]) {
  test(`functions registered from TypeScript run on worker threads too (parallelism ${parallelism})`, async () => {
    const file = udfModule();
    const session = new Session({ config: { 'parallelism.default': String(parallelism) }, warn: () => {} });
    session.registerFunction('vowels', pathToFileURL(file), 'vowels');
    session.registerFunction('shout', file, 'shout');
    const rows = await session.query(`${ORDERS} SELECT customer, vowels(customer) AS v, shout(customer) AS s FROM orders WHERE order_id <= 4`);
    const byCustomer = new Map(rows.map((r) => [r['customer'], [r['v'], r['s']]]));
    assert.deepEqual(byCustomer.get('alice'), [3, 'ALICE!']);
    assert.deepEqual(byCustomer.get('carol'), [2, 'CAROL!']);
  });
}

test('CREATE FUNCTION binds a Java class name through floe.udf.class-bindings', async () => {
  const file = udfModule();
  const session = new Session({ config: { 'floe.udf.class-bindings': `com.example.Vowels=file:${file}#vowels` }, warn: () => {} });
  const rows = await session.query(`${ORDERS} CREATE FUNCTION vowels AS 'com.example.Vowels'; SELECT vowels('queue') AS v FROM orders WHERE order_id = 1`);
  assert.deepEqual(rows, [{ v: 4 }]);
});
