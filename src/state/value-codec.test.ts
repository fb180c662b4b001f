import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeStateValue, encodeStateValue } from './value-codec.js';

const roundTrip = (v: unknown): unknown => decodeStateValue(encodeStateValue(v));

/** Every value kind keyed state holds, nested. */
const stateValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.bigInt(),
    fc.string({ unit: 'binary' }),
    fc.string(),
    fc.uint8Array({ maxLength: 20 }),
  ),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object'), tie('map')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5, noNullPrototype: true }),
  map: fc.array(fc.tuple(tie('leaf'), tie('value')), { maxLength: 5 }).map((es) => new Map(es)),
})).value;

describe('state value codec', () => {
  it('round-trips nested values of every kind (property)', () => {
    fc.assert(
      fc.property(stateValue, (v) => {
        assert.deepStrictEqual(roundTrip(v), v);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic: equal values give equal bytes, and re-encoding a decoded value gives the same bytes (property)', () => {
    fc.assert(
      fc.property(stateValue, (v) => {
        const a = encodeStateValue(v);
        assert.deepEqual(encodeStateValue(decodeStateValue(a)), a);
        assert.deepEqual(encodeStateValue(structuredClone(v)), a);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps numbers exact: -0, NaN, infinities, fractions, epoch ms and the safe-integer edges', () => {
    for (const n of [0, -0, NaN, Infinity, -Infinity, 0.1, -1.5e-300, 1_732_700_000_123.25, 2 ** 52, -(2 ** 52), 2 ** 52 + 1, -(2 ** 52) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 5e-324]) {
      assert.ok(Object.is(roundTrip(n), n), `number ${n}`);
    }
    assert.equal(encodeStateValue(1).length, 2, 'small integers are compact');
  });

  it('keeps bigints of any size and sign (DECIMAL unscaled values)', () => {
    for (const b of [0n, 1n, -1n, 255n, 256n, -256n, 10n ** 38n - 1n, -(10n ** 38n), 2n ** 200n]) assert.equal(roundTrip(b), b);
  });

  it('keeps strings exactly, including lone surrogates, NUL and the key codec control characters', () => {
    for (const s of ['', 'a', 'héllo wörld', '😀', '\ud800', 'a\udc00b', '\u0000\u0004 3:abc\u001f', 'x'.repeat(100_000)]) {
      assert.equal(roundTrip(s), s);
    }
  });

  it('keeps Map insertion order and non-string Map keys', () => {
    const m = new Map<unknown, unknown>([
      [3, 'c'],
      [1n, 'a'],
      ['b', [1, 2]],
      [null, new Map([[false, true]])],
    ]);
    const back = roundTrip(m) as Map<unknown, unknown>;
    assert.deepEqual([...back.keys()], [3, 1n, 'b', null]);
    assert.deepStrictEqual(back, m);
  });

  it('decodes accumulators as fresh, mutable copies', () => {
    const acc = { sum: 10n, count: 2, values: new Map([[1, 2]]), bytes: new Uint8Array([1, 2]) };
    const back = roundTrip(acc) as typeof acc;
    back.count++;
    back.values.set(3, 4);
    back.bytes[0] = 9;
    assert.equal(acc.count, 2);
    assert.equal(acc.values.size, 1);
    assert.equal(acc.bytes[0], 1);
  });

  it("keeps a '__proto__' own property as a property", () => {
    const v = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, unknown>;
    const back = roundTrip(v) as Record<string, unknown>;
    assert.deepEqual(Object.keys(back), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
  });

  it('rejects values state must not hold, naming the kind', () => {
    for (const [v, what] of [
      [new Set([1]), 'Set'],
      [new Date(0), 'Date'],
      [new Float64Array(2), 'Float64Array'],
      [() => 1, 'function'],
      [Symbol('s'), 'symbol'],
      [{ nested: [new (class Acc {})()] }, 'Object'],
    ] as const) {
      assert.throws(
        () => encodeStateValue(v),
        (e: Error & { code?: string }) => e.code === 'STATE.UNSERIALIZABLE_VALUE' && e.message.includes(what),
        `value ${what}`,
      );
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.throws(() => encodeStateValue(cyclic), /cyclic/);
  });

  it('reports truncated or garbled input as STATE.CORRUPT_VALUE, never a wrong value', () => {
    const bytes = encodeStateValue({ a: [1, 'two', 3n], b: new Map([['k', null]]) });
    for (let cut = 0; cut < bytes.length; cut++) {
      assert.throws(() => decodeStateValue(bytes.subarray(0, cut)), (e: Error & { code?: string }) => e.code === 'STATE.CORRUPT_VALUE');
    }
    assert.throws(() => decodeStateValue(new Uint8Array([200])), /unknown value tag 200/);
    assert.throws(() => decodeStateValue(new Uint8Array([1, 1])), /trailing/);
    assert.throws(() => decodeStateValue(new Uint8Array([10, 0xff, 0xff, 0xff, 0x7f])), /array of/);
  });
});
