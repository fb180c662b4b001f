/**
 * Differential test of the window join: two generated event streams (seeded, out of order by up to 4 s,
 * some NULL keys) windowed by the same TUMBLE or HOP window and joined on the window and the key, by Floe
 * (filesystem sources with a 5 s watermark delay, so no row is late; streaming and batch; parallelism 1
 * and 2) and by DuckDB (window bounds computed from epoch milliseconds, a plain join, outer joins
 * included). The final rows must be equal.
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
  dir = mkdtempSync(join(tmpdir(), 'floe-window-join-diff-'));
  for (const [name, seed, idBase] of [['l', 3, 1000], ['r', 5, 5000]] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'events.csv'), keyedEvents(seed, idBase, 500, 12, 100, 2000));
  }
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  for (const name of ['l', 'r']) {
    await duck.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv('${join(dir, name, 'events.csv')}', header = false, columns = {'id': 'BIGINT', 'k': 'INTEGER', 't': 'TIMESTAMP'})`);
  }
  // Tumbling 2 s windows and hopping 4 s windows every 2 s, as (id, k, ws) rows.
  for (const name of ['l', 'r']) {
    await duck.run(`CREATE TABLE ${name}_tumble AS SELECT id, k, epoch_ms(t) - epoch_ms(t) % 2000 AS ws FROM ${name}`);
    await duck.run(`CREATE TABLE ${name}_hop AS SELECT id, k, epoch_ms(t) - epoch_ms(t) % 2000 - h.range * 2000 AS ws FROM ${name} CROSS JOIN range(2) AS h`);
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
  const ddl = `${table('l', join(dir, 'l'))}; ${table('r', join(dir, 'r'))};
    CREATE VIEW l_tumble AS SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(t), INTERVAL '2' SECOND));
    CREATE VIEW r_tumble AS SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(t), INTERVAL '2' SECOND));
    CREATE VIEW l_hop AS SELECT * FROM TABLE(HOP(TABLE l, DESCRIPTOR(t), INTERVAL '2' SECOND, INTERVAL '4' SECOND));
    CREATE VIEW r_hop AS SELECT * FROM TABLE(HOP(TABLE r, DESCRIPTOR(t), INTERVAL '2' SECOND, INTERVAL '4' SECOND))`;
  for (const s of session.parse(ddl)) await session.execute(s);
  const result = await session.execute(session.parse(sql)[0]!);
  assert.equal(result.kind, 'query');
  if (result.kind !== 'query') return [];
  const q = result.query;
  assert.ok(q.job.nodes.some((n) => n.operator.type === 'window-join'), `planned as a window join: ${q.job.nodes.map((n) => n.name).join(' | ')}`);
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

const CASES: readonly { readonly name: string; readonly window: 'tumble' | 'hop'; readonly join: string; readonly extra: string; readonly duckExtra: string }[] = [
  { name: 'TUMBLE INNER', window: 'tumble', join: 'JOIN', extra: '', duckExtra: '' },
  { name: 'TUMBLE LEFT', window: 'tumble', join: 'LEFT JOIN', extra: '', duckExtra: '' },
  { name: 'TUMBLE RIGHT with a residual predicate', window: 'tumble', join: 'RIGHT JOIN', extra: ' AND L.id % 2 = R.id % 2', duckExtra: ' AND L.id % 2 = R.id % 2' },
  { name: 'HOP FULL', window: 'hop', join: 'FULL JOIN', extra: '', duckExtra: '' },
];

for (const c of CASES) {
  test(`window join ${c.name}: Floe equals DuckDB (streaming/batch × parallelism 1/2)`, async () => {
    const expected = await oracle(
      `SELECT L.id, R.id, COALESCE(L.ws, R.ws) FROM l_${c.window} L ${c.join} r_${c.window} R ON L.ws = R.ws AND L.k = R.k${c.duckExtra}`,
    );
    assert.ok(expected.length > 100, `the oracle joins rows (${expected.length})`);
    const sql = `SELECT L.id, R.id, COALESCE(L.window_start, R.window_start) FROM l_${c.window} L ${c.join} r_${c.window} R ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.k = R.k${c.extra}`;
    for (const mode of ['streaming', 'batch'] as const) {
      for (const p of [1, 2]) {
        const actual = await floe(sql, mode, p);
        assert.equal(actual.length, expected.length, `${mode} p=${p}: row count`);
        assert.deepEqual(actual, expected, `${mode} p=${p}`);
      }
    }
  });
}
