import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir, type FloeError } from '../../common/index.js';
import { OrcFile, isOrcFile } from './orc-file.js';
import { OrcCompressionKind, OrcEncodingKind, OrcStreamKind as S, OrcTypeKind as K } from './orc-metadata.js';
import { booleanRle, buildOrcFile, byteRleLiterals, intRleV1Literals, intRleV2Direct, ProtoWriter, type TestStream, type TestType } from './orc-test-support.js';

const ORC_DIR = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/orc');
const enc = new TextEncoder();
const f32 = (xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);
const f64 = (xs: number[]): Uint8Array => new Uint8Array(Float64Array.from(xs).buffer);
const varints = (xs: number[]): Uint8Array => Uint8Array.from(xs.flatMap((x) => [...new ProtoWriter().varint(x).finish()]));
const zz = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
const ORC_EPOCH = 1420070400;

/** Every ORC type Paimon writes, three rows, the middle one all NULL (see the stream comments). */
const TYPES: TestType[] = [
  {
    kind: K.STRUCT,
    subtypes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 19],
    fieldNames: ['b', 't', 'l', 'f', 'd', 's', 'bin', 'dec', 'dt', 'ts', 'arr', 'm', 'row', 'v'],
  },
  { kind: K.BOOLEAN, attributes: { 'paimon.id': '10' } },
  { kind: K.BYTE },
  { kind: K.LONG },
  { kind: K.FLOAT },
  { kind: K.DOUBLE },
  { kind: K.STRING },
  { kind: K.BINARY },
  { kind: K.DECIMAL, precision: 10, scale: 2 },
  { kind: K.DATE },
  { kind: K.TIMESTAMP },
  { kind: K.LIST, subtypes: [12] },
  { kind: K.INT },
  { kind: K.MAP, subtypes: [14, 15] },
  { kind: K.STRING },
  { kind: K.INT },
  { kind: K.STRUCT, subtypes: [17, 18], fieldNames: ['x', 'y'] },
  { kind: K.INT },
  { kind: K.STRING },
  { kind: K.VARCHAR },
];

const PRESENT_101 = booleanRle([true, false, true]);
const STREAMS: TestStream[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 19].map((column) => ({ column, kind: S.PRESENT, bytes: PRESENT_101 })),
  { column: 1, kind: S.DATA, bytes: booleanRle([true, false]) },
  { column: 2, kind: S.DATA, bytes: byteRleLiterals([-5, 127]) },
  { column: 3, kind: S.DATA, bytes: intRleV2Direct([2 ** 53 - 1, -7], true) },
  { column: 4, kind: S.DATA, bytes: f32([1.5, -2]) },
  { column: 5, kind: S.DATA, bytes: f64([-0.25, 1e300]) },
  // DICTIONARY_V2: entries "x", "y"; rows use 0 then 1
  { column: 6, kind: S.DICTIONARY_DATA, bytes: enc.encode('xy') },
  { column: 6, kind: S.LENGTH, bytes: intRleV2Direct([1, 1], false) },
  { column: 6, kind: S.DATA, bytes: intRleV2Direct([0, 1], false) },
  { column: 7, kind: S.DATA, bytes: Uint8Array.from([1, 2]) },
  { column: 7, kind: S.LENGTH, bytes: intRleV2Direct([2, 0], false) },
  // 123.45 at scale 2; −0.5 written at scale 1 (rescaled to −0.50)
  { column: 8, kind: S.DATA, bytes: varints([zz(12345), zz(-5)]) },
  { column: 8, kind: S.SECONDARY, bytes: intRleV2Direct([2, 1], true) },
  { column: 9, kind: S.DATA, bytes: intRleV2Direct([-1, 19000], true) },
  // −1.5 s (seconds truncated toward zero by the writer: −1; nanos 5·10^8 → (5 << 3) | 7) and 2015-01-01 + 1 ns
  { column: 10, kind: S.DATA, bytes: intRleV2Direct([-1 - ORC_EPOCH, 0], true) },
  { column: 10, kind: S.SECONDARY, bytes: intRleV2Direct([(5 << 3) | 7, 1 << 3], false) },
  // [1, null, 3] and []
  { column: 11, kind: S.LENGTH, bytes: intRleV2Direct([3, 0], false) },
  { column: 12, kind: S.PRESENT, bytes: booleanRle([true, false, true]) },
  { column: 12, kind: S.DATA, bytes: intRleV2Direct([1, 3], true) },
  // {a: 1} and {b: null, c: 2}
  { column: 13, kind: S.LENGTH, bytes: intRleV2Direct([1, 2], false) },
  { column: 14, kind: S.DATA, bytes: enc.encode('abc') },
  { column: 14, kind: S.LENGTH, bytes: intRleV2Direct([1, 1, 1], false) },
  { column: 15, kind: S.PRESENT, bytes: booleanRle([true, false, true]) },
  { column: 15, kind: S.DATA, bytes: intRleV2Direct([1, 2], true) },
  // (7, 'q') and (null, null): children hold values only for the two rows where the struct is present
  { column: 17, kind: S.PRESENT, bytes: booleanRle([true, false]) },
  { column: 17, kind: S.DATA, bytes: intRleV2Direct([7], true) },
  { column: 18, kind: S.PRESENT, bytes: booleanRle([true, false]) },
  { column: 18, kind: S.DATA, bytes: enc.encode('q') },
  { column: 18, kind: S.LENGTH, bytes: intRleV2Direct([1], false) },
  // VARCHAR with DIRECT (RLE v1) encoding: 'héllo' (6 bytes) and ''
  { column: 19, kind: S.DATA, bytes: enc.encode('héllo') },
  { column: 19, kind: S.LENGTH, bytes: intRleV1Literals([6, 0], false) },
];

