import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { LocalFileObjectStore, MemoryObjectStore } from '../storage/index.js';
import type { ObjectStore } from '../storage/index.js';
import { createHeapKeyedStateBackend, restoreHeapKeyedStateBackend } from './heap-backend.js';
import { encodeKey, keyGroupOf } from './key-codec.js';
import type { KeyedStateSnapshot } from './keyed-state-snapshot.js';
import { keyGroupRangeForSubtask, subtaskForKeyGroup } from './state-api.js';
import type { KeyedStateBackend, KeyGroupRange } from './state-api.js';

const MAX_PAR = 16;
const FULL: KeyGroupRange = { start: 0, end: MAX_PAR - 1 };
const k = (i: number): string => encodeKey([i]);

const roots: string[] = [];
after(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});
const stores: [string, () => ObjectStore][] = [
  ['memory', () => new MemoryObjectStore('snapshots')],
  [
    'local file system',
    () => {
      const d = mkdtempSync(path.join(tmpdir(), 'floe-snap-'));
      roots.push(d);
      return new LocalFileObjectStore(d, { durable: false });
    },
  ],
];

/** An ObjectStore wrapper that records which keys were read. */
class CountingStore extends MemoryObjectStore {
  readonly reads: string[] = [];
  override get(key: string): Promise<Uint8Array> {
    this.reads.push(key);
    return super.get(key);
  }
}

const open = (range: KeyGroupRange = FULL, clock: () => number = () => 0, targetFileBytes?: number): KeyedStateBackend =>
  createHeapKeyedStateBackend({
    maxParallelism: MAX_PAR,
    keyGroupRange: range,
    clock,
    ...(targetFileBytes === undefined ? {} : { snapshotTargetFileBytes: targetFileBytes }),
  });

const restore = (store: ObjectStore, snaps: readonly KeyedStateSnapshot[], range: KeyGroupRange = FULL, clock: () => number = () => 0) =>
  restoreHeapKeyedStateBackend(store, snaps, { maxParallelism: MAX_PAR, keyGroupRange: range, clock });

/** The logical content of a backend set, as a model: state → key → value (map states as entry arrays). */
interface Model {
  value: Map<string, unknown>;
  list: Map<string, unknown[]>;
  map: Map<string, Map<string, unknown>>;
}

/** Writes `model` into backends (each key goes to the backend owning its key group). */
async function load(backends: readonly KeyedStateBackend[], model: Model): Promise<void> {
  const owner = (key: string): KeyedStateBackend =>
    backends.find((b) => {
      const g = keyGroupOf(key, MAX_PAR);
      return g >= b.keyGroupRange.start && g <= b.keyGroupRange.end;
    })!;
  for (const [key, v] of model.value) await owner(key).valueState<unknown>({ name: 'v' }).putMany([key], [v]);
  for (const [key, l] of model.list) await owner(key).listState<unknown>({ name: 'l' }).putMany([key], [l]);
  for (const [key, m] of model.map) {
    for (const [uk, v] of m) await owner(key).mapState<unknown>({ name: 'm' }).putEntries([key], [uk], [v]);
  }
}

/** Reads every key in `universe` from whichever backend owns it and compares with `model`. */
async function assertHolds(backends: readonly KeyedStateBackend[], model: Model, universe: readonly string[]): Promise<void> {
  let expectedKeys = 0;
  for (const b of backends) {
    const mine = universe.filter((key) => {
      const g = keyGroupOf(key, MAX_PAR);
      return g >= b.keyGroupRange.start && g <= b.keyGroupRange.end;
    });
    assert.deepStrictEqual(await b.valueState<unknown>({ name: 'v' }).getMany(mine), mine.map((key) => model.value.get(key)));
    assert.deepStrictEqual(await b.listState<unknown>({ name: 'l' }).getMany(mine), mine.map((key) => model.list.get(key) ?? []));
    const maps = await b.mapState<unknown>({ name: 'm' }).getMany(mine);
    // deepStrictEqual ignores Map order; compare entry arrays so user-key order is checked too.
    assert.deepStrictEqual(
      maps.map((m) => [...m]),
      mine.map((key) => [...(model.map.get(key) ?? new Map())]),
    );
    expectedKeys += mine.filter((key) => model.value.has(key)).length;
    expectedKeys += mine.filter((key) => model.list.has(key)).length;
    expectedKeys += mine.filter((key) => model.map.has(key)).length;
  }
  // Nothing beyond the model either: restored backends hold exactly their key groups.
  assert.equal(
    backends.reduce((n, b) => n + b.approximateKeyCount(), 0),
    expectedKeys,
  );
}

