import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { RowKind, Types, batchFromRows, formatType, getRow, type LogicalType, type RowType } from '../types/index.js';
import {
  IR,
  canCastExplicitly,
  canCastImplicitly,
  compileCalc,
  compilePredicate,
  compileProjection,
  compileRowEvaluator,
  compileTwoInputPredicate,
  decodeLiteral,
  describeUdf,
  encodeLiteral,
  evaluate,
  evaluateConstant,
  formatExprIR,
  leastRestrictiveType,
  loadUdfs,
  type ExprIR,
} from './index.js';

const I = Types.int();
const B = Types.bigint();
const D = Types.double();
const S = Types.string();
const BOOL = Types.boolean();
const DEC = Types.decimal(10, 2);
const rowType: RowType = {
  fields: [
    { name: 'a', type: I },
    { name: 'b', type: B },
    { name: 'd', type: D },
    { name: 's', type: S },
    { name: 'f', type: BOOL },
    { name: 'm', type: DEC },
  ],
};
const [a, b, d, s, f, m] = rowType.fields.map((x, i) => IR.input(i, x.type)) as [ExprIR, ExprIR, ExprIR, ExprIR, ExprIR, ExprIR];
const lit = (v: unknown, t: LogicalType): ExprIR => IR.literal(v, t);

test('q2 predicate compiles to a tight loop over the typed array', () => {
  const pred = IR.call('=', IR.call('MOD', b, lit(123, Types.int(false))), lit(0, Types.int(false)));
  const fn = compilePredicate(pred, rowType);
  const src = fn.toString();
  assert.match(src, /% 123\)/);
  assert.doesNotMatch(src, /c\d+\(/, 'no kernel call for MOD/=');
  const batch = batchFromRows(rowType, [[1, 246, 0, 'x', true, 1n], [1, 5, 0, 'x', true, 1n], [1, null, 0, 'x', true, 1n], [1, 0, 0, 'x', true, 1n]]);
  const r = fn(batch);
  assert.deepEqual([...r.selection.subarray(0, r.count)], [0, 3]);
});

test('calc fuses filter and projection and keeps row kinds', () => {
  const cond = IR.call('>', a, lit(1, I));
  const proj = [IR.call('*', lit(908n, Types.decimal(4, 3, false)), b), IR.call('UPPER', s)];
  const out: RowType = { fields: [{ name: 'x', type: proj[0]!.type }, { name: 'u', type: S }] };
  assert.equal(formatType(proj[0]!.type), 'DECIMAL(23, 3)');
  const calc = compileCalc(proj, cond, rowType, out);
  const batch = batchFromRows(
    rowType,
    [[1, 10, 0, 'a', true, 1n], [2, 100, 0, 'b', true, 1n], [3, null, 0, null, true, 1n]],
    [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.DELETE],
  );
  const r = calc(batch);
  assert.equal(r.numRows, 2);
  assert.deepEqual([...r.kinds!], [RowKind.UPDATE_BEFORE, RowKind.DELETE]);
  assert.deepEqual(getRow(r, 0, out), [90800n, 'B']);
  assert.deepEqual(getRow(r, 1, out), [null, null]);
  // Empty input.
  assert.equal(calc(batchFromRows(rowType, [])).numRows, 0);
  // Pass-through projection with a filter.
  const pass = compileCalc(null, cond, rowType, rowType)(batch);
  assert.deepEqual(getRow(pass, 0, rowType), [2, 100, 0, 'b', true, 1n]);
});

test('projection writes a null array only when a NULL occurs, and passes input columns through', () => {
  const p = compileProjection([IR.call('+', a, lit(1, I)), a], rowType);
  const noNulls = p(batchFromRows(rowType, [[1, 1, 1, 'x', true, 1n]]));
  assert.equal(noNulls[0]!.nulls, null);
  assert.ok(noNulls[0]!.data instanceof Int32Array);
  const batch = batchFromRows(rowType, [[null, 1, 1, 'x', true, 1n]]);
  const withNull = p(batch);
  assert.deepEqual([...withNull[0]!.nulls!], [1]);
  assert.equal(withNull[1], batch.columns[0]);
});

