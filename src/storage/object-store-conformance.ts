/**
 * The conformance suite every `ObjectStore` must pass (memory and local file system now, S3 with issue 5),
 * so checkpoint, state and lake code can rely on one behaviour. Call `describeObjectStoreConformance` from
 * a store's `*.test.ts` with a factory that returns a fresh, empty store.
 *
 * It checks the contract of object-store.ts: missing objects, atomic overwrite, copies in and out, exact
 * range reads, `putIfAbsent` under many concurrent creators (exactly one wins and its bytes are stored
 * whole), readers racing writers never see a partial object, sorted prefix listing with sizes, delete and
 * exists, modification times, key validation — and a fast-check property test comparing random operation sequences with a
 * `Map` model.
 *
 * Test-only: imports node:test and fast-check, so it is not exported from `storage/index.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ObjectStore } from './object-store.js';

export type ObjectStoreFactory = () => ObjectStore | Promise<ObjectStore>;

export interface ObjectStoreConformanceOptions {
  /**
   * How far the store's `lastModified` may lie outside this process's clock readings around the write, in
   * milliseconds (default 1000: file systems stamp times from a coarse kernel clock). A remote store
   * stamps with its own clock, in whole seconds on S3: give it a few seconds.
   */
  readonly clockSkewMs?: number;
}

