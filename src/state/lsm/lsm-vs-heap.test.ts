/**
 * Property test: random operation sequences on the LSM backend and the heap backend (the reference)
 * give the same reads, including across snapshots, restores and rescaling 1 → 2 → 1. The LSM runs with
 * a tiny memtable, tiny blocks and an eager compaction trigger so every sequence crosses flushes,
 * compactions and restored (inherited, range-filtered) files.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryObjectStore } from '../../storage/index.js';
import { createHeapKeyedStateBackend, restoreHeapKeyedStateBackend } from '../heap-backend.js';
import { encodeKey, keyGroupOf } from '../key-codec.js';
import type { KeyedStateSnapshot } from '../keyed-state-snapshot.js';
import { keyGroupRangeForSubtask } from '../state-api.js';
import type { KeyedStateBackend, KeyGroupRange } from '../state-api.js';
import { createLsmKeyedStateBackend } from './lsm-backend.js';
import { restoreLsmKeyedStateBackend } from './lsm-restore.js';
import type { LsmKeyedStateBackendOptions } from './lsm-backend.js';

const MAXP = 8;
const TTL = 50;
const k = (i: number): string => encodeKey([i]);
const KEYS = Array.from({ length: 12 }, (_, i) => k(i));

type Op =
  | { t: 'vput'; keys: number[]; v: number }
  | { t: 'vdel'; keys: number[] }
  | { t: 'mput'; key: number; uk: string; v: number | undefined }
  | { t: 'mdel'; key: number }
  | { t: 'ladd'; keys: number[]; v: number }
  | { t: 'lput'; key: number; vs: number[] }
  | { t: 'tick'; ms: number }
  | { t: 'read' }
  | { t: 'snapshot' }
  | { t: 'rescale'; parallelism: number };

const key = fc.integer({ min: 0, max: KEYS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('vput' as const), keys: fc.array(key, { maxLength: 5 }), v: fc.integer({ min: -1000, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('vdel' as const), keys: fc.array(key, { maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('mput' as const), key, uk: fc.constantFrom('a', 'b', 'c', ''), v: fc.option(fc.integer(), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('mdel' as const), key }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ladd' as const), keys: fc.array(key, { maxLength: 3 }), v: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('lput' as const), key, vs: fc.array(fc.integer(), { maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'snapshot' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rescale' as const), parallelism: fc.constantFrom(1, 2) }) },
);

/** One operator's keyed state at some parallelism: the backends of its subtasks. */
class Subtasks {
  constructor(readonly backends: KeyedStateBackend[]) {}

  private owner(x: string): number {
    const g = keyGroupOf(x, MAXP);
    return this.backends.findIndex((b) => g >= b.keyGroupRange.start && g <= b.keyGroupRange.end);
  }

  /** Splits a batch call by owning subtask, keeping each key's order. */
  async each(keys: readonly string[], fn: (b: KeyedStateBackend, idx: number[]) => Promise<void>): Promise<void> {
    const parts = this.backends.map(() => [] as number[]);
    keys.forEach((x, i) => parts[this.owner(x)]!.push(i));
    for (let s = 0; s < parts.length; s++) if (parts[s]!.length > 0) await fn(this.backends[s]!, parts[s]!);
  }

  async read(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const x of KEYS) {
      const b = this.backends[this.owner(x)]!;
      const [v] = await b.valueState<number>({ name: 'v', ttlMs: TTL }).getMany([x]);
      const [m] = await b.mapState<number>({ name: 'm', ttlMs: TTL }).getMany([x]);
      const pts = await b.mapState<number>({ name: 'm', ttlMs: TTL }).getEntries([x, x], ['a', '']);
      const [l] = await b.listState<number>({ name: 'l' }).getMany([x]);
      out.push([v, [...m!.entries()].sort(), pts, l]);
    }
    return out;
  }
}

function ranges(parallelism: number): KeyGroupRange[] {
  return Array.from({ length: parallelism }, (_, s) => keyGroupRangeForSubtask(MAXP, parallelism, s));
}

