import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExprIR } from '../../expr/index.js';
import type { WindowJoinSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { WindowJoinOperator } from './window-join-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
// (key, value, window_start, window_end); window bounds as BIGINT epoch ms.
const L = row(['k', Types.bigint()], ['lv', Types.string()], ['ws', Types.bigint()], ['we', Types.bigint()]);
const R = row(['k', Types.bigint()], ['rv', Types.string()], ['ws', Types.bigint()], ['we', Types.bigint()]);

function spec(joinType: WindowJoinSpec['joinType'], extra: Partial<WindowJoinSpec> = {}): WindowJoinSpec {
  return {
    type: 'window-join',
    version: 1,
    joinType,
    window: { kind: 'TUMBLE', size: 10, offset: 0 },
    leftKeys: [0],
    rightKeys: [0],
    leftWindowStart: 2,
    leftWindowEnd: 3,
    rightWindowStart: 2,
    rightWindowEnd: 3,
    condition: null,
    leftType: L,
    rightType: R,
    ...extra,
  };
}

async function harness(s: WindowJoinSpec) {
  return new OperatorHarness(new WindowJoinOperator(s), { spec: s, inputTypes: [L, R], outputType: { fields: [...L.fields, ...R.fields] } }).open();
}

describe('WindowJoinOperator', () => {
  it('INNER: joins rows of the same key and window when the watermark reaches window_end - 1', async () => {
    const h = await harness(spec('INNER'));
    await h.process(0, ['+I[1, a, 0, 10]', '+I[1, b, 10, 20]', '+I[2, c, 0, 10]']);
    await h.process(1, ['+I[1, x, 0, 10]', '+I[1, y, 0, 10]', '+I[1, z, 10, 20]', '+I[3, w, 0, 10]']);
    await h.watermark(8);
    assert.deepEqual(h.take(), []);
    await h.watermark(9);
    assert.deepEqual(h.take(), ['+I[1, a, 0, 10, 1, x, 0, 10]', '+I[1, a, 0, 10, 1, y, 0, 10]']);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[1, b, 10, 20, 1, z, 10, 20]']);
    assert.equal(h.state.approximateKeyCount(), 0);
  });

  it('FULL: unmatched rows of both sides are padded when their window closes; NULL keys at once', async () => {
    const h = await harness(spec('FULL'));
    await h.process(0, ['+I[1, a, 0, 10]', '+I[2, b, 0, 10]', '+I[null, n, 0, 10]']);
    assert.deepEqual(h.take(), ['+I[null, n, 0, 10, null, null, null, null]']);
    await h.process(1, ['+I[1, x, 0, 10]', '+I[3, w, 0, 10]', '+I[2, v, 10, 20]']);
    await h.watermark(9);
    assert.deepEqual(h.take().sort(), ['+I[1, a, 0, 10, 1, x, 0, 10]', '+I[2, b, 0, 10, null, null, null, null]', '+I[null, null, null, null, 3, w, 0, 10]'].sort());
    await h.finish();
    assert.deepEqual(h.take(), ['+I[null, null, null, null, 2, v, 10, 20]']);
  });

  it('LEFT and RIGHT pad only their own side; the condition decides matches', async () => {
    const ref = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });
    const condition: ExprIR = { kind: 'call', fn: '<', args: [ref(1, Types.string()), ref(5, Types.string())], type: Types.boolean() };
    const l = await harness(spec('LEFT', { condition }));
    await l.process(0, ['+I[1, m, 0, 10]', '+I[1, a, 0, 10]']);
    await l.process(1, ['+I[1, c, 0, 10]', '+I[4, q, 0, 10]']);
    await l.finish();
    assert.deepEqual(l.take(), ['+I[1, m, 0, 10, null, null, null, null]', '+I[1, a, 0, 10, 1, c, 0, 10]']);
    const r = await harness(spec('RIGHT'));
    await r.process(0, ['+I[5, a, 0, 10]']);
    await r.process(1, ['+I[1, c, 0, 10]']);
    await r.finish();
    assert.deepEqual(r.take(), ['+I[null, null, null, null, 1, c, 0, 10]']);
  });

  it('drops rows of windows that already fired and counts them', async () => {
    const h = await harness(spec('LEFT'));
    await h.watermark(9);
    await h.process(0, ['+I[1, late, 0, 10]', '+I[1, ok, 10, 20]']);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[1, ok, 10, 20, null, null, null, null]']);
    assert.equal(h.counter('numLateRecordsDropped'), 1);
  });

  it('without keys, everything in a window joins (global)', async () => {
    const h = await harness(spec('INNER', { leftKeys: [], rightKeys: [] }));
    await h.process(0, ['+I[1, a, 0, 10]', '+I[2, b, 0, 10]']);
    await h.process(1, ['+I[9, x, 0, 10]']);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[1, a, 0, 10, 9, x, 0, 10]', '+I[2, b, 0, 10, 9, x, 0, 10]']);
  });
});
