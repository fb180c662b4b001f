import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExprIR } from '../expr/index.js';
import type { SinkSpec, SourceSpec } from '../spec/index.js';
import { OperatorRegistry } from '../runtime/index.js';
import { Types, batchFromRows, type LogicalType, type RowType } from '../types/index.js';
import { registerConnectorOperators } from './register-operators.js';
import { ScanOperator } from './scan-operator.js';
import { SinkOperator } from './sink-operator.js';
import { getSinkConnector, getSourceConnector } from './connector-registry.js';
import { TestOperatorContext } from './operator-test-context.js';

const TS3 = Types.timestamp(3);
const str = Types.string();
const big = Types.bigint();
const PERSON = Types.row([['id', big], ['name', str], ['emailAddress', str], ['creditCard', str], ['city', str], ['state', str], ['dateTime', TS3], ['extra', str]].map(([name, type]) => ({ name: name as string, type: type as LogicalType })));
const AUCTION = Types.row([['id', big], ['itemName', str], ['description', str], ['initialBid', big], ['reserve', big], ['dateTime', TS3], ['expires', TS3], ['seller', big], ['category', big], ['extra', str]].map(([name, type]) => ({ name: name as string, type: type as LogicalType })));
const BID = Types.row([['auction', big], ['bidder', big], ['price', big], ['channel', str], ['url', str], ['dateTime', TS3], ['extra', str]].map(([name, type]) => ({ name: name as string, type: type as LogicalType })));
const NEXMARK: RowType = { fields: [{ name: 'event_type', type: Types.int() }, { name: 'person', type: PERSON }, { name: 'auction', type: AUCTION }, { name: 'bid', type: BID }] };

const input = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });
const lit = (value: number, type: LogicalType): ExprIR => ({ kind: 'literal', value, type });
const eq = (a: ExprIR, b: ExprIR): ExprIR => ({ kind: 'call', fn: '=', args: [a, b], type: Types.boolean() });
const field = (arg: ExprIR, index: number): ExprIR => ({ kind: 'field', arg, index, type: TS3 });

/** ddl_gen.sql: dateTime AS CASE … END, WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND; the bid view. */
function nexmarkSpec(options: Record<string, string>, bidsOnly = true): SourceSpec {
  const et = input(0, Types.int());
  const dateTime: ExprIR = {
    kind: 'case',
    branches: [
      { when: eq(et, lit(0, Types.int())), then: field(input(1, PERSON), 6) },
      { when: eq(et, lit(1, Types.int())), then: field(input(2, AUCTION), 5) },
    ],
    else: field(input(3, BID), 5),
    type: TS3,
  };
  return {
    type: 'source',
    version: 1,
    connector: 'nexmark',
    tableName: 'datagen',
    options: { connector: 'nexmark', ...options },
    physicalType: NEXMARK,
    computed: [{ name: 'dateTime', expr: dateTime }],
    watermark: { rowtimeIndex: 4, expr: { kind: 'call', fn: '-', args: [input(4, TS3), lit(4000, Types.intervalDayTime())], type: TS3 } },
    filter: bidsOnly ? eq(et, lit(2, Types.int())) : null,
    projection: bidsOnly ? [3, 4] : [0, 1, 2, 3, 4],
    bounded: true,
  };
}

const BID_OUT: RowType = { fields: [{ name: 'bid', type: BID }, { name: 'dateTime', type: TS3 }] };

async function runScan(spec: SourceSpec, outputType: RowType, subtask: number, parallelism: number, conf: Record<string, string> = {}): Promise<TestOperatorContext> {
  const ctx = new TestOperatorContext(spec, outputType, subtask, parallelism, conf);
  const op = new ScanOperator(spec, ctx.node, getSourceConnector(spec.connector));
  await op.open(ctx);
  try {
    await op.run(ctx);
  } finally {
    await op.close();
  }
  return ctx;
}

const BASE = Date.UTC(2026, 0, 1);

test('scan: computed column, per-split watermark, filter and projection over the nexmark source', async () => {
  const spec = nexmarkSpec({ 'events.num': '1000', 'first-event.rate': '1000' });
  const ctx = await runScan(spec, BID_OUT, 0, 1, { 'execution.batch-size': '100' });
  const rows = ctx.rows();
  // Event ids 2..1001: ids with id mod 50 ≥ 4 are bids.
  const expectedBids = Array.from({ length: 1000 }, (_, k) => (2 + k) % 50).filter((r) => r >= 4).length;
  assert.equal(rows.length, expectedBids);
  for (const r of rows) {
    const [bid, dt] = JSON.parse(r.slice(2)) as [unknown[], number];
    assert.equal(dt, bid[5]);
  }
  const wms = ctx.watermarks();
  assert.equal(wms.length, 10, 'one watermark per batch of 100 events');
  wms.forEach((w, i) => i === 0 || assert.ok(w > wms[i - 1]!));
  // The watermark covers all events (filtered ones too): the last event is at base + 1000 ms.
  assert.equal(wms.at(-1), BASE + 1000 - 4000);
  assert.ok(ctx.backpressureCalls >= 10);
  assert.equal(ctx.counters.get('numRecordsIn'), 1000);
});

