/**
 * The `paimon` connector on its own (no SQL): the sink's batch and checkpointed (exactly-once) commits,
 * row kinds into primary-key and append tables, the source's snapshot choice, splits and recovery
 * positions, option checks and table locations.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../../common/index.js';
import { createPaimonTable, type PaimonTable } from '../../lake/index.js';
import { createObjectStore } from '../../storage/index.js';
import { RowKind, Types, batchFromRows, getRow, type RecordBatch, type RowType } from '../../types/index.js';
import type { ConnectorContext, SinkContext, SinkWriter, SplitReader } from '../connector.js';
import { validateConnectorOptions } from '../connector-registry.js';
import { tableLocation } from './paimon-location.js';
import { checkCreateOptions } from './paimon-options.js';
import { paimonSink } from './paimon-sink.js';
import { paimonSource, resolveScanSnapshot } from './paimon-source.js';

const ROW: RowType = { fields: [{ name: 'id', type: Types.bigint(false) }, { name: 'name', type: Types.string() }] };
let counter = 0;

/** A fresh table in a process-wide memory store, and its `path` option. */
async function newTable(spec: { primaryKeys?: string[]; options?: Record<string, string> } = {}): Promise<{ table: PaimonTable; path: string }> {
  const storeName = `paimon-connector-${process.pid}-${++counter}`;
  const store = createObjectStore(`memory://${storeName}`);
  const table = await createPaimonTable(store, 'db.db/t', { fields: ROW, ...spec });
  return { table, path: `memory://${storeName}/db.db/t` };
}

function ctx(path: string, options: Record<string, string> = {}): ConnectorContext {
  return { tableName: 'lake.db.t', options: { connector: 'paimon', path, ...options }, physicalType: ROW, config: (k: string) => (k === 'execution.runtime-mode' ? 'batch' : undefined) };
}

function sinkCtx(path: string, exactlyOnce = false): SinkContext {
  return { ...ctx(path), subtaskIndex: 0, parallelism: 1, sendToClient: () => {}, exactlyOnce };
}

const code = (c: string) => (e: unknown) => e instanceof FloeError && e.code === c;

async function readAll(path: string, options: Record<string, string> = {}, maxRows = 1024): Promise<string[]> {
  const c = ctx(path, options);
  const out: string[] = [];
  for (const split of await paimonSource.createSplits(c, 1)) {
    const reader = await paimonSource.createReader(c, split);
    for (let b = await reader.next(maxRows); b !== null; b = await reader.next(maxRows)) {
      for (let r = 0; r < b.numRows; r++) out.push(JSON.stringify(getRow(b, r, ROW)));
    }
    await reader.close();
  }
  return out.sort();
}

function batch(rows: [number, string | null][], kinds?: RowKind[]): RecordBatch {
  return batchFromRows(ROW, rows, kinds);
}

async function writeAndFinish(path: string, batches: RecordBatch[]): Promise<void> {
  const w: SinkWriter = await paimonSink.createWriter(sinkCtx(path));
  for (const b of batches) await w.write(b);
  await w.finish();
  await w.close();
}

