/**
 * UTC offsets of IANA time zones at given instants, via `Intl` (Node ships the tz database). ORC
 * TIMESTAMP columns are written relative to the writer's zone (`StripeFooter.writerTimezone`); turning
 * them back into that zone's wall clock needs the offset in force at each value.
 *
 * Offsets are memoized per zone and quarter hour: transitions happen at local whole hours, which fall on
 * UTC quarter hours for every modern offset (+5:45, −3:30, ...), so one `formatToParts` call serves every
 * value of the same quarter hour.
 */
import { unsupported } from '../../common/index.js';

const QUARTER_HOUR = 900;
const formatters = new Map<string, Intl.DateTimeFormat>();
const memo = new Map<string, Map<number, number>>();

/** True for the names of UTC itself, for which no conversion is needed. */
export function isUtcZone(zone: string | undefined): boolean {
  return zone === undefined || zone === '' || zone === 'UTC' || zone === 'GMT' || zone === 'Etc/UTC' || zone === 'Z' || zone === 'Etc/GMT';
}

function formatter(zone: string, file: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
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
      throw unsupported('LAKE.UNSUPPORTED_FORMAT', `ORC file '${file}' was written in time zone '${zone}', which this Node.js does not know`, { cause });
    }
    formatters.set(zone, f);
    memo.set(zone, new Map());
  }
  return f;
}

/** Offset of `zone` from UTC, in seconds, at the instant `epochSeconds`. */
export function zoneOffsetSeconds(zone: string, epochSeconds: number, file: string): number {
  const f = formatter(zone, file);
  const buckets = memo.get(zone)!;
  const bucket = Math.floor(epochSeconds / QUARTER_HOUR);
  let off = buckets.get(bucket);
  if (off === undefined) {
    // Format the bucket's first second as the zone's wall clock, then read it back as if UTC.
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    let bc = false;
    for (const p of f.formatToParts(new Date(bucket * QUARTER_HOUR * 1000))) {
      switch (p.type) {
        case 'year':
          y = Number(p.value);
          break;
        case 'month':
          mo = Number(p.value);
          break;
        case 'day':
          d = Number(p.value);
          break;
        case 'hour':
          h = Number(p.value);
          break;
        case 'minute':
          mi = Number(p.value);
          break;
        case 'second':
          s = Number(p.value);
          break;
        case 'era':
          bc = p.value.startsWith('B');
          break;
        default:
      }
    }
    const wall = Date.UTC(bc ? 1 - y : y, mo - 1, d, h, mi, s);
    // Date.UTC maps years 0..99 to 1900..1999; set the year explicitly for those.
    const date = new Date(wall);
    if ((bc ? 1 - y : y) < 100) date.setUTCFullYear(bc ? 1 - y : y);
    off = date.getTime() / 1000 - bucket * QUARTER_HOUR;
    if (buckets.size > 100000) buckets.clear();
    buckets.set(bucket, off);
  }
  return off;
}
