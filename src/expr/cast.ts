/**
 * CAST kernels: one converter per (from, to) pair, built once per call site.
 *
 * Flink semantics (1.15+, no legacy cast behaviour):
 * - numeric narrowing wraps like Java primitives (CAST(300 AS TINYINT) = 44); DOUBLE → integer truncates and
 *   saturates (NaN → 0);
 * - anything → DECIMAL(p, s) rounds HALF_UP and is NULL when it does not fit;
 * - STRING → number/boolean/date/time fails the job on bad text (TRY_CAST gives NULL instead);
 * - → CHAR(n) pads with spaces and → VARCHAR(n)/CHAR(n) truncates to n characters;
 * - TIMESTAMP ↔ TIMESTAMP_LTZ go through the session time zone.
 */
import { runtimeError } from '../common/index.js';
import {
  MAX_VARCHAR_LENGTH,
  MS_PER_DAY,
  decimalFromNumber,
  decimalShapeOf,
  decimalToNumber,
  decimalTruncate,
  formatType,
  formatValueText,
  localToUtc,
  parseBooleanText,
  parseDate,
  parseDecimalText,
  parseTime,
  parseTimestamp,
  toDecimal,
  truncateToPrecision,
  utcToLocal,
  type LogicalType,
} from '../types/index.js';
import type { EvalContext } from './functions/function-def.js';
import { isApproxKind, isBinaryKind, isIntegerKind, isStringKind, isTimestampKind } from './functions/function-def.js';

export type CastFn = (value: unknown) => unknown;

function castError(value: unknown, from: LogicalType, to: LogicalType): Error {
  const shown = typeof value === 'string' ? `'${value.length > 60 ? value.slice(0, 57) + '...' : value}'` : String(value);
  return runtimeError('EXPR.CAST', `cannot cast ${shown} of type ${formatType(from)} to ${formatType(to)}`, {
    help: 'use TRY_CAST to get NULL for values that do not convert',
  });
}

/** Java primitive narrowing of an integral number to the target integer type. */
export function wrapInteger(kind: string, n: number): number {
  switch (kind) {
    case 'TINYINT':
      return (n << 24) >> 24;
    case 'SMALLINT':
      return (n << 16) >> 16;
    case 'INT':
      return n | 0;
    default:
      return n;
  }
}

/** Java's (int)/(long) cast of a double: truncate, saturate, NaN → 0; then narrow. */
function doubleToInteger(kind: string, d: number): number {
  if (Number.isNaN(d)) return 0;
  const t = Math.trunc(d);
  if (kind === 'BIGINT') return Math.max(-9223372036854775808, Math.min(9223372036854775807, t));
  const i = Math.max(-2147483648, Math.min(2147483647, t));
  return wrapInteger(kind, i);
}

function bigintToInteger(kind: string, v: bigint): number {
  if (kind === 'BIGINT') return Number(BigInt.asIntN(64, v));
  return wrapInteger(kind, Number(BigInt.asIntN(32, v)));
}

const utf8Encoder = new TextEncoder();

function fitLength(s: string, to: LogicalType): string {
  const length = (to as { length: number }).length;
  if (length >= MAX_VARCHAR_LENGTH) return s;
  if (s.length > length) return s.slice(0, length);
  if (to.kind === 'CHAR' && s.length < length) return s + ' '.repeat(length - s.length);
  return s;
}

/**
 * The converter for CAST(x AS to) where x has type `from`, or null when values need no conversion at all.
 * Converters receive non-NULL values and may return NULL (DECIMAL overflow) or throw EXPR.CAST.
 */
