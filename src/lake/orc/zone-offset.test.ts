import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtcZone, zoneOffsetSeconds } from './zone-offset.js';

test('zoneOffsetSeconds: fixed, half-hour and DST zones, on both sides of a transition, before 1970', () => {
  const at = (y: number, mo: number, d: number, h: number, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) / 1000;
  assert.equal(zoneOffsetSeconds('Asia/Kolkata', at(2020, 7, 1, 0), 'z.orc'), 19800);
  assert.equal(zoneOffsetSeconds('America/St_Johns', at(2020, 1, 15, 0), 'z.orc'), -12600);
  assert.equal(zoneOffsetSeconds('America/St_Johns', at(2020, 7, 15, 0), 'z.orc'), -9000);
  // Los Angeles springs forward at 2020-03-08 10:00 UTC (02:00 PST).
  assert.equal(zoneOffsetSeconds('America/Los_Angeles', at(2020, 3, 8, 9, 59), 'z.orc'), -28800);
  assert.equal(zoneOffsetSeconds('America/Los_Angeles', at(2020, 3, 8, 10, 0), 'z.orc'), -25200);
  assert.equal(zoneOffsetSeconds('Europe/Berlin', at(1960, 1, 1, 12), 'z.orc'), 3600);
  assert.equal(zoneOffsetSeconds('UTC', at(1900, 1, 1, 0), 'z.orc'), 0);
});

test('isUtcZone: absent and UTC spellings need no conversion', () => {
  assert.deepEqual([undefined, '', 'UTC', 'GMT', 'Etc/UTC'].map(isUtcZone), [true, true, true, true, true]);
  assert.equal(isUtcZone('Asia/Shanghai'), false);
});
