import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FloeError } from '../common/index.js';
import { Types, type RowType } from '../types/index.js';
import { CsvDecoder, CsvEncoder, DEFAULT_CSV_OPTIONS, csvFormatOptions, decodeCsvText, type CsvFormatOptions } from './csv-format.js';
import { ROUND_TRIP_TYPE, decodeInChunks, rowArb, rowsOf, toBatch } from './format-test-support.js';

const LOC = { table: 'bids', file: '/x/part-0.csv' };
const BIDS: RowType = {
  fields: [
    { name: 'auction', type: Types.bigint() },
    { name: 'price', type: Types.bigint() },
    { name: 'channel', type: Types.string() },
  ],
};

const decode = (text: string, type: RowType = BIDS, opts: CsvFormatOptions = DEFAULT_CSV_OPTIONS): unknown[][] =>
  rowsOf(decodeCsvText(text, type, opts, LOC).batch, type);

test('property: any batch written as CSV reads back to the same rows (NULLs, quotes, delimiters, newlines, unicode)', () => {
  const variants: CsvFormatOptions[] = [
    DEFAULT_CSV_OPTIONS,
    { ...DEFAULT_CSV_OPTIONS, fieldDelimiter: '|', nullLiteral: 'NULL' },
    { ...DEFAULT_CSV_OPTIONS, fieldDelimiter: '\t', quoteCharacter: "'", escapeCharacter: '\\' },
    { ...DEFAULT_CSV_OPTIONS, allowComments: true, arrayElementDelimiter: '::' },
  ];
  for (const opts of variants) {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 8 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), (rows, cuts) => {
        const text = new CsvEncoder(ROUND_TRIP_TYPE, opts).encodeBatch(toBatch(ROUND_TRIP_TYPE, rows));
        const back = decodeInChunks(new CsvDecoder(ROUND_TRIP_TYPE, opts, LOC), ROUND_TRIP_TYPE, text, cuts);
        assert.deepEqual(back, rows.map((r) => [...r]));
      }),
      { numRuns: 150 },
    );
  }
});

test('RFC 4180: quoted fields hold delimiters, doubled quotes and line breaks; CRLF line ends', () => {
  const rows = decode('1,2,"a,b"\r\n3,4,"say ""hi"""\n5,6,"two\nlines"\n7,8,plain');
  assert.deepEqual(rows, [
    [1, 2, 'a,b'],
    [3, 4, 'say "hi"'],
    [5, 6, 'two\nlines'],
    [7, 8, 'plain'],
  ]);
});

test('NULLs: unquoted empty is NULL, quoted empty is the empty string; csv.null-literal', () => {
  assert.deepEqual(decode(',,\n1,2,""\n'), [
    [null, null, null],
    [1, 2, ''],
  ]);
  const opts = csvFormatOptions({ 'csv.null-literal': 'n/a' });
  assert.deepEqual(decode('n/a,1,n/a\n2,,\n', BIDS, opts), [
    [null, 1, null],
    [2, null, ''],
  ]);
  const enc = new CsvEncoder(BIDS, opts).encodeBatch(toBatch(BIDS, [[null, 1, 'n/a'], [2, null, null]]));
  assert.equal(enc, 'n/a,1,"n/a"\n2,n/a,n/a\n');
});

test('no header, blank lines skipped, comments with csv.allow-comments, a missing final newline is fine', () => {
  assert.deepEqual(decode('\n1,2,x\n\n3,4,y'), [
    [1, 2, 'x'],
    [3, 4, 'y'],
  ]);
  assert.deepEqual(decode('# a comment\n1,2,x\n', BIDS, csvFormatOptions({ 'csv.allow-comments': 'true' })), [[1, 2, 'x']]);
});

function parseFailure(fn: () => unknown): FloeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FloeError, String(e));
    return e;
  }
  assert.fail('expected a parse error');
}

