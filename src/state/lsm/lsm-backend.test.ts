import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalFileObjectStore, MemoryObjectStore } from '../../storage/index.js';
import type { ObjectStore } from '../../storage/index.js';
import { encodeKey, keyGroupOf } from '../key-codec.js';
import { describeKeyedStateBackendConformance } from '../state-backend-conformance.js';
import { createLsmKeyedStateBackend } from './lsm-backend.js';
import { restoreLsmKeyedStateBackend } from './lsm-restore.js';
import type { LsmKeyedStateBackend, LsmKeyedStateBackendOptions } from './lsm-backend.js';
import type { LsmStateSnapshot } from './lsm-snapshot.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'floe-lsm-test-'));
  dirs.push(d);
  return d;
}

const CACHES = [
  ['no cache', 0],
  ['small cache', 4 * 1024],
  ['large cache', 64 * 1024 * 1024],
] as const;

for (const [storeName, makeStore] of [
  ['memory store', (): ObjectStore => new MemoryObjectStore('lsm-conformance')],
  ['local file store', (): ObjectStore => new LocalFileObjectStore(tempDir(), { durable: false })],
] as const) {
  for (const [cacheName, cacheBytes] of CACHES) {
    describeKeyedStateBackendConformance(`lsm (${storeName}, ${cacheName})`, (env) =>
      createLsmKeyedStateBackend({
        maxParallelism: env.maxParallelism,
        keyGroupRange: env.keyGroupRange,
        clock: env.clock,
        primaryStore: makeStore(),
        // Tiny memtable and blocks: the property test of the suite then reads across flushed runs.
        memtableBytes: 2048,
        blockBytes: 128,
        compactionTrigger: 2,
        memoryCacheBytes: cacheBytes,
        // No cache at all: only the index last read stays, so reads re-read indexes evicted under them.
        indexCacheBytes: cacheBytes === 0 ? 0 : 64 * 1024 * 1024,
      }),
    );
  }
}

const k = (v: unknown): string => encodeKey([v]);
const MAXP = 16;
const FULL = { start: 0, end: MAXP - 1 };

function small(store: ObjectStore, extra: Partial<LsmKeyedStateBackendOptions> = {}): LsmKeyedStateBackend {
  return createLsmKeyedStateBackend({
    maxParallelism: MAXP,
    keyGroupRange: FULL,
    primaryStore: store,
    memtableBytes: 4096,
    blockBytes: 512,
    memoryCacheBytes: 0,
    ...extra,
  });
}

async function fill(b: LsmKeyedStateBackend, n: number): Promise<string[]> {
  const s = b.valueState<{ i: number; s: string }>({ name: 'v' });
  const keys = Array.from({ length: n }, (_, i) => k(i));
  for (let i = 0; i < n; i += 50) {
    const part = keys.slice(i, i + 50);
    await s.putMany(part, part.map((_, j) => ({ i: i + j, s: 'x'.repeat((i + j) % 17) })));
  }
  return keys;
}

