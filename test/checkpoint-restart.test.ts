/**
 * Restart strategies: a task failure inside the process restarts the job from its latest completed
 * checkpoint, and the exactly-once output equals that of a run without the failure. (Process crashes are
 * covered by test/recovery/, run with `npm run test:fault`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedRows, digest } from './support/job-process.js';
import { Session } from '../src/api/index.js';

test('a task failure restarts the job in-process from its latest checkpoint, output unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-restart-'));
  try {
    const udf = join(dir, 'fail-once.mjs');
    const marker = join(dir, 'failed-once');
    // Fails once, after 150k rows (so at least one checkpoint completed before), then never again.
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
      CREATE TABLE out_t (k BIGINT, n BIGINT, s BIGINT, w TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      CREATE FUNCTION fail_once AS 'file:${udf}#failOnce' LANGUAGE JAVASCRIPT;
      INSERT INTO out_t SELECT fail_once(v), COUNT(*), SUM(id), window_start
        FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY fail_once(v), window_start, window_end;`;
    const run = async (out: string, config: Record<string, string>): Promise<{ restarts: number; checkpoints: number }> => {
      const session = new Session({ config, warn: () => {} });
      let r = { restarts: -1, checkpoints: 0 };
      for (const st of session.parse(script(out))) {
        const res = await session.execute(st);
        if (res.kind !== 'job') continue;
        const done = await res.handle.done;
        r = { restarts: done.restarts, checkpoints: done.checkpoints.length };
      }
      return r;
    };
    await writeFile(marker, ''); // the reference run must not fail
    await run(join(dir, 'ref'), {});
    await rm(marker);
    const result = await run(join(dir, 'out'), {
      'execution.checkpointing.interval': '50 ms',
      'execution.checkpointing.dir': join(dir, 'chk'),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '10 ms',
      'restart-strategy.fixed-delay.attempts': '3',
    });
    assert.equal(result.restarts, 1, 'one restart');
    const expected = await committedRows(join(dir, 'ref'));
    const actual = await committedRows(join(dir, 'out'));
    assert.ok(expected.length > 0);
    assert.equal(digest(actual), digest(expected));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
