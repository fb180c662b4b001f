import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AggregateCall, WindowAggregateSpec, WindowSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { PerWindowAggregate } from './per-window-aggregate.js';
import { SlicedWindowAggregate } from './sliced-window-aggregate.js';
import { WindowAggregateOperator, usesSlicing } from './window-aggregate.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const ts3 = Types.timestamp(3);
const INPUT = row(['k', Types.string()], ['v', Types.bigint()], ['ts', { kind: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'rowtime' }]);
const call = (fn: string, args: number[], distinct = false, type: LogicalType = Types.bigint()): AggregateCall => ({
  fn,
  args,
  argTypes: args.map(() => Types.bigint()),
  distinct,
  filterArg: null,
  type,
  name: `${fn}(${distinct ? 'DISTINCT ' : ''}${args.join(',')})`,
});
const COUNT_SUM = [call('COUNT', [], false, Types.bigint(false)), call('SUM', [1])];
const outputFor = (aggs: readonly AggregateCall[]): RowType =>
  row(['k', Types.string()], ...aggs.map((a, i): [string, LogicalType] => [`a${i}`, a.type]), ['window_start', ts3], ['window_end', ts3], ['window_time', ts3]);

function spec(window: WindowSpec, aggregates: AggregateCall[] = COUNT_SUM): WindowAggregateSpec {
  return { type: 'window-aggregate', version: 1, window, timeIndex: 2, procTime: false, groupKeys: [0], aggregates };
}

async function harness(s: WindowAggregateSpec, op: 'sliced' | 'per-window' | 'auto' = 'sliced', config?: Record<string, string>) {
  const operator = op === 'sliced' ? new SlicedWindowAggregate(s) : op === 'per-window' ? new PerWindowAggregate(s) : new WindowAggregateOperator(s);
  return new OperatorHarness(operator, { spec: s, inputTypes: [INPUT], outputType: outputFor(s.aggregates), config }).open();
}

const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const out = (k: string, cnt: number, sum: number, start: number, end: number): string => `+I[${k}, ${cnt}, ${sum}, ${t(start)}, ${t(end)}, ${t(end - 1)}]`;

