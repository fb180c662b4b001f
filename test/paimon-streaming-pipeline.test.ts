/**
 * Issue 7 end to end: Nexmark → Paimon primary-key table (partial-update in place of a join) → streaming
 * read → aggregation into an exactly-once filesystem sink, with the reading job running while the table
 * is written, equals the batch query over the same events (test/support/lake-pipeline.ts). The crash
 * version (SIGKILLs with recovery) is test/recovery/lake-fault-injection.test.ts (`npm run test:fault`).
 *
 * Also: the sink topology at parallelism 2 (bucket-owning writers, one committer, one snapshot per
 * checkpoint) and a streaming SELECT that follows a table's new snapshots.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type StatementResult } from '../src/api/index.js';
import { ROW_KIND_SHORT, getRow, rowKindAt } from '../src/types/index.js';
import { committedRows } from './support/job-process.js';
import { canonicalRows, lakeOracle, lakePipeline, sawSentinel } from './support/lake-pipeline.js';
import { runSql as runAll, startJob as start, waitFor } from './support/sql-session.js';

describe('Paimon streaming pipeline', () => {
  it('Nexmark → partial-update table → streaming read → aggregation equals the batch query (while the table is written)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lake-pipeline-'));
    try {
      const events = 20_000;
      const p = lakePipeline(join(root, 'warehouse'), join(root, 'out'), events, 20_000);
      const s = new Session({
        warn: () => {},
        config: { 'execution.runtime-mode': 'streaming', 'execution.checkpointing.interval': '100 ms', 'execution.checkpointing.dir': join(root, 'checkpoints') },
      });
      await runAll(s, p.ddl, p.vars);
      const reader = await start(s, p.read, p.vars);
      await runAll(s, p.write, p.vars);
      await runAll(s, p.end, p.vars);
      await waitFor('the sentinel in the sink', async () => sawSentinel(await committedRows(join(root, 'out', 'data'))));
      await reader.handle.cancel();
      const actual = canonicalRows((await committedRows(join(root, 'out', 'data'))).map((r) => JSON.parse(r) as Record<string, unknown>));

      const expected = await lakeOracle(p);
      assert.ok(expected.length > 3, 'several categories');
      assert.deepEqual(actual, expected);
      // The reader followed the table through several commits (one snapshot per writer checkpoint).
      const batch = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(batch, p.ddl, p.vars);
      const snaps = await batch.query<{ n: number }>('SELECT COUNT(*) AS n FROM lake.nx.`auction_bids$snapshots`');
      assert.ok(snaps[0]!.n >= 3, `snapshots: ${snaps[0]!.n}`);
      // The table itself holds the join it replaces: one row per auction or bid auction.
      const table = await batch.query<{ n: number; w: number }>('SELECT COUNT(*) AS n, COUNT(max_price) AS w FROM lake.nx.auction_bids WHERE id >= 0');
      const parsed = expected.map((r) => JSON.parse(r) as { auctions: number; with_bids: number });
      assert.deepEqual(table, [{ n: parsed.reduce((a, r) => a + r.auctions, 0), w: parsed.reduce((a, r) => a + r.with_bids, 0) }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('parallelism 2 with checkpoints: bucket-owning writers and one committer make one snapshot per checkpoint', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lake-sink-'));
    try {
      const s = new Session({
        warn: () => {},
        config: { 'execution.runtime-mode': 'streaming', 'parallelism.default': '2', 'execution.checkpointing.interval': '50 ms', 'execution.checkpointing.dir': join(root, 'chk') },
      });
      await runAll(
        s,
        `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${join(root, 'wh')}');
         CREATE TABLE lake.\`default\`.counts (k BIGINT, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '3');
         CREATE TEMPORARY TABLE gen (v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '30000', 'rows-per-second' = '60000', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '30000')`,
      );
      const explain = await s.execute(s.parse('EXPLAIN INSERT INTO lake.`default`.counts SELECT CAST(v % 97 AS BIGINT), COUNT(*) FROM gen GROUP BY CAST(v % 97 AS BIGINT)')[0]!);
      assert.equal(explain.kind, 'explain');
      const text = (explain as { text: string }).text;
      assert.match(text, /LakeCommitter/);
      assert.match(text, /LakeWriter/);
      assert.match(text, /LakeBucketAssign/);
      // Updates of the same keys at every checkpoint: the latest count per key must win in every bucket.
      await runAll(s, 'INSERT INTO lake.`default`.counts SELECT CAST(v % 97 AS BIGINT), COUNT(*) FROM gen GROUP BY CAST(v % 97 AS BIGINT)');
      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(b, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${join(root, 'wh')}')`);
      const rows = await b.query<{ k: number; n: number }>('SELECT k, n FROM lake.`default`.counts');
      assert.equal(rows.length, 97);
      assert.equal(rows.reduce((a, r) => a + r.n, 0), 30000);
      const snaps = await b.query<{ commit_user: string; commit_identifier: number; commit_kind: string }>('SELECT commit_user, commit_identifier, commit_kind FROM lake.`default`.`counts$snapshots`');
      const appends = snaps.filter((r) => r.commit_kind === 'APPEND');
      assert.ok(appends.length >= 2, JSON.stringify(snaps));
      assert.equal(new Set(appends.map((r) => r.commit_user)).size, 1, 'one committer');
      const ids = appends.map((r) => r.commit_identifier);
      assert.deepEqual(ids, [...new Set(ids)].sort((x, y) => x - y), 'one snapshot per checkpoint id, in order');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a streaming SELECT follows the table: the full snapshot, then the changes of each new commit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lake-select-'));
    try {
      const wh = join(root, 'wh');
      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(b, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}');
        CREATE TABLE lake.\`default\`.kv (k BIGINT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2');
        INSERT INTO lake.\`default\`.kv VALUES (1, 'a'), (2, 'b')`);
      const s = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'streaming' } });
      await runAll(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}')`);
      const q = await s.execute(s.parse("SELECT k, v FROM lake.`default`.kv /*+ OPTIONS('continuous.discovery-interval' = '10 ms') */ WHERE k < 10")[0]!);
      assert.equal(q.kind, 'query');
      const { batches, handle, resultType, changelogMode } = (q as Extract<StatementResult, { kind: 'query' }>).query;
      assert.equal(changelogMode.kind, 'retract');
      const seen: string[] = [];
      const consume = (async () => {
        for await (const batch of batches) {
          for (let r = 0; r < batch.numRows; r++) seen.push(`${ROW_KIND_SHORT[rowKindAt(batch, r)]}${JSON.stringify(getRow(batch, r, resultType))}`);
        }
      })();
      await waitFor('the full snapshot', async () => seen.length >= 2);
      assert.deepEqual(seen.slice().sort(), ['+I[1,"a"]', '+I[2,"b"]']);
      await runAll(b, "INSERT INTO lake.`default`.kv VALUES (1, 'A'), (3, 'c'), (11, 'filtered')");
      await waitFor('the changes', async () => seen.length >= 5);
      await handle.cancel();
      await consume;
      assert.deepEqual(seen.slice(2).sort(), ['+I[3,"c"]', '+U[1,"A"]', '-U[1,"a"]']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
