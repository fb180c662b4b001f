import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AggregateCall, OverAggregateSpec, OverFrame } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { OverAggregateOperator } from './over-aggregate.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const INPUT = row(['k', Types.string()], ['v', Types.bigint()], ['ts', { kind: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'rowtime' }]);
const OUTPUT = row(...INPUT.fields.map((f) => [f.name, f.type] as [string, LogicalType]), ['cnt', Types.bigint(false)], ['s', Types.bigint()], ['mx', Types.bigint()]);
const AGGS: AggregateCall[] = [
  { fn: 'COUNT', args: [], argTypes: [], distinct: false, filterArg: null, type: Types.bigint(false), name: 'COUNT(*)' },
  { fn: 'SUM', args: [1], argTypes: [Types.bigint()], distinct: false, filterArg: null, type: Types.bigint(), name: 'SUM($1)' },
  { fn: 'MAX', args: [1], argTypes: [Types.bigint()], distinct: false, filterArg: null, type: Types.bigint(), name: 'MAX($1)' },
];

function spec(frame: OverFrame, extra: Partial<OverAggregateSpec> = {}): OverAggregateSpec {
  return { type: 'over-aggregate', version: 1, partitionKeys: [0], timeIndex: 2, procTime: false, frame, aggregates: AGGS, ...extra };
}

async function harness(s: OverAggregateSpec) {
  return new OperatorHarness(new OverAggregateOperator(s), { spec: s, inputTypes: [INPUT], outputType: OUTPUT }).open();
}

const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const out = (k: string, v: number | null, ts: number, cnt: number, s: number | null, mx: number | null): string => `+I[${k}, ${v ?? 'null'}, ${t(ts)}, ${cnt}, ${s ?? 'null'}, ${mx ?? 'null'}]`;

describe('OverAggregateOperator', () => {
  it('ROWS 1 PRECEDING: buffers until the watermark, emits in time order, retracts the row that leaves', async () => {
    const h = await harness(spec({ unit: 'ROWS', preceding: 1 }));
    await h.process(0, ['+I[a, 5, 3]', '+I[a, 1, 1]', '+I[b, 7, 2]', '+I[a, 9, 2]']);
    assert.deepEqual(h.take(), []);
    await h.watermark(2);
    assert.deepEqual(h.take(), [out('a', 1, 1, 1, 1, 1), out('a', 9, 2, 2, 10, 9), out('b', 7, 2, 1, 7, 7)]);
    await h.watermark(10);
    // MAX retracts 9 when it leaves the frame: the frame of (a, 5) is {9, 5}.
    assert.deepEqual(h.take(), [out('a', 5, 3, 2, 14, 9)]);
    await h.process(0, ['+I[a, 2, 11]', '+I[a, 1, 3]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 2, 11, 2, 7, 5)]);
  });

  it('ROWS 1 PRECEDING with several rows at one timestamp: one at a time, in arrival order', async () => {
    const h = await harness(spec({ unit: 'ROWS', preceding: 1 }));
    await h.process(0, ['+I[a, 1, 5]', '+I[a, 2, 5]', '+I[a, 3, 5]', '+I[a, null, 6]']);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 1, 5, 1, 1, 1), out('a', 2, 5, 2, 3, 2), out('a', 3, 5, 2, 5, 3), out('a', null, 6, 2, 3, 3)]);
  });

  it('RANGE 10 ms PRECEDING: peers share a result; rows older than t - 10 leave', async () => {
    const h = await harness(spec({ unit: 'RANGE', preceding: 10 }));
    await h.process(0, ['+I[a, 1, 0]', '+I[a, 2, 10]', '+I[a, 4, 10]', '+I[a, 8, 11]']);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 1, 0, 1, 1, 1), out('a', 2, 10, 3, 7, 4), out('a', 4, 10, 3, 7, 4), out('a', 8, 11, 3, 14, 8)]);
  });

  it('RANGE: an idle partition drops its frame once the frame has passed (cleanup timer)', async () => {
    const h = await harness(spec({ unit: 'RANGE', preceding: 10 }));
    await h.process(0, ['+I[a, 1, 0]', '+I[a, 2, 5]', '+I[b, 3, 5]']);
    await h.watermark(5);
    assert.equal(h.take().length, 3);
    assert.equal(h.state.approximateKeyCount(), 2);
    await h.watermark(15);
    // Row 0 left a's frame, row 5 has not: a keeps its state, with 0 retracted.
    assert.equal(h.state.approximateKeyCount(), 2);
    await h.watermark(16);
    assert.equal(h.state.approximateKeyCount(), 0);
    await h.process(0, ['+I[a, 7, 20]']);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 7, 20, 1, 7, 7)]);
  });

  it('UNBOUNDED PRECEDING: ROWS numbers each row, RANGE gives peers the same result', async () => {
    const rows = ['+I[a, 1, 0]', '+I[a, 2, 10]', '+I[a, 4, 10]', '+I[b, 8, 11]'];
    const r = await harness(spec({ unit: 'ROWS', preceding: null }));
    await r.process(0, rows);
    await r.finish();
    assert.deepEqual(r.take(), [out('a', 1, 0, 1, 1, 1), out('a', 2, 10, 2, 3, 2), out('a', 4, 10, 3, 7, 4), out('b', 8, 11, 1, 8, 8)]);
    const g = await harness(spec({ unit: 'RANGE', preceding: null }));
    await g.process(0, rows);
    await g.finish();
    assert.deepEqual(g.take(), [out('a', 1, 0, 1, 1, 1), out('a', 2, 10, 3, 7, 4), out('a', 4, 10, 3, 7, 4), out('b', 8, 11, 1, 8, 8)]);
  });

  it('NULL times are dropped and counted; empty input emits nothing', async () => {
    const h = await harness(spec({ unit: 'ROWS', preceding: 2 }));
    await h.process(0, ['+I[a, 1, null]']);
    await h.finish();
    assert.deepEqual(h.take(), []);
    assert.equal(h.counter('numNullTimeRecordsDropped'), 1);
  });

  it('processing time: rows are emitted on arrival', async () => {
    const h = await harness(spec({ unit: 'ROWS', preceding: 1 }, { procTime: true }));
    await h.process(0, ['+I[a, 1, null]', '+I[a, 2, null]', '+I[a, 3, null]']);
    const lines = h.take();
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => l.split(', ').slice(3).join(', ')), ['1, 1, 1]', '2, 3, 2]', '2, 5, 3]']);
  });

  it('property: ROWS n PRECEDING equals a recomputation over the sorted rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: -5, max: 20 }), fc.integer({ min: 0, max: 30 })), { maxLength: 25 }),
        fc.integer({ min: 0, max: 4 }),
        async (input, n) => {
          const h = await harness(spec({ unit: 'ROWS', preceding: n }));
          await h.process(0, input.map(([k, v, ts]) => `+I[${k}, ${v}, ${ts}]`));
          await h.finish();
          const expected: string[] = [];
          for (const k of ['a', 'b']) {
            // Stable sort by time keeps arrival order within a timestamp.
            const rows = input.filter((r) => r[0] === k).sort((x, y) => x[2] - y[2]);
            rows.forEach((r, i) => {
              const frame = rows.slice(Math.max(0, i - n), i + 1).map((x) => x[1]);
              expected.push(out(k, r[1], r[2], frame.length, frame.reduce((p, c) => p + c, 0), Math.max(...frame)));
            });
          }
          assert.deepEqual(h.take().sort(), expected.sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