describe('lsm backend specifics', () => {
  it('a savepoint copies its files under its own folder: it restores after the primary store is gone', async () => {
    const store = new MemoryObjectStore('lsm-savepoint-primary');
    const savepoints = new MemoryObjectStore('lsm-savepoint-folder');
    const b = small(store);
    const keys = await fill(b, 400);
    await b.valueState<number>({ name: 'v' }).putMany([k('last')], [7]);
    const snap = (await b.snapshot(savepoints, 'op', { checkpointId: 3, savepoint: true, incremental: false, folder: 'savepoint-3' })) as unknown as LsmStateSnapshot;
    assert.ok(snap.files.length > 1);
    for (const f of snap.files) {
      assert.equal(f.store, '', 'listed relative to the savepoint folder');
      assert.ok(f.key.startsWith('op/'));
      assert.equal((await savepoints.get(f.key)).length, f.size);
    }
    await b.dispose();
    for (const o of await store.list('')) await store.delete(o.key); // the job's primary copy is gone
    const fresh = new MemoryObjectStore('lsm-savepoint-new-primary');
    const r = await restoreLsmKeyedStateBackend([snap as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: fresh }, savepoints);
    const got = await r.valueState<unknown>({ name: 'v' }).getMany([...keys, k('last')]);
    assert.deepEqual(got.at(-1), 7);
    got.slice(0, -1).forEach((v, i) => assert.deepEqual(v, { i, s: 'x'.repeat(i % 17) }));
    // Without the folder, a savepoint's relative files cannot be found: a clear error, not wrong state.
    await assert.rejects(restoreLsmKeyedStateBackend([snap as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: fresh }), { code: 'STATE.INCOMPATIBLE_SNAPSHOT' });
    await r.dispose();
  });

  it('reads across flushed and compacted runs; counts remote reads; cache hits on re-read', async () => {
    const store = new MemoryObjectStore('lsm-specific-1');
    const b = small(store, { memoryCacheBytes: 1024 * 1024 });
    const keys = await fill(b, 2000);
    await b.settle();
    const st0 = b.stats();
    assert.ok(st0.flushes > 5, `flushes ${st0.flushes}`);
    assert.ok(st0.compactions > 0, `compactions ${st0.compactions}`);
    assert.ok(st0.runs < st0.flushes, 'compaction reduced the number of runs');
    const s = b.valueState<{ i: number; s: string }>({ name: 'v' });
    const got = await s.getMany(keys);
    got.forEach((v, i) => assert.deepEqual(v, { i, s: 'x'.repeat(i % 17) }));
    const st1 = b.stats();
    assert.ok(st1.remoteBytesRead > st0.remoteBytesRead);
    await s.getMany(keys);
    const st2 = b.stats();
    assert.equal(st2.remoteReads, st1.remoteReads, 'second read served from the block cache');
    assert.ok(st2.blockCacheHits > st1.blockCacheHits);
    assert.deepEqual(await s.getMany([k('absent'), k(-1)]), [undefined, undefined]);
    await b.dispose();
  });

  it('an index cache smaller than one index: every read re-reads the indexes it needs, results unchanged', async () => {
    const store = new MemoryObjectStore('lsm-index-cache');
    // compactionTrigger high: many runs, each read visits several files whose indexes evict each other.
    const b = small(store, { memoryCacheBytes: 1024 * 1024, indexCacheBytes: 1, compactionTrigger: 64 });
    const keys = await fill(b, 2000);
    await b.settle();
    assert.ok(b.stats().runs > 3, `runs ${b.stats().runs}`);
    const s = b.valueState<{ i: number; s: string }>({ name: 'v' });
    const before = b.stats().indexReads;
    for (let round = 0; round < 2; round++) {
      const got = await s.getMany(keys);
      got.forEach((v, i) => assert.deepEqual(v, { i, s: 'x'.repeat(i % 17) }));
    }
    const st = b.stats();
    assert.ok(st.indexReads - before >= 2 * (st.runs - 1), `indexes read again: ${st.indexReads - before} for ${st.runs} runs`);
    assert.ok(st.indexCacheBytes > 0, 'the last index read stays cached');
    await b.dispose();
  });

  it('deletes and overwrites are resolved newest-first across runs; map markers hide older entries', async () => {
    const store = new MemoryObjectStore('lsm-specific-2');
    const b = small(store, { compactionTrigger: 100 });
    const v = b.valueState<number>({ name: 'v2' });
    const m = b.mapState<string>({ name: 'm' });
    const l = b.listState<number>({ name: 'l' });
    const keys = await fill(b, 300); // pushes several runs under the states below
    await v.putMany([k(1), k(2)], [1, 2]);
    await m.putEntries([k(1), k(1), k(2)], ['a', 'b', 'a'], ['1a', '1b', '2a']);
    await l.addMany([k(1), k(1)], [1, 2]);
    await fill(b, 300);
    await v.deleteMany([k(1)]);
    await m.deleteMany([k(1)]);
    await m.putEntries([k(1), k(2)], ['c', 'a'], ['1c', undefined]);
    await l.addMany([k(1)], [3]);
    await fill(b, 300);
    await b.settle();
    assert.ok(b.stats().runs >= 3);
    assert.deepEqual(await v.getMany([k(1), k(2)]), [undefined, 2]);
    const [m1, m2] = await m.getMany([k(1), k(2)]);
    assert.deepEqual([...m1!.entries()], [['c', '1c']]);
    assert.equal(m2!.size, 0);
    assert.deepEqual(await m.getEntries([k(1), k(1), k(1)], ['a', 'b', 'c']), [undefined, undefined, '1c']);
    assert.deepEqual(await l.getMany([k(1)]), [[1, 2, 3]]);
    assert.equal(keys.length, 300);
    await b.dispose();
  });

  it('a getMany issued before a pending read completes observes writes issued before it', async () => {
    const store = new MemoryObjectStore('lsm-specific-3');
    const b = small(store);
    const keys = await fill(b, 500);
    await b.settle();
    const s = b.valueState<unknown>({ name: 'v' });
    const r1 = s.getMany([keys[0]!]); // needs I/O
    const w = s.putMany([keys[0]!], [{ i: -1, s: '' }]);
    const r2 = s.getMany([keys[0]!]);
    assert.deepEqual(await r1, [{ i: 0, s: '' }]);
    await w;
    assert.deepEqual(await r2, [{ i: -1, s: '' }]);
    await b.dispose();
  });

  it('snapshot lists files in the primary store without copying; restore reads them remotely', async () => {
    const store = new MemoryObjectStore('lsm-specific-4');
    const chk = new MemoryObjectStore('lsm-specific-4-chk');
    const b = small(store);
    const keys = await fill(b, 400);
    await b.valueState<number>({ name: 'v' }).putMany([k('last')], [7]); // stays in the memtable until the snapshot
    const snap = (await b.snapshot(chk, 'chk-1/op')) as unknown as LsmStateSnapshot;
    assert.equal(snap.format, 'floe.lsm-state');
    assert.equal((await chk.list('')).length, 0, 'nothing written to the checkpoint store');
    for (const f of snap.files) {
      assert.equal(f.store, store.uri);
      assert.ok(await store.exists(f.key));
    }
    assert.equal(snap.totalBytes, snap.files.reduce((n, f) => n + f.size, 0));
    const r = await restoreLsmKeyedStateBackend([snap as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: store, memoryCacheBytes: 0 });
    assert.equal(r.stats().remoteReads, 0, 'nothing downloaded up front');
    const got = await r.valueState<unknown>({ name: 'v' }).getMany([...keys, k('last')]);
    assert.deepEqual(got.at(-1), 7);
    got.slice(0, -1).forEach((v, i) => assert.deepEqual(v, { i, s: 'x'.repeat(i % 17) }));
    await r.dispose();
    await b.dispose();
  });

  it('files referenced by a retained snapshot survive compaction until released', async () => {
    const store = new MemoryObjectStore('lsm-specific-5');
    const b = small(store, { compactionTrigger: 2 });
    await fill(b, 300);
    const snap = (await b.snapshot(store, 'x')) as unknown as LsmStateSnapshot;
    await fill(b, 1500); // overwrites everything, compacts the old runs away
    await b.settle();
    for (const f of snap.files) assert.ok(await store.exists(f.key), `${f.key} kept for the snapshot`);
    b.releaseSnapshot(snap);
    await b.settle();
    await new Promise((r) => setTimeout(r, 10));
    const live = new Set((await store.list('')).map((o) => o.key));
    assert.ok(snap.files.some((f) => !live.has(f.key)), 'released files were deleted');
    assert.ok(b.stats().filesDeleted > 0);
    await b.dispose();
  });

  it('rescale 1 → 2 → 1: shared files are range-filtered, not rewritten', async () => {
    const store = new MemoryObjectStore('lsm-specific-6');
    const b = small(store);
    const keys = await fill(b, 400);
    const m = b.mapState<number>({ name: 'm' });
    await m.putEntries(keys.slice(0, 40), keys.slice(0, 40).map(() => 'u'), keys.slice(0, 40).map((_, i) => i));
    const s1 = (await b.snapshot(store, 'x')) as unknown as LsmStateSnapshot;
    const halves = [{ start: 0, end: 7 }, { start: 8, end: 15 }];
    const parts = await Promise.all(halves.map((range) => restoreLsmKeyedStateBackend([s1 as never], { maxParallelism: MAXP, keyGroupRange: range, primaryStore: store })));
    // Each half reads its own keys; writes go to the half that owns the key.
    for (const [pi, p] of parts.entries()) {
      const own = keys.filter((x) => { const g = keyGroupOf(x, MAXP); return g >= halves[pi]!.start && g <= halves[pi]!.end; });
      const got = await p.valueState<{ i: number }>({ name: 'v' }).getMany(own);
      got.forEach((v, i) => assert.equal(v!.i, keys.indexOf(own[i]!)));
      await p.valueState<{ i: number }>({ name: 'v' }).putMany(own.slice(0, 5), own.slice(0, 5).map(() => ({ i: -pi - 1 })));
    }
    const s2 = await Promise.all(parts.map((p) => p.snapshot(store, 'y')));
    const sharedKeys = new Set((s2[0] as unknown as LsmStateSnapshot).files.map((f) => f.key));
    assert.ok((s2[1] as unknown as LsmStateSnapshot).files.some((f) => sharedKeys.has(f.key)), 'the halves share the old files');
    const one = await restoreLsmKeyedStateBackend(s2 as never[], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: store });
    const got = await one.valueState<{ i: number }>({ name: 'v' }).getMany(keys);
    let changed = 0;
    got.forEach((v, i) => {
      if (v!.i < 0) changed++;
      else assert.equal(v!.i, i);
    });
    assert.equal(changed, 10);
    const maps = await one.mapState<number>({ name: 'm' }).getMany(keys.slice(0, 40));
    maps.forEach((mm, i) => assert.deepEqual([...mm.entries()], [['u', i]]));
    for (const p of parts) await p.dispose();
    await one.dispose();
    await b.dispose();
  });

  it('a corrupt SST block is STATE.CORRUPT_SNAPSHOT naming the file', async () => {
    const store = new MemoryObjectStore('lsm-specific-7');
    const b = small(store);
    const keys = await fill(b, 200);
    const snap = (await b.snapshot(store, 'x')) as unknown as LsmStateSnapshot;
    const f = snap.files[0]!;
    const bytes = await store.get(f.key);
    bytes[10] = bytes[10]! ^ 0xff; // inside the first data block
    await store.put(f.key, bytes);
    const r = await restoreLsmKeyedStateBackend([snap as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: store, memoryCacheBytes: 0 });
    await assert.rejects(r.valueState({ name: 'v' }).getMany(keys), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'STATE.CORRUPT_SNAPSHOT');
      assert.match(e.message, /block \d+ fails its checksum/);
      assert.ok(e.message.includes(f.key));
      return true;
    });
    await r.dispose();
    await b.dispose();
  });

  it('a missing or truncated file is STATE.CORRUPT_SNAPSHOT', async () => {
    const store = new MemoryObjectStore('lsm-specific-8');
    const b = small(store);
    const keys = await fill(b, 200);
    const snap = (await b.snapshot(store, 'x')) as unknown as LsmStateSnapshot;
    const f = snap.files[0]!;
    const bytes = await store.get(f.key);
    await store.put(f.key, bytes.subarray(0, bytes.length - 10));
    const r = await restoreLsmKeyedStateBackend([snap as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: store });
    await assert.rejects(r.valueState({ name: 'v' }).getMany(keys), { code: 'STATE.CORRUPT_SNAPSHOT' });
    await store.delete(f.key);
    const r2 = await restoreLsmKeyedStateBackend([snap as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: store });
    await assert.rejects(r2.valueState({ name: 'v' }).getMany(keys), /is missing from memory:\/\/lsm-specific-8/);
    await b.dispose();
  });

  it('restore rejects another maxParallelism and uncovered ranges', async () => {
    const store = new MemoryObjectStore('lsm-specific-9');
    const b = small(store);
    await fill(b, 10);
    const snap = (await b.snapshot(store, 'x')) as unknown as LsmStateSnapshot;
    await assert.rejects(restoreLsmKeyedStateBackend([snap as never], { maxParallelism: 32, keyGroupRange: { start: 0, end: 31 }, primaryStore: store }), { code: 'STATE.INCOMPATIBLE_SNAPSHOT' });
    const half = { ...snap, keyGroupRange: { start: 0, end: 7 } };
    await assert.rejects(restoreLsmKeyedStateBackend([half as never], { maxParallelism: MAXP, keyGroupRange: FULL, primaryStore: store }), /do not cover key group 8/);
    await b.dispose();
  });

  it('the disk cache keeps whole files locally and serves blocks from them', async () => {
    const store = new MemoryObjectStore('lsm-specific-10');
    const dir = tempDir();
    const b = small(store, { diskCacheBytes: 64 * 1024 * 1024, diskCacheDir: join(dir, 'cache') });
    const keys = await fill(b, 1000);
    await b.settle();
    const before = b.stats().remoteReads;
    await b.valueState({ name: 'v' }).getMany(keys);
    const st = b.stats();
    assert.equal(st.remoteReads, before, 'every block came from the disk cache');
    assert.ok(st.diskCacheHits > 0);
    assert.ok(st.diskCacheBytes > 0);
    await b.dispose();
  });

  it('TTL: expired entries are invisible after flushes and dropped by a bottom compaction', async () => {
    let now = 1000;
    const store = new MemoryObjectStore('lsm-specific-11');
    const b = small(store, { clock: () => now, compactionTrigger: 2 });
    const s = b.valueState<number>({ name: 't', ttlMs: 100 });
    const keys = Array.from({ length: 300 }, (_, i) => k(i));
    await s.putMany(keys, keys.map((_, i) => i));
    now += 50;
    await s.putMany(keys.slice(0, 10), keys.slice(0, 10).map(() => -1));
    now += 60; // the first write is 110 ms old, the refresh 60 ms
    const got = await s.getMany(keys);
    assert.deepEqual(got.slice(0, 10), keys.slice(0, 10).map(() => -1));
    assert.ok(got.slice(10).every((v) => v === undefined));
    await fill(b, 1500); // drives compactions, including bottom ones
    await b.settle();
    now += 1000;
    await fill(b, 1500);
    await b.settle();
    assert.deepEqual(await s.getMany(keys.slice(0, 3)), [undefined, undefined, undefined]);
    await b.dispose();
  });
});
