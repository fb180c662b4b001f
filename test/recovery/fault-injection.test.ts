/**
 * Exactly-once under process crashes: a stateful Nexmark query writes to an exactly-once filesystem sink
 * (`debezium-json`, so updating queries too) while the test SIGKILLs its process at random moments (during
 * processing, snapshots and commits alike: checkpoints run every 50 ms), restarting it each time with
 * recovery (`--recover` semantics). The committed changelog, applied, must equal that of an uninterrupted
 * run without checkpoints: nothing lost, nothing duplicated.
 *
 * Run by `npm run test:fault` (CI runs it after `npm test`): q5, q7, q8, q15, q18 and q19; q5, q8 and q18
 * with incremental heap checkpoints (deltas on top of files in earlier checkpoints' folders), q7 and q19
 * on the lsm state backend, q15 with full heap checkpoints. Updating queries
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
import { committedRows, completeCheckpoints, digest, random, reportedRunMs, runJobProcess, unreferencedSstFiles } from '../support/job-process.js';

const KILLS = 20;

/**
 * [query, events, parallelism, seed, state]: `heap` with full checkpoints, `heap-incremental`
 * (execution.checkpointing.incremental) or `lsm` (state.backend.type; SST files are the checkpoint).
 */
type StateSetup = 'heap' | 'heap-incremental' | 'lsm';
const ALL: readonly (readonly [string, number, number, number, StateSetup])[] = [
  ['q5', 400_000, 2, 5, 'heap-incremental'],
  ['q7', 300_000, 1, 7, 'lsm'],
  ['q8', 400_000, 2, 8, 'heap-incremental'],
  ['q15', 300_000, 1, 15, 'heap'],
  ['q18', 300_000, 1, 18, 'heap-incremental'],
  ['q19', 300_000, 1, 19, 'lsm'],
];
const checkpointEnv = (state: StateSetup): Record<string, string> =>
  state === 'heap-incremental' ? { FLOE_CHECKPOINT_INCREMENTAL: 'true' } : state === 'lsm' ? { FLOE_STATE_BACKEND: 'lsm' } : {};
const kind = (state: StateSetup): string => (state === 'heap' ? 'heap, full checkpoints' : state === 'heap-incremental' ? 'heap, incremental checkpoints' : 'lsm state');

for (const [query, events, parallelism, seed, state] of ALL) {
  test(`exactly-once: nexmark ${query}, parallelism ${parallelism}, ${kind(state)}, ${KILLS} SIGKILLs at random moments (seed ${seed})`, async () => {
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
        // One kill in four anywhere in the first 60% of an uninterrupted run (start-up, first checkpoint);
        // the others at a random moment after the run completed a new checkpoint, so that it resumes mid-job.
        const known = (await completeCheckpoints(out, query)).at(-1) ?? 0;
        const afterCheckpoint = kills % 4 !== 0;
        const run = afterCheckpoint
          ? await runJobProcess(args, Math.floor(next() * 0.3 * runMs), async () => ((await completeCheckpoints(out, query)).at(-1) ?? 0) > known, checkpointEnv(state))
          : await runJobProcess(args, Math.floor(next() * 0.6 * runMs), undefined, checkpointEnv(state));
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
      const last = await runJobProcess(args, null, undefined, checkpointEnv(state));
      assert.ok(last.finished, 'the job completes after the last restart');
      const actual = await committedRows(join(out, 'data'));
      const inExpected = new Set(expected);
      const inActual = new Set(actual);
      const diff = `extra: ${JSON.stringify(actual.filter((r) => !inExpected.has(r)).slice(0, 5))}; missing: ${JSON.stringify(expected.filter((r) => !inActual.has(r)).slice(0, 5))}`;
      assert.equal(actual.length, expected.length, `row count after ${kills} kills (committed along the way: ${seen.join(', ')}); ${diff}`);
      assert.equal(digest(actual), digest(expected), `committed rows equal the uninterrupted run; ${diff}`);
      // Most kills must have hit a job that had completed checkpoints, i.e. the next run resumed mid-job.
      assert.ok(killedAfterCheckpoint >= KILLS / 2, `${killedAfterCheckpoint} of ${kills} kills came after a completed checkpoint`);
      if (state === 'lsm') {
        // The killed processes' SST files, and the files restored from, were collected (src/runtime/lsm-garbage.ts).
        const sst = await unreferencedSstFiles(join(out, 'checkpoints'), query);
        assert.deepEqual(sst.unreferenced, [], `after ${kills} kills, every SST file left (${sst.files}) is listed by a retained checkpoint`);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

/**
 * In-process task failures: the same queries at parallelism 1 (the source runs in the job process's own
 * thread, where the injector patches it), 20 failures thrown from the source at random batches, each
 * restarting the job from its latest checkpoint through the restart strategy, never leaving the process.
 */
for (const [query, events, , seed, state] of ALL) {
  test(`exactly-once: nexmark ${query}, ${kind(state)}, 20 in-process task failures with restart-strategy fixed-delay (seed ${seed})`, async () => {
    const root = await mkdtemp(join(tmpdir(), `floe-restart-${query}-`));
    try {
      await runJobProcess([query, String(events), join(root, 'reference'), '1', 'none'], null);
      const expected = await committedRows(join(root, 'reference', 'data'));
      const run = await runJobProcess([query, String(events), join(root, 'faulty'), '1', '50 ms'], null, undefined, {
        FLOE_INJECT_FAILURES: String(KILLS),
        FLOE_INJECT_SEED: String(seed),
        ...checkpointEnv(state),
      });
      assert.ok(run.finished, run.stderr);
      const restarts = Number(/restarts=(\d+)/.exec(run.stdout)?.[1] ?? -1);
      assert.ok(restarts >= KILLS / 2, `the job restarted ${restarts} times (failures injected at random batches)`);
      const actual = await committedRows(join(root, 'faulty', 'data'));
      assert.equal(actual.length, expected.length);
      assert.equal(digest(actual), digest(expected), 'committed rows equal the uninterrupted run');
      if (state === 'lsm') {
        const sst = await unreferencedSstFiles(join(root, 'faulty', 'checkpoints'), query);
        assert.deepEqual(sst.unreferenced, [], `after ${restarts} restarts, every SST file left is listed by a retained checkpoint`);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}
