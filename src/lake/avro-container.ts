/**
 * Reads Avro object-container files (Paimon manifests, manifest lists, index manifests and Avro data
 * files) from bytes already fetched from an `ObjectStore`.
 *
 * Records are decoded with `avsc` against the writer schema stored in the file header. Avro `long`
 * values decode as `bigint` so 64-bit fields (sequence numbers, commit identifiers, BIGINT data) keep
 * all their bits; callers narrow them where the Floe value table asks for a JS number.
 *
 * Block codecs: `null`, `deflate`, `zstandard` (Paimon's default for manifests) and `snappy` (each
 * block ends with a 4-byte CRC32 of the uncompressed data, which is not verified here).
 */
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { decompress as zstdDecompress } from 'fzstd';
import { snappyUncompress } from 'hyparquet';
import { ioError, unsupported } from '../common/index.js';

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj" 1

/** `long` as bigint: Avro longs are 64-bit and JS numbers are exact only to 2^53. */
export const BigIntLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: number | bigint) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

export interface AvroContainer {
  /** The writer schema from the header (JSON). */
  readonly schema: unknown;
  readonly codec: string;
  readonly records: unknown[];
}

/** Cursor over a byte array for the few header/block fields decoded by hand. */
class ByteCursor {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly file: string) {}

  /** Zig-zag varint long; block counts and sizes are far below 2^53. */
  readLong(): number {
    let result = 0;
    let shift = 1;
    let b: number;
    do {
      if (this.pos >= this.bytes.length) throw truncated(this.file);
      b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * shift;
      shift *= 128;
    } while (b & 0x80);
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  readBytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) throw truncated(this.file);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function truncated(file: string): Error {
  return ioError('LAKE.CORRUPT_FILE', `Avro file '${file}' is truncated or corrupt`);
}

const utf8 = new TextDecoder();

/** Decodes every record of an Avro object-container file. `file` names it in errors. */
export function readAvroContainer(bytes: Uint8Array, file: string): AvroContainer {
  const cur = new ByteCursor(bytes, file);
  const magic = cur.readBytes(4);
  for (let i = 0; i < 4; i++) {
    if (magic[i] !== MAGIC[i]) throw ioError('LAKE.CORRUPT_FILE', `'${file}' is not an Avro object-container file (bad magic)`);
  }
  const meta = new Map<string, Uint8Array>();
  for (;;) {
    let count = cur.readLong();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      cur.readLong(); // block byte size, not needed
    }
    for (let i = 0; i < count; i++) {
      const key = utf8.decode(cur.readBytes(cur.readLong()));
      meta.set(key, cur.readBytes(cur.readLong()));
    }
  }
  const sync = cur.readBytes(16);
  const schemaBytes = meta.get('avro.schema');
  if (schemaBytes === undefined) throw ioError('LAKE.CORRUPT_FILE', `Avro file '${file}' has no avro.schema in its header`);
  const schema: unknown = JSON.parse(utf8.decode(schemaBytes));
  const codecBytes = meta.get('avro.codec');
  const codec = codecBytes === undefined ? 'null' : utf8.decode(codecBytes);
  const type = avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: BigIntLongType },
    wrapUnions: false,
  } as Partial<avro.ForSchemaOptions>);
  const records: unknown[] = [];
  while (cur.pos < bytes.length) {
    const count = cur.readLong();
    const size = cur.readLong();
    const block = decompressBlock(codec, cur.readBytes(size), file);
    const marker = cur.readBytes(16);
    for (let i = 0; i < 16; i++) if (marker[i] !== sync[i]) throw truncated(file);
    const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const res = type.decode(buf, pos);
      if (res.offset < 0) throw truncated(file);
      records.push(res.value);
      pos = res.offset;
    }
  }
  return { schema, codec, records };
}

function decompressBlock(codec: string, data: Uint8Array, file: string): Uint8Array {
  switch (codec) {
    case 'null':
      return data;
    case 'deflate':
      return inflateRawSync(data);
    case 'zstandard':
      return zstdDecompress(data);
    case 'snappy': {
      // The block is a raw snappy stream followed by a 4-byte big-endian CRC32 of the uncompressed bytes.
      const body = data.subarray(0, data.length - 4);
      const out = new Uint8Array(snappyLength(body, file));
      snappyUncompress(body, out);
      return out;
    }
    default:
      throw unsupported('LAKE.UNSUPPORTED_CODEC', `Avro file '${file}' uses codec '${codec}', which Floe cannot read`, {
        help: 'supported Avro codecs: null, deflate, zstandard, snappy',
      });
  }
}

/** The uncompressed length that starts a snappy stream (unsigned varint). */
function snappyLength(data: Uint8Array, file: string): number {
  let result = 0;
  let shift = 1;
  for (let i = 0; i < 5; i++) {
    const b = data[i];
    if (b === undefined) throw truncated(file);
    result += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) return result;
    shift *= 128;
  }
  throw truncated(file);
}
