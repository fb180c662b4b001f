import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputTracker } from './input-tracker.js';

test('the combined watermark is the minimum over channels and inputs, and only grows', () => {
  const t = new InputTracker([2, 1]);
  t.setWatermark(0, 0, 10);
  assert.ok(Number.isNaN(t.advance()), 'channel (0,1) and input 1 have no watermark yet');
  t.setWatermark(0, 1, 7);
  t.setWatermark(1, 0, 20);
  assert.equal(t.advance(), 7);
  t.setWatermark(0, 1, 30);
  assert.equal(t.advance(), 10);
  t.setWatermark(0, 0, 5); // older than that channel's last: ignored
  assert.ok(Number.isNaN(t.advance()));
  assert.equal(t.watermark, 10);
});

test('idle channels do not hold the watermark back; all idle makes the operator idle', () => {
  const t = new InputTracker([2]);
  t.setWatermark(0, 0, 100);
  t.setIdle(0, 1, true);
  assert.equal(t.advance(), 100);
  t.setIdle(0, 0, true);
  assert.ok(Number.isNaN(t.advance()));
  assert.equal(t.isIdle, true);
  t.setIdle(0, 1, false); // back with watermark -Infinity: the delivered one does not regress
  assert.ok(Number.isNaN(t.advance()));
  assert.equal(t.isIdle, false);
  assert.equal(t.watermark, 100);
});

test('+Infinity is held back until every input ended; ended inputs stop counting', () => {
  const t = new InputTracker([1, 1]);
  t.setWatermark(0, 0, Infinity);
  t.setWatermark(1, 0, 3);
  assert.equal(t.advance(), 3);
  assert.equal(t.setEnded(0, 0), true);
  t.setWatermark(1, 0, Infinity);
  assert.ok(Number.isNaN(t.advance()), '+Infinity waits for the end markers');
  assert.equal(t.setEnded(1, 0), true);
  assert.equal(t.allEnded(), true);
  assert.equal(t.advance(), Infinity);
});

test('an input without channels counts as ended from the start', () => {
  const t = new InputTracker([0, 1]);
  assert.equal(t.inputEnded(0), true);
  assert.equal(t.allEnded(), false);
});
