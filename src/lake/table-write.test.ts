/**
 * The Paimon writer on an in-memory store: table creation (schema file bytes), append and primary-key
 * writes read back through the reader, file layout and statistics, the merge engines over several
 * commits, concurrent commits and idempotent (exactly-once) commits.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { sharedDataDir } from '../common/index.js';
import { MemoryObjectStore, type ObjectStore } from '../storage/index.js';
import { RowKind, Types, batchFromRows, getRow, type RowType } from '../types/index.js';
import { BinaryRowWriter, deserializeBinaryRow } from './binary-row.js';
import { bucketOfRow } from './bucket-hash.js';
import { decodeManifest, decodeManifestList } from './manifest.js';
import { formatMetadataJson } from './metadata-json.js';
import { createPaimonTable } from './table-create.js';
import { liveEntries, readRows } from './write-test-support.js';

const FIXTURES = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/parquet');
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const ORDERS: RowType = {
  fields: [
    { name: 'id', type: Types.bigint() },
    { name: 'name', type: Types.string() },
    { name: 'dt', type: Types.string() },
    { name: 'amount', type: Types.decimal(10, 2) },
    { name: 'ts', type: Types.timestamp(3) },
  ],
};

describe('createPaimonTable', () => {
  it('writes schema-0 in the JSON form Paimon prints', async () => {
    const store = new MemoryObjectStore('create');
    const t = await createPaimonTable(store, 'db.db/orders', { fields: ORDERS, primaryKeys: ['id', 'dt'], partitionKeys: ['dt'], options: { bucket: '4', 'merge-engine': 'deduplicate' } });
    const json = text(await store.get('db.db/orders/schema/schema-0'));
    const timeMillis = /"timeMillis" : (\d+)/.exec(json)![1];
    assert.equal(
      json,
      `{
  "version" : 3,
  "id" : 0,
  "fields" : [ {
    "id" : 0,
    "name" : "id",
    "type" : "BIGINT NOT NULL"
  }, {
    "id" : 1,
    "name" : "name",
    "type" : "STRING"
  }, {
    "id" : 2,
    "name" : "dt",
    "type" : "STRING NOT NULL"
  }, {
    "id" : 3,
    "name" : "amount",
    "type" : "DECIMAL(10, 2)"
  }, {
    "id" : 4,
    "name" : "ts",
    "type" : "TIMESTAMP(3)"
  } ],
  "highestFieldId" : 4,
  "partitionKeys" : [ "dt" ],
  "primaryKeys" : [ "id", "dt" ],
  "options" : {
    "bucket" : "4",
    "merge-engine" : "deduplicate",
    "file.format" : "parquet"
  },
  "timeMillis" : ${timeMillis}
}`,
    );
    assert.deepEqual(t.primaryKeys, ['id', 'dt']);
    assert.equal(t.numBuckets, 4);
    assert.equal(await t.latestSnapshot(), undefined);
  });

  it('prints metadata JSON byte-identical to Java-written fixture files', () => {
    for (const file of ['pk_table_scan_and_read_mor.db/pk_table_scan_and_read_mor/schema/schema-0', 'pk_table_scan_and_read_mor.db/pk_table_scan_and_read_mor/snapshot/snapshot-3', 'append_complex_data.db/append_complex_data/snapshot/snapshot-1']) {
      const original = readFileSync(join(FIXTURES, file), 'utf8');
      assert.equal(formatMetadataJson(JSON.parse(original)), original, file);
    }
  });

  it('keeps explicit field ids and rejects bad specs', async () => {
    const store = new MemoryObjectStore('create-bad');
    const t = await createPaimonTable(store, 't1', { fields: [{ id: 7, name: 'a', type: Types.int() }, { id: 3, name: 'b', type: Types.string() }] });
    assert.deepEqual(t.schema().fields.map((f) => f.id), [7, 3]);
    assert.equal(t.schema().highestFieldId, 7);
    await assert.rejects(createPaimonTable(store, 't1', { fields: ORDERS }), { code: 'LAKE.TABLE_EXISTS' });
    await assert.rejects(createPaimonTable(store, 't2', { fields: ORDERS, primaryKeys: ['id'], partitionKeys: ['dt'], options: { bucket: '2' } }), { code: 'LAKE.BAD_TABLE_SPEC' });
    // A primary-key table without 'bucket' is a dynamic-bucket table (Paimon's default); not in cross-partition mode.
    assert.equal((await createPaimonTable(store, 't3', { fields: ORDERS, primaryKeys: ['id'] })).numBuckets, -1);
    await assert.rejects(createPaimonTable(store, 't3b', { fields: ORDERS, primaryKeys: ['id'], partitionKeys: ['dt'] }), { code: 'LAKE.CROSS_PARTITION_UPDATE_UNSUPPORTED', message: /'dt'/ });
    await assert.rejects(createPaimonTable(store, 't3c', { fields: ORDERS, primaryKeys: ['id'], options: { bucket: '-2' } }), { code: 'LAKE.POSTPONE_BUCKET_UNSUPPORTED' });
    await assert.rejects(createPaimonTable(store, 't4', { fields: ORDERS, partitionKeys: ['nope'] }), { code: 'LAKE.BAD_TABLE_SPEC' });
    await assert.rejects(createPaimonTable(store, 't5', { fields: ORDERS, options: { 'file.format': 'orc' } }), { code: 'LAKE.UNSUPPORTED_FORMAT' });
    await assert.rejects(createPaimonTable(store, 't7', { fields: ORDERS, options: { bucket: '2' } }), { code: 'LAKE.BAD_TABLE_SPEC' });
    await assert.rejects(createPaimonTable(store, 't8', { fields: ORDERS, primaryKeys: ['id'], options: { bucket: '2', 'bucket-key': 'name' } }), { code: 'LAKE.BAD_TABLE_SPEC' });
    // TIMESTAMP(9) tables can be created (and read), but Floe cannot write their INT96 columns yet.
    const nanos = await createPaimonTable(store, 't6', { fields: [{ name: 'x', type: Types.timestamp(9) }] });
    assert.throws(() => nanos.newWrite(), { code: 'LAKE.UNSUPPORTED_WRITE_TYPE' });
  });
});

describe('append tables', () => {
  const rowType: RowType = { fields: [{ name: 'k', type: Types.int() }, { name: 's', type: Types.string() }, { name: 'd', type: Types.double() }, { name: 'p', type: Types.int() }] };

  it('writes bucket-unaware files and reads every row back over several commits', async () => {
    const store = new MemoryObjectStore('append');
    const t = await createPaimonTable(store, 'db.db/log', { fields: rowType, partitionKeys: ['p'] });
    const w = t.newWrite();
    w.write(batchFromRows(rowType, [[1, 'a', 1.5, 1], [2, null, null, 1], [1, 'a', 1.5, 1], [3, 'c', -0.0, 2]]));
    assert.deepEqual(await w.commit(), { snapshotId: 1, committed: true });
    w.write(batchFromRows(rowType, [[4, 'd', 4.5, 1]], [RowKind.UPDATE_AFTER]));
    assert.deepEqual(await w.commit(), { snapshotId: 2, committed: true });
    assert.deepEqual(await readRows(t), [[1, 'a', 1.5, 1], [1, 'a', 1.5, 1], [2, null, null, 1], [3, 'c', -0, 2], [4, 'd', 4.5, 1]]);
    assert.deepEqual(await readRows(t, 1), [[1, 'a', 1.5, 1], [1, 'a', 1.5, 1], [2, null, null, 1], [3, 'c', -0, 2]]);
    const keys = (await store.list('db.db/log/')).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
    assert.equal(keys.length, 3);
    assert.ok(keys.every((k) => /^db\.db\/log\/p=[12]\/bucket-0\/data-[0-9a-f-]{36}-0\.parquet$/.test(k)), keys.join());
    const entries = await liveEntries(t);
    const p1 = entries.filter((e) => deserializeBinaryRow(e.partition, [Types.int()], 'p')[0] === 1).sort((a, b) => a.file.minSequenceNumber - b.file.minSequenceNumber);
    // Sequence numbers continue per bucket across commits.
    assert.deepEqual(p1.map((e) => [e.file.minSequenceNumber, e.file.maxSequenceNumber]), [[0, 2], [3, 3]]);
    assert.ok(entries.every((e) => e.totalBuckets === -1 && e.bucket === 0 && e.file.level === 0));
    // Empty key rows, as Java writes them for append tables.
    assert.deepEqual(Array.from(p1[0]!.file.minKey), Array.from(new BinaryRowWriter(0).serialize()));
    const snap = await t.snapshot(2);
    assert.equal(snap.totalRecordCount, 5);
    assert.equal(snap.deltaRecordCount, 1);
    assert.equal(text(await store.get('db.db/log/snapshot/LATEST')), '2');
    assert.equal(text(await store.get('db.db/log/snapshot/EARLIEST')), '1');
  });

  it('rejects retractions unless ignore-delete; empty commits make no snapshot', async () => {
    const store = new MemoryObjectStore('append-retract');
    const t = await createPaimonTable(store, 'a', { fields: rowType });
    const w = t.newWrite();
    assert.throws(() => w.write(batchFromRows(rowType, [[1, 'a', 1, 1]], [RowKind.DELETE])), { code: 'LAKE.APPEND_ONLY_RETRACTION' });
    assert.deepEqual(await w.commit(), { snapshotId: undefined, committed: false });
    assert.throws(() => w.write(batchFromRows({ fields: rowType.fields.slice(1) }, [['a', 1, 1]])), { code: 'LAKE.WRITE_SCHEMA_MISMATCH' });
    const t2 = await createPaimonTable(store, 'b', { fields: rowType, options: { 'ignore-delete': 'true' } });
    const w2 = t2.newWrite();
    w2.write(batchFromRows(rowType, [[1, 'a', 1, 1], [2, 'b', 2, 2]], [RowKind.INSERT, RowKind.UPDATE_BEFORE]));
    await w2.commit();
    assert.deepEqual(await readRows(t2), [[1, 'a', 1, 1]]);
  });

  it('routes fixed-bucket append rows by the bucket key hash', async () => {
    const store = new MemoryObjectStore('append-bucket');
    const t = await createPaimonTable(store, 'b', { fields: rowType, options: { bucket: '3', 'bucket-key': 'k' } });
    const w = t.newWrite();
    const rows = Array.from({ length: 40 }, (_, i) => [i, `s${i}`, i / 2, i % 2]);
    w.write(batchFromRows(rowType, rows));
    await w.commit();
    const splits = await t.plan();
    assert.ok(splits.length > 1);
    let seen = 0;
    for (const split of splits) {
      assert.equal(split.totalBuckets, 3);
      for await (const b of t.readSplit(split)) {
        for (let r = 0; r < b.numRows; r++) {
          const bw = new BinaryRowWriter(1);
          bw.set(0, getRow(b, r, rowType)[0], Types.int());
          assert.equal(bucketOfRow(bw.bytes(), 3), split.bucket);
          seen++;
        }
      }
    }
    assert.equal(seen, 40);
    assert.equal((await readRows(t)).length, 40);
  });
});

describe('primary-key tables', () => {
  const kv: RowType = { fields: [{ name: 'id', type: Types.int() }, { name: 'p', type: Types.string() }, { name: 'name', type: Types.string() }, { name: 'v', type: Types.double() }] };

  async function pkTable(store: ObjectStore, options: Record<string, string> = {}): Promise<Awaited<ReturnType<typeof createPaimonTable>>> {
    return createPaimonTable(store, 'db.db/kv', { fields: kv, primaryKeys: ['id', 'p'], partitionKeys: ['p'], options: { bucket: '2', ...options } });
  }

  it('writes _KEY_/_SEQUENCE_NUMBER/_VALUE_KIND files sorted by key, with Paimon field ids and stats', async () => {
    const store = new MemoryObjectStore('pk-layout');
    const t = await pkTable(store);
    const w = t.newWrite();
    const long = 'two roads diverged in a wood, and I took the one less traveled by';
    w.write(batchFromRows(kv, [[5, 'x', long, 1], [3, 'x', 'c', null], [9, 'x', 'n', 2], [1, 'x', 'a', 3], [7, 'x', null, 4]], [0, 0, 3, 0, 0]));
    await w.commit();
    const entries = await liveEntries(t);
    for (const e of entries) {
      const [pv] = deserializeBinaryRow(e.partition, [Types.string(false)], 'partition');
      const key = `db.db/kv/p=${String(pv)}/bucket-${e.bucket}/${e.file.fileName}`;
      const bytes = await store.get(key);
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      assert.deepEqual(
        meta.schema.slice(1).map((s) => [s.name, s.field_id, s.repetition_type, s.type]),
        [
          ['_KEY_id', 1073741823, 'REQUIRED', 'INT32'],
          ['_SEQUENCE_NUMBER', 2147483646, 'REQUIRED', 'INT64'],
          ['_VALUE_KIND', 2147483645, 'REQUIRED', 'INT32'],
          ['id', 0, 'REQUIRED', 'INT32'],
          ['p', 1, 'REQUIRED', 'BYTE_ARRAY'],
          ['name', 2, 'OPTIONAL', 'BYTE_ARRAY'],
          ['v', 3, 'OPTIONAL', 'DOUBLE'],
        ],
      );
      assert.equal(meta.schema[3]!.converted_type, 'INT_8');
      assert.equal(meta.row_groups.length, 1);
      // Keys are trimmed (no partition column) and minKey/maxKey are the first/last key of the run.
      const keys = deserializeBinaryRow(e.file.minKey, [Types.int(false)], 'minKey');
      const maxKey = deserializeBinaryRow(e.file.maxKey, [Types.int(false)], 'maxKey');
      assert.ok((keys[0] as number) <= (maxKey[0] as number));
      assert.equal(e.file.keyStats!.nullCounts!.length, 1);
      assert.equal(e.file.valueStats!.nullCounts!.length, 4);
      assert.equal(e.bucket, (() => {
        const bw = new BinaryRowWriter(1);
        bw.set(0, keys[0], Types.int(false));
        return bucketOfRow(bw.bytes(), 2);
      })());
    }
    const all = entries.map((e) => e.file);
    assert.equal(all.reduce((n, f) => n + f.rowCount, 0), 5);
    assert.equal(all.reduce((n, f) => n + (f.deleteRowCount ?? 0), 0), 1);
    // truncate(16) value stats: the max of the long string is cut and its last character bumped.
    const stats = all.map((f) => deserializeBinaryRow(f.valueStats!.maxValues, kv.fields.map((x) => x.type), 'max'));
    assert.ok(stats.some((s) => s[2] === 'two roads diverh'), JSON.stringify(stats));
    assert.deepEqual(await readRows(t), [[1, 'x', 'a', 3], [3, 'x', 'c', null], [5, 'x', long, 1], [7, 'x', null, 4]]);
  });

  it('deduplicate: updates, -U/-D, repeated keys in one commit and across commits', async () => {
    const store = new MemoryObjectStore('pk-dedup');
    const t = await pkTable(store);
    const w = t.newWrite();
    w.write(batchFromRows(kv, [[1, 'x', 'a', 1], [2, 'x', 'b', 2], [3, 'y', 'c', 3], [1, 'x', 'a2', 10], [1, 'x', 'a3', 11]], [0, 0, 0, 2, 2]));
    await w.commit();
    assert.deepEqual(await readRows(t), [[1, 'x', 'a3', 11], [2, 'x', 'b', 2], [3, 'y', 'c', 3]]);
    // Three occurrences of key 1 → three sorted runs in its bucket.
    const runs = (await liveEntries(t)).filter((e) => e.file.rowCount > 0);
    assert.ok(runs.length >= 3);
    w.write(batchFromRows(kv, [[2, 'x', 'b', 2], [2, 'x', 'b2', 20], [3, 'y', 'c', 3]], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]));
    await w.commit();
    assert.deepEqual(await readRows(t), [[1, 'x', 'a3', 11], [2, 'x', 'b2', 20]]);
    const w2 = t.newWrite();
    w2.write(batchFromRows(kv, [[3, 'y', 'back', null], [1, 'x', null, null]], [0, 3]));
    await w2.commit();
    assert.deepEqual(await readRows(t), [[2, 'x', 'b2', 20], [3, 'y', 'back', null]]);
    assert.deepEqual(await readRows(t, 1), [[1, 'x', 'a3', 11], [2, 'x', 'b', 2], [3, 'y', 'c', 3]]);
    // Sequence numbers continue per bucket across commits and writers: files added after snapshot 1
    // start above the bucket's largest sequence number at snapshot 1.
    const bucketOf = (e: { partition: Uint8Array; bucket: number }): string => `${Array.from(e.partition).join()}/${e.bucket}`;
    const first = await t.manifestEntries(await t.snapshot(1));
    const maxAt1 = new Map<string, number>();
    for (const e of first) maxAt1.set(bucketOf(e), Math.max(maxAt1.get(bucketOf(e)) ?? -1, e.file.maxSequenceNumber));
    const firstNames = new Set(first.map((e) => e.file.fileName));
    const later = (await liveEntries(t)).filter((e) => !firstNames.has(e.file.fileName));
    assert.ok(later.length > 0);
    for (const e of later) assert.ok(e.file.minSequenceNumber > (maxAt1.get(bucketOf(e)) ?? -1), `${e.file.fileName} ${e.file.minSequenceNumber}`);
  });

  it('partial-update merges non-null fields of later commits', async () => {
    const store = new MemoryObjectStore('pk-partial');
    const t = await pkTable(store, { 'merge-engine': 'partial-update' });
    const w = t.newWrite();
    w.write(batchFromRows(kv, [[1, 'x', 'a', null], [2, 'x', null, 2]]));
    await w.commit();
    w.write(batchFromRows(kv, [[1, 'x', null, 1.5], [2, 'x', 'b', null], [1, 'x', 'a2', null]]));
    await w.commit();
    assert.deepEqual(await readRows(t), [[1, 'x', 'a2', 1.5], [2, 'x', 'b', 2]]);
  });

  it('first-row keeps the first row; batch reads see it after compaction (level 0 is skipped)', async () => {
    const store = new MemoryObjectStore('pk-first');
    const t = await pkTable(store, { 'merge-engine': 'first-row' });
    const w = t.newWrite();
    w.write(batchFromRows(kv, [[1, 'x', 'first', 1], [1, 'x', 'second', 2], [2, 'y', 'only', 3]]));
    await w.commit();
    assert.deepEqual(await readRows(t), []);
    const c = await t.compact();
    assert.equal(c.committed, true);
    assert.deepEqual(await readRows(t), [[1, 'x', 'first', 1], [2, 'y', 'only', 3]]);
    w.write(batchFromRows(kv, [[1, 'x', 'third', 9]]));
    await w.commit();
    await t.compact();
    assert.deepEqual(await readRows(t), [[1, 'x', 'first', 1], [2, 'y', 'only', 3]]);
  });

  it('rejects NULL keys without buffering any row of the batch', async () => {
    const t = await pkTable(new MemoryObjectStore('pk-null'));
    const w = t.newWrite();
    assert.throws(() => w.write(batchFromRows(kv, [[1, 'x', 'a', 1], [null, 'x', 'a', 1]])), { code: 'LAKE.NULL_PRIMARY_KEY' });
    assert.deepEqual(await w.commit(), { snapshotId: undefined, committed: false });
  });
});

describe('commits', () => {
  const rowType: RowType = { fields: [{ name: 'k', type: Types.int() }, { name: 'v', type: Types.string() }] };

  /** A store whose putIfAbsent results are counted. */
  function counting(store: ObjectStore): { store: ObjectStore; lost: string[] } {
    const lost: string[] = [];
    const wrapped = Object.create(store) as ObjectStore;
    (wrapped as { putIfAbsent: ObjectStore['putIfAbsent'] }).putIfAbsent = async (key, bytes) => {
      const ok = await store.putIfAbsent(key, bytes);
      if (!ok) lost.push(key);
      return ok;
    };
    return { store: wrapped, lost };
  }

  it('two concurrent commits: exactly one wins each snapshot id, the other retries as the next id', async () => {
    const { store, lost } = counting(new MemoryObjectStore('race'));
    const t = await createPaimonTable(store, 'r', { fields: rowType });
    const a = t.newWrite({ commitUser: 'A' });
    const b = t.newWrite({ commitUser: 'B' });
    a.write(batchFromRows(rowType, [[1, 'a']]));
    b.write(batchFromRows(rowType, [[2, 'b']]));
    const [ra, rb] = await Promise.all([a.commit(1), b.commit(1)]);
    assert.deepEqual([ra.snapshotId, rb.snapshotId].sort(), [1, 2]);
    assert.ok(ra.committed && rb.committed);
    assert.ok(lost.some((k) => k === 'r/snapshot/snapshot-1'), `the loser retried: ${lost.join()}`);
    const users = (await t.snapshots()).map((s) => s.commitUser).sort();
    assert.deepEqual(users, ['A', 'B']);
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b']]);
    // The loser's first manifest lists were removed: every list in the store belongs to a snapshot.
    const lists = (await store.list('r/manifest/manifest-list-')).map((o) => o.key.slice('r/manifest/'.length)).sort();
    const named = (await t.snapshots()).flatMap((s) => [s.baseManifestList, s.deltaManifestList]).sort();
    assert.deepEqual(lists, named);
  });

  it('many concurrent committers get distinct consecutive snapshots', async () => {
    const store = new MemoryObjectStore('race-many');
    const t = await createPaimonTable(store, 'r', { fields: rowType });
    const writers = Array.from({ length: 6 }, (_, i) => {
      const w = t.newWrite({ commitUser: `u${i}` });
      w.write(batchFromRows(rowType, [[i, `v${i}`]]));
      return w;
    });
    const results = await Promise.all(writers.map((w) => w.commit(1)));
    assert.deepEqual(results.map((r) => r.snapshotId).sort(), [1, 2, 3, 4, 5, 6]);
    assert.equal((await readRows(t)).length, 6);
    assert.equal((await t.latestSnapshot())!.totalRecordCount, 6);
  });

  it('commit(identifier) is idempotent per commit user (exactly-once recovery)', async () => {
    const store = new MemoryObjectStore('idem');
    const t = await createPaimonTable(store, 'i', { fields: rowType });
    const w = t.newWrite({ commitUser: 'sink-1' });
    w.write(batchFromRows(rowType, [[1, 'a']]));
    assert.deepEqual(await w.commit(5), { snapshotId: 1, committed: true });
    const filesBefore = (await store.list('i/')).length;
    // After a crash the sink replays checkpoint 5 with a fresh writer of the same commit user.
    const again = t.newWrite({ commitUser: 'sink-1' });
    again.write(batchFromRows(rowType, [[1, 'a']]));
    assert.deepEqual(await again.commit(5), { snapshotId: 1, committed: false });
    assert.equal((await store.list('i/')).length, filesBefore, 'a replayed commit leaves no files behind');
    again.write(batchFromRows(rowType, [[2, 'b']]));
    assert.deepEqual(await again.commit(6), { snapshotId: 2, committed: true });
    again.write(batchFromRows(rowType, [[3, 'c']]));
    assert.deepEqual(await again.commit(4), { snapshotId: 2, committed: false });
    // Another commit user is independent.
    const other = t.newWrite({ commitUser: 'sink-2' });
    other.write(batchFromRows(rowType, [[9, 'z']]));
    assert.deepEqual(await other.commit(5), { snapshotId: 3, committed: true });
    assert.deepEqual(await readRows(t), [[1, 'a'], [2, 'b'], [9, 'z']]);
    const s2 = await t.snapshot(2);
    assert.equal(s2.commitUser, 'sink-1');
    assert.equal(s2.commitIdentifier, 6n);
    // Batch commits use Long.MAX_VALUE, printed exactly.
    const batch = t.newWrite();
    batch.write(batchFromRows(rowType, [[4, 'd']]));
    await batch.commit();
    assert.match(text(await store.get('i/snapshot/snapshot-4')), /"commitIdentifier" : 9223372036854775807,/);
  });

  it('manifests and manifest lists decode with the Paimon field layout', async () => {
    const store = new MemoryObjectStore('layout');
    const t = await createPaimonTable(store, 'l', { fields: rowType, partitionKeys: ['k'] });
    const w = t.newWrite();
    w.write(batchFromRows(rowType, [[1, 'a'], [2, 'b']]));
    await w.commit();
    const s = (await t.latestSnapshot())!;
    const delta = decodeManifestList(await store.get(`l/manifest/${s.deltaManifestList}`), 'delta');
    assert.equal(delta.length, 1);
    assert.equal(delta[0]!.numAddedFiles, 2);
    assert.deepEqual([delta[0]!.minBucket, delta[0]!.maxBucket, delta[0]!.minLevel, delta[0]!.maxLevel], [0, 0, 0, 0]);
    assert.deepEqual(deserializeBinaryRow(delta[0]!.partitionStats!.minValues, [Types.int()], 'min'), [1]);
    assert.deepEqual(deserializeBinaryRow(delta[0]!.partitionStats!.maxValues, [Types.int()], 'max'), [2]);
    assert.deepEqual(decodeManifestList(await store.get(`l/manifest/${s.baseManifestList}`), 'base'), []);
    const entries = decodeManifest(await store.get(`l/manifest/${delta[0]!.fileName}`), 'm');
    assert.equal(entries.length, 2);
    assert.ok(entries.every((e) => e.kind === 0 && e.file.fileSource === 0 && e.file.schemaId === 0 && e.file.creationTime! > 0));
    assert.equal(s.baseManifestList.replace(/-\d+$/, ''), s.deltaManifestList.replace(/-\d+$/, ''));
  });
});