describe('paimon sink', () => {
  it('commits a bounded write as one snapshot with the batch identifier', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    await writeAndFinish(path, [batch([[1, 'a'], [2, null]]), batch([[3, 'c']])]);
    const snaps = await table.snapshots();
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0]!.commitIdentifier, 9223372036854775807n);
    assert.deepEqual(await readAll(path), ['[1,"a"]', '[2,null]', '[3,"c"]']);
  });

  it('applies upserts and deletes of a changelog to a primary-key table', async () => {
    const { path } = await newTable({ primaryKeys: ['id'], options: { bucket: '1' } });
    await writeAndFinish(path, [batch([[1, 'a'], [2, 'b'], [3, 'c']])]);
    await writeAndFinish(path, [
      batch([[1, 'a'], [1, 'a2'], [2, 'b'], [4, 'd']], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT]),
      batch([[4, 'd'], [4, 'd2']], [RowKind.DELETE, RowKind.INSERT]),
    ]);
    assert.deepEqual(await readAll(path), ['[1,"a2"]', '[3,"c"]', '[4,"d2"]']);
  });

  it('refuses retractions into an append table, and drops them with ignore-delete', async () => {
    const { path } = await newTable();
    const w = await paimonSink.createWriter(sinkCtx(path));
    await assert.rejects(async () => w.write(batch([[1, 'a']], [RowKind.DELETE])), code('LAKE.APPEND_ONLY_RETRACTION'));
    await w.close();
    const { path: p2 } = await newTable({ options: { 'ignore-delete': 'true' } });
    await writeAndFinish(p2, [batch([[1, 'a'], [2, 'b']], [RowKind.INSERT, RowKind.DELETE])]);
    assert.deepEqual(await readAll(p2), ['[1,"a"]']);
  });

  it('writes nothing and makes no snapshot for empty input', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '1' } });
    await writeAndFinish(path, [batch([])]);
    assert.equal(await table.latestSnapshotId(), undefined);
  });

  it('with checkpoints: pre-committed files stay invisible, each checkpoint commits once, replays are no-ops', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    const w = await paimonSink.createWriter(sinkCtx(path, true));
    await w.write(batch([[1, 'a'], [2, 'b']]));
    const c1 = await w.preCommit!(1);
    assert.equal(c1.length, 1);
    assert.equal(await table.latestSnapshotId(), undefined, 'nothing visible before the checkpoint completes');
    await w.write(batch([[2, 'b'], [3, 'c']], [RowKind.DELETE, RowKind.INSERT]));
    const c2 = await w.preCommit!(2);
    await w.commit!(c1);
    assert.deepEqual(await readAll(path), ['[1,"a"]', '[2,"b"]']);
    await w.commit!([...c1, ...c2]); // c1 again, as after a recovery
    assert.deepEqual(await readAll(path), ['[1,"a"]', '[3,"c"]']);
    const ids = (await table.snapshots()).map((s) => [s.id, s.commitIdentifier]);
    assert.deepEqual(ids, [[1, 1n], [2, 2n]]);
    assert.deepEqual(await w.preCommit!(3), [], 'nothing new: no committable');
    await w.finish(); // the final checkpoint publishes the rest; finish commits nothing itself
    await w.close();
    // A restarted job's new writer commits the restored committables again: still exactly once.
    const restarted = await paimonSink.createWriter(sinkCtx(path, true));
    await restarted.commit!(structuredClone([...c1, ...c2]));
    assert.equal(await table.latestSnapshotId(), 2);
    await restarted.close();
  });

  it('compacts first-row tables after every commit, under a commit user of its own', async () => {
    const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '2', 'merge-engine': 'first-row' } });
    const w = await paimonSink.createWriter(sinkCtx(path, true));
    await w.write(batch([[1, 'first'], [2, 'b']]));
    await w.commit!(await w.preCommit!(1));
    assert.deepEqual(await readAll(path), ['[1,"first"]', '[2,"b"]'], 'visible at once: level 0 was compacted');
    await w.write(batch([[1, 'second'], [3, 'c']]));
    await w.commit!(await w.preCommit!(2));
    assert.deepEqual(await readAll(path), ['[1,"first"]', '[2,"b"]', '[3,"c"]']);
    const snaps = await table.snapshots();
    assert.deepEqual(snaps.map((s) => s.commitKind), ['APPEND', 'COMPACT', 'APPEND', 'COMPACT']);
    assert.notEqual(snaps[1]!.commitUser, snaps[0]!.commitUser, "the compaction's Long.MAX_VALUE identifier must not mark checkpoint 2 committed");
    await w.close();
  });

  it('compacts a primary-key bucket once it holds num-sorted-run.compaction-trigger files, not with write-only', async () => {
    for (const writeOnly of [false, true]) {
      const { table, path } = await newTable({ primaryKeys: ['id'], options: { bucket: '1', 'num-sorted-run.compaction-trigger': '3', ...(writeOnly ? { 'write-only': 'true' } : {}) } });
      for (let i = 0; i < 4; i++) await writeAndFinish(path, [batch([[i % 2, `v${i}`]])]);
      const kinds = (await table.snapshots()).map((s) => s.commitKind);
      assert.deepEqual(kinds, writeOnly ? ['APPEND', 'APPEND', 'APPEND', 'APPEND'] : ['APPEND', 'APPEND', 'APPEND', 'COMPACT', 'APPEND']);
      assert.deepEqual(await readAll(path), ['[0,"v2"]', '[1,"v3"]']);
    }
  });

  it('close without finish discards the files it wrote', async () => {
    const { table, path } = await newTable();
    const w = await paimonSink.createWriter(sinkCtx(path));
    await w.write(batch([[1, 'a']]));
    await w.close();
    assert.equal(await table.latestSnapshotId(), undefined);
    assert.deepEqual((await table.store.list('db.db/t/')).map((o) => o.key), ['db.db/t/schema/schema-0']);
  });

  it('refuses system tables as sinks at plan time', () => {
    assert.throws(() => validateConnectorOptions('sink', 'lake.db.t$files', { connector: 'paimon', path: '/x/db.db/t', 'paimon.system-table': 'files' }, ROW), code('PLAN.READ_ONLY_TABLE'));
  });
});

