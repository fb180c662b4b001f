import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowKind, Types, batchFromRows, type RowType } from '../types/index.js';
import type { SinkContext } from './connector.js';
import { PrintSinkWriter, formatPrintRow, printPrefix } from './print-sink.js';
import { BlackholeSinkWriter, blackholeSink } from './blackhole-sink.js';

const T: RowType = {
  fields: [
    { name: 'id', type: Types.int() },
    { name: 'name', type: Types.string() },
    { name: 'ts', type: Types.timestamp(3) },
    { name: 'price', type: Types.decimal(10, 2) },
    { name: 'ok', type: Types.boolean() },
    { name: 'd', type: Types.double() },
  ],
};

const ctxOf = (options: Record<string, string>, subtaskIndex = 0, parallelism = 1): SinkContext => ({
  tableName: 'p',
  options: { connector: 'print', ...options },
  physicalType: T,
  config: () => undefined,
  subtaskIndex,
  parallelism,
  sendToClient: () => undefined,
});

test("print: Flink's row format with row kinds, SQL text of values and NULL", () => {
  const b = batchFromRows(
    T,
    [
      [1, 'abc', Date.UTC(2024, 0, 1), 1234n, true, 1.5],
      [2, null, null, null, null, 1e21],
    ],
    [RowKind.INSERT, RowKind.UPDATE_BEFORE],
  );
  assert.equal(formatPrintRow(b, 0, T), '+I[1, abc, 2024-01-01 00:00:00.000, 12.34, TRUE, 1.5]');
  assert.equal(formatPrintRow(b, 1, T), '-U[2, NULL, NULL, NULL, NULL, 1.0E21]');
});

test("print: prefixes as Flink's PrintSinkOutputWriter (identifier and 1-based subtask)", () => {
  assert.equal(printPrefix(undefined, 0, 1), '');
  assert.equal(printPrefix(undefined, 2, 4), '3> ');
  assert.equal(printPrefix('sink', 0, 1), 'sink> ');
  assert.equal(printPrefix('sink', 1, 2), 'sink:2> ');
  const out: string[] = [];
  const w = new PrintSinkWriter(ctxOf({ 'print-identifier': 'q' }, 1, 2), { write: (s: string) => out.push(s) });
  w.write(batchFromRows(T, [[1, 'a', 0, 0n, false, 0]]));
  w.write(batchFromRows(T, []));
  assert.deepEqual(out, ['q:2> +I[1, a, 1970-01-01 00:00:00.000, 0.00, FALSE, 0.0]\n']);
});

test('blackhole: accepts everything and counts it', async () => {
  const w = (await blackholeSink.createWriter(ctxOf({}))) as BlackholeSinkWriter;
  await w.write(batchFromRows(T, [[1, 'a', 0, 0n, true, 0], [2, 'b', 0, 0n, true, 0]]));
  await w.finish();
  assert.equal(w.rowsReceived, 2);
  assert.equal(blackholeSink.acceptsUpdates, true);
});
