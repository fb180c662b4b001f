/**
 * Orphan-file removal with real modification times: the memory store stamps each write, the S3 store
 * answers with the server's Last-Modified (a real radosgw, started for this file; FLOE_SKIP_S3_TESTS=1
 * skips that part).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { missingRadosgwBinaries, RADOSGW_INSTALL_HINT, startRadosgw, type Radosgw } from '../../test/support/radosgw.js';
import { ioError } from '../common/index.js';
import { MemoryObjectStore, S3ObjectStore } from '../storage/index.js';
import { DEFAULT_ORPHAN_AGE_MS } from './orphan-files.js';
import { commitKv, kvTable, readRows, storeKeys, tagRows } from './write-test-support.js';

const garbage = new Uint8Array([1, 2, 3]);





/** A time strictly after every write so far and strictly before every later one (the clock has moved on both sides). */
async function cutOff(): Promise<number> {
  const t0 = Date.now();
  while (Date.now() <= t0) await sleep(1);
  const cut = Date.now();
  while (Date.now() <= cut) await sleep(1);
  return cut;
}

describe('remove orphan files by age (memory store times)', () => {
  it('deletes unreferenced files written before the cut-off only, keeps metadata folders; a dry run deletes nothing', async () => {
    const store = new MemoryObjectStore('orphans');
    const t = await kvTable(store, 't', []);
    await commitKv(t, [[1, 'a']]);
    await t.createTag('v1');
    await commitKv(t, [[2, 'b']]);
    await t.expireSnapshots({ retainMax: 1 });
    await store.put('t/bucket-0/data-orphan.parquet', garbage);
    await store.put('t/manifest/manifest-orphan-0', garbage);
    await store.put('t/snapshot/strange', garbage);
    const cut = await cutOff();
    // Written after the cut-off: a writer whose commit has not landed yet, so it must stay.
    await store.put('t/fresh-orphan', garbage);
    const before = await storeKeys(store, 't/');
    const dry = await t.removeOrphanFiles({ olderThan: cut, dryRun: true });
    assert.deepEqual(dry, { files: ['t/bucket-0/data-orphan.parquet', 't/manifest/manifest-orphan-0'], totalBytes: 6 });
    assert.deepEqual(await storeKeys(store, 't/'), before);
    const real = await t.removeOrphanFiles({ olderThan: cut });
    assert.deepEqual(real.files, dry.files);
    assert.deepEqual(await storeKeys(store, 't/'), before.filter((k) => !dry.files.includes(k)));
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b']]);
    assert.deepEqual(await tagRows(t, 'v1'), [[1, 'a']]);
    // Overwriting an old orphan makes it young again: the time is the last write's.
    await store.put('t/bucket-0/rewritten', garbage);
    const cut2 = await cutOff();
    await store.put('t/bucket-0/rewritten', garbage);
    assert.deepEqual((await t.removeOrphanFiles({ olderThan: cut2, dryRun: true })).files, ['t/fresh-orphan']);
    // Later, everything unreferenced is old enough; metadata folders are never candidates.
    assert.deepEqual((await t.removeOrphanFiles({ olderThan: Date.now() + 60_000 })).files, ['t/bucket-0/rewritten', 't/fresh-orphan']);
    assert.equal(await store.exists('t/snapshot/strange'), true);
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b']]);
  });

  it('without olderThan the cut-off is one day before `now`', async () => {
    const store = new MemoryObjectStore('orphans-default');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a']]);
    await store.put('t/bucket-0/orphan', garbage);
    const written = await store.lastModified('t/bucket-0/orphan');
    assert.deepEqual((await t.removeOrphanFiles()).files, [], 'written just now: younger than a day');
    assert.deepEqual((await t.removeOrphanFiles({ now: written + DEFAULT_ORPHAN_AGE_MS })).files, [], 'exactly a day old is not older');
    assert.deepEqual((await t.removeOrphanFiles({ now: written + DEFAULT_ORPHAN_AGE_MS + 1 })).files, ['t/bucket-0/orphan']);
    assert.equal(await store.exists('t/bucket-0/orphan'), false);
  });

  it('a candidate deleted before its time is read is skipped; any other failure to read a time aborts before deleting', async () => {
    /** Deletes `vanishing` just before its time is asked (a concurrent cleaner), fails for `broken`. */
    class RacingStore extends MemoryObjectStore {
      vanishing = '';
      broken = '';
      override async lastModified(key: string): Promise<number> {
        if (key === this.vanishing) await this.delete(key);
        if (key === this.broken) throw ioError('IO.READ_FAILED', `cannot stat '${key}'`);
        return super.lastModified(key);
      }
    }
    const store = new RacingStore('orphans-racing');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a']]);
    await store.put('t/bucket-0/gone', garbage);
    await store.put('t/bucket-0/old', garbage);
    store.vanishing = 't/bucket-0/gone';
    assert.deepEqual(await t.removeOrphanFiles({ olderThan: Infinity }), { files: ['t/bucket-0/old'], totalBytes: 3 });
    await store.put('t/bucket-0/a', garbage);
    await store.put('t/bucket-0/b', garbage);
    store.broken = 't/bucket-0/b';
    await assert.rejects(t.removeOrphanFiles({ olderThan: Infinity }), { code: 'IO.READ_FAILED' });
    assert.equal(await store.exists('t/bucket-0/a'), true, 'nothing is deleted when a time cannot be read');
    assert.deepEqual(await readRows(t), [[1, 'a']]);
  });
});

const BUCKET = 'floe-orphans';
const missing = missingRadosgwBinaries();
const skipS3 =
  process.env['FLOE_SKIP_S3_TESTS'] === '1' ? 'FLOE_SKIP_S3_TESTS=1' : missing.length > 0 ? `radosgw binaries missing (${missing.join(', ')}); install them: ${RADOSGW_INSTALL_HINT}` : undefined;

describe('remove orphan files on S3 (radosgw): ages come from Last-Modified', { skip: skipS3 }, () => {
  let gw: Radosgw | undefined;
  let store: S3ObjectStore | undefined;
  before(async () => {
    gw = await startRadosgw();
    // Floe never creates buckets: the test makes one with the SDK.
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const admin = new S3Client({ endpoint: gw.endpoint, region: gw.region, forcePathStyle: true, credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey } });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    admin.destroy();
    store = new S3ObjectStore(`s3://${BUCKET}/lake`, { endpoint: gw.endpoint, accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey, region: gw.region });
  });
  after(async () => {
    await store?.close();
    await gw?.stop();
  });

  it('fresh orphans are kept, old ones are removed, referenced files never', async () => {
    const s = store!;
    const t = await kvTable(s);
    await commitKv(t, [[1, 'a']]);
    await commitKv(t, [[2, 'b']]);
    const referenced = await storeKeys(s, 't/');
    await s.put('t/bucket-0/data-orphan-0.parquet', garbage);
    await s.put('t/manifest/manifest-orphan-0', garbage);
    // The default cut-off (a day ago): both orphans were just written.
    assert.deepEqual(await t.removeOrphanFiles(), { files: [], totalBytes: 0 });
    // A cut-off a minute ahead (beyond any skew between this clock and the server's): both are old.
    const result = await t.removeOrphanFiles({ olderThan: Date.now() + 60_000 });
    assert.deepEqual(result, { files: ['t/bucket-0/data-orphan-0.parquet', 't/manifest/manifest-orphan-0'], totalBytes: 6 });
    assert.deepEqual(await storeKeys(s, 't/'), referenced);
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b']]);
  });
});