const richValues: unknown[] = [
  0,
  -1.5,
  2 ** 60,
  123456789012345678901234567890n,
  -5n,
  '',
  'héllo',
  '\ud800 lone',
  true,
  null,
  [1, [2, [3, null]], 'x'],
  { sum: 10n, count: 3, values: [] },
  { values: new Map<unknown, unknown>([[5, 2], ['a', 1]]), extreme: 5, stale: false },
  new Uint8Array([0, 255, 7]),
  new Map<unknown, unknown>([[null, undefined]]),
];

function richModel(n: number): Model {
  const model: Model = { value: new Map(), list: new Map(), map: new Map() };
  for (let i = 0; i < n; i++) {
    model.value.set(k(i), richValues[i % richValues.length]);
    if (i % 3 === 0) model.list.set(k(i), [i, richValues[(i + 1) % richValues.length], 'z']);
    if (i % 4 === 1) {
      // User keys inserted in descending order: a restore must keep that order.
      model.map.set(k(i), new Map<string, unknown>([[k(1000 + i), { row: [i, 'r'], count: 1, matched: 0 }], [k(3), i], [k(-2), [i]]]));
    }
  }
  return model;
}

const arbModel: fc.Arbitrary<Model> = fc
  .record({
    value: fc.array(fc.tuple(fc.nat(200), fc.oneof(fc.integer(), fc.string(), fc.bigInt(), fc.constant(null), fc.array(fc.double()))), { maxLength: 60 }),
    list: fc.array(fc.tuple(fc.nat(200), fc.array(fc.oneof(fc.integer(), fc.string()), { minLength: 1, maxLength: 4 })), { maxLength: 30 }),
    map: fc.array(fc.tuple(fc.nat(200), fc.array(fc.tuple(fc.nat(20), fc.integer()), { minLength: 1, maxLength: 4 })), { maxLength: 30 }),
  })
  .map(({ value, list, map }) => ({
    value: new Map(value.map(([i, v]) => [k(i), v] as [string, unknown])),
    list: new Map(list.map(([i, l]) => [k(i), l as unknown[]] as [string, unknown[]])),
    map: new Map(map.map(([i, es]) => [k(i), new Map(es.map(([u, v]) => [k(u), v] as [string, unknown]))] as [string, Map<string, unknown>])),
  }));

const UNIVERSE = [...new Set(Array.from({ length: 1100 }, (_, i) => k(i)).concat([k(-2)]))];

const ranges = (parallelism: number): KeyGroupRange[] =>
  Array.from({ length: parallelism }, (_, i) => keyGroupRangeForSubtask(MAX_PAR, parallelism, i));

/** Snapshots every backend and restores the result at `parallelism`. */
async function rescale(store: ObjectStore, backends: readonly KeyedStateBackend[], parallelism: number, tag: string): Promise<KeyedStateBackend[]> {
  const snaps = await Promise.all(backends.map((b, i) => b.snapshot(store, `${tag}/sub-${i}`)));
  // Manifests travel as JSON in checkpoint metadata.
  const fromJson = JSON.parse(JSON.stringify(snaps)) as KeyedStateSnapshot[];
  return Promise.all(ranges(parallelism).map((r) => restore(store, fromJson, r)));
}

