/**
 * Differential test for OVER aggregation, window Top-N, window deduplication and SESSION windows:
 * seeded random rows (some NULL values, distinct timestamps so ROWS frames and first rows have one order)
 * in a CSV file, queried by Floe (streaming and batch, parallelism 1 and 2) and by DuckDB (window
 * functions; windows as time_bucket; sessions from LAG gaps). Final rows must be equal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { MaterializedTable, Session } from '../../src/api/index.js';
import { subtaskThreads } from '../support/subtask-threads.js';
import { formatValueText } from '../../src/types/index.js';

const ROWS = 2_000;
let dir: string;
let duck: DuckDBConnection;

/** mulberry32: a small seeded generator, so the data set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'floe-over-diff-'));
  const next = rng(42);
  const lines: string[] = [];
  let ms = Date.UTC(2024, 0, 1);
  for (let i = 0; i < ROWS; i++) {
    // Strictly increasing times (gaps of 1 ms to 3 s), so every frame has one row order.
    ms += 1 + Math.floor(next() * 3000);
    const k = Math.floor(next() * 7);
    const v = next() < 0.1 ? 'NULL' : String(Math.floor(next() * 2000) - 1000);
    lines.push(`${i},k${k},${v},${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}`);
  }
  writeFileSync(join(dir, 'events.csv'), lines.join('\n') + '\n');
  const instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run(
    `CREATE TABLE events AS SELECT * FROM read_csv('${join(dir, 'events.csv')}', header = false, nullstr = 'NULL', columns = {'id': 'BIGINT', 'k': 'VARCHAR', 'v': 'BIGINT', 'ts': 'TIMESTAMP'})`,
  );
});

after(() => {
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function runFloe(sql: string, mode: 'streaming' | 'batch', parallelism: number): Promise<string[]> {
  // Parallelism 2: two worker threads in streaming mode, this thread in batch mode (test/support/subtask-threads.ts).
  const threads = subtaskThreads(mode, parallelism, 'streaming');
  const session = new Session({ config: { 'execution.runtime-mode': mode, 'parallelism.default': String(parallelism), ...threads }, warn: () => {} });
  const ddl = `CREATE TABLE events (id BIGINT, k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'events.csv')}', 'format' = 'csv', 'csv.null-literal' = 'NULL')`;
  for (const s of session.parse(ddl)) await session.execute(s);
  const [statement] = session.parse(sql);
  const result = await session.execute(statement!);
  assert.equal(result.kind, 'query');
  if (result.kind !== 'query') return [];
  const q = result.query;
  const table = new MaterializedTable(q.resultType);
  for await (const batch of q.batches) table.apply(batch);
  await q.handle.done;
  return table
    .snapshot()
    .map((row) => row.map((v, i) => (v === null ? 'NULL' : formatValueText(v, q.resultType.fields[i]!.type))).join(' | '))
    .sort();
}

async function runDuck(sql: string): Promise<string[]> {
  const rows = (await duck.runAndReadAll(sql)).getRows();
  return rows.map((r) => r.map((v) => (v === null || v === undefined ? 'NULL' : String(v))).join(' | ')).sort();
}

/** [name, SQL]: the same text runs on both engines, with the windows `w` and `r` written per dialect. */
const CASES: [string, string][] = [
  ['ROWS 3 PRECEDING per key: SUM, COUNT, MIN, MAX share the window', `SELECT id, SUM(v) OVER w, COUNT(v) OVER w, COUNT(*) OVER w, MIN(v) OVER w, MAX(v) OVER w FROM events`],
  ['RANGE 5 s PRECEDING per key', `SELECT id, k, SUM(v) OVER r, COUNT(*) OVER r, MAX(v) OVER r FROM events`],
  [
    'ROWS UNBOUNDED PRECEDING per key',
    `SELECT id, COUNT(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), MIN(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM events`,
  ],
  ['RANGE UNBOUNDED PRECEDING (no frame) over all rows', `SELECT id, SUM(v) OVER (ORDER BY ts) FROM events`],
];

