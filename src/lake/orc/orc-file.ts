/**
 * An ORC file held in memory: its tail (PostScript, Footer) is decoded on open; `readColumns` decodes
 * chosen top-level columns over all stripes.
 *
 * File layout (ORC spec v1, "File Tail"): `"ORC"` header, stripes, metadata, footer, PostScript, and one
 * final byte holding the PostScript's length. Footer and metadata are compressed with the PostScript's
 * codec. Each stripe holds index streams, data streams and a stripe footer listing every stream (in
 * file order, starting at the stripe's offset) and each column's encoding.
 */
import { ioError, unsupported } from '../../common/index.js';
import { readColumn, streamKey, type StripeData, type StructForm } from './column-reader.js';
import { checkOrcCompression, decompressOrcStream } from './orc-compression.js';
import {
  decodeFooter,
  decodePostScript,
  decodeStripeFooter,
  OrcStreamKind,
  OrcTypeKind,
  type OrcFooter,
  type OrcPostScript,
  type OrcType,
} from './orc-metadata.js';

const MAGIC = [0x4f, 0x52, 0x43]; // "ORC"

/** True when `bytes` start with the ORC magic (how ORC manifests are told from Avro ones). */
export function isOrcFile(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === MAGIC[0] && bytes[1] === MAGIC[1] && bytes[2] === MAGIC[2];
}

/** One top-level column: its position, name, column id and Paimon field id (`paimon.id`) if written. */
export interface OrcTopLevelField {
  readonly index: number;
  readonly name: string;
  readonly column: number;
  readonly fieldId: number | undefined;
  readonly type: OrcType;
}

export class OrcFile {
  readonly postScript: OrcPostScript;
  readonly footer: OrcFooter;
  readonly fields: readonly OrcTopLevelField[];

  /** Decodes the tail of `bytes`; `file` names the file in errors. */
  constructor(
    private readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    if (!isOrcFile(bytes) || bytes.length < 4) throw ioError('LAKE.CORRUPT_FILE', `'${file}' is not an ORC file (no "ORC" magic)`);
    const psLen = bytes[bytes.length - 1]!;
    const psStart = bytes.length - 1 - psLen;
    if (psStart < 3) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a PostScript longer than the file`);
    this.postScript = decodePostScript(bytes.subarray(psStart, bytes.length - 1), file);
    checkOrcCompression(this.postScript.compression, file);
    const footerStart = psStart - this.postScript.footerLength;
    if (footerStart < 3) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a footer longer than the file`);
    this.footer = decodeFooter(decompressOrcStream(bytes.subarray(footerStart, psStart), this.postScript.compression, file), file);
    const root = this.footer.types[0];
    if (root === undefined || root.kind !== OrcTypeKind.STRUCT) {
      throw unsupported('LAKE.UNSUPPORTED_FORMAT', `ORC file '${file}' has no STRUCT root type, which Floe cannot read as rows`);
    }
    this.fields = root.subtypes.map((column, index) => {
      const type = this.footer.types[column];
      if (type === undefined) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' names column ${column}, which its footer lacks`);
      const id = type.attributes.get('paimon.id');
      return { index, name: root.fieldNames[index] ?? `_col${index}`, column, fieldId: id === undefined ? undefined : Number(id), type };
    });
  }

  get numRows(): number {
    return this.footer.numberOfRows;
  }

  /**
   * Values of the top-level fields at `indexes` (positions in `fields`), one array per index, each with
   * `numRows` values (null = NULL) in the form `column-reader.ts` describes.
   */
  readColumns(indexes: readonly number[], structForm: StructForm = 'array'): unknown[][] {
    const out = indexes.map(() => [] as unknown[]);
    if (indexes.length === 0) return out;
    const wanted = new Set<number>();
    for (const i of indexes) {
      const f = this.fields[i];
      if (f === undefined) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${this.file}' has no top-level field #${i}`);
      this.collectColumns(f.column, wanted);
    }
    for (const stripe of this.footer.stripes) {
      const data = this.stripeData(stripe.offset, stripe.indexLength, stripe.dataLength, stripe.footerLength, wanted, structForm);
      for (let k = 0; k < indexes.length; k++) {
        const values = readColumn(data, this.fields[indexes[k]!]!.column, stripe.numberOfRows);
        const dst = out[k]!;
        for (let r = 0; r < values.length; r++) dst.push(values[r]);
      }
    }
    return out;
  }

  /** All rows as objects keyed by top-level field name (structs nested as objects too). */
  readRecords(): Record<string, unknown>[] {
    const indexes = this.fields.map((f) => f.index);
    const cols = this.readColumns(indexes, 'object');
    const n = cols.length === 0 ? 0 : cols[0]!.length;
    const rows = new Array<Record<string, unknown>>(n);
    for (let r = 0; r < n; r++) {
      const rec: Record<string, unknown> = {};
      for (let k = 0; k < indexes.length; k++) rec[this.fields[k]!.name] = cols[k]![r];
      rows[r] = rec;
    }
    return rows;
  }

  /** Column ids of a subtree (types are numbered in pre-order, but the subtype lists are authoritative). */
  private collectColumns(column: number, into: Set<number>): void {
    into.add(column);
    const type = this.footer.types[column];
    if (type !== undefined) for (const c of type.subtypes) this.collectColumns(c, into);
  }

  private stripeData(offset: number, indexLength: number, dataLength: number, footerLength: number, wanted: ReadonlySet<number>, structForm: StructForm): StripeData {
    const file = this.file;
    const footerStart = offset + indexLength + dataLength;
    if (footerStart + footerLength > this.bytes.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a stripe running past the end of the file`);
    const codec = this.postScript.compression;
    const sf = decodeStripeFooter(decompressOrcStream(this.bytes.subarray(footerStart, footerStart + footerLength), codec, file), file);
    const streams = new Map<number, Uint8Array>();
    let at = offset;
    for (const s of sf.streams) {
      const start = at;
      at += s.length;
      // Index streams (ROW_INDEX, bloom filters) and unrequested columns are never decompressed.
      if (!wanted.has(s.column) || s.kind > OrcStreamKind.SECONDARY) continue;
      if (at > footerStart) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a stream of column ${s.column} running past its stripe`);
      streams.set(streamKey(s.column, s.kind), decompressOrcStream(this.bytes.subarray(start, at), codec, file));
    }
    return { file, types: this.footer.types, streams, encodings: sf.columns, writerTimezone: sf.writerTimezone, structForm };
  }
}
