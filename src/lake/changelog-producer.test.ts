/**
 * Changelog producers `input` and `lookup` on an in-memory store: the changelog files each writes
 * (names, layout, manifest entries, snapshot fields), their records for every merge engine (inserts,
 * updates, deletes, NULLs, several buckets and partitions, compactions in between), a random history
 * whose folded changelog equals the batch read, and snapshot expiration of changelog files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import { MemoryObjectStore } from '../storage/index.js';
import { ROW_KIND_SHORT, RowKind, Types, batchFromRows, getRow, rowKindAt, type RowType } from '../types/index.js';
import { decodeManifest, decodeManifestList, FileKind } from './manifest.js';
import type { PaimonTable } from './paimon-table.js';
import { createPaimonTable } from './table-create.js';
import { readRows, sortRows } from './write-test-support.js';

const ROW: RowType = {
  fields: [
    { name: 'id', type: Types.bigint(false) },
    { name: 'dt', type: Types.string(false) },
    { name: 'name', type: Types.string() },
    { name: 'amount', type: Types.decimal(10, 2) },
    { name: 'ts', type: Types.timestamp(3) },
  ],
};
type Row = [number, string, string | null, bigint | null, number | null];

let counter = 0;
async function newTable(options: Record<string, string>, partitioned = true): Promise<PaimonTable> {
  const store = new MemoryObjectStore(`changelog-${++counter}`);
  return createPaimonTable(store, 'db.db/t', {
    fields: ROW,
    primaryKeys: partitioned ? ['id', 'dt'] : ['id'],
    partitionKeys: partitioned ? ['dt'] : [],
    options: { bucket: '2', ...options },
  });
}

async function write(table: PaimonTable, rows: Row[], kinds?: RowKind[]): Promise<void> {
  const w = table.newWrite();
  w.write(batchFromRows(ROW, rows, kinds));
  await w.commit();
}

const show = (kind: number, row: readonly unknown[]): string =>
  `${ROW_KIND_SHORT[kind]}${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;

/** The changelog records of snapshot `id` (all buckets), as `+I[...]` strings in file order. */
async function changelogOf(table: PaimonTable, id: number): Promise<string[]> {
  const out: string[] = [];
  for (const split of await table.changelogSplits(id)) {
    for await (const b of table.readChangelogSplit(split)) for (let r = 0; r < b.numRows; r++) out.push(show(rowKindAt(b, r), getRow(b, r, ROW)));
  }
  return out;
}

/** Every snapshot's changelog, folded into the table it describes; checks each retraction's before image. */
async function foldChangelog(table: PaimonTable): Promise<unknown[][]> {
  const state = new Map<string, unknown[]>();
  const keyOf = (row: readonly unknown[]): string => `${String(row[0])}/${String(row[1])}`;
  for (const id of await table.snapshotIds()) {
    for (const split of await table.changelogSplits(id)) {
      for await (const b of table.readChangelogSplit(split)) {
        for (let r = 0; r < b.numRows; r++) {
          const row = getRow(b, r, ROW);
          const kind = rowKindAt(b, r);
          if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
            state.set(keyOf(row), row);
          } else {
            assert.deepEqual(state.get(keyOf(row)), row, `snapshot ${id}: ${show(kind, row)} retracts the current row`);
            state.delete(keyOf(row));
          }
        }
      }
    }
  }
  return sortRows([...state.values()]);
}

