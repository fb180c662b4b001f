import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FloeError } from '../common/index.js';
import { OperatorRegistry } from '../runtime/index.js';
import type { NodeSpec, OperatorSpec } from '../spec/index.js';
import { GroupAggregateOperator, registerOperators, UnionOperator } from './index.js';

const node = (operator: OperatorSpec): NodeSpec => ({
  id: 3,
  name: 'n',
  parallelism: 1,
  inputs: [],
  outputType: { fields: [] },
  changelogMode: { kind: 'insert-only' },
  operator,
});

describe('registerOperators', () => {
  it('registers every operator type and builds it from its spec', () => {
    const registry = new OperatorRegistry();
    registerOperators(registry);
    for (const t of ['calc', 'union', 'group-aggregate', 'window-aggregate', 'session-window-aggregate', 'over-aggregate', 'window-rank', 'window-table-function', 'join', 'interval-join', 'temporal-join', 'window-join', 'rank', 'deduplicate']) assert.ok(registry.has(t), t);
    const union: OperatorSpec = { type: 'union', version: 1 };
    assert.ok(registry.create(union, node(union)) instanceof UnionOperator);
    const agg: OperatorSpec = { type: 'group-aggregate', version: 1, groupKeys: [], aggregates: [], inputMode: { kind: 'insert-only' }, generateUpdateBefore: true, stateTtlMs: 0 };
    assert.ok(registry.create(agg, node(agg)) instanceof GroupAggregateOperator);
  });

  it('rejects unknown spec versions with a clear error', () => {
    const registry = new OperatorRegistry();
    registerOperators(registry);
    const spec = { type: 'union', version: 2 } as unknown as OperatorSpec;
    assert.throws(
      () => registry.create(spec, node(spec)),
      (e: unknown) => e instanceof FloeError && e.code === 'OPERATOR.UNSUPPORTED_SPEC_VERSION' && /version 2/.test(e.message),
    );
  });

  it('rejects an unknown aggregate function when the operator is built', () => {
    const registry = new OperatorRegistry();
    registerOperators(registry);
    const agg = {
      type: 'group-aggregate',
      version: 1,
      groupKeys: [],
      aggregates: [{ fn: 'MEDIAN', args: [0], argTypes: [], distinct: false, filterArg: null, type: { kind: 'INT', nullable: true }, name: 'MEDIAN($0)' }],
      inputMode: { kind: 'insert-only' },
      generateUpdateBefore: true,
      stateTtlMs: 0,
    } as OperatorSpec;
    const op = registry.create(agg, node(agg)) as GroupAggregateOperator;
    assert.throws(
      () => op.open({ inputTypes: [{ fields: [{ name: 'a', type: { kind: 'INT', nullable: true } }] }] } as never),
      (e: unknown) => e instanceof FloeError && e.code === 'OPERATOR.UNSUPPORTED_AGGREGATE',
    );
  });
});
