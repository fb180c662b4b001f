import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from '../../../types/index.js';
import { createAvg } from './avg.js';
import { createSum } from './sum.js';

const run = (fn: ReturnType<typeof createSum>, values: readonly unknown[]) => {
  let acc = fn.init();
  for (const v of values) acc = fn.accumulate(acc, v, null);
  return { acc, value: () => fn.getValue(acc) };
};

test('SUM of BIGINT is exact, NULL for no values, 0 for SUM0, and refuses to leave ±2^53−1', () => {
  const sum = createSum({ fn: 'SUM', argTypes: [Types.bigint()], resultType: Types.bigint(), withRetraction: true });
  assert.equal(run(sum, [1, 2, null, 3]).value(), 6);
  assert.equal(run(sum, [null]).value(), null);
  const sum0 = createSum({ fn: 'SUM0', argTypes: [Types.bigint()], resultType: Types.bigint(), withRetraction: true });
  assert.equal(run(sum0, []).value(), 0);
  const big = run(sum, [Number.MAX_SAFE_INTEGER, 2]);
  assert.throws(() => big.value(), /left the exact range/);
  // Digits lost past the range stay lost: retracting back into range is still an error.
  assert.throws(() => sum.getValue(sum.retract!(big.acc, 2, null)), /left the exact range/);
});

test('SUM and AVG of DECIMAL share the exact accumulator; AVG rounds HALF_UP at the result scale', () => {
  const dec = Types.decimal(10, 2);
  const sum = createSum({ fn: 'SUM', argTypes: [dec], resultType: Types.decimal(38, 2), withRetraction: true });
  assert.equal(run(sum, [1050n, 525n, 100n]).value(), 1675n);
  const avg = createAvg({ fn: 'AVG', argTypes: [dec], resultType: Types.decimal(38, 6), withRetraction: true });
  assert.equal(run(avg, [1050n, 525n, 100n]).value(), 5583333n);
  const avgDouble = createAvg({ fn: 'AVG', argTypes: [dec], resultType: Types.double(), withRetraction: true });
  assert.equal(run(avgDouble, [10n, 20n]).value(), 0.15);
});

test('AVG of BIGINT truncates toward zero and shares the exact-range guard', () => {
  const avg = createAvg({ fn: 'AVG', argTypes: [Types.bigint()], resultType: Types.bigint(), withRetraction: true });
  assert.equal(run(avg, [1, 2]).value(), 1);
  assert.equal(run(avg, [-1, -2]).value(), -1);
  assert.equal(run(avg, []).value(), null);
  assert.throws(() => run(avg, [Number.MAX_SAFE_INTEGER, 5]).value(), /AVG over BIGINT values left the exact range/);
});