const FLOE_WINDOWS: Record<string, string> = {
  w: '(PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)',
  r: "(PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW)",
};
const DUCK_WINDOWS: Record<string, string> = {
  w: '(PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)',
  r: "(PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '5 seconds' PRECEDING AND CURRENT ROW)",
};
/** The cases write `OVER w` / `OVER r`, expanded inline per dialect (the frames' interval syntax differs). */
const inline = (sql: string, windows: Record<string, string>): string => sql.replace(/OVER (w|r)\b/g, (_, name: string) => `OVER ${windows[name]}`);

for (const [name, sql] of CASES) {
  test(`OVER differential: ${name}`, async () => {
    const expected = await runDuck(inline(sql, DUCK_WINDOWS));
    assert.equal(expected.length, ROWS);
    for (const mode of ['streaming', 'batch'] as const) {
      for (const p of [1, 2]) {
        const actual = await runFloe(inline(sql, FLOE_WINDOWS), mode, p);
        assert.deepEqual(actual, expected, `${mode} p=${p}`);
      }
    }
  });
}

/** Floe's TIMESTAMP(3) text, from DuckDB. */
const ts3 = (e: string): string => `strftime(${e}, '%Y-%m-%d %H:%M:%S.%g')`;
const MINUTE = `time_bucket(INTERVAL 1 MINUTE, ts)`;

/** [name, Floe SQL, DuckDB SQL]. */
const WINDOW_CASES: [string, string, string][] = [
  [
    // Values tie, so which row gets which number is arbitrary; the value at each rank is not.
    'window Top-3 by value per 1-minute TUMBLE window',
    `SELECT window_start, v, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY v DESC) AS rn FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn <= 3`,
    `SELECT ${ts3('ws')}, v, rn FROM (SELECT ${MINUTE} AS ws, v, row_number() OVER (PARTITION BY ${MINUTE} ORDER BY v DESC NULLS LAST) AS rn FROM events) WHERE rn <= 3`,
  ],
  [
    'window Top-1 over a window aggregate (the key with the most rows per window)',
    `SELECT window_start, n FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC) AS rn FROM (SELECT k, window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end)) WHERE rn <= 1`,
    `SELECT ${ts3('ws')}, max(n) FROM (SELECT k, ${MINUTE} AS ws, count(*) AS n FROM events GROUP BY k, ws) GROUP BY ws`,
  ],
  [
    'window deduplication: first and last row per key and window',
    `SELECT id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k, window_start, window_end ORDER BY ts ASC) AS rn FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1
     UNION ALL
     SELECT id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k, window_start, window_end ORDER BY ts DESC) AS rn FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1`,
    `SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY k, ${MINUTE} ORDER BY ts) AS rn FROM events) WHERE rn = 1
     UNION ALL
     SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY k, ${MINUTE} ORDER BY ts DESC) AS rn FROM events) WHERE rn = 1`,
  ],
  [
    'SESSION windows (gap 10 s) per key',
    `SELECT k, window_start, window_end, COUNT(*), SUM(v), MIN(v) FROM TABLE(SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end`,
    `WITH g AS (SELECT *, CASE WHEN epoch_ms(ts) - epoch_ms(lag(ts) OVER (PARTITION BY k ORDER BY ts)) <= 10000 THEN 0 ELSE 1 END AS brk FROM events),
          s AS (SELECT *, sum(brk) OVER (PARTITION BY k ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid FROM g)
     SELECT k, ${ts3('min(ts)')}, ${ts3('max(ts) + INTERVAL 10 SECOND')}, count(*), sum(v), min(v) FROM s GROUP BY k, sid`,
  ],
];

for (const [name, floeSql, duckSql] of WINDOW_CASES) {
  test(`windowed differential: ${name}`, async () => {
    const expected = await runDuck(duckSql);
    assert.ok(expected.length > 10, `${name}: the oracle returns rows`);
    for (const mode of ['streaming', 'batch'] as const) {
      for (const p of [1, 2]) {
        const actual = await runFloe(floeSql, mode, p);
        assert.deepEqual(actual, expected, `${mode} p=${p}`);
      }
    }
  });
}
