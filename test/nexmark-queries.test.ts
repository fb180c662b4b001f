/**
 * The Nexmark acceptance workload as users run it: the shared DDL, views and query files, unmodified
 * (blackhole sinks included), over the `nexmark` generator, in streaming and batch mode at parallelism 1
 * and 2. Every run must finish, and its sink must receive the same number of rows in all four
 * configurations (the results themselves are checked against DuckDB in test/differential/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../src/api/index.js';
import { nexmarkDir } from '../src/common/index.js';
import { nexmarkScript, nexmarkVars } from '../src/cli/bench-nexmark.js';

const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q14', 'q15', 'q16', 'q17', 'q18', 'q19', 'q20', 'q21', 'q22'];
const EVENTS = 20_000;

async function sinkRows(query: string, mode: 'streaming' | 'batch', parallelism: number): Promise<number> {
  const dir = nexmarkDir();
  const session = new Session({ config: { 'execution.runtime-mode': mode, 'parallelism.default': String(parallelism) }, baseDir: dir, warn: () => {} });
  // A slower event-time rate than the harness's 10 M/s, so that 20k events span several windows.
  const vars = { ...nexmarkVars(EVENTS, dir), TPS: '1000' };
  let rows = -1;
  for (const statement of session.parse(nexmarkScript(dir, query), vars)) {
    const result = await session.execute(statement);
    if (result.kind !== 'job') continue;
    const done = await result.handle.done;
    assert.equal(done.status, 'finished');
    const sink = result.job.nodes.find((n) => n.operator.type === 'sink');
    assert.ok(sink, 'the job has a sink');
    rows = done.nodes.find((n) => n.nodeId === sink.id)!.recordsIn;
  }
  return rows;
}

for (const query of QUERIES) {
  test(`nexmark ${query} runs unmodified: streaming/batch × parallelism 1/2`, async () => {
    const counts: Record<string, number> = {};
    for (const mode of ['streaming', 'batch'] as const) for (const p of [1, 2]) counts[`${mode} p=${p}`] = await sinkRows(query, mode, p);
    const batch = counts['batch p=1']!;
    assert.ok(batch > 0, `${query}: the sink received rows`);
    assert.equal(counts['batch p=2'], batch, `${query}: batch p=2`);
    // Streaming may emit more rows than batch (updates are retracted and re-emitted), never fewer.
    for (const key of ['streaming p=1', 'streaming p=2']) assert.ok(counts[key]! >= batch, `${query}: ${key} ${counts[key]} >= ${batch}`);
  });
}
