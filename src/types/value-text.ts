/**
 * Values as text, and the total order of values.
 *
 * `formatValueText` is Flink's `CAST(x AS STRING)` text (since Flink 1.15, without legacy cast behaviour):
 * TRUE/FALSE, DECIMAL with all `scale` digits, DOUBLE as Java's `Double.toString` (`1.0`, `1.0E10`),
 * TIMESTAMP(p) with exactly p fraction digits, ARRAY `[1, 2]`, MAP `{a=1, b=2}`, ROW `(1, abc)`, and NULL
 * (also nested) as `NULL`. `parseValueText` is the inverse used by the text formats (CSV, JSON strings).
 */
import { userError } from '../common/index.js';
import { MAX_VARCHAR_LENGTH, formatType, type LogicalType } from './logical-type.js';
import { formatDecimal, parseDecimalText, toDecimal } from './decimal.js';
import {
  formatDate,
  formatIntervalDayTime,
  formatIntervalYearMonth,
  formatTime,
  formatTimestamp,
  localToUtc,
  parseDate,
  parseTime,
  parseTimestamp,
  truncateToPrecision,
  utcToLocal,
} from './temporal.js';

// ---------------------------------------------------------------------------------------------------------
// Java floating-point text

function javaFloating(x: number, mantissa: string, exp: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const digits = mantissa.replace('-', '').replace('.', '');
  let out: string;
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e7) {
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
      out = intPart + '.' + (digits.slice(exp + 1) || '0');
    } else {
      out = '0.' + '0'.repeat(-exp - 1) + digits;
    }
  } else {
    out = digits[0]! + '.' + (digits.slice(1) || '0') + 'E' + exp;
  }
  return neg ? '-' + out : out;
}

function specialFloating(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  return null;
}

/** Java's `Double.toString`: shortest round-trip digits; plain in [1e-3, 1e7), else `d.dddE±n`. */
export function javaDoubleToString(x: number): string {
  const special = specialFloating(x);
  if (special !== null) return special;
  const e = x.toExponential();
  const at = e.indexOf('e');
  return javaFloating(x, e.slice(0, at), Number(e.slice(at + 1)));
}

/** Java's `Float.toString` of a FLOAT value (shortest digits that round-trip through float32). */
export function javaFloatToString(x: number): string {
  const special = specialFloating(x);
  if (special !== null) return special;
  const f = Math.fround(x);
  let e = f.toExponential(8);
  for (let p = 0; p <= 8; p++) {
    const c = f.toExponential(p);
    if (Math.fround(Number(c)) === f) {
      e = c;
      break;
    }
  }
  const at = e.indexOf('e');
  return javaFloating(f, e.slice(0, at), Number(e.slice(at + 1)));
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

const utf8Decoder = new TextDecoder('utf-8');

/** Flink's CAST(value AS STRING). `timeZone` is the session zone, used for TIMESTAMP_LTZ. */
export function formatValueText(value: unknown, type: LogicalType, timeZone = 'UTC'): string {
  if (value === null || value === undefined) return 'NULL';
  switch (type.kind) {
    case 'BOOLEAN':
      return value ? 'TRUE' : 'FALSE';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return typeof value === 'bigint' ? value.toString() : String(Math.trunc(value as number));
    case 'FLOAT':
      return javaFloatToString(value as number);
    case 'DOUBLE':
      return javaDoubleToString(value as number);
    case 'DECIMAL':
      return formatDecimal(value as bigint, type.scale);
    case 'CHAR':
    case 'VARCHAR':
      return value as string;
    case 'BINARY':
    case 'VARBINARY':
      return utf8Decoder.decode(value as Uint8Array);
    case 'DATE':
      return formatDate(value as number);
    case 'TIME':
      return formatTime(value as number, type.precision);
    case 'TIMESTAMP':
      return formatTimestamp(value as number, type.precision);
    case 'TIMESTAMP_LTZ':
      return formatTimestamp(utcToLocal(value as number, timeZone), type.precision);
    case 'INTERVAL_DAY_TIME':
      return formatIntervalDayTime(value as number);
    case 'INTERVAL_YEAR_MONTH':
      return formatIntervalYearMonth(value as number);
    case 'ARRAY':
      return '[' + (value as unknown[]).map((v) => formatValueText(v, type.element, timeZone)).join(', ') + ']';
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, v] of value as Map<unknown, unknown>) {
        parts.push(formatValueText(k, type.key, timeZone) + '=' + formatValueText(v, type.value, timeZone));
      }
      return '{' + parts.join(', ') + '}';
    }
    case 'ROW':
      return '(' + type.fields.map((f, i) => formatValueText((value as unknown[])[i] ?? null, f.type, timeZone)).join(', ') + ')';
    case 'NULL':
      return 'NULL';
    default:
      return String(value);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

