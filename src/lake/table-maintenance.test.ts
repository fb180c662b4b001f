/**
 * Compaction and snapshot expiration of tables written by Floe: the rows a read sees never change, the
 * COMPACT snapshot deletes the old files and adds one, and expiration deletes exactly the files no
 * retained snapshot needs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryObjectStore } from '../storage/index.js';
import { RowKind, Types, batchFromRows, type RowType } from '../types/index.js';
import { FileKind, decodeManifest, decodeManifestList } from './manifest.js';
import type { PaimonTable } from './paimon-table.js';
import { createPaimonTable } from './table-create.js';
import { liveEntries, readRows, sortRows } from './write-test-support.js';

const kv: RowType = { fields: [{ name: 'id', type: Types.int() }, { name: 'name', type: Types.string() }, { name: 'v', type: Types.bigint() }] };

async function threeCommits(t: PaimonTable): Promise<void> {
  const w = t.newWrite();
  w.write(batchFromRows(kv, [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3], [4, 'd', 4]]));
  await w.commit();
  w.write(batchFromRows(kv, [[1, 'a2', 10], [3, 'c', 3]], [RowKind.UPDATE_AFTER, RowKind.DELETE]));
  await w.commit();
  w.write(batchFromRows(kv, [[5, 'e', 5], [1, 'a3', 11]]));
  await w.commit();
}

const EXPECTED = [[1, 'a3', 11], [2, 'b', 2], [4, 'd', 4], [5, 'e', 5]];

describe('compact', () => {
  it('merges every file of a bucket into one top-level file in a COMPACT snapshot', async () => {
    const store = new MemoryObjectStore('compact');
    const t = await createPaimonTable(store, 'c', { fields: kv, primaryKeys: ['id'], options: { bucket: '1' } });
    await threeCommits(t);
    const before = await liveEntries(t);
    assert.ok(before.length >= 3);
    assert.deepEqual(await readRows(t), EXPECTED);
    const result = await t.compact();
    assert.deepEqual(result, { snapshotId: 4, committed: true });
    const snap = await t.snapshot(4);
    assert.equal(snap.commitKind, 'COMPACT');
    assert.equal(snap.totalRecordCount, 4);
    const after = await liveEntries(t);
    assert.equal(after.length, 1);
    const file = after[0]!.file;
    assert.equal(file.level, 4);
    assert.equal(file.fileSource, 1);
    assert.equal(file.rowCount, 4);
    assert.equal(file.deleteRowCount, 0);
    assert.equal(file.maxSequenceNumber, Math.max(...before.map((e) => e.file.maxSequenceNumber)));
    // The delta manifest deletes each old file and adds the new one.
    const delta = decodeManifestList(await store.get(`c/manifest/${snap.deltaManifestList}`), 'delta');
    const entries = decodeManifest(await store.get(`c/manifest/${delta[0]!.fileName}`), 'm');
    assert.equal(entries.filter((e) => e.kind === FileKind.DELETE).length, before.length);
    assert.equal(entries.filter((e) => e.kind === FileKind.ADD).length, 1);
    assert.deepEqual(await readRows(t), EXPECTED);
    assert.deepEqual(await readRows(t, 3), EXPECTED, 'older snapshots stay readable');
    // Nothing left to do: a single top-level file is not rewritten.
    assert.deepEqual(await t.compact(), { snapshotId: 4, committed: false });
    // Later writes still win over compacted rows.
    const w = t.newWrite();
    w.write(batchFromRows(kv, [[2, 'b2', 20]]));
    await w.commit();
    assert.deepEqual(await readRows(t), [[1, 'a3', 11], [2, 'b2', 20], [4, 'd', 4], [5, 'e', 5]]);
  });

  it('compacts only the requested bucket and partition; append tables keep every row', async () => {
    const store = new MemoryObjectStore('compact-append');
    const rowType: RowType = { fields: [{ name: 'p', type: Types.int() }, { name: 'x', type: Types.string() }] };
    const t = await createPaimonTable(store, 'a', { fields: rowType, partitionKeys: ['p'] });
    const w = t.newWrite();
    for (let i = 0; i < 3; i++) {
      w.write(batchFromRows(rowType, [[1, `a${i}`], [2, `b${i}`], [1, `a${i}`]]));
      await w.commit();
    }
    const all = await readRows(t);
    await t.compact({ partitionFilter: { p: 1 } });
    const entries = await liveEntries(t);
    assert.equal(entries.length, 4, 'partition 1 → 1 file, partition 2 keeps 3');
    assert.ok(entries.every((e) => e.file.level === 0));
    assert.deepEqual(await readRows(t), all);
    const p1 = entries.filter((e) => e.file.rowCount === 6);
    assert.equal(p1.length, 1);
    assert.deepEqual([p1[0]!.file.minSequenceNumber, p1[0]!.file.maxSequenceNumber], [0, 5]);
  });

  it('fails with a conflict when a concurrent compaction already removed the files', async () => {
    const store = new MemoryObjectStore('compact-race');
    const t = await createPaimonTable(store, 'c', { fields: kv, primaryKeys: ['id'], options: { bucket: '1' } });
    await threeCommits(t);
    const results = await Promise.allSettled([t.compact(), t.compact()]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.equal((failed[0]!.reason as { code: string }).code, 'LAKE.COMMIT_CONFLICT');
    assert.deepEqual(await readRows(t), EXPECTED);
  });
});

describe('manifest merging', () => {
  it('merges the manifests of the base list once manifest.merge-min-count is reached', async () => {
    const store = new MemoryObjectStore('merge');
    const t = await createPaimonTable(store, 'm', { fields: kv, primaryKeys: ['id'], options: { bucket: '1', 'manifest.merge-min-count': '3' } });
    await threeCommits(t);
    await t.compact(); // snapshot 4 deletes the three files, so the merge drops them and their ADDs
    const w = t.newWrite();
    for (let i = 0; i < 4; i++) {
      w.write(batchFromRows(kv, [[10 + i, `n${i}`, i]]));
      await w.commit();
    }
    const counts: number[] = [];
    for (const s of await t.snapshots()) counts.push(decodeManifestList(await store.get(`m/manifest/${s.baseManifestList}`), 'b').length);
    assert.ok(Math.max(...counts) <= 2, `base lists stay short: ${counts.join()}`);
    const merged = await t.snapshot(5);
    const baseMetas = decodeManifestList(await store.get(`m/manifest/${merged.baseManifestList}`), 'b');
    for (const m of baseMetas) {
      const entries = decodeManifest(await store.get(`m/manifest/${m.fileName}`), 'm');
      assert.ok(entries.every((e) => e.kind === FileKind.ADD));
    }
    assert.deepEqual(await readRows(t), sortRows([...EXPECTED, [10, 'n0', 0], [11, 'n1', 1], [12, 'n2', 2], [13, 'n3', 3]]));
    for (let id = 1; id <= 8; id++) assert.ok((await readRows(t, id)).length > 0);
    const ex = await t.expireSnapshots({ retainMax: 1 });
    assert.equal(ex.expiredSnapshots.length, 7);
    assert.deepEqual(await readRows(t), sortRows([...EXPECTED, [10, 'n0', 0], [11, 'n1', 1], [12, 'n2', 2], [13, 'n3', 3]]));
  });
});

describe('expireSnapshots', () => {
  it('deletes snapshots and the files only they referenced; the latest stays readable', async () => {
    const store = new MemoryObjectStore('expire');
    const t = await createPaimonTable(store, 'e', { fields: kv, primaryKeys: ['id'], options: { bucket: '2' } });
    await threeCommits(t);
    await t.compact();
    const w = t.newWrite();
    w.write(batchFromRows(kv, [[6, 'f', 6]]));
    await w.commit(); // snapshot 5
    assert.deepEqual(await t.expireSnapshots({ retainMin: 5 }), { expiredSnapshots: [], deletedFiles: 0 });
    const result = await t.expireSnapshots({ retainMin: 1, retainMax: 2 });
    assert.deepEqual(result.expiredSnapshots, [1, 2, 3]);
    assert.deepEqual(await t.snapshotIds(), [4, 5]);
    assert.equal(await t.earliestSnapshotId(), 4);
    assert.deepEqual(await readRows(t), [...EXPECTED, [6, 'f', 6]]);
    assert.deepEqual(await readRows(t, 4), EXPECTED);
    // Every data file left is live in a retained snapshot, and no manifest list is orphaned.
    const live = new Set([...(await t.manifestEntries(await t.snapshot(4))), ...(await liveEntries(t))].map((e) => e.file.fileName));
    const dataFiles = (await store.list('e/')).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
    assert.deepEqual(new Set(dataFiles.map((k) => k.slice(k.lastIndexOf('/') + 1))), live);
    const lists = (await store.list('e/manifest/manifest-list-')).map((o) => o.key.slice('e/manifest/'.length)).sort();
    const named = (await t.snapshots()).flatMap((s) => [s.baseManifestList, s.deltaManifestList]).sort();
    assert.deepEqual(lists, named);
    // By age: nothing is older than an hour; with a clock far ahead all but retainMin go.
    assert.deepEqual((await t.expireSnapshots({ olderThanMs: 3_600_000 })).expiredSnapshots, []);
    assert.deepEqual((await t.expireSnapshots({ olderThanMs: 1000, now: Date.now() + 10_000 })).expiredSnapshots, [4]);
    assert.deepEqual(await readRows(t), [...EXPECTED, [6, 'f', 6]]);
  });

  it('validates its options', async () => {
    const t = await createPaimonTable(new MemoryObjectStore('expire-bad'), 'x', { fields: kv });
    await assert.rejects(t.expireSnapshots({ retainMin: 0 }), { code: 'LAKE.BAD_EXPIRE_OPTIONS' });
    await assert.rejects(t.expireSnapshots({ retainMin: 3, retainMax: 2 }), { code: 'LAKE.BAD_EXPIRE_OPTIONS' });
    assert.deepEqual(await t.expireSnapshots({ retainMax: 1 }), { expiredSnapshots: [], deletedFiles: 0 });
  });
});
