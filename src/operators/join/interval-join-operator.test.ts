import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ExprIR } from '../../expr/index.js';
import type { IntervalJoinSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { IntervalJoinOperator } from './interval-join-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
// Times as BIGINT epoch ms: the operator reads the time column's numbers, whatever the declared type.
const L = row(['lk', Types.bigint()], ['lt', Types.bigint()], ['lv', Types.string()]);
const R = row(['rk', Types.bigint()], ['rt', Types.bigint()], ['rv', Types.string()]);

function spec(joinType: IntervalJoinSpec['joinType'], lowerBound = -10, upperBound = 10, extra: Partial<IntervalJoinSpec> = {}): IntervalJoinSpec {
  return {
    type: 'interval-join',
    version: 1,
    joinType,
    leftKeys: [0],
    rightKeys: [0],
    leftTimeIndex: 1,
    rightTimeIndex: 1,
    lowerBound,
    upperBound,
    condition: null,
    leftType: L,
    rightType: R,
    ...extra,
  };
}

async function harness(s: IntervalJoinSpec) {
  return new OperatorHarness(new IntervalJoinOperator(s), { spec: s, inputTypes: [L, R], outputType: { fields: [...L.fields, ...R.fields] } }).open();
}

describe('IntervalJoinOperator', () => {
  it('INNER: joins rows within the bounds both ways; bounds are inclusive', async () => {
    const h = await harness(spec('INNER', -10, 5));
    await h.process(0, ['+I[1, 100, a]', '+I[2, 100, b]']);
    // right r joins left t when r - 10 <= t <= r + 5, i.e. t - 5 <= r <= t + 10.
    await h.process(1, ['+I[1, 95, x]', '+I[1, 94, too-early]', '+I[1, 110, y]', '+I[1, 111, too-late]', '+I[2, 100, z]']);
    assert.deepEqual(h.take().sort(), ['+I[1, 100, a, 1, 110, y]', '+I[1, 100, a, 1, 95, x]', '+I[2, 100, b, 2, 100, z]'].sort());
    await h.process(0, ['+I[1, 105, c]']);
    assert.deepEqual(h.take().sort(), ['+I[1, 105, c, 1, 110, y]', '+I[1, 105, c, 1, 111, too-late]'].sort());
    await h.finish();
    assert.deepEqual(h.take(), []);
  });

  it('cleans state when the watermark passes, via timers; an emptied operator holds no keys', async () => {
    const h = await harness(spec('INNER'));
    await h.process(0, ['+I[1, 100, a]']);
    await h.process(1, ['+I[1, 100, x]']);
    h.take();
    assert.ok(h.state.approximateKeyCount() > 0);
    await h.watermark(200);
    assert.equal(h.state.approximateKeyCount(), 0);
    // After expiry a right row that would have joined arrives late: nothing is buffered to join it.
    await h.process(1, ['+I[1, 105, late]']);
    assert.deepEqual(h.take(), []);
  });

  it('LEFT: a left row that never joined is padded when the watermark passes its window', async () => {
    const h = await harness(spec('LEFT'));
    await h.process(0, ['+I[1, 100, a]', '+I[2, 100, b]', '+I[null, 100, c]']);
    assert.deepEqual(h.take(), ['+I[null, 100, c, null, null, null]']);
    await h.process(1, ['+I[1, 105, x]']);
    assert.deepEqual(h.take(), ['+I[1, 100, a, 1, 105, x]']);
    await h.watermark(110);
    assert.deepEqual(h.take(), [], 'a right row at 110 could still join the left rows at 100');
    await h.watermark(111);
    assert.deepEqual(h.take(), ['+I[2, 100, b, null, null, null]']);
  });

  it('RIGHT and FULL pad the other side symmetrically; the end of input pads everything left over', async () => {
    const r = await harness(spec('RIGHT'));
    await r.process(1, ['+I[1, 100, x]']);
    await r.process(0, ['+I[2, 100, a]']);
    await r.finish();
    assert.deepEqual(r.take(), ['+I[null, null, null, 1, 100, x]']);
    const f = await harness(spec('FULL'));
    await f.process(0, ['+I[1, 100, a]', '+I[2, 100, b]']);
    await f.process(1, ['+I[1, 100, x]', '+I[3, 100, y]']);
    await f.finish();
    assert.deepEqual(f.take().sort(), ['+I[1, 100, a, 1, 100, x]', '+I[2, 100, b, null, null, null]', '+I[null, null, null, 3, 100, y]'].sort());
  });

  it('a late outer row joins what is buffered and is padded at once when nothing matched', async () => {
    const h = await harness(spec('LEFT'));
    await h.process(1, ['+I[1, 200, x]']);
    await h.watermark(150);
    // Left at 100: its window [90, 110] of right times is behind the watermark: late, not buffered.
    await h.process(0, ['+I[1, 100, late]', '+I[1, 195, joins]']);
    assert.deepEqual(h.take(), ['+I[1, 100, late, null, null, null]', '+I[1, 195, joins, 1, 200, x]']);
  });

  it('applies the residual condition and holds back the output watermark by the window size', async () => {
    const ref = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });
    const condition: ExprIR = { kind: 'call', fn: '<>', args: [ref(2, Types.string()), ref(5, Types.string())], type: Types.boolean() };
    const h = await harness(spec('INNER', -10, 30, { condition }));
    await h.process(0, ['+I[1, 100, a]']);
    await h.process(1, ['+I[1, 100, a]', '+I[1, 100, b]']);
    assert.deepEqual(h.take(), ['+I[1, 100, a, 1, 100, b]']);
    await h.watermark(1000);
    assert.deepEqual(h.emittedWatermarks, [970]);
  });

  it('equals a nested-loop join over in-order input (property)', async () => {
    const rowArb = fc.record({ k: fc.integer({ min: 0, max: 3 }), t: fc.integer({ min: 0, max: 60 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 25 }), fc.array(rowArb, { maxLength: 25 }), fc.integer({ min: -15, max: 5 }), fc.integer({ min: 0, max: 15 }), async (ls, rs, lower, width) => {
        const upper = lower + width;
        const h = await harness(spec('FULL', lower, upper));
        const lsorted = [...ls].sort((a, b) => a.t - b.t);
        const rsorted = [...rs].sort((a, b) => a.t - b.t);
        // Interleave by time with the watermark just behind the data (state is cleaned as it goes): nothing is late.
        let i = 0;
        let j = 0;
        let wm = -Infinity;
        while (i < lsorted.length || j < rsorted.length) {
          const next = j >= rsorted.length || (i < lsorted.length && lsorted[i]!.t <= rsorted[j]!.t) ? lsorted[i]!.t : rsorted[j]!.t;
          if (next - 1 > wm) await h.watermark((wm = next - 1));
          if (j >= rsorted.length || (i < lsorted.length && lsorted[i]!.t <= rsorted[j]!.t)) {
            const x = lsorted[i++]!;
            await h.process(0, [`+I[${x.k}, ${x.t}, l${i}]`]);
          } else {
            const x = rsorted[j++]!;
            await h.process(1, [`+I[${x.k}, ${x.t}, r${j}]`]);
          }
        }
        await h.finish();
        const expected: string[] = [];
        const lj = new Set<number>();
        const rj = new Set<number>();
        lsorted.forEach((l, li) =>
          rsorted.forEach((r, ri) => {
            if (l.k === r.k && r.t + lower <= l.t && l.t <= r.t + upper) {
              expected.push(`+I[${l.k}, ${l.t}, l${li + 1}, ${r.k}, ${r.t}, r${ri + 1}]`);
              lj.add(li);
              rj.add(ri);
            }
          }),
        );
        lsorted.forEach((l, li) => lj.has(li) || expected.push(`+I[${l.k}, ${l.t}, l${li + 1}, null, null, null]`));
        rsorted.forEach((r, ri) => rj.has(ri) || expected.push(`+I[null, null, null, ${r.k}, ${r.t}, r${ri + 1}]`));
        assert.deepEqual(h.take().sort(), expected.sort());
        assert.equal(h.state.approximateKeyCount(), 0);
      }),
      { numRuns: 60 },
    );
  });
});
