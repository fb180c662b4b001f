import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FloeError } from '../common/index.js';
import { TextFileReader, TextFileWriter, commitFile, listDataFiles, toLocalPath } from './local-files.js';

test('listDataFiles: recursive, sorted, skips hidden and _-prefixed files and directories', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'floe-files-'));
  try {
    await mkdir(path.join(dir, 'dt=2024-01-02'), { recursive: true });
    await mkdir(path.join(dir, '_temporary'), { recursive: true });
    await mkdir(path.join(dir, '.hidden'), { recursive: true });
    for (const f of ['b.csv', 'a.csv', '_SUCCESS', '.part-1.inprogress', 'dt=2024-01-02/x.csv', '_temporary/t.csv', '.hidden/h.csv']) {
      await writeFile(path.join(dir, f), 'x');
    }
    assert.deepEqual(await listDataFiles(dir), ['a.csv', 'b.csv', 'dt=2024-01-02/x.csv'].map((f) => path.join(dir, f)));
    assert.deepEqual(await listDataFiles(path.join(dir, 'a.csv')), [path.join(dir, 'a.csv')]);
    await assert.rejects(listDataFiles(path.join(dir, 'missing')), (e: unknown) => e instanceof FloeError && e.code === 'STORAGE.NOT_FOUND');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('TextFileReader returns chunks that never split a multi-byte character', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'floe-files-'));
  try {
    const text = 'héllo wörld 日本 🙂\n'.repeat(50);
    const w = await TextFileWriter.create(path.join(dir, 'sub', '.f.inprogress'));
    await w.write(text);
    assert.equal(w.bytesWritten, Buffer.byteLength(text));
    await w.close();
    await commitFile(path.join(dir, 'sub', '.f.inprogress'), path.join(dir, 'sub', 'f.txt'));
    const r = await TextFileReader.open(path.join(dir, 'sub', 'f.txt'), 7);
    const chunks: string[] = [];
    for (let c = await r.read(); c !== null; c = await r.read()) chunks.push(c);
    await r.close();
    assert.ok(chunks.length > 10);
    assert.equal(chunks.join(''), text);
    // No chunk ends inside a character: each one is valid text on its own.
    assert.ok(chunks.every((c) => !c.includes('\ufffd') && !/[\ud800-\udbff]$/.test(c)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('toLocalPath accepts plain paths and file: URIs and rejects other schemes', () => {
  assert.equal(toLocalPath('file:///tmp/x/'), '/tmp/x/');
  assert.equal(toLocalPath('file:/tmp/y'), '/tmp/y');
  assert.equal(toLocalPath('/tmp/z'), '/tmp/z');
  assert.throws(() => toLocalPath('s3://bucket/k'), /file system scheme 's3' is not supported/);
});
