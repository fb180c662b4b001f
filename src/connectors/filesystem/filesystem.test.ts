import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FloeError } from '../../common/index.js';
import { BatchBuilder, Types, getRow, type RecordBatch, type RowType } from '../../types/index.js';
import type { ConnectorContext, SinkContext, SourceSplit } from '../connector.js';
import { filesystemSink } from './filesystem-sink.js';
import { filesystemSource } from './filesystem-source.js';

const T: RowType = {
  fields: [
    { name: 'auction', type: Types.bigint() },
    { name: 'extra', type: Types.string() },
    { name: 'dt', type: Types.string() },
  ],
};

const batchOf = (rows: unknown[][], type: RowType = T): RecordBatch => {
  const b = new BatchBuilder(type);
  for (const r of rows) b.appendRow(r);
  return b.finish();
};

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'floe-fs-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sinkCtx(options: Record<string, string>, subtaskIndex = 0, parallelism = 1, partitionKeys: number[] = []): SinkContext {
  return {
    tableName: 'out',
    options: { connector: 'filesystem', ...options },
    physicalType: T,
    partitionKeys,
    config: () => undefined,
    subtaskIndex,
    parallelism,
    sendToClient: () => undefined,
  };
}

function sourceCtx(options: Record<string, string>, partitionKeys: number[] = [], type: RowType = T): ConnectorContext {
  return { tableName: 'in', options: { connector: 'filesystem', ...options }, physicalType: type, partitionKeys, config: () => undefined };
}

async function readAll(ctx: ConnectorContext, maxRows = 1000): Promise<{ rows: unknown[][]; splits: readonly SourceSplit[]; skipped: number }> {
  const splits = await filesystemSource.createSplits(ctx, 1);
  const rows: unknown[][] = [];
  let skipped = 0;
  for (const s of splits) {
    const reader = await filesystemSource.createReader(ctx, s);
    try {
      for (let b = await reader.next(maxRows); b !== null; b = await reader.next(maxRows)) {
        assert.ok(b.numRows <= maxRows);
        for (let r = 0; r < b.numRows; r++) rows.push(getRow(b, r, ctx.physicalType));
      }
      skipped += reader.skippedRecords;
    } finally {
      await reader.close();
    }
  }
  return { rows, splits, skipped };
}

async function listRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

const sortRows = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

for (const format of ['csv', 'json']) {
  test(`${format}: sink subtasks write part files that the source reads back (one split per file)`, async () => {
    await withDir(async (dir) => {
      const rows = Array.from({ length: 500 }, (_, i) => [i, i % 7 === 0 ? null : `x,"${i}"\n`, `d${i % 3}`]);
      for (let s = 0; s < 2; s++) {
        const w = await filesystemSink.createWriter(sinkCtx({ path: dir, format }, s, 2));
        await w.write(batchOf(rows.filter((_, i) => i % 2 === s)));
        await w.finish();
        await w.close();
      }
      const files = await listRecursive(dir);
      assert.equal(files.length, 2);
      for (const f of files) assert.match(f, new RegExp(`^part-[0-9a-f-]{36}-[01]-0\\.${format}$`));
      const { rows: back, splits } = await readAll(sourceCtx({ path: `file://${dir}`, format }), 64);
      assert.equal(splits.length, 2);
      assert.deepEqual(sortRows(back), sortRows(rows));
    });
  });
}

test('rolling policy: a part file is finished when it reaches sink.rolling-policy.file-size', async () => {
  await withDir(async (dir) => {
    const w = await filesystemSink.createWriter(sinkCtx({ path: dir, format: 'csv', 'sink.rolling-policy.file-size': '100b' }));
    // Every batch is more than 100 bytes, so every write rolls the file.
    for (let i = 0; i < 5; i++) await w.write(batchOf(Array.from({ length: 10 }, (_, j) => [i * 10 + j, 'abcdefghijkl', 'd'])));
    await w.write(batchOf([[99, 'x', 'd']]));
    // Before finish, the last file is still in progress (hidden).
    assert.ok((await listRecursive(dir)).some((f) => f.startsWith('.part-') && f.endsWith('.inprogress')));
    await w.finish();
    const files = await listRecursive(dir);
    assert.equal(files.length, 6);
    assert.ok(files.every((f) => /^part-.*-0-\d\.csv$/.test(f)));
    assert.equal((await readAll(sourceCtx({ path: dir, format: 'csv' }))).rows.length, 51);
  });
});