describe('paimon source', () => {
  async function threeSnapshots(): Promise<{ table: PaimonTable; path: string }> {
    const t = await newTable({ primaryKeys: ['id'], options: { bucket: '2' } });
    await writeAndFinish(t.path, [batch([[1, 'a'], [2, 'b']])]);
    await writeAndFinish(t.path, [batch([[1, 'a1']])]);
    await writeAndFinish(t.path, [batch([[2, 'b']], [RowKind.DELETE])]);
    return t;
  }

  it('reads the latest snapshot, or the one scan.snapshot-id / scan.timestamp-millis names', async () => {
    const { table, path } = await threeSnapshots();
    assert.deepEqual(await readAll(path), ['[1,"a1"]']);
    assert.deepEqual(await readAll(path, { 'scan.snapshot-id': '1' }), ['[1,"a"]', '[2,"b"]']);
    assert.deepEqual(await readAll(path, { 'scan.mode': 'from-snapshot', 'scan.snapshot-id': '2' }), ['[1,"a1"]', '[2,"b"]']);
    const s2 = await table.snapshot(2);
    assert.equal(await resolveScanSnapshot(table, 't', { 'scan.timestamp-millis': String(s2.timeMillis) }), (await table.snapshots()).filter((s) => s.timeMillis <= s2.timeMillis).at(-1)!.id);
    assert.deepEqual(await readAll(path, { 'scan.timestamp-millis': String((await table.snapshot(1)).timeMillis - 1) }), [], 'before the first snapshot: nothing');
    const wall = new Date(s2.timeMillis + 3600_000).toISOString().replace('T', ' ').replace('Z', '');
    assert.equal(await resolveScanSnapshot(table, 't', { 'scan.timestamp': wall }, '+01:00'), await resolveScanSnapshot(table, 't', { 'scan.timestamp-millis': String(s2.timeMillis) }));
    await assert.rejects(resolveScanSnapshot(table, 't', { 'scan.timestamp': 'yesterday' }), code('PLAN.CONNECTOR_OPTION'));
  });

  it('names the snapshots that exist when scan.snapshot-id is not one of them', async () => {
    const { path } = await threeSnapshots();
    await assert.rejects(readAll(path, { 'scan.snapshot-id': '9' }), (e: unknown) => code('PAIMON.SNAPSHOT_NOT_FOUND')(e) && /snapshots are 1\.\.3/.test((e as Error).message));
  });

  it('an empty table has no splits', async () => {
    const { path } = await newTable();
    assert.deepEqual(await paimonSource.createSplits(ctx(path), 1), []);
  });

  it('a reader resumes after the rows its checkpointed position counts', async () => {
    const { path } = await newTable();
    await writeAndFinish(path, [batch(Array.from({ length: 7 }, (_, i): [number, string] => [i, `r${i}`]))]);
    const c = ctx(path);
    const [split] = await paimonSource.createSplits(c, 1);
    const first: SplitReader = await paimonSource.createReader(c, split!);
    const b1 = (await first.next(3))!;
    assert.equal(b1.numRows, 3);
    const pos = first.position!();
    assert.equal(pos, 3);
    await first.close();
    const resumed = await paimonSource.createReader(c, split!, structuredClone(pos));
    const rest: number[] = [];
    for (let b = await resumed.next(2); b !== null; b = await resumed.next(2)) {
      assert.ok(b.numRows <= 2);
      for (let r = 0; r < b.numRows; r++) rest.push(getRow(b, r, ROW)[0] as number);
    }
    assert.deepEqual(rest, [3, 4, 5, 6]);
  });

  it('checks scan options: misspelt keys and conflicting time travel are errors', () => {
    const check = (o: Record<string, string>) => validateConnectorOptions('source', 't', { connector: 'paimon', path: '/w/db.db/t', ...o }, ROW);
    assert.throws(() => check({ 'scan.snapshot-idd': '1' }), (e: unknown) => code('PLAN.CONNECTOR_OPTION')(e) && (e as FloeError).help === "did you mean 'scan.snapshot-id'?");
    assert.throws(() => check({ 'scan.snapshot-id': 'x' }), code('PLAN.CONNECTOR_OPTION'));
    assert.throws(() => check({ 'scan.snapshot-id': '1', 'scan.timestamp-millis': '5' }), code('PLAN.CONNECTOR_OPTION'));
    assert.throws(() => check({ 'scan.mode': 'from-snapshot' }), code('PLAN.CONNECTOR_OPTION'));
    assert.throws(() => check({ 'scan.mode': 'latest', 'scan.snapshot-id': '1' }), code('PLAN.CONNECTOR_OPTION'));
    assert.throws(() => check({ 'scan.timestamp': '2026-01-01 00:00:00', 'scan.snapshot-id': '1' }), code('PLAN.CONNECTOR_OPTION'));
    assert.throws(() => check({ 'scan.version': 'v1' }), (e: unknown) => code('PLAN.CONNECTOR_OPTION')(e) && /'scan\.version'/.test((e as Error).message));
    assert.throws(() => check({ 'scan.tag-name': 'v1', 'scan.snapshot-id': '1' }), code('PLAN.CONNECTOR_OPTION'));
    check({ 'scan.tag-name': 'v1' });
    check({ 'consumer-id': 'c1', 'consumer.mode': 'at-least-once', 'consumer.ignore-progress': 'true' });
    assert.throws(() => check({ 'consumer-id': 'a/b' }), (e: unknown) => code('PLAN.CONNECTOR_OPTION')(e) && /consumer id 'a\/b'/.test((e as Error).message));
    assert.throws(() => check({ 'consumer-id': 'c1', 'consumer.mode': 'twice' }), code('PLAN.CONNECTOR_OPTION'));
    // Paimon options Floe does not need (tuning, Java-only) pass: tables written by Paimon carry them.
    check({ 'merge-engine': 'deduplicate', 'some.java.option': 'x', 'scan.mode': 'latest-full', 'scan.manifest.parallelism': '8', 'scan.fallback-branch': 'b' });
  });
});

