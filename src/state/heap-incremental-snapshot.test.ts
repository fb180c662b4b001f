import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryObjectStore, prefixedObjectStore } from '../storage/index.js';
import type { ObjectStore } from '../storage/index.js';
import { createHeapKeyedStateBackend, restoreHeapKeyedStateBackend } from './heap-backend.js';
import { encodeKey, keyGroupOf } from './key-codec.js';
import type { KeyedStateSnapshot } from './keyed-state-snapshot.js';
import { keyGroupRangeForSubtask } from './state-api.js';
import type { KeyedStateBackend, KeyGroupRange } from './state-api.js';

const MAX_PAR = 16;
const FULL: KeyGroupRange = { start: 0, end: MAX_PAR - 1 };
const k = (i: number): string => encodeKey([i]);

/** The view a checkpoint folder gets, as the runtime builds it: `../<sibling>/…` resolves in the job folder. */
const folderStore = (root: ObjectStore, id: number): ObjectStore => prefixedObjectStore(root, `job/chk-${id}`);

const open = (clock: () => number = () => 0): KeyedStateBackend => createHeapKeyedStateBackend({ maxParallelism: MAX_PAR, keyGroupRange: FULL, clock });

/** Takes incremental snapshot `id` into `chk-<id>` (manifest round-tripped through JSON, as in checkpoint metadata). */
async function checkpoint(b: KeyedStateBackend, root: ObjectStore, id: number): Promise<KeyedStateSnapshot> {
  const snap = await b.snapshot(folderStore(root, id), 'op', { checkpointId: id, savepoint: false, incremental: true, folder: `chk-${id}` });
  return JSON.parse(JSON.stringify(snap)) as KeyedStateSnapshot;
}

interface Model {
  value: Map<string, number>;
  list: Map<string, number[]>;
  map: Map<string, Map<string, number>>;
}
const emptyModel = (): Model => ({ value: new Map(), list: new Map(), map: new Map() });
const copyModel = (m: Model): Model => ({
  value: new Map(m.value),
  list: new Map([...m.list].map(([key, l]) => [key, [...l]])),
  map: new Map([...m.map].map(([key, mm]) => [key, new Map(mm)])),
});

type Op =
  | { op: 'put'; key: number; value: number }
  | { op: 'delete'; key: number }
  | { op: 'add'; key: number; value: number }
  | { op: 'clearList'; key: number }
  | { op: 'putEntry'; key: number; userKey: number; value: number }
  | { op: 'deleteEntry'; key: number; userKey: number }
  | { op: 'checkpoint'; confirm: boolean };

const KEYS = 60;
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key: fc.nat(KEYS), value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key: fc.nat(KEYS) }),
  fc.record({ op: fc.constant('add' as const), key: fc.nat(KEYS), value: fc.integer() }),
  fc.record({ op: fc.constant('clearList' as const), key: fc.nat(KEYS) }),
  fc.record({ op: fc.constant('putEntry' as const), key: fc.nat(KEYS), userKey: fc.nat(5), value: fc.integer() }),
  fc.record({ op: fc.constant('deleteEntry' as const), key: fc.nat(KEYS), userKey: fc.nat(5) }),
  fc.record({ op: fc.constant('checkpoint' as const), confirm: fc.boolean() }),
);

async function apply(b: KeyedStateBackend, model: Model, o: Exclude<Op, { op: 'checkpoint' }>): Promise<void> {
  const key = k(o.key);
  switch (o.op) {
    case 'put':
      await b.valueState<number>({ name: 'v' }).putMany([key], [o.value]);
      model.value.set(key, o.value);
      return;
    case 'delete':
      await b.valueState<number>({ name: 'v' }).deleteMany([key]);
      model.value.delete(key);
      return;
    case 'add':
      await b.listState<number>({ name: 'l' }).addMany([key], [o.value]);
      model.list.set(key, [...(model.list.get(key) ?? []), o.value]);
      return;
    case 'clearList':
      await b.listState<number>({ name: 'l' }).deleteMany([key]);
      model.list.delete(key);
      return;
    case 'putEntry': {
      await b.mapState<number>({ name: 'm' }).putEntries([key], [k(o.userKey)], [o.value]);
      const m = model.map.get(key) ?? new Map<string, number>();
      m.set(k(o.userKey), o.value);
      model.map.set(key, m);
      return;
    }
    case 'deleteEntry': {
      await b.mapState<number>({ name: 'm' }).putEntries([key], [k(o.userKey)], [undefined]);
      const m = model.map.get(key);
      m?.delete(k(o.userKey));
      if (m?.size === 0) model.map.delete(key);
      return;
    }
  }
}

