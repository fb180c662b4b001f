/**
 * Restart strategies: a task failure inside the process restarts the job from its latest completed
 * checkpoint, and the exactly-once output equals that of a run without the failure. (Process crashes are
 * covered by test/recovery/, run with `npm run test:fault`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digest } from './support/job-process.js';
import { runWithOneFailure } from './support/fail-once-run.js';

test('a task failure restarts the job in-process from its latest checkpoint, output unchanged', async () => {
  // Fails once, after 150k rows (so at least one checkpoint completed before), then never again.
  const { restarts, expected, actual } = await runWithOneFailure(
    (out) => `
      CREATE TABLE gen (id BIGINT, v BIGINT, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH ('connector' = 'datagen', 'number-of-rows' = '400000', 'rows-per-second' = '1000000000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '400000', 'fields.v.min' = '1', 'fields.v.max' = '9');
      CREATE TABLE out_t (k BIGINT, n BIGINT, s BIGINT, w TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      INSERT INTO out_t SELECT fail_once(v), COUNT(*), SUM(id), window_start
        FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY fail_once(v), window_start, window_end;`,
    { failAfter: 150_000 },
  );
  assert.equal(restarts, 1, 'one restart');
  assert.ok(expected.length > 0);
  assert.equal(digest(actual), digest(expected));
});
