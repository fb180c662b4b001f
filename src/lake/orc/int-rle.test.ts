import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FloeError } from '../../common/index.js';
import { decodeBooleanRle, decodeByteRle } from './byte-rle.js';
import { closestFixedBits, decodeBitWidth, decodeIntRleV1, decodeIntRleV2 } from './int-rle.js';
import { intRleV1Literals, intRleV2Direct } from './orc-test-support.js';

const v2 = (bytes: number[], count: number, signed = false): number[] => [...decodeIntRleV2(Uint8Array.from(bytes), count, signed, 't.orc')];
const v1 = (bytes: number[], count: number, signed = false): number[] => [...decodeIntRleV1(Uint8Array.from(bytes), count, signed, 't.orc')];
const corrupt = (e: FloeError): boolean => e.code === 'LAKE.CORRUPT_FILE' && e.message.includes("'t.orc'");

// ---- RLE v2: the examples of the ORC specification v1 ----

test('RLE v2 SHORT_REPEAT: [0x0a, 0x27, 0x10] is 10000 five times', () => {
  assert.deepEqual(v2([0x0a, 0x27, 0x10], 5), [10000, 10000, 10000, 10000, 10000]);
});

test('RLE v2 SHORT_REPEAT signed: the value is zig-zag (3 → −2), run of 3..10', () => {
  // 0b00_000_000: 1 byte, 3 repeats of zig-zag 3; 0b00_000_111: 10 repeats of zig-zag 4
  assert.deepEqual(v2([0x00, 0x03, 0x07, 0x04], 13, true), [-2, -2, -2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
});

test('RLE v2 DIRECT: [23713, 43806, 57005, 48879] at 16 bits', () => {
  assert.deepEqual(v2([0x5e, 0x03, 0x5c, 0xa1, 0xab, 0x1e, 0xde, 0xad, 0xbe, 0xef], 4), [23713, 43806, 57005, 48879]);
});

test('RLE v2 PATCHED_BASE: the spec example with outlier 1000000', () => {
  const bytes = [0x8e, 0x13, 0x2b, 0x21, 0x07, 0xd0, 0x1e, 0x00, 0x14, 0x70, 0x28, 0x32, 0x3c, 0x46, 0x50, 0x5a, 0x64, 0x6e, 0x78, 0x82, 0x8c, 0x96, 0xa0, 0xaa, 0xb4, 0xbe, 0xfc, 0xe8];
  const expected = [2030, 2000, 2020, 1000000, 2040, 2050, 2060, 2070, 2080, 2090, 2100, 2110, 2120, 2130, 2140, 2150, 2160, 2170, 2180, 2190];
  assert.deepEqual(v2(bytes, 20), expected);
  // Patched base values are not zig-zag encoded: the same bytes mean the same in a signed stream.
  assert.deepEqual(v2(bytes, 20, true), expected);
});

test('RLE v2 PATCHED_BASE: a gap over 255 is split into a (255, patch 0) filler entry; a negative base', () => {
  // 300 values of width 1 (all 0), base 1 byte = 0x81 (sign bit set → −1), patch width 1 bit,
  // gap width 8 bits, 2 patch entries of 9 bits: (gap 255, patch 0), (gap 25, patch 1) → index 280 += 1 << 1.
  const bytes = [0x81, 0x2b, 0x00, 0xe2, 0x81, ...new Array<number>(38).fill(0), 0xff, 0x0c, 0xc0];
  const expected = new Array<number>(300).fill(-1);
  expected[280] = 1;
  assert.deepEqual(v2(bytes, 300, true), expected);
});

test('RLE v2 DELTA: the spec example of primes, and a fixed delta of 0 over 288 values', () => {
  assert.deepEqual(v2([0xc6, 0x09, 0x02, 0x02, 0x22, 0x42, 0x42, 0x46], 10), [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
  assert.deepEqual(v2([0xc1, 0x1f, 0x0c, 0x00], 288, true), new Array<number>(288).fill(6));
});

test('RLE v2 DELTA: negative deltas (fixed and packed) in a signed stream', () => {
  // fixed: base zig-zag 20 → 10, delta zig-zag 5 → −3, 4 values
  assert.deepEqual(v2([0xc0, 0x03, 0x14, 0x05], 4, true), [10, 7, 4, 1]);
  // packed, width code 1 → 2 bits: base 100 (zig-zag 200 = 0xc8 0x01), delta base −1 (1), then |deltas| 2, 3, 1
  assert.deepEqual(v2([0xc2, 0x04, 0xc8, 0x01, 0x01, 0b10_11_01_00], 5, true), [100, 99, 97, 94, 93]);
});

test('RLE v2: runs of different sub-encodings follow one another; a run longer than the count is cut', () => {
  const bytes = [0x0a, 0x27, 0x10, 0x5e, 0x03, 0x5c, 0xa1, 0xab, 0x1e, 0xde, 0xad, 0xbe, 0xef, 0xc6, 0x09, 0x02, 0x02, 0x22, 0x42, 0x42, 0x46];
  assert.deepEqual(v2(bytes, 19), [10000, 10000, 10000, 10000, 10000, 23713, 43806, 57005, 48879, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
  assert.deepEqual(v2(bytes, 7), [10000, 10000, 10000, 10000, 10000, 23713, 43806]);
  assert.deepEqual(v2([], 0), []);
});

test('RLE v2: truncated input fails as LAKE.CORRUPT_FILE naming the file', () => {
  assert.throws(() => v2([0x0a, 0x27, 0x10], 6), corrupt); // 5 values present, 6 wanted
  assert.throws(() => v2([0x5e, 0x03, 0x5c, 0xa1, 0xab], 4), corrupt); // bit-packed data cut short
  assert.throws(() => v2([0xc6, 0x09, 0x02], 10), corrupt); // delta base missing
});

test('RLE v2 DIRECT: every width round-trips (property, values up to 2^53 − 1)', () => {
  fc.assert(
    fc.property(fc.array(fc.maxSafeNat(), { minLength: 1, maxLength: 700 }), fc.integer({ min: 1, max: 64 }), (values, minWidth) => {
      assert.deepEqual(v2([...intRleV2Direct(values, false, minWidth)], values.length), values);
    }),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { minLength: 1, maxLength: 600 }), (values) => {
      assert.deepEqual(v2([...intRleV2Direct(values, true)], values.length, true), values);
    }),
    { numRuns: 100 },
  );
});

test('RLE v2 width tables: 5-bit codes and the closest fixed widths of patch entries', () => {
  assert.deepEqual([0, 7, 15, 23, 24, 27, 28, 31].map(decodeBitWidth), [1, 8, 16, 24, 26, 32, 40, 64]);
  assert.deepEqual([1, 14, 24, 25, 27, 31, 33, 41, 49, 57].map(closestFixedBits), [1, 14, 24, 26, 28, 32, 40, 48, 56, 64]);
});

// ---- RLE v1 ----

test('RLE v1: runs with a delta (a hundred 7s; 100 down to 1) and literals', () => {
  assert.deepEqual(v1([0x61, 0x00, 0x07], 100), new Array<number>(100).fill(7));
  assert.deepEqual(v1([0x61, 0xff, 0x64], 100), Array.from({ length: 100 }, (_, i) => 100 - i));
  assert.deepEqual(v1([0xfb, 0x02, 0x03, 0x06, 0x07, 0x0b], 5), [2, 3, 6, 7, 11]);
  assert.deepEqual(v1([0xfe, 0x03, 0x04], 2, true), [-2, 2]); // signed literals are zig-zag
  assert.deepEqual(v1([0x00, 0x01, 0x01], 3, true), [-1, 0, 1]); // signed run: base zig-zag 1 → −1, delta +1
  assert.throws(() => v1([0xfb, 0x02], 5), corrupt);
});

test('RLE v1 literals round-trip (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), { maxLength: 400 }), (values) => {
      assert.deepEqual(v1([...intRleV1Literals(values, true)], values.length, true), values);
    }),
    { numRuns: 100 },
  );
});

// ---- Byte and boolean RLE ----

test('byte RLE: a hundred 0s is [0x61, 0x00]; literals [0xfe, 0x44, 0x45]', () => {
  assert.deepEqual([...decodeByteRle(Uint8Array.from([0x61, 0x00]), 100, 't.orc')], new Array<number>(100).fill(0));
  assert.deepEqual([...decodeByteRle(Uint8Array.from([0xfe, 0x44, 0x45]), 2, 't.orc')], [0x44, 0x45]);
  assert.throws(() => decodeByteRle(Uint8Array.from([0xfe, 0x44]), 2, 't.orc'), corrupt);
});

test('boolean RLE: [0xff, 0x80] is one true then seven false; bits are read MSB first', () => {
  assert.deepEqual([...decodeBooleanRle(Uint8Array.from([0xff, 0x80]), 8, 't.orc')], [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...decodeBooleanRle(Uint8Array.from([0xfe, 0b10100000, 0b01000000]), 10, 't.orc')], [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
});
