/**
 * Calendar arithmetic, text formats and time zones for DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ and INTERVAL values.
 *
 * Representation (see logical-type.ts): DATE = days since 1970-01-01; TIME = ms of the day; TIMESTAMP = epoch ms
 * of the wall clock read as UTC; TIMESTAMP_LTZ = epoch ms of the instant; a sub-ms fraction is kept in the
 * number's fractional part. INTERVAL DAY TO SECOND = ms; INTERVAL YEAR TO MONTH = months.
 *
 * All calendar math is proleptic Gregorian on integers (Howard Hinnant's civil-day algorithms), never `Date`
 * local-time methods, so results do not depend on the machine's time zone.
 */
import { userError } from '../common/index.js';

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------------
// Civil calendar

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

// Scratch result of `civil()`: hot formatters read it right after the call, so no object is allocated per row.
let cYear = 1970;
let cMonth = 1;
let cDay = 1;

function civil(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  cDay = doy - Math.floor((153 * mp + 2) / 5) + 1;
  cMonth = mp < 10 ? mp + 3 : mp - 9;
  cYear = yoe + era * 400 + (cMonth <= 2 ? 1 : 0);
}

export function civilFromDays(days: number): CivilDate {
  civil(days);
  return { year: cYear, month: cMonth, day: cDay };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Epoch day of a timestamp (floor, also for times before 1970). */
export function timestampToDays(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** Milliseconds since midnight of a timestamp (with the sub-ms fraction). */
export function timestampMsOfDay(ms: number): number {
  return ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
}

/** Adds calendar months to a date, clamping the day of month (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsToDate(days: number, months: number): number {
  civil(days);
  const total = cYear * 12 + (cMonth - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return daysFromCivil(y, m, Math.min(cDay, daysInMonth(y, m)));
}

/** Adds calendar months to a timestamp, keeping the time of day. */
export function addMonthsToTimestamp(ms: number, months: number): number {
  const days = timestampToDays(ms);
  return addMonthsToDate(days, months) * MS_PER_DAY + (ms - days * MS_PER_DAY);
}

/** ISO day of week: Monday = 1 … Sunday = 7 (1970-01-01 was a Thursday). */
export function isoDayOfWeek(days: number): number {
  return (((days + 3) % 7) + 7) % 7 + 1;
}

/** SQL DAYOFWEEK: Sunday = 1 … Saturday = 7. */
export function sqlDayOfWeek(days: number): number {
  return (((days + 4) % 7) + 7) % 7 + 1;
}

export function dayOfYear(days: number): number {
  civil(days);
  return days - daysFromCivil(cYear, 1, 1) + 1;
}

/** ISO-8601 week number (weeks start Monday; week 1 holds the year's first Thursday). */
export function isoWeek(days: number): number {
  const thursday = days - isoDayOfWeek(days) + 4;
  civil(thursday);
  return Math.floor((thursday - daysFromCivil(cYear, 1, 1)) / 7) + 1;
}

// ---------------------------------------------------------------------------------------------------------
// Units: EXTRACT, FLOOR/CEIL, TIMESTAMPADD/TIMESTAMPDIFF

/** Time units as SQL spells them (the binder passes them upper-case, singular). */
export type TimeUnit =
  | 'NANOSECOND'
  | 'MICROSECOND'
  | 'MILLISECOND'
  | 'SECOND'
  | 'MINUTE'
  | 'HOUR'
  | 'DAY'
  | 'WEEK'
  | 'MONTH'
  | 'QUARTER'
  | 'YEAR'
  | 'DECADE'
  | 'CENTURY'
  | 'MILLENNIUM'
  | 'DOW'
  | 'ISODOW'
  | 'DOY'
  | 'EPOCH';

const UNIT_ALIASES: Readonly<Record<string, TimeUnit>> = {
  FRAC_SECOND: 'MICROSECOND',
  SQL_TSI_SECOND: 'SECOND',
  SQL_TSI_MINUTE: 'MINUTE',
  SQL_TSI_HOUR: 'HOUR',
  SQL_TSI_DAY: 'DAY',
  SQL_TSI_WEEK: 'WEEK',
  SQL_TSI_MONTH: 'MONTH',
  SQL_TSI_QUARTER: 'QUARTER',
  SQL_TSI_YEAR: 'YEAR',
  DAYOFWEEK: 'DOW',
  DAYOFYEAR: 'DOY',
};
const UNITS = new Set<string>([
  'NANOSECOND', 'MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER',
  'YEAR', 'DECADE', 'CENTURY', 'MILLENNIUM', 'DOW', 'ISODOW', 'DOY', 'EPOCH',
]);

/** Normalises a unit name (`day`, `SQL_TSI_DAY`, `DAYS`); null when it is not a time unit. */
export function parseTimeUnit(name: string): TimeUnit | null {
  let u = name.trim().toUpperCase();
  if (UNIT_ALIASES[u]) return UNIT_ALIASES[u]!;
  if (UNITS.has(u)) return u as TimeUnit;
  if (u.endsWith('S') && UNITS.has(u.slice(0, -1))) u = u.slice(0, -1);
  return UNITS.has(u) ? (u as TimeUnit) : null;
}

/** EXTRACT(unit FROM ts) on a timestamp's wall clock. */
export function extractFromTimestamp(unit: TimeUnit, ms: number): number {
  const days = timestampToDays(ms);
  const tod = ms - days * MS_PER_DAY;
  switch (unit) {
    case 'NANOSECOND':
      return Math.round((tod % MS_PER_MINUTE) * 1_000_000);
    case 'MICROSECOND':
      return Math.round((tod % MS_PER_MINUTE) * 1000);
    case 'MILLISECOND':
      return Math.floor(tod % MS_PER_MINUTE);
    case 'SECOND':
      return Math.floor((tod % MS_PER_MINUTE) / MS_PER_SECOND);
    case 'MINUTE':
      return Math.floor((tod % MS_PER_HOUR) / MS_PER_MINUTE);
    case 'HOUR':
      return Math.floor(tod / MS_PER_HOUR);
    case 'EPOCH':
      return Math.floor(ms / MS_PER_SECOND);
    default:
      return extractFromDate(unit, days);
  }
}

/** EXTRACT(unit FROM date). Time-of-day units are 0. */
export function extractFromDate(unit: TimeUnit, days: number): number {
  switch (unit) {
    case 'DAY':
      civil(days);
      return cDay;
    case 'MONTH':
      civil(days);
      return cMonth;
    case 'YEAR':
      civil(days);
      return cYear;
    case 'QUARTER':
      civil(days);
      return Math.floor((cMonth - 1) / 3) + 1;
    case 'WEEK':
      return isoWeek(days);
    case 'DOW':
      return sqlDayOfWeek(days);
    case 'ISODOW':
      return isoDayOfWeek(days);
    case 'DOY':
      return dayOfYear(days);
    case 'DECADE':
      civil(days);
      return Math.floor(cYear / 10);
    case 'CENTURY':
      civil(days);
      return cYear > 0 ? Math.floor((cYear + 99) / 100) : -Math.floor((99 - cYear) / 100);
    case 'MILLENNIUM':
      civil(days);
      return cYear > 0 ? Math.floor((cYear + 999) / 1000) : -Math.floor((999 - cYear) / 1000);
    case 'EPOCH':
      return days * 86400;
    default:
      return 0;
  }
}

const FIXED_UNIT_MS: Partial<Record<TimeUnit, number>> = {
  MILLISECOND: 1,
  SECOND: MS_PER_SECOND,
  MINUTE: MS_PER_MINUTE,
  HOUR: MS_PER_HOUR,
  DAY: MS_PER_DAY,
  WEEK: 7 * MS_PER_DAY,
};
const MONTH_UNITS: Partial<Record<TimeUnit, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12, DECADE: 120, CENTURY: 1200, MILLENNIUM: 12000 };

/** FLOOR(ts TO unit). Weeks start on Monday (ISO). */
export function floorTimestamp(ms: number, unit: TimeUnit): number {
  if (unit === 'WEEK') {
    const days = timestampToDays(ms);
    return (days - isoDayOfWeek(days) + 1) * MS_PER_DAY;
  }
  const fixed = FIXED_UNIT_MS[unit];
  if (fixed !== undefined) return Math.floor(ms / fixed) * fixed;
  const months = MONTH_UNITS[unit];
  if (months === undefined) throw userError('EXPR.TIME_UNIT', `cannot round a timestamp to ${unit}`);
  civil(timestampToDays(ms));
  const total = cYear * 12 + cMonth - 1;
  const floored = Math.floor(total / months) * months;
  const y = Math.floor(floored / 12);
  return daysFromCivil(y, floored - y * 12 + 1, 1) * MS_PER_DAY;
}

/** CEIL(ts TO unit): the smallest unit boundary ≥ ts. */
export function ceilTimestamp(ms: number, unit: TimeUnit): number {
  const f = floorTimestamp(ms, unit);
  if (f === ms) return f;
  return timestampAdd(unit, 1, f);
}

/** TIMESTAMPADD(unit, n, ts). */
export function timestampAdd(unit: TimeUnit, n: number, ms: number): number {
  const fixed = FIXED_UNIT_MS[unit];
  if (fixed !== undefined) return ms + n * fixed;
  if (unit === 'MICROSECOND') return ms + n / 1000;
  if (unit === 'NANOSECOND') return ms + n / 1_000_000;
  const months = MONTH_UNITS[unit];
  if (months === undefined) throw userError('EXPR.TIME_UNIT', `TIMESTAMPADD does not accept unit ${unit}`);
  return addMonthsToTimestamp(ms, n * months);
}

/** Whole months from a to b, truncated toward zero (a later day/time in the last month does not count). */
function monthsBetween(a: number, b: number): number {
  const da = timestampToDays(a);
  const db = timestampToDays(b);
  civil(da);
  const ya = cYear, ma = cMonth, dda = cDay;
  civil(db);
  let months = (cYear - ya) * 12 + (cMonth - ma);
  const restA = dda * MS_PER_DAY + (a - da * MS_PER_DAY);
  const restB = cDay * MS_PER_DAY + (b - db * MS_PER_DAY);
  if (months > 0 && restB < restA) months--;
  else if (months < 0 && restB > restA) months++;
  return months;
}

/** TIMESTAMPDIFF(unit, a, b): whole units from a to b (b − a), truncated toward zero. */
export function timestampDiff(unit: TimeUnit, a: number, b: number): number {
  const fixed = FIXED_UNIT_MS[unit];
  if (fixed !== undefined) return Math.trunc((b - a) / fixed) || 0;
  if (unit === 'MICROSECOND') return Math.trunc((b - a) * 1000) || 0;
  if (unit === 'NANOSECOND') return Math.trunc((b - a) * 1_000_000);
  const months = MONTH_UNITS[unit];
  if (months === undefined) throw userError('EXPR.TIME_UNIT', `TIMESTAMPDIFF does not accept unit ${unit}`);
  return Math.trunc(monthsBetween(a, b) / months) || 0;
}

// ---------------------------------------------------------------------------------------------------------
// Default text formats (CAST to/from STRING)

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function padN(n: number, width: number): string {
  const s = String(Math.abs(n));
  const p = s.length >= width ? s : '0'.repeat(width - s.length) + s;
  return n < 0 ? '-' + p : p;
}

/** `yyyy-MM-dd`. */
export function formatDate(days: number): string {
  civil(days);
  return padN(cYear, 4) + '-' + pad2(cMonth) + '-' + pad2(cDay);
}

/** Nanoseconds within the second of a ms value with a sub-ms fraction (rounded to whole ns). */
function nanosOfSecond(ms: number): number {
  const whole = Math.floor(ms);
  const sub = Math.round((ms - whole) * 1_000_000);
  return (((whole % 1000) + 1000) % 1000) * 1_000_000 + sub;
}

function fraction(ms: number, precision: number): string {
  if (precision <= 0) return '';
  const nanos = String(nanosOfSecond(ms)).padStart(9, '0');
  return '.' + nanos.slice(0, Math.min(precision, 9));
}

/** `HH:mm:ss` plus `precision` fraction digits. */
export function formatTime(msOfDay: number, precision = 0): string {
  const s = Math.floor(msOfDay / MS_PER_SECOND);
  return pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor(s / 60) % 60) + ':' + pad2(s % 60) + fraction(msOfDay, precision);
}

