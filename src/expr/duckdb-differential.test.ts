/**
 * Differential test: scalar expressions whose semantics agree in Flink and DuckDB are evaluated by Floe's
 * compiled code and by DuckDB over the same rows, and the results compared. (GREATEST/LEAST are left out:
 * DuckDB skips NULL arguments, Flink returns NULL.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, batchFromRows, getRow, type RowType } from '../types/index.js';
import { IR, compileProjection, type ExprIR } from './index.js';

const rowType: RowType = {
  fields: [
    { name: 'a', type: Types.int() },
    { name: 'b', type: Types.bigint() },
    { name: 's', type: Types.string() },
    { name: 'd', type: Types.double() },
  ],
};
const rows: unknown[][] = [
  [1, 100, 'hello', 1.5],
  [-7, 246, 'Nexmark', -2.25],
  [0, -5, '', 0],
  [null, 7, 'a,b,,c', null],
  [42, null, null, 10],
  [13, 3, '  pad  ', 100.125],
];
const [a, b, s, d] = rowType.fields.map((f, i) => IR.input(i, f.type)) as [ExprIR, ExprIR, ExprIR, ExprIR];
const I = (n: number): ExprIR => IR.literal(n, Types.int(false));
const S = (x: string): ExprIR => IR.literal(x, Types.string(false));
const D = (x: number): ExprIR => IR.literal(x, Types.double(false));

const CASES: [string, ExprIR][] = [
  ['a + b', IR.call('+', a, b)],
  ['a - 3', IR.call('-', a, I(3))],
  ['a * b', IR.call('*', a, b)],
  ['a // 2', IR.call('/', a, I(2))],
  ['b % 7', IR.call('%', b, I(7))],
  ['d * 2.0', IR.call('*', d, D(2))],
  ['d / 4.0', IR.call('/', d, D(4))],
  ['-a', IR.call('NEGATE', a)],
  ['abs(a)', IR.call('ABS', a)],
  ['a = 1', IR.call('=', a, I(1))],
  ['a <> b', IR.call('<>', a, b)],
  ['s < \'b\'', IR.call('<', s, S('b'))],
  ['a >= 0 AND b > 10', IR.call('AND', IR.call('>=', a, I(0)), IR.call('>', b, I(10)))],
  ['a > 0 OR s IS NULL', IR.call('OR', IR.call('>', a, I(0)), IR.call('IS NULL', s))],
  ['NOT (a > 0)', IR.call('NOT', IR.call('>', a, I(0)))],
  ['a IS NOT NULL', IR.call('IS NOT NULL', a)],
  ['a IS DISTINCT FROM 42', IR.call('IS DISTINCT FROM', a, I(42))],
  ['a IN (1, 13, NULL)', IR.call('IN', a, I(1), I(13), IR.literal(null, Types.int()))],
  ['upper(s)', IR.call('UPPER', s)],
  ['lower(s)', IR.call('LOWER', s)],
  ['length(s)', IR.call('CHAR_LENGTH', s)],
  ["s || '!'", IR.call('||', s, S('!'))],
  ["concat_ws('-', s, 'x')", IR.call('CONCAT_WS', S('-'), s, S('x'))],
  ['substring(s, 2, 3)', IR.call('SUBSTRING', s, I(2), I(3))],
  ["replace(s, 'a', 'A')", IR.call('REPLACE', s, S('a'), S('A'))],
  ['trim(s)', IR.call('TRIM', s)],
  ['ltrim(s)', IR.call('LTRIM', s)],
  ['reverse(s)', IR.call('REVERSE', s)],
  ['repeat(s, 2)', IR.call('REPEAT', s, I(2))],
  ["lpad(s, 8, '*')", IR.call('LPAD', s, I(8), S('*'))],
  ["s LIKE '%a%'", IR.call('LIKE', s, S('%a%'))],
  ["position('e' IN s)", IR.call('POSITION', S('e'), s)],
  ['left(s, 2)', IR.call('LEFT', s, I(2))],
  ['md5(s)', IR.call('MD5', s)],
  ["regexp_replace(s, '[aeiou]', '_', 'g')", IR.call('REGEXP_REPLACE', s, S('[aeiou]'), S('_'))],
  ["CASE WHEN a > 10 THEN 'big' WHEN a < 0 THEN 'neg' ELSE 'small' END", IR.caseWhen([[IR.call('>', a, I(10)), S('big')], [IR.call('<', a, I(0)), S('neg')]], S('small'), Types.varchar(5))],
  ['CASE WHEN b > 50 THEN b END', IR.caseWhen([[IR.call('>', b, I(50)), b]], null, Types.bigint())],
  ["coalesce(s, 'none')", IR.call('COALESCE', s, S('none'))],
  ['coalesce(a, b, 0)', IR.call('COALESCE', a, b, I(0))],
  ['nullif(a, 0)', IR.call('NULLIF', a, I(0))],
  ['floor(d)', IR.call('FLOOR', d)],
  ['ceil(d)', IR.call('CEIL', d)],
  ['sqrt(abs(d))', IR.call('SQRT', IR.call('ABS', d))],
  ['power(a, 2)', IR.call('POWER', a, I(2))],
  ['CAST(a AS VARCHAR)', IR.cast(a, Types.string())],
  ['TRY_CAST(s AS INTEGER)', IR.cast(s, Types.int(), true)],
];

function normalise(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v * 1e9) / 1e9;
  return v ?? null;
}

test('Floe agrees with DuckDB on scalar expressions', async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const literal = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
  const values = rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ');
  await conn.run(`CREATE TABLE t AS SELECT * FROM (VALUES ${values}) v(a, b, s, d)`);
  await conn.run('ALTER TABLE t ALTER a TYPE INTEGER; ALTER TABLE t ALTER b TYPE BIGINT; ALTER TABLE t ALTER s TYPE VARCHAR; ALTER TABLE t ALTER d TYPE DOUBLE');
  const batch = batchFromRows(rowType, rows);
  const project = compileProjection(CASES.map(([, e]) => e), rowType);
  const cols = project(batch);
  const outType: RowType = { fields: CASES.map(([, e], i) => ({ name: `c${i}`, type: e.type })) };
  const sql = `SELECT ${CASES.map(([x], i) => `${x} AS c${i}`).join(', ')} FROM t ORDER BY rowid`;
  const expected = (await conn.runAndReadAll(sql)).getRows();
  assert.equal(expected.length, rows.length);
  for (let r = 0; r < rows.length; r++) {
    const got = getRow({ numRows: rows.length, kinds: null, columns: cols }, r, outType);
    CASES.forEach(([text], c) => {
      assert.deepEqual(normalise(got[c]), normalise(expected[r]![c]), `${text} on row ${JSON.stringify(rows[r])}`);
    });
  }
  conn.closeSync();
});
