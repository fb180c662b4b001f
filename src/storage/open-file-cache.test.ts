import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenFileCache } from './open-file-cache.js';
import { LocalFileObjectStore } from './local-file-object-store.js';

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-open-files-'));
  try {
    await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('concurrent first reads share one descriptor; eviction waits for the last reader', () =>
  withDir(async (dir) => {
    const cache = new OpenFileCache(1);
    await writeFile(join(dir, 'a'), 'aaaa');
    await writeFile(join(dir, 'b'), 'bb');
    const [x, y] = await Promise.all([cache.acquire(join(dir, 'a')), cache.acquire(join(dir, 'a'))]);
    assert.equal(x.handle, y.handle);
    assert.equal(x.size, 4);
    // Opening b evicts a while two readers hold it: their descriptor must stay usable.
    const b = await cache.acquire(join(dir, 'b'));
    const buf = Buffer.alloc(4);
    await x.handle.read(buf, 0, 4, 0);
    assert.equal(buf.toString(), 'aaaa');
    cache.release(x.entry);
    await y.handle.read(buf, 0, 4, 0);
    cache.release(y.entry);
    await assert.rejects(x.handle.read(buf, 0, 4, 0), /closed|EBADF/);
    cache.release(b.entry);
  }));

test('a key replaced or deleted through the store is read at its new state', () =>
  withDir(async (dir) => {
    const store = new LocalFileObjectStore(dir, { durable: false });
    await store.put('k', new TextEncoder().encode('first'));
    assert.equal(new TextDecoder().decode(await store.getRange('k', 0, 5)), 'first');
    await store.put('k', new TextEncoder().encode('second'));
    assert.equal(new TextDecoder().decode(await store.getRange('k', 0, 6)), 'second');
    await store.delete('k');
    await assert.rejects(store.getRange('k', 0, 1), { code: 'IO.NOT_FOUND' });
  }));
