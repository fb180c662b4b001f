/**
 * INSERT OVERWRITE commits (`overwriteEntries`): which files an OVERWRITE snapshot deletes for an
 * unpartitioned table, a static partition (full or partial), dynamic partition overwrite on and off; the
 * delta manifest, record counts, time travel to the snapshot before, and a retry after a concurrent
 * commit deleting that commit's files too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import { MemoryObjectStore } from '../storage/index.js';
import { RowKind, Types, batchFromRows, type RowType } from '../types/index.js';
import { FileKind, decodeManifest, decodeManifestList } from './manifest.js';
import type { PaimonTable } from './paimon-table.js';
import { createPaimonTable } from './table-create.js';
import { BATCH_COMMIT_IDENTIFIER, commitEntries } from './table-commit.js';
import { overwriteEntries, type OverwriteRequest } from './table-overwrite.js';
import { liveEntries, readRows } from './write-test-support.js';

/** A store that runs `beforeSnapshot` (once) just before the first snapshot file after snapshot-1 is created. */
class RacingStore extends MemoryObjectStore {
  beforeSnapshot: (() => Promise<void>) | null = null;
  raced = false;

  override async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    const hook = this.beforeSnapshot;
    if (hook !== null && /snapshot\/snapshot-\d+$/.test(key) && !key.endsWith('snapshot-1')) {
      this.beforeSnapshot = null;
      this.raced = true;
      await hook();
    }
    return super.putIfAbsent(key, bytes);
  }
}

const rowType: RowType = { fields: [{ name: 'id', type: Types.int() }, { name: 'v', type: Types.string() }, { name: 'dt', type: Types.string() }, { name: 'hr', type: Types.int() }] };

async function table(partitionKeys: string[], options: Record<string, string> = {}, primaryKeys: string[] = []): Promise<PaimonTable> {
  return createPaimonTable(new MemoryObjectStore('ow'), 't', { fields: rowType, partitionKeys, primaryKeys, options: { bucket: primaryKeys.length > 0 ? '2' : '-1', ...options } });
}

async function append(t: PaimonTable, rows: unknown[][]): Promise<void> {
  const w = t.newWrite();
  w.write(batchFromRows(rowType, rows));
  await w.commit();
}

/** Writes `rows` as new files and commits them as an overwrite. */
async function overwrite(t: PaimonTable, rows: unknown[][], options: Partial<OverwriteRequest> = {}) {
  const w = t.newWrite();
  if (rows.length > 0) w.write(batchFromRows(rowType, rows));
  const entries = await w.prepareAndDetach();
  return overwriteEntries(t, { commitUser: 'ow-user', identifier: BATCH_COMMIT_IDENTIFIER, entries, staticPartition: {}, ...options });
}

const BASE = [[1, 'a', 'd1', 0], [2, 'b', 'd1', 1], [3, 'c', 'd2', 0], [4, 'd', 'd3', 0]];