const ENCODINGS = TYPES.map((_, c) =>
  c === 6 ? { kind: OrcEncodingKind.DICTIONARY_V2, dictionarySize: 2 } : c === 19 ? { kind: OrcEncodingKind.DIRECT } : { kind: OrcEncodingKind.DIRECT_V2 },
);

const EXPECTED: unknown[][] = [
  [true, null, false],
  [-5, null, 127],
  [2 ** 53 - 1, null, -7],
  [1.5, null, -2],
  [-0.25, null, 1e300],
  ['x', null, 'y'],
  [Uint8Array.from([1, 2]), null, new Uint8Array(0)],
  [12345n, null, -50n],
  [-1, null, 19000],
  [-1500000000n, null, BigInt(ORC_EPOCH) * 1000000000n + 1n],
  [[1, null, 3], null, []],
  [new Map([['a', 1]]), null, new Map<string, number | null>([['b', null], ['c', 2]])],
  [[7, 'q'], null, [null, null]],
  ['héllo', null, ''],
];

test('ORC file: every type Paimon writes, with NULLs at the top level and inside LIST/MAP/STRUCT', () => {
  for (const codec of [OrcCompressionKind.NONE, OrcCompressionKind.ZLIB]) {
    const orc = new OrcFile(buildOrcFile(TYPES, [{ rows: 3, streams: STREAMS, encodings: ENCODINGS }], codec), 'all.orc');
    assert.equal(orc.numRows, 3);
    assert.deepEqual(orc.fields.map((f) => f.name), ['b', 't', 'l', 'f', 'd', 's', 'bin', 'dec', 'dt', 'ts', 'arr', 'm', 'row', 'v']);
    assert.equal(orc.fields[0]!.fieldId, 10);
    assert.equal(orc.fields[1]!.fieldId, undefined);
    assert.deepEqual(orc.readColumns(orc.fields.map((f) => f.index)), EXPECTED);
    // Projection: only the asked-for columns, in the asked-for order.
    assert.deepEqual(orc.readColumns([12, 0]), [EXPECTED[12], EXPECTED[0]]);
    assert.deepEqual(orc.readColumns([]), []);
  }
});

test('ORC file: records form nests structs as objects keyed by field name', () => {
  const orc = new OrcFile(buildOrcFile(TYPES, [{ rows: 3, streams: STREAMS, encodings: ENCODINGS }]), 'all.orc');
  const recs = orc.readRecords();
  assert.equal(recs.length, 3);
  assert.deepEqual(recs[0]!['row'], { x: 7, y: 'q' });
  assert.equal(recs[1]!['row'], null);
  assert.deepEqual(recs[2]!['row'], { x: null, y: null });
  assert.equal(recs[0]!['s'], 'x');
});

