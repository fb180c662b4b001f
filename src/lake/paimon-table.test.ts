/**
 * Table-level behaviour on an in-memory store: snapshot hints, empty tables, errors, and that partition
 * and bucket filters prune what is read (the fixture tables are copied into a MemoryObjectStore).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedDataDir } from '../common/index.js';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MemoryObjectStore, type ObjectStore } from '../storage/index.js';
import { getRow } from '../types/index.js';
import { openPaimonTable, type PaimonTable } from './paimon-table.js';

const MOR = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/parquet/pk_table_scan_and_read_mor.db/pk_table_scan_and_read_mor');

async function copyInto(store: ObjectStore, dir: string, prefix: string): Promise<void> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) await copyInto(store, path, prefix);
    else await store.put(`${prefix}/${relative(MOR, path)}`, readFileSync(path));
  }
}

/** Counts object reads by key prefix. */
function counting(store: ObjectStore): { store: ObjectStore; reads: string[] } {
  const reads: string[] = [];
  const wrapped: ObjectStore = Object.create(store) as ObjectStore;
  (wrapped as { get: ObjectStore['get'] }).get = (key: string) => {
    reads.push(key);
    return store.get(key);
  };
  return { store: wrapped, reads };
}

async function rows(table: PaimonTable, snapshot?: number, options?: Parameters<PaimonTable['readSnapshot']>[1]): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const b of table.readSnapshot(snapshot, options)) for (let i = 0; i < b.numRows; i++) out.push(getRow(b, i, table.rowType));
  return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

test('snapshot hints: a stale or missing LATEST/EARLIEST falls back to listing', async () => {
  const store = new MemoryObjectStore('lake-hints');
  await copyInto(store, MOR, 't');
  const table = await openPaimonTable(store, 't');
  assert.equal(await table.latestSnapshotId(), 5);
  await store.put('t/snapshot/LATEST', new TextEncoder().encode('2'));
  assert.equal(await table.latestSnapshotId(), 5, 'snapshot-3 exists, so the hint is stale');
  await store.delete('t/snapshot/LATEST');
  await store.delete('t/snapshot/EARLIEST');
  assert.equal(await table.latestSnapshotId(), 5);
  assert.equal(await table.earliestSnapshotId(), 1);
  await store.delete('t/snapshot/snapshot-1');
  assert.equal(await table.earliestSnapshotId(), 2);
  assert.equal((await table.latestSnapshot())?.commitKind, 'APPEND');
  await assert.rejects(table.snapshot(1), (e: Error & { code?: string }) => e.code === 'LAKE.SNAPSHOT_NOT_FOUND');
  assert.equal((await rows(table)).length, 11);
});

test('a table without snapshots reads as empty', async () => {
  const store = new MemoryObjectStore('lake-empty');
  await store.put('db.db/t/schema/schema-0', readFileSync(join(MOR, 'schema/schema-0')));
  const table = await openPaimonTable(store, 'db.db/t/');
  assert.equal(await table.latestSnapshotId(), undefined);
  assert.deepEqual(await table.snapshots(), []);
  assert.deepEqual(await table.plan(), []);
  assert.deepEqual(await rows(table), []);
  assert.deepEqual(table.partitionKeys, ['f1']);
  assert.throws(() => table.schema(9), (e: Error & { code?: string }) => e.code === 'LAKE.SCHEMA_NOT_FOUND');
});

test('partition filter skips manifests and data files of other partitions', async () => {
  const base = new MemoryObjectStore('lake-prune');
  await copyInto(base, MOR, 't');
  const all = await rows(await openPaimonTable(base, 't'));
  const { store, reads } = counting(base);
  const table = await openPaimonTable(store, 't');
  reads.length = 0;
  const p20 = await rows(table, undefined, { partitionFilter: { f1: 20 } });
  assert.deepEqual(p20, all.filter((r) => r[1] === 20));
  assert.ok(p20.length > 0);
  assert.ok(reads.every((k) => !k.includes('f1=10/')), 'no data file of partition f1=10 is read');
  reads.length = 0;
  assert.deepEqual(await rows(table, undefined, { partitionFilter: { f1: 99 } }), []);
  assert.ok(!reads.some((k) => /manifest\/manifest-(?!list)/.test(k)), 'partition stats rule out every manifest');
});

test('bucket filter reads only the bucket the bucket key hashes to', async () => {
  const store = new MemoryObjectStore('lake-bucket');
  await copyInto(store, MOR, 't');
  const table = await openPaimonTable(store, 't');
  const all = await rows(table);
  for (const f2 of [0, 1]) {
    const splits = await table.plan(undefined, { bucketFilter: { f2 } });
    assert.equal(new Set(splits.map((s) => s.bucket)).size, 1);
    const got = await rows(table, undefined, { bucketFilter: { f2 } });
    assert.deepEqual(got, all.filter((r) => r[2] === f2), 'every row with this bucket key and no other');
  }
  await assert.rejects(table.plan(undefined, { bucketFilter: { f0: 'x' } }), (e: Error & { code?: string }) => e.code === 'LAKE.INCOMPLETE_BUCKET_FILTER');
});
