import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DeduplicateSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { DeduplicateOperator } from './deduplicate-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });

/** (k, v, ts): deduplicate on k ordered by ts (epoch ms). */
const IN = row(['k', Types.string()], ['v', Types.bigint()], ['ts', Types.timestamp(3, false)]);

function spec(extra: Partial<DeduplicateSpec> = {}): DeduplicateSpec {
  return { type: 'deduplicate', version: 1, keys: [0], timeIndex: 2, keepLast: true, rowtime: true, generateUpdateBefore: true, stateTtlMs: 0, ...extra };
}

async function harness(s: DeduplicateSpec, config: Record<string, string> = {}) {
  return new OperatorHarness(new DeduplicateOperator(s), { spec: s, inputTypes: [IN], outputType: IN, config }).open();
}

describe('DeduplicateOperator, event time', () => {
  it('keep-last: a later row replaces, an equal timestamp arriving later wins, a late older row does not', async () => {
    const h = await harness(spec());
    await h.process(0, ['+I[a, 1, 100]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1970-01-01 00:00:00.100]']);
    await h.process(0, ['+I[a, 2, 200]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 1970-01-01 00:00:00.100]', '+U[a, 2, 1970-01-01 00:00:00.200]']);
    await h.process(0, ['+I[a, 3, 200]']);
    assert.deepEqual(h.take(), ['-U[a, 2, 1970-01-01 00:00:00.200]', '+U[a, 3, 1970-01-01 00:00:00.200]']);
    await h.process(0, ['+I[a, 4, 150]']);
    assert.deepEqual(h.take(), []);
  });

  it('keep-first: only a strictly earlier row replaces the kept one', async () => {
    const h = await harness(spec({ keepLast: false }));
    await h.process(0, ['+I[a, 1, 100]', '+I[a, 2, 100]', '+I[a, 3, 300]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1970-01-01 00:00:00.100]']);
    await h.process(0, ['+I[a, 4, 50]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 1970-01-01 00:00:00.100]', '+U[a, 4, 1970-01-01 00:00:00.050]']);
  });

  it('folds a batch into one change per key and keeps keys (NULL included) apart', async () => {
    const h = await harness(spec());
    await h.process(0, ['+I[a, 1, 1]', '+I[null, 2, 1]', '+I[a, 3, 5]', '+I[a, 4, 2]']);
    assert.deepEqual(h.take(), ['+I[a, 3, 1970-01-01 00:00:00.005]', '+I[null, 2, 1970-01-01 00:00:00.001]']);
  });

  it('does not re-emit an identical replacement unless state TTL is on; +U only without update-before', async () => {
    const h = await harness(spec({ generateUpdateBefore: false }));
    await h.process(0, ['+I[a, 1, 1]']);
    await h.process(0, ['+I[a, 1, 1]']);
    await h.process(0, ['+I[a, 2, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1970-01-01 00:00:00.001]', '+U[a, 2, 1970-01-01 00:00:00.001]']);
    const ttl = await harness(spec({ stateTtlMs: 60_000 }));
    await ttl.process(0, ['+I[a, 1, 1]']);
    await ttl.process(0, ['+I[a, 1, 1]']);
    assert.equal(ttl.take().length, 3);
  });

  it('rejects updating input', async () => {
    const h = await harness(spec());
    await assert.rejects(h.process(0, ['-D[a, 1, 1]']), /insert-only/);
  });
});

describe('DeduplicateOperator, processing time', () => {
  it('keep-first emits each key once, insert-only', async () => {
    const h = await harness(spec({ rowtime: false, keepLast: false }));
    await h.process(0, ['+I[a, 1, 5]', '+I[a, 2, 1]', '+I[b, 3, 1]']);
    await h.process(0, ['+I[a, 4, 0]', '+I[c, 5, 0]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1970-01-01 00:00:00.005]', '+I[b, 3, 1970-01-01 00:00:00.001]', '+I[c, 5, 1970-01-01 00:00:00.000]']);
  });

  it('keep-last replaces with every arriving row, whatever its timestamp', async () => {
    const h = await harness(spec({ rowtime: false }));
    await h.process(0, ['+I[a, 1, 5]']);
    await h.process(0, ['+I[a, 2, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1970-01-01 00:00:00.005]', '-U[a, 1, 1970-01-01 00:00:00.005]', '+U[a, 2, 1970-01-01 00:00:00.001]']);
  });
});

describe('DeduplicateOperator in batch mode', () => {
  for (const [name, extra] of [
    ['rowtime keep-last', {}],
    ['proctime keep-first', { rowtime: false, keepLast: false }],
  ] as const) {
    it(`${name}: emits the final row per key at the end of input`, async () => {
      const h = await harness(spec(extra), { 'execution.runtime-mode': 'batch' });
      await h.process(0, ['+I[a, 1, 1]', '+I[b, 2, 1]']);
      await h.process(0, ['+I[a, 3, 2]']);
      assert.deepEqual(h.take(), []);
      await h.finish();
      const expected = name === 'rowtime keep-last' ? ['+I[a, 3, 1970-01-01 00:00:00.002]', '+I[b, 2, 1970-01-01 00:00:00.001]'] : ['+I[a, 1, 1970-01-01 00:00:00.001]', '+I[b, 2, 1970-01-01 00:00:00.001]'];
      assert.deepEqual(h.take().sort(), expected);
    });
  }
});

describe('DeduplicateOperator oracle', () => {
  it('event time: the changelog applied to an empty table equals the first/last row per key by (time, arrival)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 20 }) }), { maxLength: 50 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (events, batchSize, keepLast) => {
          const h = await harness(spec({ keepLast }));
          const lines = events.map((e, i) => `+I[${e.k}, ${i}, ${e.ts}]`);
          for (let i = 0; i < lines.length; i += batchSize) await h.process(0, lines.slice(i, i + batchSize));
          const table: string[] = [];
          for (const line of h.take()) {
            const body = line.slice(2);
            if (line.startsWith('+')) table.push(body);
            else table.splice(table.indexOf(body), 1);
          }
          // Keep-last: the greatest time, the latest arrival among equals; keep-first: the least time, the
          // earliest arrival among equals (Flink's `<=` / `<` replacement rules).
          const best = new Map<string, number>();
          events.forEach((e, i) => {
            const cur = best.get(e.k);
            const curTs = cur === undefined ? 0 : events[cur]!.ts;
            if (cur === undefined || (keepLast ? curTs <= e.ts : e.ts < curTs)) best.set(e.k, i);
          });
          const expected = [...best.values()].map((i) => `[${events[i]!.k}, ${i}, ${new Date(events[i]!.ts).toISOString().replace('T', ' ').replace('Z', '')}]`);
          assert.deepEqual(table.sort(), expected.sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
