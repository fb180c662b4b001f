/**
 * ORC's generic compression layer. A compressed stream (and the footer, metadata and stripe footers) is a
 * sequence of chunks, each with a 3-byte little-endian header `length << 1 | isOriginal`: an original
 * chunk holds `length` raw bytes (the writer found compression did not pay), otherwise `length` bytes of
 * codec output. The PostScript itself is never compressed.
 *
 * Codecs: NONE, ZLIB (raw deflate, node:zlib), SNAPPY (hyparquet's block decoder), ZSTD (fzstd, the codec
 * Paimon's Java writer uses by default). LZO and LZ4 fail with `LAKE.UNSUPPORTED_FORMAT` naming the file.
 */
import { inflateRawSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { snappyUncompress } from 'hyparquet';
import { FloeError, ioError, unsupported } from '../../common/index.js';
import { OrcCompressionKind } from './orc-metadata.js';

const CODEC_NAMES = ['NONE', 'ZLIB', 'SNAPPY', 'LZO', 'LZ4', 'ZSTD'];

/** Fails early, when the tail is read, for a codec Floe cannot decode. */
export function checkOrcCompression(kind: number, file: string): void {
  if (kind === OrcCompressionKind.NONE || kind === OrcCompressionKind.ZLIB || kind === OrcCompressionKind.SNAPPY || kind === OrcCompressionKind.ZSTD) return;
  throw unsupported('LAKE.UNSUPPORTED_FORMAT', `ORC file '${file}' is compressed with ${CODEC_NAMES[kind] ?? `codec #${kind}`}, which Floe cannot decode`, {
    help: 'Floe reads ORC files compressed with NONE, ZLIB, SNAPPY or ZSTD',
  });
}

/** Decompresses one whole stream of `kind` compression into contiguous bytes. */
export function decompressOrcStream(data: Uint8Array, kind: number, file: string): Uint8Array {
  if (kind === OrcCompressionKind.NONE) return data;
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = 0;
  while (pos < data.length) {
    if (pos + 3 > data.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a truncated compression chunk header`);
    const header = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
    pos += 3;
    const len = header >>> 1;
    if (pos + len > data.length) throw ioError('LAKE.CORRUPT_FILE', `ORC file '${file}' has a compression chunk running past its stream`);
    const chunk = data.subarray(pos, pos + len);
    pos += len;
    const out = (header & 1) === 1 ? chunk : decompressChunk(chunk, kind, file);
    parts.push(out);
    total += out.length;
  }
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return joined;
}

function decompressChunk(chunk: Uint8Array, kind: number, file: string): Uint8Array {
  try {
    switch (kind) {
      case OrcCompressionKind.ZLIB:
        return inflateRawSync(chunk);
      case OrcCompressionKind.ZSTD:
        return zstdDecompress(chunk);
      case OrcCompressionKind.SNAPPY: {
        const out = new Uint8Array(snappyLength(chunk));
        snappyUncompress(chunk, out);
        return out;
      }
      default:
        checkOrcCompression(kind, file);
        throw unsupported('LAKE.UNSUPPORTED_FORMAT', `ORC file '${file}' uses compression codec #${kind}`);
    }
  } catch (cause) {
    if (cause instanceof FloeError) throw cause;
    throw ioError('LAKE.CORRUPT_FILE', `cannot decompress a ${CODEC_NAMES[kind]} chunk of ORC file '${file}': ${(cause as Error).message}`, { cause });
  }
}

/** A Snappy block starts with its uncompressed length as an unsigned varint. */
function snappyLength(chunk: Uint8Array): number {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 5 && i < chunk.length; i++) {
    const b = chunk[i]!;
    n += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return n;
    scale *= 128;
  }
  throw new Error('bad Snappy length preamble');
}
