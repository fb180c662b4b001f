/**
 * SQL end to end for dynamic-bucket primary-key tables (no `bucket` option): a streaming INSERT at
 * parallelism 2 with checkpoints, then a batch INSERT at parallelism 3 that updates part of the keys and
 * adds new ones. Every key must be in exactly one bucket (else the batch read returns it twice), the
 * updates must win, and the buckets must stay within `dynamic-bucket.target-row-num` keys.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../api/index.js';
import { LocalFileObjectStore } from '../../storage/index.js';
import { HASH_INDEX_TYPE, openPaimonTable } from '../../lake/index.js';

async function runAll(s: Session, sql: string): Promise<void> {
  for (const st of s.parse(sql)) {
    const r = await s.execute(st);
    if (r.kind === 'job') await r.handle.done;
  }
}

describe('paimon dynamic-bucket tables through SQL', () => {
  it('a streaming INSERT, then a batch INSERT at another parallelism updating keys: one row per key, updates win', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-dynamic-bucket-'));
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
         CREATE TABLE lake.\`default\`.t (k BIGINT, dt STRING, v STRING, PRIMARY KEY (k, dt) NOT ENFORCED)
           PARTITIONED BY (dt) WITH ('dynamic-bucket.target-row-num' = '40');
         CREATE TEMPORARY TABLE gen (v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '300', 'rows-per-second' = '3000', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '300');
         INSERT INTO lake.\`default\`.t SELECT v, CASE WHEN v % 2 = 0 THEN 'even' ELSE 'odd' END, 'first' FROM gen`,
      );
      const b = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch', 'parallelism.default': '3' } });
      await runAll(
        b,
        `${catalog};
         CREATE TEMPORARY TABLE gen2 (v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '201', 'fields.v.kind' = 'sequence', 'fields.v.start' = '200', 'fields.v.end' = '400');
         INSERT INTO lake.\`default\`.t SELECT v, CASE WHEN v % 2 = 0 THEN 'even' ELSE 'odd' END, CONCAT('second-', CAST(v AS STRING)) FROM gen2`,
      );
      const rows = await b.query<{ k: number; dt: string; v: string }>('SELECT k, dt, v FROM lake.`default`.t');
      const got = rows.map((r) => `${r.k}|${r.dt}|${r.v}`).sort();
      const expected: string[] = [];
      for (let k = 1; k <= 400; k++) expected.push(`${k}|${k % 2 === 0 ? 'even' : 'odd'}|${k < 200 ? 'first' : `second-${k}`}`);
      assert.deepEqual(got, expected.sort());

      // The table is a dynamic-bucket table with a HASH index: 200 keys per partition, ≤ 40 per bucket.
      const store = new LocalFileObjectStore(wh);
      const table = await openPaimonTable(store, 'default.db/t');
      assert.equal(table.numBuckets, -1);
      const latest = (await table.latestSnapshot())!;
      const index = (await table.indexEntries(latest)).filter((e) => e.indexType === HASH_INDEX_TYPE);
      let indexed = 0;
      for (const e of index) {
        assert.ok(e.rowCount <= 40, `bucket ${e.bucket} holds ${e.rowCount} keys`);
        indexed += e.rowCount;
      }
      assert.equal(indexed, 400, 'every key is indexed once');
      const splits = await table.plan();
      for (const s of splits) assert.equal(s.totalBuckets, -1);
      assert.ok(new Set(splits.map((s) => s.bucket)).size >= 5, 'the keys spread over several buckets');
      assert.ok(readdirSync(join(wh, 'default.db', 't', 'index')).length >= index.length);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
