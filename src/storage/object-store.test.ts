import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createObjectStore } from './create-object-store.js';
import { LocalFileObjectStore } from './local-file-object-store.js';
import { MemoryObjectStore } from './memory-object-store.js';
import { describeObjectStoreConformance, rejectsWithCode } from './object-store-conformance.js';
import { prefixedObjectStore } from './prefixed-object-store.js';

const roots: string[] = [];
const freshDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'floe-objstore-'));
  roots.push(d);
  return d;
};
after(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describeObjectStoreConformance('memory', () => new MemoryObjectStore('conformance'));
describeObjectStoreConformance('local file system (durable)', () => new LocalFileObjectStore(freshDir()));
// The property test creates many stores; fsync off keeps it fast without changing semantics.
describeObjectStoreConformance('local file system (no fsync)', () => new LocalFileObjectStore(freshDir(), { durable: false }));

describe('LocalFileObjectStore specifics', () => {
  it('objects are plain files at their key path, visible to a second store on the same root', async () => {
    const root = freshDir();
    const s = new LocalFileObjectStore(root);
    await s.put('chk-1/op/part-0', bytes('hello'));
    assert.equal(readdirSync(path.join(root, 'chk-1', 'op')).join(), 'part-0');
    const again = new LocalFileObjectStore(root);
    assert.equal(new TextDecoder().decode(await again.get('chk-1/op/part-0')), 'hello');
    assert.equal(s.uri, pathToFileURL(root).href);
  });

  it('in-flight temp files are never listed, and their directory is not a valid key', async () => {
    const root = freshDir();
    const s = new LocalFileObjectStore(root);
    await s.put('a', bytes('1'));
    mkdirSync(path.join(root, '.floe-tmp'), { recursive: true });
    writeFileSync(path.join(root, '.floe-tmp', 'leftover'), 'partial');
    assert.deepEqual(await s.list(''), [{ key: 'a', size: 1 }]);
    await rejectsWithCode(s.get('.floe-tmp/leftover'), 'IO.INVALID_KEY', 'reserved');
    await s.cleanTemporaryFiles();
    assert.deepEqual(readdirSync(root), ['a']);
  });

  it('a key that is both an object and a directory prefix is IO.KEY_CONFLICT', async () => {
    const s = new LocalFileObjectStore(freshDir());
    await s.put('a', bytes('1'));
    await rejectsWithCode(s.put('a/b', bytes('2')), 'IO.KEY_CONFLICT', "'a/b'");
    await s.put('d/x', bytes('3'));
    await rejectsWithCode(s.put('d', bytes('4')), 'IO.KEY_CONFLICT', "'d'");
    await rejectsWithCode(s.putIfAbsent('d', bytes('4')), 'IO.KEY_CONFLICT', "'d'");
    await rejectsWithCode(s.get('d'), 'IO.NOT_FOUND');
    assert.equal(await s.exists('d'), false);
    await s.delete('d'); // a directory is not an object: nothing to delete
    assert.equal(await s.exists('d/x'), true);
    await rejectsWithCode(s.lastModified('d'), 'IO.NOT_FOUND', "'d'");
  });

  it('lastModified is the file mtime, so times set by other tools (or a restored backup) count', async () => {
    const root = freshDir();
    const s = new LocalFileObjectStore(root);
    await s.put('data/f', bytes('x'));
    const twoDaysAgo = Date.now() - 2 * 24 * 3600_000;
    utimesSync(path.join(root, 'data', 'f'), twoDaysAgo / 1000, twoDaysAgo / 1000);
    assert.ok(Math.abs((await s.lastModified('data/f')) - twoDaysAgo) < 1, 'mtime set with utimes');
    await rejectsWithCode(s.lastModified('.floe-tmp/x'), 'IO.INVALID_KEY', 'reserved');
  });
});

describe('prefixedObjectStore', () => {
  it('lastModified reads the underlying object at prefix/key, and ../key one folder up', async () => {
    const root = new MemoryObjectStore('prefixed-times');
    await root.put('job/chk-1/a', bytes('1'));
    await root.put('job/shared', bytes('2'));
    const view = prefixedObjectStore(root, 'job/chk-1');
    assert.equal(await view.lastModified('a'), await root.lastModified('job/chk-1/a'));
    assert.equal(await view.lastModified('../shared'), await root.lastModified('job/shared'));
    await rejectsWithCode(view.lastModified('b'), 'IO.NOT_FOUND', "'job/chk-1/b'");
  });
});

describe('createObjectStore', () => {
  it('opens local stores from file:// URIs and plain paths', async () => {
    const root = freshDir();
    const a = createObjectStore(pathToFileURL(root).href);
    const b = createObjectStore(root);
    assert.ok(a instanceof LocalFileObjectStore && b instanceof LocalFileObjectStore);
    await a.put('k', bytes('v'));
    assert.equal(await b.exists('k'), true);
  });

  it('memory://name gives the same store for the same name, and another for another name', async () => {
    const a = createObjectStore('memory://create-test');
    const b = createObjectStore('memory://create-test');
    const c = createObjectStore('memory://create-test-other');
    assert.equal(a, b);
    assert.notEqual(a, c);
    await a.put('k', bytes('v'));
    assert.equal(await c.exists('k'), false);
    assert.equal(a.uri, 'memory://create-test');
    assert.throws(() => createObjectStore('memory://'), (e: Error & { code?: string }) => e.code === 'IO.INVALID_URI');
  });

  it('unknown schemes fail clearly (s3:// is covered in s3-object-store.test.ts)', () => {
    assert.throws(() => createObjectStore('hdfs://nn/x'), (e: Error & { code?: string }) => e.code === 'IO.UNSUPPORTED_SCHEME' && /hdfs/.test(e.message));
    assert.throws(() => createObjectStore(''), (e: Error & { code?: string }) => e.code === 'IO.INVALID_URI');
  });
});
