/**
 * Date and time functions.
 *
 * Unit arguments: the planner passes `EXTRACT(DAY FROM t)` as `EXTRACT('DAY', t)`, `TIMESTAMPADD(HOUR, n, t)`
 * as `TIMESTAMPADD('HOUR', n, t)` and `TIMESTAMPDIFF(DAY, a, b)` as `TIMESTAMPDIFF('DAY', a, b)`: the unit is a
 * string literal first argument (the AST's Symbol, upper-case).
 *
 * TIMESTAMP_LTZ arguments are read in the session time zone (`EvalContext.timeZone`), as Flink does; TIMESTAMP
 * arguments are wall-clock values and need no zone.
 */
import { userError } from '../../common/index.js';
import {
  MS_PER_DAY,
  compileDateFormat,
  compileDateParser,
  extractFromDate,
  extractFromTimestamp,
  formatTimestamp,
  localToUtc,
  parseDate,
  parseTimeUnit,
  parseTimestamp,
  timestampAdd,
  timestampDiff,
  utcToLocal,
  type LogicalType,
  type TimeUnit,
} from '../../types/index.js';
import {
  BIGINT,
  DATE,
  INT,
  STRING,
  defineFunction,
  isTimestampKind,
  nullable,
  timestampLtzType,
  timestampType,
  type EvalContext,
  type ScalarFunctionDef,
} from './function-def.js';

function unitOf(unit: string, fn: string): TimeUnit {
  const u = parseTimeUnit(unit);
  if (u === null) throw userError('EXPR.TIME_UNIT', `${fn}: unknown time unit '${unit}'`);
  return u;
}

/** A reader that turns a DATE/TIMESTAMP/TIMESTAMP_LTZ argument into wall-clock epoch ms. */
function wallClock(t: LogicalType, ctx: EvalContext): (v: number) => number {
  if (t.kind === 'DATE') return (d) => d * MS_PER_DAY;
  if (t.kind === 'TIMESTAMP_LTZ') {
    const tz = ctx.timeZone;
    return (v) => utcToLocal(v, tz);
  }
  return (v) => v;
}

/** One-slot cache of a compiled pattern per call site (patterns are almost always literals). */
function cachedPattern<T>(compile: (p: string) => T): (p: string) => T {
  let last: string | null = null;
  let compiled: T | null = null;
  return (p) => {
    if (p !== last) {
      compiled = compile(p);
      last = p;
    }
    return compiled as T;
  };
}

const DEFAULT_TS_FORMAT = 'yyyy-MM-dd HH:mm:ss';

const dateFormat = defineFunction({
  names: ['DATE_FORMAT'],
  signatures: [
    { args: ['datetime', 'string'], returns: STRING },
    { args: ['string', 'string'], returns: STRING },
  ],
  description: "DATE_FORMAT(ts, pattern): formats with Java date pattern letters. DATE_FORMAT(TIMESTAMP '2020-04-01 10:20:30', 'yyyy-MM-dd HH:mm') = '2020-04-01 10:20'",
  resultNullable: true,
  implement(argTypes, _ret, ctx) {
    const fmt = cachedPattern((p) => compileDateFormat(p));
    const t = argTypes[0]!;
    if (t.kind === 'VARCHAR' || t.kind === 'CHAR') {
      return {
        kernel: (s: string, p: string) => {
          const ts = parseTimestamp(s);
          return ts === null ? null : fmt(p)(ts);
        },
        mayReturnNull: true,
      };
    }
    const wall = wallClock(t, ctx);
    return { kernel: (v: number, p: string) => fmt(p)(wall(v)), mayReturnNull: false };
  },
});

function extractor(name: string, unit: TimeUnit, example: string): ScalarFunctionDef {
  return defineFunction({
    names: [name],
    signatures: [{ args: ['datetime'], returns: BIGINT }],
    description: `${name}(d): the ${unit.toLowerCase()} of a date or timestamp. ${example}`,
    implement(argTypes, _ret, ctx) {
      const t = argTypes[0]!;
      if (t.kind === 'DATE') return (d: number) => extractFromDate(unit, d);
      const wall = wallClock(t, ctx);
      return (v: number) => extractFromTimestamp(unit, wall(v));
    },
  });
}