/** `yyyy-MM-dd HH:mm:ss` plus exactly `precision` fraction digits (Flink's CAST(ts AS STRING)). */
export function formatTimestamp(ms: number, precision = 3): string {
  const days = timestampToDays(ms);
  return formatDate(days) + ' ' + formatTime(ms - days * MS_PER_DAY, precision);
}

const DATE_RE = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})\s*$/;
const TIME_RE = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$/;
const TIMESTAMP_RE = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})(?:(?:[ T]+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z)?\s*$/;

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function timeMs(h: number, mi: number, s: number, frac: string | undefined): number | null {
  if (h > 23 || mi > 59 || s > 59) return null;
  let ms = h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * MS_PER_SECOND;
  if (frac !== undefined && frac.length > 0) ms += Number(frac.padEnd(9, '0')) / 1_000_000;
  return ms;
}

/** Parses `yyyy-MM-dd` (1–2 digit month/day accepted); null when invalid. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (m === null) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  return validDate(y, mo, d) ? daysFromCivil(y, mo, d) : null;
}

/** Parses `HH:mm[:ss[.fffffffff]]` to ms of day; null when invalid. */
export function parseTime(text: string): number | null {
  const m = TIME_RE.exec(text);
  if (m === null) return null;
  return timeMs(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), m[4]);
}

