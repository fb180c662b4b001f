/**
 * Parsing of Paimon's JSON metadata files (schema, snapshot, branch files), written by Jackson.
 *
 * Some numbers in them do not fit a JS number (`commitIdentifier` is often Long.MAX_VALUE), so integer
 * literals longer than 15 digits are turned into strings before `JSON.parse`; `jsonLong` reads either form
 * back as a bigint.
 */
import { ioError } from '../common/index.js';

const LONG_LITERAL = /([:\[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g;

export function parseMetadataJson(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(LONG_LITERAL, '$1"$2"'));
  } catch (cause) {
    throw ioError('LAKE.CORRUPT_FILE', `metadata file '${file}' is not valid JSON`, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ioError('LAKE.CORRUPT_FILE', `metadata file '${file}' does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A required integer field that fits a JS number. */
export function jsonInt(obj: Record<string, unknown>, key: string, file: string): number {
  const v = obj[key];
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw ioError('LAKE.CORRUPT_FILE', `metadata file '${file}' lacks numeric field '${key}'`);
  }
  return n;
}

/** An optional integer field (missing or null → undefined). */
export function jsonOptInt(obj: Record<string, unknown>, key: string): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** An optional 64-bit integer field, exact. */
export function jsonLong(obj: Record<string, unknown>, key: string): bigint | undefined {
  const v = obj[key];
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

export function jsonOptString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}