/** Every key of the universe reads as the model says, on whichever backend owns it; nothing more is held. */
async function assertHolds(backends: readonly KeyedStateBackend[], model: Model): Promise<void> {
  let held = 0;
  for (const b of backends) {
    const mine = Array.from({ length: KEYS + 1 }, (_, i) => k(i)).filter((key) => {
      const g = keyGroupOf(key, MAX_PAR);
      return g >= b.keyGroupRange.start && g <= b.keyGroupRange.end;
    });
    assert.deepStrictEqual(await b.valueState<number>({ name: 'v' }).getMany(mine), mine.map((key) => model.value.get(key)));
    assert.deepStrictEqual(await b.listState<number>({ name: 'l' }).getMany(mine), mine.map((key) => model.list.get(key) ?? []));
    const maps = await b.mapState<number>({ name: 'm' }).getMany(mine);
    assert.deepStrictEqual(
      maps.map((m) => [...m].sort()),
      mine.map((key) => [...(model.map.get(key) ?? new Map<string, number>())].sort()),
    );
    held += b.approximateKeyCount();
  }
  assert.equal(held, model.value.size + model.list.size + model.map.size);
}

const restoreAt = (root: ObjectStore, id: number, snaps: readonly KeyedStateSnapshot[], range: KeyGroupRange = FULL): Promise<KeyedStateBackend> =>
  restoreHeapKeyedStateBackend(folderStore(root, id), snaps, { maxParallelism: MAX_PAR, keyGroupRange: range });

