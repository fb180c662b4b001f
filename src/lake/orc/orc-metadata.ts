/**
 * The ORC metadata messages Floe reads (ORC specification v1, `orc_proto.proto`), decoded with
 * `ProtobufReader`. Only the fields a reader needs are kept; statistics, user metadata, encryption and
 * row indexes are skipped.
 *
 * Field numbers (from the spec):
 * - PostScript: 1 footerLength, 2 compression, 3 compressionBlockSize, 4 version (packed), 5 metadataLength,
 *   6 writerVersion, 7 stripeStatisticsLength, 8000 magic.
 * - Footer: 1 headerLength, 2 contentLength, 3 stripes, 4 types, 5 metadata, 6 numberOfRows, 7 statistics,
 *   8 rowIndexStride, 9 writer.
 * - StripeInformation: 1 offset, 2 indexLength, 3 dataLength, 4 footerLength, 5 numberOfRows.
 * - Type: 1 kind, 2 subtypes (packed), 3 fieldNames, 4 maximumLength, 5 precision, 6 scale, 7 attributes.
 * - StripeFooter: 1 streams, 2 columns, 3 writerTimezone. Stream: 1 kind, 2 column, 3 length.
 *   ColumnEncoding: 1 kind, 2 dictionarySize.
 */
import { ioError } from '../../common/index.js';
import { ProtobufReader } from './protobuf-reader.js';

/** `PostScript.compression`. */
export const OrcCompressionKind = { NONE: 0, ZLIB: 1, SNAPPY: 2, LZO: 3, LZ4: 4, ZSTD: 5 } as const;

/** `Type.kind`. */
export const OrcTypeKind = {
  BOOLEAN: 0,
  BYTE: 1,
  SHORT: 2,
  INT: 3,
  LONG: 4,
  FLOAT: 5,
  DOUBLE: 6,
  STRING: 7,
  BINARY: 8,
  TIMESTAMP: 9,
  LIST: 10,
  MAP: 11,
  STRUCT: 12,
  UNION: 13,
  DECIMAL: 14,
  DATE: 15,
  VARCHAR: 16,
  CHAR: 17,
  TIMESTAMP_INSTANT: 18,
} as const;

/** `Stream.kind` (data-area kinds; index kinds are skipped by the reader). */
export const OrcStreamKind = {
  PRESENT: 0,
  DATA: 1,
  LENGTH: 2,
  DICTIONARY_DATA: 3,
  DICTIONARY_COUNT: 4,
  SECONDARY: 5,
  ROW_INDEX: 6,
  BLOOM_FILTER: 7,
  BLOOM_FILTER_UTF8: 8,
} as const;

/** `ColumnEncoding.kind`: *_V2 kinds use integer RLE v2, the others v1. */
export const OrcEncodingKind = { DIRECT: 0, DICTIONARY: 1, DIRECT_V2: 2, DICTIONARY_V2: 3 } as const;

export interface OrcPostScript {
  readonly footerLength: number;
  readonly compression: number;
  /** Largest uncompressed size of one compression chunk (default 256 KiB). */
  readonly compressionBlockSize: number;
  readonly version: readonly number[];
  readonly metadataLength: number;
  readonly writerVersion: number;
  readonly magic: string;
}

export interface OrcStripeInformation {
  readonly offset: number;
  readonly indexLength: number;
  readonly dataLength: number;
  readonly footerLength: number;
  readonly numberOfRows: number;
}

export interface OrcType {
  readonly kind: number;
  /** Column ids of the children (STRUCT fields, LIST element, MAP key and value). */
  readonly subtypes: readonly number[];
  readonly fieldNames: readonly string[];
  readonly maximumLength: number | undefined;
  readonly precision: number | undefined;
  readonly scale: number | undefined;
  /** Type attributes, e.g. Paimon's `paimon.id` field id. */
  readonly attributes: ReadonlyMap<string, string>;
}

export interface OrcFooter {
  readonly headerLength: number;
  readonly contentLength: number;
  readonly stripes: readonly OrcStripeInformation[];
  /** Types in column-id order: types[0] is the root STRUCT, then a pre-order walk of the tree. */
  readonly types: readonly OrcType[];
  readonly numberOfRows: number;
  readonly rowIndexStride: number;
}

export interface OrcStream {
  readonly kind: number;
  readonly column: number;
  readonly length: number;
}

export interface OrcColumnEncoding {
  readonly kind: number;
  readonly dictionarySize: number;
}

export interface OrcStripeFooter {
  readonly streams: readonly OrcStream[];
  /** Encodings by column id. */
  readonly columns: readonly OrcColumnEncoding[];
  readonly writerTimezone: string | undefined;
}

