/**
 * Data files and statistics written by Floe: every writable type round-trips through our reader and is
 * read identically by an independent Parquet reader (DuckDB), with Paimon field ids in the schema; the
 * statistics we compute for Java-written files equal Java's bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { LocalFileObjectStore, MemoryObjectStore } from '../storage/index.js';
import { Types, batchFromRows, getRow, type RowType } from '../types/index.js';
import { columnStats, serializeRow } from './data-file-writer.js';
import { openPaimonTable, type DataSplit } from './paimon-table.js';
import { createPaimonTable } from './table-create.js';
import { fieldByName, trimmedPrimaryKeys } from './table-schema.js';
import { copyDirInto, liveEntries, readRows } from './write-test-support.js';

const ALL: RowType = {
  fields: [
    { name: 'b', type: Types.boolean() },
    { name: 'i8', type: Types.tinyint() },
    { name: 'i16', type: Types.smallint() },
    { name: 'i32', type: Types.int() },
    { name: 'i64', type: Types.bigint() },
    { name: 'f32', type: Types.float() },
    { name: 'f64', type: Types.double() },
    { name: 'd5', type: Types.decimal(5, 2) },
    { name: 'd15', type: Types.decimal(15, 3) },
    { name: 'd25', type: Types.decimal(25, 4) },
    { name: 's', type: Types.string() },
    { name: 'vc', type: Types.varchar(10) },
    { name: 'bin', type: Types.bytes() },
    { name: 'day', type: Types.date() },
    { name: 'tod', type: Types.time(3) },
    { name: 'ts3', type: Types.timestamp(3) },
    { name: 'ts6', type: Types.timestamp(6) },
    { name: 'ltz', type: Types.timestampLtz(3) },
  ],
};

const ROWS: unknown[][] = [
  [true, -128, 32767, -5, 9007199254740991, 1.5, -2.25, 12345n, -999999999999999n, 123456789012345678901234n, 'héllo', 'v', new Uint8Array([0, 255, 7]), 19000, 45296789, 1700000000123, 1700000000123.456, 1700000000999],
  [false, 127, -32768, 2147483647, -42, -0.5, 1e300, -1n, 0n, -1n, '', 'w', new Uint8Array(0), -1, 0, -1, -0.001, 0],
  [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
];

describe('Parquet data files', () => {
  it('round-trip every writable type (with NULLs) through our reader and DuckDB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-paimon-'));
    try {
      const store = new LocalFileObjectStore(dir);
      const t = await createPaimonTable(store, 'db.db/all', { fields: ALL });
      const w = t.newWrite();
      w.write(batchFromRows(ALL, ROWS));
      await w.commit();
      const back = await readRows(t);
      assert.equal(back.length, 3);
      const byI32 = (rows: unknown[][], v: unknown): unknown[] => rows.find((r) => r[3] === v)!;
      for (const want of ROWS) {
        const got = byI32(back, want[3]);
        assert.deepEqual(got, want.map((x) => (x instanceof Uint8Array ? new Uint8Array(x) : x)));
      }
      const [entry] = await liveEntries(t);
      const file = join(dir, 'db.db/all/bucket-0', entry!.file.fileName);
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const ids = (await conn.runAndReadAll(`SELECT name, field_id FROM parquet_schema('${file}') WHERE name <> 'paimon_schema'`)).getRows();
      assert.deepEqual(ids.map((r) => [r[0], Number(r[1])]), ALL.fields.map((f, i) => [f.name, i]));
      const rows = (await conn.runAndReadAll(`SELECT b, i8, i16, i32, i64, f32, f64, d5::VARCHAR, d15::VARCHAR, d25::VARCHAR, s, vc, bin::VARCHAR, day::VARCHAR, tod::VARCHAR, epoch_ms(ts3), epoch_us(ts6), epoch_ms(ltz) FROM read_parquet('${file}') ORDER BY i32 NULLS LAST`)).getRows();
      conn.closeSync();
      const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
      assert.deepEqual(rows.map((r) => r.map(norm)), [
        [true, -128, 32767, -5, 9007199254740991, 1.5, -2.25, '123.45', '-999999999999.999', '12345678901234567890.1234', 'héllo', 'v', '\\x00\\xFF\\x07', '2022-01-08', '12:34:56.789', 1700000000123, 1700000000123456, 1700000000999],
        [false, 127, -32768, 2147483647, -42, -0.5, 1e300, '-0.01', '0.000', '-0.0001', '', 'w', '', '1969-12-31', '00:00:00', -1, -1, 0],
        [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('file statistics', () => {
  it('truncate(16): min cut, max cut with the last character bumped; key stats exact', () => {
    const long = 'abcdefghijklmnopqrstuvwxyz';
    const s = columnStats([Types.string()], [[long, 'abc', null]], 3, true);
    const exact = columnStats([Types.string()], [[long, 'abc', null]], 3, false);
    assert.deepEqual(Array.from(s.minValues), Array.from(serializeRow(['abc'], [Types.string()])));
    assert.deepEqual(Array.from(s.maxValues), Array.from(serializeRow(['abcdefghijklmnoq'], [Types.string()])));
    assert.deepEqual(Array.from(exact.maxValues), Array.from(serializeRow([long], [Types.string()])));
    assert.deepEqual(s.nullCounts, [1]);
    const empty = columnStats([Types.int()], [[]], 0, true);
    assert.deepEqual(Array.from(empty.minValues), Array.from(serializeRow([null], [Types.int()])));
    assert.deepEqual(empty.nullCounts, [0]);
  });

  it('equal Java\'s bytes for every file of a Java-written primary-key table', async () => {
    const name = 'pk_table_scan_and_read_mor';
    const store = new MemoryObjectStore('stats');
    await copyDirInto(store, join(sharedDataDir(), 'paimon-testdata/paimon-cpp/parquet', `${name}.db`, name), 't');
    const t = await openPaimonTable(store, 't');
    const schema = t.schema();
    const types = schema.fields.map((f) => f.type);
    const keyNames = trimmedPrimaryKeys(schema);
    const keyIdx = keyNames.map((k) => schema.fields.indexOf(fieldByName(schema, k)));
    const keyTypes = keyIdx.map((i) => types[i]!);
    let checked = 0;
    for (const split of await t.plan(1)) {
      for (const file of split.files) {
        const one: DataSplit = { ...split, files: [file] };
        const rows: unknown[][] = [];
        for await (const b of t.readSplit(one)) for (let r = 0; r < b.numRows; r++) rows.push(getRow(b, r, t.rowType));
        if (rows.length !== file.rowCount) continue; // a file holding retractions reads back fewer rows
        const cols = types.map((_, c) => rows.map((r) => r[c]));
        const value = columnStats(types, cols, rows.length, true);
        assert.deepEqual(Array.from(value.minValues), Array.from(file.valueStats!.minValues), `${file.fileName} min`);
        assert.deepEqual(Array.from(value.maxValues), Array.from(file.valueStats!.maxValues), `${file.fileName} max`);
        assert.deepEqual(value.nullCounts, file.valueStats!.nullCounts);
        const key = columnStats(keyTypes, keyIdx.map((i) => cols[i]!), rows.length, false);
        assert.deepEqual(Array.from(key.minValues), Array.from(file.keyStats!.minValues));
        assert.deepEqual(Array.from(key.maxValues), Array.from(file.keyStats!.maxValues));
        assert.deepEqual(Array.from(serializeRow(keyIdx.map((i) => rows[0]![i]), keyTypes)), Array.from(file.minKey));
        assert.deepEqual(Array.from(serializeRow(keyIdx.map((i) => rows[rows.length - 1]![i]), keyTypes)), Array.from(file.maxKey));
        checked++;
      }
    }
    assert.ok(checked >= 3, `checked ${checked} files`);
  });
});
