/**
 * The conformance suite every `KeyedStateBackend` must pass (heap now, the object-store LSM backend
 * later), so operator code can rely on one behaviour (STYLE.md: one operator implementation over one state
 * interface). Call `describeKeyedStateBackendConformance` from a backend's `*.test.ts`.
 *
 * It checks the contract of state-api.ts: absent keys, overwrite and delete, per-call ordering (a later
 * entry for the same key in one call wins; a read after a write observes it), map/list semantics, states
 * isolated by name, key-group ownership, TTL per Flink's defaults (write refreshes, read does not, expired
 * entries are never returned) — and a property test comparing random operation sequences with a plain
 * model.
 *
 * Test-only: imports node:test and fast-check, so it is not exported from `state/index.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeKey, keyGroupOf } from './key-codec.js';
import type { KeyedStateBackend, KeyGroupRange } from './state-api.js';

export interface ConformanceEnv {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Processing-time clock for TTL; the suite moves it by hand. */
  readonly clock: () => number;
}

export type KeyedStateBackendFactory = (env: ConformanceEnv) => KeyedStateBackend | Promise<KeyedStateBackend>;

const MAX_PAR = 128;
const FULL: KeyGroupRange = { start: 0, end: MAX_PAR - 1 };

/** A manual clock. */
class ManualClock {
  now = 1_000_000;
  readonly read = (): number => this.now;
}

const k = (v: unknown): string => encodeKey([v]);

