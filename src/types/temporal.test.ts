import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMonthsToDate,
  addMonthsToTimestamp,
  civilFromDays,
  compileDateFormat,
  compileDateParser,
  daysFromCivil,
  extractFromTimestamp,
  floorTimestamp,
  formatIntervalDayTime,
  formatIntervalYearMonth,
  formatTimestamp,
  isoWeek,
  localToUtc,
  parseDate,
  parseTimestamp,
  sqlDayOfWeek,
  timestampDiff,
  utcToLocal,
  validateTimeZone,
  zoneOffsetMs,
  ceilTimestamp,
} from './temporal.js';

const ts = (s: string): number => parseTimestamp(s)!;

test('civil day conversions round-trip, including before 1970 and leap days', () => {
  for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [1969, 12, 31], [1600, 3, 1], [2024, 12, 31]] as const) {
    assert.deepEqual(civilFromDays(daysFromCivil(y, m, d)), { year: y, month: m, day: d });
  }
  assert.equal(daysFromCivil(1970, 1, 1), 0);
  assert.equal(daysFromCivil(1969, 12, 31), -1);
});

test('month arithmetic clamps the day of month', () => {
  assert.equal(addMonthsToDate(daysFromCivil(2020, 1, 31), 1), daysFromCivil(2020, 2, 29));
  assert.equal(addMonthsToDate(daysFromCivil(2021, 1, 31), 1), daysFromCivil(2021, 2, 28));
  assert.equal(addMonthsToDate(daysFromCivil(2021, 3, 15), -14), daysFromCivil(2020, 1, 15));
  assert.equal(formatTimestamp(addMonthsToTimestamp(ts('2020-03-31 10:11:12.5'), -1), 3), '2020-02-29 10:11:12.500');
});

test('timestamps print exactly p fraction digits', () => {
  assert.equal(formatTimestamp(ts('2015-08-31 10:10:10.123'), 3), '2015-08-31 10:10:10.123');
  assert.equal(formatTimestamp(ts('2015-08-31 10:10:10'), 3), '2015-08-31 10:10:10.000');
  assert.equal(formatTimestamp(ts('2015-08-31 10:10:10.123456'), 6), '2015-08-31 10:10:10.123456');
  assert.equal(formatTimestamp(ts('2015-08-31 10:10:10.999'), 0), '2015-08-31 10:10:10');
  assert.equal(formatTimestamp(ts('1969-12-31 23:59:59.5'), 1), '1969-12-31 23:59:59.5');
});

test('parsing rejects invalid dates and accepts T separators', () => {
  assert.equal(parseDate('2021-02-29'), null);
  assert.equal(parseDate('2020-02-29'), daysFromCivil(2020, 2, 29));
  assert.equal(parseTimestamp('2020-01-01T10:00:00'), ts('2020-01-01 10:00:00'));
  assert.equal(parseTimestamp('2020-01-01'), daysFromCivil(2020, 1, 1) * 86400000);
  assert.equal(parseTimestamp('2020-01-01 25:00:00'), null);
  assert.equal(parseTimestamp('hello'), null);
});

test('DATE_FORMAT patterns (Java letters, quoting)', () => {
  const t = ts('2020-04-05 13:07:09.045');
  assert.equal(compileDateFormat('yyyy-MM-dd')(t), '2020-04-05');
  assert.equal(compileDateFormat('yyyy-MM-dd HH:mm:ss.SSS')(t), '2020-04-05 13:07:09.045');
  assert.equal(compileDateFormat('HH:mm')(t), '13:07');
  assert.equal(compileDateFormat("hh 'o''clock' a")(t), "01 o'clock PM");
  assert.equal(compileDateFormat('EEE, d MMM yy')(t), 'Sun, 5 Apr 20');
  assert.equal(compileDateFormat('EEEE MMMM D')(t), 'Sunday April 96');
  assert.equal(compileDateFormat("yyyyMMdd'T'HHmmss")(t), '20200405T130709');
  assert.throws(() => compileDateFormat('yyyy-qq'), { code: 'EXPR.DATE_PATTERN' });
});