export function castKernel(from: LogicalType, to: LogicalType, ctx: EvalContext): CastFn | null {
  const f = from, t = to;
  if (f.kind === 'NULL') return null;
  // ---- to strings
  if (isStringKind(t)) {
    const length = (t as { length: number }).length;
    if (isStringKind(f)) {
      if (length >= MAX_VARCHAR_LENGTH && t.kind === 'VARCHAR') return null;
      return (v) => fitLength(v as string, t);
    }
    const tz = ctx.timeZone;
    if (length >= MAX_VARCHAR_LENGTH) return (v) => formatValueText(v, f, tz);
    return (v) => fitLength(formatValueText(v, f, tz), t);
  }
  // ---- from strings
  if (isStringKind(f)) return castFromString(f, t, ctx);
  // ---- numeric targets
  if (isIntegerKind(t)) {
    const k = t.kind;
    if (isIntegerKind(f)) {
      const rank = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 } as Record<string, number>;
      return rank[f.kind]! <= rank[k]! ? null : (v) => wrapInteger(k, v as number);
    }
    if (isApproxKind(f)) return (v) => doubleToInteger(k, v as number);
    if (f.kind === 'DECIMAL') {
      const s = f.scale;
      return (v) => bigintToInteger(k, decimalTruncate(v as bigint, s));
    }
    if (f.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
    if (f.kind === 'TIMESTAMP_LTZ') return (v) => wrapInteger(k, Math.floor((v as number) / 1000));
    if (f.kind === 'INTERVAL_DAY_TIME' || f.kind === 'INTERVAL_YEAR_MONTH') return (v) => wrapInteger(k, Math.trunc(v as number));
  }
  if (isApproxKind(t)) {
    const fround = t.kind === 'FLOAT';
    if (isIntegerKind(f) || isApproxKind(f)) return fround && f.kind !== 'FLOAT' ? (v) => Math.fround(v as number) : null;
    if (f.kind === 'DECIMAL') {
      const s = f.scale;
      return fround ? (v) => Math.fround(decimalToNumber(v as bigint, s)) : (v) => decimalToNumber(v as bigint, s);
    }
    if (f.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
  }
  if (t.kind === 'DECIMAL') {
    const p = t.precision, s = t.scale;
    if (f.kind === 'DECIMAL') {
      const fs = f.scale;
      if (fs === s && f.precision <= p) return null;
      return (v) => toDecimal(v as bigint, fs, p, s);
    }
    if (isIntegerKind(f)) return (v) => toDecimal(BigInt(v as number), 0, p, s);
    if (isApproxKind(f)) return (v) => decimalFromNumber(v as number, p, s);
    if (f.kind === 'BOOLEAN') return (v) => toDecimal(v ? 1n : 0n, 0, p, s);
  }
  if (t.kind === 'BOOLEAN') {
    if (isIntegerKind(f) || isApproxKind(f)) return (v) => v !== 0;
    if (f.kind === 'DECIMAL') return (v) => v !== 0n;
  }
  // ---- temporal targets
  if (t.kind === 'DATE') {
    if (f.kind === 'TIMESTAMP') return (v) => Math.floor((v as number) / MS_PER_DAY);
    if (f.kind === 'TIMESTAMP_LTZ') {
      const tz = ctx.timeZone;
      return (v) => Math.floor(utcToLocal(v as number, tz) / MS_PER_DAY);
    }
  }
  if (t.kind === 'TIME') {
    const p = t.precision;
    if (f.kind === 'TIME') return f.precision <= p ? null : (v) => truncateToPrecision(v as number, p);
    if (f.kind === 'TIMESTAMP') return (v) => truncateToPrecision((v as number) - Math.floor((v as number) / MS_PER_DAY) * MS_PER_DAY, p);
    if (f.kind === 'TIMESTAMP_LTZ') {
      const tz = ctx.timeZone;
      return (v) => {
        const l = utcToLocal(v as number, tz);
        return truncateToPrecision(l - Math.floor(l / MS_PER_DAY) * MS_PER_DAY, p);
      };
    }
  }
  if (isTimestampKind(t)) {
    const p = (t as { precision: number }).precision;
    const tz = ctx.timeZone;
    const toLtz = t.kind === 'TIMESTAMP_LTZ';
    if (isTimestampKind(f)) {
      const fp = (f as { precision: number }).precision;
      const trunc = fp > p;
      if (f.kind === t.kind) return trunc ? (v) => truncateToPrecision(v as number, p) : null;
      if (toLtz) return (v) => localToUtc(trunc ? truncateToPrecision(v as number, p) : (v as number), tz);
      return (v) => utcToLocal(trunc ? truncateToPrecision(v as number, p) : (v as number), tz);
    }
    if (f.kind === 'DATE') return toLtz ? (v) => localToUtc((v as number) * MS_PER_DAY, tz) : (v) => (v as number) * MS_PER_DAY;
    if (f.kind === 'TIME') return toLtz ? (v) => localToUtc(v as number, tz) : null;
    if (isIntegerKind(f) && toLtz) return (v) => (v as number) * 1000;
    if (f.kind === 'DECIMAL' && toLtz) {
      const s = f.scale;
      return (v) => truncateToPrecision(decimalToNumber(v as bigint, s) * 1000, p);
    }
    if (isApproxKind(f) && toLtz) return (v) => truncateToPrecision((v as number) * 1000, p);
  }
  if (isBinaryKind(t) && isBinaryKind(f)) {
    const length = (t as { length: number }).length;
    if (length >= MAX_VARCHAR_LENGTH) return null;
    return (v) => {
      const b = v as Uint8Array;
      if (b.length > length) return b.slice(0, length);
      if (t.kind === 'BINARY' && b.length < length) {
        const out = new Uint8Array(length);
        out.set(b);
        return out;
      }
      return b;
    };
  }
  if ((t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH') && (f.kind === t.kind || isIntegerKind(f))) return null;
  if (t.kind === 'ARRAY' && f.kind === 'ARRAY') {
    const inner = castKernel(f.element, t.element, ctx);
    if (inner === null) return null;
    return (v) => (v as unknown[]).map((e) => (e === null ? null : inner(e)));
  }
  if (t.kind === 'MAP' && f.kind === 'MAP') {
    const kc = castKernel(f.key, t.key, ctx);
    const vc = castKernel(f.value, t.value, ctx);
    if (kc === null && vc === null) return null;
    return (v) => {
      const out = new Map<unknown, unknown>();
      for (const [k, x] of v as Map<unknown, unknown>) {
        out.set(k === null || kc === null ? k : kc(k), x === null || vc === null ? x : vc(x));
      }
      return out;
    };
  }
  if (t.kind === 'ROW' && f.kind === 'ROW' && t.fields.length === f.fields.length) {
    const casts = f.fields.map((x, i) => castKernel(x.type, t.fields[i]!.type, ctx));
    if (casts.every((c) => c === null)) return null;
    return (v) => (v as unknown[]).map((e, i) => (e === null || casts[i] === null ? e : casts[i]!(e)));
  }
  if (f.kind === t.kind && (f.kind === 'BOOLEAN' || f.kind === 'DATE')) return null;
  return (v) => {
    throw castError(v, f, t);
  };
}

function castFromString(f: LogicalType, t: LogicalType, ctx: EvalContext): CastFn {
  switch (t.kind) {
    case 'BOOLEAN':
      return (v) => {
        const b = parseBooleanText(v as string);
        if (b === null) throw castError(v, f, t);
        return b;
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const k = t.kind;
      const [lo, hi] = k === 'TINYINT' ? [-128, 127] : k === 'SMALLINT' ? [-32768, 32767] : k === 'INT' ? [-2147483648, 2147483647] : [-9223372036854775808, 9223372036854775807];
      return (v) => {
        const s = (v as string).trim();
        if (!/^[+-]?\d+$/.test(s)) throw castError(v, f, t);
        const n = Number(s);
        if (n < lo! || n > hi!) throw castError(v, f, t);
        return n === 0 ? 0 : n; // '-0' parses to -0, but integers have no negative zero
      };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const fround = t.kind === 'FLOAT';
      return (v) => {
        const s = (v as string).trim();
        let n: number;
        if (s === 'NaN') n = NaN;
        else if (s === 'Infinity' || s === '+Infinity') n = Infinity;
        else if (s === '-Infinity') n = -Infinity;
        else {
          const body = s.replace(/[dDfF]$/, '');
          if (parseDecimalText(body) === null) throw castError(v, f, t);
          n = Number(body);
        }
        return fround ? Math.fround(n) : n;
      };
    }
    case 'DECIMAL': {
      const p = t.precision, s = t.scale;
      return (v) => {
        const d = parseDecimalText(v as string);
        if (d === null) throw castError(v, f, t);
        return toDecimal(d.unscaled, d.scale, p, s);
      };
    }
    case 'DATE':
      return (v) => {
        const d = parseDate(v as string) ?? (() => {
          const ts = parseTimestamp(v as string);
          return ts === null ? null : Math.floor(ts / MS_PER_DAY);
        })();
        if (d === null) throw castError(v, f, t);
        return d;
      };
    case 'TIME': {
      const p = t.precision;
      return (v) => {
        const x = parseTime(v as string);
        if (x === null) throw castError(v, f, t);
        return truncateToPrecision(x, p);
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const p = t.precision;
      const tz = ctx.timeZone;
      const ltz = t.kind === 'TIMESTAMP_LTZ';
      return (v) => {
        const x = parseTimestamp(v as string);
        if (x === null) throw castError(v, f, t);
        const w = truncateToPrecision(x, p);
        return ltz && !/Z\s*$/.test(v as string) ? localToUtc(w, tz) : w;
      };
    }
    case 'BINARY':
    case 'VARBINARY': {
      const length = t.length;
      return (v) => {
        const b = utf8Encoder.encode(v as string);
        return length < MAX_VARCHAR_LENGTH && b.length > length ? b.slice(0, length) : b;
      };
    }
    default:
      return (v) => {
        throw castError(v, f, t);
      };
  }
}

/** The DECIMAL view of a type for arithmetic kernels (integers as DECIMAL(p, 0)). */
export function decimalView(t: LogicalType): { precision: number; scale: number } {
  const s = decimalShapeOf(t);
  if (s === null) throw runtimeError('INTERNAL', `not an exact numeric type: ${formatType(t)}`);
  return s;
}
