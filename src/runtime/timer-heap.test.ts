import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimerHeap } from './timer-heap.js';
import { HeapTimerService } from './timer-service.js';

test('timers pop in (timestamp, key) order, deduplicated, deletions honoured', () => {
  const h = new TimerHeap();
  h.add('b', 5);
  h.add('a', 5);
  h.add('a', 5);
  h.add('c', 1);
  h.add('d', 9);
  h.delete('d', 9);
  h.add('x', 3);
  h.delete('x', 3);
  h.add('x', 3); // re-registered after delete: fires once
  assert.equal(h.size, 4);
  const keys: string[] = [];
  const times: number[] = [];
  h.popUntil(5, keys, times);
  assert.deepEqual(keys, ['c', 'x', 'a', 'b']);
  assert.deepEqual(times, [1, 3, 5, 5]);
  assert.equal(h.peekTime(), Infinity);
  assert.equal(h.size, 0);
});

test('property: popUntil equals sorting the live set', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('add', 'del'), fc.constantFrom('k1', 'k2', 'k3', 'k4'), fc.integer({ min: 0, max: 20 })), { maxLength: 80 }),
      fc.integer({ min: 0, max: 20 }),
      (ops, upTo) => {
        const h = new TimerHeap();
        const live = new Set<string>();
        for (const [op, k, t] of ops) {
          if (op === 'add') {
            h.add(k, t);
            live.add(`${t}|${k}`);
          } else {
            h.delete(k, t);
            live.delete(`${t}|${k}`);
          }
        }
        const expected = [...live]
          .map((s) => ({ t: Number(s.split('|')[0]), k: s.split('|')[1]! }))
          .filter((e) => e.t <= upTo)
          .sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
        const keys: string[] = [];
        const times: number[] = [];
        h.popUntil(upTo, keys, times);
        assert.deepEqual(keys, expected.map((e) => e.k));
        assert.deepEqual(times, expected.map((e) => e.t));
        assert.equal(h.size, live.size - expected.length);
      },
    ),
  );
});

test('event-time timers are due only up to the watermark; processing-time timers use the clock', async () => {
  let now = 1000;
  let due = 0;
  const s = new HeapTimerService(() => now, () => due++);
  s.registerEventTimeTimer('a', 10);
  s.registerEventTimeTimer('b', 20);
  s.advanceWatermark(15);
  const keys: string[] = [];
  const times: number[] = [];
  s.dueEventTimers(keys, times);
  assert.deepEqual([keys, times], [['a'], [10]]);
  s.advanceWatermark(5); // watermarks never go back
  assert.equal(s.currentWatermark(), 15);

  s.registerProcessingTimeTimer('p', 1001);
  s.registerProcessingTimeTimer('q', 1_000_000);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(due, 1, 'the clock asked the driver once for the early timer');
  now = 1001;
  const pk: string[] = [];
  const pt: number[] = [];
  s.dueProcessingTimers(now, pk, pt);
  assert.deepEqual(pk, ['p']);
  assert.equal(s.close(), 1, 'close drops (and counts) the pending processing-time timer');
});
