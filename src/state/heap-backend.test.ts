import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHeapKeyedStateBackend } from './heap-backend.js';
import { encodeKey } from './key-codec.js';
import { describeKeyedStateBackendConformance } from './state-backend-conformance.js';

describeKeyedStateBackendConformance('heap', (env) =>
  createHeapKeyedStateBackend({ maxParallelism: env.maxParallelism, keyGroupRange: env.keyGroupRange, clock: env.clock }),
);

describe('heap backend specifics', () => {
  it('incremental TTL cleanup removes expired entries that are never read again', async () => {
    let now = 0;
    const b = createHeapKeyedStateBackend({
      maxParallelism: 8,
      keyGroupRange: { start: 0, end: 7 },
      clock: () => now,
      cleanupEntriesPerAccess: 10,
    });
    const s = b.valueState<number>({ name: 'v', ttlMs: 10 });
    const keys = Array.from({ length: 50 }, (_, i) => encodeKey([i]));
    await s.putMany(keys, keys.map((_, i) => i));
    assert.equal(b.approximateKeyCount(), 50);
    now = 100;
    // Touch only an unrelated key: the cleanup visits 10 entries per call.
    for (let i = 0; i < 10; i++) await s.getMany([encodeKey(['other'])]);
    assert.equal(b.approximateKeyCount(), 0);
  });

  it('one settled promise per call, not per key', async () => {
    const b = createHeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: 0, end: 3 } });
    const s = b.valueState<number>({ name: 'v' });
    const p = s.putMany(['a', 'b'], [1, 2]);
    assert.ok(p instanceof Promise);
    await p;
    assert.deepEqual(await s.getMany(['a', 'b']), [1, 2]);
  });

  it('rejects a state re-registered with another kind or TTL', () => {
    const b = createHeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: 0, end: 3 } });
    b.valueState({ name: 'x', ttlMs: 5 });
    assert.throws(() => b.mapState({ name: 'x', ttlMs: 5 }), /registered as value state/);
    assert.throws(() => b.valueState({ name: 'x', ttlMs: 6 }), /registered as value state/);
  });
});
