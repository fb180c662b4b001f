import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { batchFromRows, Types } from '../types/index.js';
import type { LogicalType, RowType } from '../types/index.js';
import { encodeBatchKeys, keyGroupOf } from '../state/index.js';
import { KeyGroupHasher } from './key-group-hash.js';

/** The contract: exactly the key groups of the state key codec's strings. */
function expected(rowType: RowType, rows: unknown[][], keys: number[], maxP: number): number[] {
  const batch = batchFromRows(rowType, rows);
  const bools = new Set(keys.filter((k) => rowType.fields[k]!.type.kind === 'BOOLEAN'));
  return encodeBatchKeys(batch, keys, bools).map((k) => keyGroupOf(k, maxP));
}

function actual(rowType: RowType, rows: unknown[][], keys: number[], maxP: number): number[] {
  const batch = batchFromRows(rowType, rows);
  const hasher = new KeyGroupHasher(keys, keys.map((k) => rowType.fields[k]!.type.kind === 'BOOLEAN'), maxP);
  const out = new Int32Array(batch.numRows);
  hasher.keyGroups(batch, out);
  return [...out];
}

const rowType: RowType = {
  fields: [
    { name: 's', type: Types.string() },
    { name: 'i', type: Types.int() },
    { name: 'b', type: Types.bigint() },
    { name: 'd', type: Types.double() },
    { name: 'z', type: Types.boolean() },
    { name: 'm', type: Types.decimal(20, 2) },
    { name: 'y', type: Types.bytes() },
    { name: 'a', type: Types.array(Types.string()) },
  ],
};

const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 5 });
const rowArb = fc.tuple(
  nullable(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', 'a', 'ab', '\ud800', 'x'.repeat(300)))),
  nullable(fc.integer()),
  nullable(fc.oneof(fc.maxSafeInteger(), fc.constantFrom(0, -0, 9, 10, -10, 2 ** 53 - 1, -(2 ** 53) + 1))),
  nullable(fc.oneof(fc.double(), fc.constantFrom(0.5, -0, 1e21, 2 ** 53, -(2 ** 60), Infinity, NaN, 1e-7))),
  nullable(fc.boolean()),
  nullable(fc.bigInt()),
  nullable(fc.uint8Array({ maxLength: 9 })),
  nullable(fc.array(nullable(fc.string()), { maxLength: 3 })),
);

test('key groups equal keyGroupOf over the canonical key strings, for every column type and key combination', () => {
  fc.assert(
    fc.property(
      fc.array(rowArb, { maxLength: 40 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }),
      fc.constantFrom(1, 2, 7, 128, 32768),
      (rows, keys, maxP) => {
        const rs = rows.map((r) => [...r] as unknown[]);
        assert.deepEqual(actual(rowType, rs, keys, maxP), expected(rowType, rs, keys, maxP));
      },
    ),
    { numRuns: 400 },
  );
});

test('edge values: -0 and 0 share a group, NULLs in typed and object columns, odd and even unit counts', () => {
  const t: RowType = { fields: [{ name: 'n', type: Types.bigint() }, { name: 's', type: Types.string() }] };
  const rows = [[0, 'a'], [-0, 'a'], [null, null], [-1, ''], [12, 'ab'], [123, 'abc'], [2 ** 53 - 1, '\u00ff\u0100'], [1.5, 'é']];
  assert.deepEqual(actual(t, rows, [0, 1], 128), expected(t, rows, [0, 1], 128));
  assert.deepEqual(actual(t, rows, [1, 0], 128), expected(t, rows, [1, 0], 128));
  const groups = actual(t, rows, [0], 128);
  assert.equal(groups[0], groups[1]);
});

test('no key columns put every row in the key group of the empty key; an empty batch writes nothing', () => {
  const t: RowType = { fields: [{ name: 'n', type: Types.bigint() }] };
  assert.deepEqual(actual(t, [[1], [2]], [], 128), expected(t, [[1], [2]], [], 128));
  assert.deepEqual(actual(t, [], [0], 128), []);
});

test('the scratch state is reset between batches of different sizes', () => {
  const t: RowType = { fields: [{ name: 's', type: Types.string() as LogicalType }] };
  const hasher = new KeyGroupHasher([0], [false], 128);
  const big = Array.from({ length: 100 }, (_, i) => ['k' + i]);
  const out = new Int32Array(100);
  hasher.keyGroups(batchFromRows(t, big), out);
  assert.deepEqual([...out], expected(t, big, [0], 128));
  const small = [['k7'], ['k8']];
  hasher.keyGroups(batchFromRows(t, small), out);
  assert.deepEqual([...out.subarray(0, 2)], expected(t, small, [0], 128));
});
