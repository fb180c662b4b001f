import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBatchKeys } from '../../state/index.js';
import { batchFromRows, Types, type RowType } from '../../types/index.js';
import { distinctBatchKeys, type BatchKeys } from './batch-keys.js';

/** The contract: exactly the grouping of the canonical key strings, in first-seen order. */
function reference(rowType: RowType, rows: unknown[][], keys: number[], skip?: Uint8Array): BatchKeys {
  const batch = batchFromRows(rowType, rows);
  const encoded = encodeBatchKeys(batch, keys, boolsOf(rowType, keys));
  const slotOf = new Int32Array(rows.length);
  const uniqueKeys: string[] = [];
  const firstRow: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    if (skip?.[r] === 1) {
      slotOf[r] = -1;
      continue;
    }
    let s = uniqueKeys.indexOf(encoded[r]!);
    if (s < 0) {
      s = uniqueKeys.push(encoded[r]!) - 1;
      firstRow.push(r);
    }
    slotOf[r] = s;
  }
  return { uniqueKeys, slotOf, firstRow };
}

function boolsOf(rowType: RowType, keys: number[]): Set<number> {
  return new Set(keys.filter((k) => rowType.fields[k]!.type.kind === 'BOOLEAN'));
}

function actual(rowType: RowType, rows: unknown[][], keys: number[], skip?: Uint8Array): BatchKeys {
  return distinctBatchKeys(batchFromRows(rowType, rows), keys, boolsOf(rowType, keys), skip);
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

const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });
// Few distinct values per column, so rows repeat keys and collide in every way.
const rowArb = fc.tuple(
  nullable(fc.constantFrom('', 'a', 'b', 'ab', '\ud800', 'é', 'x'.repeat(40))),
  nullable(fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31))),
  nullable(fc.constantFrom(0, -0, 9, 2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1)),
  nullable(fc.constantFrom(0.5, 0, -0, 1e21, Infinity, -Infinity, NaN, 1e-7)),
  nullable(fc.boolean()),
  nullable(fc.constantFrom(0n, 1n, -1n, 2n ** 40n, 2n ** 32n + 1n)),
  nullable(fc.constantFrom(new Uint8Array([]), new Uint8Array([1, 2]))),
  nullable(fc.constantFrom([], ['a'], [null], ['a', 'b'])),
);

test('groups rows exactly as their canonical key strings do, for every column type, key combination and skip mask', () => {
  fc.assert(
    fc.property(
      fc.array(rowArb, { maxLength: 60 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }),
      fc.array(fc.boolean(), { maxLength: 60 }),
      (rows, keys, skipped) => {
        const rs = rows.map((r) => [...r] as unknown[]);
        const skip = Uint8Array.from(rs.map((_, i) => (skipped[i] === true ? 1 : 0)));
        assert.deepEqual(actual(rowType, rs, keys), reference(rowType, rs, keys));
        assert.deepEqual(actual(rowType, rs, keys, skip), reference(rowType, rs, keys, skip));
      },
    ),
    { numRuns: 500 },
  );
});

test('-0 and 0, and every NaN, are one key; NULL is its own key in typed and object columns', () => {
  const t: RowType = { fields: [{ name: 'd', type: Types.double() }, { name: 's', type: Types.string() }] };
  const rows = [[0, 'a'], [-0, 'a'], [NaN, null], [Number.NaN, null], [null, null], [null, 'a'], [0, null]];
  const k = actual(t, rows, [0, 1]);
  assert.deepEqual([...k.slotOf], [0, 0, 1, 1, 2, 3, 4]);
  assert.deepEqual(k, reference(t, rows, [0, 1]));
});

test('large batches keep the table sparse; the reused scratch does not leak keys between batches', () => {
  const t: RowType = { fields: [{ name: 'k', type: Types.bigint() }] };
  const big = Array.from({ length: 10_000 }, (_, i) => [i % 3_001]);
  assert.deepEqual(actual(t, big, [0]), reference(t, big, [0]));
  const small = [[5], [7], [5]];
  assert.deepEqual(actual(t, small, [0]), reference(t, small, [0]));
  assert.deepEqual(actual(t, [], [0]), { uniqueKeys: [], slotOf: new Int32Array(0), firstRow: [] });
});
