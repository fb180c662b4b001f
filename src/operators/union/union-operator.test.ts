import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnionSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { UnionOperator } from './union-operator.js';

describe('UnionOperator', () => {
  it('forwards the batches of every input unchanged', async () => {
    const type: RowType = { fields: [{ name: 'a', type: Types.int() }] };
    const spec: UnionSpec = { type: 'union', version: 1 };
    const h = await new OperatorHarness(new UnionOperator(spec), { spec, inputTypes: [type, type], outputType: type }).open();
    await h.process(0, ['+I[1]']);
    await h.process(1, ['-D[2]', '+I[null]']);
    await h.process(0, []);
    assert.deepEqual(h.take(), ['+I[1]', '-D[2]', '+I[null]']);
  });
});
