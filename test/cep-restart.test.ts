/**
 * MATCH_RECOGNIZE across a failure: a task failure mid-stream restarts the job from its latest checkpoint
 * (pending rows and partial matches come back from keyed state, their timers from the timer snapshot), and
 * the exactly-once output equals that of a run without the failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedRows, digest } from './support/job-process.js';
import { Session } from '../src/api/index.js';

test('MATCH_RECOGNIZE restarts from a checkpoint with its partial matches, output unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cep-restart-'));
  try {
    const udf = join(dir, 'fail-once.mjs');
    const marker = join(dir, 'failed-once');
    await writeFile(
      udf,
      `import { existsSync, writeFileSync } from 'node:fs';
       let seen = 0;
       export function failOnce(x) {
         if (++seen > 150000 && !existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); throw new Error('injected task failure'); }
         return x;
       }
       failOnce.returnType = 'BIGINT';`,
    );
    const script = (out: string): string => `
      CREATE TABLE gen (id BIGINT, v BIGINT, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH ('connector' = 'datagen', 'number-of-rows' = '400000', 'rows-per-second' = '1000000000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '400000', 'fields.v.min' = '1', 'fields.v.max' = '9');
      CREATE TABLE out_t (k BIGINT, a_ts TIMESTAMP_LTZ(3), c_ts TIMESTAMP_LTZ(3), nb BIGINT, sb BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      CREATE FUNCTION fail_once AS 'file:${udf}#failOnce' LANGUAGE JAVASCRIPT;
      CREATE VIEW g AS SELECT fail_once(MOD(id, 13)) AS k, v, ts FROM gen;
      INSERT INTO out_t SELECT k, a_ts, c_ts, nb, sb FROM g MATCH_RECOGNIZE (
        PARTITION BY k ORDER BY ts
        MEASURES A.ts AS a_ts, C.ts AS c_ts, COUNT(B.v) AS nb, SUM(B.v) AS sb
        AFTER MATCH SKIP TO NEXT ROW
        PATTERN (A B+ C) WITHIN INTERVAL '2' SECOND
        DEFINE B AS B.v > PREV(B.v), C AS C.v < FIRST(A.v));`;
    const run = async (out: string, config: Record<string, string>): Promise<number> => {
      const session = new Session({ config: { 'parallelism.default': '2', ...config }, warn: () => {} });
      let restarts = -1;
      for (const st of session.parse(script(out))) {
        const res = await session.execute(st);
        if (res.kind !== 'job') continue;
        restarts = (await res.handle.done).restarts;
      }
      return restarts;
    };
    await writeFile(marker, ''); // the reference run must not fail
    await run(join(dir, 'ref'), {});
    await rm(marker);
    const restarts = await run(join(dir, 'out'), {
      'execution.checkpointing.interval': '50 ms',
      'execution.checkpointing.dir': join(dir, 'chk'),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '10 ms',
      'restart-strategy.fixed-delay.attempts': '3',
    });
    assert.equal(restarts, 1, 'one restart');
    const expected = await committedRows(join(dir, 'ref'));
    const actual = await committedRows(join(dir, 'out'));
    assert.ok(expected.length > 1000, `matches found (${expected.length})`);
    assert.equal(digest(actual), digest(expected));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
