/**
 * The continuous read of the `paimon` source (streaming mode), on its own: the full snapshot then each
 * new snapshot's changelog (+I, -U/+U, -D for primary-key tables; new rows for append tables), scan
 * modes, shards that split the buckets, checkpoint positions that resume exactly, expired snapshots.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../../common/index.js';
import { createPaimonTable, type PaimonTable } from '../../lake/index.js';
import { createObjectStore } from '../../storage/index.js';
import { ROW_KIND_SHORT, RowKind, Types, batchFromRows, getRow, rowKindAt, type RowType } from '../../types/index.js';
import type { ConnectorContext, SplitReader } from '../connector.js';
import { paimonSource } from './paimon-source.js';
import { shardOf } from './paimon-stream-reader.js';

const ROW: RowType = { fields: [{ name: 'id', type: Types.bigint(false) }, { name: 'name', type: Types.string() }] };
let counter = 0;

async function newTable(spec: { primaryKeys?: string[]; options?: Record<string, string> }): Promise<{ table: PaimonTable; path: string }> {
  const storeName = `paimon-stream-${process.pid}-${++counter}`;
  const table = await createPaimonTable(createObjectStore(`memory://${storeName}`), 'db.db/t', { fields: ROW, ...spec });
  return { table, path: `memory://${storeName}/db.db/t` };
}

function ctx(path: string, options: Record<string, string> = {}): ConnectorContext {
  const config: Record<string, string> = { 'execution.runtime-mode': 'streaming' };
  return { tableName: 'lake.db.t', options: { connector: 'paimon', path, 'continuous.discovery-interval': '0 ms', ...options }, physicalType: ROW, config: (k) => config[k] };
}

/** Commits one snapshot of `rows` (with kinds) through src/lake's writer. */
async function commit(table: PaimonTable, rows: [number, string | null][], kinds?: RowKind[]): Promise<void> {
  const w = table.newWrite();
  w.write(batchFromRows(ROW, rows, kinds));
  await w.commit();
}

/** Reads from `reader` until it has nothing new (an empty batch), as changelog strings. */
async function drain(reader: SplitReader, maxRows = 1024): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const b = await reader.next(maxRows);
    assert.notEqual(b, null, 'a streaming read never ends');
    if (b!.numRows === 0) return out;
    for (let r = 0; r < b!.numRows; r++) out.push(`${ROW_KIND_SHORT[rowKindAt(b!, r)]}${JSON.stringify(getRow(b!, r, ROW))}`);
  }
}

async function readers(c: ConnectorContext, parallelism = 1): Promise<SplitReader[]> {
  const out: SplitReader[] = [];
  for (const split of await paimonSource.createSplits(c, parallelism)) out.push(await paimonSource.createReader(c, split));
  return out;
}