test('ORC file: several stripes, ZLIB chunks smaller than a stream, a column without PRESENT stream', () => {
  const types: TestType[] = [{ kind: K.STRUCT, subtypes: [1], fieldNames: ['n'] }, { kind: K.LONG }];
  const a = Array.from({ length: 700 }, (_, i) => i * 1000 - 350000);
  const b = [5, -5];
  const bytes = buildOrcFile(
    types,
    [
      { rows: a.length, streams: [{ column: 1, kind: S.DATA, bytes: intRleV2Direct(a, true) }] },
      { rows: b.length, streams: [{ column: 1, kind: S.DATA, bytes: intRleV1Literals(b, true) }], encodings: [{ kind: 0 }, { kind: OrcEncodingKind.DIRECT }] },
    ],
    OrcCompressionKind.ZLIB,
    32,
  );
  const orc = new OrcFile(bytes, 'stripes.orc');
  assert.equal(orc.footer.stripes.length, 2);
  assert.deepEqual(orc.readColumns([0]), [[...a, ...b]]);
});

test('ORC file: an empty file (no stripes) reads as zero rows', () => {
  const orc = new OrcFile(buildOrcFile([{ kind: K.STRUCT, subtypes: [1], fieldNames: ['n'] }, { kind: K.INT }], []), 'empty.orc');
  assert.equal(orc.numRows, 0);
  assert.deepEqual(orc.readColumns([0]), [[]]);
});

test('ORC file: not ORC, an unsupported codec, a UNION column and a missing stream fail with clear errors', () => {
  const is = (code: string, file: string) => (e: FloeError) => e.code === code && e.message.includes(`'${file}'`);
  assert.equal(isOrcFile(Uint8Array.from([0x4f, 0x62, 0x6a, 0x01])), false);
  assert.throws(() => new OrcFile(Uint8Array.from([0x4f, 0x62, 0x6a, 0x01, 0x00]), 'x.avro'), is('LAKE.CORRUPT_FILE', 'x.avro'));
  const types: TestType[] = [{ kind: K.STRUCT, subtypes: [1], fieldNames: ['n'] }, { kind: K.INT }];
  const good = buildOrcFile(types, [{ rows: 1, streams: [{ column: 1, kind: S.DATA, bytes: intRleV2Direct([1], true) }] }]);
  // Rewrite the PostScript's codec (field 2, right after field 1) to LZ4.
  const lz4 = good.slice();
  const psStart = lz4.length - 1 - lz4[lz4.length - 1]!;
  assert.equal(lz4[psStart + 2], 0x10);
  lz4[psStart + 3] = OrcCompressionKind.LZ4;
  assert.throws(() => new OrcFile(lz4, 'lz4.orc'), (e: FloeError) => is('LAKE.UNSUPPORTED_FORMAT', 'lz4.orc')(e) && /LZ4/.test(e.message));
  const union = buildOrcFile([{ kind: K.STRUCT, subtypes: [1], fieldNames: ['u'] }, { kind: K.UNION, subtypes: [] }], [{ rows: 1, streams: [] }]);
  assert.throws(() => new OrcFile(union, 'u.orc').readColumns([0]), is('LAKE.UNSUPPORTED_FORMAT', 'u.orc'));
  const missing = buildOrcFile(types, [{ rows: 1, streams: [] }]);
  assert.throws(() => new OrcFile(missing, 'm.orc').readColumns([0]), is('LAKE.CORRUPT_FILE', 'm.orc'));
  assert.throws(() => new OrcFile(good.subarray(0, good.length - 5), 'cut.orc'), (e: FloeError) => e.code === 'LAKE.CORRUPT_FILE');
});

test('ORC file: a Java-written Paimon data file (ZSTD, nulls, BYTE, LONG, DOUBLE, BOOLEAN, STRING)', () => {
  const file = join(ORC_DIR, 'pk_table_partial_update.db/pk_table_partial_update/bucket-0/data-0997d320-8dfc-4e5f-9bff-be9b433375d1-1.orc');
  const orc = new OrcFile(new Uint8Array(readFileSync(file)), file);
  assert.deepEqual(orc.fields.map((f) => f.fieldId), [1073741823, 1073741824, 2147483646, 2147483645, 0, 1, 2, 3, 4]);
  assert.deepEqual(
    orc.readRecords().map((r) => Object.values(r)),
    [
      [0, 1, 3, 0, 0, 1, 100, true, 'new_apple'],
      [1, 0, 4, 3, 1, 0, 122, false, null],
      [1, 1, 5, 0, 1, 1, 133.3, false, null],
      [2, 1, 6, 0, 2, 1, 144.4, true, 'orange'],
      [2, 2, 7, 3, 2, 2, 122, false, null],
    ],
  );
});