describe('incremental heap snapshots', () => {
  it('restore from any incremental snapshot equals the state at that snapshot (property, with unconfirmed checkpoints)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: 120 }), async (ops) => {
        const root = new MemoryObjectStore('chk');
        const b = open();
        const model = emptyModel();
        const taken: { id: number; snap: KeyedStateSnapshot; model: Model }[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.op !== 'checkpoint') {
            await apply(b, model, o);
            continue;
          }
          id++;
          const snap = await checkpoint(b, root, id);
          taken.push({ id, snap, model: copyModel(model) });
          if (o.confirm) b.notifyCheckpointComplete!(id);
        }
        id++;
        taken.push({ id, snap: await checkpoint(b, root, id), model: copyModel(model) });
        for (const t of taken) await assertHolds([await restoreAt(root, t.id, [t.snap])], t.model);
        // The last one also restores split over two subtasks.
        const last = taken[taken.length - 1]!;
        const halves = await Promise.all([0, 1].map((i) => restoreAt(root, last.id, [last.snap], keyGroupRangeForSubtask(MAX_PAR, 2, i))));
        await assertHolds(halves, last.model);
      }),
      { numRuns: 60 },
    );
  });

  it('writes only the changed keys as a delta on top of the confirmed base, and lists the base by sibling reference', async () => {
    const root = new MemoryObjectStore('chk');
    const b = open();
    const model = emptyModel();
    for (let i = 0; i < 1000; i++) await apply(b, model, { op: 'put', key: i % (KEYS + 1), value: i });
    const values = b.valueState<string>({ name: 'big' });
    const bigKeys = Array.from({ length: 2000 }, (_, i) => k(10_000 + i));
    await values.putMany(bigKeys, bigKeys.map((key) => `${key}-${'x'.repeat(100)}`));
    const first = await checkpoint(b, root, 1);
    assert.equal(first.writtenBytes, first.totalBytes, 'no confirmed base yet: full');
    b.notifyCheckpointComplete!(1);

    await values.putMany([bigKeys[0]!, bigKeys[1]!], ['changed', 'changed too']);
    await values.deleteMany([bigKeys[2]!]);
    const second = await checkpoint(b, root, 2);
    assert.ok(second.writtenBytes! * 50 < first.totalBytes, `delta ${second.writtenBytes} bytes vs full ${first.totalBytes}`);
    assert.deepEqual(
      second.files.slice(0, first.files.length).map((f) => f.key),
      first.files.map((f) => `../chk-1/${f.key}`),
    );
    assert.equal(second.files.length, first.files.length + 1);
    const restored = await restoreAt(root, 2, [second]);
    assert.deepEqual(await restored.valueState<string>({ name: 'big' }).getMany(bigKeys.slice(0, 4)), ['changed', 'changed too', undefined, `${bigKeys[3]}-${'x'.repeat(100)}`]);
    assert.equal(restored.approximateKeyCount(), model.value.size + bigKeys.length - 1);
  });

  it('falls back to a full snapshot when half the keys changed, and rebases once deltas outgrow the base', async () => {
    const root = new MemoryObjectStore('chk');
    const b = open();
    const values = b.valueState<number>({ name: 'v' });
    const keys = Array.from({ length: 400 }, (_, i) => k(i));
    await values.putMany(keys, keys.map(() => 0));
    await checkpoint(b, root, 1);
    b.notifyCheckpointComplete!(1);
    await values.putMany(keys.slice(0, 250), keys.slice(0, 250).map(() => 1));
    const mostlyChanged = await checkpoint(b, root, 2);
    assert.ok(mostlyChanged.files.every((f) => !f.key.startsWith('../')), 'a full snapshot references nothing earlier');
    b.notifyCheckpointComplete!(2);
    // Deltas of 40% of the keys each: after three, the deltas outgrow the base and the next is full.
    let id = 2;
    const chainLengths: number[] = [];
    for (let round = 0; round < 4; round++) {
      await values.putMany(keys.slice(0, 160), keys.slice(0, 160).map(() => round + 10));
      const snap = await checkpoint(b, root, ++id);
      chainLengths.push(snap.files.length);
      b.notifyCheckpointComplete!(id);
    }
    assert.deepEqual(chainLengths, [2, 3, 4, 1]);
    const restored = await restoreAt(root, id, [JSON.parse(JSON.stringify((await checkpoint(b, root, ++id))))]);
    assert.deepEqual(await restored.valueState<number>({ name: 'v' }).getMany([keys[0]!, keys[399]!]), [13, 0]);
  });

  it('a savepoint in between is full and self-contained and does not disturb the chain', async () => {
    const root = new MemoryObjectStore('chk');
    const b = open();
    const model = emptyModel();
    for (let i = 0; i < 300; i++) await apply(b, model, { op: 'putEntry', key: i % (KEYS + 1), userKey: i % 5, value: i });
    await checkpoint(b, root, 1);
    b.notifyCheckpointComplete!(1);
    await apply(b, model, { op: 'deleteEntry', key: 3, userKey: 3 });
    const savepointStore = prefixedObjectStore(root, 'job/savepoint-2');
    const savepoint = await b.snapshot(savepointStore, 'op');
    b.notifyCheckpointComplete!(2); // savepoints complete too; nothing to confirm
    assert.ok(savepoint.files.every((f) => !f.key.startsWith('../')));
    await assertHolds([await restoreHeapKeyedStateBackend(savepointStore, [savepoint], { maxParallelism: MAX_PAR, keyGroupRange: FULL })], model);
    await apply(b, model, { op: 'putEntry', key: 4, userKey: 9, value: -1 });
    const third = await checkpoint(b, root, 3);
    assert.ok(third.files.some((f) => f.key.startsWith('../chk-1/')), 'the delta still builds on checkpoint 1');
    await assertHolds([await restoreAt(root, 3, [third])], model);
  });

  it('entries that expired are written as removed in a delta, and stay expired after restore', async () => {
    const root = new MemoryObjectStore('chk');
    let now = 1_000;
    const b = open(() => now);
    const values = b.valueState<string>({ name: 'ttl', ttlMs: 100 });
    const keys = Array.from({ length: 50 }, (_, i) => k(i));
    await values.putMany(keys, keys.map((key) => key));
    await checkpoint(b, root, 1);
    b.notifyCheckpointComplete!(1);
    now += 60;
    await values.putMany([keys[0]!], ['fresh']);
    now += 60; // every key but keys[0] has expired
    const second = await checkpoint(b, root, 2);
    const restored = await restoreHeapKeyedStateBackend(folderStore(root, 2), [second], { maxParallelism: MAX_PAR, keyGroupRange: FULL, clock: () => now });
    assert.deepEqual(await restored.valueState<string>({ name: 'ttl', ttlMs: 100 }).getMany(keys.slice(0, 3)), ['fresh', undefined, undefined]);
  });
});
