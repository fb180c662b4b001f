import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lsmOptionsFromConfig, sharedLsmCaches } from './lsm-options.js';

const ctx = { maxParallelism: 128, keyGroupRange: { start: 0, end: 63 }, defaultPrimaryDir: 'memory://lsm-options-test', filePrefix: 'job/lsm/node-1-0' };

describe('lsm options from configuration', () => {
  it('reads sizes and counts, falling back to the declared defaults', () => {
    const o = lsmOptionsFromConfig({ 'state.backend.lsm.memtable-size': '1mb', 'state.backend.lsm.cache.memory-size': '0', 'state.backend.lsm.io-parallelism': '4' }, ctx);
    assert.equal(o.memtableBytes, 1024 * 1024);
    assert.equal(o.blockBytes, 4 * 1024);
    assert.equal(o.ioParallelism, 4);
    assert.equal(o.compactionTrigger, 4);
    assert.equal(o.retainedSnapshots, Infinity);
    assert.equal(o.caches!.blockCache.capacity, 0);
    assert.equal(o.primaryStore.uri, 'memory://lsm-options-test');
    assert.equal(o.primaryPrefix, 'job/lsm/node-1-0');
  });

  it('an explicit primary dir wins over the checkpoint-derived default; retention comes from the context', () => {
    const o = lsmOptionsFromConfig({ 'state.backend.lsm.primary-dir': 'memory://elsewhere' }, { ...ctx, defaultRetainedSnapshots: 3 });
    assert.equal(o.primaryStore.uri, 'memory://elsewhere');
    assert.equal(o.retainedSnapshots, 3);
    assert.equal(lsmOptionsFromConfig({ 'state.backend.lsm.retained-snapshots': '5' }, ctx).retainedSnapshots, 5);
  });

  it('backends with the same cache settings share one cache', () => {
    const a = lsmOptionsFromConfig({}, ctx);
    const b = lsmOptionsFromConfig({}, { ...ctx, keyGroupRange: { start: 64, end: 127 } });
    assert.equal(a.caches, b.caches);
    assert.notEqual(sharedLsmCaches({ memoryBytes: 1, indexBytes: 1, diskBytes: 0 }, '/tmp/x'), a.caches);
  });

  it('rejects bad values naming the key', () => {
    assert.throws(() => lsmOptionsFromConfig({ 'state.backend.lsm.memtable-size': 'big' }, ctx), { code: 'CONFIG.BAD_VALUE', message: /state\.backend\.lsm\.memtable-size/ });
    assert.throws(() => lsmOptionsFromConfig({ 'state.backend.lsm.compaction.trigger': '1' }, ctx), /integer >= 2/);
  });
});
