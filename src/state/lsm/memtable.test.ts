import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryObjectStore } from '../../storage/index.js';
import { encodeKey } from '../key-codec.js';
import { createLsmKeyedStateBackend } from './lsm-backend.js';
import type { LsmKeyedStateBackend } from './lsm-backend.js';
import { estimateBytes } from './memtable.js';

const k = (v: unknown): string => encodeKey([v]);
let seq = 0;

function backend(memtableBytes: number): LsmKeyedStateBackend {
  return createLsmKeyedStateBackend({
    maxParallelism: 16,
    keyGroupRange: { start: 0, end: 15 },
    primaryStore: new MemoryObjectStore(`memtable-test-${++seq}`),
    memtableBytes,
    memoryCacheBytes: 0,
  });
}

describe('memtable size estimate', () => {
  it('counts strings nested below two levels (group aggregation state) by their length', () => {
    const wide = 'x'.repeat(2000);
    const aggState = { rows: 1, accs: [3, 17, wide], distinct: null };
    assert.ok(estimateBytes(aggState) >= 4000, `estimate ${estimateBytes(aggState)}`);
    assert.ok(estimateBytes([[[[wide]]]]) >= 4000, 'at any depth');
    assert.ok(estimateBytes({ a: { b: { c: new Uint8Array(5000) } } }) >= 5000);
  });

  it('extrapolates large containers from a sample, in proportion to their size', () => {
    const small = new Map<string, number[]>();
    const large = new Map<string, number[]>();
    for (let i = 0; i < 100; i++) small.set(`value-${i}`, [1]);
    for (let i = 0; i < 100_000; i++) large.set(`value-${i}`, [1]);
    const ratio = estimateBytes(large) / estimateBytes(small);
    assert.ok(ratio > 800 && ratio < 1200, `ratio ${ratio}`);
    const arr = Array.from({ length: 10_000 }, () => 'y'.repeat(100));
    const e = estimateBytes(arr);
    assert.ok(e >= 10_000 * 200 && e < 10_000 * 300, `estimate ${e}`);
    assert.ok(estimateBytes(new Set(['a', 'b'])) > 64);
  });

  it('follows a value changed in place and put back (the same object), and an overwrite that shrinks it', async () => {
    const b = backend(1 << 30);
    const s = b.valueState<{ accs: unknown[] }>({ name: 'agg' });
    const v = { accs: [0, 'a'] };
    await s.putMany([k(1)], [v]);
    const before = b.stats().memtableBytes;
    const [got] = await s.getMany([k(1)]);
    assert.equal(got, v, 'a memtable hit returns the stored object');
    got!.accs[1] = 'b'.repeat(10_000);
    await s.putMany([k(1)], [got!]);
    const grown = b.stats().memtableBytes;
    assert.ok(grown - before >= 19_990, `grew by ${grown - before}`);
    await s.putMany([k(1)], [{ accs: [0, 'c'] }]);
    assert.equal(b.stats().memtableBytes, before, 'back to the first size');
    await b.dispose();
  });

  it('counts a list appended in place linearly, and flushes when nested values fill the memtable', async () => {
    const b = backend(64 * 1024);
    const l = b.listState<string>({ name: 'rows' });
    for (let i = 0; i < 50; i++) await l.addMany([k(1)], ['z'.repeat(100)]);
    const bytes = b.stats().memtableBytes;
    assert.ok(bytes >= 50 * 200 && bytes < 50 * 400, `memtable ${bytes} bytes for 50 values of 100 chars`);
    // 100 keys × a 2 KB string inside an aggregate-like object: well above the 64 KB memtable.
    const s = b.valueState<{ accs: unknown[] }>({ name: 'agg' });
    for (let i = 0; i < 100; i++) await s.putMany([k(i)], [{ accs: [i, 'w'.repeat(2000)] }]);
    assert.ok(b.stats().flushes >= 2, `${b.stats().flushes} flushes`);
    const [v] = await s.getMany([k(3)]);
    assert.deepEqual(v, { accs: [3, 'w'.repeat(2000)] });
    await b.dispose();
  });
});
