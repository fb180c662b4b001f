/**
 * The disk file cache: LRU by bytes, whole files, and isolation between caches that share a configured
 * folder (worker threads of one process each number their files from 1).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DiskFileCache } from './disk-file-cache.js';

const root = mkdtempSync(join(tmpdir(), 'floe-disk-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('DiskFileCache', () => {
  it('serves ranges of cached files and evicts the least recently used beyond its capacity', async () => {
    const c = new DiskFileCache(250, join(root, 'lru'));
    await c.add(1, bytes(100, 1));
    await c.add(2, bytes(100, 2));
    assert.deepEqual(await c.read(1, 10, 5), bytes(5, 1)); // 1 is now the most recently used
    await c.add(3, bytes(100, 3));
    assert.equal(c.has(2), false, 'the least recently used file went');
    assert.deepEqual(await c.read(1, 0, 100), bytes(100, 1));
    assert.deepEqual(await c.readAll(3), bytes(100, 3));
    assert.equal(await c.read(2, 0, 1), undefined);
    assert.equal(c.usedBytes, 200);
    await c.add(4, bytes(300, 4)); // larger than the whole cache: not kept, nothing evicted
    assert.equal(c.has(4), false);
    assert.equal(c.usedBytes, 200);
    assert.equal(await c.read(1, 95, 10), undefined, 'a range past the end is a miss, not a short read');
    c.clear();
  });

  it('caches sharing a configured folder keep their files apart (same file ids, different bytes)', async () => {
    const shared = join(root, 'shared');
    const a = new DiskFileCache(1 << 20, shared);
    const b = new DiskFileCache(1 << 20, shared);
    await a.add(1, bytes(64, 0xaa));
    await b.add(1, bytes(64, 0xbb));
    assert.deepEqual(await a.read(1, 0, 64), bytes(64, 0xaa));
    assert.deepEqual(await b.read(1, 0, 64), bytes(64, 0xbb));
    assert.notEqual(a.dir, b.dir);
    assert.equal(readdirSync(shared).length, 2, 'one folder per cache');
    // Clearing one cache leaves the other's files (and the shared folder) alone.
    a.clear();
    assert.equal(existsSync(a.dir), false);
    assert.deepEqual(await b.read(1, 0, 64), bytes(64, 0xbb));
    b.clear();
    assert.equal(existsSync(shared), true);
  });

  it('capacity 0 creates no folder and caches nothing', async () => {
    const c = new DiskFileCache(0, join(root, 'none'));
    await c.add(1, bytes(10, 1));
    assert.equal(c.has(1), false);
    assert.equal(existsSync(join(root, 'none')), false);
    c.clear();
  });
});
