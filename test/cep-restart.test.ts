/**
 * MATCH_RECOGNIZE across a failure: a task failure mid-stream restarts the job from its latest checkpoint
 * (pending rows and partial matches come back from keyed state, their timers from the timer snapshot), and
 * the exactly-once output equals that of a run without the failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digest } from './support/job-process.js';
import { runWithOneFailure } from './support/fail-once-run.js';

test('MATCH_RECOGNIZE restarts from a checkpoint with its partial matches, output unchanged', async () => {
  const { restarts, expected, actual } = await runWithOneFailure(
    (out) => `
      CREATE TABLE gen (id BIGINT, v BIGINT, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH ('connector' = 'datagen', 'number-of-rows' = '400000', 'rows-per-second' = '1000000000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '400000', 'fields.v.min' = '1', 'fields.v.max' = '9');
      CREATE TABLE out_t (k BIGINT, a_ts TIMESTAMP_LTZ(3), c_ts TIMESTAMP_LTZ(3), nb BIGINT, sb BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      CREATE VIEW g AS SELECT fail_once(MOD(id, 13)) AS k, v, ts FROM gen;
      INSERT INTO out_t SELECT k, a_ts, c_ts, nb, sb FROM g MATCH_RECOGNIZE (
        PARTITION BY k ORDER BY ts
        MEASURES A.ts AS a_ts, C.ts AS c_ts, COUNT(B.v) AS nb, SUM(B.v) AS sb
        AFTER MATCH SKIP TO NEXT ROW
        PATTERN (A B+ C) WITHIN INTERVAL '2' SECOND
        DEFINE B AS B.v > PREV(B.v), C AS C.v < FIRST(A.v));`,
    { failAfter: 150_000, config: { 'parallelism.default': '2' } },
  );
  assert.equal(restarts, 1, 'one restart');
  assert.ok(expected.length > 1000, `matches found (${expected.length})`);
  assert.equal(digest(actual), digest(expected));
});
