/**
 * Consumers (`consumer/consumer-<id>`) and the expiration that respects them: what a stopped streaming
 * reader still needs stays, the rest of the retention rules still apply, stale consumers expire by age.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FloeError } from '../common/index.js';
import { MemoryObjectStore, type ObjectStore } from '../storage/index.js';
import { batchFromRows, Types, type RowType } from '../types/index.js';
import type { PaimonTable } from './paimon-table.js';
import { expireAfterCommit, expirationSettingsOf, expireSnapshots } from './snapshot-expire.js';
import { clearConsumers, consumerKey, deleteConsumer, expireConsumers, listConsumers, readConsumer, writeConsumer } from './table-consumers.js';
import { createPaimonTable } from './table-create.js';
import { readRows } from './write-test-support.js';

const kv: RowType = { fields: [{ name: 'id', type: Types.int() }, { name: 'name', type: Types.string() }] };
const code = (c: string) => (e: unknown) => (e as FloeError).code === c;

async function tableWithSnapshots(n: number, options: Record<string, string> = {}, store: ObjectStore = new MemoryObjectStore('consumers')): Promise<PaimonTable> {
  const t = await createPaimonTable(store, 't', { fields: kv, primaryKeys: ['id'], options: { bucket: '1', ...options } });
  for (let i = 1; i <= n; i++) {
    const w = t.newWrite();
    w.write(batchFromRows(kv, [[i, `v${i}`]]));
    await w.commit();
  }
  return t;
}

describe('Paimon consumers', () => {
  it("are Paimon's JSON files under consumer/, listed by id; a missing one reads as undefined", async () => {
    const t = await tableWithSnapshots(1);
    assert.equal(await readConsumer(t, 'job-a'), undefined);
    await writeConsumer(t, 'job-b', 4);
    await writeConsumer(t, 'job-a', 2);
    await writeConsumer(t, 'job-a', 3); // replaces
    assert.equal(new TextDecoder().decode(await t.store.get('t/consumer/consumer-job-a')), '{"nextSnapshot":3}');
    assert.deepEqual(await listConsumers(t), [{ id: 'job-a', nextSnapshot: 3 }, { id: 'job-b', nextSnapshot: 4 }]);
    // A file Paimon Java wrote (pretty-printed, unknown fields ignored) reads too.
    await t.store.put('t/consumer/consumer-java', new TextEncoder().encode('{\n  "nextSnapshot" : 7,\n  "other" : 1\n}'));
    assert.deepEqual(await readConsumer(t, 'java'), { id: 'java', nextSnapshot: 7 });
    // Other files in the folder are not consumers.
    await t.store.put('t/consumer/README', new Uint8Array([1]));
    assert.deepEqual((await listConsumers(t)).map((c) => c.id), ['java', 'job-a', 'job-b']);
    await deleteConsumer(t, 'job-b');
    await deleteConsumer(t, 'never-was');
    assert.deepEqual((await listConsumers(t)).map((c) => c.id), ['java', 'job-a']);
  });

  it('refuse ids that cannot be file names and positions that are not snapshot ids; a corrupt file names itself', async () => {
    const t = await tableWithSnapshots(1);
    for (const bad of ['', ' ', 'a/b', '..', 'a\\b']) assert.throws(() => consumerKey(t, bad), code('LAKE.INVALID_CONSUMER_ID'), bad);
    await assert.rejects(writeConsumer(t, 'c', 0), code('LAKE.INVALID_CONSUMER'));
    await assert.rejects(writeConsumer(t, 'c', 1.5), code('LAKE.INVALID_CONSUMER'));
    await t.store.put('t/consumer/consumer-bad', new TextEncoder().encode('{"next":1}'));
    await assert.rejects(readConsumer(t, 'bad'), (e: unknown) => code('LAKE.CORRUPT_FILE')(e) && /consumer-bad.*'nextSnapshot' is missing/.test((e as Error).message));
  });

  it('expiration keeps every snapshot from the slowest consumer on, and the one before it', async () => {
    const t = await tableWithSnapshots(8);
    await writeConsumer(t, 'slow', 4);
    await writeConsumer(t, 'fast', 8);
    const r = await expireSnapshots(t, { retainMax: 1 });
    // Snapshot 3 stays: a resumed read of a primary-key table diffs snapshot 4 against 3.
    assert.deepEqual(r.expiredSnapshots, [1, 2]);
    assert.deepEqual(await t.snapshotIds(), [3, 4, 5, 6, 7, 8]);
    for (const id of [3, 4, 8]) assert.equal((await readRows(t, id)).length, id, `snapshot ${id} reads`);
    await deleteConsumer(t, 'slow');
    assert.deepEqual((await expireSnapshots(t, { retainMax: 1 })).expiredSnapshots, [3, 4, 5, 6]);
    assert.deepEqual(await t.snapshotIds(), [7, 8]);
    await deleteConsumer(t, 'fast');
    assert.deepEqual((await expireSnapshots(t, { retainMax: 1 })).expiredSnapshots, [7]);
  });

  it('a consumer ahead of the latest snapshot (waiting for the next commit) protects only the latest', async () => {
    const t = await tableWithSnapshots(5);
    await writeConsumer(t, 'waiting', 6);
    assert.deepEqual((await expireSnapshots(t, { retainMax: 1 })).expiredSnapshots, [1, 2, 3, 4]);
  });

  it('expire by the time of their last write; clear by whole-id patterns', async () => {
    const t = await tableWithSnapshots(1);
    await writeConsumer(t, 'old', 1);
    await sleep(5);
    const cut = Date.now();
    await sleep(5);
    await writeConsumer(t, 'fresh', 1);
    assert.deepEqual(await expireConsumers(t, cut), ['old']);
    assert.deepEqual((await listConsumers(t)).map((c) => c.id), ['fresh']);
    for (const id of ['etl-1', 'etl-2', 'etl-keep', 'xetl-1']) await writeConsumer(t, id, 1);
    assert.deepEqual(await clearConsumers(t, /etl-.*/, /etl-keep/), ['etl-1', 'etl-2']);
    assert.deepEqual((await listConsumers(t)).map((c) => c.id), ['etl-keep', 'fresh', 'xetl-1']);
    assert.deepEqual(await clearConsumers(t, /.*/), ['etl-keep', 'fresh', 'xetl-1']);
  });
});