function parseError(type: LogicalType, text: string, why?: string): Error {
  const shown = text.length > 60 ? text.slice(0, 57) + '...' : text;
  return userError('VALUE.PARSE', `expected ${formatType(type)}, found '${shown}'${why ? ` (${why})` : ''}`);
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [-9223372036854775808, 9223372036854775807],
};

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

/** Parses a BOOLEAN the way Flink's string → BOOLEAN cast does; null when the text is not a boolean word. */
export function parseBooleanText(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return null;
}

/**
 * Reads a value of `type` from its text (CSV field, JSON string). Throws VALUE.PARSE naming the expected type
 * and the text. The empty string is a valid CHAR/VARCHAR; NULL handling (null literals) is the caller's.
 */
export function parseValueText(text: string, type: LogicalType, timeZone = 'UTC'): unknown {
  switch (type.kind) {
    case 'BOOLEAN': {
      const b = parseBooleanText(text);
      if (b === null) throw parseError(type, text);
      return b;
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      if (!INTEGER_TEXT.test(text)) throw parseError(type, text);
      const n = Number(text.trim());
      const [lo, hi] = INT_RANGES[type.kind]!;
      if (n < lo || n > hi) throw parseError(type, text, 'out of range');
      // BIGINT values are JS numbers (see logical-type.ts): refuse what would silently lose digits.
      if (!Number.isSafeInteger(n)) throw parseError(type, text, 'beyond ±2^53−1, the range Floe keeps exact');
      return n;
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const t = text.trim();
      let n: number;
      if (t === 'NaN') n = NaN;
      else if (t === 'Infinity' || t === '+Infinity') n = Infinity;
      else if (t === '-Infinity') n = -Infinity;
      else {
        const d = parseDecimalText(t.replace(/[dDfF]$/, ''));
        if (d === null) throw parseError(type, text);
        n = Number(t.replace(/[dDfF]$/, ''));
      }
      return type.kind === 'FLOAT' ? Math.fround(n) : n;
    }
    case 'DECIMAL': {
      const d = parseDecimalText(text);
      if (d === null) throw parseError(type, text);
      const v = toDecimal(d.unscaled, d.scale, type.precision, type.scale);
      if (v === null) throw parseError(type, text, 'too many digits');
      return v;
    }
    case 'CHAR':
    case 'VARCHAR':
      return type.length < MAX_VARCHAR_LENGTH && text.length > type.length ? text.slice(0, type.length) : text;
    case 'BINARY':
    case 'VARBINARY':
      return new Uint8Array(Buffer.from(text, 'base64'));
    case 'DATE': {
      const d = parseDate(text);
      if (d === null) throw parseError(type, text, 'use yyyy-MM-dd');
      return d;
    }
    case 'TIME': {
      const t = parseTime(text);
      if (t === null) throw parseError(type, text, 'use HH:mm:ss');
      return truncateToPrecision(t, type.precision);
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const t = parseTimestamp(text);
      if (t === null) throw parseError(type, text, 'use yyyy-MM-dd HH:mm:ss[.fff]');
      const v = truncateToPrecision(t, type.precision);
      return type.kind === 'TIMESTAMP_LTZ' && !/Z\s*$/.test(text) ? localToUtc(v, timeZone) : v;
    }
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH': {
      if (!/^\s*[+-]?\d+(\.\d+)?\s*$/.test(text)) throw parseError(type, text);
      return Number(text);
    }
    case 'ARRAY':
    case 'MAP':
    case 'ROW': {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw parseError(type, text, 'expected JSON');
      }
      return fromJsonValue(json, type, timeZone);
    }
    case 'NULL':
      throw parseError(type, text);
    default:
      throw parseError(type, text);
  }
}

