import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AggregateCall, SessionWindowAggregateSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { SessionWindowAggregateOperator } from './session-window-aggregate.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const ts3 = Types.timestamp(3);
const INPUT = row(['k', Types.string()], ['v', Types.bigint()], ['ts', { kind: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'rowtime' }]);
const OUTPUT = row(['k', Types.string()], ['cnt', Types.bigint(false)], ['s', Types.bigint()], ['window_start', ts3], ['window_end', ts3], ['window_time', ts3]);
const AGGS: AggregateCall[] = [
  { fn: 'COUNT', args: [], argTypes: [], distinct: false, filterArg: null, type: Types.bigint(false), name: 'COUNT(*)' },
  { fn: 'SUM', args: [1], argTypes: [Types.bigint()], distinct: false, filterArg: null, type: Types.bigint(), name: 'SUM($1)' },
];

function spec(extra: Partial<SessionWindowAggregateSpec> = {}): SessionWindowAggregateSpec {
  return { type: 'session-window-aggregate', version: 1, gap: 10, timeIndex: 2, procTime: false, groupKeys: [0], aggregates: AGGS, ...extra };
}

async function harness(s: SessionWindowAggregateSpec = spec()) {
  return new OperatorHarness(new SessionWindowAggregateOperator(s), { spec: s, inputTypes: [INPUT], outputType: OUTPUT }).open();
}

const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const out = (k: string, cnt: number, sum: number, start: number, end: number): string => `+I[${k}, ${cnt}, ${sum}, ${t(start)}, ${t(end)}, ${t(end - 1)}]`;

describe('SessionWindowAggregateOperator', () => {
  it('extends a session while rows come within the gap and fires at last + gap - 1', async () => {
    const h = await harness();
    await h.process(0, ['+I[a, 1, 0]', '+I[a, 2, 5]', '+I[b, 7, 3]', '+I[a, 3, 14]']);
    await h.watermark(12);
    assert.deepEqual(h.take(), [out('b', 1, 7, 3, 13)]);
    await h.watermark(23);
    assert.deepEqual(h.take(), [out('a', 3, 6, 0, 24)]);
    assert.deepEqual(h.emittedWatermarks, [12, 23]);
  });

  it('separate sessions when the gap is exceeded; touching windows merge', async () => {
    const h = await harness();
    await h.process(0, ['+I[a, 1, 0]', '+I[a, 1, 10]', '+I[a, 1, 21]']);
    await h.finish();
    // [0,10) and [10,20) touch → one session [0,20); 21 starts a new one.
    assert.deepEqual(h.take(), [out('a', 2, 2, 0, 20), out('a', 1, 1, 21, 31)]);
  });

  it('a late row bridging two sessions merges them (and their accumulators)', async () => {
    const h = await harness();
    // [0, 10) and [18, 28) are two sessions until a row at 9 ([9, 19)) overlaps both.
    await h.process(0, ['+I[a, 1, 0]', '+I[a, 10, 18]']);
    await h.watermark(5);
    await h.process(0, ['+I[a, 100, 9]']);
    await h.watermark(26);
    assert.deepEqual(h.take(), []);
    await h.watermark(27);
    assert.deepEqual(h.take(), [out('a', 3, 111, 0, 28)]);
    await h.finish();
    assert.deepEqual(h.take(), []);
    // No timer of the merged-away sessions is left behind.
    assert.equal(h.timers.pending['event-time'].size, 0);
  });

  it('drops late rows whose window is complete and merges with nothing; NULL times counted', async () => {
    const h = await harness();
    await h.process(0, ['+I[a, 1, 30]']);
    await h.watermark(20);
    await h.process(0, ['+I[b, 1, 5]', '+I[a, 5, 22]', '+I[c, 1, null]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    assert.equal(h.counter('numNullTimeRecordsDropped'), 1);
    await h.finish();
    // 22's window [22, 32) overlaps the open session [30, 40): not late.
    assert.deepEqual(h.take(), [out('a', 2, 6, 22, 40)]);
  });

  it('global sessions (no group keys) and empty input', async () => {
    const s = spec({ groupKeys: [] });
    const outType = row(['cnt', Types.bigint(false)], ['s', Types.bigint()], ['window_start', ts3], ['window_end', ts3], ['window_time', ts3]);
    const h = await new OperatorHarness(new SessionWindowAggregateOperator(s), { spec: s, inputTypes: [INPUT], outputType: outType }).open();
    await h.process(0, ['+I[a, 1, 0]', '+I[b, 2, 4]', '+I[c, 4, 50]']);
    await h.finish();
    assert.deepEqual(h.take(), [`+I[2, 3, ${t(0)}, ${t(14)}, ${t(13)}]`, `+I[1, 4, ${t(50)}, ${t(60)}, ${t(59)}]`]);
    const empty = await harness();
    await empty.finish();
    assert.deepEqual(empty.take(), []);
  });

  it('processing time: rows take the clock; open sessions fire at end of input', async () => {
    const h = await harness(spec({ procTime: true }));
    h.now = 1000;
    await h.process(0, ['+I[a, 1, null]', '+I[b, 2, null]']);
    h.now = 1005;
    await h.process(0, ['+I[a, 3, null]']);
    await h.advanceProcessingTime(1010);
    assert.deepEqual(h.take(), [out('b', 1, 2, 1000, 1010)]);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 2, 4, 1000, 1015)]);
  });

  it('property: any arrival order (with no late rows) gives the sessions of the sorted input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 100 })), { maxLength: 30 }), async (rows) => {
        const h = await harness();
        await h.process(0, rows.map(([k, ts]) => `+I[${k}, 1, ${ts}]`));
        await h.finish();
        const got = h.take().sort();
        // Reference: per key, sort times and cut where the distance exceeds the gap.
        const expected: string[] = [];
        for (const k of ['a', 'b']) {
          const times = rows.filter((r) => r[0] === k).map((r) => r[1]).sort((x, y) => x - y);
          let i = 0;
          while (i < times.length) {
            let j = i;
            while (j + 1 < times.length && times[j + 1]! - times[j]! <= 10) j++;
            expected.push(out(k, j - i + 1, j - i + 1, times[i]!, times[j]! + 10));
            i = j + 1;
          }
        }
        assert.deepEqual(got, expected.sort());
      }),
      { numRuns: 200 },
    );
  });
});