describe('paimon options and locations', () => {
  it('CREATE TABLE options: supported ones pass, others are named', () => {
    checkCreateOptions('t', { bucket: '4', 'merge-engine': 'partial-update', 'changelog-producer': 'none' });
    checkCreateOptions('t', { 'changelog-producer': 'lookup', 'changelog-producer.row-deduplicate': 'true' });
    checkCreateOptions('t', { 'changelog-producer': 'input' });
    assert.throws(() => checkCreateOptions('t', { 'changelog-producer': 'full-compaction' }), (e: unknown) => code('CATALOG.PAIMON_OPTION')(e) && /'changelog-producer' = 'full-compaction'/.test((e as Error).message));
    assert.throws(() => checkCreateOptions('t', { 'merge-engin': 'x' }), (e: unknown) => code('CATALOG.PAIMON_OPTION')(e) && (e as FloeError).help === "did you mean 'merge-engine'?");
    assert.throws(() => checkCreateOptions('t', { 'file.format': 'orc' }), code('CATALOG.PAIMON_OPTION'));
    assert.throws(() => checkCreateOptions('t', { connector: 'paimon' }), code('CATALOG.PAIMON_OPTION'));
  });

  it('splits a table path into a store above the table and the table key', () => {
    const m = tableLocation('memory://wh/db.db/t');
    assert.equal(m.store.uri, 'memory://wh');
    assert.equal(m.tablePath, 'db.db/t');
    const l = tableLocation('/tmp/wh/db.db/t/');
    assert.match(l.store.uri, /\/tmp\/wh\/db\.db$/);
    assert.equal(l.tablePath, 't');
    assert.throws(() => tableLocation('t'), code('PLAN.CONNECTOR_OPTION'));
    assert.throws(() => tableLocation('file:///t'), code('PLAN.CONNECTOR_OPTION'));
  });
});
