/**
 * Bucket hashing against Java-computed bucket ids (paimon-cpp test vectors, numBuckets = 12345): each
 * line is one row of values and the bucket Java's `FixedBucketRowKeyExtractor` assigned to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { readFileSync } from 'node:fs';
import { Types, parseDecimalText, type LogicalType } from '../types/index.js';
import { BinaryRowWriter } from './binary-row.js';
import { bucketOfRow, hashBytesByWords } from './bucket-hash.js';

const DATA = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/');
const BUCKETS = 12345;

/** Parses the vector file: one JSON array per line, big integers kept exact as strings. */
function readVectors(name: string): unknown[][] {
  const text = readFileSync(DATA + name, 'utf8');
  const rows: unknown[][] = [];
  for (const line of text.split('\n')) {
    const t = line.trim().replace(/,$/, '');
    if (!t.startsWith('[') || t === ']') continue;
    rows.push(JSON.parse(t.replace(/([\[,]\s*)(-?\d{16,})(?=\s*[,\]])/g, '$1"$2"')) as unknown[]);
  }
  return rows;
}

function decimalUnscaled(text: string, scale: number): bigint {
  const parsed = parseDecimalText(text);
  assert.ok(parsed !== null, `bad decimal ${text}`);
  const neg = text.trim().startsWith('-');
  const [int, frac = ''] = text.trim().replace('-', '').split('.');
  const digits = int! + frac.padEnd(scale, '0').slice(0, scale);
  return (neg ? -1n : 1n) * BigInt(digits);
}

/** Writes one typed value; TIMESTAMP(>3) come as integer nanoseconds or ISO text and go in exactly. */
function writeValue(w: BinaryRowWriter, pos: number, v: unknown, type: LogicalType): void {
  if (v === null) return w.setNull(pos, type);
  switch (type.kind) {
    case 'BIGINT':
      return w.set(pos, BigInt(v as string | number), type);
    case 'DECIMAL':
      return w.setDecimal(pos, decimalUnscaled(v as string, type.scale), type.precision);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      let nanos: bigint;
      if (typeof v === 'string' && v.includes('T')) {
        const [date, time = ''] = v.split('T');
        const [hms, frac = ''] = time.split('.');
        const ms = Date.parse(`${date}T${hms}Z`);
        nanos = BigInt(ms) * 1000000n + BigInt(frac.padEnd(9, '0'));
      } else nanos = BigInt(v as string | number);
      const millis = nanos >= 0n ? nanos / 1000000n : -((-nanos + 999999n) / 1000000n);
      return w.setTimestamp(pos, Number(millis), Number(nanos - millis * 1000000n), type.precision);
    }
    case 'VARBINARY':
      return w.setBinary(pos, new TextEncoder().encode(v as string));
    default:
      return w.set(pos, v, type);
  }
}

function checkVectors(name: string, types: LogicalType[]): void {
  const rows = readVectors(name);
  assert.ok(rows.length > 100, `${name}: too few rows`);
  const w = new BinaryRowWriter(types.length);
  let mismatches = 0;
  const first: string[] = [];
  for (const row of rows) {
    w.reset();
    for (let i = 0; i < types.length; i++) writeValue(w, i, row[i], types[i]!);
    const expected = Number(row[types.length]);
    const got = bucketOfRow(w.bytes(), BUCKETS);
    if (got !== expected) {
      mismatches++;
      if (first.length < 3) first.push(`${JSON.stringify(row)} → ${got}`);
    }
  }
  assert.equal(mismatches, 0, `${name}: ${mismatches}/${rows.length} rows differ, e.g. ${first.join('; ')}`);
}

test('murmur hashBytesByWords of an empty row prefix is stable', () => {
  // Known value: Murmur3 x86_32 of no words with seed 42 after fmix(len = 0).
  assert.equal(hashBytesByWords(new Uint8Array(0)), 142593372);
  assert.throws(() => hashBytesByWords(new Uint8Array(3)), /multiple of 4/);
});

test('bucket ids of record_for_bucket_id.data match Java', () => {
  checkVectors('record_for_bucket_id.data', [
    Types.boolean(), Types.tinyint(), Types.smallint(), Types.int(), Types.bigint(), Types.float(), Types.double(),
    Types.date(), Types.timestamp(9), Types.decimal(30, 20), Types.string(), Types.bytes(),
  ]);
});

test('bucket ids of record_with_null_for_bucket_id.data match Java', () => {
  checkVectors('record_with_null_for_bucket_id.data', [
    Types.boolean(), Types.tinyint(), Types.smallint(), Types.int(), Types.bigint(), Types.float(), Types.double(),
    Types.date(), Types.timestamp(9), Types.decimal(5, 2), Types.decimal(30, 2), Types.string(), Types.bytes(),
  ]);
});

test('bucket ids of record_with_timestamp_for_bucket_id.data match Java', () => {
  checkVectors('record_with_timestamp_for_bucket_id.data', [
    Types.timestamp(0), Types.timestamp(3), Types.timestamp(6), Types.timestamp(9),
    Types.timestampLtz(0), Types.timestampLtz(3), Types.timestampLtz(6), Types.timestampLtz(9),
  ]);
});