describe('paimon source, streaming mode', () => {
  it('is unbounded in streaming mode and bounded in batch mode; system tables are always bounded', async () => {
    const { path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    assert.equal(paimonSource.isBounded(ctx(path)), false);
    assert.equal(paimonSource.isBounded({ ...ctx(path), config: (k) => (k === 'execution.runtime-mode' ? 'batch' : undefined) }), true);
    assert.equal(paimonSource.isBounded(ctx(path, { 'paimon.system-table': 'snapshots' })), true);
  });

  it('primary-key table: the full snapshot, then +I, -U/+U and -D per new snapshot; unchanged rows are not repeated', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    await commit(table, [[1, 'a'], [2, 'b']]);
    const [reader] = await readers(ctx(path));
    assert.deepEqual((await drain(reader!)).sort(), ['+I[1,"a"]', '+I[2,"b"]']);
    assert.deepEqual(await drain(reader!), [], 'nothing new');
    await commit(table, [[1, 'A'], [3, 'c'], [2, 'b']]);
    assert.deepEqual((await drain(reader!)).sort(), ['+I[3,"c"]', '+U[1,"A"]', '-U[1,"a"]']);
    await commit(table, [[3, null], [1, null]], [RowKind.DELETE, RowKind.DELETE]);
    assert.deepEqual((await drain(reader!)).sort(), ['-D[1,"A"]', '-D[3,"c"]']);
    await commit(table, [[1, 'x'], [1, 'y']]); // two versions of a key in one snapshot: only the merged one
    assert.deepEqual(await drain(reader!), ['+I[1,"y"]']);
    await reader!.close();
  });

  it('partial-update table: changes are merged rows, not the partial input rows', async () => {
    const ROW3: RowType = { fields: [...ROW.fields, { name: 'price', type: Types.bigint() }] };
    const storeName = `paimon-stream-${process.pid}-${++counter}`;
    const table = await createPaimonTable(createObjectStore(`memory://${storeName}`), 'db.db/t', { fields: ROW3, primaryKeys: ['id'], options: { bucket: '1', 'merge-engine': 'partial-update' } });
    const c: ConnectorContext = { ...ctx(`memory://${storeName}/db.db/t`), physicalType: ROW3 };
    const [reader] = await readers(c);
    const rows = async (): Promise<string[]> => {
      const out: string[] = [];
      for (let b = await reader!.next(100); b !== null && b.numRows > 0; b = await reader!.next(100)) {
        for (let r = 0; r < b.numRows; r++) out.push(`${ROW_KIND_SHORT[rowKindAt(b, r)]}${JSON.stringify(getRow(b, r, ROW3))}`);
      }
      return out;
    };
    const write = async (r: unknown[][]): Promise<void> => {
      const w = table.newWrite();
      w.write(batchFromRows(ROW3, r));
      await w.commit();
    };
    await write([[1, 'lamp', null]]);
    assert.deepEqual(await rows(), ['+I[1,"lamp",null]']);
    await write([[1, null, 30]]);
    assert.deepEqual(await rows(), ['-U[1,"lamp",null]', '+U[1,"lamp",30]']);
  });

  it('append table: the rows of each new snapshot, as inserts', async () => {
    const { table, path } = await newTable({});
    await commit(table, [[1, 'a']]);
    const [reader] = await readers(ctx(path));
    assert.deepEqual(await drain(reader!), ['+I[1,"a"]']);
    await commit(table, [[1, 'a'], [2, 'b']]);
    assert.deepEqual(await drain(reader!), ['+I[1,"a"]', '+I[2,"b"]']);
  });

  it('scan.mode latest, from-snapshot, from-snapshot-full, from-timestamp', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '1' } });
    await commit(table, [[1, 'a']]);
    await commit(table, [[2, 'b']]);
    await commit(table, [[3, 'c']]);
    const first = async (options: Record<string, string>): Promise<string[]> => (await drain((await readers(ctx(path, options)))[0]!)).sort();
    assert.deepEqual(await first({ 'scan.mode': 'latest' }), []);
    assert.deepEqual(await first({ 'scan.mode': 'from-snapshot', 'scan.snapshot-id': '2' }), ['+I[2,"b"]', '+I[3,"c"]']);
    assert.deepEqual(await first({ 'scan.snapshot-id': '3' }), ['+I[3,"c"]'], "'default' with a snapshot id is from-snapshot");
    assert.deepEqual(await first({ 'scan.mode': 'from-snapshot-full', 'scan.snapshot-id': '2' }), ['+I[1,"a"]', '+I[2,"b"]', '+I[3,"c"]']);
    const t3 = (await table.snapshot(3)).timeMillis;
    assert.deepEqual(await first({ 'scan.mode': 'from-timestamp', 'scan.timestamp-millis': String(t3) }), ['+I[3,"c"]']);
    assert.deepEqual(await first({ 'scan.mode': 'latest-full' }), ['+I[1,"a"]', '+I[2,"b"]', '+I[3,"c"]']);
  });

  it('shards split the buckets: each group is read by exactly one of n readers', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '4' } });
    const rows: [number, string][] = [];
    for (let i = 0; i < 40; i++) rows.push([i, `v${i}`]);
    await commit(table, rows);
    const rs = await readers(ctx(path), 3);
    assert.equal(rs.length, 3);
    const parts = await Promise.all(rs.map((r) => drain(r)));
    assert.ok(parts.filter((p) => p.length > 0).length >= 2, 'the buckets spread over the shards');
    assert.deepEqual(parts.flat().sort(), rows.map(([id, v]) => `+I[${id},"${v}"]`).sort());
    assert.ok([0, 1, 2].includes(shardOf(new Uint8Array([1, 2, 3]), 7, 3)));
  });

  it('resumes exactly from a checkpoint position, in the full read and within a snapshot', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '1' } });
    await commit(table, [[1, 'a'], [2, 'b'], [3, 'c']]);
    const c = ctx(path);
    const [split] = await paimonSource.createSplits(c, 1);
    const r1 = await paimonSource.createReader(c, split!);
    const b1 = await r1.next(2); // two of the full snapshot's three rows
    assert.equal(b1!.numRows, 2);
    const pos1 = r1.position!();
    await r1.close();
    await commit(table, [[1, 'A'], [4, 'd']]);
    const r2 = await paimonSource.createReader(c, split!, pos1);
    const b2 = await r2.next(2); // the third full row, then stop inside the next snapshot's changes
    const b3 = await r2.next(2);
    const seen = [b2!, b3!].flatMap((b) => Array.from({ length: b.numRows }, (_, r) => `${ROW_KIND_SHORT[rowKindAt(b, r)]}${JSON.stringify(getRow(b, r, ROW))}`));
    const pos2 = r2.position!();
    await r2.close();
    const r3 = await paimonSource.createReader(c, split!, structuredClone(pos2));
    const rest = await drain(r3);
    assert.deepEqual([...seen, ...rest], ['+I[3,"c"]', '-U[1,"a"]', '+U[1,"A"]', '+I[4,"d"]']);
  });

  it('an expired next snapshot fails the read with PAIMON.SNAPSHOT_EXPIRED', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '1' } });
    await commit(table, [[1, 'a']]);
    const c = ctx(path);
    const [split] = await paimonSource.createSplits(c, 1);
    for (let i = 2; i <= 4; i++) await commit(table, [[i, 'x']]);
    await table.expireSnapshots({ retainMin: 1, retainMax: 1 });
    const r = await paimonSource.createReader(c, split!, { full: false, snapshot: 2, offset: 0 });
    await assert.rejects(async () => r.next(10), (e: unknown) => e instanceof FloeError && e.code === 'PAIMON.SNAPSHOT_EXPIRED');
  });

  it('rejects a malformed discovery interval', () => {
    assert.throws(() => paimonSource.validate!(ctx('memory://x/db.db/t', { 'continuous.discovery-interval': 'soon' })), (e: unknown) => e instanceof FloeError && e.code === 'PLAN.CONNECTOR_OPTION');
  });
});