describe("changelog-producer = 'input'", () => {
  it('writes the input records as received beside the data files and lists them in the changelog manifest list', async () => {
    const t = await newTable({ 'changelog-producer': 'input' });
    const rows: Row[] = [
      [1, 'a', 'x', 100n, 1000],
      [2, 'a', null, null, null],
      [1, 'a', 'x', 100n, 1000],
      [1, 'a', 'y', 250n, 2000],
      [3, 'b', 'z', -5n, 3000],
      [3, 'b', 'z', -5n, 3000],
    ];
    const kinds = [RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.INSERT, RowKind.DELETE];
    await write(t, rows, kinds);
    const s = (await t.latestSnapshot())!;
    assert.equal(s.commitKind, 'APPEND');
    assert.notEqual(s.changelogManifestList, undefined);
    assert.equal(s.changelogRecordCount, 6);
    const json = new TextDecoder().decode(await t.store.get('db.db/t/snapshot/snapshot-1'));
    assert.match(json, /"changelogManifestList" : "manifest-list-[0-9a-f-]+-\d+"/);
    assert.match(json, /"changelogManifestListSize" : \d+/);
    assert.match(json, /"changelogRecordCount" : 6/);
    // The changelog manifest: ADD entries of changelog-<uuid>-0.parquet files, level 0, file source APPEND.
    const listKey = `db.db/t/manifest/${s.changelogManifestList!}`;
    const metas = decodeManifestList(await t.store.get(listKey), listKey);
    assert.equal(metas.length, 1);
    const mKey = `db.db/t/manifest/${metas[0]!.fileName}`;
    const entries = decodeManifest(await t.store.get(mKey), mKey);
    assert.ok(entries.length >= 2, 'one changelog file per written bucket');
    for (const e of entries) {
      assert.equal(e.kind, FileKind.ADD);
      assert.match(e.file.fileName, /^changelog-[0-9a-f-]{36}-0\.parquet$/);
      assert.equal(e.file.level, 0);
      assert.equal(e.file.fileSource, 0);
    }
    assert.equal(entries.reduce((n, e) => n + e.file.rowCount, 0), 6);
    // Data files are not changelog files, and the changelog files are not live data.
    for (const e of await t.manifestEntries(s)) assert.match(e.file.fileName, /^data-/);
    // Records of a key in arrival order, every row kind kept.
    const log = await changelogOf(t, 1);
    assert.deepEqual(
      log.filter((l) => l.includes('[1,')),
      ['+I[1,"a","x","100n",1000]', '-U[1,"a","x","100n",1000]', '+U[1,"a","y","250n",2000]'],
    );
    assert.deepEqual(log.filter((l) => l.includes('[3,')), ['+I[3,"b","z","-5n",3000]', '-D[3,"b","z","-5n",3000]']);
    assert.deepEqual(log.filter((l) => l.includes('[2,')), ['+I[2,"a",null,null,null]']);
    // The data itself merges as before.
    assert.deepEqual(await readRows(t), [
      [1, 'a', 'y', 250n, 2000],
      [2, 'a', null, null, null],
    ]);
    assert.deepEqual(await foldChangelog(t), await readRows(t));
  });

  it('a compaction snapshot has no changelog; discarded writes delete their changelog files', async () => {
    const t = await newTable({ 'changelog-producer': 'input' });
    await write(t, [[1, 'a', 'x', 1n, 1]]);
    await write(t, [[1, 'a', 'y', 2n, 2]]);
    await t.compact();
    const s = (await t.latestSnapshot())!;
    assert.equal(s.commitKind, 'COMPACT');
    assert.equal(s.changelogManifestList, undefined);
    assert.equal(s.changelogRecordCount, 0);
    assert.deepEqual(await changelogOf(t, 2), ['+I[1,"a","y","2n",2]']);
    const before = (await t.store.list('db.db/t/dt=a/')).length;
    const w = t.newWrite();
    w.write(batchFromRows(ROW, [[5, 'a', 'q', null, null]]));
    await w.prepareCommit();
    assert.equal((await t.store.list('db.db/t/dt=a/')).length, before + 2, 'a data and a changelog file');
    await w.discard();
    assert.equal((await t.store.list('db.db/t/dt=a/')).length, before);
  });
});