describe('overwriteEntries', () => {
  it('replaces every file of an unpartitioned table in one OVERWRITE snapshot', async () => {
    const t = await table([]);
    await append(t, BASE.slice(0, 2));
    await append(t, BASE.slice(2));
    const before = await liveEntries(t);
    const r = await overwrite(t, [[9, 'z', 'x', 1]]);
    assert.deepEqual(r, { snapshotId: 3, committed: true });
    const snap = await t.snapshot(3);
    assert.equal(snap.commitKind, 'OVERWRITE');
    assert.equal(snap.totalRecordCount, 1);
    assert.equal(snap.deltaRecordCount, 1 - 4);
    assert.deepEqual(await readRows(t), [[9, 'z', 'x', 1]]);
    // The delta manifest deletes exactly the old files and adds the new one.
    const deltaList = decodeManifestList(await t.store.get(`t/manifest/${snap.deltaManifestList}`), 'delta');
    const entries = [];
    for (const m of deltaList) entries.push(...decodeManifest(await t.store.get(`t/manifest/${m.fileName}`), m.fileName));
    assert.deepEqual(entries.filter((e) => e.kind === FileKind.DELETE).map((e) => e.file.fileName).sort(), before.map((e) => e.file.fileName).sort());
    assert.equal(entries.filter((e) => e.kind === FileKind.ADD).length, 1);
    // Time travel to the snapshot before the overwrite still sees the old rows.
    assert.deepEqual(await readRows(t, 2), BASE);
  });

  it('empties an unpartitioned table when the new data is empty', async () => {
    const t = await table([]);
    await append(t, BASE);
    const r = await overwrite(t, []);
    assert.deepEqual(r, { snapshotId: 2, committed: true });
    assert.deepEqual(await readRows(t), []);
    assert.equal((await t.snapshot(2)).totalRecordCount, 0);
  });

  it('makes no snapshot when there is nothing to delete and nothing to add', async () => {
    const t = await table([]);
    assert.deepEqual(await overwrite(t, []), { snapshotId: undefined, committed: false });
    assert.equal(await t.latestSnapshotId(), undefined);
  });

  it('dynamic partition overwrite (the default) replaces only the partitions written', async () => {
    const t = await table(['dt']);
    await append(t, BASE);
    await overwrite(t, [[7, 'n', 'd1', 5], [8, 'm', 'd4', 0]]);
    assert.deepEqual(await readRows(t), [[3, 'c', 'd2', 0], [4, 'd', 'd3', 0], [7, 'n', 'd1', 5], [8, 'm', 'd4', 0]]);
    // Nothing written: nothing replaced, no snapshot.
    assert.deepEqual(await overwrite(t, []), { snapshotId: 2, committed: false });
  });

  it("'dynamic-partition-overwrite' = 'false' replaces the whole table", async () => {
    const t = await table(['dt'], { 'dynamic-partition-overwrite': 'false' });
    await append(t, BASE);
    await overwrite(t, [[7, 'n', 'd1', 5]]);
    assert.deepEqual(await readRows(t), [[7, 'n', 'd1', 5]]);
    // The request can decide too (the table option is only the default).
    await append(t, BASE.slice(2));
    await overwrite(t, [[8, 'm', 'd2', 0]], { dynamicPartitionOverwrite: true });
    assert.deepEqual(await readRows(t), [[4, 'd', 'd3', 0], [7, 'n', 'd1', 5], [8, 'm', 'd2', 0]]);
  });

  it('a full static partition is replaced even by an empty result', async () => {
    const t = await table(['dt']);
    await append(t, BASE);
    await overwrite(t, [], { staticPartition: { dt: 'd1' } });
    assert.deepEqual(await readRows(t), [[3, 'c', 'd2', 0], [4, 'd', 'd3', 0]]);
    assert.equal((await t.snapshot(2)).commitKind, 'OVERWRITE');
    await overwrite(t, [[5, 'e', 'd2', 9]], { staticPartition: { dt: 'd2' } });
    assert.deepEqual(await readRows(t), [[4, 'd', 'd3', 0], [5, 'e', 'd2', 9]]);
  });

  it('a partial static partition: the written partitions (dynamic), or every matching one (not dynamic)', async () => {
    const rows = [[1, 'a', 'd1', 0], [2, 'b', 'd1', 1], [3, 'c', 'd2', 0]];
    const dyn = await table(['dt', 'hr']);
    await append(dyn, rows);
    await overwrite(dyn, [[9, 'z', 'd1', 1]], { staticPartition: { dt: 'd1' } });
    assert.deepEqual(await readRows(dyn), [[1, 'a', 'd1', 0], [3, 'c', 'd2', 0], [9, 'z', 'd1', 1]]);
    const all = await table(['dt', 'hr'], { 'dynamic-partition-overwrite': 'false' });
    await append(all, rows);
    await overwrite(all, [[9, 'z', 'd1', 1]], { staticPartition: { dt: 'd1' } });
    assert.deepEqual(await readRows(all), [[3, 'c', 'd2', 0], [9, 'z', 'd1', 1]]);
  });

  it('NULL partition values: a static NULL matches only the NULL partition', async () => {
    const t = await table(['dt']);
    await append(t, [[1, 'a', null, 0], [2, 'b', 'd1', 0]]);
    await overwrite(t, [[3, 'c', null, 0]], { staticPartition: { dt: null } });
    assert.deepEqual(await readRows(t), [[2, 'b', 'd1', 0], [3, 'c', null, 0]]);
  });

  it('replaces a primary-key table: old keys are gone, not merged with the new rows', async () => {
    const t = await table([], {}, ['id']);
    await append(t, [[1, 'a', 'x', 0], [2, 'b', 'x', 0]]);
    await overwrite(t, [[2, 'B', 'x', 0], [3, 'c', 'x', 0]]);
    assert.deepEqual(await readRows(t), [[2, 'B', 'x', 0], [3, 'c', 'x', 0]]);
    // An update after the overwrite merges with the new rows only.
    const w = t.newWrite();
    w.write(batchFromRows(rowType, [[3, 'C', 'x', 0], [1, 'again', 'x', 0]], [RowKind.UPDATE_AFTER, RowKind.INSERT]));
    await w.commit();
    assert.deepEqual(await readRows(t), [[1, 'again', 'x', 0], [2, 'B', 'x', 0], [3, 'C', 'x', 0]]);
  });

  it('a retry after losing to a concurrent commit deletes that commit’s files too', async () => {
    const store = new RacingStore('race');
    const t = await createPaimonTable(store, 't', { fields: rowType, options: { bucket: '-1' } });
    await append(t, BASE.slice(0, 2));
    const w = t.newWrite();
    w.write(batchFromRows(rowType, [[9, 'z', 'x', 0]]));
    const entries = await w.prepareAndDetach();
    // When the overwrite is about to create snapshot 2, another writer takes it first.
    store.beforeSnapshot = async () => {
      const other = t.newWrite();
      other.write(batchFromRows(rowType, [[5, 'late', 'x', 0]]));
      await commitEntries(t, { commitUser: 'other', identifier: BATCH_COMMIT_IDENTIFIER, idempotent: false, kind: 'APPEND', entries: await other.prepareAndDetach() });
    };
    const r = await overwriteEntries(t, { commitUser: 'ow', identifier: BATCH_COMMIT_IDENTIFIER, entries, staticPartition: {} });
    assert.equal(store.raced, true);
    assert.deepEqual(r, { snapshotId: 3, committed: true });
    assert.equal((await t.snapshot(2)).commitUser, 'other');
    assert.deepEqual(await readRows(t), [[9, 'z', 'x', 0]]);
    assert.equal((await t.snapshot(3)).totalRecordCount, 1);
  });

  it('refuses a static partition on a column that is not a partition column, and new files outside it', async () => {
    const t = await table(['dt']);
    await assert.rejects(overwrite(t, [], { staticPartition: { hr: 1 } }), (e: unknown) => e instanceof FloeError && e.code === 'LAKE.NOT_A_PARTITION_COLUMN' && /partition columns: dt/.test(e.message));
    await assert.rejects(overwrite(t, [[1, 'a', 'd2', 0]], { staticPartition: { dt: 'd1' } }), (e: unknown) => e instanceof FloeError && e.kind === 'internal');
  });

  it("rejects a bad 'dynamic-partition-overwrite' value", async () => {
    const t = await table(['dt'], { 'dynamic-partition-overwrite': 'maybe' });
    await assert.rejects(overwrite(t, [[1, 'a', 'd1', 0]]), (e: unknown) => e instanceof FloeError && e.code === 'LAKE.BAD_OPTION');
  });
});