/** Parses `yyyy-MM-dd[( |T)HH:mm[:ss[.f…]]]` as a wall-clock timestamp (epoch ms); null when invalid. */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP_RE.exec(text);
  if (m === null) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (!validDate(y, mo, d)) return null;
  const tod = m[4] === undefined ? 0 : timeMs(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), m[7]);
  return tod === null ? null : daysFromCivil(y, mo, d) * MS_PER_DAY + tod;
}

/** Truncates a timestamp/time value to `precision` fraction digits (Flink truncates, it does not round). */
export function truncateToPrecision(ms: number, precision: number): number {
  if (precision >= 9) return ms;
  if (precision >= 3) {
    const whole = Math.floor(ms);
    const unit = 10 ** (precision - 3);
    return whole + Math.floor(Math.round((ms - whole) * 1e6) / (1e6 / unit)) / unit;
  }
  const unit = 10 ** (3 - precision);
  return Math.floor(ms / unit) * unit;
}

/** Flink's INTERVAL DAY TO SECOND text: `+1 02:03:04.000`. */
export function formatIntervalDayTime(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let a = Math.abs(ms);
  const days = Math.floor(a / MS_PER_DAY);
  a -= days * MS_PER_DAY;
  return `${sign}${days} ${formatTime(a, 3)}`;
}

