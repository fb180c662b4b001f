/**
 * Literal typing with Flink's rules:
 * - integer text: INT when it fits 32 bits, else BIGINT, else DECIMAL(p, 0);
 * - decimal text (`0.908`): DECIMAL(p, s) with p = digits written (Calcite: 0.908 → DECIMAL(4, 3)), s = fraction digits;
 * - exponent text (`1e3`): DOUBLE;
 * - `'abc'`: CHAR(3) (an empty string is CHAR(0), as Flink's `CharType.ofEmptyLiteral`);
 * - `DATE/TIME/TIMESTAMP '…'`: parsed by the expression layer's casts (one parser for the whole engine);
 * - intervals: INTERVAL DAY TO SECOND as milliseconds, YEAR TO MONTH as months.
 * Every literal except NULL is NOT NULL.
 */
import { userError } from '../common/index.js';
import { encodeLiteral, evaluateConstant } from '../expr/index.js';
import type { ExprIR, LiteralIR } from '../expr/index.js';
import type { IntervalLiteral, Literal } from '../sql/index.js';
import { MAX_DECIMAL_PRECISION, Types, type LogicalType } from '../types/index.js';
import { literal } from './ir-utils.js';

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const BIGINT_MAX = 9223372036854775807n;
const BIGINT_MIN = -9223372036854775808n;

/** A numeric literal's IR; `negative` folds a leading unary minus so `-2147483648` is still an INT. */
export function numericLiteral(text: string, negative: boolean, lit: Literal): LiteralIR {
  const t = text.trim();
  if (/[eE]/.test(t)) {
    const v = Number(t);
    return literal(encodeLiteral(negative ? -v : v, Types.double(false)), Types.double(false));
  }
  if (/^\d+$/.test(t)) {
    const v = negative ? -BigInt(t) : BigInt(t);
    if (v >= INT_MIN && v <= INT_MAX) return literal(encodeLiteral(Number(v), Types.int(false)), Types.int(false));
    if (v >= BIGINT_MIN && v <= BIGINT_MAX) return literal(encodeLiteral(Number(v), Types.bigint(false)), Types.bigint(false));
    return decimalLiteral(t, '', negative, lit);
  }
  const m = /^(\d*)\.(\d*)$/.exec(t);
  if (!m) throw userError('PLAN.BAD_LITERAL', `invalid numeric literal '${text}'`, { span: lit.span });
  return decimalLiteral(m[1] ?? '', m[2] ?? '', negative, lit);
}

function decimalLiteral(intPart: string, fracPart: string, negative: boolean, lit: Literal): LiteralIR {
  // Calcite counts every digit written, leading zeros included: 0.908 is DECIMAL(4, 3), so that
  // `0.908 * price` (BIGINT) is DECIMAL(23, 3) as in Flink (nexmark q1's sink type).
  const digits = (intPart + fracPart).replace(/^0+/, '');
  const scale = fracPart.length;
  const precision = Math.max((intPart + fracPart).length, scale, 1);
  if (precision > MAX_DECIMAL_PRECISION) {
    throw userError('PLAN.BAD_LITERAL', `numeric literal '${lit.value}' exceeds DECIMAL(${MAX_DECIMAL_PRECISION})`, { span: lit.span });
  }
  const unscaled = BigInt(digits === '' ? '0' : digits) * (negative ? -1n : 1n);
  const type = Types.decimal(precision, scale, false);
  return literal(encodeLiteral(unscaled, type), type);
}

export function stringLiteral(value: string): LiteralIR {
  const type = Types.char(value.length, false);
  return literal(encodeLiteral(value, type), type);
}

/**
 * `DATE '2020-01-01'`, `TIMESTAMP '2020-01-01 10:00:00.123'` …: the value comes from evaluating a cast of
 * the text, so literal parsing and CAST agree. TIMESTAMP/TIME precision is the number of fraction digits.
 */
