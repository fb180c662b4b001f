import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodedValueOrder, encodeValue } from './key-codec.js';

const reference = (values: readonly unknown[]): number[] => {
  const keys = values.map(encodeValue);
  return keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
};

test('encodedValueOrder orders values as their encodings compare, on the integer path and off it', () => {
  const edge = fc.constantFrom(0, -0, 1, -1, 9, 10, 19, 100, 999, 1000, 2 ** 31, 10 ** 15, 10 ** 15 - 1, 9007199254740991, -9007199254740991, 900719925474099, 900719925474100);
  const intArb = fc.oneof(edge, fc.integer({ min: -2000, max: 2000 }), fc.maxSafeInteger(), fc.maxSafeInteger().map((v) => -v), fc.integer({ min: 1, max: 15 }).chain((d) => fc.integer({ min: 0, max: 999 }).map((x) => x * 10 ** d)));
  fc.assert(
    fc.property(fc.array(fc.option(intArb, { nil: null, freq: 8 }), { maxLength: 200 }), (values) => {
      assert.deepEqual([...encodedValueOrder(values)], reference(values));
    }),
    { numRuns: 1000 },
  );
  // Off the integer path: fractions, strings, booleans.
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null)), { maxLength: 60 }), (values) => {
      assert.deepEqual([...encodedValueOrder(values)], reference(values));
    }),
    { numRuns: 300 },
  );
});

test('encodedValueOrder in bulk (more keys leave fewer rank digits)', () => {
  const values = Array.from({ length: 70_000 }, (_, i) => ((i * 7919) % 100_003) * (i % 3 === 0 ? -1 : 1) * (i % 5 === 0 ? 10 ** 9 : 1));
  assert.deepEqual([...encodedValueOrder(values)], reference(values));
});