test('row evaluator and two-input predicate', () => {
  const ev = compileRowEvaluator(IR.call('CONCAT', s, lit('!', S)), rowType);
  const batch = batchFromRows(rowType, [[1, 2, 3, 'hi', false, 5n], [1, 2, 3, null, false, 5n]]);
  assert.equal(ev(batch, 0), 'hi!');
  assert.equal(ev(batch, 1), null);
  const left: RowType = { fields: [{ name: 'id', type: B }] };
  const right: RowType = { fields: [{ name: 'x', type: S }, { name: 'ref', type: B }] };
  const cond = IR.call('=', IR.input(0, B), IR.input(2, B));
  const join = compileTwoInputPredicate(cond, left, right);
  const lb = batchFromRows(left, [[7], [null]]);
  const rb = batchFromRows(right, [['a', 7], ['b', 8]]);
  assert.equal(join(lb, 0, rb, 0), true);
  assert.equal(join(lb, 0, rb, 1), false);
  assert.equal(join(lb, 1, rb, 0), false, 'NULL does not match');
});

test('casts between type pairs, TRY_CAST, overflow to NULL', () => {
  const c = (v: unknown, from: LogicalType, to: LogicalType, safe = false): unknown => evaluate(IR.cast(IR.input(0, from), to, safe), [v]);
  assert.equal(c('42', S, I), 42);
  assert.equal(c(' 42 ', S, B), 42);
  assert.ok(Object.is(c('-0', S, I), 0), "'-0' is the integer 0, not -0 (found by the property test below)");
  assert.throws(() => c('abc', S, I), { code: 'EXPR.CAST' });
  assert.equal(c('abc', S, I, true), null);
  assert.equal(c('12.345', S, DEC), 1235n);
  assert.equal(c(123456789012, B, DEC), null, 'overflow is NULL');
  assert.equal(c(2147483647, I, Types.decimal(10, 2)), null);
  assert.equal(c(300, I, Types.tinyint()), 44);
  assert.equal(c(3.9, D, I), 3);
  assert.equal(c(-3.9, D, I), -3);
  assert.equal(c(1e20, D, I), 2147483647);
  assert.equal(c(NaN, D, I), 0);
  assert.equal(c(12345n, DEC, I), 123);
  assert.equal(c(12345n, DEC, D), 123.45);
  assert.equal(c(1.005, D, DEC), 101n);
  assert.equal(c(1.5, D, S), '1.5');
  assert.equal(c(1e21, D, S), '1.0E21');
  assert.equal(c(12345n, DEC, S), '123.45');
  assert.equal(c(true, BOOL, S), 'TRUE');
  assert.equal(c('true', S, BOOL), true);
  assert.equal(c(0, I, BOOL), false);
  assert.equal(c(true, BOOL, I), 1);
  assert.equal(c('2020-01-02 03:04:05.678', S, Types.timestamp(3)), Date.UTC(2020, 0, 2, 3, 4, 5, 678));
  assert.equal(c('2020-01-02 03:04:05.678', S, Types.timestamp(0)), Date.UTC(2020, 0, 2, 3, 4, 5));
  assert.equal(c(Date.UTC(2020, 0, 2, 3, 4, 5, 678), Types.timestamp(3), S), '2020-01-02 03:04:05.678');
  assert.equal(c(Date.UTC(2020, 0, 2, 3, 4, 5), Types.timestamp(3), Types.date()), 18263);
  assert.equal(c(18263, Types.date(), Types.timestamp(3)), Date.UTC(2020, 0, 2));
  assert.equal(c(Date.UTC(2020, 0, 2, 3, 4, 5), Types.timestamp(3), Types.time(0)), (3 * 3600 + 4 * 60 + 5) * 1000);
  assert.equal(c('2020-13-01', S, Types.date(), true), null);
  assert.equal(c('abcdef', S, Types.varchar(3)), 'abc');
  assert.equal(c('ab', S, Types.char(4)), 'ab  ');
  assert.deepEqual(c([1, null], Types.array(I), Types.array(S)), ['1', null]);
  assert.equal(c([1, 'x'], Types.row([{ name: 'a', type: I }, { name: 'b', type: S }]), S), '(1, x)');
  assert.equal(c(5, B, Types.timestampLtz(3)), 5000);
  assert.equal(c(null, S, I), null);
});