async function apply(sys: Subtasks, o: Op): Promise<void> {
  switch (o.t) {
    case 'vput': {
      const keys = o.keys.map((i) => KEYS[i]!);
      await sys.each(keys, (b, idx) => b.valueState<number>({ name: 'v', ttlMs: TTL }).putMany(idx.map((i) => keys[i]!), idx.map(() => o.v)));
      return;
    }
    case 'vdel': {
      const keys = o.keys.map((i) => KEYS[i]!);
      await sys.each(keys, (b, idx) => b.valueState<number>({ name: 'v', ttlMs: TTL }).deleteMany(idx.map((i) => keys[i]!)));
      return;
    }
    case 'mput':
      await sys.each([KEYS[o.key]!], (b) => b.mapState<number>({ name: 'm', ttlMs: TTL }).putEntries([KEYS[o.key]!], [o.uk], [o.v]));
      return;
    case 'mdel':
      await sys.each([KEYS[o.key]!], (b) => b.mapState<number>({ name: 'm', ttlMs: TTL }).deleteMany([KEYS[o.key]!]));
      return;
    case 'ladd': {
      const keys = o.keys.map((i) => KEYS[i]!);
      await sys.each(keys, (b, idx) => b.listState<number>({ name: 'l' }).addMany(idx.map((i) => keys[i]!), idx.map((i) => o.v + i)));
      return;
    }
    case 'lput':
      await sys.each([KEYS[o.key]!], (b) => b.listState<number>({ name: 'l' }).putMany([KEYS[o.key]!], [o.vs]));
      return;
    default:
      return;
  }
}

describe('lsm backend agrees with the heap backend', () => {
  it('property: random operations, snapshots, restores and rescaling 1 → 2 → 1', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80 }), fc.constantFrom(0, 200, 1 << 20), async (ops, cacheBytes) => {
        let now = 1_000_000;
        const clock = (): number => now;
        const store = new MemoryObjectStore(`lsm-vs-heap-${run++}`);
        const lsmOptions = (range: KeyGroupRange): LsmKeyedStateBackendOptions => ({
          maxParallelism: MAXP,
          keyGroupRange: range,
          clock,
          primaryStore: store,
          memtableBytes: 200,
          blockBytes: 64,
          compactionTrigger: 2,
          memoryCacheBytes: cacheBytes,
        });
        let heap = new Subtasks([createHeapKeyedStateBackend({ maxParallelism: MAXP, keyGroupRange: ranges(1)[0]!, clock })]);
        let lsm = new Subtasks([createLsmKeyedStateBackend(lsmOptions(ranges(1)[0]!))]);
        const old: KeyedStateBackend[] = [];
        for (const o of ops) {
          if (o.t === 'tick') now += o.ms;
          else if (o.t === 'read') assert.deepEqual(await lsm.read(), await heap.read());
          else if (o.t === 'snapshot' || o.t === 'rescale') {
            const p = o.t === 'rescale' ? o.parallelism : heap.backends.length;
            const hs: KeyedStateSnapshot[] = [];
            for (const b of heap.backends) hs.push(await b.snapshot(store, `heap-${hs.length}`));
            const ls: KeyedStateSnapshot[] = [];
            for (const b of lsm.backends) ls.push(await b.snapshot(store, 'unused'));
            // Keep the old LSM backends open for a while: their compactions must not delete snapshot files.
            old.push(...lsm.backends);
            heap = new Subtasks(await Promise.all(ranges(p).map((r) => restoreHeapKeyedStateBackend(store, hs, { maxParallelism: MAXP, keyGroupRange: r, clock }))));
            lsm = new Subtasks(await Promise.all(ranges(p).map((r) => restoreLsmKeyedStateBackend(ls, lsmOptions(r)))));
          } else {
            await apply(heap, o);
            await apply(lsm, o);
          }
        }
        assert.deepEqual(await lsm.read(), await heap.read());
        for (const b of lsm.backends) await (b as unknown as { settle(): Promise<void> }).settle();
        assert.deepEqual(await lsm.read(), await heap.read());
        for (const b of [...old, ...lsm.backends]) await b.dispose();
      }),
      { numRuns: 150 },
    );
  });
});
