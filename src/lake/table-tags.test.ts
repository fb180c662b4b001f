/**
 * Tags, rollback and orphan-file removal on tables written by Floe: the on-disk form of tag files,
 * reads of a tag after more commits and after its snapshot expired, and that every operation that
 * deletes files keeps exactly what a snapshot or tag still needs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import { MemoryObjectStore } from '../storage/index.js';
import { RowKind } from '../types/index.js';
import { parseTag, tagTextAsSnapshot } from './table-tags.js';
import { commitKv, kvTable, readRows, storeKeys, tagRows } from './write-test-support.js';


const code = (c: string) => (e: unknown) => e instanceof FloeError && e.code === c;





describe('tags', () => {
  it('creates a tag of the latest snapshot as the snapshot JSON, reads it after more commits', async () => {
    const store = new MemoryObjectStore('tags-1');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a'], [2, 'b']]);
    const tag = await t.createTag('v1');
    assert.equal(tag.snapshot.id, 1);
    assert.equal(tag.createTime, undefined);
    assert.equal(tag.timeRetainedMs, undefined);
    // Without a retention time the tag file is the snapshot file, byte for byte (Paimon's choice).
    assert.deepEqual(await store.get('t/tag/tag-v1'), await store.get('t/snapshot/snapshot-1'));
    await commitKv(t, [[1, 'a2'], [3, 'c']]);
    await commitKv(t, [[2, 'b']], [RowKind.DELETE]);
    assert.deepEqual(await readRows(t), [[1, 'a2'], [3, 'c']]);
    assert.deepEqual(await tagRows(t, 'v1'), [[1, 'a'], [2, 'b']]);
    assert.deepEqual((await t.tags()).map((x) => [x.name, x.snapshot.id]), [['v1', 1]]);
  });

  it('writes tagCreateTime and tagTimeRetained as Jackson does, and reads them back', async () => {
    const store = new MemoryObjectStore('tags-2');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a']]);
    await commitKv(t, [[2, 'b']]);
    const now = new Date(2026, 0, 3, 5, 7, 9, 11).getTime(); // local time, as LocalDateTime.now()
    const tag = await t.createTag('kept', { snapshotId: 1, timeRetainedMs: 36 * 3600_000 + 500, now });
    const text = new TextDecoder().decode(await store.get('t/tag/tag-kept'));
    assert.match(text, /"tagCreateTime" : \[ 2026, 1, 3, 5, 7, 9, 11000000 \]/);
    assert.match(text, /"tagTimeRetained" : 129600\.500000000\n}$/);
    assert.equal(tag.snapshot.id, 1);
    assert.equal(tag.createTime, Date.UTC(2026, 0, 3, 5, 7, 9, 11));
    assert.equal(tag.timeRetainedMs, 129600500);
    // The commit identifier (Long.MAX_VALUE) survives exactly: the text was not re-printed.
    assert.equal(tag.snapshot.commitIdentifier, 9223372036854775807n);
    // Stripping the tag fields gives back the snapshot file.
    assert.equal(tagTextAsSnapshot(text), new TextDecoder().decode(await store.get('t/snapshot/snapshot-1')));
  });

  it('reads a tag file written by Paimon Java (LocalDateTime without seconds, Duration in seconds)', () => {
    const text = `{
  "version" : 3,
  "id" : 7,
  "schemaId" : 0,
  "baseManifestList" : "manifest-list-a-0",
  "deltaManifestList" : "manifest-list-a-1",
  "changelogManifestList" : null,
  "commitUser" : "u",
  "commitIdentifier" : 9223372036854775807,
  "commitKind" : "APPEND",
  "timeMillis" : 1711692199281,
  "logOffsets" : { },
  "totalRecordCount" : 3,
  "deltaRecordCount" : 3,
  "changelogRecordCount" : 0,
  "tagCreateTime" : [ 2026, 1, 3, 5, 7 ],
  "tagTimeRetained" : 4.000000000
}`;
    const tag = parseTag('x', text, 'tag-x');
    assert.equal(tag.snapshot.id, 7);
    assert.equal(tag.createTime, Date.UTC(2026, 0, 3, 5, 7));
    assert.equal(tag.timeRetainedMs, 4000);
    assert.doesNotMatch(tagTextAsSnapshot(text), /tag/);
  });

  it('refuses an existing name, a missing snapshot, bad names and a table without snapshots', async () => {
    const store = new MemoryObjectStore('tags-3');
    const t = await kvTable(store);
    await assert.rejects(t.createTag('v0'), code('LAKE.NO_SNAPSHOT'));
    await commitKv(t, [[1, 'a']]);
    await t.createTag('v1');
    await assert.rejects(t.createTag('v1'), code('LAKE.TAG_EXISTS'));
    await assert.rejects(t.createTag('v2', { snapshotId: 9 }), code('LAKE.SNAPSHOT_NOT_FOUND'));
    await assert.rejects(t.createTag('  '), code('LAKE.INVALID_TAG_NAME'));
    await assert.rejects(t.createTag('123'), code('LAKE.INVALID_TAG_NAME'));
    await assert.rejects(t.createTag('a/b'), code('LAKE.INVALID_TAG_NAME'));
    await assert.rejects(t.tag('nope'), code('LAKE.TAG_NOT_FOUND'));
    await assert.rejects(t.deleteTag('nope'), code('LAKE.TAG_NOT_FOUND'));
  });

  it('deleting the tag of a live snapshot deletes only the tag file', async () => {
    const store = new MemoryObjectStore('tags-4');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a']]);
    await t.createTag('v1');
    const before = await storeKeys(store, 't/');
    assert.deepEqual(await t.deleteTag('v1'), { deletedFiles: 0 });
    assert.deepEqual(await storeKeys(store, 't/'), before.filter((k) => k !== 't/tag/tag-v1'));
  });
});

describe('expiration with tags', () => {
  it('keeps every file of a tagged snapshot; deleting the tag then frees them', async () => {
    const store = new MemoryObjectStore('tags-expire');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a'], [2, 'b']]);
    await commitKv(t, [[1, 'a2']]);
    await t.createTag('two', { snapshotId: 2 });
    await commitKv(t, [[3, 'c']]);
    await t.compact();
    await commitKv(t, [[4, 'd']]);
    const result = await t.expireSnapshots({ retainMax: 1 });
    assert.deepEqual(result.expiredSnapshots, [1, 2, 3, 4]);
    assert.deepEqual(await t.snapshotIds(), [5]);
    // The tagged snapshot is gone as a snapshot but fully readable through its tag.
    assert.deepEqual(await tagRows(t, 'two'), [[1, 'a2'], [2, 'b']]);
    assert.deepEqual(await readRows(t), [[1, 'a2'], [2, 'b'], [3, 'c'], [4, 'd']]);
    const withTag = await storeKeys(store, 't/');
    const deleted = await t.deleteTag('two');
    assert.ok(deleted.deletedFiles > 0, 'the files only the tag kept are deleted with it');
    const after = await storeKeys(store, 't/');
    assert.ok(after.length < withTag.length);
    assert.deepEqual(await readRows(t), [[1, 'a2'], [2, 'b'], [3, 'c'], [4, 'd']], 'the latest snapshot is untouched');
    // Nothing left that no snapshot names.
    assert.deepEqual((await t.removeOrphanFiles({ olderThan: Infinity })).files, []);
  });
});

describe('rollback', () => {
  it('to a snapshot id: newer snapshots, their tags and files go, LATEST names the target', async () => {
    const store = new MemoryObjectStore('rollback-1');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a']]);
    await t.createTag('one');
    await commitKv(t, [[2, 'b']]);
    await commitKv(t, [[3, 'c']]);
    await t.createTag('three');
    const filesAt2 = await storeKeys(store, 't/');
    const result = await t.rollbackTo({ snapshotId: 2 });
    assert.deepEqual(result.deletedSnapshots, [3]);
    assert.deepEqual(result.deletedTags, ['three']);
    assert.ok(result.deletedFiles >= 3, 'data file, manifests and manifest lists of snapshot 3');
    assert.deepEqual(await t.snapshotIds(), [1, 2]);
    assert.equal(new TextDecoder().decode(await store.get('t/snapshot/LATEST')), '2');
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b']]);
    assert.deepEqual((await t.tags()).map((x) => x.name), ['one']);
    const after = await storeKeys(store, 't/');
    for (const k of after) assert.ok(filesAt2.includes(k));
    // New commits continue from snapshot 3 again.
    await commitKv(t, [[9, 'z']]);
    assert.deepEqual(await t.snapshotIds(), [1, 2, 3]);
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b'], [9, 'z']]);
    await assert.rejects(t.rollbackTo({ snapshotId: 7 }), code('LAKE.SNAPSHOT_NOT_FOUND'));
  });

  it('to a tag whose snapshot expired: the snapshot file is restored from the tag', async () => {
    const store = new MemoryObjectStore('rollback-2');
    const t = await kvTable(store);
    await commitKv(t, [[1, 'a']]);
    await commitKv(t, [[2, 'b']]);
    await t.createTag('two', { timeRetainedMs: 3600_000 });
    await commitKv(t, [[3, 'c']]);
    await commitKv(t, [[4, 'd']]);
    await t.expireSnapshots({ retainMax: 1 });
    assert.deepEqual(await t.snapshotIds(), [4]);
    const result = await t.rollbackTo({ tag: 'two' });
    assert.deepEqual(result.deletedSnapshots, [4]);
    assert.deepEqual(await t.snapshotIds(), [2]);
    assert.equal(new TextDecoder().decode(await store.get('t/snapshot/EARLIEST')), '2');
    assert.equal(new TextDecoder().decode(await store.get('t/snapshot/LATEST')), '2');
    assert.doesNotMatch(new TextDecoder().decode(await store.get('t/snapshot/snapshot-2')), /tagCreateTime/);
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b']]);
    assert.deepEqual((await t.removeOrphanFiles({ olderThan: Infinity })).files, [], 'the rollback left no garbage');
    await assert.rejects(t.rollbackTo({ tag: 'gone' }), code('LAKE.TAG_NOT_FOUND'));
  });
});