test('ORC file: a Java-written Paimon manifest (nested STRUCT, LIST<STRING>, LIST<BIGINT>, BINARY, TIMESTAMP)', () => {
  const file = join(ORC_DIR, 'pk_table_partial_update.db/pk_table_partial_update/manifest/manifest-5307a43e-6f5a-466d-81c2-9b19a38106a2-1');
  const [rec] = new OrcFile(new Uint8Array(readFileSync(file)), file).readRecords();
  const f = rec!['_FILE'] as Record<string, unknown>;
  assert.equal(f['_FILE_NAME'], 'data-0997d320-8dfc-4e5f-9bff-be9b433375d1-1.orc');
  assert.equal(f['_ROW_COUNT'], 5);
  assert.deepEqual(f['_EXTRA_FILES'], []);
  assert.equal(f['_CREATION_TIME'], 1736793059526000000n);
  assert.equal(f['_EMBEDDED_FILE_INDEX'], null);
  assert.deepEqual((f['_VALUE_STATS'] as Record<string, unknown>)['_NULL_COUNTS'], [0, 0, 0, 0, 3]);
  assert.ok(rec!['_PARTITION'] instanceof Uint8Array && Object.getPrototypeOf(rec!['_PARTITION']) === Uint8Array.prototype);
});

test('ORC file: TIMESTAMP is read as the writer zone wall clock (DST-aware); TIMESTAMP_INSTANT as the instant', () => {
  const types: TestType[] = [{ kind: K.STRUCT, subtypes: [1, 2], fieldNames: ['local', 'instant'] }, { kind: K.TIMESTAMP }, { kind: K.TIMESTAMP_INSTANT }];
  // Wall clocks 2020-07-01 12:00 (PDT, −7 h) and 2020-01-01 12:00 (PST, −8 h) written in Los Angeles: the
  // writer stores the instant minus its base, 2015-01-01 00:00 PST = 1420099200.
  const july = Date.UTC(2020, 6, 1, 12) / 1000;
  const jan = Date.UTC(2020, 0, 1, 12) / 1000;
  const stored = [july + 7 * 3600 - 1420099200, jan + 8 * 3600 - 1420099200];
  const bytes = buildOrcFile(types, [
    {
      rows: 2,
      writerTimezone: 'America/Los_Angeles',
      streams: [
        { column: 1, kind: S.DATA, bytes: intRleV2Direct(stored, true) },
        { column: 1, kind: S.SECONDARY, bytes: intRleV2Direct([0, 0], false) },
        // TIMESTAMP_INSTANT ignores the writer zone: seconds from 2015-01-01 UTC.
        { column: 2, kind: S.DATA, bytes: intRleV2Direct([july - ORC_EPOCH, jan - ORC_EPOCH], true) },
        { column: 2, kind: S.SECONDARY, bytes: intRleV2Direct([0, 0], false) },
      ],
    },
  ]);
  const [local, instant] = new OrcFile(bytes, 'la.orc').readColumns([0, 1]);
  assert.deepEqual(local, [BigInt(july) * 1000000000n, BigInt(jan) * 1000000000n]);
  assert.deepEqual(instant, [BigInt(july) * 1000000000n, BigInt(jan) * 1000000000n]);
  // A zone without DST (Asia/Shanghai, as Paimon's Java writer recorded in the fixtures) is a plain shift.
  const sh = buildOrcFile(types.slice(0, 2).map((t, i) => (i === 0 ? { ...t, subtypes: [1], fieldNames: ['local'] } : t)), [
    { rows: 1, writerTimezone: 'Asia/Shanghai', streams: [{ column: 1, kind: S.DATA, bytes: intRleV2Direct([july - ORC_EPOCH], true) }, { column: 1, kind: S.SECONDARY, bytes: intRleV2Direct([0], false) }] },
  ]);
  assert.deepEqual(new OrcFile(sh, 'sh.orc').readColumns([0]), [[BigInt(july) * 1000000000n]]);
  const bad = buildOrcFile(types.slice(0, 2).map((t, i) => (i === 0 ? { ...t, subtypes: [1], fieldNames: ['local'] } : t)), [
    { rows: 1, writerTimezone: 'Mars/Olympus', streams: [{ column: 1, kind: S.DATA, bytes: intRleV2Direct([0], true) }, { column: 1, kind: S.SECONDARY, bytes: intRleV2Direct([0], false) }] },
  ]);
  assert.throws(() => new OrcFile(bad, 'mars.orc').readColumns([0]), (e: FloeError) => e.code === 'LAKE.UNSUPPORTED_FORMAT' && /Mars\/Olympus/.test(e.message));
});
