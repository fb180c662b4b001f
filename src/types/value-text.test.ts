import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from './logical-type.js';
import { compareValues, formatValueText, javaDoubleToString, javaFloatToString, parseValueText, valuesEqual } from './value-text.js';
import { parseTypeString } from './type-string.js';
import { parseTimestamp } from './temporal.js';

test("Java's Double.toString and Float.toString", () => {
  assert.equal(javaDoubleToString(1), '1.0');
  assert.equal(javaDoubleToString(1.5), '1.5');
  assert.equal(javaDoubleToString(1e10), '1.0E10');
  assert.equal(javaDoubleToString(1234567.5), '1234567.5');
  assert.equal(javaDoubleToString(12345678.9), '1.23456789E7');
  assert.equal(javaDoubleToString(0.001), '0.001');
  assert.equal(javaDoubleToString(0.0001), '1.0E-4');
  assert.equal(javaDoubleToString(-0), '-0.0');
  assert.equal(javaDoubleToString(NaN), 'NaN');
  assert.equal(javaDoubleToString(-Infinity), '-Infinity');
  assert.equal(javaFloatToString(Math.fround(0.1)), '0.1');
  assert.equal(javaFloatToString(Math.fround(1 / 3)), '0.33333334');
});

test('CAST(x AS STRING) text of every kind', () => {
  assert.equal(formatValueText(true, Types.boolean()), 'TRUE');
  assert.equal(formatValueText(1234560n, Types.decimal(10, 3)), '1234.560');
  assert.equal(formatValueText(parseTimestamp('2015-08-31 10:10:10.123'), Types.timestamp(3)), '2015-08-31 10:10:10.123');
  assert.equal(formatValueText(parseTimestamp('2015-08-31 10:10:10'), Types.timestampLtz(3), '+02:00'), '2015-08-31 12:10:10.000');
  assert.equal(formatValueText(0, Types.date()), '1970-01-01');
  assert.equal(formatValueText(3723000, Types.time(0)), '01:02:03');
  assert.equal(formatValueText([1, null, 3], Types.array(Types.int())), '[1, NULL, 3]');
  assert.equal(formatValueText([1, 'a'], Types.row([{ name: 'x', type: Types.int() }, { name: 'y', type: Types.string() }])), '(1, a)');
  assert.equal(formatValueText(new Map([['a', 1]]), Types.map(Types.string(), Types.int())), '{a=1}');
  assert.equal(formatValueText(null, Types.int()), 'NULL');
  assert.equal(formatValueText(2.5, Types.double()), '2.5');
});

test('parseValueText reads each type and names what it expected', () => {
  assert.equal(parseValueText(' 42 ', Types.bigint()), 42);
  assert.equal(parseValueText('TRUE', Types.boolean()), true);
  assert.equal(parseValueText('12.345', Types.decimal(5, 2)), 1235n);
  assert.equal(parseValueText('2020-01-01 00:00:00', Types.timestamp(3)), Date.UTC(2020, 0, 1));
  assert.equal(parseValueText('2020-01-01 08:00:00', Types.timestampLtz(3), '+08:00'), Date.UTC(2020, 0, 1));
  assert.equal(parseValueText('1.5', Types.double()), 1.5);
  assert.deepEqual(parseValueText('[1,2]', Types.array(Types.int())), [1, 2]);
  assert.deepEqual(parseValueText('{"a": 1, "b": "x"}', Types.row([{ name: 'a', type: Types.int() }, { name: 'b', type: Types.string() }])), [1, 'x']);
  assert.equal(parseValueText('abcdef', Types.varchar(3)), 'abc');
  assert.throws(() => parseValueText('abc', Types.bigint()), { code: 'VALUE.PARSE', message: "expected BIGINT, found 'abc'" });
  assert.throws(() => parseValueText('300', Types.tinyint()), { code: 'VALUE.PARSE' });
  assert.throws(() => parseValueText('2020-02-30', Types.date()), { code: 'VALUE.PARSE' });
  assert.throws(() => parseValueText('1.5', Types.int()), /expected INT/);
});

test('compareValues is a total order; valuesEqual', () => {
  assert.equal(compareValues(1, 2, Types.int()), -1);
  assert.equal(compareValues('b', 'a', Types.string()), 1);
  assert.equal(compareValues('\uffff', '\ud83d\ude00', Types.string()), -1, 'code point order, not UTF-16 units');
  assert.equal(compareValues(NaN, 1, Types.double()), 1);
  assert.equal(compareValues(5n, 10n, Types.decimal(5, 2)), -1);
  assert.equal(compareValues(false, true, Types.boolean()), -1);
  assert.equal(compareValues([1, null], [1, 2], Types.array(Types.int())), -1);
  assert.equal(compareValues([1], [1, 0], Types.array(Types.int())), -1);
  assert.ok(valuesEqual([1, 'a'], [1, 'a'], Types.row([{ name: 'x', type: Types.int() }, { name: 'y', type: Types.string() }])));
  assert.ok(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]), Types.bytes()));
  assert.ok(!valuesEqual(1, 2, Types.int()));
});

test('parseTypeString', () => {
  assert.deepEqual(parseTypeString('BIGINT'), Types.bigint());
  assert.deepEqual(parseTypeString('DECIMAL(10, 2) NOT NULL'), Types.decimal(10, 2, false));
  assert.deepEqual(parseTypeString('string'), Types.string());
  assert.deepEqual(parseTypeString('TIMESTAMP(3) WITH LOCAL TIME ZONE'), Types.timestampLtz(3));
  assert.deepEqual(parseTypeString('ARRAY<INT NOT NULL>'), Types.array(Types.int(false)));
  assert.deepEqual(parseTypeString('ROW<a INT, `b c` STRING>'), Types.row([{ name: 'a', type: Types.int() }, { name: 'b c', type: Types.string() }]));
  assert.deepEqual(parseTypeString('MAP<STRING, DOUBLE>'), Types.map(Types.string(), Types.double()));
  assert.throws(() => parseTypeString('BIGNUM'), { code: 'TYPE.PARSE' });
  assert.throws(() => parseTypeString('DECIMAL(40, 2)'), { code: 'TYPE.PARSE' });
});

test('BIGINT text beyond ±2^53−1 is refused rather than rounded', () => {
  assert.equal(parseValueText('9007199254740991', Types.bigint()), 9007199254740991);
  assert.equal(parseValueText('-9007199254740991', Types.bigint()), -9007199254740991);
  assert.throws(() => parseValueText('9007199254740993', Types.bigint()), /expected BIGINT, found '9007199254740993' \(beyond/);
});