describe('SlicedWindowAggregate', () => {
  it('HOP with size not a multiple of slide uses gcd slices; windows with empty slices', async () => {
    // size 10, slide 4: slices of 2 ms; window [4, 14) has only slices [4, 6) and [8, 10) filled.
    const h = await harness(spec({ kind: 'HOP', size: 10, slide: 4, offset: 0 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 2, 5]', '+I[a, 4, 9]', '+I[b, 8, 3]']);
    await h.finish();
    assert.deepEqual(h.take(), [
      out('a', 1, 1, -8, 2),
      out('a', 2, 3, -4, 6),
      out('b', 1, 8, -4, 6),
      out('a', 3, 7, 0, 10),
      out('b', 1, 8, 0, 10),
      out('a', 2, 6, 4, 14),
      out('a', 1, 4, 8, 18),
    ]);
    assert.equal(h.state.approximateKeyCount(), 0, 'every slice is freed once its last window fired');
  });

  it('HOP: a row is late when its gcd slice fired, on time for a later slice of the same window', async () => {
    const h = await harness(spec({ kind: 'HOP', size: 10, slide: 4, offset: 0 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 2, 5]', '+I[b, 8, 3]']);
    await h.watermark(5);
    assert.deepEqual(h.take(), [out('a', 1, 1, -8, 2), out('a', 2, 3, -4, 6), out('b', 1, 8, -4, 6)]);
    await h.process(0, ['+I[a, 100, 5]', '+I[a, 4, 9]', '+I[a, 16, 6]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 4, 23, 0, 10), out('b', 1, 8, 0, 10), out('a', 3, 22, 4, 14), out('a', 1, 4, 8, 18)]);
    assert.deepEqual(h.emittedWatermarks, [5, Infinity]);
  });

  it('HOP with an offset and negative timestamps', async () => {
    // size 6, slide 4, offset 1: starts ≡ 1 (mod 4), slices of 2 ms aligned to odd times.
    const h = await harness(spec({ kind: 'HOP', size: 6, slide: 4, offset: 1 }));
    await h.process(0, ['+I[a, 1, -4]', '+I[a, 2, 0]', '+I[a, 4, 2]', '+I[a, 8, null]']);
    assert.equal(h.counter('numNullTimeRecordsDropped'), 1);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 1, 1, -7, -1), out('a', 2, 6, -3, 3), out('a', 1, 4, 1, 7)]);
  });

  it('CUMULATE: out-of-order slices, windows per step, state freed at the period end', async () => {
    const h = await harness(spec({ kind: 'CUMULATE', size: 6, step: 2, offset: 0 }));
    await h.process(0, ['+I[a, 1, 5]', '+I[a, 2, 1]', '+I[b, 4, 7]']);
    await h.watermark(5);
    assert.deepEqual(h.take(), [out('a', 1, 2, 0, 2), out('a', 1, 2, 0, 4), out('a', 2, 3, 0, 6)]);
    assert.equal(h.state.approximateKeyCount(), 1, "a's period ended: only b keeps state");
    await h.finish();
    assert.deepEqual(h.take(), [out('b', 1, 4, 6, 8), out('b', 1, 4, 6, 10), out('b', 1, 4, 6, 12)]);
    assert.equal(h.state.approximateKeyCount(), 0);
  });

  it('CUMULATE: fired slices of a period are kept merged; later windows add the newer slices', async () => {
    const h = await harness(spec({ kind: 'CUMULATE', size: 8, step: 2, offset: 0 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 2, 3]', '+I[a, 4, 5]']);
    await h.watermark(3);
    assert.deepEqual(h.take(), [out('a', 1, 1, 0, 2), out('a', 2, 3, 0, 4)]);
    await h.process(0, ['+I[a, 100, 2]', '+I[a, 8, 7]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
    await h.finish();
    assert.deepEqual(h.take(), [out('a', 3, 7, 0, 6), out('a', 4, 15, 0, 8)]);
    assert.equal(h.state.approximateKeyCount(), 0);
  });

  it('DISTINCT: TUMBLE runs on slices, HOP falls back to per-window accumulation with the same results', async () => {
    const aggs = [call('COUNT', [1], true, Types.bigint(false)), call('SUM', [1], true)];
    assert.equal(usesSlicing(spec({ kind: 'TUMBLE', size: 10, offset: 0 }, aggs)), true);
    assert.equal(usesSlicing(spec({ kind: 'HOP', size: 10, slide: 5, offset: 0 }, aggs)), false);
    const tumble = await harness(spec({ kind: 'TUMBLE', size: 10, offset: 0 }, aggs), 'auto');
    await tumble.process(0, ['+I[a, 1, 1]', '+I[a, 1, 6]', '+I[a, 2, 7]', '+I[a, null, 8]']);
    await tumble.finish();
    assert.deepEqual(tumble.take(), [out('a', 2, 3, 0, 10)]);
    const hop = await harness(spec({ kind: 'HOP', size: 10, slide: 5, offset: 0 }, aggs), 'auto');
    await hop.process(0, ['+I[a, 1, 1]', '+I[a, 1, 6]', '+I[a, 2, 7]']);
    await hop.finish();
    assert.deepEqual(hop.take(), [out('a', 1, 1, -5, 5), out('a', 2, 3, 0, 10), out('a', 2, 3, 5, 15)]);
  });

  it('pre-aggregates in memory: state is written only by a checkpoint, the buffer limit, or a window with state', async () => {
    const h = await harness(spec({ kind: 'TUMBLE', size: 10, offset: 0 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[b, 2, 2]', '+I[a, 3, 12]']);
    assert.equal(h.state.approximateKeyCount(), 0, 'rows stay in the buffer');
    await h.watermark(9);
    assert.deepEqual(h.take(), [out('a', 1, 1, 0, 10), out('b', 1, 2, 0, 10)], 'fired from the buffer');
    assert.equal(h.state.approximateKeyCount(), 0);
    await h.checkpoint(1);
    assert.equal(h.state.approximateKeyCount(), 1, 'the checkpoint moved window [10, 20) of a into state');
    await h.process(0, ['+I[a, 4, 13]', '+I[c, 5, 14]']);
    await h.watermark(19);
    assert.deepEqual(h.take(), [out('a', 2, 7, 10, 20), out('c', 1, 5, 10, 20)], 'state and buffer merged');
    assert.equal(h.state.approximateKeyCount(), 0);

    const limited = await harness(spec({ kind: 'TUMBLE', size: 10, offset: 0 }), 'sliced', { 'table.exec.window-agg.buffer-size-limit': '2' });
    await limited.process(0, ['+I[a, 1, 1]', '+I[b, 2, 2]']);
    assert.equal(limited.state.approximateKeyCount(), 2, 'a full buffer moves into state');
    await limited.finish();
    assert.deepEqual(limited.take(), [out('a', 1, 1, 0, 10), out('b', 1, 2, 0, 10)]);
  });

  it('chooses slicing only where merging slices is exact', () => {
    const hop: WindowSpec = { kind: 'HOP', size: 10, slide: 5, offset: 0 };
    assert.equal(usesSlicing(spec(hop)), true);
    assert.equal(usesSlicing({ ...spec(hop), procTime: true }), false);
    assert.equal(usesSlicing(spec({ kind: 'HOP', size: 5, slide: 10, offset: 0 })), false, 'slide > size leaves gaps');
    assert.equal(usesSlicing(spec(hop, [call('LISTAGG', [0], false, Types.string())])), false);
    assert.equal(usesSlicing(spec({ kind: 'HOP', size: 10, slide: 10, offset: 0 }, [call('FIRST_VALUE', [1])])), true, 'one slice per window');
    const doubleSum: AggregateCall = { ...call('SUM', [1], false, Types.double()), argTypes: [Types.double()] };
    assert.equal(usesSlicing(spec(hop, [doubleSum])), false, 'partial float sums round differently');
    assert.equal(usesSlicing(spec({ kind: 'CUMULATE', size: 10, step: 5, offset: 0 }, [call('MAX', [1])])), true);
  });

  it('emits what per-window accumulation emits, in an order checkpoints do not change (random windows, keys, lateness, watermarks)', async () => {
    const windowArb: fc.Arbitrary<WindowSpec> = fc.oneof(
      fc.record({ kind: fc.constant('TUMBLE' as const), size: fc.integer({ min: 1, max: 12 }), offset: fc.integer({ min: -5, max: 5 }) }),
      fc
        .record({ slide: fc.integer({ min: 1, max: 8 }), extra: fc.integer({ min: 0, max: 12 }), offset: fc.integer({ min: -5, max: 5 }) })
        .map(({ slide, extra, offset }) => ({ kind: 'HOP' as const, size: slide + extra, slide, offset })),
      fc
        .record({ step: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 4 }), offset: fc.integer({ min: -5, max: 5 }) })
        .map(({ step, n, offset }) => ({ kind: 'CUMULATE' as const, size: step * n, step, offset })),
    );
    const rowArb = fc.record({
      k: fc.constantFrom('a', 'b', 'c', 'dd'),
      v: fc.option(fc.integer({ min: -20, max: 20 }), { nil: null }),
      ts: fc.option(fc.integer({ min: -30, max: 60 }), { nil: null, freq: 20 }),
    });
    // A checkpoint moves the pre-aggregation buffer into state mid-window; a small buffer limit does so
    // within a batch's windows. Neither may change what is emitted.
    const stepArb = fc.oneof(
      fc.array(rowArb, { minLength: 1, maxLength: 8 }).map((rows) => ({ rows, wm: null as number | null, checkpoint: false })),
      fc.integer({ min: -30, max: 60 }).map((wm) => ({ rows: null, wm, checkpoint: false })),
      fc.constant({ rows: null, wm: null, checkpoint: true }),
    );
    const aggs = [
      call('COUNT', [], false, Types.bigint(false)),
      call('SUM', [1]),
      call('MIN', [1]),
      call('MAX', [1]),
      call('AVG', [1]),
      call('COUNT', [1], false, Types.bigint(false)),
    ];
    await fc.assert(
      fc.asyncProperty(windowArb, fc.array(stepArb, { maxLength: 12 }), fc.option(fc.integer({ min: 1, max: 6 })), async (window, steps, limit) => {
        const s = spec(window, aggs);
        // `flushed` moves its buffer into state at random checkpoints and at a small limit; `plain` never
        // does: both must emit the same rows in the same order. The per-window reference emits the same
        // rows, keys in encoded-key order instead of arrival order.
        const flushed = await harness(s, 'sliced', limit === null ? undefined : { 'table.exec.window-agg.buffer-size-limit': String(limit) });
        const plain = await harness(s, 'sliced');
        const reference = await harness(s, 'per-window');
        const all = [flushed, plain, reference];
        const compare = (): void => {
          const emitted = flushed.take();
          assert.deepEqual(emitted, plain.take());
          assert.deepEqual([...emitted].sort(), reference.take().sort());
        };
        let wm = -Infinity;
        let checkpointId = 0;
        for (const step of steps) {
          if (step.checkpoint) await flushed.checkpoint(++checkpointId);
          else if (step.rows !== null) {
            const lines = step.rows.map((r) => `+I[${r.k}, ${r.v ?? 'null'}, ${r.ts ?? 'null'}]`);
            for (const h of all) await h.process(0, lines);
          } else if (step.wm! > wm) {
            wm = step.wm!;
            for (const h of all) await h.watermark(wm);
          }
          compare();
        }
        for (const h of all) await h.finish();
        compare();
        assert.equal(flushed.counter('numLateRecordsDropped'), reference.counter('numLateRecordsDropped'));
        assert.equal(flushed.state.approximateKeyCount(), 0);
      }),
      { numRuns: 300 },
    );
  });
});
