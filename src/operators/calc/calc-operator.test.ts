import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExprIR } from '../../expr/index.js';
import type { CalcSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { CalcOperator } from './calc-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const ref = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });
const lit = (value: number, type: LogicalType): ExprIR => ({ kind: 'literal', value, type });

describe('CalcOperator', () => {
  it('filters and projects, keeping row kinds', async () => {
    const input = row(['a', Types.bigint()], ['s', Types.string()]);
    const output = row(['s', Types.string()], ['a1', Types.bigint()]);
    const spec: CalcSpec = {
      type: 'calc',
      version: 1,
      projection: [ref(1, Types.string()), { kind: 'call', fn: '+', args: [ref(0, Types.bigint()), lit(1, Types.bigint())], type: Types.bigint() }],
      condition: { kind: 'call', fn: '>', args: [ref(0, Types.bigint()), lit(1, Types.bigint())], type: Types.boolean() },
    };
    const h = await new OperatorHarness(new CalcOperator(spec), { spec, inputTypes: [input], outputType: output }).open();
    await h.process(0, ['+I[1, x]', '+I[2, y]', '-U[3, z]', '+I[null, n]']);
    assert.deepEqual(h.take(), ['+I[y, 3]', '-U[z, 4]']);
    await h.process(0, ['+I[0, x]']);
    assert.deepEqual(h.take(), []);
    await h.watermark(5);
    assert.deepEqual(h.emittedWatermarks, [5]);
  });
});