test('scan: parallelism 2 and 3 produce the same rows as parallelism 1 (one split per subtask)', async () => {
  const spec = nexmarkSpec({ 'events.num': '3001' });
  const one = (await runScan(spec, BID_OUT, 0, 1)).rows().sort();
  for (const p of [2, 3]) {
    const parts = await Promise.all(Array.from({ length: p }, (_, i) => runScan(spec, BID_OUT, i, p)));
    assert.deepEqual(parts.flatMap((c) => c.rows()).sort(), one);
  }
});

test('scan: file splits are dealt to subtasks round-robin; identity projection passes batches through', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'floe-scan-'));
  try {
    for (let f = 0; f < 3; f++) await writeFile(path.join(dir, `f${f}.csv`), `${f},a${f}\n${f},b${f}\n`);
    const type: RowType = { fields: [{ name: 'n', type: Types.int() }, { name: 's', type: str }] };
    const spec: SourceSpec = {
      type: 'source', version: 1, connector: 'filesystem', tableName: 't', options: { connector: 'filesystem', path: dir, format: 'csv' },
      physicalType: type, computed: [], watermark: null, filter: null, projection: [0, 1], bounded: true,
    };
    const s0 = await runScan(spec, type, 0, 2);
    const s1 = await runScan(spec, type, 1, 2);
    assert.deepEqual(s0.rows(), ['+I[0,"a0"]', '+I[0,"b0"]', '+I[2,"a2"]', '+I[2,"b2"]']);
    assert.deepEqual(s1.rows(), ['+I[1,"a1"]', '+I[1,"b1"]']);
    assert.deepEqual(s0.watermarks(), []);
    const s2 = await runScan(spec, type, 2, 3);
    assert.deepEqual(s2.rows(), ['+I[2,"a2"]', '+I[2,"b2"]']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scan: a split with no rows for table.exec.source.idle-timeout marks the subtask idle; cancel stops the run', async () => {
  const spec = nexmarkSpec({ 'stop-at': '200', 'keep-alive': 'true' }, false);
  const out: RowType = { fields: [...NEXMARK.fields, { name: 'dateTime', type: TS3 }] };
  const ctx = new TestOperatorContext(spec, out, 0, 1, { 'table.exec.source.idle-timeout': '20 ms' });
  const op = new ScanOperator(spec, ctx.node, getSourceConnector('nexmark'));
  await op.open(ctx);
  const timer = setTimeout(() => (ctx.cancelled = true), 150);
  await op.run(ctx);
  clearTimeout(timer);
  await op.close();
  assert.equal(ctx.rows().length, 200);
  const idleAt = ctx.events.findIndex((e) => e.kind === 'idle' && e.idle);
  assert.ok(idleAt > 0, 'marked idle after its rows');
  assert.ok(ctx.events.slice(0, idleAt).some((e) => e.kind === 'watermark'));
});

test('sink operator: __collect sends rows then end to the client; blackhole counts', async () => {
  const type: RowType = { fields: [{ name: 'n', type: Types.int() }] };
  const spec: SinkSpec = { type: 'sink', version: 1, connector: '__collect', tableName: 'result', options: {}, schema: type, inputMode: { kind: 'insert-only' }, partitionKeys: [], primaryKey: null };
  const ctx = new TestOperatorContext(spec, type);
  const op = new SinkOperator(spec, ctx.node, getSinkConnector('__collect'));
  await op.open(ctx);
  const b = batchFromRows(type, [[1], [2]]);
  await op.processBatch(0, b);
  await op.processBatch(0, batchFromRows(type, []));
  await op.endInput();
  await op.close();
  assert.deepEqual(ctx.clientMessages, [{ kind: 'rows', batch: b }, { kind: 'end' }]);
  assert.equal(ctx.counters.get('numRecordsOut'), 2);
});

test('registerConnectorOperators builds scan and sink operators by spec type and connector name', () => {
  const registry = new OperatorRegistry();
  registerConnectorOperators(registry);
  const spec = nexmarkSpec({ 'events.num': '10' });
  const ctx = new TestOperatorContext(spec, BID_OUT);
  assert.ok(registry.create(spec, ctx.node) instanceof ScanOperator);
  const sinkSpec: SinkSpec = { type: 'sink', version: 1, connector: 'blackhole', tableName: 'b', options: {}, schema: BID_OUT, inputMode: { kind: 'insert-only' }, partitionKeys: [], primaryKey: null };
  assert.ok(registry.create(sinkSpec, ctx.node) instanceof SinkOperator);
  assert.throws(() => registry.create({ ...spec, connector: 'kafka' }, ctx.node), /unknown connector 'kafka'/);
  assert.throws(() => registry.create({ ...spec, version: 2 as 1 }, ctx.node), /source spec version 2/);
});

test('scan: an unbounded source with synchronous readers and backpressure still sees cancellation', async () => {
  const spec = nexmarkSpec({}, true);
  const ctx = new TestOperatorContext(spec, BID_OUT);
  const op = new ScanOperator(spec, ctx.node, getSourceConnector('nexmark'));
  await op.open(ctx);
  // Cancellation arrives from a timer, which only runs if the scan loop yields to the event loop.
  setTimeout(() => (ctx.cancelled = true), 30);
  await op.run(ctx);
  await op.close();
  assert.ok(ctx.rows().length > 0);
});
