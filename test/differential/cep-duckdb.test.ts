/**
 * Differential test of MATCH_RECOGNIZE on generated data (seeded; per key strictly increasing, distinct
 * times; the file out of order by up to 3 s, a 5 s watermark delay so no row is late), Floe in streaming
 * and batch mode at parallelism 1 and 2 against an oracle:
 *
 * 1. `PATTERN (A B)`, SKIP TO NEXT ROW: every A row whose next row (same key) satisfies B is one match, so
 *    DuckDB expresses it directly with LEAD().
 * 2. `PATTERN (A B* C)` with B and C exclusive (`B.price >= A.price`, `C.price < A.price`), SKIP PAST LAST
 *    ROW and SKIP TO NEXT ROW: the match started at an A row can only end at the first later row cheaper
 *    than it, which DuckDB computes (with the count and sum of the B rows in between). Which of these
 *    candidate matches survive the skip strategy is then decided by a small simulation written here,
 *    independent of the operator: rows in time order; at each row the candidates ending there, earliest
 *    start first, are emitted unless an earlier emitted match's resume point lies after their start, and
 *    candidates that started before a resume point are discarded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { MaterializedTable, Session } from '../../src/api/index.js';
import { subtaskThreads } from '../support/subtask-threads.js';
import { BASE_TIME, prng, timestampText } from './generated-events.js';

let dir: string;
let duck: DuckDBConnection;
const KEYS = 6;
const ROWS_PER_KEY = 150;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'floe-cep-diff-'));
  const rnd = prng(42);
  const lines: { t: number; line: string }[] = [];
  for (let k = 0; k < KEYS; k++) {
    for (let i = 0; i < ROWS_PER_KEY; i++) {
      const t = BASE_TIME + i * 1000 + k * 7 + Math.floor(rnd() * 900);
      const price = rnd() < 0.03 ? '' : String(1 + Math.floor(rnd() * 100));
      lines.push({ t: t + Math.floor(rnd() * 3000), line: `${k},${timestampText(t)},${price}` });
    }
  }
  // File order: roughly by time, out of order by up to 3 s.
  lines.sort((a, b) => a.t - b.t);
  writeFileSync(join(dir, 'ev.csv'), lines.map((l) => l.line).join('\n') + '\n');
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`CREATE TABLE ev AS SELECT * FROM read_csv('${join(dir, 'ev.csv')}', header = false, columns = {'k': 'INTEGER', 't': 'TIMESTAMP', 'price': 'INTEGER'})`);
});

after(() => {
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const DDL = (path: string) =>
  `CREATE TABLE ev (k INT, t TIMESTAMP(3), price INT, WATERMARK FOR t AS t - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'csv')`;

const cell = (v: unknown): string => (v === null || v === undefined ? 'NULL' : typeof v === 'number' && v > 1e11 ? timestampText(v) : String(v));

async function floe(sql: string, mode: 'streaming' | 'batch', parallelism: number): Promise<string[]> {
  // Parallelism 2: two worker threads in streaming mode, this thread in batch mode (test/support/subtask-threads.ts).
  const threads = subtaskThreads(mode, parallelism, 'streaming');
  const session = new Session({ config: { 'execution.runtime-mode': mode, 'parallelism.default': String(parallelism), ...threads }, warn: () => {} });
  for (const s of session.parse(DDL(dir))) await session.execute(s);
  const [stmt] = session.parse(sql);
  const result = await session.execute(stmt!);
  assert.equal(result.kind, 'query');
  if (result.kind !== 'query') return [];
  const q = result.query;
  assert.ok(q.job.nodes.some((n) => n.operator.type === 'match-recognize'));
  const rows = new MaterializedTable(q.resultType);
  for await (const batch of q.batches) rows.apply(batch);
  await q.handle.done;
  return rows
    .snapshot()
    .map((r) => r.map(cell).join(' | '))
    .sort();
}

async function duckRows(sql: string): Promise<unknown[][]> {
  const reader = await duck.runAndReadAll(sql);
  return reader.getRowsJS() as unknown[][];
}

const duckCell = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return timestampText(v.getTime());
  return String(v);
};

async function checkAllConfigs(sql: string, expected: string[]): Promise<void> {
  assert.ok(expected.length > 10, `the oracle finds matches (${expected.length})`);
  for (const mode of ['streaming', 'batch'] as const) {
    for (const p of [1, 2]) assert.deepEqual(await floe(sql, mode, p), expected, `${mode} p=${p}`);
  }
}

test('PATTERN (A B) SKIP TO NEXT ROW equals a LEAD() query in DuckDB', async () => {
  const sql = `SELECT * FROM ev MATCH_RECOGNIZE (
      PARTITION BY k ORDER BY t
      MEASURES A.t AS a_t, B.t AS b_t, B.price - A.price AS diff
      ONE ROW PER MATCH AFTER MATCH SKIP TO NEXT ROW
      PATTERN (A B)
      DEFINE A AS A.price < 50, B AS B.price > A.price)`;
  const expected = (
    await duckRows(`SELECT k, t, nt, np - price FROM (
        SELECT k, t, price, LEAD(t) OVER w AS nt, LEAD(price) OVER w AS np FROM ev WINDOW w AS (PARTITION BY k ORDER BY t))
      WHERE price < 50 AND np > price`)
  )
    .map((r) => r.map(duckCell).join(' | '))
    .sort();
  await checkAllConfigs(sql, expected);
});

interface Candidate {
  readonly k: number;
  readonly start: number;
  readonly end: number;
  readonly line: string;
}

/** The skip simulation described in the file comment, over one key's rows (indices in time order). */
function survivors(cands: readonly Candidate[], skip: 'past' | 'next'): string[] {
  const out: string[] = [];
  const byKey = new Map<number, Candidate[]>();
  for (const c of cands) byKey.set(c.k, [...(byKey.get(c.k) ?? []), c]);
  for (const list of byKey.values()) {
    let discardBelow = -Infinity;
    const ends = [...new Set(list.map((c) => c.end))].sort((a, b) => a - b);
    for (const r of ends) {
      const done = list.filter((c) => c.end === r && c.start >= discardBelow).sort((a, b) => a.start - b.start);
      for (const m of done) {
        if (m.start < discardBelow) continue;
        out.push(m.line);
        discardBelow = Math.max(discardBelow, skip === 'past' ? r + 1 : m.start + 1);
      }
    }
  }
  return out.sort();
}

