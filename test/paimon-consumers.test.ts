/**
 * Consumer ids of streaming Paimon reads, through SQL: a job records how far all its readers got on
 * every completed checkpoint, a new job with the same consumer id goes on from there (not from its
 * `scan.mode`), `t$consumers` shows them, `sys.reset_consumer` / `sys.clear_consumers` change them, and
 * the sink's expiration after each commit keeps what a consumer has not read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../src/api/index.js';
import { paimonSource } from '../src/connectors/paimon/paimon-source.js';
import type { ConnectorContext } from '../src/connectors/index.js';
import { openPaimonTable, readConsumer } from '../src/lake/index.js';
import { createObjectStore } from '../src/storage/index.js';
import { Types } from '../src/types/index.js';
import { floeError, runSql as runAll, startJob, waitFor } from './support/sql-session.js';

describe('Paimon consumer ids', () => {
  it('a new job with the same consumer id goes on where the last one stopped, at parallelism 2', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lake-consumer-'));
    try {
      const wh = join(root, 'wh');
      const catalog = `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}')`;
      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(b, `${catalog};
        CREATE TABLE lake.\`default\`.src (k BIGINT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '4');
        CREATE TABLE lake.\`default\`.log (kind STRING, k BIGINT, v STRING);
        INSERT INTO lake.\`default\`.src VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')`);
      const logRows = async (): Promise<string[]> =>
        (await b.query<{ kind: string; k: number; v: string }>('SELECT kind, k, v FROM lake.`default`.log')).map((r) => `${r.kind}${r.k}${r.v}`).sort();
      const consumer = async (): Promise<number | undefined> => {
        const rows = await b.query<{ consumer_id: string; next_snapshot_id: number }>('SELECT consumer_id, next_snapshot_id FROM lake.`default`.`src$consumers`');
        return rows.find((r) => r.consumer_id === 'mirror')?.next_snapshot_id;
      };
      const latest = async (): Promise<number> => (await b.query<{ id: number }>('SELECT MAX(snapshot_id) AS id FROM lake.`default`.`src$snapshots`'))[0]!.id;
      const copy = `INSERT INTO lake.\`default\`.log SELECT rowkind, k, v FROM lake.\`default\`.\`src$audit_log\`
        /*+ OPTIONS('consumer-id' = 'mirror', 'continuous.discovery-interval' = '10 ms') */`;
      const streaming = (chk: string) =>
        new Session({
          warn: () => {},
          config: { 'execution.runtime-mode': 'streaming', 'parallelism.default': '2', 'execution.checkpointing.interval': '50 ms', 'execution.checkpointing.dir': join(root, chk) },
        });

      // Job 1: the full snapshot, then one commit of changes; stopped once everything is read and committed.
      const s1 = streaming('chk-1');
      await runAll(s1, catalog);
      const job1 = await startJob(s1, copy);
      await waitFor('the full snapshot in the log', async () => (await logRows()).length === 4);
      await runAll(b, "INSERT INTO lake.`default`.src VALUES (1, 'A'), (5, 'e')");
      const afterChanges = await latest();
      await waitFor('the changes in the log and the consumer past them', async () => (await logRows()).length === 7 && (await consumer()) === afterChanges + 1);
      await job1.handle.cancel();

      // Written while no job reads: job 2 (a fresh start, no checkpoint) reads exactly these changes.
      await runAll(b, "INSERT INTO lake.`default`.src VALUES (2, 'B'), (6, 'f')");
      const s2 = streaming('chk-2');
      await runAll(s2, catalog);
      const job2 = await startJob(s2, copy);
      await waitFor('the second changes in the log', async () => (await logRows()).length >= 10 && (await consumer()) === (await latest()) + 1);
      await job2.handle.cancel();
      assert.deepEqual(await logRows(), ['+I1a', '+I2b', '+I3c', '+I4d', '+I5e', '+I6f', '+U1A', '+U2B', '-U1a', '-U2b']);

      // Procedures: set, remove, clear.
      await runAll(b, "CALL lake.sys.reset_consumer(`table` => 'default.src', consumer_id => 'mirror', next_snapshot_id => 1)");
      assert.equal(await consumer(), 1);
      await assert.rejects(runAll(b, "CALL lake.sys.reset_consumer(`table` => 'default.src', consumer_id => 'mirror', next_snapshot_id => 99)"), floeError('PROCEDURE.ARGUMENT', /next_snapshot_id.*99/));
      await runAll(b, "CALL lake.sys.reset_consumer(`table` => 'default.src', consumer_id => 'other', next_snapshot_id => 2)");
      await runAll(b, "CALL lake.sys.reset_consumer(`table` => 'default.src', consumer_id => 'mirror')");
      assert.equal(await consumer(), undefined);
      await runAll(b, "CALL lake.sys.clear_consumers(`table` => 'default.src', including_consumers => 'oth.*')");
      assert.deepEqual(await b.query('SELECT * FROM lake.`default`.`src$consumers`'), []);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('the sink keeps the snapshots a consumer has not read when it expires old ones after a commit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lake-consumer-expire-'));
    try {
      const wh = join(root, 'wh');
      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(b, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}');
        CREATE TABLE lake.\`default\`.t (k BIGINT, v STRING, PRIMARY KEY (k) NOT ENFORCED)
          WITH ('bucket' = '1', 'num-sorted-run.compaction-trigger' = '50', 'snapshot.num-retained.min' = '1', 'snapshot.num-retained.max' = '2')`);
      const snapshots = async (): Promise<number[]> => (await b.query<{ id: number }>('SELECT snapshot_id AS id FROM lake.`default`.`t$snapshots`')).map((r) => r.id);
      for (let i = 1; i <= 3; i++) await runAll(b, `INSERT INTO lake.\`default\`.t VALUES (${i}, 'v${i}')`);
      assert.deepEqual(await snapshots(), [2, 3], 'num-retained.max = 2 applies after every commit');
      await runAll(b, "CALL lake.sys.reset_consumer(`table` => 'default.t', consumer_id => 'lagging', next_snapshot_id => 3)");
      for (let i = 4; i <= 6; i++) await runAll(b, `INSERT INTO lake.\`default\`.t VALUES (${i}, 'v${i}')`);
      assert.deepEqual(await snapshots(), [2, 3, 4, 5, 6], "the consumer's next snapshot (3) and the one before it stay");
      await runAll(b, "CALL lake.sys.reset_consumer(`table` => 'default.t', consumer_id => 'lagging')");
      await runAll(b, "INSERT INTO lake.`default`.t VALUES (7, 'v7')");
      assert.deepEqual(await snapshots(), [6, 7]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("records the slowest reader's next snapshot over all subtasks' splits", async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-lake-consumer-min-'));
    try {
      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(b, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${join(root, 'wh')}');
        CREATE TABLE lake.\`default\`.t (k BIGINT) WITH ('bucket' = '1', 'bucket-key' = 'k');
        INSERT INTO lake.\`default\`.t VALUES (1)`);
      const path = join(root, 'wh', 'default.db', 't');
      const ctx: ConnectorContext = {
        tableName: 't',
        options: { connector: 'paimon', path, 'consumer-id': 'c' },
        physicalType: { fields: [{ name: 'k', type: Types.bigint() }] },
        config: (k) => (k === 'execution.runtime-mode' ? 'streaming' : undefined),
      };
      const splits = await paimonSource.createSplits(ctx, 3);
      const at = (snapshot: number, full = false) => ({ full, snapshot, offset: 2 });
      const listener = paimonSource.checkpointListener!(ctx)!;
      assert.equal(paimonSource.checkpointListener!({ ...ctx, options: { connector: 'paimon', path } }), null, 'no consumer id: no listener');
      await listener(1, [
        { split: splits[0]!, position: at(7) },
        { split: splits[1]!, position: at(5, true) },
        { split: splits[2]!, position: at(9) },
      ]);
      const table = await openPaimonTable(createObjectStore(`file://${join(root, 'wh')}`), 'default.db/t');
      assert.deepEqual(await readConsumer(table, 'c'), { id: 'c', nextSnapshot: 5 });
      // A reader that has not resolved where it starts yet (snapshot 0) holds the consumer back: no write.
      await listener(2, [{ split: splits[0]!, position: at(8) }, { split: splits[1]!, position: { full: false, snapshot: 0, offset: 0 } }]);
      assert.deepEqual(await readConsumer(table, 'c'), { id: 'c', nextSnapshot: 5 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
