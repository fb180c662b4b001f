import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateCall, WindowAggregateSpec, WindowSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { WindowAggregateOperator } from './window-aggregate.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const ts3 = Types.timestamp(3);
const INPUT = row(['k', Types.string()], ['v', Types.bigint()], ['ts', { kind: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'rowtime' }]);
const OUTPUT = row(
  ['k', Types.string()],
  ['cnt', Types.bigint(false)],
  ['s', Types.bigint()],
  ['window_start', ts3],
  ['window_end', ts3],
  ['window_time', ts3],
);
const AGGS: AggregateCall[] = [
  { fn: 'COUNT', args: [], argTypes: [], distinct: false, filterArg: null, type: Types.bigint(false), name: 'COUNT(*)' },
  { fn: 'SUM', args: [1], argTypes: [Types.bigint()], distinct: false, filterArg: null, type: Types.bigint(), name: 'SUM($1)' },
];

function spec(window: WindowSpec, extra: Partial<WindowAggregateSpec> = {}): WindowAggregateSpec {
  return { type: 'window-aggregate', version: 1, window, timeIndex: 2, procTime: false, groupKeys: [0], aggregates: AGGS, ...extra };
}

async function harness(s: WindowAggregateSpec, input = INPUT, output = OUTPUT) {
  return new OperatorHarness(new WindowAggregateOperator(s), { spec: s, inputTypes: [input], outputType: output }).open();
}

/** Timestamps as ms since an arbitrary epoch make the expectations readable. */
const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

describe('WindowAggregateOperator', () => {
  it('TUMBLE: fires when the watermark reaches window_end - 1, then drops late rows', async () => {
    const h = await harness(spec({ kind: 'TUMBLE', size: 10, offset: 0 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 2, 9]', '+I[b, 5, 3]', '+I[a, 4, 10]']);
    await h.watermark(8);
    assert.deepEqual(h.take(), []);
    await h.watermark(9);
    assert.deepEqual(h.take(), [`+I[a, 2, 3, ${t(0)}, ${t(10)}, ${t(9)}]`, `+I[b, 1, 5, ${t(0)}, ${t(10)}, ${t(9)}]`]);
    await h.process(0, ['+I[a, 100, 5]', '+I[a, 1, 12]', '+I[c, 1, null]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    assert.equal(h.counter('numNullTimeRecordsDropped'), 1);
    await h.finish();
    assert.deepEqual(h.take(), [`+I[a, 2, 5, ${t(10)}, ${t(20)}, ${t(19)}]`]);
    assert.deepEqual(h.emittedWatermarks, [8, 9, Infinity]);
  });

  it('TUMBLE with offset, and negative timestamps', async () => {
    const h = await harness(spec({ kind: 'TUMBLE', size: 10, offset: 3 }));
    await h.process(0, ['+I[a, 1, 2]', '+I[a, 1, 3]', '+I[a, 1, -8]']);
    await h.finish();
    assert.deepEqual(h.take(), [
      `+I[a, 1, 1, ${t(-17)}, ${t(-7)}, ${t(-8)}]`,
      `+I[a, 1, 1, ${t(-7)}, ${t(3)}, ${t(2)}]`,
      `+I[a, 1, 1, ${t(3)}, ${t(13)}, ${t(12)}]`,
    ]);
  });

  it('HOP: a row counts in size/slide windows; lateness is per pane', async () => {
    const h = await harness(spec({ kind: 'HOP', size: 10, slide: 5, offset: 0 }));
    await h.process(0, ['+I[a, 1, 7]', '+I[a, 2, 12]']);
    await h.watermark(9);
    assert.deepEqual(h.take(), [`+I[a, 1, 1, ${t(0)}, ${t(10)}, ${t(9)}]`]);
    // ts 8 is in pane [5, 10), which ended: late for window [5, 15) too (Flink's slicing).
    await h.process(0, ['+I[a, 100, 8]', '+I[a, 3, 10]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    await h.finish();
    assert.deepEqual(h.take(), [
      `+I[a, 3, 6, ${t(5)}, ${t(15)}, ${t(14)}]`,
      `+I[a, 2, 5, ${t(10)}, ${t(20)}, ${t(19)}]`,
    ]);
  });

  it('CUMULATE: windows grow by step within each size period', async () => {
    const h = await harness(spec({ kind: 'CUMULATE', size: 10, step: 5, offset: 0 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 2, 6]', '+I[a, 4, 11]']);
    await h.finish();
    assert.deepEqual(h.take(), [
      `+I[a, 1, 1, ${t(0)}, ${t(5)}, ${t(4)}]`,
      `+I[a, 2, 3, ${t(0)}, ${t(10)}, ${t(9)}]`,
      `+I[a, 1, 4, ${t(10)}, ${t(15)}, ${t(14)}]`,
      `+I[a, 1, 4, ${t(10)}, ${t(20)}, ${t(19)}]`,
    ]);
  });

  it('global window aggregate with COUNT(DISTINCT) and FILTER', async () => {
    const input = row(['v', Types.bigint()], ['f', Types.boolean()], ['ts', ts3]);
    const output = row(['dc', Types.bigint(false)], ['fc', Types.bigint(false)], ['window_start', ts3], ['window_end', ts3], ['window_time', ts3]);
    const aggs: AggregateCall[] = [
      { fn: 'COUNT', args: [0], argTypes: [Types.bigint()], distinct: true, filterArg: null, type: Types.bigint(false), name: 'COUNT(DISTINCT $0)' },
      { fn: 'COUNT', args: [], argTypes: [], distinct: false, filterArg: 1, type: Types.bigint(false), name: 'COUNT(*) FILTER $1' },
    ];
    const h = await harness(spec({ kind: 'TUMBLE', size: 10, offset: 0 }, { groupKeys: [], aggregates: aggs }), input, output);
    await h.process(0, ['+I[1, true, 1]', '+I[1, false, 2]', '+I[2, null, 3]']);
    await h.finish();
    assert.deepEqual(h.take(), [`+I[2, 1, ${t(0)}, ${t(10)}, ${t(9)}]`]);
  });

  it('processing-time windows fire on processing-time timers and at end of input', async () => {
    const h = await harness(spec({ kind: 'TUMBLE', size: 1000, offset: 0 }, { procTime: true }));
    h.now = 10_500;
    await h.process(0, ['+I[a, 1, null]']);
    await h.advanceProcessingTime(10_999);
    assert.deepEqual(h.take(), [`+I[a, 1, 1, ${t(10_000)}, ${t(11_000)}, ${t(10_999)}]`]);
    h.now = 11_200;
    await h.process(0, ['+I[a, 2, null]']);
    await h.finish();
    assert.deepEqual(h.take(), [`+I[a, 1, 2, ${t(11_000)}, ${t(12_000)}, ${t(11_999)}]`]);
  });

  it('rejects a CUMULATE size that is not a multiple of step', () => {
    assert.throws(() => new WindowAggregateOperator(spec({ kind: 'CUMULATE', size: 10, step: 3, offset: 0 })), /multiple of step/);
  });
});