test('a malformed value names table, file, line, column name and position, type and text', () => {
  const good = Array.from({ length: 16 }, (_, i) => `${i},${i * 10},c`).join('\n');
  const e = parseFailure(() => decode(`${good}\n17,abc,c\n`));
  assert.equal(e.code, 'FORMAT.PARSE');
  assert.equal(e.message, "table 'bids', file /x/part-0.csv, line 17, column 'price' (#2): expected BIGINT, found 'abc'");
  // Line numbers count physical lines, including those inside quoted fields.
  const e2 = parseFailure(() => decode('1,2,"a\nb"\nx,2,c\n'));
  assert.match(e2.message, /line 3, column 'auction' \(#1\): expected BIGINT, found 'x'/);
});

test('structural errors: wrong column count, unterminated quote, junk after a closing quote', () => {
  assert.match(parseFailure(() => decode('1,2\n')).message, /line 1, column 'channel' \(#3\): expected 3 columns, found 2/);
  assert.match(parseFailure(() => decode('1,2,3,4\n')).message, /line 1: expected 3 columns, found 4/);
  assert.match(parseFailure(() => decode('1,2,"abc\n')).message, /line 1: unterminated quoted field/);
  assert.match(parseFailure(() => decode('1,2,"a"b\n')).message, /unexpected character 'b' after a closing quote/);
  assert.match(parseFailure(() => decode('99999999999999999999,1,x\n')).message, /expected BIGINT, found '99999999999999999999'/);
  assert.match(parseFailure(() => decode('1\n', { fields: [{ name: 'n', type: Types.int(false) }] }, csvFormatOptions({ 'csv.null-literal': '1' }))).message, /NULL value for NOT NULL/);
});

test('csv.ignore-parse-errors skips and counts bad rows and keeps going', () => {
  const opts = csvFormatOptions({ 'csv.ignore-parse-errors': 'true' });
  const { batch, skipped } = decodeCsvText('1,2,a\nx,2,b\n3,4\n"open,1,c\n', BIDS, opts, LOC);
  assert.deepEqual(rowsOf(batch, BIDS), [[1, 2, 'a']]);
  assert.equal(skipped, 3);
  const r2 = decodeCsvText('1,2,"a"x\n5,6,ok\n', BIDS, opts, LOC);
  assert.deepEqual(rowsOf(r2.batch, BIDS), [[5, 6, 'ok']]);
  assert.equal(r2.skipped, 1);
  // The skipped remainder of a malformed line may arrive in later chunks; line numbers stay right.
  const text = '1,2,"a"x,y,z,w\n5,6,ok\n7,bad,c\n';
  for (let cut = 1; cut < text.length; cut++) {
    const d = new CsvDecoder(BIDS, opts, LOC);
    assert.deepEqual(decodeInChunks(d, BIDS, text, [cut / text.length, (cut + 3) / text.length]), [[5, 6, 'ok']]);
    assert.equal(d.skipped, 2);
  }
  const strict = new CsvDecoder(BIDS, DEFAULT_CSV_OPTIONS, LOC);
  assert.throws(() => decodeInChunks(strict, BIDS, '5,6,ok\n1,2,"a"x\n', [0.3, 0.6]), /line 2: unexpected character 'x'/);
});

test('types through parseValueText: DECIMAL, TIMESTAMP, DATE, BOOLEAN, ARRAY; BYTES as base64', () => {
  const t: RowType = {
    fields: [
      { name: 'm', type: Types.decimal(5, 2) },
      { name: 'ts', type: Types.timestamp(3) },
      { name: 'd', type: Types.date() },
      { name: 'b', type: Types.boolean() },
      { name: 'a', type: Types.array(Types.string()) },
      { name: 'y', type: Types.bytes() },
    ],
  };
  const rows = decode('1.50,2024-01-02 03:04:05.678,2024-01-02,true,x;;z,AQID\n', t);
  // Without csv.null-literal an empty array element is NULL (elements cannot be quoted).
  assert.deepEqual(rows, [[150n, Date.UTC(2024, 0, 2, 3, 4, 5, 678), 19724, true, ['x', null, 'z'], new Uint8Array([1, 2, 3])]]);
  const enc = new CsvEncoder(t, DEFAULT_CSV_OPTIONS).encodeBatch(toBatch(t, rows));
  assert.equal(enc, '1.50,2024-01-02 03:04:05.678,2024-01-02,true,x;;z,AQID\n');
});

test('options: validation of single characters and conflicting settings', () => {
  assert.equal(csvFormatOptions({ 'csv.field-delimiter': '\\t' }).fieldDelimiter, '\t');
  assert.throws(() => csvFormatOptions({ 'csv.field-delimiter': ';;' }), /single character/);
  assert.throws(() => csvFormatOptions({ 'csv.disable-quote-character': 'true', 'csv.quote-character': "'" }), /cannot both be set/);
  assert.equal(csvFormatOptions({ 'csv.disable-quote-character': 'true' }).quoteCharacter, null);
  assert.throws(() => csvFormatOptions({ 'csv.ignore-parse-errors': 'yes' }), /'true' or 'false'/);
});

test('empty input decodes to no rows; empty batch encodes to nothing', () => {
  assert.deepEqual(decode(''), []);
  assert.equal(new CsvEncoder(BIDS, DEFAULT_CSV_OPTIONS).encodeBatch(toBatch(BIDS, [])), '');
});
