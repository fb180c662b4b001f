import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { readDeletionVector, readRoaringBitmap, writeRoaringBitmap } from './deletion-vector.js';

const DV_TABLE = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/parquet/pk_table_scan_and_read_dv.db/pk_table_scan_and_read_dv/');

test('roaring bitmap: write then read gives the same positions (array and bitmap containers)', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 300 }), (values) => {
      const sorted = Uint32Array.from(values).sort();
      assert.deepEqual(readRoaringBitmap(writeRoaringBitmap(sorted), 0, 'test'), sorted);
    }),
  );
  // A container above 4096 values is a 65536-bit bitmap.
  const dense = Uint32Array.from({ length: 5000 }, (_, i) => 65536 + i * 3);
  assert.deepEqual(readRoaringBitmap(writeRoaringBitmap(dense), 0, 'test'), dense);
  assert.deepEqual(readRoaringBitmap(writeRoaringBitmap(new Uint32Array(0)), 0, 'test'), new Uint32Array(0));
});

test('roaring bitmap: run containers (cookie 12347) decode', () => {
  // One container (key 0) that is a run: values 5..9, then 100..100. Fewer than 4 containers: no offsets.
  const bytes = new Uint8Array([
    0x3b, 0x30, 0x00, 0x00, // cookie 12347 | (1 - 1) << 16
    0x01, // run bitset: container 0 is a run container
    0x00, 0x00, 0x05, 0x00, // key 0, cardinality - 1 = 5
    0x02, 0x00, // 2 runs
    0x05, 0x00, 0x04, 0x00, // start 5, length - 1 = 4
    0x64, 0x00, 0x00, 0x00, // start 100, length - 1 = 0
  ]);
  assert.deepEqual([...readRoaringBitmap(bytes, 0, 'test')], [5, 6, 7, 8, 9, 100]);
  assert.throws(() => readRoaringBitmap(new Uint8Array([1, 2, 3, 4]), 0, 'test'), /cookie/);
  assert.throws(() => readRoaringBitmap(bytes.subarray(0, 12), 0, 'test'), /truncated/);
});

test('deletion vector of the pk_table_scan_and_read_dv fixture deletes one row', () => {
  const file = readFileSync(DV_TABLE + 'index/index-16bec1d6-fa31-49bd-a240-deadcfff6003-0');
  const dv = readDeletionVector(file, 1, 22, 'fixture');
  assert.equal(dv.cardinality, 1);
  const mask = dv.toMask(10);
  assert.equal(mask.reduce((a, b) => a + b, 0), 1);
  assert.throws(() => readDeletionVector(file, 1, 23, 'fixture'), (e: Error & { code?: string }) => e.code === 'LAKE.CORRUPT_DELETION_VECTOR');
  const v2 = Uint8Array.from(file);
  v2[0] = 2;
  assert.throws(() => readDeletionVector(v2, 1, 22, 'fixture'), (e: Error & { code?: string }) => e.code === 'LAKE.UNSUPPORTED_DELETION_VECTOR');
});
