import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExprIR } from '../../expr/index.js';
import type { LookupJoinSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RecordBatch, RowType } from '../../types/index.js';
import { changelogBatch } from '../test-support/changelog.js';
import { OperatorHarness } from '../test-support/harness.js';
import { LookupJoinOperator } from './lookup-join-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const IN = row(['k', Types.bigint()], ['v', Types.string()]);
const TABLE = row(['key', Types.bigint()], ['name', Types.string()]);
const ref = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });

function spec(extra: Partial<LookupJoinSpec> = {}): LookupJoinSpec {
  return {
    type: 'lookup-join',
    version: 1,
    joinType: 'INNER',
    table: {
      type: 'source',
      version: 1,
      connector: 'test',
      tableName: 'dim',
      options: {},
      physicalType: TABLE,
      computed: [],
      watermark: null,
      filter: null,
      projection: [0, 1],
      bounded: true,
    },
    tableCalc: null,
    tableType: TABLE,
    inputType: IN,
    inputKeys: [0],
    tableKeys: [0],
    condition: null,
    cacheTtlMs: 0,
    retry: null,
    ...extra,
  };
}

/** A table whose content the test changes between loads; counts the loads. */
class FakeTable {
  rows: string[];
  loads = 0;
  constructor(rows: string[]) {
    this.rows = rows;
  }
  readonly loader = async (): Promise<readonly RecordBatch[]> => {
    this.loads++;
    return [changelogBatch(TABLE, this.rows)];
  };
}

async function harness(s: LookupJoinSpec, table: FakeTable) {
  const outputType: RowType = { fields: [...s.inputType.fields, ...s.tableType.fields] };
  return new OperatorHarness(new LookupJoinOperator(s, table.loader), { spec: s, inputTypes: [s.inputType], outputType }).open();
}

describe('LookupJoinOperator', () => {
  it('INNER: one output row per matching table row, in table order; NULL keys and misses emit nothing', async () => {
    const t = new FakeTable(['+I[1, one]', '+I[2, two]', '+I[1, uno]', '+I[null, nobody]']);
    const h = await harness(spec(), t);
    await h.process(0, ['+I[1, a]', '+I[3, b]', '+I[null, c]', '+I[2, d]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, one]', '+I[1, a, 1, uno]', '+I[2, d, 2, two]']);
    assert.equal(h.counter('lookupMisses'), 2);
  });

  it('LEFT: misses and NULL keys are NULL-padded; row kinds of an updating input pass through', async () => {
    const t = new FakeTable(['+I[1, one]']);
    const h = await harness(spec({ joinType: 'LEFT' }), t);
    await h.process(0, ['+I[1, a]', '-U[1, a]', '+U[2, b]', '-D[null, c]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, one]', '-U[1, a, 1, one]', '+U[2, b, null, null]', '-D[null, c, null, null]']);
  });

  it('applies the residual condition over the input row and the table row', async () => {
    const t = new FakeTable(['+I[1, a]', '+I[1, b]']);
    // v = name
    const condition: ExprIR = { kind: 'call', fn: '=', args: [ref(1, Types.string()), ref(3, Types.string())], type: Types.boolean() };
    const h = await harness(spec({ joinType: 'LEFT', condition }), t);
    await h.process(0, ['+I[1, b]', '+I[1, z]']);
    assert.deepEqual(h.take(), ['+I[1, b, 1, b]', '+I[1, z, null, null]']);
  });

  it('applies the table calc (filter and projection above the scan)', async () => {
    const t = new FakeTable(['+I[1, keep]', '+I[1, drop]']);
    const tableType = row(['key', Types.bigint()], ['name', Types.string()]);
    const tableCalc = {
      projection: [ref(0, Types.bigint()), ref(1, Types.string())],
      condition: { kind: 'call', fn: '<>', args: [ref(1, Types.string()), { kind: 'literal', value: 'drop', type: Types.string() }], type: Types.boolean() } as ExprIR,
    };
    const h = await harness(spec({ tableCalc, tableType }), t);
    await h.process(0, ['+I[1, a]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, keep]']);
  });

  it('reloads the table when the cache TTL has passed, not before', async () => {
    const t = new FakeTable(['+I[1, old]']);
    const h = await harness(spec({ cacheTtlMs: 1000 }), t);
    t.rows = ['+I[1, new]'];
    await h.process(0, ['+I[1, a]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, old]']);
    h.now += 1000;
    await h.process(0, ['+I[1, b]']);
    assert.deepEqual(h.take(), ['+I[1, b, 1, new]']);
    assert.equal(t.loads, 2);
  });

  it('retries a lookup miss against a reloaded table, up to max-attempts retries', async () => {
    const t = new FakeTable([]);
    const h = await harness(spec({ retry: { maxAttempts: 2, fixedDelayMs: 1 } }), t);
    await h.process(0, ['+I[1, a]']);
    assert.deepEqual(h.take(), []);
    assert.equal(t.loads, 3, 'the initial load and one per retry');
    t.rows = ['+I[1, late]'];
    await h.process(0, ['+I[1, b]']);
    assert.deepEqual(h.take(), ['+I[1, b, 1, late]']);
    assert.equal(t.loads, 4, 'the first retry found the row');
  });

  it('an empty table joins nothing (INNER) and pads everything (LEFT)', async () => {
    const inner = await harness(spec(), new FakeTable([]));
    await inner.process(0, ['+I[1, a]']);
    assert.deepEqual(inner.take(), []);
    const left = await harness(spec({ joinType: 'LEFT' }), new FakeTable([]));
    await left.process(0, ['+I[1, a]']);
    assert.deepEqual(left.take(), ['+I[1, a, null, null]']);
  });
});