for (const [skip, clause] of [['past', 'SKIP PAST LAST ROW'], ['next', 'SKIP TO NEXT ROW']] as const) {
  test(`PATTERN (A B* C) ${clause} equals DuckDB candidates + skip simulation`, async () => {
    const sql = `SELECT * FROM ev MATCH_RECOGNIZE (
        PARTITION BY k ORDER BY t
        MEASURES A.t AS a_t, C.t AS c_t, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price - A.price AS drop_by
        ONE ROW PER MATCH AFTER MATCH ${clause}
        PATTERN (A B* C)
        DEFINE A AS MOD(A.price, 3) = 0, B AS B.price >= A.price, C AS C.price < A.price)`;
    // Rows with a NULL price satisfy neither B nor C, so they end every partial match: the candidate of an
    // A row ends at the first later row cheaper than it only if no NULL-price row comes first.
    const rows = await duckRows(`
      WITH r AS (SELECT k, t, price, ROW_NUMBER() OVER (PARTITION BY k ORDER BY t) AS i FROM ev),
      c AS (
        SELECT a.k, a.i AS ai, a.t AS at, a.price AS ap,
          (SELECT MIN(x.i) FROM r x WHERE x.k = a.k AND x.i > a.i AND (x.price IS NULL OR x.price < a.price)) AS ci
        FROM r a WHERE a.price % 3 = 0)
      SELECT c.k, c.ai, c.ci, c.at, e.t AS ct, e.price - c.ap AS drop_by,
        (SELECT COUNT(*) FROM r b WHERE b.k = c.k AND b.i > c.ai AND b.i < c.ci) AS nb,
        (SELECT SUM(b.price) FROM r b WHERE b.k = c.k AND b.i > c.ai AND b.i < c.ci) AS sb
      FROM c JOIN r e ON e.k = c.k AND e.i = c.ci
      WHERE e.price IS NOT NULL`);
    const cands: Candidate[] = rows.map((r) => {
      const [k, ai, ci, at, ct, dropBy, nb, sb] = r;
      return { k: Number(k), start: Number(ai), end: Number(ci), line: [k, at, ct, nb, sb, dropBy].map(duckCell).join(' | ') };
    });
    await checkAllConfigs(sql, survivors(cands, skip));
  });
}