export function decodePostScript(bytes: Uint8Array, file: string): OrcPostScript {
  const r = new ProtobufReader(bytes, file);
  let footerLength = -1;
  let compression = OrcCompressionKind.NONE as number;
  let compressionBlockSize = 256 * 1024;
  const version: number[] = [];
  let metadataLength = 0;
  let writerVersion = 0;
  let magic = '';
  while (r.next()) {
    switch (r.field) {
      case 1:
        footerLength = r.uint();
        break;
      case 2:
        compression = r.uint();
        break;
      case 3:
        compressionBlockSize = r.uint();
        break;
      case 4:
        r.repeatedUint(version);
        break;
      case 5:
        metadataLength = r.uint();
        break;
      case 6:
        writerVersion = r.uint();
        break;
      case 8000:
        magic = r.string();
        break;
      default:
        r.skip();
    }
  }
  if (footerLength < 0) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a PostScript without footerLength`);
  return { footerLength, compression, compressionBlockSize, version, metadataLength, writerVersion, magic };
}

function decodeStripeInformation(r: ProtobufReader): OrcStripeInformation {
  let offset = 0;
  let indexLength = 0;
  let dataLength = 0;
  let footerLength = 0;
  let numberOfRows = 0;
  while (r.next()) {
    switch (r.field) {
      case 1:
        offset = r.uint();
        break;
      case 2:
        indexLength = r.uint();
        break;
      case 3:
        dataLength = r.uint();
        break;
      case 4:
        footerLength = r.uint();
        break;
      case 5:
        numberOfRows = r.uint();
        break;
      default:
        r.skip();
    }
  }
  return { offset, indexLength, dataLength, footerLength, numberOfRows };
}

function decodeType(r: ProtobufReader): OrcType {
  let kind = -1;
  const subtypes: number[] = [];
  const fieldNames: string[] = [];
  let maximumLength: number | undefined;
  let precision: number | undefined;
  let scale: number | undefined;
  const attributes = new Map<string, string>();
  while (r.next()) {
    switch (r.field) {
      case 1:
        kind = r.uint();
        break;
      case 2:
        r.repeatedUint(subtypes);
        break;
      case 3:
        fieldNames.push(r.string());
        break;
      case 4:
        maximumLength = r.uint();
        break;
      case 5:
        precision = r.uint();
        break;
      case 6:
        scale = r.uint();
        break;
      case 7: {
        // StringPair { 1 key, 2 value }
        const pair = r.message();
        let key = '';
        let value = '';
        while (pair.next()) {
          if (pair.field === 1) key = pair.string();
          else if (pair.field === 2) value = pair.string();
          else pair.skip();
        }
        attributes.set(key, value);
        break;
      }
      default:
        r.skip();
    }
  }
  return { kind, subtypes, fieldNames, maximumLength, precision, scale, attributes };
}

export function decodeFooter(bytes: Uint8Array, file: string): OrcFooter {
  const r = new ProtobufReader(bytes, file);
  let headerLength = 0;
  let contentLength = 0;
  const stripes: OrcStripeInformation[] = [];
  const types: OrcType[] = [];
  let numberOfRows = 0;
  let rowIndexStride = 0;
  while (r.next()) {
    switch (r.field) {
      case 1:
        headerLength = r.uint();
        break;
      case 2:
        contentLength = r.uint();
        break;
      case 3:
        stripes.push(decodeStripeInformation(r.message()));
        break;
      case 4:
        types.push(decodeType(r.message()));
        break;
      case 6:
        numberOfRows = r.uint();
        break;
      case 8:
        rowIndexStride = r.uint();
        break;
      default:
        r.skip();
    }
  }
  return { headerLength, contentLength, stripes, types, numberOfRows, rowIndexStride };
}

export function decodeStripeFooter(bytes: Uint8Array, file: string): OrcStripeFooter {
  const r = new ProtobufReader(bytes, file);
  const streams: OrcStream[] = [];
  const columns: OrcColumnEncoding[] = [];
  let writerTimezone: string | undefined;
  while (r.next()) {
    switch (r.field) {
      case 1: {
        const s = r.message();
        let kind = -1;
        let column = 0;
        let length = 0;
        while (s.next()) {
          if (s.field === 1) kind = s.uint();
          else if (s.field === 2) column = s.uint();
          else if (s.field === 3) length = s.uint();
          else s.skip();
        }
        streams.push({ kind, column, length });
        break;
      }
      case 2: {
        const c = r.message();
        let kind = OrcEncodingKind.DIRECT as number;
        let dictionarySize = 0;
        while (c.next()) {
          if (c.field === 1) kind = c.uint();
          else if (c.field === 2) dictionarySize = c.uint();
          else c.skip();
        }
        columns.push({ kind, dictionarySize });
        break;
      }
      case 3:
        writerTimezone = r.string();
        break;
      default:
        r.skip();
    }
  }
  return { streams, columns, writerTimezone };
}