test('cast rules and common types', () => {
  assert.ok(canCastImplicitly(I, B));
  assert.ok(canCastImplicitly(I, Types.decimal(10, 0)));
  assert.ok(!canCastImplicitly(I, Types.decimal(5, 0)));
  assert.ok(!canCastImplicitly(B, I));
  assert.ok(!canCastImplicitly(S, I));
  assert.ok(canCastExplicitly(S, I));
  assert.ok(canCastExplicitly(Types.array(I), S));
  assert.ok(!canCastExplicitly(Types.date(), I));
  const t = (...types: LogicalType[]): string | null => {
    const r = leastRestrictiveType(types);
    return r === null ? null : formatType(r);
  };
  assert.equal(t(I, B), 'BIGINT');
  assert.equal(t(I, Types.decimal(5, 2)), 'DECIMAL(12, 2)');
  assert.equal(t(Types.char(1), Types.char(3)), 'VARCHAR(3)');
  assert.equal(t(Types.char(3, false), Types.char(3, false)), 'CHAR(3) NOT NULL');
  assert.equal(t(Types.int(false), Types.null()), 'INT');
  assert.equal(t(D, I), 'DOUBLE');
  assert.equal(t(Types.date(), Types.timestamp(3)), 'TIMESTAMP(3)');
  assert.equal(t(S, I), null);
});

test('literal encoding round-trips and is JSON-safe', () => {
  const cases: [unknown, LogicalType][] = [
    [1234560n, Types.decimal(10, 3)],
    [NaN, D],
    [-Infinity, D],
    [new Uint8Array([1, 2, 255]), Types.bytes()],
    [[1, null], Types.array(I)],
    [new Map([['k', 1]]), Types.map(S, I)],
    [[1, 'a'], Types.row([{ name: 'x', type: I }, { name: 'y', type: S }])],
    [null, I],
  ];
  for (const [v, t] of cases) {
    const json = encodeLiteral(v, t);
    assert.deepEqual(decodeLiteral(JSON.parse(JSON.stringify(json)), t), v);
  }
  assert.equal(encodeLiteral(1234560n, Types.decimal(10, 3)), '1234.560');
});

test('formatExprIR is readable', () => {
  const e = IR.call('AND', IR.call('>', IR.call('*', lit(908n, Types.decimal(4, 3, false)), b), lit(10, I)), IR.call('IS NOT NULL', s));
  assert.equal(formatExprIR(e, rowType.fields.map((x) => x.name)), '(((0.908 * CAST(b AS DECIMAL(19, 0))) > CAST(10 AS DECIMAL(10, 0))) AND s IS NOT NULL)');
  assert.equal(formatExprIR(IR.call('SPLIT_INDEX', s, lit('/', S), lit(3, I)), ['a', 'b', 'c', 'url']), "SPLIT_INDEX(url, '/', 3)");
});

test('constant folding: evaluateConstant and compile-time folding', () => {
  assert.equal(evaluateConstant(IR.call('+', lit(1, I), lit(2, I))), 3);
  assert.equal(evaluateConstant(IR.cast(lit('2020-01-01 00:00:00', S), Types.timestamp(3))), Date.UTC(2020, 0, 1));
  // A constant that fails (1 / 0) must not fail compilation, only evaluation when reached.
  const guarded = IR.call('IF', IR.call('>', a, lit(0, I)), IR.call('/', lit(1, I), lit(0, I)), lit(5, I));
  const p = compileProjection([guarded], rowType);
  const r = p(batchFromRows(rowType, [[-1, 0, 0, '', false, 0n]]));
  assert.equal((r[0]!.data as Int32Array)[0], 5);
  assert.throws(() => p(batchFromRows(rowType, [[1, 0, 0, '', false, 0n]])), { code: 'EXPR.DIVISION_BY_ZERO' });
});

