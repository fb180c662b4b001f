/**
 * Round trips against real Paimon tables: copies of Java-written fixture tables get commits, compactions
 * and expirations from Floe's writer, and the whole table (the Java rows plus ours) is read back. This
 * shows that our data files, manifests and snapshots coexist with Java's: same buckets for the same keys
 * (or deduplication would fail), same sequence-number ordering, manifests chained from Java's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { MemoryObjectStore } from '../storage/index.js';
import { RowKind, batchFromRows } from '../types/index.js';
import { decodeManifestList } from './manifest.js';
import { openPaimonTable } from './paimon-table.js';
import { copyDirInto, liveEntries, readRows, sortRows } from './write-test-support.js';

const DATA = join(sharedDataDir(), 'paimon-testdata');
const PARQUET = join(DATA, 'paimon-cpp/parquet');

function expectedLatest(name: string): unknown[][] {
  const doc = JSON.parse(readFileSync(join(DATA, 'expected', `${name}.json`), 'utf8')) as { snapshots: { rows: unknown[][] }[] };
  return doc.snapshots[doc.snapshots.length - 1]!.rows.map((r) => [...r]);
}

const LONG_KEY = 'Two roads diverged in a wood, and I took the one less traveled by, And that has made all the difference.';

describe('writing to Java-written Paimon tables', () => {
  it('primary-key merge-on-read table: updates, deletes and inserts merge with Java files', async () => {
    const store = new MemoryObjectStore('fixture-mor');
    const name = 'pk_table_scan_and_read_mor';
    await copyDirInto(store, join(PARQUET, `${name}.db`, name), 'db.db/mor');
    const t = await openPaimonTable(store, 'db.db/mor');
    const javaLatest = (await t.latestSnapshot())!;
    assert.deepEqual(await readRows(t), expectedLatest(name));
    const w = t.newWrite({ commitUser: 'floe-test' });
    w.write(
      batchFromRows(t.rowType, [
        ['Alice', 10, 1, 99.5],
        ['Bob', 10, 0, null],
        ['Zed', 20, 0, 1.25],
        [LONG_KEY, 10, 1, 12],
      ], [RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT, RowKind.UPDATE_AFTER]),
    );
    assert.deepEqual(await w.commit(1), { snapshotId: 6, committed: true });
    const expected = sortRows([
      ...expectedLatest(name)
        .filter((r) => r[0] !== 'Bob')
        .map((r) => (r[0] === 'Alice' ? ['Alice', 10, 1, 99.5] : r[0] === LONG_KEY ? [LONG_KEY, 10, 1, 12] : r)),
      ['Zed', 20, 0, 1.25],
    ]);
    assert.deepEqual(await readRows(t), expected);
    assert.deepEqual(await readRows(t, 5), expectedLatest(name), 'Java snapshots are untouched');
    // Our base manifest list is Java's base + delta manifests.
    const ours = await t.snapshot(6);
    const base = decodeManifestList(await store.get(`db.db/mor/manifest/${ours.baseManifestList}`), 'base').map((m) => m.fileName);
    const javaManifests = [javaLatest.baseManifestList, javaLatest.deltaManifestList].flatMap((l) =>
      decodeManifestList(readFileSync(join(PARQUET, `${name}.db`, name, 'manifest', l)), l).map((m) => m.fileName),
    );
    assert.deepEqual(base, javaManifests);
    assert.equal(ours.totalRecordCount, javaLatest.totalRecordCount! + 4);
    // Our rows went to the bucket directories Java chose for the same bucket-key values (Java put f2 = 1,
    // e.g. Alice, in bucket 0 and f2 = 0, e.g. Bob, in bucket 1); the deduplication above would also fail
    // otherwise. Zed (f2 = 0) opens partition f1=20's bucket 1.
    const dirs = async (pred: (key: string) => boolean): Promise<Set<string>> =>
      new Set((await store.list('db.db/mor/')).map((o) => o.key).filter((k) => k.endsWith('.parquet') && pred(k)).map((k) => k.slice(0, k.lastIndexOf('/'))));
    const javaFiles = new Set((await t.manifestEntries(javaLatest)).map((e) => e.file.fileName));
    const ourDirs = await dirs((k) => !javaFiles.has(k.slice(k.lastIndexOf('/') + 1)));
    assert.deepEqual([...ourDirs].sort(), ['db.db/mor/f1=10/bucket-0', 'db.db/mor/f1=10/bucket-1', 'db.db/mor/f1=20/bucket-1']);

    // Full compaction rewrites Java's files and ours together.
    const c = await t.compact();
    assert.equal(c.committed, true);
    assert.deepEqual(await readRows(t), expected);
    for (const e of await liveEntries(t)) assert.equal(e.file.level, 4);
    // Expire everything but the latest: the table stays readable and Java's old files are gone.
    const before = (await store.list('db.db/mor/')).filter((o) => o.key.endsWith('.parquet')).length;
    const ex = await t.expireSnapshots({ retainMax: 1 });
    assert.deepEqual(ex.expiredSnapshots, [1, 2, 3, 4, 5, 6]);
    const after = (await store.list('db.db/mor/')).filter((o) => o.key.endsWith('.parquet')).length;
    assert.equal(after, (await liveEntries(t)).length);
    assert.ok(after < before);
    assert.deepEqual(await readRows(t), expected);
  });

  it('deletion-vector table: our level-0 files become visible after compaction, with Java DVs applied', async () => {
    const store = new MemoryObjectStore('fixture-dv');
    const name = 'pk_table_scan_and_read_dv';
    await copyDirInto(store, join(PARQUET, `${name}.db`, name), 'dv');
    const t = await openPaimonTable(store, 'dv');
    assert.deepEqual(await readRows(t), expectedLatest(name));
    // All levels, DVs applied: what a full compaction must produce.
    const allLevels = await openPaimonTable(store, 'dv', { dynamicOptions: { 'deletion-vectors.enabled': 'false' } });
    const merged = await readRows(allLevels);
    const w = t.newWrite();
    w.write(batchFromRows(t.rowType, [['Emily', 10, 0, 7.5], ['Nina', 20, 1, 2.5]]));
    await w.commit();
    assert.deepEqual(await readRows(t), expectedLatest(name), 'level-0 files are not read for DV tables');
    await t.compact();
    const expected = sortRows([...merged.filter((r) => r[0] !== 'Emily'), ['Emily', 10, 0, 7.5], ['Nina', 20, 1, 2.5]]);
    assert.deepEqual(await readRows(t), expected);
  });

  it('bucket-unaware append table: our rows are appended to Java rows', async () => {
    const store = new MemoryObjectStore('fixture-append');
    const name = 'append_with_bitmap';
    await copyDirInto(store, join(PARQUET, `${name}.db`, name), 'a');
    const t = await openPaimonTable(store, 'a');
    const w = t.newWrite();
    w.write(batchFromRows(t.rowType, [['Zoe', 30, 2, 19.5], [null, null, null, null]]));
    assert.deepEqual(await w.commit(), { snapshotId: 2, committed: true });
    assert.deepEqual(await readRows(t), sortRows([...expectedLatest(name), ['Zoe', 30, 2, 19.5], [null, null, null, null]]));
    // Sequence numbers continue after Java's file (0..7).
    const ours = (await liveEntries(t)).find((e) => e.file.rowCount === 2)!;
    assert.deepEqual([ours.file.minSequenceNumber, ours.file.maxSequenceNumber], [8, 9]);
    await t.compact();
    assert.equal((await liveEntries(t)).length, 1);
    assert.equal((await readRows(t)).length, 10);
  });
});