export function temporalLiteral(lit: Literal): LiteralIR {
  const text = lit.value.trim();
  const frac = /\.(\d+)\s*$/.exec(text)?.[1]?.length ?? 0;
  let type: LogicalType;
  switch (lit.literalType) {
    case 'date':
      type = Types.date(false);
      break;
    case 'time':
      type = Types.time(Math.min(frac, 9), false);
      break;
    case 'timestamp':
      type = Types.timestamp(Math.min(frac, 9), false);
      break;
    default:
      type = Types.timestampLtz(Math.min(frac, 9), false);
      break;
  }
  const cast: ExprIR = { kind: 'cast', arg: stringLiteral(text), safe: false, type };
  let value: unknown;
  try {
    value = evaluateConstant(cast);
  } catch (e) {
    throw userError('PLAN.BAD_LITERAL', `invalid ${lit.literalType.toUpperCase()} literal '${lit.value}'`, { span: lit.span, cause: e });
  }
  return literal(encodeLiteral(value, type), type);
}

export function binaryLiteral(lit: Literal): LiteralIR {
  const hex = lit.value.replace(/\s+/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw userError('PLAN.BAD_LITERAL', `invalid binary literal X'${lit.value}'`, { span: lit.span });
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const type: LogicalType = { kind: 'BINARY', length: Math.max(bytes.length, 1), nullable: false };
  return literal(encodeLiteral(bytes, type), type);
}

const DAY_TIME_MS: Readonly<Record<string, number>> = { WEEK: 604800000, DAY: 86400000, HOUR: 3600000, MINUTE: 60000, SECOND: 1000 };
const DAY_TIME_ORDER = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];

/** `INTERVAL '…' unit [TO unit]` → milliseconds (day-time) or months (year-month). */
export function intervalLiteral(lit: IntervalLiteral): LiteralIR {
  const bad = (): never => {
    throw userError('PLAN.BAD_LITERAL', `invalid interval literal '${lit.value}' ${lit.from}${lit.to ? ' TO ' + lit.to : ''}`, { span: lit.span });
  };
  let text = lit.value.trim();
  let sign = lit.sign as number;
  if (text.startsWith('-')) {
    sign = -sign;
    text = text.slice(1).trim();
  } else if (text.startsWith('+')) {
    text = text.slice(1).trim();
  }
  const from = lit.from;
  const to = lit.to ?? from;
  if (from === 'YEAR' || from === 'MONTH') {
    let months: number;
    if (from === 'YEAR' && to === 'MONTH') {
      const m = /^(\d+)-(\d+)$/.exec(text) ?? bad();
      months = Number(m[1]) * 12 + Number(m[2]);
    } else if (/^\d+$/.test(text)) {
      months = Number(text) * (from === 'YEAR' ? 12 : 1);
    } else {
      return bad();
    }
    const type = Types.intervalYearMonth(false);
    return literal(encodeLiteral(sign * months, type), type);
  }
  const unitMs = DAY_TIME_MS[from];
  if (unitMs === undefined) return bad();
  let ms: number;
  if (from === to) {
    if (!/^\d+(\.\d+)?$/.test(text)) bad();
    ms = Number(text) * unitMs;
  } else {
    // 'd h:m:s.fff' style: the leading field is separated by a space (from DAY) or ':' otherwise.
    const units = DAY_TIME_ORDER.slice(DAY_TIME_ORDER.indexOf(from), DAY_TIME_ORDER.indexOf(to) + 1);
    if (units.length < 2) bad();
    const parts = from === 'DAY' ? text.split(/[\s:]+/) : text.split(':');
    if (parts.length !== units.length) bad();
    ms = 0;
    for (let i = 0; i < units.length; i++) {
      const p = parts[i]!;
      if (!/^\d+(\.\d+)?$/.test(p) || (p.includes('.') && units[i] !== 'SECOND')) bad();
      ms += Number(p) * DAY_TIME_MS[units[i]!]!;
    }
  }
  const type = Types.intervalDayTime(false);
  return literal(encodeLiteral(Math.round(sign * ms * 1000) / 1000, type), type);
}
