import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decimalAddType,
  decimalAvgType,
  decimalDivide,
  decimalDivideType,
  decimalFromNumber,
  decimalLiteralShape,
  decimalModType,
  decimalMultiply,
  decimalMultiplyType,
  decimalShapeOf,
  decimalSumType,
  formatDecimal,
  parseDecimal,
  parseDecimalText,
  rescale,
  toDecimal,
  decimalMod,
  decimalCompare,
} from './decimal.js';
import { Types } from './logical-type.js';

test('literal shapes follow Calcite: 0.908 is DECIMAL(4, 3)', () => {
  assert.deepEqual(decimalLiteralShape('0.908'), { precision: 4, scale: 3 });
  assert.deepEqual(decimalLiteralShape('12.50'), { precision: 4, scale: 2 });
  assert.deepEqual(decimalLiteralShape('123'), { precision: 3, scale: 0 });
});

test('q1: DECIMAL(4, 3) * BIGINT is DECIMAL(23, 3)', () => {
  const big = decimalShapeOf(Types.bigint())!;
  assert.deepEqual(big, { precision: 19, scale: 0 });
  assert.deepEqual(decimalMultiplyType({ precision: 4, scale: 3 }, big), { precision: 23, scale: 3 });
  // 0.908 * 12345 = 11209.260
  const r = decimalMultiply(908n, 3, 12345n, 0, 23, 3);
  assert.equal(formatDecimal(r!, 3), '11209.260');
});

test('addition, division, modulo result types with the 38-digit cap', () => {
  assert.deepEqual(decimalAddType({ precision: 10, scale: 2 }, { precision: 5, scale: 4 }), { precision: 13, scale: 4 });
  assert.deepEqual(decimalDivideType({ precision: 10, scale: 2 }, { precision: 5, scale: 0 }), { precision: 16, scale: 8 });
  assert.deepEqual(decimalDivideType({ precision: 38, scale: 10 }, { precision: 38, scale: 10 }), { precision: 38, scale: 6 });
  assert.deepEqual(decimalMultiplyType({ precision: 38, scale: 10 }, { precision: 38, scale: 10 }), { precision: 38, scale: 6 });
  assert.deepEqual(decimalModType({ precision: 10, scale: 2 }, { precision: 5, scale: 0 }), { precision: 7, scale: 2 });
  assert.deepEqual(decimalSumType({ precision: 10, scale: 2 }), { precision: 38, scale: 2 });
  assert.deepEqual(decimalAvgType({ precision: 10, scale: 2 }), { precision: 38, scale: 6 });
  assert.deepEqual(decimalAvgType({ precision: 20, scale: 8 }), { precision: 38, scale: 8 });
});

test('rescale rounds HALF_UP, also for negatives', () => {
  assert.equal(rescale(125n, 2, 1), 13n);
  assert.equal(rescale(-125n, 2, 1), -13n);
  assert.equal(rescale(124n, 2, 1), 12n);
  assert.equal(rescale(5n, 0, 2), 500n);
});

test('precision overflow gives null (Flink casts overflow to NULL)', () => {
  assert.equal(toDecimal(12345n, 0, 4, 0), null);
  assert.equal(toDecimal(12345n, 2, 4, 2), null);
  assert.equal(toDecimal(12345n, 2, 5, 2), 12345n);
  assert.equal(parseDecimal('1234.5', 4, 1), null);
  assert.equal(parseDecimal('123.45', 4, 1), 1235n);
});

test('division and modulo', () => {
  // 1 / 3 at scale 6 = 0.333333
  assert.equal(decimalDivide(1n, 0, 3n, 0, 10, 6), 333333n);
  assert.equal(decimalDivide(2n, 0, 3n, 0, 10, 6), 666667n);
  assert.equal(decimalDivide(1n, 0, 0n, 0, 10, 6), undefined);
  assert.equal(decimalMod(-75n, 1, 20n, 1, 5, 1), -15n);
  assert.equal(decimalCompare(15n, 1, 150n, 2), 0);
});

test('parse and format keep all scale digits', () => {
  assert.deepEqual(parseDecimalText('-0.908'), { unscaled: -908n, scale: 3, precision: 3 });
  assert.deepEqual(parseDecimalText('1e3'), { unscaled: 1000n, scale: 0, precision: 4 });
  assert.deepEqual(parseDecimalText('.5'), { unscaled: 5n, scale: 1, precision: 1 });
  assert.equal(parseDecimalText('abc'), null);
  assert.equal(parseDecimalText(''), null);
  assert.equal(formatDecimal(1234560n, 3), '1234.560');
  assert.equal(formatDecimal(-5n, 1), '-0.5');
  assert.equal(formatDecimal(0n, 3), '0.000');
  assert.equal(formatDecimal(7n, 3), '0.007');
});

test('doubles convert through their shortest text', () => {
  assert.equal(decimalFromNumber(0.1, 10, 2), 10n);
  assert.equal(decimalFromNumber(2.675, 10, 2), 268n);
  assert.equal(decimalFromNumber(NaN, 10, 2), null);
  assert.equal(decimalFromNumber(1e20, 10, 2), null);
});