test('PARTITIONED BY: Hive-style k=v directories without the partition column in files; success files; read back', async () => {
  await withDir(async (dir) => {
    const w = await filesystemSink.createWriter(
      sinkCtx({ path: dir, format: 'csv', 'sink.partition-commit.policy.kind': 'success-file' }, 0, 1, [2]),
    );
    await w.write(batchOf([[1, 'a', '2024-01-01'], [2, 'b', '2024-01-02'], [3, 'c', '2024-01-01'], [4, 'd', null], [5, 'e', 'a/b']]));
    await w.finish();
    await w.close();
    const files = await listRecursive(dir);
    assert.deepEqual(
      files.map((f) => f.replace(/part-.*\.csv$/, 'part.csv')),
      ['dt=2024-01-01/_SUCCESS', 'dt=2024-01-01/part.csv', 'dt=2024-01-02/_SUCCESS', 'dt=2024-01-02/part.csv', 'dt=__DEFAULT_PARTITION__/_SUCCESS', 'dt=__DEFAULT_PARTITION__/part.csv', 'dt=a%2Fb/_SUCCESS', 'dt=a%2Fb/part.csv'],
    );
    const first = files.find((f) => f.startsWith('dt=2024-01-01/part'))!;
    assert.equal(await readFile(path.join(dir, first), 'utf8'), '1,a\n3,c\n');
    const { rows } = await readAll(sourceCtx({ path: dir, format: 'csv' }, [2]));
    assert.deepEqual(sortRows(rows), sortRows([[1, 'a', '2024-01-01'], [2, 'b', '2024-01-02'], [3, 'c', '2024-01-01'], [4, 'd', null], [5, 'e', 'a/b']]));
  });
});

test('directory reads skip _SUCCESS and hidden files; malformed lines name the file and line', async () => {
  await withDir(async (dir) => {
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'b.csv'), '2,y,d\n');
    await writeFile(path.join(dir, 'sub', 'a.csv'), '1,x,d\nbad,z,d\n');
    await writeFile(path.join(dir, '_SUCCESS'), '');
    await writeFile(path.join(dir, '.c.csv.inprogress'), 'garbage');
    const ctx = sourceCtx({ path: dir, format: 'csv' });
    const splits = await filesystemSource.createSplits(ctx, 3);
    assert.deepEqual(splits.map((s) => s.id), [path.join(dir, 'b.csv'), path.join(dir, 'sub', 'a.csv')]);
    await assert.rejects(readAll(ctx), (e: unknown) => {
      assert.ok(e instanceof FloeError);
      assert.equal(e.message, `table 'in', file ${path.join(dir, 'sub', 'a.csv')}, line 2, column 'auction' (#1): expected BIGINT, found 'bad'`);
      return true;
    });
    const lenient = await readAll(sourceCtx({ path: dir, format: 'csv', 'csv.ignore-parse-errors': 'true' }));
    assert.deepEqual(lenient.rows, [[2, 'y', 'd'], [1, 'x', 'd']]);
    assert.equal(lenient.skipped, 1);
  });
});

test('large files are read in chunks into bounded batches', async () => {
  await withDir(async (dir) => {
    const n = 60_000;
    const lines = Array.from({ length: n }, (_, i) => `${i},"row ${i} with, comma",d`).join('\n');
    await writeFile(path.join(dir, 'big.csv'), lines + '\n');
    const { rows } = await readAll(sourceCtx({ path: path.join(dir, 'big.csv'), format: 'csv' }), 4096);
    assert.equal(rows.length, n);
    assert.deepEqual(rows[n - 1], [n - 1, `row ${n - 1} with, comma`, 'd']);
  });
});

test('validation: format options must match the format; unknown format', () => {
  assert.throws(
    () => filesystemSource.validate!(sourceCtx({ path: '/x', format: 'csv', 'json.ignore-parse-errors': 'true' })),
    /option 'json.ignore-parse-errors' applies to format 'json', but the table's format is 'csv'/,
  );
  assert.throws(() => filesystemSink.validate!(sourceCtx({ path: '/x', format: 'parquet' })), /format 'parquet' is not supported/);
  assert.throws(() => filesystemSource.validate!(sourceCtx({ path: '/x', format: 'csv', 'csv.field-delimiter': 'ab' })), /table 'in'.*single character/);
});

test('the sink rejects updates', async () => {
  await withDir(async (dir) => {
    const w = await filesystemSink.createWriter(sinkCtx({ path: dir, format: 'csv' }));
    const b = batchOf([[1, 'a', 'd']]);
    await assert.rejects(Promise.resolve(w.write({ ...b, kinds: new Uint8Array([3]) })), /only accepts inserts/);
    await w.close();
  });
});
