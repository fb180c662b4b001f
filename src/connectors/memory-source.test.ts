import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Session } from '../api/index.js';
import { FloeError } from '../common/index.js';
import { batchFromRows, getRow, Types, type RecordBatch, type RowType } from '../types/index.js';
import type { ConnectorContext, SplitReader } from './connector.js';
import { validateConnectorOptions } from './connector-registry.js';
import { memorySource, registerMemoryDataset, unregisterMemoryDataset } from './memory-source.js';

const BIDS: RowType = {
  fields: [
    { name: 'auction', type: Types.bigint() },
    { name: 'channel', type: Types.string() },
  ],
};

function ctx(dataset: string, physicalType: RowType = BIDS): ConnectorContext {
  return { tableName: 'bids', options: { connector: 'memory', dataset }, physicalType, config: () => undefined };
}

function readAll(reader: SplitReader, maxRows: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let b = reader.next(maxRows) as RecordBatch | null; b !== null; b = reader.next(maxRows) as RecordBatch | null) {
    assert.ok(b.numRows > 0 && b.numRows <= maxRows, `batch of ${b.numRows} rows, max ${maxRows}`);
    for (let r = 0; r < b.numRows; r++) rows.push(getRow(b, r, BIDS));
  }
  return rows;
}

test('memory source: serves the registered batches in order, slicing to maxRows and skipping empty batches, NULLs kept', () => {
  const first = batchFromRows(BIDS, [[1, 'a'], [null, 'b'], [3, null]]);
  const empty = batchFromRows(BIDS, []);
  const second = batchFromRows(BIDS, [[4, 'd']]);
  registerMemoryDataset('t1', BIDS, [first, empty, second]);
  try {
    const expected = [[1, 'a'], [null, 'b'], [3, null], [4, 'd']];
    assert.deepEqual(readAll(memorySource.createReader(ctx('t1'), { id: 'x' }) as SplitReader, 2), expected);
    // A batch that fits is handed out as is (no copy).
    const whole = memorySource.createReader(ctx('t1'), { id: 'x' }) as SplitReader;
    assert.equal(whole.next(4096), first);
  } finally {
    unregisterMemoryDataset('t1');
  }
});

test('memory source: a reader restored from position() continues exactly after the rows already read', () => {
  registerMemoryDataset('t2', BIDS, [batchFromRows(BIDS, [[1, 'a'], [2, 'b'], [3, 'c']]), batchFromRows(BIDS, [[4, 'd']])]);
  try {
    const reader = memorySource.createReader(ctx('t2'), { id: 'x' }) as SplitReader;
    reader.next(2);
    const restored = memorySource.createReader(ctx('t2'), { id: 'x' }, structuredClone(reader.position!())) as SplitReader;
    assert.deepEqual(readAll(restored, 10), [[3, 'c'], [4, 'd']]);
  } finally {
    unregisterMemoryDataset('t2');
  }
});

test('memory source: an empty dataset ends at once', () => {
  registerMemoryDataset('t3', BIDS, []);
  try {
    assert.equal((memorySource.createReader(ctx('t3'), { id: 'x' }) as SplitReader).next(10), null);
  } finally {
    unregisterMemoryDataset('t3');
  }
});

test('memory source: unknown dataset and mismatched schema are errors naming the table and the dataset', () => {
  const missing = (): unknown => validateConnectorOptions('source', 'bids', { connector: 'memory', dataset: 'nope' }, BIDS);
  assert.throws(missing, (e: FloeError) => e.code === 'PLAN.CONNECTOR_OPTION' && /'bids'.*'nope'/.test(e.message));
  assert.throws(
    () => memorySource.createReader(ctx('nope'), { id: 'x' }),
    (e: FloeError) => e.code === 'CONNECTOR.MEMORY_DATASET_NOT_FOUND' && /worker-threads/.test(e.help ?? ''),
  );
  registerMemoryDataset('t4', BIDS, []);
  try {
    const wrongType: RowType = { fields: [{ name: 'auction', type: Types.string() }, { name: 'channel', type: Types.string() }] };
    assert.throws(
      () => validateConnectorOptions('source', 'bids', { connector: 'memory', dataset: 't4' }, wrongType),
      (e: FloeError) => e.code === 'PLAN.CONNECTOR_SCHEMA' && /column 'auction' is VARCHAR, the dataset's column 'auction' is BIGINT/.test(e.message),
    );
    assert.throws(
      () => validateConnectorOptions('source', 'bids', { connector: 'memory', dataset: 't4' }, { fields: [BIDS.fields[0]!] }),
      (e: FloeError) => e.code === 'PLAN.CONNECTOR_SCHEMA' && /1 columns, the dataset has 2/.test(e.message),
    );
  } finally {
    unregisterMemoryDataset('t4');
  }
  assert.throws(
    () => registerMemoryDataset('t5', BIDS, [batchFromRows({ fields: [BIDS.fields[0]!] }, [[1]])]),
    (e: FloeError) => e.code === 'CONNECTOR.MEMORY_DATASET_SHAPE',
  );
});

test('memory source: a SQL query over a registered dataset (small batch size, so batches are sliced)', async () => {
  const rows: unknown[][] = [];
  for (let i = 0; i < 1000; i++) rows.push([i % 7 === 0 ? null : i % 10, i % 3 === 0 ? 'x' : 'y']);
  registerMemoryDataset('t6', BIDS, [batchFromRows(BIDS, rows.slice(0, 600)), batchFromRows(BIDS, rows.slice(600))]);
  try {
    const session = new Session({ config: { 'execution.batch-size': '64' } });
    const result = await session.query<{ channel: string; n: number; s: number | null }>(`
      CREATE TABLE bids (auction BIGINT, channel STRING) WITH ('connector' = 'memory', 'dataset' = 't6');
      SELECT channel, COUNT(*) AS n, SUM(auction) AS s FROM bids WHERE auction IS NOT NULL GROUP BY channel`);
    const expected = new Map<string, { n: number; s: number }>();
    for (const [a, c] of rows as [number | null, string][]) {
      if (a === null) continue;
      const e = expected.get(c) ?? { n: 0, s: 0 };
      e.n++;
      e.s += a;
      expected.set(c, e);
    }
    assert.deepEqual(
      new Map(result.map((r) => [r.channel, { n: r.n, s: r.s }])),
      expected,
    );
  } finally {
    unregisterMemoryDataset('t6');
  }
});
