import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FloeError } from '../common/index.js';
import { Types, type RowType } from '../types/index.js';
import {
  DEFAULT_JSON_OPTIONS,
  JsonLinesDecoder,
  JsonLinesEncoder,
  decodeJsonLinesText,
  jsonFormatOptions,
  type JsonFormatOptions,
} from './json-lines-format.js';
import { ROUND_TRIP_TYPE, decodeInChunks, rowArb, rowsOf, toBatch } from './format-test-support.js';

const LOC = { table: 'events', file: '/data/e.json' };
const T: RowType = {
  fields: [
    { name: 'id', type: Types.bigint() },
    { name: 'name', type: Types.string() },
    { name: 'ts', type: Types.timestamp(3) },
  ],
};

const decode = (text: string, type: RowType = T, opts: JsonFormatOptions = DEFAULT_JSON_OPTIONS): unknown[][] =>
  rowsOf(decodeJsonLinesText(text, type, opts, LOC).batch, type);

test('property: any batch written as JSON Lines reads back to the same rows', () => {
  for (const opts of [DEFAULT_JSON_OPTIONS, { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' as const }, { ...DEFAULT_JSON_OPTIONS, ignoreNullFields: true }]) {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 8 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), (rows, cuts) => {
        const text = new JsonLinesEncoder(ROUND_TRIP_TYPE, opts).encodeBatch(toBatch(ROUND_TRIP_TYPE, rows));
        const back = decodeInChunks(new JsonLinesDecoder(ROUND_TRIP_TYPE, opts, LOC), ROUND_TRIP_TYPE, text, cuts);
        assert.deepEqual(back, rows.map((r) => [...r]));
      }),
      { numRuns: 150 },
    );
  }
});

test('fields are matched by name; missing fields are NULL unless json.fail-on-missing-field', () => {
  assert.deepEqual(decode('{"name":"a","id":1,"extra":true}\n{"id":2}\n'), [
    [1, 'a', null],
    [2, null, null],
  ]);
  const strict = jsonFormatOptions({ 'json.fail-on-missing-field': 'true' });
  assert.throws(() => decode('{"id":2}\n', T, strict), /line 1, column 'name' \(#2\): field is missing/);
});

test('Flink conversions: numbers from numeric strings, non-text values into STRING as JSON text', () => {
  assert.deepEqual(decode('{"id":"42","name":{"a":[1,2]}}'), [[42, '{"a":[1,2]}', null]]);
});

test('timestamp standards: SQL uses a space, ISO-8601 a T; TIMESTAMP_LTZ ends with Z', () => {
  assert.deepEqual(decode('{"ts":"2024-01-02 03:04:05.5"}'), [[null, null, Date.UTC(2024, 0, 2, 3, 4, 5, 500)]]);
  const iso = jsonFormatOptions({ 'json.timestamp-format.standard': 'ISO-8601' });
  assert.deepEqual(decode('{"ts":"2024-01-02T03:04:05"}', T, iso), [[null, null, Date.UTC(2024, 0, 2, 3, 4, 5)]]);
  assert.throws(() => decode('{"ts":"2024-01-02T03:04:05"}'), /expected TIMESTAMP\(3\), found '2024-01-02T03:04:05' \(timestamp format standard 'SQL'\)/);
  const ltz: RowType = { fields: [{ name: 't', type: Types.timestampLtz(3) }] };
  const enc = new JsonLinesEncoder(ltz, iso).encodeBatch(toBatch(ltz, [[Date.UTC(2024, 0, 2, 3, 4, 5, 6)]]));
  assert.equal(enc, '{"t":"2024-01-02T03:04:05.006Z"}\n');
  assert.deepEqual(rowsOf(decodeJsonLinesText(enc, ltz, iso, LOC).batch, ltz), [[Date.UTC(2024, 0, 2, 3, 4, 5, 6)]]);
});

test('malformed records name table, file, line and column; ignore-parse-errors skips and counts', () => {
  let err: unknown;
  try {
    decode('{"id":1}\n{"id":"abc"}\n');
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FloeError);
  assert.equal(err.code, 'FORMAT.PARSE');
  assert.equal(err.message, "table 'events', file /data/e.json, line 2, column 'id' (#1): expected BIGINT, found 'abc'");
  assert.throws(() => decode('{"id":1\n'), /line 1: invalid JSON/);
  assert.throws(() => decode('[1,2]\n'), /line 1: expected a JSON object/);
  const opts = jsonFormatOptions({ 'json.ignore-parse-errors': 'true' });
  const r = decodeJsonLinesText('{"id":1}\nnot json\n{"id":"x"}\n\n{"id":3}', T, opts, LOC);
  assert.deepEqual(rowsOf(r.batch, T), [
    [1, null, null],
    [3, null, null],
  ]);
  assert.equal(r.skipped, 2);
});

test('MAP and ROW columns; NULL map keys follow json.map-null-key.*', () => {
  const t: RowType = {
    fields: [
      { name: 'm', type: Types.map(Types.string(), Types.int()) },
      { name: 'r', type: Types.row([{ name: 'x', type: Types.int() }, { name: 'y', type: Types.string() }]) },
    ],
  };
  const rows = decode('{"m":{"a":1,"b":null},"r":{"y":"s","x":2}}', t);
  assert.deepEqual(rows, [[new Map<unknown, unknown>([['a', 1], ['b', null]]), [2, 's']]]);
  const withNullKey = toBatch(t, [[new Map<unknown, unknown>([[null, 1], ['k', 2]]), null]]);
  assert.throws(() => new JsonLinesEncoder(t, DEFAULT_JSON_OPTIONS).encodeBatch(withNullKey), /map keys cannot be NULL/);
  assert.equal(new JsonLinesEncoder(t, jsonFormatOptions({ 'json.map-null-key.mode': 'DROP' })).encodeBatch(withNullKey), '{"m":{"k":2},"r":null}\n');
  assert.equal(
    new JsonLinesEncoder(t, jsonFormatOptions({ 'json.map-null-key.mode': 'LITERAL', 'json.map-null-key.literal': 'nil' })).encodeBatch(withNullKey),
    '{"m":{"nil":1,"k":2},"r":null}\n',
  );
});

test('option validation', () => {
  assert.throws(() => jsonFormatOptions({ 'json.fail-on-missing-field': 'true', 'json.ignore-parse-errors': 'true' }), /cannot both be 'true'/);
  assert.throws(() => jsonFormatOptions({ 'json.timestamp-format.standard': 'RFC' }), /must be one of 'SQL', 'ISO-8601'/);
  assert.equal(jsonFormatOptions({ 'json.timestamp-format.standard': 'iso-8601' }).timestampStandard, 'ISO-8601');
});
