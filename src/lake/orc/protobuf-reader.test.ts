import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir, type FloeError } from '../../common/index.js';
import { ProtobufReader, WireType } from './protobuf-reader.js';
import { decodePostScript, decodeFooter, decodeStripeFooter, OrcCompressionKind, OrcTypeKind } from './orc-metadata.js';
import { decompressOrcStream } from './orc-compression.js';
import { ProtoWriter } from './orc-test-support.js';

const corrupt = (e: FloeError): boolean => e.code === 'LAKE.CORRUPT_FILE' && /'t\.orc'/.test(e.message);

test('protobuf: varints from the protobuf spec (1, 150, 300) and a 2^53 − 1 uint64', () => {
  // field 1 = 1, field 2 = 150 (0x96 0x01), field 3 = 300 (0xac 0x02), field 4 = 2^53 − 1
  const bytes = Uint8Array.from([0x08, 0x01, 0x10, 0x96, 0x01, 0x18, 0xac, 0x02, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  const r = new ProtobufReader(bytes, 't.orc');
  const seen: [number, number, number][] = [];
  while (r.next()) seen.push([r.field, r.wireType, r.uint()]);
  assert.deepEqual(seen, [
    [1, WireType.VARINT, 1],
    [2, WireType.VARINT, 150],
    [3, WireType.VARINT, 300],
    [4, WireType.VARINT, 2 ** 53 - 1],
  ]);
});

test('protobuf: zig-zag sint, strings, nested messages, field 8000 (a 3-byte key)', () => {
  const inner = new ProtoWriter().uint(1, 7).string(2, 'ü');
  const bytes = new ProtoWriter().uint(1, 3).message(2, inner).string(8000, 'ORC').finish();
  const r = new ProtobufReader(bytes, 't.orc');
  assert.ok(r.next());
  assert.equal(r.field, 1);
  assert.equal(r.sint(), -2); // zig-zag 3 → −2
  assert.ok(r.next());
  const sub = r.message();
  assert.ok(sub.next());
  assert.equal(sub.uint(), 7);
  assert.ok(sub.next());
  assert.equal(sub.string(), 'ü');
  assert.equal(sub.next(), false);
  assert.ok(r.next());
  assert.equal(r.field, 8000);
  assert.equal(r.string(), 'ORC');
  assert.equal(r.next(), false);
});

test('protobuf: repeated varints packed and unpacked both accumulate', () => {
  const bytes = new ProtoWriter().packed(2, [1, 300, 0]).uint(2, 5).finish();
  const r = new ProtobufReader(bytes, 't.orc');
  const out: number[] = [];
  while (r.next()) r.repeatedUint(out);
  assert.deepEqual(out, [1, 300, 0, 5]);
});

test('protobuf: unknown fields of every wire type are skipped', () => {
  const w = new ProtoWriter().uint(9, 1);
  w.key(10, WireType.FIXED64);
  const head = w.finish();
  const tail = new ProtoWriter();
  tail.key(11, WireType.FIXED32);
  const t = tail.finish();
  const bytes = Uint8Array.from([...head, 1, 2, 3, 4, 5, 6, 7, 8, ...t, 9, 9, 9, 9, ...new ProtoWriter().string(12, 'skip me').uint(1, 42).finish()]);
  const r = new ProtobufReader(bytes, 't.orc');
  let value = -1;
  while (r.next()) {
    if (r.field === 1) value = r.uint();
    else r.skip();
  }
  assert.equal(value, 42);
});

test('protobuf: truncation and malformed input fail as LAKE.CORRUPT_FILE naming the file', () => {
  const r = new ProtobufReader(Uint8Array.from([0x08, 0x80]), 't.orc');
  r.next();
  assert.throws(() => r.uint(), corrupt);
  const s = new ProtobufReader(Uint8Array.from([0x12, 0x05, 0x61]), 't.orc'); // 5-byte string, 1 byte present
  s.next();
  assert.throws(() => s.string(), corrupt);
  const g = new ProtobufReader(Uint8Array.from([0x0b]), 't.orc'); // wire type 3 (group start)
  g.next();
  assert.throws(() => g.skip(), corrupt);
  assert.throws(() => new ProtobufReader(Uint8Array.from([0x00, 0x00]), 't.orc').next(), corrupt); // field 0
  const long = new ProtobufReader(Uint8Array.from([0x08, ...new Array<number>(11).fill(0xff)]), 't.orc');
  long.next();
  assert.throws(() => long.uint(), corrupt);
});

test('ORC metadata: the PostScript and (ZSTD-compressed) Footer of a Java-written Paimon data file', () => {
  const file = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/orc/pk_table_partial_update.db/pk_table_partial_update/bucket-0/data-0997d320-8dfc-4e5f-9bff-be9b433375d1-0.orc');
  const bytes = new Uint8Array(readFileSync(file));
  const psLen = bytes[bytes.length - 1]!;
  const ps = decodePostScript(bytes.subarray(bytes.length - 1 - psLen, bytes.length - 1), file);
  assert.deepEqual(ps, { footerLength: 316, compression: OrcCompressionKind.ZSTD, compressionBlockSize: 262144, version: [0, 12], metadataLength: 120, writerVersion: 9, magic: 'ORC' });
  const footerStart = bytes.length - 1 - psLen - ps.footerLength;
  const footer = decodeFooter(decompressOrcStream(bytes.subarray(footerStart, bytes.length - 1 - psLen), ps.compression, file), file);
  assert.equal(footer.numberOfRows, 3);
  assert.equal(footer.stripes.length, 1);
  assert.equal(footer.types.length, 10);
  assert.deepEqual(footer.types[0]!.fieldNames, ['_KEY_k0', '_KEY_k1', '_SEQUENCE_NUMBER', '_VALUE_KIND', 'k0', 'k1', 'v0', 'v1', 'v2']);
  assert.deepEqual(
    footer.types.slice(1).map((t) => t.kind),
    [OrcTypeKind.INT, OrcTypeKind.INT, OrcTypeKind.LONG, OrcTypeKind.BYTE, OrcTypeKind.INT, OrcTypeKind.INT, OrcTypeKind.DOUBLE, OrcTypeKind.BOOLEAN, OrcTypeKind.STRING],
  );
  assert.equal(footer.types[5]!.attributes.get('paimon.id'), '0');
});

test('ORC metadata: Footer and StripeFooter fields round-trip through the decoder', () => {
  const type = new ProtoWriter().uint(1, OrcTypeKind.DECIMAL).uint(5, 23).uint(6, 5).message(7, new ProtoWriter().string(1, 'paimon.id').string(2, '7'));
  const root = new ProtoWriter().uint(1, OrcTypeKind.STRUCT).packed(2, [1]).string(3, 'd');
  const stripe = new ProtoWriter().uint(1, 3).uint(2, 10).uint(3, 200).uint(4, 30).uint(5, 1000);
  const footer = decodeFooter(new ProtoWriter().uint(1, 3).uint(2, 243).message(3, stripe).message(4, root).message(4, type).uint(6, 1000).uint(8, 10000).finish(), 't.orc');
  assert.equal(footer.numberOfRows, 1000);
  assert.equal(footer.rowIndexStride, 10000);
  assert.deepEqual(footer.stripes, [{ offset: 3, indexLength: 10, dataLength: 200, footerLength: 30, numberOfRows: 1000 }]);
  assert.deepEqual(footer.types[0]!.subtypes, [1]);
  assert.deepEqual(footer.types[0]!.fieldNames, ['d']);
  assert.equal(footer.types[1]!.precision, 23);
  assert.equal(footer.types[1]!.scale, 5);
  assert.equal(footer.types[1]!.attributes.get('paimon.id'), '7');
  const sf = decodeStripeFooter(
    new ProtoWriter()
      .message(1, new ProtoWriter().uint(1, 0).uint(2, 1).uint(3, 4))
      .message(1, new ProtoWriter().uint(1, 1).uint(2, 1).uint(3, 9))
      .message(2, new ProtoWriter().uint(1, 0))
      .message(2, new ProtoWriter().uint(1, 3).uint(2, 17))
      .string(3, 'Asia/Shanghai')
      .finish(),
    't.orc',
  );
  assert.deepEqual(sf.streams, [{ kind: 0, column: 1, length: 4 }, { kind: 1, column: 1, length: 9 }]);
  assert.deepEqual(sf.columns, [{ kind: 0, dictionarySize: 0 }, { kind: 3, dictionarySize: 17 }]);
  assert.equal(sf.writerTimezone, 'Asia/Shanghai');
  assert.throws(() => decodePostScript(new ProtoWriter().uint(2, 1).finish(), 't.orc'), corrupt);
});
