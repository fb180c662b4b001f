import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AggregateCall, GroupAggregateSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { GroupAggregateOperator } from './group-aggregate.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });

function call(fn: string, args: number[], argTypes: LogicalType[], type: LogicalType, extra: Partial<AggregateCall> = {}): AggregateCall {
  return { fn, args, argTypes, distinct: false, filterArg: null, type, name: `${fn}(${args.join(',')})`, ...extra };
}

function spec(groupKeys: number[], aggregates: AggregateCall[], extra: Partial<GroupAggregateSpec> = {}): GroupAggregateSpec {
  return {
    type: 'group-aggregate',
    version: 1,
    groupKeys,
    aggregates,
    inputMode: { kind: 'retract' },
    generateUpdateBefore: true,
    stateTtlMs: 0,
    ...extra,
  };
}

async function harness(s: GroupAggregateSpec, input: RowType, output: RowType, config: Record<string, string> = {}) {
  return new OperatorHarness(new GroupAggregateOperator(s), { spec: s, inputTypes: [input], outputType: output, config }).open();
}

const KV = row(['k', Types.string()], ['v', Types.bigint()]);

describe('GroupAggregateOperator', () => {
  it('emits +I, then -U/+U on change, and -D when the group empties', async () => {
    const out = row(['k', Types.string()], ['cnt', Types.bigint(false)], ['s', Types.bigint()]);
    const h = await harness(spec([0], [call('COUNT', [], [], Types.bigint(false)), call('SUM', [1], [Types.bigint()], Types.bigint())]), KV, out);
    await h.process(0, ['+I[a, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1]']);
    await h.process(0, ['+I[a, 2]', '+I[b, 5]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 1]', '+U[a, 2, 3]', '+I[b, 1, 5]']);
    await h.process(0, ['-D[a, 1]']);
    assert.deepEqual(h.take(), ['-U[a, 2, 3]', '+U[a, 1, 2]']);
    await h.process(0, ['-D[a, 2]']);
    assert.deepEqual(h.take(), ['-D[a, 1, 2]']);
    // The group is gone: a new row starts it again from scratch.
    await h.process(0, ['+I[a, 7]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 7]']);
  });

  it('emits only the net change of a batch and nothing when the result is unchanged', async () => {
    const out = row(['k', Types.string()], ['s', Types.bigint()]);
    const h = await harness(spec([0], [call('SUM', [1], [Types.bigint()], Types.bigint())]), KV, out);
    await h.process(0, ['+I[a, 1]', '+I[a, 2]', '+I[a, 3]']);
    assert.deepEqual(h.take(), ['+I[a, 6]']);
    await h.process(0, ['-U[a, 3]', '+U[a, 3]']);
    assert.deepEqual(h.take(), []);
    await h.process(0, ['+I[a, 0]']);
    assert.deepEqual(h.take(), []);
    // Insert and delete of a new group within one batch: no output at all.
    await h.process(0, ['+I[z, 1]', '-D[z, 1]']);
    assert.deepEqual(h.take(), []);
  });

  it('drops a retraction for a group without state', async () => {
    const out = row(['k', Types.string()], ['cnt', Types.bigint(false)]);
    const h = await harness(spec([0], [call('COUNT', [], [], Types.bigint(false))]), KV, out);
    await h.process(0, ['-D[a, 1]', '+I[a, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1]']);
  });

  it('emits only +U without generateUpdateBefore', async () => {
    const out = row(['k', Types.string()], ['cnt', Types.bigint(false)]);
    const h = await harness(spec([0], [call('COUNT', [], [], Types.bigint(false))], { generateUpdateBefore: false }), KV, out);
    await h.process(0, ['+I[a, 1]']);
    await h.process(0, ['+I[a, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1]', '+U[a, 2]']);
  });

  it('MIN/MAX stay correct when the current extreme is retracted', async () => {
    const out = row(['k', Types.string()], ['mn', Types.bigint()], ['mx', Types.bigint()]);
    const h = await harness(
      spec([0], [call('MIN', [1], [Types.bigint()], Types.bigint()), call('MAX', [1], [Types.bigint()], Types.bigint())]),
      KV,
      out,
    );
    await h.process(0, ['+I[a, 5]', '+I[a, 1]', '+I[a, 9]', '+I[a, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 9]']);
    await h.process(0, ['-D[a, 1]']);
    assert.deepEqual(h.take(), []); // one copy of 1 is left
    await h.process(0, ['-D[a, 1]', '-D[a, 9]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 9]', '+U[a, 5, 5]']);
    await h.process(0, ['+I[a, null]']);
    assert.deepEqual(h.take(), []);
    await h.process(0, ['-D[a, 5]']);
    assert.deepEqual(h.take(), ['-U[a, 5, 5]', '+U[a, null, null]']);
  });

  it('AVG of BIGINT truncates; AVG of DECIMAL rounds HALF_UP at the result scale; AVG of DOUBLE divides', async () => {
    const input = row(['k', Types.string()], ['b', Types.bigint()], ['d', Types.decimal(10, 2)], ['f', Types.double()]);
    const out = row(['k', Types.string()], ['ab', Types.bigint()], ['ad', Types.decimal(38, 6)], ['af', Types.double()]);
    const h = await harness(
      spec([0], [
        call('AVG', [1], [Types.bigint()], Types.bigint()),
        call('AVG', [2], [Types.decimal(10, 2)], Types.decimal(38, 6)),
        call('AVG', [3], [Types.double()], Types.double()),
      ]),
      input,
      out,
    );
    await h.process(0, ['+I[a, 1, 1.00, 1]', '+I[a, 2, 0.00, 2]', '+I[a, 2, 0.00, 2]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 0.333333, 1.6666666666666667]']);
    await h.process(0, ['+I[b, -7, -0.01, 1]', '+I[b, 0, -0.01, null]', '+I[b, 0, 0.00, null]']);
    // -7 / 3 truncates toward zero; -0.02 / 3 = -0.006667 (HALF_UP)
    assert.deepEqual(h.take(), ['+I[b, -2, -0.006667, 1]']);
  });

  it('COUNT(DISTINCT) with per-call FILTER over one distinct view (nexmark q15 style)', async () => {
    // day, bidder, price < 10, price >= 10
    const input = row(['day', Types.string()], ['bidder', Types.bigint()], ['low', Types.boolean()], ['high', Types.boolean()]);
    const out = row(['day', Types.string()], ['all', Types.bigint(false)], ['low', Types.bigint(false)], ['high', Types.bigint(false)]);
    const d = { distinct: true };
    const h = await harness(
      spec([0], [
        call('COUNT', [1], [Types.bigint()], Types.bigint(false), d),
        call('COUNT', [1], [Types.bigint()], Types.bigint(false), { ...d, filterArg: 2 }),
        call('COUNT', [1], [Types.bigint()], Types.bigint(false), { ...d, filterArg: 3 }),
      ]),
      input,
      out,
    );
    await h.process(0, ['+I[d1, 1, true, false]', '+I[d1, 1, false, true]', '+I[d1, 2, true, false]', '+I[d1, 2, true, false]', '+I[d1, null, true, false]']);
    assert.deepEqual(h.take(), ['+I[d1, 2, 2, 1]']);
    await h.process(0, ['-D[d1, 2, true, false]']);
    assert.deepEqual(h.take(), []); // bidder 2 still has one low bid
    await h.process(0, ['-D[d1, 2, true, false]', '-D[d1, 1, false, true]']);
    assert.deepEqual(h.take(), ['-U[d1, 2, 2, 1]', '+U[d1, 1, 1, 0]']);
    await h.process(0, ['+I[d1, 3, null, true]']);
    assert.deepEqual(h.take(), ['-U[d1, 1, 1, 0]', '+U[d1, 2, 1, 1]']);
  });

  it('FIRST_VALUE/LAST_VALUE/LISTAGG/BOOL_AND/BOOL_OR/STDDEV/VAR under retraction', async () => {
    const input = row(['k', Types.string()], ['s', Types.string()], ['b', Types.boolean()], ['x', Types.double()]);
    const out = row(
      ['k', Types.string()],
      ['fv', Types.string()],
      ['lv', Types.string()],
      ['la', Types.string()],
      ['ba', Types.boolean()],
      ['bo', Types.boolean()],
      ['vp', Types.double()],
      ['ss', Types.double()],
    );
    const h = await harness(
      spec([0], [
        call('FIRST_VALUE', [1], [Types.string()], Types.string()),
        call('LAST_VALUE', [1], [Types.string()], Types.string()),
        call('LISTAGG', [1], [Types.string()], Types.string()),
        call('BOOL_AND', [2], [Types.boolean()], Types.boolean()),
        call('BOOL_OR', [2], [Types.boolean()], Types.boolean()),
        call('VAR_POP', [3], [Types.double()], Types.double()),
        call('STDDEV_SAMP', [3], [Types.double()], Types.double()),
      ]),
      input,
      out,
    );
    await h.process(0, ['+I[a, x, true, 1]', '+I[a, y, false, 3]', '+I[a, z, true, null]']);
    assert.deepEqual(h.take(), ['+I[a, x, z, x,y,z, false, true, 1, 1.4142135623730951]']);
    await h.process(0, ['-D[a, x, true, 1]', '-D[a, y, false, 3]']);
    assert.deepEqual(h.take(), ['-U[a, x, z, x,y,z, false, true, 1, 1.4142135623730951]', '+U[a, z, z, z, true, true, null, null]']);
  });

  it('SUM of DECIMAL and SUM0; SUM is NULL again when every value is retracted', async () => {
    const input = row(['k', Types.string()], ['d', Types.decimal(10, 2)]);
    const out = row(['k', Types.string()], ['s', Types.decimal(38, 2)], ['s0', Types.decimal(38, 2)], ['c', Types.bigint(false)]);
    const h = await harness(
      spec([0], [
        call('SUM', [1], [Types.decimal(10, 2)], Types.decimal(38, 2)),
        call('SUM0', [1], [Types.decimal(10, 2)], Types.decimal(38, 2)),
        call('COUNT', [], [], Types.bigint(false)),
      ]),
      input,
      out,
    );
    await h.process(0, ['+I[a, 1.25]', '+I[a, 2.50]']);
    await h.process(0, ['-D[a, 1.25]', '-D[a, 2.50]', '+I[a, null]']);
    assert.deepEqual(h.take(), ['+I[a, 3.75, 3.75, 2]', '-U[a, 3.75, 3.75, 2]', '+U[a, null, 0.00, 1]']);
  });

  it('state TTL: an expired group starts over, and unchanged results are re-emitted (Flink)', async () => {
    const out = row(['k', Types.string()], ['cnt', Types.bigint(false)]);
    const h = await harness(spec([0], [call('COUNT', [1], [Types.bigint()], Types.bigint(false))], { stateTtlMs: 1000 }), KV, out);
    await h.process(0, ['+I[a, 1]']);
    await h.process(0, ['+I[a, null]']);
    assert.deepEqual(h.take(), ['+I[a, 1]', '-U[a, 1]', '+U[a, 1]']);
    h.now += 1000;
    await h.process(0, ['-D[a, 1]', '+I[a, 2]']);
    assert.deepEqual(h.take(), ['+I[a, 1]']);
  });

  it('global aggregate: nothing for empty streaming input; one initial row in batch mode', async () => {
    const out = row(['cnt', Types.bigint(false)], ['s', Types.bigint()]);
    const aggs = [call('COUNT', [], [], Types.bigint(false)), call('SUM', [1], [Types.bigint()], Types.bigint())];
    const streaming = await harness(spec([], aggs), KV, out);
    await streaming.finish();
    assert.deepEqual(streaming.take(), []);
    const batch = await harness(spec([], aggs), KV, out, { 'execution.runtime-mode': 'batch' });
    await batch.finish();
    assert.deepEqual(batch.take(), ['+I[0, null]']);
  });

  it('batch mode emits one +I per group at the end of input', async () => {
    const out = row(['k', Types.string()], ['s', Types.bigint()]);
    const h = await harness(spec([0], [call('SUM', [1], [Types.bigint()], Types.bigint())], { inputMode: { kind: 'insert-only' } }), KV, out, {
      'execution.runtime-mode': 'batch',
    });
    await h.process(0, ['+I[a, 1]', '+I[b, 2]']);
    await h.process(0, ['+I[a, 3]']);
    assert.deepEqual(h.take(), []);
    await h.finish();
    assert.deepEqual(h.take(), ['+I[a, 4]', '+I[b, 2]']);
  });

  it('boolean and NULL group keys', async () => {
    const input = row(['b', Types.boolean()], ['v', Types.bigint()]);
    const out = row(['b', Types.boolean()], ['cnt', Types.bigint(false)]);
    const h = await harness(spec([0], [call('COUNT', [], [], Types.bigint(false))]), input, out);
    await h.process(0, ['+I[true, 1]', '+I[null, 1]', '+I[false, 1]', '+I[null, 2]']);
    assert.deepEqual(h.take(), ['+I[true, 1]', '+I[null, 2]', '+I[false, 1]']);
  });

  it('property: the output changelog applied to an empty table equals a batch recomputation', async () => {
    const out = row(['k', Types.string()], ['cnt', Types.bigint(false)], ['s', Types.bigint()], ['mn', Types.bigint()], ['mx', Types.bigint()], ['dc', Types.bigint(false)]);
    const aggs = [
      call('COUNT', [], [], Types.bigint(false)),
      call('SUM', [1], [Types.bigint()], Types.bigint()),
      call('MIN', [1], [Types.bigint()], Types.bigint()),
      call('MAX', [1], [Types.bigint()], Types.bigint()),
      call('COUNT', [1], [Types.bigint()], Types.bigint(false), { distinct: true }),
    ];
    const op = fc.record({ k: fc.constantFrom('a', 'b', 'c'), v: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }), del: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 8 }), fc.boolean(), async (batches, updateBefore) => {
        const h = await harness(spec([0], aggs, { generateUpdateBefore: updateBefore }), KV, out);
        const live: { k: string; v: number | null }[] = [];
        for (const b of batches) {
          const lines: string[] = [];
          for (const o of b) {
            if (o.del) {
              // Delete only rows that exist (a valid changelog).
              const i = live.findIndex((x) => x.k === o.k);
              if (i < 0) continue;
              const [x] = live.splice(i, 1);
              lines.push(`-D[${x!.k}, ${x!.v}]`);
            } else {
              live.push({ k: o.k, v: o.v });
              lines.push(`+I[${o.k}, ${o.v}]`);
            }
          }
          if (lines.length > 0) await h.process(0, lines);
        }
        // Apply the output: a table keyed by group key (upsert when -U is not generated).
        const table = new Map<string, string>();
        for (const line of h.take()) {
          const body = line.slice(3, -1);
          const key = body.split(', ')[0]!;
          if (line.startsWith('+')) table.set(key, body);
          else {
            assert.equal(table.get(key), body, `retraction of a row that is not in the result: ${line}`);
            table.delete(key);
          }
        }
        const expected = new Map<string, string>();
        for (const k of ['a', 'b', 'c']) {
          const rows = live.filter((x) => x.k === k);
          if (rows.length === 0) continue;
          const vs = rows.map((x) => x.v).filter((v): v is number => v !== null);
          const s = vs.length ? String(vs.reduce((a, b) => a + b, 0)) : 'null';
          const mn = vs.length ? String(Math.min(...vs)) : 'null';
          const mx = vs.length ? String(Math.max(...vs)) : 'null';
          expected.set(k, `${k}, ${rows.length}, ${s}, ${mn}, ${mx}, ${new Set(vs).size}`);
        }
        assert.deepEqual(new Map([...table].sort()), new Map([...expected].sort()));
      }),
      { numRuns: 300 },
    );
  });
});
