import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RankSpec } from '../../spec/index.js';
import { RowKind, Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { changelogBatch } from '../test-support/changelog.js';
import { RankOperator } from './rank-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });

/** (k, id, price): partition by k, order by price DESC. */
const IN = row(['k', Types.string()], ['id', Types.bigint()], ['price', Types.bigint()]);
const OUT_RN = row(['k', Types.string()], ['id', Types.bigint()], ['price', Types.bigint()], ['rn', Types.bigint(false)]);

function spec(extra: Partial<RankSpec> = {}): RankSpec {
  return {
    type: 'rank',
    version: 1,
    partitionKeys: [0],
    orderBy: [{ index: 2, descending: true, nullsFirst: false }],
    rankStart: 1,
    rankEnd: 2,
    outputRankNumber: true,
    inputMode: { kind: 'insert-only' },
    generateUpdateBefore: true,
    stateTtlMs: 0,
    ...extra,
  };
}

async function harness(s: RankSpec, config: Record<string, string> = {}) {
  const out = s.outputRankNumber ? OUT_RN : IN;
  return new OperatorHarness(new RankOperator(s), { spec: s, inputTypes: [IN], outputType: out, config }).open();
}

describe('RankOperator over insert-only input', () => {
  it('shifts rank numbers when a better row arrives and drops the row pushed below N', async () => {
    const h = await harness(spec());
    await h.process(0, ['+I[a, 1, 10]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 10, 1]']);
    await h.process(0, ['+I[a, 2, 5]']);
    assert.deepEqual(h.take(), ['+I[a, 2, 5, 2]']);
    // A new best row: rank 1 and rank 2 both change; row 2 leaves the top 2.
    await h.process(0, ['+I[a, 3, 20]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 10, 1]', '+U[a, 3, 20, 1]', '-U[a, 2, 5, 2]', '+U[a, 1, 10, 2]']);
    // Worse than the N-th row: no change.
    await h.process(0, ['+I[a, 4, 1]']);
    assert.deepEqual(h.take(), []);
  });

  it('ranks ties in arrival order and keeps the first of a tie at the N boundary', async () => {
    const h = await harness(spec());
    await h.process(0, ['+I[a, 1, 7]', '+I[a, 2, 7]', '+I[a, 3, 7]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 7, 1]', '+I[a, 2, 7, 2]']);
    await h.process(0, ['+I[a, 4, 7]']);
    assert.deepEqual(h.take(), []);
  });

  it('emits only the net change of a batch per partition and keeps partitions apart', async () => {
    const h = await harness(spec({ rankEnd: 1 }));
    await h.process(0, ['+I[a, 1, 1]', '+I[b, 2, 1]', '+I[a, 3, 2]', '+I[a, 4, 3]']);
    assert.deepEqual(h.take(), ['+I[a, 4, 3, 1]', '+I[b, 2, 1, 1]']);
  });

  it('without the rank number emits +I for entering and -D for leaving rows', async () => {
    const h = await harness(spec({ outputRankNumber: false }));
    await h.process(0, ['+I[a, 1, 10]', '+I[a, 2, 5]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 10]', '+I[a, 2, 5]']);
    await h.process(0, ['+I[a, 3, 20]']);
    assert.deepEqual(h.take(), ['-D[a, 2, 5]', '+I[a, 3, 20]']);
  });

  it('outputs ranks rankStart..rankEnd only', async () => {
    const h = await harness(spec({ rankStart: 2, rankEnd: 3 }));
    await h.process(0, ['+I[a, 1, 10]']);
    assert.deepEqual(h.take(), []);
    await h.process(0, ['+I[a, 2, 20]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 10, 2]']);
    await h.process(0, ['+I[a, 3, 15]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 10, 2]', '+U[a, 3, 15, 2]', '+I[a, 1, 10, 3]']);
  });

  it('places NULL sort keys by nullsFirst and NULL partitions as their own partition', async () => {
    const h = await harness(spec({ rankEnd: 3 }));
    await h.process(0, ['+I[a, 1, null]', '+I[a, 2, 3]', '+I[null, 3, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 2, 3, 1]', '+I[a, 1, null, 2]', '+I[null, 3, 1, 1]']);
    const first = await harness(spec({ rankEnd: 3, orderBy: [{ index: 2, descending: true, nullsFirst: true }] }));
    await first.process(0, ['+I[a, 1, 3]', '+I[a, 2, null]']);
    assert.deepEqual(first.take(), ['+I[a, 2, null, 1]', '+I[a, 1, 3, 2]']);
  });

  it('emits only +U without generateUpdateBefore', async () => {
    const h = await harness(spec({ rankEnd: 1, generateUpdateBefore: false }));
    await h.process(0, ['+I[a, 1, 1]']);
    await h.process(0, ['+I[a, 2, 2]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 1, 1]', '+U[a, 2, 2, 1]']);
  });

  it('emits nothing for empty input', async () => {
    const h = await harness(spec());
    await h.process(0, []);
    await h.finish();
    assert.deepEqual(h.take(), []);
  });
});

describe('RankOperator over updating input', () => {
  const retract = (extra: Partial<RankSpec> = {}) => spec({ inputMode: { kind: 'retract' }, ...extra });

  it('pulls the next row up when a top row is retracted', async () => {
    const h = await harness(retract());
    await h.process(0, ['+I[a, 1, 10]', '+I[a, 2, 5]', '+I[a, 3, 1]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 10, 1]', '+I[a, 2, 5, 2]']);
    await h.process(0, ['-D[a, 1, 10]']);
    assert.deepEqual(h.take(), ['-U[a, 1, 10, 1]', '+U[a, 2, 5, 1]', '-U[a, 2, 5, 2]', '+U[a, 3, 1, 2]']);
    await h.process(0, ['-U[a, 3, 1]', '+U[a, 3, 50]']);
    assert.deepEqual(h.take(), ['-U[a, 2, 5, 1]', '+U[a, 3, 50, 1]', '-U[a, 3, 1, 2]', '+U[a, 2, 5, 2]']);
    await h.process(0, ['-D[a, 3, 50]', '-D[a, 2, 5]']);
    assert.deepEqual(h.take(), ['-D[a, 3, 50, 1]', '-D[a, 2, 5, 2]']);
  });

  it('retracts one of two identical rows and drops a retraction of an unknown row', async () => {
    const h = await harness(retract({ outputRankNumber: false, rankEnd: 3 }));
    await h.process(0, ['+I[a, 1, 5]', '+I[a, 1, 5]']);
    assert.deepEqual(h.take(), ['+I[a, 1, 5]', '+I[a, 1, 5]']);
    await h.process(0, ['-D[a, 1, 5]', '-D[a, 9, 9]', '-D[z, 1, 1]']);
    assert.deepEqual(h.take(), ['-D[a, 1, 5]']);
    assert.equal(h.counter('rankRetractionsWithoutRow'), 2);
  });

  it('emits nothing when a row is retracted and re-inserted in one batch', async () => {
    const h = await harness(retract());
    await h.process(0, ['+I[a, 1, 10]']);
    h.take();
    await h.process(0, ['-U[a, 1, 10]', '+U[a, 1, 10]']);
    assert.deepEqual(h.take(), []);
  });
});

describe('RankOperator in batch mode', () => {
  it('emits the final top N as inserts at the end of input', async () => {
    const h = await harness(spec(), { 'execution.runtime-mode': 'batch' });
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 2, 2]']);
    await h.process(0, ['+I[a, 3, 3]', '+I[b, 4, 4]']);
    assert.deepEqual(h.take(), []);
    await h.finish();
    assert.deepEqual(h.take().sort(), ['+I[a, 2, 2, 2]', '+I[a, 3, 3, 1]', '+I[b, 4, 4, 1]']);
  });
});

