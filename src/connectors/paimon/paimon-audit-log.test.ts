/**
 * `t$audit_log` through the `paimon` source: a leading `rowkind` column, rows insert-only; batch mode
 * reads the merged rows of one snapshot as '+I', streaming mode the table's changelog (-U/+U for an
 * update, -D for a delete), with positions that resume exactly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BATCH_COMMIT_IDENTIFIER, createPaimonTable, overwriteEntries, type PaimonTable } from '../../lake/index.js';
import { createObjectStore } from '../../storage/index.js';
import { RowKind, Types, batchFromRows, getRow, type RecordBatch, type RowType } from '../../types/index.js';
import type { ConnectorContext, SplitReader } from '../connector.js';
import { withRowKindColumn } from './paimon-audit-log.js';
import { paimonSource } from './paimon-source.js';

const ROW: RowType = { fields: [{ name: 'id', type: Types.bigint(false) }, { name: 'name', type: Types.string() }] };
const AUDIT: RowType = { fields: [{ name: 'rowkind', type: Types.string(false) }, ...ROW.fields] };
let counter = 0;

async function newTable(spec: { primaryKeys?: string[]; options?: Record<string, string> }): Promise<{ table: PaimonTable; path: string }> {
  const storeName = `paimon-audit-${process.pid}-${++counter}`;
  const table = await createPaimonTable(createObjectStore(`memory://${storeName}`), 'db.db/t', { fields: ROW, ...spec });
  return { table, path: `memory://${storeName}/db.db/t` };
}

function ctx(path: string, mode: 'streaming' | 'batch', options: Record<string, string> = {}): ConnectorContext {
  const config: Record<string, string> = { 'execution.runtime-mode': mode };
  return {
    tableName: 'lake.db.t$audit_log',
    options: { connector: 'paimon', path, 'paimon.system-table': 'audit_log', 'continuous.discovery-interval': '0 ms', ...options },
    physicalType: AUDIT,
    config: (k) => config[k],
  };
}

async function commit(table: PaimonTable, rows: [number, string | null][], kinds?: RowKind[]): Promise<void> {
  const w = table.newWrite();
  w.write(batchFromRows(ROW, rows, kinds));
  await w.commit();
}

function rowsOf(b: RecordBatch): string[] {
  assert.equal(b.kinds, null, 'audit_log rows are inserts');
  const out: string[] = [];
  for (let r = 0; r < b.numRows; r++) out.push(JSON.stringify(getRow(b, r, AUDIT)));
  return out;
}

/** Streaming: reads until nothing is new. Batch: reads to the end. */
async function drain(reader: SplitReader, maxRows = 1024): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const b = await reader.next(maxRows);
    if (b === null || b.numRows === 0) return out;
    out.push(...rowsOf(b));
  }
}

async function readAll(c: ConnectorContext): Promise<string[]> {
  const out: string[] = [];
  for (const split of await paimonSource.createSplits(c, 1)) {
    const reader = await paimonSource.createReader(c, split);
    out.push(...(await drain(reader)));
    await reader.close();
  }
  return out.sort();
}

describe('withRowKindColumn', () => {
  it('prepends the kinds as text and makes every row an insert', () => {
    const b = batchFromRows(ROW, [[1, 'a'], [2, null], [3, 'c'], [4, 'd']], [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]);
    assert.deepEqual(rowsOf(withRowKindColumn(b)), ['["+I",1,"a"]', '["-U",2,null]', '["+U",3,"c"]', '["-D",4,"d"]']);
    assert.deepEqual(rowsOf(withRowKindColumn(batchFromRows(ROW, [[5, 'e']]))), ['["+I",5,"e"]']);
  });

  it('keeps the empty batch of an idle unbounded reader as it is', () => {
    const idle: RecordBatch = { numRows: 0, kinds: null, columns: [] };
    assert.equal(withRowKindColumn(idle), idle);
    assert.equal(withRowKindColumn(batchFromRows(ROW, [])).columns.length, 3);
  });
});

describe('t$audit_log through the paimon source', () => {
  it('is unbounded in streaming mode (unlike the metadata system tables) and bounded in batch mode', async () => {
    const { path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    assert.equal(paimonSource.isBounded(ctx(path, 'streaming')), false);
    assert.equal(paimonSource.isBounded(ctx(path, 'batch')), true);
  });

  it('batch mode: the merged rows of the latest snapshot (or a time-travel one), all +I', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    assert.deepEqual(await readAll(ctx(path, 'batch')), [], 'a table without snapshots');
    await commit(table, [[1, 'a'], [2, 'b'], [3, 'c']]);
    await commit(table, [[1, 'A'], [2, 'b']], [RowKind.UPDATE_AFTER, RowKind.DELETE]);
    assert.deepEqual(await readAll(ctx(path, 'batch')), ['["+I",1,"A"]', '["+I",3,"c"]']);
    assert.deepEqual(await readAll(ctx(path, 'batch', { 'scan.snapshot-id': '1' })), ['["+I",1,"a"]', '["+I",2,"b"]', '["+I",3,"c"]']);
  });

  it('streaming mode on a primary-key table: the full snapshot, then -U/+U and -D for the changes', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    await commit(table, [[1, 'a'], [2, 'b']]);
    const c = ctx(path, 'streaming');
    const [split] = await paimonSource.createSplits(c, 1);
    const reader = await paimonSource.createReader(c, split!);
    assert.deepEqual((await drain(reader)).sort(), ['["+I",1,"a"]', '["+I",2,"b"]']);
    await commit(table, [[1, 'A'], [2, 'b'], [3, 'c']], [RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT]);
    assert.deepEqual((await drain(reader)).sort(), ['["+I",3,"c"]', '["+U",1,"A"]', '["-D",2,"b"]', '["-U",1,"a"]']);
    // A reader restored at the position keeps going after the rows already returned.
    const position = reader.position!();
    await reader.close();
    await commit(table, [[3, 'C']]);
    const restored = await paimonSource.createReader(c, split!, position);
    assert.deepEqual((await drain(restored)).sort(), ['["+U",3,"C"]', '["-U",3,"c"]']);
    await restored.close();
  });

  it('streaming mode on an append table: new rows as +I; OVERWRITE snapshots are skipped', async () => {
    const { table, path } = await newTable({});
    const c = ctx(path, 'streaming', { 'scan.mode': 'latest' });
    const [split] = await paimonSource.createSplits(c, 1);
    const reader = await paimonSource.createReader(c, split!);
    assert.deepEqual(await drain(reader), []);
    await commit(table, [[1, 'a']]);
    assert.deepEqual(await drain(reader), ['["+I",1,"a"]']);
    const w = table.newWrite();
    w.write(batchFromRows(ROW, [[2, 'b']]));
    await overwriteEntries(table, { commitUser: 'ow', identifier: BATCH_COMMIT_IDENTIFIER, entries: await w.prepareAndDetach(), staticPartition: {} });
    await commit(table, [[3, 'c']]);
    assert.deepEqual(await drain(reader), ['["+I",3,"c"]']);
    await reader.close();
  });
});
