/**
 * Checkpoint recovery beyond plain crashes (the crash loop itself is in fault-injection.test.ts):
 * - restore into a changed parallelism, 1 → 2 → 1, with output equal to an uninterrupted run;
 * - a query change that moves stateful operators fails with an error naming the operator;
 * - a corrupted latest checkpoint is skipped with a warning saying why, and the previous one is used;
 * - Ctrl-C stops `floe run` with a savepoint, and `--from-savepoint` resumes it.
 * (The in-process restart after a task failure is in test/checkpoint-restart.test.ts, part of `npm test`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { committedRows, completeCheckpoints, completeCheckpointsIn, digest, runJobProcess } from '../support/job-process.js';

async function withDir(name: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `floe-${name}-`));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs and kills the job until it was killed after `count` more checkpoints completed. */
async function runUntilCheckpointed(args: readonly string[], out: string, count = 1): Promise<number[]> {
  const job = args[5] ?? args[0]!;
  const before = (await completeCheckpoints(out, job)).at(-1) ?? 0;
  for (let delay = 300; ; delay += 300) {
    const run = await runJobProcess(args, delay);
    assert.ok(!run.finished, 'the job was killed before it finished (use more events)');
    const ids = await completeCheckpoints(out, job);
    if (ids.filter((id) => id > before).length >= count) return ids;
  }
}

test('a checkpoint restores into parallelism 2 and back into 1 with exactly the uninterrupted output', async () => {
  await withDir('rescale', async (dir) => {
    const events = '600000';
    await runJobProcess(['q8', events, join(dir, 'ref'), '1', 'none'], null);
    const expected = await committedRows(join(dir, 'ref', 'data'));
    const out = join(dir, 'run');
    await runUntilCheckpointed(['q8', events, out, '1', '100 ms'], out);
    // Parallelism 2 from the parallelism-1 checkpoint, killed again after it checkpointed at 2 …
    await runUntilCheckpointed(['q8', events, out, '2', '100 ms'], out);
    // … and back to 1 to the end.
    const last = await runJobProcess(['q8', events, out, '1', '100 ms'], null);
    assert.ok(last.finished);
    assert.match(last.stdout, /done \d+/, 'the last run restored from a checkpoint');
    const actual = await committedRows(join(out, 'data'));
    assert.equal(actual.length, expected.length);
    assert.equal(digest(actual), digest(expected));
  });
});

test('restoring a checkpoint into a changed query names the operator whose state cannot be mapped', async () => {
  await withDir('incompatible', async (dir) => {
    const out = join(dir, 'run');
    await runUntilCheckpointed(['q8', '600000', out, '1', '100 ms'], out);
    // q7 under q8's pipeline name: recovery finds q8's checkpoint.
    await assert.rejects(runJobProcess(['q7', '600000', out, '1', '100 ms', 'q8'], null), (e: Error) => {
      assert.match(e.message, /CHECKPOINT\.INCOMPATIBLE|holds state of operator/);
      assert.match(e.message, /WindowAggregate|WindowJoin|TableSourceScan/);
      return true;
    });
  });
});

test('a corrupted latest checkpoint is skipped with a warning and the previous one is used', async () => {
  await withDir('corrupt', async (dir) => {
    const out = join(dir, 'run');
    const args = ['q8', '600000', out, '1', '100 ms'];
    // Two retained checkpoints (the job keeps 2): run until there are two.
    const ids = await runUntilCheckpointed(args, out, 2);
    const newest = `chk-${ids.at(-1)!}`;
    const previous = `chk-${ids.at(-2)!}`;
    const states = (await readdir(join(out, 'checkpoints', 'q8', newest))).filter((f) => f.endsWith('.state'));
    // Flip the content of one state file (same size): only its checksum can tell.
    await writeFile(join(out, 'checkpoints', 'q8', newest, states[0]!), Buffer.alloc(8, 7));
    await truncate(join(out, 'checkpoints', 'q8', newest, states[0]!), 8);
    const run = await runJobProcess(args, null);
    assert.ok(run.finished);
    assert.match(run.stderr, new RegExp(`skipping checkpoint ${newest.slice(4)} of job 'q8': .*(checksum|bytes|truncated)`));
    assert.match(run.stdout, new RegExp(`done ${previous.slice(4)} `), `restored from the previous checkpoint ${previous}`);
  });
});

test('Ctrl-C stops `floe run` with a savepoint; --from-savepoint resumes to exactly the uninterrupted output', async () => {
  await withDir('savepoint', async (dir) => {
    const script = (out: string): string => `
      SET 'pipeline.name' = 'sp';
      CREATE TABLE gen (id BIGINT, v BIGINT, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH ('connector' = 'datagen', 'number-of-rows' = '3000000', 'rows-per-second' = '400000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3000000', 'fields.v.min' = '1', 'fields.v.max' = '9');
      CREATE TABLE out_t (k BIGINT, n BIGINT, s BIGINT, w TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      INSERT INTO out_t SELECT v, COUNT(*), SUM(id), window_start
        FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY v, window_start, window_end;`;
    await writeFile(join(dir, 'ref.sql'), script(join(dir, 'ref')));
    await writeFile(join(dir, 'job.sql'), script(join(dir, 'out')));
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    /** Runs `floe run`; with `interrupt`, sends SIGINT once the job completed its second checkpoint (mid-run). */
    const cli = (args: string[], interrupt: boolean): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', main, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let exited = false;
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const poll = async (): Promise<void> => {
          while (!exited) {
            if (((await completeCheckpointsIn(join(dir, 'chk', 'sp'))).at(-1) ?? 0) >= 2) {
              child.kill('SIGINT');
              return;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        };
        if (interrupt) void poll();
        child.on('exit', (code) => {
          exited = true;
          resolve({ code, stderr });
        });
      });
    const ref = await cli([join(dir, 'ref.sql')], false);
    assert.equal(ref.code, 0, ref.stderr);
    const chk = ['-D', 'execution.checkpointing.interval=500 ms', '-D', `execution.checkpointing.dir=${join(dir, 'chk')}`];
    // The job takes about 7 s of its rate limit; it is interrupted after its second checkpoint.
    const stopped = await cli([join(dir, 'job.sql'), ...chk], true);
    assert.equal(stopped.code, 0, stopped.stderr);
    const m = /savepoint: (\S+)/.exec(stopped.stderr);
    assert.ok(m, `the savepoint path is printed:\n${stopped.stderr}`);
    const resumed = await cli([join(dir, 'job.sql'), ...chk, '--from-savepoint', m[1]!], false);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /restored from checkpoint \d+/);
    const expected = await committedRows(join(dir, 'ref'));
    const actual = await committedRows(join(dir, 'out'));
    assert.ok(expected.length > 0);
    assert.equal(digest(actual), digest(expected));
  });
});