describe("changelog-producer = 'lookup'", () => {
  it('deduplicate: +I, -U/+U (also for an unchanged row), -D; nothing for a key added and removed in one commit', async () => {
    const t = await newTable({ 'changelog-producer': 'lookup' });
    await write(t, [
      [1, 'a', 'x', 100n, 1000],
      [2, 'a', 'y', null, null],
      [3, 'b', null, 7n, 3000],
    ]);
    // Every commit is an APPEND followed by the COMPACT that carries the changelog.
    const snaps = await t.snapshots();
    assert.deepEqual(snaps.map((s) => s.commitKind), ['APPEND', 'COMPACT']);
    assert.equal(snaps[0]!.changelogManifestList, undefined);
    assert.equal(snaps[1]!.changelogRecordCount, 3);
    assert.deepEqual(sortRows((await changelogOf(t, 2)).map((l) => [l])).flat(), ['+I[1,"a","x","100n",1000]', '+I[2,"a","y",null,null]', '+I[3,"b",null,"7n",3000]']);
    const entries = await t.manifestEntries(snaps[1]!);
    assert.ok(entries.every((e) => e.file.level === 4 && e.file.fileSource === 1), 'compacted to the top level');
    // Changelog files: top level, file source APPEND.
    for (const split of await t.changelogSplits(2)) for (const f of split.files) assert.deepEqual([f.level, f.fileSource, /^changelog-/.test(f.fileName)], [4, 0, true]);

    await write(
      t,
      [
        [1, 'a', 'x', 100n, 1000],
        [2, 'a', 'y', null, null],
        [3, 'b', 'w', 8n, null],
        [9, 'a', 'n', null, null],
        [9, 'a', 'n', null, null],
      ],
      [RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT, RowKind.INSERT, RowKind.DELETE],
    );
    assert.deepEqual(sortRows((await changelogOf(t, 4)).map((l) => [l])).flat(), [
      '+U[1,"a","x","100n",1000]',
      '+U[3,"b","w","8n",null]',
      '-D[2,"a","y",null,null]',
      '-U[1,"a","x","100n",1000]',
      '-U[3,"b",null,"7n",3000]',
    ]);
    // Per key: -U comes right before its +U.
    const log = await changelogOf(t, 4);
    assert.equal(log.indexOf('+U[3,"b","w","8n",null]'), log.indexOf('-U[3,"b",null,"7n",3000]') + 1);
    assert.deepEqual(await foldChangelog(t), await readRows(t));
  });

  it("row-deduplicate: an unchanged row gives no -U/+U, also when only ignored fields changed", async () => {
    const t = await newTable({ 'changelog-producer': 'lookup', 'changelog-producer.row-deduplicate': 'true', 'changelog-producer.row-deduplicate-ignore-fields': 'ts' });
    await write(t, [
      [1, 'a', 'x', 1n, 1],
      [2, 'a', 'y', 2n, 2],
    ]);
    await write(t, [
      [1, 'a', 'x', 1n, 99],
      [2, 'a', 'z', 2n, 2],
    ]);
    assert.deepEqual(await changelogOf(t, 4), ['-U[2,"a","y","2n",2]', '+U[2,"a","z","2n",2]']);
    // The data still holds the new ts of key 1.
    assert.deepEqual(await readRows(t), [
      [1, 'a', 'x', 1n, 99],
      [2, 'a', 'z', 2n, 2],
    ]);
  });

  it('partial-update: -U the merged row before, +U the merged row after; NULLs do not overwrite', async () => {
    const t = await newTable({ 'changelog-producer': 'lookup', 'merge-engine': 'partial-update' });
    await write(t, [
      [1, 'a', 'x', null, null],
      [1, 'a', null, 5n, null],
    ]);
    assert.deepEqual(await changelogOf(t, 2), ['+I[1,"a","x","5n",null]']);
    await write(t, [
      [1, 'a', null, null, 7000],
      [2, 'b', null, 1n, null],
    ]);
    assert.deepEqual(sortRows((await changelogOf(t, 4)).map((l) => [l])).flat(), ['+I[2,"b",null,"1n",null]', '+U[1,"a","x","5n",7000]', '-U[1,"a","x","5n",null]']);
    assert.deepEqual(await foldChangelog(t), await readRows(t));
  });

  it('partial-update with remove-record-on-delete: -D of the merged row', async () => {
    const t = await newTable({ 'changelog-producer': 'lookup', 'merge-engine': 'partial-update', 'partial-update.remove-record-on-delete': 'true' });
    await write(t, [[1, 'a', 'x', 3n, null]]);
    await write(t, [[1, 'a', null, null, null]], [RowKind.DELETE]);
    assert.deepEqual(await changelogOf(t, 4), ['-D[1,"a","x","3n",null]']);
    assert.deepEqual(await readRows(t), []);
  });

  it('first-row: +I only the first time a key appears; later rows and deletes give nothing', async () => {
    const t = await newTable({ 'changelog-producer': 'lookup', 'merge-engine': 'first-row' });
    await write(t, [
      [1, 'a', 'first', null, null],
      [1, 'a', 'second', null, null],
    ]);
    await write(t, [
      [1, 'a', 'third', null, null],
      [2, 'a', 'new', 1n, null],
    ]);
    await write(t, [[2, 'a', 'new', 1n, null]], [RowKind.DELETE]);
    const logs: string[][] = [];
    for (const s of await t.snapshots()) if (s.changelogManifestList !== undefined) logs.push(await changelogOf(t, s.id));
    assert.deepEqual(logs, [['+I[1,"a","first",null,null]'], ['+I[2,"a","new","1n",null]']]);
    assert.deepEqual(await foldChangelog(t), await readRows(t));
  });

  it('an explicit compaction of level-0 files (write-only writer) produces their changelog', async () => {
    const t = await newTable({ 'changelog-producer': 'lookup', 'write-only': 'true' });
    await write(t, [[1, 'a', 'x', null, null]]);
    await write(t, [[1, 'a', 'y', null, null]]);
    assert.deepEqual((await t.snapshots()).map((s) => s.commitKind), ['APPEND', 'APPEND']);
    await t.compact();
    // No higher level held key 1: it is new, with the merged value.
    assert.deepEqual(await changelogOf(t, 3), ['+I[1,"a","y",null,null]']);
    await write(t, [[1, 'a', 'z', null, null]]);
    await t.compact();
    assert.deepEqual(await changelogOf(t, 5), ['-U[1,"a","y",null,null]', '+U[1,"a","z",null,null]']);
  });

  it('random histories over several buckets and partitions: the folded changelog equals the batch read', async () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const engine of ['deduplicate', 'partial-update', 'first-row']) {
      for (const producer of ['lookup', 'input']) {
        if (producer === 'input' && engine !== 'deduplicate') continue; // input's changelog is the input: exact only for upserts
        const t = await newTable({ 'changelog-producer': producer, 'merge-engine': engine, bucket: '3', 'num-sorted-run.compaction-trigger': '3' });
        const live = new Map<string, Row>();
        for (let commit = 0; commit < 12; commit++) {
          const rows: Row[] = [];
          const kinds: RowKind[] = [];
          for (let i = 0; i < 1 + rand(15); i++) {
            const id = rand(20);
            const dt = ['a', 'b', 'c'][rand(3)]!;
            const k = `${id}/${dt}`;
            const old = live.get(k);
            const row: Row = [id, dt, rand(4) === 0 ? null : `n${rand(5)}`, rand(3) === 0 ? null : BigInt(rand(100)), rand(3) === 0 ? null : rand(5000)];
            if (engine === 'deduplicate' && old !== undefined && rand(4) === 0) {
              // Input-exact retractions: -D of the current row, or -U/+U.
              if (rand(2) === 0) {
                rows.push(old);
                kinds.push(RowKind.DELETE);
                live.delete(k);
              } else {
                rows.push(old, row);
                kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
                live.set(k, row);
              }
              continue;
            }
            rows.push(row);
            kinds.push(old === undefined ? RowKind.INSERT : RowKind.UPDATE_AFTER);
            if (engine === 'deduplicate' && old !== undefined) {
              rows.splice(rows.length - 1, 0, old);
              kinds.splice(kinds.length - 1, 0, RowKind.UPDATE_BEFORE);
            }
            live.set(k, row);
          }
          await write(t, rows, kinds);
          if (rand(4) === 0) await t.compact();
        }
        const rows = await readRows(t);
        assert.ok(rows.length > 10, `${engine} / ${producer}: ${rows.length} rows`);
        assert.deepEqual(await foldChangelog(t), rows, `${engine} / ${producer}`);
      }
    }
  });

  it('snapshot expiration deletes the changelog files of expired snapshots and keeps the rest readable', async () => {
    const t = await newTable({ 'changelog-producer': 'lookup' });
    for (let i = 0; i < 4; i++) await write(t, [[i % 2, 'a', `v${i}`, BigInt(i), null]]);
    const files = async (): Promise<string[]> => (await t.store.list('db.db/t/dt=a/')).map((o) => o.key).filter((k) => /\/changelog-/.test(k));
    assert.equal((await files()).length, 4);
    const result = await t.expireSnapshots({ retainMax: 3 });
    assert.deepEqual(result.expiredSnapshots, [1, 2, 3, 4, 5]);
    const left = await files();
    // Retained: 6 (COMPACT of the third write), 7 (APPEND, none), 8 (COMPACT of the fourth): every changelog
    // file left belongs to one of them.
    const named = new Set<string>();
    for (const id of await t.snapshotIds()) for (const split of await t.changelogSplits(id)) for (const f of split.files) named.add(t.dataFileKey(split, f));
    assert.deepEqual(left.sort(), [...named].sort());
    assert.equal(left.length, 2);
    assert.deepEqual(await changelogOf(t, 8), ['-U[1,"a","v1","1n",null]', '+U[1,"a","v3","3n",null]']);
    // Manifests of expired changelogs are gone too.
    const lists = (await t.store.list('db.db/t/manifest/')).map((o) => o.key);
    for (const s of await t.snapshots()) if (s.changelogManifestList !== undefined) assert.ok(lists.includes(`db.db/t/manifest/${s.changelogManifestList}`));
  });
});

describe('changelog-producer options', () => {
  it("refuses 'full-compaction', unknown values, and producers on tables without primary key", async () => {
    const store = new MemoryObjectStore(`changelog-opts-${++counter}`);
    const isCode = (c: string) => (e: unknown) => e instanceof FloeError && e.code === c;
    await assert.rejects(
      createPaimonTable(store, 'db.db/f', { fields: ROW, primaryKeys: ['id'], options: { bucket: '1', 'changelog-producer': 'full-compaction' } }),
      (e: unknown) => isCode('LAKE.UNSUPPORTED_CHANGELOG_PRODUCER')(e) && /full-compaction.*not support/.test((e as Error).message),
    );
    await assert.rejects(createPaimonTable(store, 'db.db/u', { fields: ROW, primaryKeys: ['id'], options: { bucket: '1', 'changelog-producer': 'lookahead' } }), isCode('LAKE.BAD_CHANGELOG_PRODUCER'));
    await assert.rejects(createPaimonTable(store, 'db.db/a', { fields: ROW, options: { 'changelog-producer': 'input' } }), isCode('LAKE.CHANGELOG_PRODUCER_WITHOUT_PK'));
  });
});