const timeExtractor = (name: 'HOUR' | 'MINUTE' | 'SECOND', example: string): ScalarFunctionDef =>
  defineFunction({
    names: [name],
    signatures: [{ args: ['timestamp'], returns: BIGINT }, { args: ['time'], returns: BIGINT }],
    description: `${name}(ts): the ${name.toLowerCase()} of a timestamp or time. ${example}`,
    implement(argTypes, _ret, ctx) {
      const t = argTypes[0]!;
      const wall = t.kind === 'TIME' ? (v: number) => v : wallClock(t, ctx);
      if (name === 'HOUR' && t.kind === 'TIMESTAMP') {
        return { kernel: (v: number) => Math.floor((v - Math.floor(v / MS_PER_DAY) * MS_PER_DAY) / 3_600_000), inline: ([v]) => `Math.floor((${v} - Math.floor(${v} / ${MS_PER_DAY}) * ${MS_PER_DAY}) / 3600000)` };
      }
      return (v: number) => extractFromTimestamp(name, wall(v));
    },
  });

const extract = defineFunction({
  names: ['EXTRACT'],
  signatures: [{ args: ['string', 'datetime'], returns: BIGINT }, { args: ['string', 'time'], returns: BIGINT }, { args: ['string', 'interval'], returns: BIGINT }],
  description: "EXTRACT(unit FROM d): a field of a date, time, timestamp or interval. EXTRACT(YEAR FROM DATE '2020-04-01') = 2020",
  implement(argTypes, _ret, ctx) {
    const t = argTypes[1]!;
    if (t.kind === 'DATE') return (u: string, d: number) => extractFromDate(unitOf(u, 'EXTRACT'), d);
    if (t.kind === 'INTERVAL_YEAR_MONTH') {
      return (u: string, m: number) => {
        const unit = unitOf(u, 'EXTRACT');
        return unit === 'YEAR' ? Math.trunc(m / 12) : unit === 'MONTH' ? m % 12 : unit === 'QUARTER' ? Math.trunc((m % 12) / 3) + 1 : 0;
      };
    }
    if (t.kind === 'INTERVAL_DAY_TIME') {
      return (u: string, ms: number) => {
        const unit = unitOf(u, 'EXTRACT');
        const sign = ms < 0 ? -1 : 1;
        const a = Math.abs(ms);
        const v = unit === 'DAY' ? Math.floor(a / MS_PER_DAY) : extractFromTimestamp(unit, a);
        return sign * v;
      };
    }
    const wall = t.kind === 'TIME' ? (v: number) => v : wallClock(t, ctx);
    return (u: string, v: number) => extractFromTimestamp(unitOf(u, 'EXTRACT'), wall(v));
  },
});

const timestampAddDef = defineFunction({
  names: ['TIMESTAMPADD'],
  signatures: [{ args: ['string', 'integer', 'datetime'], returns: (a) => plainTemporal(a[2]!) }],
  description: "TIMESTAMPADD(unit, n, ts): adds n units (calendar-correct for months). TIMESTAMPADD(MONTH, 1, DATE '2020-01-31') = 2020-02-29",
  implement(argTypes) {
    if (argTypes[2]!.kind === 'DATE') {
      return (u: string, n: number, d: number) => Math.floor(timestampAdd(unitOf(u, 'TIMESTAMPADD'), n, d * MS_PER_DAY) / MS_PER_DAY);
    }
    return (u: string, n: number, ts: number) => timestampAdd(unitOf(u, 'TIMESTAMPADD'), n, ts);
  },
});

function plainTemporal(t: LogicalType): LogicalType {
  if (isTimestampKind(t)) return { kind: t.kind, precision: (t as { precision: number }).precision, nullable: t.nullable } as LogicalType;
  return t;
}

const timestampDiffDef = defineFunction({
  names: ['TIMESTAMPDIFF'],
  signatures: [{ args: ['string', 'datetime', 'datetime'], returns: INT }],
  description: "TIMESTAMPDIFF(unit, a, b): whole units from a to b. TIMESTAMPDIFF(DAY, DATE '2020-01-01', DATE '2020-01-31') = 30",
  implement(argTypes, _ret, ctx) {
    // Both sides are compared on one time line: LTZ instants, else wall clock.
    const ltz = argTypes[1]!.kind === 'TIMESTAMP_LTZ' || argTypes[2]!.kind === 'TIMESTAMP_LTZ';
    const read = (t: LogicalType): ((v: number) => number) =>
      t.kind === 'DATE' ? (ltz ? (d) => localToUtc(d * MS_PER_DAY, ctx.timeZone) : (d) => d * MS_PER_DAY) : ltz && t.kind === 'TIMESTAMP' ? (v) => localToUtc(v, ctx.timeZone) : (v) => v;
    const ra = read(argTypes[1]!), rb = read(argTypes[2]!);
    return (u: string, a: number, b: number) => timestampDiff(unitOf(u, 'TIMESTAMPDIFF'), ra(a), rb(b));
  },
});

