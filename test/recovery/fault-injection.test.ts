/**
 * Exactly-once under process crashes: a stateful Nexmark query writes to an exactly-once filesystem sink
 * (`debezium-json`, so updating queries too) while the test SIGKILLs its process at random moments (during
 * processing, snapshots and commits alike: checkpoints run every 50 ms), restarting it each time with
 * recovery (`--recover` semantics). The committed changelog, applied, must equal that of an uninterrupted
 * run without checkpoints: nothing lost, nothing duplicated.
 *
 * Run by `npm run test:fault` (CI runs it after `npm test`): q5, q7, q8, q15, q18 and q19. Updating queries
 * whose results depend on the arrival order of ties between parallel channels (q18 and q19 at parallelism
 * 2 differ between two uninterrupted runs too) run at parallelism 1.
 *
 * Kill moments are drawn relative to the job's own run time (measured by the reference run, counted from
 * job submission), so they land mid-processing whatever the machine's speed or load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedRows, completeCheckpoints, digest, random, reportedRunMs, runJobProcess } from '../support/job-process.js';

const KILLS = 20;

const ALL = [
  ['q5', 400_000, 2, 5],
  ['q7', 300_000, 1, 7],
  ['q8', 400_000, 2, 8],
  ['q15', 300_000, 1, 15],
  ['q18', 300_000, 1, 18],
  ['q19', 300_000, 1, 19],
] as const;
for (const [query, events, parallelism, seed] of ALL) {
  test(`exactly-once: nexmark ${query}, parallelism ${parallelism}, ${KILLS} SIGKILLs at random moments (seed ${seed})`, async () => {
    const root = await mkdtemp(join(tmpdir(), `floe-fault-${query}-`));
    try {
      const reference = await runJobProcess([query, String(events), join(root, 'reference'), String(parallelism), 'none'], null);
      assert.ok(reference.finished);
      const runMs = reportedRunMs(reference);
      assert.ok(runMs > 0, 'the reference run reports its run time');
      const expected = await committedRows(join(root, 'reference', 'data'));
      assert.ok(expected.length > 0, 'the query produced rows');

      const out = join(root, 'faulty');
      const args = [query, String(events), out, String(parallelism), '50 ms'];
      const next = random(seed);
      let kills = 0;
      let finishedEarly = 0;
      let killedAfterCheckpoint = 0;
      const seen: number[] = [];
      while (kills < KILLS) {
        // Anywhere in the first 60% of an uninterrupted run (a resumed run has less left to do).
        const run = await runJobProcess(args, Math.floor(next() * 0.6 * runMs));
        if (!run.finished) {
          kills++;
          seen.push((await committedRows(join(out, 'data'))).length);
          if ((await completeCheckpoints(out, query)).length > 0) killedAfterCheckpoint++;
          continue;
        }
        // The job completed before the kill: start over so every kill hits a running job.
        finishedEarly++;
        await rm(out, { recursive: true, force: true });
        if (finishedEarly > KILLS) assert.fail('the job keeps finishing before the kill: use more events');
      }
      const last = await runJobProcess(args, null);
      assert.ok(last.finished, 'the job completes after the last restart');
      const actual = await committedRows(join(out, 'data'));
      assert.equal(actual.length, expected.length, `row count after ${kills} kills (committed along the way: ${seen.join(', ')})`);
      assert.equal(digest(actual), digest(expected), 'committed rows equal the uninterrupted run');
      // Most kills must have hit a job that had completed checkpoints, i.e. the next run resumed mid-job.
      assert.ok(killedAfterCheckpoint >= KILLS / 2, `${killedAfterCheckpoint} of ${kills} kills came after a completed checkpoint`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}
