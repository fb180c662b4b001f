/**
 * The continuous read of tables that write their changelog (`changelog-producer` = `input` / `lookup`):
 * it returns the records of each new snapshot's changelog files instead of a diff of merged rows, starts
 * from a full snapshot (a `lookup` table's without its level-0 files, whose changelog comes later) or
 * from the latest, and resumes exactly from a checkpoint position inside a changelog.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../../common/index.js';
import { createPaimonTable, openPaimonTable, type PaimonTable } from '../../lake/index.js';
import { createObjectStore } from '../../storage/index.js';
import { ROW_KIND_SHORT, RowKind, Types, batchFromRows, getRow, rowKindAt, type RowType } from '../../types/index.js';
import type { ConnectorContext, SplitReader } from '../connector.js';
import { paimonSource } from './paimon-source.js';

const ROW: RowType = { fields: [{ name: 'id', type: Types.bigint(false) }, { name: 'name', type: Types.string() }] };
let counter = 0;

async function newTable(options: Record<string, string>): Promise<{ table: PaimonTable; path: string; storeName: string }> {
  const storeName = `paimon-changelog-read-${process.pid}-${++counter}`;
  const table = await createPaimonTable(createObjectStore(`memory://${storeName}`), 'db.db/t', { fields: ROW, primaryKeys: ['id'], options: { bucket: '2', ...options } });
  return { table, path: `memory://${storeName}/db.db/t`, storeName };
}

function ctx(path: string, options: Record<string, string> = {}): ConnectorContext {
  const config: Record<string, string> = { 'execution.runtime-mode': 'streaming' };
  return { tableName: 'lake.db.t', options: { connector: 'paimon', path, 'continuous.discovery-interval': '0 ms', ...options }, physicalType: ROW, config: (k) => config[k] };
}

async function commit(table: PaimonTable, rows: [number, string | null][], kinds?: RowKind[]): Promise<void> {
  const w = table.newWrite();
  w.write(batchFromRows(ROW, rows, kinds));
  await w.commit();
}

async function drain(reader: SplitReader, maxRows = 1024): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const b = await reader.next(maxRows);
    assert.notEqual(b, null, 'a streaming read never ends');
    if (b!.numRows === 0) return out;
    for (let r = 0; r < b!.numRows; r++) out.push(`${ROW_KIND_SHORT[rowKindAt(b!, r)]}${JSON.stringify(getRow(b!, r, ROW))}`);
  }
}

async function reader(c: ConnectorContext): Promise<SplitReader> {
  const [split] = await paimonSource.createSplits(c, 1);
  return paimonSource.createReader(c, split!);
}

describe('paimon source, streaming read of changelog files', () => {
  it("input: each snapshot's input records as written, -U and repeated keys included", async () => {
    const { table, path } = await newTable({ 'changelog-producer': 'input' });
    await commit(table, [[1, 'a'], [2, 'b']]);
    const r = await reader(ctx(path));
    assert.deepEqual((await drain(r)).sort(), ['+I[1,"a"]', '+I[2,"b"]'], 'the full snapshot');
    await commit(table, [[1, 'a'], [1, 'x'], [1, 'y'], [2, 'b']], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.UPDATE_AFTER, RowKind.DELETE]);
    const log = await drain(r);
    // Not the diff (-U a, +U y, -D b): every input record, a key's records in order.
    assert.deepEqual(log.filter((l) => l.includes('[1,')), ['-U[1,"a"]', '+U[1,"x"]', '+U[1,"y"]']);
    assert.deepEqual(log.filter((l) => l.includes('[2,')), ['-D[2,"b"]']);
    await table.compact();
    assert.deepEqual(await drain(r), [], 'a compaction has no changelog');
    await r.close();
  });

  it('lookup: the full read leaves out level-0 files; their changelog comes with the compaction', async () => {
    const { table, path, storeName } = await newTable({ 'changelog-producer': 'lookup' });
    await commit(table, [[1, 'a']]);
    // A write-only writer leaves level-0 files for a later compaction.
    const writeOnly = await openPaimonTable(createObjectStore(`memory://${storeName}`), 'db.db/t', { dynamicOptions: { 'write-only': 'true' } });
    await commit(writeOnly, [[1, 'b'], [2, 'c']]);
    const r = await reader(ctx(path));
    assert.deepEqual(await drain(r), ['+I[1,"a"]'], 'the compacted rows only');
    await table.compact();
    assert.deepEqual((await drain(r)).sort(), ['+I[2,"c"]', '+U[1,"b"]', '-U[1,"a"]']);
    await commit(table, [[2, null]], [RowKind.DELETE]);
    assert.deepEqual(await drain(r), ['-D[2,"c"]']);
    await r.close();
  });

  it("lookup with scan.mode 'latest': only later changelogs; resumes exactly inside a changelog", async () => {
    const { table, path } = await newTable({ 'changelog-producer': 'lookup', bucket: '1' });
    await commit(table, [[1, 'a'], [2, 'b']]);
    const c = ctx(path, { 'scan.mode': 'latest' });
    const [split] = await paimonSource.createSplits(c, 1);
    const r1 = await paimonSource.createReader(c, split!);
    assert.deepEqual(await drain(r1), []);
    await commit(table, [[1, 'A'], [2, 'B'], [3, 'C']]);
    const first = await r1.next(3);
    const seen = Array.from({ length: first!.numRows }, (_, i) => `${ROW_KIND_SHORT[rowKindAt(first!, i)]}${JSON.stringify(getRow(first!, i, ROW))}`);
    const pos = r1.position!();
    await r1.close();
    const r2 = await paimonSource.createReader(c, split!, structuredClone(pos));
    assert.deepEqual([...seen, ...(await drain(r2))], ['-U[1,"a"]', '+U[1,"A"]', '-U[2,"b"]', '+U[2,"B"]', '+I[3,"C"]']);
  });

  it("refuses a table with changelog-producer 'full-compaction'", async () => {
    const { path, storeName } = await newTable({});
    // Set the option as a dynamic one: Floe does not create such tables.
    const c = ctx(path, { 'changelog-producer': 'full-compaction' });
    void storeName;
    const r = await reader(c);
    await assert.rejects(async () => r.next(10), (e: unknown) => e instanceof FloeError && e.code === 'LAKE.UNSUPPORTED_CHANGELOG_PRODUCER');
  });
});