/** Flink's INTERVAL YEAR TO MONTH text: `+1-02`. */
export function formatIntervalYearMonth(months: number): string {
  const sign = months < 0 ? '-' : '+';
  const a = Math.abs(months);
  return `${sign}${Math.floor(a / 12)}-${pad2(a % 12)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Time zones (`table.local-time-zone`)

const FIXED_ZONE = /^(?:(?:UTC|GMT|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const zoneCache = new Map<string, number | Intl.DateTimeFormat>();

function zoneOf(tz: string): number | Intl.DateTimeFormat {
  let z = zoneCache.get(tz);
  if (z !== undefined) return z;
  const t = tz.trim();
  const up = t.toUpperCase();
  const fixed = FIXED_ZONE.exec(t);
  if (up === 'UTC' || up === 'GMT' || up === 'Z' || up === 'UT' || up === 'ETC/UTC' || up === 'ETC/GMT') z = 0;
  else if (fixed !== null) {
    const h = Number(fixed[2]);
    const m = Number(fixed[3] ?? 0);
    if (h > 18 || m > 59) throw userError('CONFIG.TIME_ZONE', `invalid time zone offset '${tz}'`);
    z = (fixed[1] === '-' ? -1 : 1) * (h * MS_PER_HOUR + m * MS_PER_MINUTE);
  } else {
    try {
      z = new Intl.DateTimeFormat('en-US', {
        timeZone: t,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch (cause) {
      throw userError('CONFIG.TIME_ZONE', `unknown time zone '${tz}'`, {
        help: "use an IANA name such as 'Europe/Berlin', 'UTC', or a fixed offset such as '+08:00'",
        cause,
      });
    }
  }
  zoneCache.set(tz, z);
  return z;
}

/** Throws CONFIG.TIME_ZONE when `tz` is neither an IANA name nor a fixed offset. */
export function validateTimeZone(tz: string): void {
  zoneOf(tz);
}

// Offsets of IANA zones only change on transitions; cache per 15-minute bucket of UTC time.
const offsetCache = new Map<string, number>();

/** The zone's offset from UTC (ms) at instant `utcMs`: local wall clock = utcMs + offset. */
export function zoneOffsetMs(utcMs: number, tz: string): number {
  const z = zoneOf(tz);
  if (typeof z === 'number') return z;
  const bucket = Math.floor(utcMs / (15 * MS_PER_MINUTE));
  const key = tz + '@' + bucket;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const at = bucket * 15 * MS_PER_MINUTE;
  let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, bc = false;
  for (const p of z.formatToParts(new Date(at))) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value.startsWith('B'); break;
      default: break;
    }
  }
  if (bc) y = 1 - y;
  const local = daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * MS_PER_SECOND;
  const off = local - at;
  if (offsetCache.size > 10_000) offsetCache.clear();
  offsetCache.set(key, off);
  return off;
}

/** TIMESTAMP_LTZ instant → wall clock in `tz` (the TIMESTAMP value it displays as). */
export function utcToLocal(utcMs: number, tz: string): number {
  return utcMs + zoneOffsetMs(utcMs, tz);
}

/** Wall clock in `tz` → instant. In a DST gap the later offset is used; in an overlap the earlier instant. */
export function localToUtc(localMs: number, tz: string): number {
  const o1 = zoneOffsetMs(localMs, tz);
  const o2 = zoneOffsetMs(localMs - o1, tz);
  if (o1 === o2) return localMs - o1;
  const o3 = zoneOffsetMs(localMs - o2, tz);
  return localMs - Math.max(o2, o3);
}

// ---------------------------------------------------------------------------------------------------------
// Pattern formats (DATE_FORMAT, TO_TIMESTAMP, FROM_UNIXTIME): Java SimpleDateFormat / DateTimeFormatter letters

type PatternPart = string | { readonly letter: string; readonly count: number };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SUPPORTED_LETTERS = 'GyYuMLdDHkKhmsSEaewZXz';

function tokenizePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        lit += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw userError('EXPR.DATE_PATTERN', `unterminated quote in date pattern '${pattern}'`);
      // '' inside a quoted section is one quote
      lit += pattern.slice(i + 1, end);
      i = end + 1;
      while (pattern[i] === "'" && pattern[i + 1] !== undefined) {
        const e2 = pattern.indexOf("'", i + 1);
        if (e2 < 0) break;
        lit += "'" + pattern.slice(i + 1, e2);
        i = e2 + 1;
      }
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!SUPPORTED_LETTERS.includes(c)) {
        throw userError('EXPR.DATE_PATTERN', `unsupported pattern letter '${c}' in date pattern '${pattern}'`);
      }
      let j = i;
      while (pattern[j] === c) j++;
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ letter: c, count: j - i });
      i = j;
      continue;
    }
    lit += c;
    i++;
  }
  if (lit) parts.push(lit);
  return parts;
}

/**
 * Compiles a Java date pattern (`yyyy-MM-dd HH:mm:ss.SSS`, `EEE, d MMM yyyy`, `hh 'o''clock' a`) into a
 * formatter of wall-clock epoch ms. `S…S` prints the leading digits of the fraction of the second.
 * Zone letters print the fixed `offsetMs` (0 for TIMESTAMP: Z → `+0000`, X → `Z`).
 */
export function compileDateFormat(pattern: string, offsetMs = 0): (wallMs: number) => string {
  const parts = tokenizePattern(pattern);
  return (ms: number): string => {
    const days = timestampToDays(ms);
    const tod = ms - days * MS_PER_DAY;
    civil(days);
    const year = cYear, month = cMonth, day = cDay;
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const n = p.count;
      switch (p.letter) {
        case 'G':
          out += year > 0 ? 'AD' : 'BC';
          break;
        case 'y':
        case 'Y':
        case 'u': {
          if (p.letter === 'u' && n < 2) {
            out += isoDayOfWeek(days);
            break;
          }
          const yy = p.letter === 'Y' ? isoWeekYear(days) : year;
          out += n === 2 ? pad2(((yy % 100) + 100) % 100) : padN(yy, n);
          break;
        }
        case 'M':
        case 'L':
          out += n >= 4 ? MONTHS[month - 1]! : n === 3 ? MONTHS[month - 1]!.slice(0, 3) : padN(month, n);
          break;
        case 'd':
          out += padN(day, n);
          break;
        case 'D':
          out += padN(days - daysFromCivil(year, 1, 1) + 1, n);
          break;
        case 'H':
          out += padN(Math.floor(tod / MS_PER_HOUR), n);
          break;
        case 'k':
          out += padN(Math.floor(tod / MS_PER_HOUR) || 24, n);
          break;
        case 'K':
          out += padN(Math.floor(tod / MS_PER_HOUR) % 12, n);
          break;
        case 'h':
          out += padN(Math.floor(tod / MS_PER_HOUR) % 12 || 12, n);
          break;
        case 'm':
          out += padN(Math.floor(tod / MS_PER_MINUTE) % 60, n);
          break;
        case 's':
          out += padN(Math.floor(tod / MS_PER_SECOND) % 60, n);
          break;
        case 'S': {
          const f = String(nanosOfSecond(ms)).padStart(9, '0');
          out += n <= 9 ? f.slice(0, n) : f + '0'.repeat(n - 9);
          break;
        }
        case 'E':
        case 'e': {
          const name = WEEKDAYS[isoDayOfWeek(days) - 1]!;
          out += n >= 4 ? name : name.slice(0, 3);
          break;
        }
        case 'a':
          out += tod < 12 * MS_PER_HOUR ? 'AM' : 'PM';
          break;
        case 'w':
          out += padN(isoWeek(days), n);
          break;
        case 'Z':
        case 'X':
        case 'z':
          out += formatOffset(offsetMs, p.letter, n);
          break;
        default:
          break;
      }
    }
    return out;
  };
}

function isoWeekYear(days: number): number {
  civil(days - isoDayOfWeek(days) + 4);
  return cYear;
}

function formatOffset(offsetMs: number, letter: string, count: number): string {
  if (letter === 'X' && offsetMs === 0) return 'Z';
  if (letter === 'z') return offsetMs === 0 ? 'UTC' : 'GMT' + formatOffset(offsetMs, 'X', 3);
  const sign = offsetMs < 0 ? '-' : '+';
  const a = Math.abs(offsetMs) / MS_PER_MINUTE;
  const hh = pad2(Math.floor(a / 60));
  const mm = pad2(a % 60);
  if (letter === 'X') return count === 1 ? sign + hh : count === 2 ? sign + hh + mm : sign + hh + ':' + mm;
  return sign + hh + mm;
}

/**
 * Compiles a Java date pattern into a parser of wall-clock epoch ms; the parser returns null when the text
 * does not match. Numeric fields take as many digits as are present, except when another numeric field
 * follows directly (`yyyyMMdd`), where each takes exactly its pattern width.
 */
export function compileDateParser(pattern: string): (text: string) => number | null {
  const parts = tokenizePattern(pattern);
  const numericLetters = 'yYuMLdDHkKhmsSw';
  return (text: string): number | null => {
    let pos = 0;
    let year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, pm = -1, hour12 = false;
    let offset: number | null = null;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (typeof p === 'string') {
        if (!text.startsWith(p, pos)) return null;
        pos += p.length;
        continue;
      }
      const next = parts[k + 1];
      const abutting = next !== undefined && typeof next !== 'string' && numericLetters.includes(next.letter);
      if (p.letter === 'M' && p.count >= 3) {
        const rest = text.slice(pos).toLowerCase();
        const idx = MONTHS.findIndex((mn) => rest.startsWith(p.count >= 4 ? mn.toLowerCase() : mn.slice(0, 3).toLowerCase()));
        if (idx < 0) return null;
        month = idx + 1;
        pos += p.count >= 4 ? MONTHS[idx]!.length : 3;
        continue;
      }
      if (p.letter === 'E' || p.letter === 'e') {
        const rest = text.slice(pos).toLowerCase();
        const w = WEEKDAYS.find((d) => rest.startsWith(p.count >= 4 ? d.toLowerCase() : d.slice(0, 3).toLowerCase()));
        if (w === undefined) return null;
        pos += p.count >= 4 ? w.length : 3;
        continue;
      }
      if (p.letter === 'a') {
        const t = text.slice(pos, pos + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') return null;
        pm = t === 'PM' ? 1 : 0;
        pos += 2;
        continue;
      }
      if (p.letter === 'Z' || p.letter === 'X' || p.letter === 'z') {
        const m = /^(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)/.exec(text.slice(pos));
        if (m === null) return null;
        const z = m[1]!;
        if (z === 'Z' || z === 'UTC' || z === 'GMT') offset = 0;
        else offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + (z.length > 3 ? Number(z.slice(-2)) : 0)) * MS_PER_MINUTE;
        pos += z.length;
        continue;
      }
      if (p.letter === 'G') {
        const t = text.slice(pos, pos + 2).toUpperCase();
        if (t !== 'AD' && t !== 'BC') return null;
        pos += 2;
        continue;
      }
      let end = pos;
      if ((p.letter === 'y' || p.letter === 'Y') && (text[end] === '-' || text[end] === '+')) end++;
      const limit = abutting ? pos + p.count : text.length;
      while (end < limit && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
      if (end === pos || (abutting && end - pos !== p.count)) return null;
      const digits = text.slice(pos, end);
      const v = Number(digits);
      pos = end;
      switch (p.letter) {
        case 'y':
        case 'Y':
        case 'u':
          year = p.count === 2 && digits.length === 2 ? 2000 + v : v;
          break;
        case 'M':
        case 'L':
          month = v;
          break;
        case 'd':
          day = v;
          break;
        case 'D':
          month = 1;
          day = v;
          break;
        case 'H':
        case 'k':
          hour = v === 24 && p.letter === 'k' ? 0 : v;
          break;
        case 'K':
        case 'h':
          hour = v % 12;
          hour12 = true;
          break;
        case 'm':
          minute = v;
          break;
        case 's':
          second = v;
          break;
        case 'S':
          nanos = Number(digits.slice(0, 9).padEnd(9, '0'));
          break;
        default:
          break;
      }
    }
    if (pos !== text.length && text.slice(pos).trim() !== '') return null;
    if (hour12 && pm === 1) hour += 12;
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
    if (day < 1 || day > (parts.some((p) => typeof p !== 'string' && p.letter === 'D') ? 366 : daysInMonth(year, month))) return null;
    const local = (daysFromCivil(year, month, 1) + day - 1) * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + nanos / 1_000_000;
    return offset === null ? local : local - offset;
  };
}
