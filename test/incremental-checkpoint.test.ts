/**
 * Incremental checkpoints of the heap backend (`execution.checkpointing.incremental`): a task failure
 * restores from a checkpoint made of a full snapshot plus deltas that live in earlier checkpoints'
 * folders, and the committed output equals a run without the failure. Retention keeps exactly the
 * folders that the retained checkpoints still reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digest } from './support/job-process.js';
import { runWithOneFailure } from './support/fail-once-run.js';

const INCREMENTAL = { 'execution.checkpointing.incremental': 'true', 'execution.checkpointing.num-retained': '2' };

/** The chk-<id> folders of the one job under `dir`, and the `references` each complete one lists. */
async function checkpointFolders(dir: string): Promise<{ folders: number[]; complete: Map<number, number[]> }> {
  const [job] = (await readdir(dir)).filter((name) => !name.startsWith('.'));
  const folders: number[] = [];
  const complete = new Map<number, number[]>();
  for (const name of await readdir(join(dir, job!))) {
    const m = /^chk-(\d+)$/.exec(name);
    if (m === null) continue;
    const id = Number(m[1]);
    // A local store leaves emptied directories behind: a folder counts when it still holds a file.
    if ((await readdir(join(dir, job!, name), { recursive: true, withFileTypes: true })).some((e) => e.isFile())) folders.push(id);
    const text = await readFile(join(dir, job!, name, '_metadata'), 'utf8').catch(() => null);
    if (text !== null) complete.set(id, (JSON.parse(text.slice(0, text.lastIndexOf('\n#crc32='))) as { references?: number[] }).references ?? []);
  }
  return { folders: folders.sort((a, b) => a - b), complete };
}

test('an updating aggregate over many keys restarts from incremental checkpoints with output unchanged', async () => {
  // The first 10k rows create 10k keys; the other 50k rows update only 100 of them. The source is paced
  // (10k rows/s) and the job is light, so several checkpoints complete in that second phase even on a
  // loaded machine: each changes at most a few hundred of 10k keys, so they are deltas.
  const { restarts, expected, actual, checkpoints, inspected } = await runWithOneFailure(
    (out) => `
      CREATE TABLE gen (id BIGINT, v BIGINT)
        WITH ('connector' = 'datagen', 'number-of-rows' = '60000', 'rows-per-second' = '10000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '60000', 'fields.v.min' = '1', 'fields.v.max' = '20000');
      CREATE TABLE out_t (k BIGINT, n BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'debezium-json');
      INSERT INTO out_t SELECT k, COUNT(*), SUM(v) FROM (SELECT fail_once(CASE WHEN id <= 10000 THEN id ELSE id % 100 END) AS k, v FROM gen) GROUP BY k;`,
    { failAfter: 50_000, config: INCREMENTAL, inspect: checkpointFolders },
  );
  assert.equal(restarts, 1, 'one restart');
  assert.ok(expected.length > 0);
  assert.equal(digest(actual), digest(expected));
  const deltas = checkpoints.filter((c) => c.fullSizeBytes > c.sizeBytes);
  assert.ok(deltas.length > 0, `some checkpoints were incremental (${JSON.stringify(checkpoints.map((c) => [c.durationMs, c.sizeBytes, c.fullSizeBytes]))})`);

  // Retention: the two newest complete checkpoints, plus the folders they reference; nothing else.
  const { folders, complete } = inspected as Awaited<ReturnType<typeof checkpointFolders>>;
  assert.equal(complete.size, 2, `two complete checkpoints retained (folders ${folders.join(', ')})`);
  const needed = new Set<number>();
  for (const [id, refs] of complete) {
    needed.add(id);
    for (const r of refs) needed.add(r);
  }
  assert.deepEqual(folders, [...needed].sort((a, b) => a - b));
});

test('a join keeping map state per key restarts with incremental checkpointing on, output unchanged', async () => {
  // The join is slower than the aggregate, so few checkpoints complete here and they may all be full;
  // deltas of map state are covered by src/state/heap-incremental-snapshot.test.ts.
  const { restarts, expected, actual } = await runWithOneFailure(
    (out) => `
      CREATE TABLE a (id BIGINT, x BIGINT)
        WITH ('connector' = 'datagen', 'number-of-rows' = '200000', 'rows-per-second' = '100000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '200000', 'fields.x.min' = '1', 'fields.x.max' = '50');
      CREATE TABLE b (id BIGINT, y BIGINT)
        WITH ('connector' = 'datagen', 'number-of-rows' = '200000', 'rows-per-second' = '100000',
              'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '200000', 'fields.y.min' = '1', 'fields.y.max' = '50');
      CREATE TABLE out_t (k BIGINT, x BIGINT, y BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      INSERT INTO out_t SELECT a.id / 4, a.x, b.y FROM a JOIN b ON fail_once(a.id / 4) = b.id / 4 AND a.x < b.y - 40;`,
    { failAfter: 150_000, config: INCREMENTAL },
  );
  assert.equal(restarts, 1, 'one restart');
  assert.ok(expected.length > 0);
  assert.equal(digest(actual), digest(expected));
});