/** Converts a parsed JSON value (number, string, boolean, array, object) to the JS value of `type`. */
export function fromJsonValue(json: unknown, type: LogicalType, timeZone = 'UTC'): unknown {
  if (json === null || json === undefined) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      if (typeof json === 'boolean') return json;
      break;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
      if (typeof json === 'number') {
        if (type.kind !== 'FLOAT' && type.kind !== 'DOUBLE' && !Number.isInteger(json)) break;
        return type.kind === 'FLOAT' ? Math.fround(json) : json;
      }
      break;
    case 'DECIMAL':
      if (typeof json === 'number') return parseValueText(String(json), type, timeZone);
      break;
    case 'ARRAY':
      if (Array.isArray(json)) return json.map((e) => fromJsonValue(e, type.element, timeZone));
      break;
    case 'MAP':
      if (typeof json === 'object' && !Array.isArray(json)) {
        const m = new Map<unknown, unknown>();
        for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
          m.set(parseValueText(k, type.key, timeZone), fromJsonValue(v, type.value, timeZone));
        }
        return m;
      }
      break;
    case 'ROW':
      if (Array.isArray(json)) return type.fields.map((f, i) => fromJsonValue(json[i], f.type, timeZone));
      if (typeof json === 'object') {
        const o = json as Record<string, unknown>;
        return type.fields.map((f) => fromJsonValue(o[f.name], f.type, timeZone));
      }
      break;
    default:
      break;
  }
  if (typeof json === 'string') return parseValueText(json, type, timeZone);
  if (typeof json === 'number' || typeof json === 'boolean') return parseValueText(String(json), type, timeZone);
  throw parseError(type, JSON.stringify(json));
}

// ---------------------------------------------------------------------------------------------------------
// Order and equality

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** Orders strings by code point (= Flink's UTF-8 byte order), not by UTF-16 code unit. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800–DFFF) encode code points above FFFF, so they sort after E000–FFFF.
      const xs = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
      const ys = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
      return xs < ys ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareNullable(a: unknown, b: unknown, type: LogicalType): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return compareValues(a, b, type);
}

/**
 * Total order of two non-NULL values of `type` (ORDER BY, MIN/MAX, comparisons of nested values).
 * NULLs nested inside arrays and rows sort first; NaN sorts after every other DOUBLE (as Java's Double.compare).
 */
export function compareValues(a: unknown, b: unknown, type: LogicalType): number {
  switch (type.kind) {
    case 'BOOLEAN':
      return a === b ? 0 : a ? 1 : -1;
    case 'FLOAT':
    case 'DOUBLE': {
      const x = a as number, y = b as number;
      if (x < y) return -1;
      if (x > y) return 1;
      if (x === y) return 0;
      return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    }
    case 'CHAR':
    case 'VARCHAR':
      return compareStrings(a as string, b as string);
    case 'BINARY':
    case 'VARBINARY':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'ARRAY': {
      const x = a as unknown[], y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareNullable(x[i], y[i], type.element);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case 'ROW': {
      const x = a as unknown[], y = b as unknown[];
      for (let i = 0; i < type.fields.length; i++) {
        const c = compareNullable(x[i], y[i], type.fields[i]!.type);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 'MAP': {
      // Maps have no SQL order; order by size, then by the sorted entries so the order is at least total.
      const x = a as Map<unknown, unknown>, y = b as Map<unknown, unknown>;
      if (x.size !== y.size) return x.size < y.size ? -1 : 1;
      const ex = [...x.entries()].map(([k, v]) => [k, v]);
      const ey = [...y.entries()].map(([k, v]) => [k, v]);
      const rowType: LogicalType = { kind: 'ROW', nullable: true, fields: [{ name: 'k', type: type.key }, { name: 'v', type: type.value }] };
      const byKey = (p: unknown[], q: unknown[]): number => compareValues(p, q, rowType);
      ex.sort(byKey);
      ey.sort(byKey);
      for (let i = 0; i < ex.length; i++) {
        const c = byKey(ex[i]!, ey[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 'NULL':
      return 0;
    default: {
      // numbers, bigints (DECIMAL of one type share a scale), dates, times, timestamps, intervals
      const x = a as number, y = b as number;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** Equality of two non-NULL values of `type` (GROUP BY keys, `=`, IN); NaN equals NaN here. */
export function valuesEqual(a: unknown, b: unknown, type: LogicalType): boolean {
  if (a === b) return true;
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DECIMAL':
    case 'CHAR':
    case 'VARCHAR':
    case 'BOOLEAN':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return false;
    default:
      return compareValues(a, b, type) === 0;
  }
}