describe('heap backend snapshots', () => {
  for (const [storeName, makeStore] of stores) {
    it(`round-trips value, list and map state of every value kind through the ${storeName} store`, async () => {
      const store = makeStore();
      const model = richModel(500);
      const b = open();
      await load([b], model);
      const snap = await b.snapshot(store, 'chk-1/op-a');
      assert.equal(snap.files.length, 1);
      assert.deepEqual(
        snap.states.map((s) => [s.name, s.kind, s.ttlMs]),
        [['l', 'list', 0], ['m', 'map', 0], ['v', 'value', 0]],
      );
      assert.equal(snap.files[0]!.entries, model.value.size + model.list.size + model.map.size);
      assert.deepEqual(snap.files[0]!.keyGroupRange, FULL);
      assert.ok(snap.files[0]!.key.startsWith('chk-1/op-a/kg-00000-00015-'));
      const listed = await store.list('chk-1/op-a/');
      assert.deepEqual(listed, [{ key: snap.files[0]!.key, size: snap.totalBytes }]);
      await assertHolds([await restore(store, [snap])], model, UNIVERSE);
    });

    it(`rescales 1 → 2 → 1 and 2 → 3 through the ${storeName} store with state equal to the model`, async () => {
      const store = makeStore();
      const model = richModel(800);
      const one = open(FULL, () => 0, 2000); // small files: several per snapshot
      await load([one], model);
      const two = await rescale(store, [one], 2, 'a');
      await assertHolds(two, model, UNIVERSE);
      const backToOne = await rescale(store, two, 1, 'b');
      await assertHolds(backToOne, model, UNIVERSE);
      // Identical, not just equal: 1 → 2 → 1 snapshots to the same bytes as the state never rescaled.
      const ref = open();
      await load([ref], model);
      const [refSnap, roundSnap] = [await ref.snapshot(store, 'ref'), await backToOne[0]!.snapshot(store, 'round')];
      assert.deepEqual(await store.get(roundSnap.files[0]!.key), await store.get(refSnap.files[0]!.key));
      const three = await rescale(store, two, 3, 'c');
      await assertHolds(three, model, UNIVERSE);
    });
  }

  it('rescaling equals the model for random state (property: 1 → 2 → 1, 2 → 3)', async () => {
    await fc.assert(
      fc.asyncProperty(arbModel, fc.integer({ min: 60, max: 5000 }), async (model, target) => {
        const store = new MemoryObjectStore('prop');
        const one = open(FULL, () => 0, target);
        await load([one], model);
        const two = await rescale(store, [one], 2, 'x');
        await assertHolds(two, model, UNIVERSE);
        await assertHolds(await rescale(store, two, 1, 'y'), model, UNIVERSE);
        const startTwo = ranges(2).map((r) => open(r, () => 0, target));
        await load(startTwo, model);
        await assertHolds(await rescale(store, startTwo, 3, 'z'), model, UNIVERSE);
      }),
      { numRuns: 40 },
    );
  });

  it('a rescaled restore reads only the files holding its key groups', async () => {
    const store = new CountingStore('counting');
    const b = open(FULL, () => 0, 1); // one file per non-empty key group
    await load([b], richModel(300));
    const snap = await b.snapshot(store, 's');
    assert.equal(snap.files.length, MAX_PAR);
    for (let i = 1; i < snap.files.length; i++) assert.equal(snap.files[i]!.keyGroupRange.start, snap.files[i - 1]!.keyGroupRange.end + 1);
    const quarter = keyGroupRangeForSubtask(MAX_PAR, 4, 1);
    await restore(store, [snap], quarter);
    assert.deepEqual(
      store.reads.sort(),
      snap.files.filter((f) => f.keyGroupRange.start >= quarter.start && f.keyGroupRange.end <= quarter.end).map((f) => f.key).sort(),
    );
  });

  it('an empty backend snapshots to no files and restores empty, keeping registered states', async () => {
    const store = new MemoryObjectStore('empty');
    const bare = await open().snapshot(store, 'e0');
    assert.deepEqual(bare.files, []);
    assert.deepEqual(bare.states, []);
    assert.equal(bare.totalBytes, 0);
    const restoredBare = await restore(store, [bare]);
    assert.equal(restoredBare.approximateKeyCount(), 0);

    const b = open();
    b.valueState({ name: 'v', ttlMs: 5 });
    b.mapState({ name: 'm' });
    const snap = await b.snapshot(store, 'e1');
    assert.deepEqual(snap.files, []);
    assert.deepEqual(await store.list(''), []);
    const r = await restore(store, [snap], { start: 3, end: 9 });
    assert.equal(r.approximateKeyCount(), 0);
    assert.throws(() => r.listState({ name: 'v' }), /registered as value state/);
    // Re-snapshotting the restored backend still lists its states.
    assert.deepEqual((await r.snapshot(store, 'e2')).states, snap.states);
  });

  it('preserves TTL write times: entries expire after restore when they would have without it', async () => {
    let now = 1_000;
    const clock = (): number => now;
    const store = new MemoryObjectStore('ttl');
    const b = open(FULL, clock);
    const v = b.valueState<string>({ name: 'v', ttlMs: 100 });
    const m = b.mapState<number>({ name: 'm', ttlMs: 100 });
    const l = b.listState<number>({ name: 'l', ttlMs: 100 });
    await v.putMany([k(1), k(2)], ['old', 'young']);
    await m.putEntries([k(1), k(1)], ['a', 'b'], [1, 2]);
    await l.addMany([k(1)], [7]);
    now = 1_050;
    await v.putMany([k(3)], ['newest']);
    await m.putEntries([k(1)], ['b'], [3]); // refreshes user key 'b' only
    await l.addMany([k(1)], [8]); // a write refreshes the whole list
    now = 1_060;
    await v.putMany([k(2)], ['young']); // refreshed at 1060
    const snap = await b.snapshot(store, 't');
    assert.equal(snap.takenAtMs, 1_060);
    assert.deepEqual(
      snap.states.map((s) => s.ttlMs),
      [100, 100, 100],
    );

    now = 1_120; // k(1)@1000 expired (120 ≥ 100); k(2)@1060 and k(3)@1050 live; 'a'@1000 expired, 'b'@1050 live
    const r = await restore(store, [snap], FULL, clock);
    const rv = r.valueState<string>({ name: 'v', ttlMs: 100 });
    const rm = r.mapState<number>({ name: 'm', ttlMs: 100 });
    const rl = r.listState<number>({ name: 'l', ttlMs: 100 });
    assert.deepEqual(await rv.getMany([k(1), k(2), k(3)]), [undefined, 'young', 'newest']);
    assert.deepEqual([...(await rm.getMany([k(1)]))[0]!], [['b', 3]]);
    assert.deepEqual(await rl.getMany([k(1)]), [[7, 8]]);
    now = 1_155; // k(3)@1050 and 'b'@1050 and the list@1050 expire; k(2)@1060 lives until 1160
    assert.deepEqual(await rv.getMany([k(2), k(3)]), ['young', undefined]);
    assert.deepEqual(await rm.getMany([k(1)]), [new Map()]);
    assert.deepEqual(await rl.getMany([k(1)]), [[]]);
  });

  it('leaves out entries already expired when the snapshot is taken', async () => {
    let now = 0;
    const store = new MemoryObjectStore('ttl2');
    const b = open(FULL, () => now);
    const v = b.valueState<number>({ name: 'v', ttlMs: 10 });
    const m = b.mapState<number>({ name: 'm', ttlMs: 10 });
    await v.putMany([k(1), k(2)], [1, 2]);
    await m.putEntries([k(1), k(1)], ['x', 'y'], [1, 2]);
    now = 5;
    await v.putMany([k(2)], [20]);
    await m.putEntries([k(1)], ['y'], [3]);
    now = 12;
    const snap = await b.snapshot(store, 's');
    assert.equal(snap.files[0]!.entries, 2); // v:k(2) and m:k(1) with only 'y'
    const r = await restore(store, [snap], FULL, () => now);
    assert.equal(r.approximateKeyCount(), 2);
    assert.deepEqual([...(await r.mapState<number>({ name: 'm', ttlMs: 10 }).getMany([k(1)]))[0]!], [['y', 3]]);
  });

  it('captures state at the call: changes made while files are written are not in the snapshot', async () => {
    const store = new MemoryObjectStore('consistency');
    const b = open();
    const l = b.listState<number>({ name: 'l' });
    const v = b.valueState<{ n: number }>({ name: 'v' });
    await l.addMany([k(1)], [1]);
    const acc = { n: 1 };
    await v.putMany([k(1)], [acc]);
    const pending = b.snapshot(store, 'c');
    await l.addMany([k(1)], [2]); // appends to the stored array in place
    acc.n = 99; // operators update accumulators in place before putting them back
    await v.putMany([k(2)], [{ n: 2 }]);
    const r = await restore(store, [await pending]);
    assert.deepEqual(await r.listState<number>({ name: 'l' }).getMany([k(1)]), [[1]]);
    assert.deepEqual(await r.valueState({ name: 'v' }).getMany([k(1), k(2)]), [{ n: 1 }, undefined]);
  });

  it('is deterministic: the same state gives the same file bytes, whatever the insertion order of keys', async () => {
    const store = new MemoryObjectStore('det');
    const a = open();
    const b = open();
    const keys = Array.from({ length: 50 }, (_, i) => k(i));
    await a.valueState<number>({ name: 'v' }).putMany(keys, keys.map((_, i) => i));
    await b.valueState<number>({ name: 'v' }).putMany([...keys].reverse(), keys.map((_, i) => 49 - i));
    const [sa, sb] = [await a.snapshot(store, 'a'), await b.snapshot(store, 'b')];
    assert.equal(sa.files[0]!.crc32, sb.files[0]!.crc32);
    assert.deepEqual(await store.get(sa.files[0]!.key), await store.get(sb.files[0]!.key));
  });

  it('a value state must not hold unserialisable values: the snapshot fails naming the state', async () => {
    const b = open();
    await b.valueState<unknown>({ name: 'bad-state' }).putMany([k(1)], [new Set([1])]);
    await assert.rejects(b.snapshot(new MemoryObjectStore('bad'), 'x'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'STATE.UNSERIALIZABLE_VALUE');
      assert.match(e.message, /state 'bad-state'/);
      assert.match(e.message, /Set/);
      return true;
    });
  });
});