describe('expiration after a commit, by the table options', () => {
  it("defaults to Paimon's: 10 snapshots kept at least, none younger than an hour goes", async () => {
    assert.deepEqual(expirationSettingsOf({}, 't'), { retainMin: 10, retainMax: Number.MAX_SAFE_INTEGER, timeRetainedMs: 3_600_000, limit: 10, consumerExpirationMs: undefined, writeOnly: false });
    const t = await tableWithSnapshots(12);
    assert.deepEqual((await expireAfterCommit(t)).expiredSnapshots, []);
    // Two hours later, the two beyond the 10 kept go.
    assert.deepEqual((await expireAfterCommit(t, Date.now() + 7_200_000)).expiredSnapshots, [1, 2]);
  });

  it('honours num-retained, time-retained, expire.limit, write-only and consumer.expiration-time', async () => {
    const t = await tableWithSnapshots(6, { 'snapshot.num-retained.min': '1', 'snapshot.num-retained.max': '2', 'snapshot.expire.limit': '3' });
    assert.deepEqual((await expireAfterCommit(t)).expiredSnapshots, [1, 2, 3], 'at most expire.limit per commit');
    assert.deepEqual((await expireAfterCommit(t)).expiredSnapshots, [4]);
    const w = await tableWithSnapshots(4, { 'snapshot.num-retained.min': '1', 'snapshot.num-retained.max': '1', 'write-only': 'true' });
    assert.deepEqual((await expireAfterCommit(w)).expiredSnapshots, [], 'a write-only table leaves expiration to another job');
    const c = await tableWithSnapshots(5, { 'snapshot.num-retained.min': '1', 'snapshot.time-retained': '1 min', 'consumer.expiration-time': '1 h' });
    await writeConsumer(c, 'reader', 2);
    assert.deepEqual((await expireAfterCommit(c, Date.now() + 120_000)).expiredSnapshots, [], 'the live consumer protects snapshot 1 and later');
    const r = await expireAfterCommit(c, Date.now() + 2 * 3_600_000);
    assert.deepEqual(r.expiredSnapshots, [1, 2, 3, 4], 'the consumer expired first, then the snapshots it held');
    assert.deepEqual(await listConsumers(c), []);
  });

  it('refuses bad option values by name', () => {
    assert.throws(() => expirationSettingsOf({ 'snapshot.num-retained.min': '0' }, 't'), (e: unknown) => code('LAKE.BAD_TABLE_OPTION')(e) && /snapshot\.num-retained\.min/.test((e as Error).message));
    assert.throws(() => expirationSettingsOf({ 'snapshot.num-retained.min': '5', 'snapshot.num-retained.max': '2' }, 't'), code('LAKE.BAD_TABLE_OPTION'));
    assert.throws(() => expirationSettingsOf({ 'snapshot.time-retained': 'soon' }, 't'), (e: unknown) => /snapshot\.time-retained/.test((e as Error).message));
    assert.throws(() => expirationSettingsOf({ 'consumer.expiration-time': '0 s' }, 't'), code('LAKE.BAD_TABLE_OPTION'));
    assert.throws(() => expirationSettingsOf({ 'snapshot.expire.limit': '1' }, 't'), code('LAKE.BAD_TABLE_OPTION'));
  });
});
