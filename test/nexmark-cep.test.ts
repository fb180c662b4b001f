/**
 * The Nexmark CEP queries (`queries/cep/q0`–`q3`, MATCH_RECOGNIZE over `ddl/cep/`), unmodified, over the
 * `nexmark` generator in streaming and batch mode at parallelism 1 and 2: every INSERT job must finish,
 * and the query's rows (its SELECT, collected) must be identical in all four configurations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MaterializedTable, Session } from '../src/api/index.js';
import type { Query } from '../src/sql/index.js';
import { nexmarkDir } from '../src/common/index.js';
import { nexmarkCepScript, nexmarkVars } from '../src/cli/bench-nexmark.js';
import { subtaskThreads } from './support/subtask-threads.js';

const QUERIES = ['q0', 'q1', 'q2', 'q3'];
const EVENTS = 20_000;

interface Run {
  readonly sinkRows: number;
  readonly rows: string[];
}

async function run(query: string, mode: 'streaming' | 'batch', parallelism: number): Promise<Run> {
  const dir = nexmarkDir();
  // Parallelism 2: two worker threads in batch mode, this thread in streaming mode; the CEP differential
  // test (test/differential/cep-duckdb.test.ts) does the opposite (see test/support/subtask-threads.ts).
  const threads = subtaskThreads(mode, parallelism, 'batch');
  const session = new Session({ config: { 'execution.runtime-mode': mode, 'parallelism.default': String(parallelism), ...threads }, baseDir: dir, warn: () => {} });
  // A slower event-time rate than the harness's, so bids of one bidder on one auction spread over time.
  const vars = { ...nexmarkVars(EVENTS, dir), TPS: '1000' };
  let sinkRows = -1;
  let select: Query | undefined;
  for (const statement of session.parse(nexmarkCepScript(dir, query), vars)) {
    if (statement.kind === 'Insert') select = statement.query;
    const result = await session.execute(statement);
    if (result.kind !== 'job') continue;
    const done = await result.handle.done;
    assert.equal(done.status, 'finished');
    const sink = result.job.nodes.find((n) => n.operator.type === 'sink')!;
    assert.ok(result.job.nodes.some((n) => n.operator.type === 'match-recognize'), 'the plan has a match-recognize operator');
    sinkRows = done.nodes.find((n) => n.nodeId === sink.id)!.recordsIn;
  }
  assert.ok(select, `${query} has an INSERT`);
  const result = await session.execute({ kind: 'QueryStatement', query: select, span: select.span });
  assert.equal(result.kind, 'query');
  if (result.kind !== 'query') return { sinkRows, rows: [] };
  const table = new MaterializedTable(result.query.resultType);
  for await (const batch of result.query.batches) table.apply(batch);
  await result.query.handle.done;
  const rows = table.snapshot().map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  rows.sort();
  return { sinkRows, rows };
}

for (const query of QUERIES) {
  test(`nexmark cep ${query} runs unmodified with identical results: streaming/batch × parallelism 1/2`, async () => {
    const base = await run(query, 'batch', 1);
    assert.ok(base.rows.length > 0, `${query}: the pattern matched`);
    assert.equal(base.sinkRows, base.rows.length, `${query}: the blackhole sink got every match`);
    for (const [mode, p] of [['batch', 2], ['streaming', 1], ['streaming', 2]] as const) {
      const other = await run(query, mode, p);
      assert.equal(other.sinkRows, base.sinkRows, `${query} ${mode} p=${p}: sink rows`);
      assert.deepEqual(other.rows, base.rows, `${query} ${mode} p=${p}: rows`);
    }
  });
}
