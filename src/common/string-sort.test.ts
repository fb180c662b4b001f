import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringSortOrder } from './string-sort.js';

const reference = (keys: readonly string[]): number[] =>
  keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));

test('orders indices as comparing the strings by code units does (equal strings by index)', () => {
  const unit = fc.constantFrom('', '\u0000', '\u0002', 'a', 'b', '1', '9', '\u00ff', '\u0100', '\ud800', '\uffff');
  const str = fc.array(unit, { maxLength: 9 }).map((u) => u.join(''));
  fc.assert(
    fc.property(fc.array(str, { maxLength: 80 }), fc.constantFrom('', '\u0002', '\u0004abc:'), (keys, prefix) => {
      const ks = keys.map((k) => prefix + k);
      assert.deepEqual([...stringSortOrder(ks)], reference(ks));
    }),
    { numRuns: 1000 },
  );
});

test('encoded numeric keys in bulk', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `\u0002${(i * 7919) % 100_003}\u001f`);
  assert.deepEqual([...stringSortOrder(keys)], reference(keys));
  // Long runs that tie on the leading units (a long shared prefix of half the keys, not of all).
  const urls = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? `https://example.com/${(i * 31) % 997}` : `b${i}`));
  assert.deepEqual([...stringSortOrder(urls)], reference(urls));
  assert.deepEqual([...stringSortOrder([])], []);
  assert.deepEqual([...stringSortOrder(['x'])], [0]);
});