describe('heap snapshot integrity', () => {
  async function written(): Promise<{ store: MemoryObjectStore; snap: KeyedStateSnapshot }> {
    const store = new MemoryObjectStore('corrupt');
    const b = open();
    await load([b], richModel(60));
    return { store, snap: await b.snapshot(store, 'chk-9') };
  }

  const corruptNaming = (file: string, detail: RegExp) => (e: Error & { code?: string }) => {
    assert.equal(e.code, 'STATE.CORRUPT_SNAPSHOT', e.message);
    assert.ok(e.message.includes(file), `'${e.message}' should name ${file}`);
    assert.match(e.message, detail);
    return true;
  };

  it('detects a flipped byte anywhere in a file', async () => {
    const { store, snap } = await written();
    const file = snap.files[0]!;
    const good = await store.get(file.key);
    for (const at of [0, 5, 20, Math.floor(good.length / 2), good.length - 5, good.length - 1]) {
      const bad = good.slice();
      bad[at]! ^= 0x40;
      await store.put(file.key, bad);
      await assert.rejects(restore(store, [snap]), corruptNaming(file.key, /checksum mismatch/));
    }
    await store.put(file.key, good);
    assert.equal((await restore(store, [snap])).approximateKeyCount() > 0, true);
  });

  it('detects a truncated or extended file', async () => {
    const { store, snap } = await written();
    const file = snap.files[0]!;
    const good = await store.get(file.key);
    for (const len of [0, 3, good.length - 4, good.length - 1]) {
      await store.put(file.key, good.subarray(0, len));
      await assert.rejects(restore(store, [snap]), corruptNaming(file.key, /truncated/));
    }
    await store.put(file.key, new Uint8Array([...good, 0]));
    await assert.rejects(restore(store, [snap]), corruptNaming(file.key, /size/));
  });

  it('detects a missing file and a manifest whose checksum does not match', async () => {
    const { store, snap } = await written();
    const file = snap.files[0]!;
    const wrongCrc = { ...snap, files: [{ ...file, crc32: (file.crc32 ^ 1) >>> 0 }] };
    await assert.rejects(restore(store, [wrongCrc]), corruptNaming(file.key, /manifest/));
    await store.delete(file.key);
    await assert.rejects(restore(store, [snap]), corruptNaming(file.key, /missing/));
  });

  it('a file whose CRC was recomputed over a garbled body still fails to decode, not silently', async () => {
    // Defence in depth: even with matching checksums, structural checks reject a body that is not ours.
    const { store, snap } = await written();
    const file = snap.files[0]!;
    const { crc32 } = await import('node:zlib');
    const garbled = (await store.get(file.key)).slice();
    garbled[0] = 0x58; // magic
    const crc = crc32(garbled.subarray(0, garbled.length - 4));
    new DataView(garbled.buffer).setUint32(garbled.length - 4, crc, true);
    await store.put(file.key, garbled);
    await assert.rejects(restore(store, [{ ...snap, files: [{ ...file, crc32: crc }] }]), corruptNaming(file.key, /magic/));
  });

  it('rejects snapshots that cannot be mapped onto the restored range', async () => {
    const store = new MemoryObjectStore('compat');
    const halves = ranges(2).map((r) => open(r));
    await load(halves, richModel(50));
    const [s0, s1] = await Promise.all(halves.map((b, i) => b.snapshot(store, `h${i}`)));
    const code = (c: string, m: RegExp) => (e: Error & { code?: string }) => e.code === c && m.test(e.message);
    await assert.rejects(restore(store, [s0!]), code('STATE.INCOMPATIBLE_SNAPSHOT', /do not cover key group 8/));
    await assert.rejects(restore(store, [s0!, s1!, s0!]), code('STATE.INCOMPATIBLE_SNAPSHOT', /overlap/));
    await assert.rejects(
      restoreHeapKeyedStateBackend(store, [s0!, s1!], { maxParallelism: 32, keyGroupRange: { start: 0, end: 31 } }),
      code('STATE.INCOMPATIBLE_SNAPSHOT', /maxParallelism 16/),
    );
    const other = open(ranges(2)[1]!);
    other.mapState({ name: 'v' });
    const s1b = await other.snapshot(store, 'o');
    await assert.rejects(restore(store, [s0!, s1b]), code('STATE.INCOMPATIBLE_SNAPSHOT', /state 'v' is value state .* map state/));
    // Only the snapshot covering the range is needed for a partial restore.
    const firstHalf = await restore(store, [s0!], ranges(2)[0]);
    assert.ok(firstHalf.approximateKeyCount() > 0);
    assert.equal(subtaskForKeyGroup(MAX_PAR, 2, 7), 0);
  });
});
