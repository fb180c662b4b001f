/**
 * Dynamic-bucket primary-key tables (`bucket` = -1): bucket assignment from the hash index, HASH index
 * files and index manifests, stability across commits and reopening, target-row-num rollover, parallel
 * assigners, max-buckets, and what compaction and snapshot expiration do with index files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryObjectStore, type ObjectStore } from '../storage/index.js';
import { RowKind, Types, batchFromRows, getValue, type RowType } from '../types/index.js';
import { BinaryRowWriter } from './binary-row.js';
import { hashBytesByWords } from './bucket-hash.js';
import { PaimonBucketAssigner, DYNAMIC_BUCKET_CHANNELS } from './bucket-assigner.js';
import { HASH_INDEX_TYPE, readHashIndex, writeHashIndex } from './hash-index.js';
import { FileKind, decodeIndexManifest, type IndexManifestEntry } from './manifest.js';
import { openPaimonTable, type PaimonTable } from './paimon-table.js';
import { expireSnapshots } from './snapshot-expire.js';
import { applyIndexChanges, commitEntries, BATCH_COMMIT_IDENTIFIER } from './table-commit.js';
import { createPaimonTable } from './table-create.js';
import { liveEntries, readRows } from './write-test-support.js';

const ROWS: RowType = {
  fields: [
    { name: 'id', type: Types.bigint(false) },
    { name: 'dt', type: Types.string(false) },
    { name: 'v', type: Types.string() },
  ],
};

function keyHash(id: number): number {
  const w = new BinaryRowWriter(1);
  w.set(0, id, Types.bigint(false));
  return hashBytesByWords(w.bytes());
}

async function create(store: ObjectStore, path: string, options: Record<string, string> = {}): Promise<PaimonTable> {
  return createPaimonTable(store, path, { fields: ROWS, primaryKeys: ['id', 'dt'], partitionKeys: ['dt'], options: { 'dynamic-bucket.target-row-num': '3', ...options } });
}

async function write(table: PaimonTable, rows: unknown[][], kinds?: RowKind[], assigner?: { assignId: number; numAssigners: number }): Promise<number | undefined> {
  const w = table.newWrite({ assigner });
  w.write(batchFromRows(ROWS, rows, kinds));
  return (await w.commit()).snapshotId;
}

/** Live HASH entries of the latest snapshot, by bucket (one partition). */
async function hashEntries(table: PaimonTable): Promise<Map<number, IndexManifestEntry>> {
  const out = new Map<number, IndexManifestEntry>();
  for (const e of await table.indexEntries((await table.latestSnapshot())!)) if (e.indexType === HASH_INDEX_TYPE) out.set(e.bucket, e);
  return out;
}

/** Bucket of every live data file's rows, by id (via the data files' key range). */
async function bucketsById(table: PaimonTable): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const split of await table.plan()) {
    for await (const b of table.readSplit(split)) {
      for (let r = 0; r < b.numRows; r++) out.set(getValue(b.columns[0]!, r, ROWS.fields[0]!.type) as number, split.bucket);
    }
  }
  return out;
}

describe('HASH index files', () => {
  it('are big-endian int32 sequences', () => {
    const hashes = Int32Array.from([0, -1, 2147483647, -2147483648, 42]);
    const bytes = writeHashIndex(hashes);
    assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...readHashIndex(bytes, 'x')], [...hashes]);
    assert.deepEqual([...readHashIndex(new Uint8Array(0), 'empty')], []);
    assert.throws(() => readHashIndex(new Uint8Array(5), 'odd'), { code: 'LAKE.CORRUPT_FILE' });
  });
});

