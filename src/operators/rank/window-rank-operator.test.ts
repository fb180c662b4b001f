import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowRankSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { WindowRankOperator } from './window-rank-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const ts3 = Types.timestamp(3, false);
// (k, price, window_start, window_end)
const INPUT = row(['k', Types.string()], ['price', Types.bigint()], ['window_start', ts3], ['window_end', ts3]);
const WITH_RANK = row(...INPUT.fields.map((f) => [f.name, f.type] as [string, LogicalType]), ['rn', Types.bigint(false)]);

function spec(extra: Partial<WindowRankSpec> = {}): WindowRankSpec {
  return {
    type: 'window-rank',
    version: 1,
    partitionKeys: [2, 3],
    windowEndIndex: 3,
    orderBy: [{ index: 1, descending: true, nullsFirst: false }],
    rankStart: 1,
    rankEnd: 2,
    outputRankNumber: true,
    laterRowFirstOnTies: false,
    ...extra,
  };
}

async function harness(s: WindowRankSpec) {
  const out = s.outputRankNumber ? WITH_RANK : INPUT;
  return new OperatorHarness(new WindowRankOperator(s), { spec: s, inputTypes: [INPUT], outputType: out }).open();
}

const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

describe('WindowRankOperator', () => {
  it('emits the top N of each window once, insert-only, when the watermark reaches window_end - 1', async () => {
    const h = await harness(spec());
    await h.process(0, ['+I[a, 5, 0, 10]', '+I[b, 9, 0, 10]', '+I[c, 7, 0, 10]', '+I[d, 1, 10, 20]', '+I[e, null, 10, 20]']);
    await h.watermark(8);
    assert.deepEqual(h.take(), []);
    await h.process(0, ['+I[f, 8, 0, 10]']);
    await h.watermark(9);
    assert.deepEqual(h.take(), [`+I[b, 9, ${t(0)}, ${t(10)}, 1]`, `+I[f, 8, ${t(0)}, ${t(10)}, 2]`]);
    // A row for the fired window is late.
    await h.process(0, ['+I[g, 100, 0, 10]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    await h.finish();
    // DESC puts NULL last.
    assert.deepEqual(h.take(), [`+I[d, 1, ${t(10)}, ${t(20)}, 1]`, `+I[e, null, ${t(10)}, ${t(20)}, 2]`]);
    assert.equal(h.state.approximateKeyCount(), 0);
  });

  it('partitions by an extra key; a rank range not starting at 1; no rank number', async () => {
    const h = await harness(spec({ partitionKeys: [0, 2, 3], rankStart: 2, rankEnd: 3, outputRankNumber: false, orderBy: [{ index: 1, descending: false, nullsFirst: true }] }));
    await h.process(0, ['+I[a, 5, 0, 10]', '+I[a, 3, 0, 10]', '+I[a, 4, 0, 10]', '+I[a, 1, 0, 10]', '+I[b, 2, 0, 10]']);
    await h.finish();
    assert.deepEqual(h.take(), [`+I[a, 3, ${t(0)}, ${t(10)}]`, `+I[a, 4, ${t(0)}, ${t(10)}]`]);
  });

  it('ties: an earlier row wins (keep first), or a later row wins (keep last)', async () => {
    const rows = ['+I[a, 1, 0, 10]', '+I[b, 1, 0, 10]', '+I[c, 1, 0, 10]'];
    const first = await harness(spec({ rankEnd: 1, outputRankNumber: false }));
    await first.process(0, rows);
    await first.finish();
    assert.deepEqual(first.take(), [`+I[a, 1, ${t(0)}, ${t(10)}]`]);
    const last = await harness(spec({ rankEnd: 1, outputRankNumber: false, laterRowFirstOnTies: true }));
    await last.process(0, rows);
    await last.finish();
    assert.deepEqual(last.take(), [`+I[c, 1, ${t(0)}, ${t(10)}]`]);
  });

  it('empty input emits nothing', async () => {
    const h = await harness(spec());
    await h.finish();
    assert.deepEqual(h.take(), []);
  });
});