const toTimestamp = defineFunction({
  names: ['TO_TIMESTAMP'],
  signatures: [{ args: ['string', 'string'], optional: 1, returns: timestampType(3) }],
  description: "TO_TIMESTAMP(s[, pattern]): parses a timestamp (default 'yyyy-MM-dd HH:mm:ss'); NULL when it does not parse. TO_TIMESTAMP('2020-04-01 10:20:30')",
  resultNullable: true,
  implement() {
    const parser = cachedPattern((p) => compileDateParser(p));
    return {
      kernel: (s: string, p?: string) => {
        if (p === undefined) {
          const v = parseTimestamp(s);
          return v === null ? null : Math.floor(v);
        }
        const v = parser(p)(s);
        return v === null ? null : Math.floor(v);
      },
      mayReturnNull: true,
    };
  },
});

const toDate = defineFunction({
  names: ['TO_DATE'],
  signatures: [{ args: ['string', 'string'], optional: 1, returns: DATE }],
  description: "TO_DATE(s[, pattern]): parses a date (default 'yyyy-MM-dd'); NULL when it does not parse. TO_DATE('2020-04-01')",
  resultNullable: true,
  implement() {
    const parser = cachedPattern((p) => compileDateParser(p));
    return {
      kernel: (s: string, p?: string) => {
        if (p === undefined) return parseDate(s);
        const v = parser(p)(s);
        return v === null ? null : Math.floor(v / MS_PER_DAY);
      },
      mayReturnNull: true,
    };
  },
});

const unixTimestamp = defineFunction({
  names: ['UNIX_TIMESTAMP'],
  signatures: [{ args: [], returns: nullable(BIGINT, false) }, { args: ['string', 'string'], optional: 1, returns: BIGINT }],
  description: "UNIX_TIMESTAMP([s[, pattern]]): seconds since the epoch, now or of s read in the session time zone. UNIX_TIMESTAMP('1970-01-01 00:00:10') = 10 (UTC)",
  // Without arguments it reads the clock; the planner must not fold it.
  deterministic: false,
  resultNullable: true,
  implement(_argTypes, _ret, ctx) {
    const parser = cachedPattern((p) => compileDateParser(p));
    const tz = ctx.timeZone;
    return {
      kernel: (s?: string, p?: string) => {
        if (s === undefined) return Math.floor(Date.now() / 1000);
        const wall = parser(p ?? DEFAULT_TS_FORMAT)(s);
        return wall === null ? null : Math.floor(localToUtc(wall, tz) / 1000);
      },
      mayReturnNull: true,
    };
  },
});

const fromUnixtime = defineFunction({
  names: ['FROM_UNIXTIME'],
  signatures: [{ args: ['integer', 'string'], optional: 1, returns: STRING }],
  description: "FROM_UNIXTIME(seconds[, pattern]): formats epoch seconds in the session time zone (default 'yyyy-MM-dd HH:mm:ss'). FROM_UNIXTIME(44) = '1970-01-01 00:00:44' (UTC)",
  implement(_argTypes, _ret, ctx) {
    const fmt = cachedPattern((p) => compileDateFormat(p));
    const tz = ctx.timeZone;
    return (secs: number, p?: string) => fmt(p ?? DEFAULT_TS_FORMAT)(utcToLocal(secs * 1000, tz));
  },
});

