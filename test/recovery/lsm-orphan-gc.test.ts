/**
 * Orphaned lsm SST files (src/runtime/lsm-garbage.ts): a job on the lsm backend whose process is
 * SIGKILLed several times after completed checkpoints, each time recovered from its latest checkpoint,
 * leaves no SST file that no retained checkpoint lists once it finished, and its result equals an
 * uninterrupted run. Without the collection every killed process leaves its unreferenced files (its
 * memtable flushes and compaction outputs since the last checkpoint) and every restored backend keeps
 * the files it inherited forever.
 *
 * Lean version of the lsm cases in test/recovery/fault-injection.test.ts (20 kills each, `npm run
 * test:fault`), which assert the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedRows, completeCheckpoints, digest, random, runJobProcess, unreferencedSstFiles } from '../support/job-process.js';

const QUERY = 'q7';
const EVENTS = 40_000;
const KILLS = 3;
const LSM = { FLOE_STATE_BACKEND: 'lsm' };

test(`lsm: ${KILLS} SIGKILLs after checkpoints leave no SST file that no retained checkpoint lists, and the result is exact (nexmark ${QUERY})`, async () => {
  const root = await mkdtemp(join(tmpdir(), 'floe-lsm-gc-'));
  try {
    const reference = await runJobProcess([QUERY, String(EVENTS), join(root, 'reference'), '1', 'none'], null, undefined, LSM);
    assert.ok(reference.finished);
    const expected = await committedRows(join(root, 'reference', 'data'));
    assert.ok(expected.length > 0);

    const out = join(root, 'faulty');
    const args = [QUERY, String(EVENTS), out, '1', '50 ms'];
    const next = random(71);
    let kills = 0;
    let orphansSeen = 0;
    while (kills < KILLS) {
      const known = (await completeCheckpoints(out, QUERY)).at(-1) ?? 0;
      // Killed soon after a new checkpoint completed: the process leaves files written since.
      const run = await runJobProcess(args, 20 + Math.floor(next() * 150), async () => ((await completeCheckpoints(out, QUERY)).at(-1) ?? 0) > known, LSM);
      if (run.finished) {
        await rm(out, { recursive: true, force: true });
        continue;
      }
      kills++;
      orphansSeen += (await unreferencedSstFiles(join(out, 'checkpoints'), QUERY)).unreferenced.length;
    }
    // A planted orphan in a dead attempt's folder, as a crashed process of an older run would leave.
    const planted = join(out, 'checkpoints', QUERY, 'lsm', 'node-9-0', 'kg-0-127-deadbeef');
    await mkdir(planted, { recursive: true });
    await writeFile(join(planted, '000001.sst'), 'not referenced');
    const last = await runJobProcess(args, null, undefined, LSM);
    assert.ok(last.finished, 'the job completes after the last restart');
    const actual = await committedRows(join(out, 'data'));
    assert.equal(actual.length, expected.length);
    assert.equal(digest(actual), digest(expected), 'committed rows equal the uninterrupted run');
    // (The retained checkpoints may list no file at all: q7's state is empty once every window fired.)
    const sst = await unreferencedSstFiles(join(out, 'checkpoints'), QUERY);
    // The planted file guarantees the collection had work; the kills usually leave more (counted here).
    assert.deepEqual(sst.unreferenced, [], `every SST file left (${sst.files}) is listed by a retained checkpoint (${orphansSeen} unreferenced files seen after the kills)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
