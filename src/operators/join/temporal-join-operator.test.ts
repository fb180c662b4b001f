import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExprIR } from '../../expr/index.js';
import type { TemporalJoinSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { TemporalJoinOperator } from './temporal-join-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
// Orders (id, currency, time) against versioned rates (currency, rate, time); times as BIGINT epoch ms.
const L = row(['id', Types.bigint()], ['cur', Types.string()], ['ot', Types.bigint()]);
const R = row(['cur', Types.string()], ['rate', Types.int()], ['rt', Types.bigint()]);

function spec(joinType: TemporalJoinSpec['joinType'], extra: Partial<TemporalJoinSpec> = {}): TemporalJoinSpec {
  return { type: 'temporal-join', version: 1, joinType, leftKeys: [1], rightKeys: [0], leftTimeIndex: 2, rightTimeIndex: 2, condition: null, leftType: L, rightType: R, ...extra };
}

async function harness(s: TemporalJoinSpec) {
  return new OperatorHarness(new TemporalJoinOperator(s), { spec: s, inputTypes: [L, R], outputType: { fields: [...L.fields, ...R.fields] } }).open();
}

describe('TemporalJoinOperator', () => {
  it('joins each order with the rate current at its time, when the watermark passes it', async () => {
    const h = await harness(spec('INNER'));
    await h.process(1, ['+I[EUR, 114, 0]', '+I[EUR, 116, 10]', '+I[USD, 100, 5]']);
    await h.process(0, ['+I[1, EUR, 5]', '+I[2, EUR, 10]', '+I[3, EUR, 12]', '+I[4, USD, 4]', '+I[5, JPY, 6]']);
    assert.deepEqual(h.take(), [], 'nothing before the watermark');
    await h.watermark(10);
    assert.deepEqual(h.take().sort(), ['+I[1, EUR, 5, EUR, 114, 0]', '+I[2, EUR, 10, EUR, 116, 10]'].sort());
    // A version arriving after the watermark, but at a time before order 3, still counts for it.
    await h.process(1, ['+I[EUR, 117, 11]']);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[3, EUR, 12, EUR, 117, 11]']);
  });

  it('LEFT: no version yet, a deleted version, a failed condition and a NULL key pad the order', async () => {
    const ref = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });
    // rate < 200
    const condition: ExprIR = { kind: 'call', fn: '<', args: [ref(4, Types.int()), { kind: 'literal', value: 200, type: Types.int() }], type: Types.boolean() };
    const h = await harness(spec('LEFT', { condition }));
    await h.process(1, ['+I[EUR, 114, 10]', '-D[EUR, 114, 20]', '+I[GBP, 500, 0]', '+U[EUR, 120, 30]']);
    await h.process(0, ['+I[1, EUR, 5]', '+I[2, EUR, 15]', '+I[3, EUR, 25]', '+I[4, GBP, 1]', '+I[5, null, 1]', '+I[6, EUR, 30]']);
    assert.deepEqual(h.take(), ['+I[5, null, 1, null, null, null]'], 'a NULL key is padded at once');
    await h.finish();
    assert.deepEqual(h.take().sort(), [
      '+I[1, EUR, 5, null, null, null]',
      '+I[2, EUR, 15, EUR, 114, 10]',
      '+I[3, EUR, 25, null, null, null]',
      '+I[4, GBP, 1, null, null, null]',
      '+I[6, EUR, 30, EUR, 120, 30]',
    ].sort());
  });

  it('ignores -U, and a later row at the same version time replaces it', async () => {
    const h = await harness(spec('INNER'));
    await h.process(1, ['+I[EUR, 1, 10]', '-U[EUR, 1, 10]', '+U[EUR, 2, 10]']);
    await h.process(0, ['+I[1, EUR, 10]']);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[1, EUR, 10, EUR, 2, 10]']);
  });

  it('drops versions no later row can need, and all left rows once joined', async () => {
    const h = await harness(spec('INNER'));
    await h.process(1, ['+I[EUR, 1, 0]', '+I[EUR, 2, 10]', '+I[EUR, 3, 20]']);
    await h.watermark(15);
    // Versions at 0 is dropped (10 is the latest at or before 15); 10 and 20 stay.
    await h.process(0, ['+I[1, EUR, 16]']);
    await h.watermark(16);
    assert.deepEqual(h.take(), ['+I[1, EUR, 16, EUR, 2, 10]']);
    // A late order at time 5 only finds what is kept: the version at 10 is after it, so nothing.
    await h.process(0, ['+I[2, EUR, 5]']);
    await h.watermark(17);
    assert.deepEqual(h.take(), []);
    await h.watermark(25);
    await h.process(0, ['+I[3, EUR, 30]']);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[3, EUR, 30, EUR, 3, 20]']);
    assert.equal(h.state.approximateKeyCount(), 1, 'only the current version of EUR is kept');
  });
});
