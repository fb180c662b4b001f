/**
 * Manifest, manifest-list, snapshot and data-type decoding against the standalone files of the fixture
 * set (Paimon 0.9 and 1.1 Java, zstandard and snappy codecs, both top-level Avro schema forms).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { readFileSync, readdirSync } from 'node:fs';
import { Types, formatType } from '../types/index.js';
import { deserializeBinaryRow } from './binary-row.js';
import { FileKind, decodeManifest, decodeManifestList, mergeManifestEntries, type ManifestEntry } from './manifest.js';
import { parsePaimonType } from './paimon-data-type.js';
import { parseSnapshot } from './snapshot.js';
import { readDataFile } from './data-file-reader.js';
import { parseTableSchema } from './table-schema.js';

const CPP = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/avro/');
const RUST = join(sharedDataDir(), 'paimon-testdata/paimon-rust/crates/paimon/tests/fixtures/');
const read = (p: string): Uint8Array => readFileSync(p);

test('manifest: Paimon 0.9 (union schema) and 1.1 (record schema), zstandard', () => {
  for (const [name, file, size, created] of [
    ['avro_manifest_09', 'data-dd28db13-', 1625, 1754496160777],
    ['avro_manifest_11', 'data-0ff223ba-', 1615, 1754048761150],
  ] as const) {
    const entries = decodeManifest(read(CPP + 'manifest/' + name), name);
    assert.equal(entries.length, 1);
    const e = entries[0]!;
    assert.equal(e.kind, FileKind.ADD);
    assert.equal(e.bucket, 0);
    assert.equal(e.totalBuckets, -1);
    assert.ok(e.file.fileName.startsWith(file) && e.file.fileName.endsWith('.avro'));
    assert.equal(e.file.fileSize, size);
    assert.equal(e.file.rowCount, 3);
    assert.deepEqual([e.file.minSequenceNumber, e.file.maxSequenceNumber, e.file.schemaId, e.file.level], [0, 2, 0, 0]);
    assert.equal(e.file.creationTime, created);
    assert.deepEqual(e.file.valueStats?.nullCounts, [1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 2]);
    assert.equal(e.file.valueStatsCols, null);
    assert.equal(e.file.externalPath, null);
    // Value stats are BinaryRows over the 16 columns of avro/data/avro_all_types; nested ones are NULL.
    const types = [
      Types.boolean(), Types.tinyint(), Types.smallint(), Types.int(), Types.bigint(), Types.float(), Types.double(), Types.string(), Types.bytes(),
      Types.array(Types.float()), Types.row([]), Types.timestamp(6), Types.date(), Types.decimal(2, 2), Types.decimal(10, 10), Types.decimal(19, 19),
    ];
    const min = deserializeBinaryRow(e.file.valueStats!.minValues, types, 'min');
    const max = deserializeBinaryRow(e.file.valueStats!.maxValues, types, 'max');
    assert.deepEqual(min.slice(0, 5), [false, -128, -32768, -2147483648, -9999999999999]);
    assert.deepEqual(max.slice(0, 5), [true, 127, 32767, 2147483647, 9999999999999]);
    assert.equal(min[5], Math.fround(-1234.56));
    assert.equal(max[6], 1234567890.0987654);
    assert.deepEqual([min[7], max[7], min[8], min[9], min[10]], ['aa', 'aa', null, null, null]);
    assert.deepEqual([min[11], max[11], min[12], max[12]], [123123.123, 999999.999, 2456, 2456]);
    assert.deepEqual([min[13], max[13]], [-22n, 22n]);
  }
});

test('manifest list: 0.9 and 1.1 forms', () => {
  const l09 = decodeManifestList(read(CPP + 'manifest/avro_manifest_list_09'), 'l09');
  const l11 = decodeManifestList(read(CPP + 'manifest/avro_manifest_list_11'), 'l11');
  assert.deepEqual(l09.map((m) => [m.fileName.slice(0, 18), m.fileSize, m.numAddedFiles, m.numDeletedFiles, m.schemaId, m.minBucket]), [['manifest-b09d5588-', 2010, 1, 0, 0, undefined]]);
  assert.deepEqual(l11.map((m) => [m.fileName.slice(0, 18), m.fileSize, m.minBucket, m.maxBucket, m.minLevel, m.maxLevel]), [['manifest-3c977409-', 2081, 0, 0, 0, 0]]);
});

test('manifest: production manifest with 30 entries over 6 buckets', () => {
  const entries = decodeManifest(read(CPP + 'manifest/manifest'), 'manifest');
  assert.equal(entries.length, 30);
  assert.deepEqual([...new Set(entries.map((e) => e.bucket))].sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(entries.every((e) => e.totalBuckets === 6 && e.file.fileName.endsWith('.aliorc')));
});

test('manifest: paimon-rust snappy manifest and manifest list', () => {
  const dir = RUST + 'manifest/';
  const [manifest, list] = readdirSync(dir).sort();
  const entries = decodeManifest(read(dir + manifest!), manifest!);
  assert.deepEqual(entries.map((e) => [e.kind, e.file.fileName, e.bucket, e.totalBuckets]), [
    [FileKind.DELETE, 'f1.parquet', 1, 10],
    [FileKind.ADD, 'f2.parquet', 2, 10],
  ]);
  assert.equal(entries[0]!.file.level, 1);
  assert.equal(entries[1]!.file.deleteRowCount, 1);
  assert.equal(decodeManifestList(read(dir + list!), list!).length, 2);
  assert.throws(() => decodeManifestList(read(dir + manifest!), manifest!), (e: Error & { code?: string }) => e.code === 'LAKE.CORRUPT_FILE');
  assert.throws(() => decodeManifest(new Uint8Array([1, 2, 3, 4, 5]), 'junk'), /not an Avro object-container file/);
});

test('mergeManifestEntries: ADD minus DELETE, in order', () => {
  const entry = (kind: FileKind, name: string, bucket = 0): ManifestEntry =>
    ({ kind, partition: new Uint8Array([0, 0, 0, 0]), bucket, totalBuckets: 1, file: { fileName: name } }) as unknown as ManifestEntry;
  const live = mergeManifestEntries([entry(0, 'a'), entry(0, 'b'), entry(1, 'a'), entry(0, 'c'), entry(1, 'b', 1), entry(1, 'c'), entry(0, 'c')]);
  assert.deepEqual(live.map((e) => e.file.fileName), ['b', 'c']);
  assert.deepEqual(mergeManifestEntries([]), []);
});

test('snapshot JSON: all fields, missing fields, exact commitIdentifier', () => {
  const full = parseSnapshot(readFileSync(RUST + 'snapshot/snapshot-v3.json', 'utf8'), 'v3');
  assert.equal(full.commitIdentifier, 9223372036854775807n);
  assert.equal(full.changelogManifestList, 'manifest-list-ea4b892d-edc8-4ee7-9eee-7068b83a947b-2');
  assert.equal(full.statistics, 'statistics_string');
  assert.equal(full.indexManifest, undefined);
  const none = parseSnapshot(readFileSync(RUST + 'snapshot/snapshot-v3-none-field.json', 'utf8'), 'none');
  assert.equal(none.changelogManifestList, undefined);
  assert.equal(none.statistics, undefined);
  assert.equal(none.nextRowId, undefined);
  assert.throws(() => parseSnapshot('{"id": 1}', 'bad'), (e: Error & { code?: string }) => e.code === 'LAKE.CORRUPT_FILE');
  assert.throws(() => parseSnapshot('not json', 'bad'), /not valid JSON/);
});

test('Paimon data types from schema JSON (paimon-rust fixtures)', () => {
  const t = (f: string): string => formatType(parsePaimonType(JSON.parse(readFileSync(RUST + f, 'utf8'))));
  assert.equal(t('decimal_type.json'), 'DECIMAL(10, 2) NOT NULL');
  assert.equal(t('local_zoned_timestamp_type_nullable.json'), 'TIMESTAMP_LTZ(6)');
  assert.equal(t('map_type_nullable.json'), 'MAP<VARCHAR(20), INT>');
  assert.equal(t('multiset_type.json'), 'MAP<INT NOT NULL, INT NOT NULL> NOT NULL');
  assert.equal(t('row_type.json'), 'ROW<`a` INT NOT NULL, `b` VARCHAR(20) NOT NULL> NOT NULL');
  assert.equal(t('time_type.json'), 'TIME(9) NOT NULL');
  assert.equal(t('varbinary_type_nullable.json'), 'VARBINARY(233)');
  assert.ok(t('highly_complex_nested_row_type.json').startsWith('ROW<`outer_row1` ROW<`middle1_decimal` DECIMAL(12, 3)'));
  assert.throws(() => parsePaimonType('WIBBLE'), (e: Error & { code?: string }) => e.code === 'LAKE.BAD_DATA_TYPE');
  const schema = parseTableSchema('{"id": 3, "fields": [{"id": 0, "name": "a", "type": "INT NOT NULL"}], "primaryKeys": ["a"], "options": {"bucket": 4}}', 's');
  assert.deepEqual([schema.id, schema.highestFieldId, schema.options['bucket'], schema.partitionKeys.length], [3, 0, '4', 0]);
  assert.throws(() => parseTableSchema('{"id": 0, "fields": [], "primaryKeys": ["x"]}', 's'), /names key column 'x'/);
});

test('Avro data files: all primitive, nested, timestamp and decimal types; primary-key layout', async () => {
  const all = await readDataFile(read(CPP + 'data/avro_all_types'), 'avro_all_types', 'avro', [
    { id: 0, name: 'f0', type: Types.boolean() },
    { id: 4, name: 'f4', type: Types.bigint() },
    { id: 8, name: 'f8', type: Types.bytes() },
    { id: 10, name: 'f10', type: Types.array(Types.float()) },
    { id: 11, name: 'f11', type: Types.row([{ name: 'f0', type: Types.boolean() }, { name: 'f1', type: Types.bigint() }]) },
    { id: 12, name: 'f12', type: Types.timestamp(6) },
    { id: 13, name: 'f13', type: Types.date() },
    { id: 14, name: 'f14', type: Types.decimal(2, 2) },
    { id: 16, name: 'f16', type: Types.decimal(19, 19) },
    { id: 99, name: 'missing', type: Types.int() },
  ]);
  assert.equal(all.numRows, 3);
  assert.deepEqual(all.columns.get(0), [true, false, null]);
  assert.deepEqual(all.columns.get(4), [9999999999999, -9999999999999, null]);
  assert.deepEqual(all.columns.get(8), [new Uint8Array([113, 113]), new Uint8Array([119, 119]), null]);
  assert.deepEqual(all.columns.get(10)![1], [Math.fround(-0.1), Math.fround(-0.2), null, Math.fround(0.3), Math.fround(0.4)]);
  assert.deepEqual(all.columns.get(11), [[true, null], [null, 2], null]);
  assert.deepEqual(all.columns.get(12), [123123.123, 999999.999, null]);
  assert.deepEqual(all.columns.get(13), [2456, null, null]);
  assert.deepEqual(all.columns.get(14), [22n, -22n, null]);
  assert.equal(typeof all.columns.get(16)![0], 'bigint');
  assert.deepEqual(all.columns.get(99), [null, null, null]);
  const pk = await readDataFile(read(CPP + 'data/avro_with_null'), 'avro_with_null', 'avro', [
    { id: 2147483646, name: '_SEQUENCE_NUMBER', type: Types.bigint(false) },
    { id: 2147483645, name: '_VALUE_KIND', type: Types.tinyint(false) },
    { id: 0, name: 'f0', type: Types.string() },
    { id: 2, name: 'f2', type: Types.int() },
  ]);
  assert.deepEqual(pk.columns.get(2147483646), [2, 3, 1]);
  assert.deepEqual(pk.columns.get(2147483645), [3, 3, 0]);
  assert.deepEqual(pk.columns.get(0), ['Alex', 'Bob', 'Evan']);
  assert.deepEqual(pk.columns.get(2), [18, 19, null]);
  await assert.rejects(readDataFile(new Uint8Array(4), 'x.orc', 'orc', []), (e: Error & { code?: string }) => e.code === 'LAKE.CORRUPT_FILE' && /'x\.orc'/.test(e.message));
  await assert.rejects(readDataFile(new Uint8Array(4), 'x.lance', 'lance', []), (e: Error & { code?: string }) => e.code === 'LAKE.UNSUPPORTED_FORMAT' && /'x\.lance'/.test(e.message));
});