/** Applies a changelog to a multiset of row texts; returns the sorted rows. */
function applyChangelog(lines: readonly string[]): string[] {
  const rows: string[] = [];
  for (const line of lines) {
    const body = line.slice(2);
    if (line.startsWith('+')) rows.push(body);
    else {
      const i = rows.indexOf(body);
      assert.ok(i >= 0, `retraction of a row not in the table: ${line}`);
      rows.splice(i, 1);
    }
  }
  return rows.sort();
}

describe('RankOperator oracle', () => {
  // Distinct prices per partition so the top N is unique whatever the tie order.
  const event = fc.record({ k: fc.constantFrom('a', 'b', 'c'), price: fc.integer({ min: 0, max: 10_000 }), retractLater: fc.boolean(), delay: fc.nat(8) });

  it('streaming changelog applied to an empty table equals a batch top-N recomputation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.boolean(),
        async (events, n, batchSize, withRetractions, outputRankNumber) => {
          const seen = new Set<string>();
          const unique = events.filter((e) => !seen.has(`${e.k}/${e.price}`) && seen.add(`${e.k}/${e.price}`));
          // Each retracted row is retracted `delay` insertions after it arrived, so retractions interleave
          // with inserts (and hit rows inside and outside the current top N).
          const lines: string[] = [];
          const live = new Map(unique.map((e, i) => [i, e]));
          const due = new Map<number, string[]>();
          unique.forEach((e, i) => {
            lines.push(`+I[${e.k}, ${i}, ${e.price}]`);
            if (withRetractions && e.retractLater) {
              const at = i + e.delay;
              due.set(at, [...(due.get(at) ?? []), `-D[${e.k}, ${i}, ${e.price}]`]);
              live.delete(i);
            }
            lines.push(...(due.get(i) ?? []));
            due.delete(i);
          });
          for (const rest of due.values()) lines.push(...rest);
          const s = spec({ rankEnd: n, outputRankNumber, inputMode: withRetractions ? { kind: 'retract' } : { kind: 'insert-only' } });
          const h = await harness(s);
          for (let i = 0; i < lines.length; i += batchSize) await h.process(0, lines.slice(i, i + batchSize));
          const actual = applyChangelog(h.take());
          const expected: string[] = [];
          for (const k of ['a', 'b', 'c']) {
            const top = [...live.entries()].filter(([, e]) => e.k === k).sort((x, y) => y[1].price - x[1].price).slice(0, n);
            top.forEach(([id, e], r) => expected.push(`[${k}, ${id}, ${e.price}${outputRankNumber ? `, ${r + 1}` : ''}]`));
          }
          assert.deepEqual(actual, expected.sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the kind column of an all-insert output batch null', async () => {
    const h = await harness(spec());
    await h.process(0, changelogBatch(IN, ['+I[a, 1, 1]']));
    const [b] = h.takeBatches();
    assert.ok(b !== undefined && (b.kinds === null || b.kinds[0] === RowKind.INSERT));
  });
});
