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

/**
 * Prints a metadata value as Jackson's default pretty printer does (`"key" : value`, objects indented
 * by two spaces per object level, arrays inline `[ a, b ]`, empty `{ }` / `[ ]`), so files we write look
 * like the ones Paimon Java writes. Bigints print as exact integer literals (Long fields such as
 * `commitIdentifier`); `undefined` members are left out (Jackson's NON_NULL fields).
 */
export function formatMetadataJson(value: unknown): string {
  return formatJsonValue(value, 0);
}

function formatJsonValue(v: unknown, level: number): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    return `[ ${v.map((x) => formatJsonValue(x, level)).join(', ')} ]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{ }';
  const pad = '  '.repeat(level + 1);
  const body = entries.map(([k, x]) => `${pad}${JSON.stringify(k)} : ${formatJsonValue(x, level + 1)}`).join(',\n');
  return `{\n${body}\n${'  '.repeat(level)}}`;
}
