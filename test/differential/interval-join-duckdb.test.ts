/**
 * Differential test of the event-time interval join: two generated event streams (seeded, out of order by
 * up to 4 s, some NULL keys) in CSV files, joined by Floe (filesystem sources with a 5 s watermark delay,
 * so no row is late; streaming and batch; parallelism 1 and 2) and by DuckDB (a plain join with the same
 * time predicate, outer joins included). The final rows must be equal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { MaterializedTable, Session } from '../../src/api/index.js';
import { subtaskThreads } from '../support/subtask-threads.js';
import { keyedEvents } from './generated-events.js';

let dir: string;
let duck: DuckDBConnection;

const table = (name: string, path: string) =>
  `CREATE TABLE ${name} (id BIGINT, k INT, t TIMESTAMP(3), WATERMARK FOR t AS t - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'csv')`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'floe-interval-diff-'));
  for (const [name, seed, idBase] of [['l', 7, 1000], ['r', 11, 5000]] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'events.csv'), keyedEvents(seed, idBase, 600, 25, 100, 2000));
  }
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  for (const name of ['l', 'r']) {
    await duck.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv('${join(dir, name, 'events.csv')}', header = false, columns = {'id': 'BIGINT', 'k': 'INTEGER', 't': 'TIMESTAMP'})`);
  }
});

after(() => {
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function floe(sql: string, mode: 'streaming' | 'batch', parallelism: number): Promise<string[]> {
  // Parallelism 2: two worker threads in streaming mode, this thread in batch mode (test/support/subtask-threads.ts).
  const threads = subtaskThreads(mode, parallelism, 'streaming');
  const session = new Session({ config: { 'execution.runtime-mode': mode, 'parallelism.default': String(parallelism), ...threads }, warn: () => {} });
  for (const s of session.parse(`${table('l', join(dir, 'l'))}; ${table('r', join(dir, 'r'))}`)) await session.execute(s);
  const [stmt] = session.parse(sql);
  const result = await session.execute(stmt!);
  assert.equal(result.kind, 'query');
  if (result.kind !== 'query') return [];
  const q = result.query;
  assert.ok(
    q.job.nodes.some((n) => n.operator.type === 'interval-join'),
    `planned as an interval join: ${q.job.nodes.map((n) => n.name).join(' | ')}`,
  );
  const rows = new MaterializedTable(q.resultType);
  for await (const batch of q.batches) rows.apply(batch);
  await q.handle.done;
  assert.equal(rows.unmatchedRetractions, 0);
  return rows
    .snapshot()
    .map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join(' | '))
    .sort();
}

async function oracle(sql: string): Promise<string[]> {
  const rows = (await duck.runAndReadAll(sql)).getRows();
  return rows.map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join(' | ')).sort();
}

const CASES: readonly { readonly name: string; readonly join: string; readonly on: string }[] = [
  { name: 'INNER, BETWEEN', join: 'JOIN', on: `l.t BETWEEN r.t - INTERVAL '3' SECOND AND r.t + INTERVAL '1' SECOND` },
  { name: 'LEFT, strict bounds', join: 'LEFT JOIN', on: `l.t > r.t - INTERVAL '2' SECOND AND l.t < r.t + INTERVAL '0.5' SECOND` },
  { name: 'RIGHT, left strictly after right', join: 'RIGHT JOIN', on: `l.t >= r.t + INTERVAL '1' SECOND AND l.t <= r.t + INTERVAL '4' SECOND` },
  { name: 'FULL, with a residual predicate', join: 'FULL JOIN', on: `l.t BETWEEN r.t - INTERVAL '1' SECOND AND r.t + INTERVAL '1' SECOND AND l.id % 3 <> r.id % 3` },
];

for (const c of CASES) {
  test(`interval join ${c.name}: Floe equals DuckDB (streaming/batch × parallelism 1/2)`, async () => {
    const sql = `SELECT l.id, r.id FROM l ${c.join} r ON l.k = r.k AND ${c.on}`;
    const expected = await oracle(sql);
    assert.ok(expected.length > 50, `the oracle joins rows (${expected.length})`);
    for (const mode of ['streaming', 'batch'] as const) {
      for (const p of [1, 2]) {
        const actual = await floe(sql, mode, p);
        assert.equal(actual.length, expected.length, `${mode} p=${p}: row count`);
        assert.deepEqual(actual, expected, `${mode} p=${p}`);
      }
    }
  });
}