const toTimestampLtz = defineFunction({
  names: ['TO_TIMESTAMP_LTZ'],
  signatures: [{ args: ['numeric', 'integer'], optional: 1, returns: timestampLtzType(3) }],
  description: 'TO_TIMESTAMP_LTZ(n[, precision]): epoch seconds (precision 0) or milliseconds (3, the default) as TIMESTAMP_LTZ(3). TO_TIMESTAMP_LTZ(1000, 3)',
  resultNullable: true,
  implement(argTypes) {
    const scale = argTypes[0]!.kind === 'DECIMAL' ? argTypes[0]!.scale : -1;
    return {
      kernel: (n: number | bigint, precision = 3) => {
        const x = scale >= 0 ? Number(n) / 10 ** scale : (n as number);
        if (precision === 0) return Math.floor(x * 1000);
        if (precision === 3) return Math.floor(x);
        return null;
      },
      mayReturnNull: true,
    };
  },
});

const convertTz = defineFunction({
  names: ['CONVERT_TZ'],
  signatures: [{ args: ['string', 'string', 'string'], returns: STRING }],
  description: "CONVERT_TZ(s, from, to): re-reads a 'yyyy-MM-dd HH:mm:ss' time from one zone into another. CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles') = '1969-12-31 16:00:00'",
  resultNullable: true,
  implement: () => ({
    kernel: (s: string, from: string, to: string) => {
      const wall = parseTimestamp(s);
      if (wall === null) return null;
      return formatTimestamp(utcToLocal(localToUtc(wall, from), to), 0);
    },
    mayReturnNull: true,
  }),
});

function now(names: string[], ret: LogicalType, description: string, value: (ctx: EvalContext) => () => number): ScalarFunctionDef {
  return defineFunction({
    names,
    signatures: [{ args: [], returns: nullable(ret, false) }],
    description,
    deterministic: false,
    implement: (_a, _r, ctx) => value(ctx),
  });
}

const PROCTIME_TYPE: LogicalType = { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'proctime' };

export const TEMPORAL_FUNCTIONS: readonly ScalarFunctionDef[] = [
  dateFormat,
  timeExtractor('HOUR', "HOUR(TIMESTAMP '2020-04-01 10:20:30') = 10"),
  timeExtractor('MINUTE', "MINUTE(TIMESTAMP '2020-04-01 10:20:30') = 20"),
  timeExtractor('SECOND', "SECOND(TIMESTAMP '2020-04-01 10:20:30') = 30"),
  extractor('YEAR', 'YEAR', "YEAR(DATE '2020-04-01') = 2020"),
  extractor('QUARTER', 'QUARTER', "QUARTER(DATE '2020-04-01') = 2"),
  extractor('MONTH', 'MONTH', "MONTH(DATE '2020-04-01') = 4"),
  extractor('WEEK', 'WEEK', "WEEK(DATE '2020-04-01') = 14 (ISO week)"),
  extractor('DAYOFYEAR', 'DOY', "DAYOFYEAR(DATE '2020-02-01') = 32"),
  extractor('DAYOFMONTH', 'DAY', "DAYOFMONTH(DATE '2020-04-01') = 1"),
  extractor('DAYOFWEEK', 'DOW', "DAYOFWEEK(DATE '2020-04-01') = 4 (Sunday = 1)"),
  extract,
  timestampAddDef,
  timestampDiffDef,
  toTimestamp,
  toDate,
  unixTimestamp,
  fromUnixtime,
  toTimestampLtz,
  convertTz,
  now(['CURRENT_TIMESTAMP', 'NOW', 'CURRENT_ROW_TIMESTAMP'], timestampLtzType(3), 'CURRENT_TIMESTAMP: the current instant as TIMESTAMP_LTZ(3)', () => () => Date.now()),
  now(['LOCALTIMESTAMP'], timestampType(3), 'LOCALTIMESTAMP: the current wall clock of the session zone as TIMESTAMP(3)', (ctx) => () => utcToLocal(Date.now(), ctx.timeZone)),
  now(['CURRENT_DATE'], DATE, 'CURRENT_DATE: today in the session time zone', (ctx) => () => Math.floor(utcToLocal(Date.now(), ctx.timeZone) / MS_PER_DAY)),
  now(['CURRENT_TIME', 'LOCALTIME'], { kind: 'TIME', precision: 0, nullable: false }, 'CURRENT_TIME: the time of day in the session time zone', (ctx) => () => {
    const l = utcToLocal(Date.now(), ctx.timeZone);
    return Math.floor((l - Math.floor(l / MS_PER_DAY) * MS_PER_DAY) / 1000) * 1000;
  }),
  now(['PROCTIME'], PROCTIME_TYPE, 'PROCTIME(): the processing-time attribute (the current instant)', () => () => Date.now()),
];