export function describeKeyedStateBackendConformance(name: string, factory: KeyedStateBackendFactory): void {
  const open = async (range: KeyGroupRange = FULL, clock = new ManualClock()) =>
    factory({ maxParallelism: MAX_PAR, keyGroupRange: range, clock: clock.read });

  describe(`KeyedStateBackend conformance: ${name}`, () => {
    it('value state: absent, put, overwrite, delete', async () => {
      const b = await open();
      const s = b.valueState<{ n: number }>({ name: 'v' });
      assert.deepEqual(await s.getMany([k(1), k(2)]), [undefined, undefined]);
      await s.putMany([k(1), k(2)], [{ n: 1 }, { n: 2 }]);
      assert.deepEqual(await s.getMany([k(2), k(1), k(3)]), [{ n: 2 }, { n: 1 }, undefined]);
      await s.putMany([k(1)], [{ n: 10 }]);
      await s.deleteMany([k(2), k(99)]);
      assert.deepEqual(await s.getMany([k(1), k(2)]), [{ n: 10 }, undefined]);
      assert.deepEqual(await s.getMany([]), []);
      await b.dispose();
    });

    it('value state: a later entry for the same key in one call wins, and reads observe earlier writes', async () => {
      const b = await open();
      const s = b.valueState<number>({ name: 'v' });
      const put = s.putMany([k('a'), k('a'), k('b')], [1, 2, 3]);
      const get = s.getMany([k('a'), k('b')]); // issued before awaiting the put: must still observe it
      await put;
      assert.deepEqual(await get, [2, 3]);
      await b.dispose();
    });

    it('value state: bigint, string, array and Map values round-trip', async () => {
      const b = await open();
      const s = b.valueState<unknown>({ name: 'v' });
      const vals = [123n, 'x', [1, null, 'y'], new Map([['a', 1]]), 0, false];
      const keys = vals.map((_, i) => k(i));
      await s.putMany(keys, vals);
      assert.deepEqual(await s.getMany(keys), vals);
      await b.dispose();
    });

    it('states are isolated by name; the same name returns the same state', async () => {
      const b = await open();
      const a = b.valueState<number>({ name: 'a' });
      const c = b.valueState<number>({ name: 'c' });
      await a.putMany([k(1)], [1]);
      assert.deepEqual(await c.getMany([k(1)]), [undefined]);
      assert.deepEqual(await b.valueState<number>({ name: 'a' }).getMany([k(1)]), [1]);
      await b.dispose();
    });

    it('map state: entries, point reads, delete by undefined, key disappears when empty', async () => {
      const b = await open();
      const s = b.mapState<string>({ name: 'm' });
      const [empty] = await s.getMany([k(1)]);
      assert.equal(empty!.size, 0);
      await s.putEntries([k(1), k(1), k(2)], ['x', 'y', 'x'], ['1x', '1y', '2x']);
      const [m1, m2] = await s.getMany([k(1), k(2)]);
      assert.deepEqual([...m1!.entries()].sort(), [['x', '1x'], ['y', '1y']]);
      assert.deepEqual([...m2!.entries()], [['x', '2x']]);
      assert.deepEqual(await s.getEntries([k(1), k(1), k(2), k(3)], ['y', 'z', 'x', 'x']), ['1y', undefined, '2x', undefined]);
      await s.putEntries([k(1), k(2)], ['x', 'x'], [undefined, undefined]);
      const [n1, n2] = await s.getMany([k(1), k(2)]);
      assert.deepEqual([...n1!.entries()], [['y', '1y']]);
      assert.equal(n2!.size, 0);
      await s.putEntries([k(1)], ['y'], ['1y2']);
      assert.deepEqual(await s.getEntries([k(1)], ['y']), ['1y2']);
      await s.deleteMany([k(1)]);
      assert.deepEqual(await s.getEntries([k(1)], ['y']), [undefined]);
      assert.equal(b.approximateKeyCount(), 0);
      await b.dispose();
    });

    it('list state: add, replace, empty list is absent, delete', async () => {
      const b = await open();
      const s = b.listState<number>({ name: 'l' });
      assert.deepEqual(await s.getMany([k(1)]), [[]]);
      await s.addMany([k(1), k(1), k(2)], [1, 2, 3]);
      assert.deepEqual(await s.getMany([k(1), k(2)]), [[1, 2], [3]]);
      await s.putMany([k(1), k(2)], [[9], []]);
      assert.deepEqual(await s.getMany([k(1), k(2)]), [[9], []]);
      assert.equal(b.approximateKeyCount(), 1);
      await s.deleteMany([k(1)]);
      assert.deepEqual(await s.getMany([k(1)]), [[]]);
      await b.dispose();
    });

    it('approximateKeyCount counts keys over all states', async () => {
      const b = await open();
      await b.valueState<number>({ name: 'a' }).putMany([k(1), k(2), k(3)], [1, 2, 3]);
      await b.mapState<number>({ name: 'm' }).putEntries([k(1)], ['u'], [1]);
      assert.equal(b.approximateKeyCount(), 4);
      await b.dispose();
    });

    it('rejects keys of key groups the subtask does not own', async () => {
      const b = await open({ start: 0, end: 63 });
      let outside = '';
      for (let i = 0; outside === ''; i++) if (keyGroupOf(k(i), MAX_PAR) > 63) outside = k(i);
      let inside = '';
      for (let i = 0; inside === ''; i++) if (keyGroupOf(k(i), MAX_PAR) <= 63) inside = k(i);
      const s = b.valueState<number>({ name: 'v' });
      await s.putMany([inside], [1]);
      await assert.rejects(s.putMany([outside], [1]));
      await assert.rejects(s.getMany([outside]));
      await b.dispose();
    });

    it('TTL: value state expires after ttl since the last write; reads do not refresh', async () => {
      const clock = new ManualClock();
      const b = await open(FULL, clock);
      const s = b.valueState<number>({ name: 'v', ttlMs: 100 });
      await s.putMany([k(1), k(2)], [1, 2]);
      clock.now += 60;
      await s.putMany([k(2)], [22]); // refresh k2
      assert.deepEqual(await s.getMany([k(1), k(2)]), [1, 22]);
      clock.now += 40; // k1 written 100 ms ago: expired; k2 40 ms ago
      assert.deepEqual(await s.getMany([k(1), k(2)]), [undefined, 22]);
      clock.now += 59;
      assert.deepEqual(await s.getMany([k(2)]), [22]);
      clock.now += 1;
      assert.deepEqual(await s.getMany([k(2)]), [undefined]);
      await b.dispose();
    });

    it('TTL: map state expires per user key; list state per key', async () => {
      const clock = new ManualClock();
      const b = await open(FULL, clock);
      const m = b.mapState<number>({ name: 'm', ttlMs: 100 });
      const l = b.listState<number>({ name: 'l', ttlMs: 100 });
      await m.putEntries([k(1)], ['a'], [1]);
      await l.addMany([k(1)], [1]);
      clock.now += 50;
      await m.putEntries([k(1)], ['b'], [2]);
      clock.now += 50;
      const [map] = await m.getMany([k(1)]);
      assert.deepEqual([...map!.entries()], [['b', 2]]);
      assert.deepEqual(await m.getEntries([k(1), k(1)], ['a', 'b']), [undefined, 2]);
      assert.deepEqual(await l.getMany([k(1)]), [[]]);
      clock.now += 50;
      assert.deepEqual(await m.getEntries([k(1)], ['b']), [undefined]);
      await b.dispose();
    });

    it('a state without TTL never expires', async () => {
      const clock = new ManualClock();
      const b = await open(FULL, clock);
      const s = b.valueState<number>({ name: 'v' });
      await s.putMany([k(1)], [1]);
      clock.now += 1e12;
      assert.deepEqual(await s.getMany([k(1)]), [1]);
      await b.dispose();
    });

    it('property: random value/map/list operations agree with a plain model', async () => {
      const key = fc.integer({ min: 0, max: 6 }).map((i) => k(i));
      const uk = fc.constantFrom('a', 'b', 'c');
      const op = fc.oneof(
        fc.record({ t: fc.constant('vput' as const), keys: fc.array(key, { maxLength: 4 }), v: fc.integer() }),
        fc.record({ t: fc.constant('vdel' as const), keys: fc.array(key, { maxLength: 3 }) }),
        fc.record({ t: fc.constant('mput' as const), key, uk, v: fc.option(fc.integer(), { nil: undefined }) }),
        fc.record({ t: fc.constant('mdel' as const), key }),
        fc.record({ t: fc.constant('ladd' as const), key, v: fc.integer() }),
        fc.record({ t: fc.constant('lput' as const), key, vs: fc.array(fc.integer(), { maxLength: 3 }) }),
        fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.constantFrom(0, 50), async (ops, ttl) => {
          const clock = new ManualClock();
          const b = await open(FULL, clock);
          const vs = b.valueState<number>({ name: 'v', ttlMs: ttl });
          const ms = b.mapState<number>({ name: 'm', ttlMs: ttl });
          const ls = b.listState<number>({ name: 'l', ttlMs: ttl });
          // Model: value + write time per entry.
          const mv = new Map<string, [number, number]>();
          const mm = new Map<string, Map<string, [number, number]>>();
          const ml = new Map<string, [number[], number]>();
          const live = (at: number) => ttl === 0 || clock.now - at < ttl;
          for (const o of ops) {
            switch (o.t) {
              case 'vput':
                await vs.putMany(o.keys, o.keys.map(() => o.v));
                for (const x of o.keys) mv.set(x, [o.v, clock.now]);
                break;
              case 'vdel':
                await vs.deleteMany(o.keys);
                for (const x of o.keys) mv.delete(x);
                break;
              case 'mput': {
                await ms.putEntries([o.key], [o.uk], [o.v]);
                const m = mm.get(o.key) ?? new Map<string, [number, number]>();
                if (o.v === undefined) m.delete(o.uk);
                else m.set(o.uk, [o.v, clock.now]);
                mm.set(o.key, m);
                break;
              }
              case 'mdel':
                await ms.deleteMany([o.key]);
                mm.delete(o.key);
                break;
              case 'ladd': {
                await ls.addMany([o.key], [o.v]);
                const cur = ml.get(o.key);
                ml.set(o.key, [cur !== undefined && live(cur[1]) ? [...cur[0], o.v] : [o.v], clock.now]);
                break;
              }
              case 'lput':
                await ls.putMany([o.key], [o.vs]);
                if (o.vs.length === 0) ml.delete(o.key);
                else ml.set(o.key, [[...o.vs], clock.now]);
                break;
              case 'tick':
                clock.now += o.ms;
                break;
            }
          }
          const keys = Array.from({ length: 7 }, (_, i) => k(i));
          const gotV = await vs.getMany(keys);
          const gotM = await ms.getMany(keys);
          const gotL = await ls.getMany(keys);
          keys.forEach((x, i) => {
            const e = mv.get(x);
            assert.equal(gotV[i], e !== undefined && live(e[1]) ? e[0] : undefined);
            const em = [...(mm.get(x) ?? new Map<string, [number, number]>()).entries()]
              .filter(([, [, at]]) => live(at))
              .map(([u, [v]]) => [u, v] as const)
              .sort();
            assert.deepEqual([...gotM[i]!.entries()].sort(), em);
            const el = ml.get(x);
            assert.deepEqual(gotL[i], el !== undefined && live(el[1]) ? el[0] : []);
          });
          await b.dispose();
        }),
        { numRuns: 200 },
      );
    });
  });
}