test('date pattern parsing', () => {
  assert.equal(compileDateParser('yyyy-MM-dd HH:mm:ss')('2020-04-05 13:07:09'), ts('2020-04-05 13:07:09'));
  assert.equal(compileDateParser('yyyyMMdd')('20200405'), ts('2020-04-05 00:00:00'));
  assert.equal(compileDateParser('dd/MM/yyyy hh:mm a')('05/04/2020 01:07 PM'), ts('2020-04-05 13:07:00'));
  assert.equal(compileDateParser('yyyy-MM-dd')('2020-13-01'), null);
  assert.equal(compileDateParser('yyyy-MM-dd')('nope'), null);
});

test('extract, week numbers, day of week, floor/ceil, diff', () => {
  const t = ts('2020-12-31 23:59:58.5');
  assert.equal(extractFromTimestamp('YEAR', t), 2020);
  assert.equal(extractFromTimestamp('QUARTER', t), 4);
  assert.equal(extractFromTimestamp('HOUR', t), 23);
  assert.equal(extractFromTimestamp('SECOND', t), 58);
  assert.equal(extractFromTimestamp('MILLISECOND', t), 58500);
  assert.equal(isoWeek(daysFromCivil(2021, 1, 1)), 53);
  assert.equal(isoWeek(daysFromCivil(2020, 4, 1)), 14);
  assert.equal(sqlDayOfWeek(daysFromCivil(2020, 4, 5)), 1);
  assert.equal(formatTimestamp(floorTimestamp(t, 'HOUR'), 0), '2020-12-31 23:00:00');
  assert.equal(formatTimestamp(floorTimestamp(t, 'MONTH'), 0), '2020-12-01 00:00:00');
  assert.equal(formatTimestamp(floorTimestamp(ts('1969-12-31 10:30:00'), 'DAY'), 0), '1969-12-31 00:00:00');
  assert.equal(formatTimestamp(ceilTimestamp(t, 'DAY'), 0), '2021-01-01 00:00:00');
  assert.equal(timestampDiff('DAY', ts('2020-01-01 00:00:00'), ts('2020-01-31 12:00:00')), 30);
  assert.equal(timestampDiff('MONTH', ts('2020-01-31 00:00:00'), ts('2020-02-29 00:00:00')), 0);
  assert.equal(timestampDiff('MONTH', ts('2020-01-15 00:00:00'), ts('2020-03-15 00:00:00')), 2);
  assert.equal(timestampDiff('YEAR', ts('2020-03-15 00:00:00'), ts('2019-03-16 00:00:00')), 0);
});

test('intervals print as Flink does', () => {
  assert.equal(formatIntervalDayTime(86400000 + 2 * 3600000 + 3 * 60000 + 4000), '+1 02:03:04.000');
  assert.equal(formatIntervalDayTime(-1500), '-0 00:00:01.500');
  assert.equal(formatIntervalYearMonth(14), '+1-02');
});

test('time zones: fixed offsets, IANA names with DST, errors', () => {
  assert.equal(zoneOffsetMs(0, '+08:00'), 8 * 3600000);
  assert.equal(zoneOffsetMs(0, 'GMT-05:30'), -5.5 * 3600000);
  assert.equal(zoneOffsetMs(0, 'UTC'), 0);
  const summer = ts('2021-07-01 12:00:00');
  const winter = ts('2021-01-01 12:00:00');
  assert.equal(zoneOffsetMs(summer, 'Europe/Berlin'), 2 * 3600000);
  assert.equal(zoneOffsetMs(winter, 'Europe/Berlin'), 3600000);
  assert.equal(formatTimestamp(utcToLocal(summer, 'America/Los_Angeles'), 0), '2021-07-01 05:00:00');
  assert.equal(localToUtc(ts('2021-07-01 14:00:00'), 'Europe/Berlin'), summer);
  assert.throws(() => validateTimeZone('Mars/Olympus'), { code: 'CONFIG.TIME_ZONE' });
});
