import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeKey, encodeRowKey } from '../../state/index.js';
import { batchFromRows, Types, type RowType } from '../../types/index.js';
import type { AggState } from './aggregate-set.js';
import { SliceBuffer } from './slice-buffer.js';

const rowType: RowType = {
  fields: [
    { name: 's', type: Types.string() },
    { name: 'd', type: Types.double() },
    { name: 'z', type: Types.boolean() },
    { name: 'm', type: Types.decimal(20, 2) },
    { name: 'a', type: Types.array(Types.string()) },
  ],
};
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });
const rowArb = fc.tuple(
  nullable(fc.constantFrom('', 'a', 'ab', 'é')),
  nullable(fc.constantFrom(0, -0, 1, 0.5, NaN, Infinity)),
  nullable(fc.boolean()),
  nullable(fc.constantFrom(0n, 1n, 2n ** 40n)),
  nullable(fc.constantFrom([], ['a'], [null])),
);
const newState = (): AggState => ({ rows: 0, accs: [], distinct: null });

test('one accumulator per (encoded key, slice end) across batches; take returns them by end, then in insertion order', () => {
  fc.assert(
    fc.property(
      // Batches of (row, slice end); the ARRAY column (index 4) switches the buffer to encoded keys mid-way.
      fc.array(fc.array(fc.tuple(rowArb, fc.constantFrom(10, 20, 30)), { maxLength: 30 }), { maxLength: 5 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      fc.constantFrom(10, 20, 30),
      (batches, keys, takeUpTo) => {
        const bools = new Set(keys.filter((k) => rowType.fields[k]!.type.kind === 'BOOLEAN'));
        const buffer = new SliceBuffer(keys, keys.map((k) => bools.has(k)), bools, newState);
        const expected = new Map<string, { end: number; key: string; rows: number }>();
        for (const rows of batches) {
          const batch = batchFromRows(rowType, rows.map(([r]) => [...r]));
          buffer.beginBatch(batch);
          rows.forEach(([, end], r) => {
            buffer.accumulatorFor(batch, r, end).rows++;
            const key = encodeRowKey(batch, r, keys, bools);
            const id = `${end}|${key}`;
            const e = expected.get(id) ?? { end, key, rows: 0 };
            e.rows++;
            expected.set(id, e);
          });
        }
        assert.equal(buffer.size, expected.size);
        // The map is in first-seen order; the sort is stable.
        const want = [...expected.values()].sort((a, b) => a.end - b.end);
        const taken = buffer.takeByEnd(takeUpTo);
        const wantTaken = want.filter((e) => e.end <= takeUpTo);
        assert.deepEqual(taken.keyValues.map((v) => encodeKey(v)), wantTaken.map((e) => e.key));
        assert.deepEqual(taken.ends, wantTaken.map((e) => e.end));
        assert.deepEqual(taken.accs.map((a) => a.rows), wantTaken.map((e) => e.rows));
        const rest = want.filter((e) => e.end > takeUpTo);
        assert.equal(buffer.size, rest.length);
        assert.equal(buffer.minEnd(), rest.length === 0 ? Infinity : rest[0]!.end);
        // Into state: insertion order, with encoded keys.
        const inserted = [...expected.values()].filter((e) => e.end > takeUpTo);
        const forState = buffer.takeForState(Infinity);
        assert.deepEqual(forState.keys, inserted.map((e) => e.key));
        assert.deepEqual(forState.accs.map((a) => a.rows), inserted.map((e) => e.rows));
        assert.equal(buffer.size, 0);
      },
    ),
    { numRuns: 400 },
  );
});

test('the table grows past its first capacity and keeps every entry findable', () => {
  const t: RowType = { fields: [{ name: 'k', type: Types.bigint() }] };
  const buffer = new SliceBuffer([0], [false], new Set(), newState);
  for (let round = 0; round < 3; round++) {
    const batch = batchFromRows(t, Array.from({ length: 5_000 }, (_, i) => [i]));
    buffer.beginBatch(batch);
    for (let r = 0; r < 5_000; r++) buffer.accumulatorFor(batch, r, 1 + (r % 2)).rows++;
  }
  assert.equal(buffer.size, 5_000);
  const taken = buffer.takeForState(1);
  assert.equal(taken.keys!.length, 2_500);
  assert.ok(taken.accs.every((a) => a.rows === 3));
  assert.equal(buffer.minEnd(), 2);
});