const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);
const textOf = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Asserts that `p` rejects with a FloeError of `code` whose message contains every `mentions` string. */
export async function rejectsWithCode(p: Promise<unknown>, code: string, ...mentions: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { name?: string; code?: string; message?: string };
    assert.equal(err.name, 'FloeError', `expected a FloeError, got ${String(e)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
    for (const m of mentions) assert.ok(err.message!.includes(m), `message '${err.message}' should mention '${m}'`);
    return true;
  });
}

/** A deterministic pattern of `n` bytes tagged by `seed`, so a mix of two writes is detectable. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}

export function describeObjectStoreConformance(name: string, factory: ObjectStoreFactory, options: ObjectStoreConformanceOptions = {}): void {
  const skewMs = options.clockSkewMs ?? 1000;
  describe(`ObjectStore conformance: ${name}`, () => {
    it('get of a missing key is IO.NOT_FOUND naming the key and the store', async () => {
      const s = await factory();
      await rejectsWithCode(s.get('nope/x.bin'), 'IO.NOT_FOUND', 'nope/x.bin', s.uri);
      await rejectsWithCode(s.getRange('nope/x.bin', 0, 0), 'IO.NOT_FOUND', 'nope/x.bin');
      await rejectsWithCode(s.lastModified('nope/x.bin'), 'IO.NOT_FOUND', 'nope/x.bin', s.uri);
      assert.equal(await s.exists('nope/x.bin'), false);
    });

    it('put then get round-trips bytes, including empty and binary objects; put replaces', async () => {
      const s = await factory();
      const bin = Uint8Array.from({ length: 256 }, (_, i) => i);
      await s.put('a/bin', bin);
      await s.put('a/empty', new Uint8Array(0));
      await s.put('top', bytesOf('one'));
      assert.deepEqual(await s.get('a/bin'), bin);
      assert.equal((await s.get('a/empty')).length, 0);
      await s.put('top', bytesOf('two, longer'));
      assert.equal(textOf(await s.get('top')), 'two, longer');
      await s.put('top', bytesOf('3'));
      assert.equal(textOf(await s.get('top')), '3');
    });

    it('objects are copies: mutating the put buffer or a returned buffer changes nothing stored', async () => {
      const s = await factory();
      const b = bytesOf('abc');
      await s.put('k', b);
      b[0] = 0x7a;
      const got = await s.get('k');
      assert.equal(textOf(got), 'abc');
      got[1] = 0x7a;
      assert.equal(textOf(await s.get('k')), 'abc');
      const c = bytesOf('xyz');
      assert.equal(await s.putIfAbsent('c', c), true);
      c[0] = 0;
      assert.equal(textOf(await s.get('c')), 'xyz');
    });

    it('getRange returns exactly the requested bytes and rejects ranges outside the object', async () => {
      const s = await factory();
      const data = pattern(1000, 3);
      await s.put('r', data);
      assert.deepEqual(await s.getRange('r', 0, 1000), data);
      assert.deepEqual(await s.getRange('r', 10, 5), data.slice(10, 15));
      assert.deepEqual(await s.getRange('r', 999, 1), data.slice(999));
      assert.equal((await s.getRange('r', 1000, 0)).length, 0);
      await rejectsWithCode(s.getRange('r', 995, 6), 'IO.RANGE_NOT_SATISFIABLE', "'r'", '1000 bytes');
      await rejectsWithCode(s.getRange('r', 2000, 1), 'IO.RANGE_NOT_SATISFIABLE');
      await rejectsWithCode(s.getRange('r', -1, 1), 'IO.INVALID_RANGE');
      await rejectsWithCode(s.getRange('r', 0, 1.5), 'IO.INVALID_RANGE');
    });

    it('putIfAbsent creates once and never replaces', async () => {
      const s = await factory();
      assert.equal(await s.putIfAbsent('meta/_commit', bytesOf('first')), true);
      assert.equal(await s.putIfAbsent('meta/_commit', bytesOf('second')), false);
      assert.equal(textOf(await s.get('meta/_commit')), 'first');
      await s.put('plain', bytesOf('p'));
      assert.equal(await s.putIfAbsent('plain', bytesOf('q')), false);
      assert.equal(textOf(await s.get('plain')), 'p');
      await s.delete('meta/_commit');
      assert.equal(await s.putIfAbsent('meta/_commit', bytesOf('third')), true);
      assert.equal(textOf(await s.get('meta/_commit')), 'third');
    });

    it('putIfAbsent under 40 concurrent creators: exactly one wins and its bytes are stored whole', async () => {
      const s = await factory();
      for (let round = 0; round < 3; round++) {
        const key = `commit/round-${round}`;
        const size = 64 * 1024 + round;
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.putIfAbsent(key, pattern(size, i))));
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        assert.equal(winners.length, 1, `round ${round}: winners ${winners.join(',')}`);
        assert.deepEqual(await s.get(key), pattern(size, winners[0]!));
      }
      assert.deepEqual((await s.list('commit/')).map((o) => o.key), ['commit/round-0', 'commit/round-1', 'commit/round-2']);
    });

    it('readers racing overwriting writers only ever see whole objects', async () => {
      const s = await factory();
      const size = 128 * 1024;
      const versions = Array.from({ length: 8 }, (_, i) => pattern(size, i + 1));
      await s.put('hot', versions[0]!);
      const seen = new Set<number>();
      const reads: Promise<void>[] = [];
      const writes: Promise<void>[] = [];
      for (let i = 1; i < versions.length; i++) {
        writes.push(s.put('hot', versions[i]!));
        reads.push(
          s.get('hot').then((b) => {
            const which = versions.findIndex((v) => v.length === b.length && Buffer.compare(v, b) === 0);
            assert.ok(which >= 0, 'a reader saw a partial or mixed object');
            seen.add(which);
          }),
        );
      }
      await Promise.all([...writes, ...reads]);
      assert.ok(seen.size >= 1);
      const final = await s.get('hot');
      assert.ok(versions.some((v) => Buffer.compare(v, final) === 0));
    });

    it('list filters by string prefix, sorts by key and reports sizes', async () => {
      const s = await factory();
      assert.deepEqual(await s.list(''), []);
      const keys = ['b/2', 'a', 'b/10', 'b/1/x', 'bb', 'c/d/e/f', 'b-'];
      for (const k of keys) await s.put(k, bytesOf(k + k));
      const all = await s.list('');
      assert.deepEqual(
        all.map((o) => o.key),
        [...keys].sort(),
      );
      for (const o of all) assert.equal(o.size, o.key.length * 2);
      assert.deepEqual((await s.list('b/')).map((o) => o.key), ['b/1/x', 'b/10', 'b/2']);
      assert.deepEqual((await s.list('b')).map((o) => o.key), ['b-', 'b/1/x', 'b/10', 'b/2', 'bb']);
      assert.deepEqual((await s.list('b/1')).map((o) => o.key), ['b/1/x', 'b/10']);
      assert.deepEqual((await s.list('c/d/')).map((o) => o.key), ['c/d/e/f']);
      assert.deepEqual(await s.list('zz'), []);
      assert.deepEqual(await s.list('nope/'), []);
    });

    it('delete removes an object; deleting a missing key is a no-op; exists follows', async () => {
      const s = await factory();
      await s.put('x/y', bytesOf('1'));
      assert.equal(await s.exists('x/y'), true);
      await s.delete('x/y');
      assert.equal(await s.exists('x/y'), false);
      await s.delete('x/y');
      await s.delete('never/was');
      await rejectsWithCode(s.get('x/y'), 'IO.NOT_FOUND');
      assert.deepEqual(await s.list(''), []);
    });

    it('lastModified is the time of the last write: near now, later after an overwrite, gone with the object', async () => {
      const s = await factory();
      const inWindow = (t: number, from: number, to: number, what: string): void => {
        assert.ok(Number.isFinite(t), `${what}: ${t} is not a time`);
        assert.ok(t >= from - skewMs && t <= to + skewMs, `${what}: ${new Date(t).toISOString()} is not within ${skewMs} ms of [${new Date(from).toISOString()}, ${new Date(to).toISOString()}]`);
      };
      let from = Date.now();
      await s.put('m/a', bytesOf('one'));
      const first = await s.lastModified('m/a');
      inWindow(first, from, Date.now(), 'after put');
      from = Date.now();
      assert.equal(await s.putIfAbsent('m/b', bytesOf('b')), true);
      inWindow(await s.lastModified('m/b'), from, Date.now(), 'after putIfAbsent');
      // Past the resolution of every store (S3 dates are whole seconds), so a later write is visibly later.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      from = Date.now();
      await s.put('m/a', bytesOf('two'));
      const second = await s.lastModified('m/a');
      inWindow(second, from, Date.now(), 'after overwrite');
      assert.ok(second > first, `overwrite did not move the time forwards: ${second} <= ${first}`);
      // A putIfAbsent that loses writes nothing, so the time stays.
      assert.equal(await s.putIfAbsent('m/a', bytesOf('three')), false);
      assert.equal(await s.lastModified('m/a'), second);
      await s.delete('m/a');
      await rejectsWithCode(s.lastModified('m/a'), 'IO.NOT_FOUND', "'m/a'");
      // A '/'-prefix of other keys is not an object.
      await rejectsWithCode(s.lastModified('m'), 'IO.NOT_FOUND');
    });

    it('malformed keys are IO.INVALID_KEY', async () => {
      const s = await factory();
      for (const bad of ['', '/abs', 'trailing/', 'a//b', 'a/../b', './a', 'a\\b', '..']) {
        await rejectsWithCode(s.put(bad, bytesOf('x')), 'IO.INVALID_KEY');
        await rejectsWithCode(s.get(bad), 'IO.INVALID_KEY');
        await rejectsWithCode(s.putIfAbsent(bad, bytesOf('x')), 'IO.INVALID_KEY');
        await rejectsWithCode(s.lastModified(bad), 'IO.INVALID_KEY');
      }
    });

    it('random operation sequences agree with a Map model (property)', async () => {
      // Keys never make one key a '/'-prefix of another (a file system cannot hold 'd' and 'd/x').
      const keyArb = fc.constantFrom('x', 'xy', 'd/y', 'd/z', 'd/e/w', 'd/e/v', 'q/1');
      const dataArb = fc.uint8Array({ maxLength: 40 });
      const opArb = fc.oneof(
        fc.record({ op: fc.constant('put' as const), key: keyArb, data: dataArb }),
        fc.record({ op: fc.constant('putIfAbsent' as const), key: keyArb, data: dataArb }),
        fc.record({ op: fc.constant('delete' as const), key: keyArb }),
        fc.record({ op: fc.constant('get' as const), key: keyArb }),
        fc.record({ op: fc.constant('range' as const), key: keyArb, offset: fc.nat(45), length: fc.nat(45) }),
        fc.record({ op: fc.constant('exists' as const), key: keyArb }),
        fc.record({ op: fc.constant('lastModified' as const), key: keyArb }),
        fc.record({ op: fc.constant('list' as const), prefix: fc.constantFrom('', 'x', 'd/', 'd/e', 'd/e/', 'q', 'z') }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
          const s = await factory();
          for (const { key } of await s.list('')) await s.delete(key);
          const model = new Map<string, Uint8Array>();
          for (const o of ops) {
            switch (o.op) {
              case 'put':
                await s.put(o.key, o.data);
                model.set(o.key, o.data);
                break;
              case 'putIfAbsent': {
                const created = await s.putIfAbsent(o.key, o.data);
                assert.equal(created, !model.has(o.key));
                if (created) model.set(o.key, o.data);
                break;
              }
              case 'delete':
                await s.delete(o.key);
                model.delete(o.key);
                break;
              case 'get': {
                const want = model.get(o.key);
                if (want === undefined) await rejectsWithCode(s.get(o.key), 'IO.NOT_FOUND');
                else assert.deepEqual(await s.get(o.key), want);
                break;
              }
              case 'range': {
                const want = model.get(o.key);
                if (want === undefined) await rejectsWithCode(s.getRange(o.key, o.offset, o.length), 'IO.NOT_FOUND');
                else if (o.offset + o.length > want.length) {
                  await rejectsWithCode(s.getRange(o.key, o.offset, o.length), 'IO.RANGE_NOT_SATISFIABLE');
                } else assert.deepEqual(await s.getRange(o.key, o.offset, o.length), want.slice(o.offset, o.offset + o.length));
                break;
              }
              case 'exists':
                assert.equal(await s.exists(o.key), model.has(o.key));
                break;
              case 'lastModified':
                if (model.has(o.key)) assert.ok(Number.isFinite(await s.lastModified(o.key)));
                else await rejectsWithCode(s.lastModified(o.key), 'IO.NOT_FOUND');
                break;
              case 'list': {
                const want = [...model.entries()]
                  .filter(([k]) => k.startsWith(o.prefix))
                  .map(([key, v]) => ({ key, size: v.length }))
                  .sort((a, b) => (a.key < b.key ? -1 : 1));
                assert.deepEqual(await s.list(o.prefix), want);
                break;
              }
            }
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
