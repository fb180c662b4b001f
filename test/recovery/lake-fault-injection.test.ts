/**
 * Issue 7's streaming lakehouse pipeline under process crashes (test/support/lake-pipeline.ts): Nexmark →
 * Paimon partial-update table (writers + one committer, snapshots tied to checkpoints) → streaming read
 * → aggregation → exactly-once filesystem sink, all in one process that the test SIGKILLs at random
 * moments and restarts with recovery (`--recover` semantics, test/support/lake-pipeline-job.ts). In the
 * end the sink's committed changelog, applied, must equal the batch query over the same events (DuckDB),
 * and the lake table must hold exactly the joined rows: nothing lost, nothing duplicated, in the table or
 * downstream of its streaming read.
 *
 * Run by `npm run test:fault` (about a minute).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from '../../src/api/index.js';
import { committedRows, completeCheckpoints, random, runScriptProcess } from '../support/job-process.js';
import { canonicalRows, lakeOracle, lakePipeline } from '../support/lake-pipeline.js';

const CHILD = fileURLToPath(new URL('../support/lake-pipeline-job.ts', import.meta.url));
const KILLS = 8;
const EVENTS = 40_000;
const TPS = 10_000;
const SEED = Number(process.env["FLOE_LAKE_FAULT_SEED"] ?? 7);

test(`exactly-once: Nexmark → Paimon partial-update table → streaming read → aggregation, ${KILLS} SIGKILLs at random moments (seed ${SEED})`, async () => {
  const root = await mkdtemp(join(tmpdir(), 'floe-fault-lake-'));
  try {
    const out = join(root, 'run');
    const args = [out, String(EVENTS), String(TPS)];
    const next = random(SEED);
    // The writing job alone runs EVENTS / TPS seconds; kills land anywhere in the first 1.5× of that.
    const spanMs = (EVENTS / TPS) * 1500;
    let kills = 0;
    let finishedEarly = 0;
    const committedAtKill: number[] = [];
    let killedAfterCheckpoint = 0;
    while (kills < KILLS) {
      const run = await runScriptProcess(CHILD, args, Math.floor(next() * spanMs));
      if (!run.finished) {
        kills++;
        committedAtKill.push((await committedRows(join(out, 'data'))).length);
        if ((await completeCheckpoints(out, 'lake-write')).length > 0 || (await completeCheckpoints(out, 'lake-read')).length > 0) killedAfterCheckpoint++;
        continue;
      }
      // The pipeline completed before the kill: start over so that every kill hits a running pipeline.
      finishedEarly++;
      await rm(out, { recursive: true, force: true });
      if (finishedEarly > KILLS) assert.fail('the pipeline keeps finishing before the kill');
    }
    const last = await runScriptProcess(CHILD, args, null);
    assert.ok(last.finished, 'the pipeline completes after the last restart');
    // Most kills must have hit jobs with completed checkpoints, i.e. the next run resumed them mid-way.
    assert.ok(killedAfterCheckpoint >= KILLS / 2, `${killedAfterCheckpoint} of ${kills} kills came after a completed checkpoint`);

    const p = lakePipeline(join(out, 'warehouse'), out, EVENTS, TPS);
    const expected = await lakeOracle(p);
    const actual = canonicalRows((await committedRows(join(out, 'data'))).map((r) => JSON.parse(r) as Record<string, unknown>));
    assert.deepEqual(actual, expected, `committed along the way: ${committedAtKill.join(', ')}`);

    const batch = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
    for (const st of batch.parse(p.ddl, p.vars)) await batch.execute(st);
    const table = await batch.query<{ n: number; d: number; w: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, COUNT(max_price) AS w FROM lake.nx.auction_bids WHERE id >= 0');
    const parsed = expected.map((r) => JSON.parse(r) as { auctions: number; with_bids: number });
    const rows = parsed.reduce((a, r) => a + r.auctions, 0);
    assert.deepEqual(table, [{ n: rows, d: rows, w: parsed.reduce((a, r) => a + r.with_bids, 0) }]);
    const restored = await batch.query<{ n: number }>('SELECT COUNT(DISTINCT commit_user) AS n FROM lake.nx.`auction_bids$snapshots` WHERE commit_kind = \'APPEND\'');
    assert.ok(restored[0]!.n <= 3, `commit users are restored from checkpoints (${restored[0]!.n})`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