describe('dynamic-bucket tables', () => {
  it('fill buckets up to target-row-num, then open new ones, and write their hash indexes', async () => {
    const store = new MemoryObjectStore('dyn-fill');
    const t = await create(store, 't');
    assert.equal(t.numBuckets, -1);
    await write(t, [1, 2, 3, 4, 5, 6, 7].map((id) => [id, 'a', `v${id}`]));
    const buckets = await bucketsById(t);
    assert.deepEqual([...buckets].sort((x, y) => x[0] - y[0]), [[1, 0], [2, 0], [3, 0], [4, 1], [5, 1], [6, 1], [7, 2]]);
    for (const e of await liveEntries(t)) assert.equal(e.totalBuckets, -1);
    const index = await hashEntries(t);
    assert.deepEqual([...index.keys()].sort(), [0, 1, 2]);
    for (const [bucket, e] of index) {
      assert.match(e.fileName, /^index-[0-9a-f-]{36}-\d+$/);
      const hashes = readHashIndex(await store.get(`t/index/${e.fileName}`), e.fileName);
      assert.equal(e.rowCount, hashes.length);
      assert.equal(e.fileSize, hashes.length * 4);
      assert.equal(e.kind, FileKind.ADD);
      const ids = [...buckets].filter(([, b]) => b === bucket).map(([id]) => keyHash(id));
      assert.deepEqual([...hashes].sort(), ids.sort());
    }
    // The snapshot's index manifest is a Paimon index manifest file listing exactly those entries.
    const s = (await t.latestSnapshot())!;
    assert.match(s.indexManifest!, /^index-manifest-[0-9a-f-]{36}-\d+$/);
    assert.equal(decodeIndexManifest(await store.get(`t/manifest/${s.indexManifest}`), 'im').length, 3);
    assert.deepEqual(await readRows(t), [1, 2, 3, 4, 5, 6, 7].map((id) => [id, 'a', `v${id}`]));
  });

  it('keeps the buckets of existing keys across commits and reopening, so upserts and deletes fold', async () => {
    const store = new MemoryObjectStore('dyn-stable');
    const t = await create(store, 't');
    await write(t, [1, 2, 3, 4].map((id) => [id, 'a', 'old']));
    const before = await bucketsById(t);
    const firstIndex = await hashEntries(t);
    // A fresh handle (another job): reads the index back from the table.
    const again = await openPaimonTable(store, 't');
    await write(again, [[4, 'a', 'new'], [1, 'a', 'new'], [5, 'a', 'five'], [2, 'a', null]], [RowKind.UPDATE_AFTER, RowKind.UPDATE_AFTER, RowKind.INSERT, RowKind.DELETE]);
    assert.deepEqual(await readRows(again), [[1, 'a', 'new'], [3, 'a', 'old'], [4, 'a', 'new'], [5, 'a', 'five']]);
    const after = await bucketsById(again);
    for (const id of [1, 3, 4]) assert.equal(after.get(id), before.get(id), `key ${id} stays in its bucket`);
    // Bucket 0 was full (3 keys); key 5 joins bucket 1 next to key 4. Only bucket 1's index file changed.
    assert.equal(after.get(5), 1);
    const secondIndex = await hashEntries(again);
    assert.equal(secondIndex.get(0)!.fileName, firstIndex.get(0)!.fileName);
    assert.notEqual(secondIndex.get(1)!.fileName, firstIndex.get(1)!.fileName);
    assert.equal(secondIndex.get(1)!.rowCount, 2);
    // The same writer keeps assigning from memory across its own commits.
    const w = again.newWrite();
    w.write(batchFromRows(ROWS, [[6, 'a', 'x']]));
    await w.commit();
    w.write(batchFromRows(ROWS, [[7, 'a', 'y'], [6, 'a', 'z']]));
    await w.commit();
    const last = await bucketsById(again);
    assert.equal(last.get(6), 1);
    assert.equal(last.get(7), 2);
    assert.equal((await readRows(again)).length, 6);
  });

  it('indexes each partition on its own', async () => {
    const store = new MemoryObjectStore('dyn-parts');
    const t = await create(store, 't', { 'dynamic-bucket.target-row-num': '1' });
    await write(t, [[1, 'a', 'x'], [1, 'b', 'y'], [2, 'b', 'z']]);
    const byPartition = new Map<string, number[]>();
    for (const split of await t.plan()) byPartition.set(String(split.partitionValues[0]), [...(byPartition.get(String(split.partitionValues[0])) ?? []), split.bucket]);
    assert.deepEqual(byPartition.get('a'), [0]);
    assert.deepEqual(byPartition.get('b')!.sort(), [0, 1]);
    assert.equal((await t.indexEntries((await t.latestSnapshot())!)).length, 3);
  });

  it('gives parallel assigners disjoint buckets', async () => {
    const store = new MemoryObjectStore('dyn-par');
    const t = await create(store, 't', { 'dynamic-bucket.target-row-num': '2' });
    const w0 = t.newWrite({ assigner: { assignId: 0, numAssigners: 2 } });
    const w1 = t.newWrite({ assigner: { assignId: 1, numAssigners: 2 } });
    w0.write(batchFromRows(ROWS, [1, 2, 3, 4, 5].map((id) => [id, 'a', 'w0'])));
    w1.write(batchFromRows(ROWS, [11, 12, 13].map((id) => [id, 'a', 'w1'])));
    const p0 = await w0.prepareAndDetachAll();
    const p1 = await w1.prepareAndDetachAll();
    assert.deepEqual([...new Set(p0.entries.map((e) => e.bucket))].sort(), [0, 2, 4]);
    assert.deepEqual([...new Set(p1.entries.map((e) => e.bucket))].sort(), [1, 3]);
    await commitEntries(t, { commitUser: 'u', identifier: BATCH_COMMIT_IDENTIFIER, idempotent: false, kind: 'APPEND', entries: [...p0.entries, ...p1.entries], indexChanges: [...p0.indexChanges, ...p1.indexChanges] });
    assert.deepEqual([...(await hashEntries(t)).keys()].sort(), [0, 1, 2, 3, 4]);
    // prepareAndDetach would lose the index changes of a dynamic table: it refuses, keeping the files.
    const w = t.newWrite();
    w.write(batchFromRows(ROWS, [[99, 'a', 'x']]));
    await assert.rejects(w.prepareAndDetach(), { code: 'INTERNAL' });
    await w.commit();
    assert.equal((await readRows(t)).length, 9);
  });

  it('respects max-buckets: past the limit new keys join existing buckets', async () => {
    const store = new MemoryObjectStore('dyn-max');
    const t = await create(store, 't', { 'dynamic-bucket.target-row-num': '1', 'dynamic-bucket.max-buckets': '2' });
    await write(t, [1, 2, 3, 4, 5].map((id) => [id, 'a', 'x']));
    const buckets = await bucketsById(t);
    assert.deepEqual([...new Set(buckets.values())].sort(), [0, 1]);
    assert.equal((await readRows(t)).length, 5);
    await assert.rejects(create(store, 'bad', { 'dynamic-bucket.max-buckets': '0' }), { code: 'LAKE.BAD_TABLE_SPEC' });
    await assert.rejects(create(store, 'bad2', { 'dynamic-bucket.target-row-num': 'many' }), { code: 'LAKE.BAD_TABLE_SPEC', message: /target-row-num/ });
  });

  it('routes keys by a channel of their hash (the bucket assigner of the SQL sink)', async () => {
    const store = new MemoryObjectStore('dyn-route');
    const t = await create(store, 't');
    const a = new PaimonBucketAssigner(t);
    assert.equal(a.dynamic, true);
    const channels = a.assign(batchFromRows(ROWS, [[1, 'a', 'x'], [1, 'b', 'y'], [2, 'a', null]]));
    assert.equal(channels[0], Math.abs(keyHash(1) % DYNAMIC_BUCKET_CHANNELS));
    assert.equal(channels[1], channels[0], 'the channel depends on the key only; the exchange adds the partition');
    assert.equal(channels[2], Math.abs(keyHash(2) % DYNAMIC_BUCKET_CHANNELS));
  });

  it('keep deletion-vector index entries when hash entries change', async () => {
    const part = new Uint8Array([0, 0, 0, 0]);
    const e = (bucket: number, type: string, fileName: string): IndexManifestEntry => ({ kind: FileKind.ADD, partition: part, bucket, indexType: type, fileName, fileSize: 4, rowCount: 1, deletionVectorRanges: type === 'HASH' ? null : [], externalPath: null });
    const merged = applyIndexChanges([e(0, 'DELETION_VECTORS', 'dv0'), e(0, 'HASH', 'h0'), e(1, 'HASH', 'h1')], [e(0, 'HASH', 'h0a'), e(0, 'HASH', 'h0b'), e(2, 'HASH', 'h2')]);
    assert.deepEqual(merged.map((x) => x.fileName), ['dv0', 'h1', 'h0b', 'h2']);
    // End to end: a deletion-vector entry in the table survives a dynamic-bucket commit.
    const store = new MemoryObjectStore('dyn-dv');
    const t = await create(store, 't');
    await write(t, [[1, 'a', 'x']]);
    const hashPartition = (await hashEntries(t)).get(0)!.partition;
    await commitEntries(t, { commitUser: 'dv', identifier: BATCH_COMMIT_IDENTIFIER, idempotent: false, kind: 'APPEND', entries: [], indexChanges: [{ ...e(0, 'DELETION_VECTORS', 'dv-file'), partition: hashPartition }] });
    await write(t, [[2, 'a', 'y']]);
    const live = await t.indexEntries((await t.latestSnapshot())!);
    assert.deepEqual(live.map((x) => `${x.indexType}:${x.bucket}`).sort(), ['DELETION_VECTORS:0', 'HASH:0']);
    assert.ok(live.some((x) => x.fileName === 'dv-file'));
  });

  it('compaction keeps the index; expiration deletes only index files no retained snapshot uses', async () => {
    const store = new MemoryObjectStore('dyn-expire');
    const t = await create(store, 't');
    await write(t, [1, 2, 3, 4].map((id) => [id, 'a', 'v1']));
    const first = await hashEntries(t);
    await write(t, [[5, 'a', 'v2'], [1, 'a', 'v2']]);
    const second = await hashEntries(t);
    assert.notEqual(second.get(1)!.fileName, first.get(1)!.fileName);
    const compacted = await t.compact();
    assert.ok(compacted.committed);
    assert.equal((await t.latestSnapshot())!.indexManifest, (await t.snapshot(compacted.snapshotId! - 1)).indexManifest);
    assert.deepEqual(await readRows(t), [[1, 'a', 'v2'], [2, 'a', 'v1'], [3, 'a', 'v1'], [4, 'a', 'v1'], [5, 'a', 'v2']]);
    const firstManifest = (await t.snapshot(1)).indexManifest!;
    await expireSnapshots(t, { retainMax: 1 });
    const exists = async (key: string): Promise<boolean> => (await store.list('t/')).some((o) => o.key === key);
    assert.equal(await exists(`t/index/${first.get(0)!.fileName}`), true, 'bucket 0 index is still live');
    assert.equal(await exists(`t/index/${first.get(1)!.fileName}`), false, 'the replaced bucket 1 index is gone');
    assert.equal(await exists(`t/index/${second.get(1)!.fileName}`), true);
    assert.equal(await exists(`t/manifest/${firstManifest}`), false);
    // The table keeps working from the retained snapshot's index.
    await write(await openPaimonTable(store, 't'), [[3, 'a', 'v3'], [6, 'a', 'v3']]);
    const buckets = await bucketsById(t);
    assert.equal(buckets.get(3), 0);
    assert.equal(buckets.get(6), 1, 'bucket 1 (keys 4, 5) is not full yet');
    assert.equal((await readRows(t)).length, 6);
  });
});
