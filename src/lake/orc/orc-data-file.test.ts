/** The ORC branch of `readDataFile`: field matching and the conversion to Floe's value representation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from '../../types/index.js';
import { finishValue, readDataFile, type FileField } from '../data-file-reader.js';
import { OrcEncodingKind, OrcStreamKind as S, OrcTypeKind as K } from './orc-metadata.js';
import { booleanRle, buildOrcFile, intRleV2Direct, type TestType } from './orc-test-support.js';

const ORC_EPOCH_NANOS = 1420070400n * 1000000000n;
const enc = new TextEncoder();

// Columns: ts (TIMESTAMP, paimon.id 1), ts9 (TIMESTAMP, id 2), b (BINARY, id 3), r (STRUCT<x INT>, id 4),
// m (MAP<STRING, FLOAT>, id 5), n (INT, written without paimon.id). Two rows, the second all NULL.
const TYPES: TestType[] = [
  { kind: K.STRUCT, subtypes: [1, 2, 3, 4, 6, 9], fieldNames: ['ts', 'ts9', 'b', 'r', 'm', 'n'] },
  { kind: K.TIMESTAMP, attributes: { 'paimon.id': '1' } },
  { kind: K.TIMESTAMP, attributes: { 'paimon.id': '2' } },
  { kind: K.BINARY, attributes: { 'paimon.id': '3' } },
  { kind: K.STRUCT, subtypes: [5], fieldNames: ['x'], attributes: { 'paimon.id': '4' } },
  { kind: K.INT },
  { kind: K.MAP, subtypes: [7, 8], attributes: { 'paimon.id': '5' } },
  { kind: K.STRING },
  { kind: K.FLOAT },
  { kind: K.INT },
];
const P = booleanRle([true, false]);
const BYTES = buildOrcFile(TYPES, [
  {
    rows: 2,
    streams: [
      ...[1, 2, 3, 4, 6, 9].map((column) => ({ column, kind: S.PRESENT, bytes: P })),
      // 2015-01-01 00:00:01.234567891 in both timestamp columns (nanos without trailing zeros: << 3)
      { column: 1, kind: S.DATA, bytes: intRleV2Direct([1], true) },
      { column: 1, kind: S.SECONDARY, bytes: intRleV2Direct([234567891 * 8], false) },
      { column: 2, kind: S.DATA, bytes: intRleV2Direct([1], true) },
      { column: 2, kind: S.SECONDARY, bytes: intRleV2Direct([234567891 * 8], false) },
      { column: 3, kind: S.DATA, bytes: Uint8Array.from([9, 8, 7]) },
      { column: 3, kind: S.LENGTH, bytes: intRleV2Direct([3], false) },
      { column: 5, kind: S.DATA, bytes: intRleV2Direct([42], true) },
      { column: 6, kind: S.LENGTH, bytes: intRleV2Direct([1], false) },
      { column: 7, kind: S.DATA, bytes: enc.encode('k') },
      { column: 7, kind: S.LENGTH, bytes: intRleV2Direct([1], false) },
      { column: 8, kind: S.DATA, bytes: new Uint8Array(Float32Array.from([0.1]).buffer) },
      { column: 9, kind: S.DATA, bytes: intRleV2Direct([-3], true) },
    ],
    encodings: TYPES.map(() => ({ kind: OrcEncodingKind.DIRECT_V2 })),
  },
]);

test('readDataFile(orc): matches by paimon.id (else by name), converts values like the Parquet path', async () => {
  const fields: FileField[] = [
    { id: 1, name: 'renamed_ts', type: Types.timestamp(6) },
    { id: 2, name: 'ts9', type: Types.timestamp(9) },
    { id: 3, name: 'b', type: Types.bytes() },
    { id: 4, name: 'r', type: Types.row([{ name: 'x', type: Types.int() }]) },
    { id: 5, name: 'm', type: Types.map(Types.string(), Types.float()) },
    { id: 6, name: 'n', type: Types.bigint() },
    { id: 7, name: 'added_later', type: Types.int() },
  ];
  const { numRows, columns } = await readDataFile(BYTES, 'd.orc', 'orc', fields);
  assert.equal(numRows, 2);
  const nanos = ORC_EPOCH_NANOS + 1234567891n;
  // TIMESTAMP(p ≤ 6): epoch milliseconds with the sub-millisecond fraction.
  assert.deepEqual(columns.get(1), [1420070401234.5679, null]);
  // TIMESTAMP(p > 6): exact nanoseconds until finishValue (the data-file-reader contract).
  assert.deepEqual(columns.get(2), [nanos, null]);
  assert.equal(finishValue(nanos, Types.timestamp(9)), 1420070401234.5679);
  assert.deepEqual(columns.get(3), [Uint8Array.from([9, 8, 7]), null]);
  assert.deepEqual(columns.get(4), [[42], null]);
  assert.deepEqual(columns.get(5), [new Map([['k', Math.fround(0.1)]]), null]);
  assert.deepEqual(columns.get(6), [-3, null]);
  assert.deepEqual(columns.get(7), [null, null]);
});

test('readDataFile(orc): no fields asked for still reports the row count', async () => {
  const { numRows, columns } = await readDataFile(BYTES, 'd.orc', 'orc', []);
  assert.equal(numRows, 2);
  assert.equal(columns.size, 0);
});