test('UDFs: builtin count_char, file modules, clear error when not loaded', async () => {
  const cc: ExprIR = { kind: 'udf', name: 'count_char', ref: 'builtin:count_char', args: [s, lit('c', S)], type: Types.bigint(false), deterministic: true };
  await loadUdfs([cc]);
  const p = compileProjection([cc], rowType);
  const out = p(batchFromRows(rowType, [[0, 0, 0, 'abcabc', false, 0n], [0, 0, 0, null, false, 0n]]));
  assert.deepEqual([...(out[0]!.data as Float64Array)], [2, 0]);
  assert.deepEqual(await describeUdf('builtin:count_char'), { returnType: Types.bigint(false), deterministic: true });

  const dir = mkdtempSync(join(tmpdir(), 'floe-udf-'));
  const file = join(dir, 'my udf.mjs');
  writeFileSync(file, "export const twice = { eval: (x) => x === null ? null : x * 2, returnType: 'DECIMAL(10, 2)', deterministic: false };\nexport default (s) => s === null ? 'none' : s.length > 2;\n");
  const twice: ExprIR = { kind: 'udf', name: 'twice', ref: `file:${file}#twice`, args: [a], type: I, deterministic: false };
  const longer: ExprIR = { kind: 'udf', name: 'longer', ref: `file:${file}`, args: [s], type: BOOL, deterministic: true };
  assert.throws(() => compileProjection([twice], rowType), { code: 'EXPR.UDF_NOT_LOADED' });
  await loadUdfs([twice, longer]);
  const q = compileProjection([twice, longer], rowType)(batchFromRows(rowType, [[21, 0, 0, 'abc', false, 0n], [null, 0, 0, 'a', false, 0n]]));
  assert.deepEqual([...(q[0]!.data as Int32Array)], [42, 0]);
  assert.deepEqual([...q[0]!.nulls!], [0, 1]);
  assert.deepEqual([...(q[1]!.data as Uint8Array)], [1, 0]);
  assert.equal(evaluate(twice, [5]), 10);
  assert.deepEqual(await describeUdf(`file:${file}#twice`), { returnType: Types.decimal(10, 2), deterministic: false });
  await assert.rejects(loadUdfs([{ ...twice, ref: `file:${file}#missing` }]), { code: 'EXPR.UDF_NOT_FOUND' });
  await assert.rejects(loadUdfs([{ ...twice, ref: 'builtin:nope' }]), { code: 'EXPR.UDF_NOT_FOUND' });
});

// ---------------------------------------------------------------------------------------------------------
// Property test: compiled code equals the interpreter on random rows.

const EXPRESSIONS: ExprIR[] = [
  IR.call('+', a, b),
  IR.call('-', a, lit(3, I)),
  IR.call('*', a, a),
  IR.call('/', d, lit(3, D)),
  IR.call('%', b, lit(7, I)),
  IR.call('=', IR.call('MOD', b, lit(123, I)), lit(0, I)),
  IR.call('AND', IR.call('>', a, lit(0, I)), f),
  IR.call('OR', IR.call('IS NULL', s), IR.call('<', d, lit(0.5, D))),
  IR.call('NOT', f),
  IR.call('COALESCE', s, lit('none', S)),
  IR.call('IF', f, IR.call('UPPER', s), IR.call('LOWER', s)),
  IR.caseWhen([[IR.call('>', a, lit(10, I)), lit('hi', S)], [IR.call('<', a, lit(-10, I)), lit('lo', S)]], s, S),
  IR.call('CONCAT', s, lit('-', S), IR.cast(a, S)),
  IR.call('CHAR_LENGTH', s),
  IR.call('SUBSTRING', s, a, lit(2, I)),
  IR.call('*', lit(908n, Types.decimal(4, 3, false)), b),
  IR.call('+', m, a),
  IR.call('<', m, IR.cast(b, Types.decimal(19, 0))),
  IR.call('IN', a, lit(1, I), lit(2, I), lit(3, I), lit(4, I), lit(null, I)),
  IR.call('IS DISTINCT FROM', a, IR.cast(b, I)),
  IR.call('LIKE', s, lit('a%', S)),
  IR.cast(s, I, true),
  IR.cast(d, DEC),
  IR.call('GREATEST', a, lit(0, I)),
  IR.call('NULLIF', a, lit(0, I)),
  IR.call('ABS', d),
  IR.call('ROUND', d, lit(1, I)),
];

test('property: compiled expressions agree with the interpreter', () => {
  const row = fc.tuple(
    fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }),
    fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null }),
    fc.option(fc.double({ min: -100, max: 100, noNaN: true }), { nil: null }),
    fc.option(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'abc', '12', ' 7 ', 'A%b')), { nil: null }),
    fc.option(fc.boolean(), { nil: null }),
    fc.option(fc.bigInt({ min: -1000000000n, max: 1000000000n }), { nil: null }),
  );
  const compiled = EXPRESSIONS.map((e) => compileProjection([e], rowType));
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
      const batch = batchFromRows(rowType, rows as unknown[][]);
      EXPRESSIONS.forEach((e, k) => {
        const cols = compiled[k]!(batch);
        const outType: RowType = { fields: [{ name: 'r', type: e.type }] };
        for (let r = 0; r < rows.length; r++) {
          const got = getRow({ numRows: rows.length, kinds: null, columns: cols }, r, outType)[0];
          const want = evaluate(e, rows[r] as unknown[]);
          assert.deepEqual(got, want, `${formatExprIR(e, rowType.fields.map((x) => x.name))} on ${JSON.stringify(rows[r], (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        }
      });
    }),
    { numRuns: 200, includeErrorInReport: true },
  );
});
