import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Types, type LogicalType } from '../types/index.js';
import {
  BinaryRowWriter,
  bigintFromTwosComplement,
  bigintToTwosComplement,
  decodeBinaryRow,
  deserializeBinaryRow,
  encodeBinaryRow,
  nullBitsBytes,
} from './binary-row.js';

const DECIMAL_BYTES = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/decimal_bytes.data');

/** A type with an arbitrary for its values (per the Floe value table). */
const COLUMN_KINDS: [LogicalType, fc.Arbitrary<unknown>][] = [
  [Types.boolean(), fc.boolean()],
  [Types.tinyint(), fc.integer({ min: -128, max: 127 })],
  [Types.smallint(), fc.integer({ min: -32768, max: 32767 })],
  [Types.int(), fc.integer()],
  [Types.date(), fc.integer({ min: -100000, max: 100000 })],
  [Types.bigint(), fc.maxSafeInteger()],
  [Types.float(), fc.float({ noNaN: true }).map(Math.fround)],
  [Types.double(), fc.double({ noNaN: true })],
  [Types.decimal(10, 2), fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n })],
  [Types.decimal(38, 10), fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n })],
  [Types.string(), fc.string({ maxLength: 20 })],
  [Types.bytes(), fc.uint8Array({ maxLength: 20 })],
  [Types.timestamp(3), fc.integer({ min: -1e12, max: 1e13 })],
  // Non-compact timestamps: whole milliseconds plus whole microseconds keep exact in a double.
  [Types.timestamp(6), fc.tuple(fc.integer({ min: -1e12, max: 1e13 }), fc.integer({ min: 0, max: 999 })).map(([ms, us]) => ms + us / 1000)],
  [Types.timestampLtz(9), fc.integer({ min: -1e12, max: 1e13 })],
];

const rowArb = fc
  .array(fc.integer({ min: 0, max: COLUMN_KINDS.length - 1 }), { minLength: 0, maxLength: 70 })
  .chain((kinds) =>
    fc.tuple(
      fc.constant(kinds.map((k) => COLUMN_KINDS[k]![0])),
      fc.tuple(...kinds.map((k) => fc.option(COLUMN_KINDS[k]![1], { nil: null, freq: 4 }))),
    ),
  );

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || Math.abs(a - b) < 1e-6;
  return a === b;
}

test('BinaryRow: encode then decode returns the values, for any mix of types and NULLs', () => {
  fc.assert(
    fc.property(rowArb, ([types, values]) => {
      const bytes = encodeBinaryRow(values, types);
      assert.equal(bytes.length % 8, 0, 'rows are 8-byte aligned');
      const back = decodeBinaryRow(bytes, types, 'test');
      for (let i = 0; i < types.length; i++) assert.ok(same(back[i], values[i]), `field ${i} (${types[i]!.kind}): ${String(back[i])} vs ${String(values[i])}`);
      const w = new BinaryRowWriter(types.length);
      types.forEach((t, i) => w.set(i, values[i], t));
      assert.deepEqual(deserializeBinaryRow(w.serialize(), types, 'test').length, types.length);
    }),
    { numRuns: 300 },
  );
});

test('BinaryRow: layout details (null bits, inline short strings, var part)', () => {
  assert.equal(nullBitsBytes(0), 8);
  assert.equal(nullBitsBytes(56), 8);
  assert.equal(nullBitsBytes(57), 16);
  const row = encodeBinaryRow([null, 'abc', 'a string longer than seven'], [Types.int(), Types.string(), Types.string()]);
  assert.equal(row[1], 0b1, 'null bit of field 0 is bit 8');
  assert.equal(row[8 + 8 + 7], 0x80 | 3, 'short string: mark and length in the slot');
  assert.equal(row.length, 8 + 24 + 32, 'long string padded to a word multiple');
  // A partition value as stored in a manifest: arity 1 (BE), INT 10 (LE).
  const partition = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(deserializeBinaryRow(partition, [Types.int()], 'p'), [10]);
  assert.throws(() => deserializeBinaryRow(partition, [Types.int(), Types.int()], 'p'), /1 fields, expected 2/);
  assert.throws(() => decodeBinaryRow(new Uint8Array(8), [Types.int()], 'p'), /cannot hold/);
  assert.throws(() => encodeBinaryRow([[1]], [Types.array(Types.int())]), (e: Error & { code?: string }) => e.code === 'LAKE.UNSUPPORTED_BINARY_ROW_TYPE');
});

test('decimal bytes follow Java BigInteger.toByteArray', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }), (v) => {
      const b = bigintToTwosComplement(v);
      assert.equal(bigintFromTwosComplement(b), v);
      // Minimal: dropping the first byte would change the value.
      if (b.length > 1) assert.notEqual(bigintFromTwosComplement(b.subarray(1)), v);
    }),
  );
  assert.deepEqual([...bigintToTwosComplement(0n)], [0]);
  assert.deepEqual([...bigintToTwosComplement(128n)], [0, 128]);
  assert.deepEqual([...bigintToTwosComplement(-129n)], [0xff, 0x7f]);
});

test('decimal bytes match Java for the paimon-cpp decimal_bytes.data vectors', () => {
  const data = readFileSync(DECIMAL_BYTES);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let count = 0;
  while (pos < data.length) {
    const n = view.getInt32(pos, false);
    const text = new TextDecoder().decode(data.subarray(pos + 4, pos + 4 + n));
    pos += 4 + n;
    const m = view.getInt32(pos, false);
    const javaBytes = data.subarray(pos + 4, pos + 4 + m);
    pos += 4 + m;
    assert.deepEqual(bigintToTwosComplement(BigInt(text)), new Uint8Array(javaBytes), text);
    assert.equal(bigintFromTwosComplement(javaBytes), BigInt(text));
    count++;
  }
  assert.equal(count, 2000);
});
