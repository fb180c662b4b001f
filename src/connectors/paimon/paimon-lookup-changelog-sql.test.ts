/**
 * SQL end to end for `changelog-producer` = `lookup`: a streaming INSERT (two inputs, each filling its
 * own columns of a `partial-update` table, checkpoints every few milliseconds) writes the table; a
 * streaming SELECT then follows its changelog files, and the changelog it collects, folded (every -U/-D
 * checked against the row it retracts), equals the batch read of the table.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type StatementResult } from '../../api/index.js';
import { RowKind, getRow, rowKindAt } from '../../types/index.js';

async function runAll(s: Session, sql: string): Promise<void> {
  for (const st of s.parse(sql)) {
    const r = await s.execute(st);
    if (r.kind === 'job') await r.handle.done;
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sortRows = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

describe("paimon changelog-producer 'lookup' through SQL", () => {
  it('streaming INSERT into a partial-update table, then a streaming read: the folded changelog equals the batch read', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lookup-changelog-'));
    try {
      const wh = join(root, 'wh');
      const catalog = `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}')`;
      const w = new Session({
        warn: () => {},
        config: { 'execution.runtime-mode': 'streaming', 'parallelism.default': '2', 'execution.checkpointing.interval': '20 ms', 'execution.checkpointing.dir': join(root, 'chk') },
      });
      await runAll(
        w,
        `${catalog};
         CREATE TABLE lake.\`default\`.wide (k BIGINT, dt STRING, name STRING, price BIGINT, PRIMARY KEY (k, dt) NOT ENFORCED)
           PARTITIONED BY (dt) WITH ('bucket' = '3', 'merge-engine' = 'partial-update', 'changelog-producer' = 'lookup');
         CREATE TEMPORARY TABLE names (v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '30000', 'rows-per-second' = '20000', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '30000');
         CREATE TEMPORARY TABLE prices (v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '20000', 'rows-per-second' = '20000', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '20000');
         INSERT INTO lake.\`default\`.wide
           SELECT CAST(v % 101 AS BIGINT), CASE WHEN v % 2 = 0 THEN 'even' ELSE 'odd' END, CONCAT('n', CAST(v AS STRING)), CAST(NULL AS BIGINT) FROM names
           UNION ALL
           SELECT CAST(v % 131 AS BIGINT), CASE WHEN v % 2 = 0 THEN 'even' ELSE 'odd' END, CAST(NULL AS STRING), v * 10 FROM prices`,
      );

      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(b, catalog);
      const expected = await b.query<Record<string, unknown>>('SELECT k, dt, name, price FROM lake.`default`.wide');
      assert.ok(expected.length > 150, `rows: ${expected.length}`);
      const snaps = await b.query<{ commit_kind: string; changelog_record_count: number | null }>('SELECT commit_kind, changelog_record_count FROM lake.`default`.`wide$snapshots`');
      const withChangelog = snaps.filter((s) => (s.changelog_record_count ?? 0) > 0);
      assert.ok(withChangelog.length >= 2, `several commits wrote a changelog: ${JSON.stringify(snaps)}`);
      assert.ok(withChangelog.every((s) => s.commit_kind === 'COMPACT'), 'the lookup changelog comes with the compaction');

      // Follow the table from its first snapshot: every change comes from the changelog files.
      const r = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'streaming' } });
      await runAll(r, catalog);
      const q = await r.execute(
        r.parse("SELECT k, dt, name, price FROM lake.`default`.wide /*+ OPTIONS('scan.mode' = 'from-snapshot', 'scan.snapshot-id' = '1', 'continuous.discovery-interval' = '10 ms') */")[0]!,
      );
      assert.equal(q.kind, 'query');
      const { batches, handle, resultType } = (q as Extract<StatementResult, { kind: 'query' }>).query;
      const state = new Map<string, unknown[]>();
      let updates = 0;
      let problem: string | undefined;
      const consume = (async () => {
        for await (const batch of batches) {
          for (let i = 0; i < batch.numRows; i++) {
            const row = getRow(batch, i, resultType);
            const key = `${String(row[0])}/${String(row[1])}`;
            const kind = rowKindAt(batch, i);
            if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
              if (kind === RowKind.INSERT && state.has(key)) problem ??= `+I of present key ${key}`;
              if (kind === RowKind.UPDATE_AFTER) updates++;
              state.set(key, row);
            } else {
              if (JSON.stringify(state.get(key)) !== JSON.stringify(row)) problem ??= `retraction ${JSON.stringify(row)} of ${JSON.stringify(state.get(key))}`;
              state.delete(key);
            }
          }
        }
      })();
      const want = sortRows(expected.map((e) => [e['k'], e['dt'], e['name'], e['price']]));
      await waitFor('the folded changelog to reach the table', () => problem !== undefined || JSON.stringify(sortRows([...state.values()])) === JSON.stringify(want));
      await handle.cancel();
      await consume;
      assert.equal(problem, undefined);
      assert.deepEqual(sortRows([...state.values()]), want);
      assert.ok(updates > 0, 'keys written by both inputs across commits were updated (-U/+U)');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
