/**
 * Writes Avro object-container files (manifests, manifest lists) with a given writer schema.
 *
 * Layout: magic `Obj\x01`, a metadata map (`avro.schema`, `avro.codec`), a 16-byte sync marker, then
 * blocks of (record count, byte size, bytes, sync). All records go into one block: Paimon's metadata
 * files are small. Codec `deflate` (raw RFC 1951, what Avro's Java DeflateCodec reads) or `null`; the
 * codec is recorded in the header, and Paimon Java reads any standard codec (its own default is zstd).
 *
 * Longs are given as bigint (or safe-integer numbers) and written through `BigIntLongType`, the same
 * registry the reader uses, so 64-bit values keep all their bits.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { internalError } from '../common/index.js';
import { BigIntLongType } from './avro-container.js';

export type AvroWriteCodec = 'null' | 'deflate';

const MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]);

/** Zig-zag varint of a long (the values here are counts and sizes, far below 2^53). */
function zigzag(n: number, out: number[]): void {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function bytesField(b: Uint8Array, out: number[]): void {
  zigzag(b.length, out);
  for (let i = 0; i < b.length; i++) out.push(b[i]!);
}

/** A compiled writer schema, reusable across files. */
export function avroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: BigIntLongType },
    wrapUnions: false,
  } as Partial<avro.ForSchemaOptions>);
}

/** Encodes `records` into a complete object-container file. */
export function writeAvroContainer(schema: unknown, type: avro.Type, records: readonly unknown[], codec: AvroWriteCodec = 'deflate'): Uint8Array {
  const parts: Buffer[] = [];
  for (const r of records) {
    if (!type.isValid(r)) throw internalError(`record does not match its Avro schema: ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
    parts.push(type.toBuffer(r));
  }
  const raw = Buffer.concat(parts);
  const block = codec === 'deflate' ? deflateRawSync(raw) : raw;
  const enc = new TextEncoder();
  const sync = randomBytes(16);
  const head: number[] = [...MAGIC];
  zigzag(2, head);
  bytesField(enc.encode('avro.schema'), head);
  bytesField(enc.encode(JSON.stringify(schema)), head);
  bytesField(enc.encode('avro.codec'), head);
  bytesField(enc.encode(codec), head);
  zigzag(0, head);
  const blockHead: number[] = [];
  if (records.length > 0) {
    zigzag(records.length, blockHead);
    zigzag(block.length, blockHead);
  }
  const out = new Uint8Array(head.length + 16 + (records.length > 0 ? blockHead.length + block.length + 16 : 0));
  let p = 0;
  out.set(head, p);
  p += head.length;
  out.set(sync, p);
  p += 16;
  if (records.length > 0) {
    out.set(blockHead, p);
    p += blockHead.length;
    out.set(block, p);
    p += block.length;
    out.set(sync, p);
  }
  return out;
}
