import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowSpec, WindowTableFunctionSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { windowStart } from './window-assigner.js';
import { WindowTableFunctionOperator } from './window-table-function.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const ts3 = Types.timestamp(3);
const INPUT = row(['v', Types.string()], ['ts', ts3]);
const OUTPUT = row(['v', Types.string()], ['ts', ts3], ['window_start', ts3], ['window_end', ts3], ['window_time', ts3]);
const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

async function harness(window: WindowSpec) {
  const spec: WindowTableFunctionSpec = { type: 'window-table-function', version: 1, window, timeIndex: 1 };
  return new OperatorHarness(new WindowTableFunctionOperator(spec), { spec, inputTypes: [INPUT], outputType: OUTPUT }).open();
}

describe('WindowTableFunctionOperator', () => {
  it('TUMBLE appends window_start, window_end and window_time, keeping row kinds', async () => {
    const h = await harness({ kind: 'TUMBLE', size: 10, offset: 0 });
    await h.process(0, ['+I[x, 3]', '+I[y, 10]']);
    assert.deepEqual(h.take(), [`+I[x, ${t(3)}, ${t(0)}, ${t(10)}, ${t(9)}]`, `+I[y, ${t(10)}, ${t(10)}, ${t(20)}, ${t(19)}]`]);
  });

  it('HOP emits one row per window; NULL times are dropped', async () => {
    const h = await harness({ kind: 'HOP', size: 10, slide: 5, offset: 0 });
    await h.process(0, ['+I[x, null]', '+I[y, 7]']);
    assert.deepEqual(h.take(), [`+I[y, ${t(7)}, ${t(0)}, ${t(10)}, ${t(9)}]`, `+I[y, ${t(7)}, ${t(5)}, ${t(15)}, ${t(14)}]`]);
    assert.equal(h.counter('numNullTimeRecordsDropped'), 1);
  });

  it('CUMULATE emits the growing windows of the period', async () => {
    const h = await harness({ kind: 'CUMULATE', size: 15, step: 5, offset: 0 });
    await h.process(0, ['+I[x, 6]']);
    assert.deepEqual(h.take(), [`+I[x, ${t(6)}, ${t(0)}, ${t(10)}, ${t(9)}]`, `+I[x, ${t(6)}, ${t(0)}, ${t(15)}, ${t(14)}]`]);
  });

  it('windowStart follows Flink for offsets and negative timestamps', () => {
    assert.equal(windowStart(7, 5, 0), 5);
    assert.equal(windowStart(-1, 5, 0), -5);
    assert.equal(windowStart(-5, 5, 0), -5);
    assert.equal(windowStart(2, 10, 3), -7);
    assert.equal(windowStart(3, 10, -7), 3);
  });
});
