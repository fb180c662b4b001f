import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, batchFromRows, formatType, getRow, parseTimestamp, type LogicalType } from '../types/index.js';
import { IR, compileProjection, evaluate, listFunctions, resolveAggregate, resolveFunction, isAggregateFunction, type ExprIR } from './index.js';
import { SCALAR_FUNCTIONS } from './functions/registry.js';

/** Evaluates fn(args) with every argument fed from an input column, through the interpreter and compiled code. */
function run(fn: string, ...args: [unknown, LogicalType][]): unknown {
  const inputs = args.map(([, t], i) => IR.input(i, t));
  const e = IR.call(fn, ...inputs);
  return both(e, args.map(([v]) => v), args.map(([, t]) => t));
}

function both(e: ExprIR, row: unknown[], types: LogicalType[]): unknown {
  const rowType = { fields: types.map((t, i) => ({ name: `c${i}`, type: t })) };
  const interpreted = evaluate(e, row);
  const batch = batchFromRows(rowType, [row]);
  const cols = compileProjection([e], rowType)(batch);
  const compiled = getRow({ numRows: 1, kinds: null, columns: cols }, 0, { fields: [{ name: 'r', type: e.type }] })[0];
  assert.deepEqual(compiled, interpreted, `compiled and interpreted differ for ${e.kind === 'call' ? e.fn : e.kind}`);
  return interpreted;
}

const S = Types.string();
const I = Types.int();
const B = Types.bigint();
const D = Types.double();
const TS = Types.timestamp(3);
const s = (v: string | null): [unknown, LogicalType] => [v, S];
const i = (v: number | null): [unknown, LogicalType] => [v, I];
const b = (v: number | null): [unknown, LogicalType] => [v, B];
const d = (v: number | null): [unknown, LogicalType] => [v, D];
const ts = (v: string | null): [unknown, LogicalType] => [v === null ? null : parseTimestamp(v), TS];

test('nexmark string functions: SPLIT_INDEX and REGEXP_EXTRACT', () => {
  const url = 'https://www.nexmark.com/abc/def/ghi/item.htm?query=1';
  assert.equal(run('SPLIT_INDEX', s(url), s('/'), i(3)), 'abc');
  assert.equal(run('SPLIT_INDEX', s(url), s('/'), i(0)), 'https:');
  assert.equal(run('SPLIT_INDEX', s(url), s('/'), i(1)), '', 'empty tokens are kept');
  assert.equal(run('SPLIT_INDEX', s(url), s('/'), i(99)), null);
  assert.equal(run('SPLIT_INDEX', s(url), s('/'), i(-1)), null);
  const u2 = 'https://www.nexmark.com/a/b?x=1&channel_id=77&y=2';
  assert.equal(run('REGEXP_EXTRACT', s(u2), s('(&|^)channel_id=([^&]*)'), i(2)), '77');
  assert.equal(run('REGEXP_EXTRACT', s('channel_id=5'), s('(&|^)channel_id=([^&]*)'), i(2)), '5');
  assert.equal(run('REGEXP_EXTRACT', s('https://x/?a=1'), s('(&|^)channel_id=([^&]*)'), i(2)), null);
  assert.equal(run('REGEXP_EXTRACT', s('foothebar'), s('foo(.*?)(bar)')), 'foothebar', 'default group 0 is the whole match');
  assert.equal(run('REGEXP_EXTRACT', s('foothebar'), s('foo(.*?)(bar)'), i(3)), null);
  assert.equal(run('REGEXP_EXTRACT', s('abc'), s('(unclosed')), null, 'invalid regex → NULL');
});

test('string functions', () => {
  assert.equal(run('||', s('ab'), s('cd')), 'abcd');
  assert.equal(run('CONCAT', s('a'), s('b'), s('c')), 'abc');
  assert.equal(run('CONCAT', s('a'), s(null)), null);
  assert.equal(run('CONCAT_WS', s('-'), s('a'), s(null), s('b')), 'a-b');
  assert.equal(run('CONCAT_WS', s(null), s('a')), null);
  assert.equal(run('CHAR_LENGTH', s('héllo😀')), 6);
  assert.equal(run('UPPER', s('aBc')), 'ABC');
  assert.equal(run('LOWER', s('aBc')), 'abc');
  assert.equal(run('SUBSTRING', s('hello'), i(2), i(3)), 'ell');
  assert.equal(run('SUBSTRING', s('hello'), i(0), i(2)), 'he');
  assert.equal(run('SUBSTRING', s('hello'), i(-3)), 'llo');
  assert.equal(run('SUBSTRING', s('hello'), i(9)), '');
  assert.equal(run('SUBSTRING', s('hello'), i(2), i(-1)), null);
  assert.equal(run('TRIM', s('  a  ')), 'a');
  assert.equal(run('TRIM', s('LEADING'), s('x'), s('xxaxx')), 'axx');
  assert.equal(run('TRIM', s('TRAILING'), s('xxaxx')), 'xxaxx');
  assert.equal(run('TRIM', s('BOTH'), s('x'), s('xxaxx')), 'a');
  assert.equal(run('LTRIM', s('  a ')), 'a ');
  assert.equal(run('RTRIM', s(' a  ')), ' a');
  assert.equal(run('REPLACE', s('a-b-c'), s('-'), s('+')), 'a+b+c');
  assert.equal(run('POSITION', s('b'), s('abc')), 2);
  assert.equal(run('POSITION', s('z'), s('abc')), 0);
  assert.equal(run('LOCATE', s('b'), s('abcb'), i(3)), 4);
  assert.equal(run('INSTR', s('abc'), s('c')), 3);
  assert.equal(run('LPAD', s('hi'), i(4), s('?')), '??hi');
  assert.equal(run('LPAD', s('hi'), i(1), s('?')), 'h');
  assert.equal(run('RPAD', s('hi'), i(5), s('ab')), 'hiaba');
  assert.equal(run('LPAD', s('hi'), i(-1), s('?')), null);
  assert.equal(run('REPEAT', s('ab'), i(3)), 'ababab');
  assert.equal(run('REPEAT', s('ab'), i(-1)), '');
  assert.equal(run('REVERSE', s('abc')), 'cba');
  assert.equal(run('INITCAP', s('hello wORLD-x')), 'Hello World-X');
  assert.equal(run('REGEXP_REPLACE', s('foobar'), s('oo|ar'), s('')), 'fb');
  assert.equal(run('REGEXP_REPLACE', s('a1b22'), s('(\\d+)'), s('<$1>')), 'a<1>b<22>');
  assert.equal(run('REGEXP', s('abc'), s('b.')), true);
  assert.equal(run('REGEXP', s('ABC'), s('(?i)b')), true);
  assert.equal(run('TO_BASE64', s('hello')), 'aGVsbG8=');
  assert.equal(run('FROM_BASE64', s('aGVsbG8=')), 'hello');
  assert.equal(run('MD5', s('a')), '0cc175b9c0f1b6a831c399e269772661');
  assert.equal(run('SHA256', s('a')), 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
  assert.equal(run('ASCII', s('a')), 97);
  assert.equal(run('ASCII', s('')), 0);
  assert.equal(run('CHR', i(97)), 'a');
  assert.equal(run('LEFT', s('hello'), i(2)), 'he');
  assert.equal(run('RIGHT', s('hello'), i(2)), 'lo');
  assert.equal(run('RIGHT', s('hello'), i(-2)), '');
});

test('LIKE and SIMILAR TO', () => {
  assert.equal(run('LIKE', s('abc'), s('a%')), true);
  assert.equal(run('LIKE', s('abc'), s('a_c')), true);
  assert.equal(run('LIKE', s('a.c'), s('a.c')), true);
  assert.equal(run('LIKE', s('abc'), s('a.c')), false);
  assert.equal(run('LIKE', s('10%'), s('10!%'), s('!')), true);
  assert.equal(run('LIKE', s('100'), s('10!%'), s('!')), false);
  assert.equal(run('LIKE', s('a\nb'), s('a%b')), true);
  assert.equal(run('LIKE', s(null), s('a%')), null);
  assert.equal(run('SIMILAR TO', s('abc'), s('(a|b)%')), true);
  assert.equal(run('SIMILAR TO', s('xbc'), s('(a|b)%')), false);
});

test('arithmetic result types follow Flink', () => {
  const t = (fn: string, ...types: LogicalType[]): string => formatType(resolveFunction(fn, types).returnType);
  assert.equal(t('+', Types.int(false), Types.int(false)), 'INT NOT NULL');
  assert.equal(t('+', Types.int(), Types.bigint(false)), 'BIGINT');
  assert.equal(t('/', Types.int(false), Types.int(false)), 'INT NOT NULL');
  assert.equal(t('*', Types.decimal(4, 3, false), Types.bigint(false)), 'DECIMAL(23, 3) NOT NULL');
  assert.equal(t('/', Types.decimal(10, 2), Types.int()), 'DECIMAL(21, 13)');
  assert.equal(t('+', Types.double(), Types.decimal(10, 2)), 'DOUBLE');
  assert.equal(t('MOD', Types.bigint(), Types.int(false)), 'INT');
  assert.equal(t('+', Types.timestamp(3), Types.intervalDayTime()), 'TIMESTAMP(3)');
  assert.equal(t('=', Types.int(), Types.decimal(10, 2)), 'BOOLEAN');
});

test('arithmetic values: integer semantics, decimals, doubles, division by zero', () => {
  assert.equal(run('/', i(7), i(2)), 3);
  assert.equal(run('/', i(-7), i(2)), -3);
  assert.equal(run('%', i(-7), i(3)), -1);
  assert.equal(run('MOD', b(246), i(123)), 0);
  assert.equal(run('+', i(2147483647), i(1)), -2147483648, 'INT wraps like Java');
  assert.equal(run('*', i(65536), i(65536)), 0);
  assert.equal(run('+', b(2147483647), i(1)), 2147483648);
  assert.equal(run('/', d(1), d(0)), Infinity);
  assert.equal(run('NEGATE', i(5)), -5);
  assert.equal(run('+', i(null), i(1)), null);
  assert.throws(() => run('/', i(1), i(0)), { code: 'EXPR.DIVISION_BY_ZERO' });
  assert.throws(() => run('%', b(1), b(0)), { code: 'EXPR.DIVISION_BY_ZERO' });
  const dec = (v: bigint, p: number, sc: number): [unknown, LogicalType] => [v, Types.decimal(p, sc)];
  assert.equal(run('*', dec(908n, 4, 3), b(12345)), 11209260n);
  assert.equal(run('+', dec(105n, 3, 2), dec(1n, 2, 1)), 115n);
  assert.equal(run('/', dec(100n, 3, 2), dec(3n, 1, 0)), 333333n);
  assert.equal(run('-', dec(-5n, 2, 1), i(1)), -15n);
  assert.equal(run('=', dec(150n, 3, 2), i(1)), false);
  assert.equal(run('=', dec(100n, 3, 2), i(1)), true);
  assert.equal(run('<', dec(150n, 3, 2), dec(16n, 2, 1)), true);
});

test('timestamp arithmetic is calendar-correct', () => {
  const months: [unknown, LogicalType] = [1, Types.intervalYearMonth()];
  const r = run('+', ts('2020-01-31 10:00:00'), months);
  assert.equal(r, parseTimestamp('2020-02-29 10:00:00'));
  assert.equal(run('-', ts('2020-01-01 00:00:00'), [4000, Types.intervalDayTime()]), parseTimestamp('2019-12-31 23:59:56'));
  assert.equal(run('+', [0, Types.date()], [3 * 86400000, Types.intervalDayTime()]), 3);
});

test('math functions', () => {
  assert.equal(run('ABS', i(-3)), 3);
  assert.equal(run('ABS', [-25n, Types.decimal(3, 1)]), 25n);
  assert.equal(run('FLOOR', d(-1.5)), -2);
  assert.equal(run('CEIL', d(1.2)), 2);
  assert.equal(run('FLOOR', [-15n, Types.decimal(3, 1)]), -2n);
  assert.equal(run('CEIL', [11n, Types.decimal(3, 1)]), 2n);
  assert.equal(run('ROUND', d(2.345), i(2)), 2.35);
  assert.equal(run('ROUND', d(-2.5)), -3);
  assert.equal(run('ROUND', i(1250), i(-2)), 1300);
  assert.equal(run('TRUNCATE', d(2.349), i(2)), 2.34);
  assert.equal(run('POWER', i(2), i(10)), 1024);
  assert.equal(run('SQRT', d(9)), 3);
  assert.equal(run('LN', d(1)), 0);
  assert.equal(run('LOG10', d(1000)), 3);
  assert.equal(run('LOG', d(2), d(8)), 3);
  assert.equal(run('SIGN', d(-8)), -1);
  assert.equal(run('EXP', d(0)), 1);
  const round = IR.call('ROUND', IR.input(0, Types.decimal(10, 3)), IR.literal(1, Types.int(false)));
  assert.equal(formatType(round.type), 'DECIMAL(9, 1)');
  assert.equal(evaluate(round, [12345n]), 123n);
  assert.equal(evaluate(round, [12350n]), 124n);
  const rnd = IR.call('RAND', IR.literal(42, Types.int(false)));
  const a = compileProjection([rnd], { fields: [] })({ numRows: 3, kinds: null, columns: [] })[0]!.data;
  const b2 = compileProjection([rnd], { fields: [] })({ numRows: 3, kinds: null, columns: [] })[0]!.data;
  assert.deepEqual(a, b2, 'RAND(seed) repeats its sequence');
  assert.ok((a as Float64Array).every((x) => x >= 0 && x < 1));
  assert.notEqual((a as Float64Array)[0], (a as Float64Array)[1]);
});

test('temporal functions', () => {
  const t = ts('2020-04-05 13:07:09.045');
  assert.equal(run('DATE_FORMAT', t, s('yyyy-MM-dd')), '2020-04-05');
  assert.equal(run('DATE_FORMAT', t, s('HH:mm')), '13:07');
  assert.equal(run('DATE_FORMAT', s('2020-04-05 13:07:09'), s('yyyy/MM/dd')), '2020/04/05');
  assert.equal(run('HOUR', t), 13);
  assert.equal(run('HOUR', ts('1969-12-31 22:10:00')), 22);
  assert.equal(run('MINUTE', t), 7);
  assert.equal(run('SECOND', t), 9);
  assert.equal(run('YEAR', t), 2020);
  assert.equal(run('MONTH', t), 4);
  assert.equal(run('QUARTER', t), 2);
  assert.equal(run('DAYOFMONTH', t), 5);
  assert.equal(run('DAYOFWEEK', t), 1);
  assert.equal(run('DAYOFYEAR', t), 96);
  assert.equal(run('WEEK', t), 14);
  assert.equal(run('EXTRACT', s('DAY'), t), 5);
  assert.equal(run('EXTRACT', s('MILLISECOND'), t), 9045);
  assert.equal(run('FLOOR', t, s('HOUR')), parseTimestamp('2020-04-05 13:00:00'));
  assert.equal(run('CEIL', t, s('DAY')), parseTimestamp('2020-04-06 00:00:00'));
  assert.equal(run('TIMESTAMPADD', s('MONTH'), i(1), ts('2020-01-31 00:00:00')), parseTimestamp('2020-02-29 00:00:00'));
  assert.equal(run('TIMESTAMPDIFF', s('DAY'), ts('2020-01-01 00:00:00'), ts('2020-01-31 00:00:00')), 30);
  assert.equal(run('TO_TIMESTAMP', s('2020-04-05 13:07:09')), parseTimestamp('2020-04-05 13:07:09'));
  assert.equal(run('TO_TIMESTAMP', s('05/04/2020'), s('dd/MM/yyyy')), parseTimestamp('2020-04-05 00:00:00'));
  assert.equal(run('TO_TIMESTAMP', s('garbage')), null);
  assert.equal(run('TO_DATE', s('2020-04-05')), 18357);
  assert.equal(run('UNIX_TIMESTAMP', s('1970-01-01 00:00:10')), 10);
  assert.equal(run('FROM_UNIXTIME', b(44)), '1970-01-01 00:00:44');
  assert.equal(run('TO_TIMESTAMP_LTZ', b(1000), i(0)), 1_000_000);
  assert.equal(run('TO_TIMESTAMP_LTZ', b(1500), i(3)), 1500);
  assert.equal(run('HOUR', ts(null)), null);
  assert.throws(() => run('EXTRACT', s('FORTNIGHT'), t), { code: 'EXPR.TIME_UNIT' });
  const before = Date.now();
  const now = evaluate(IR.call('CURRENT_TIMESTAMP'), []) as number;
  assert.ok(now >= before && now <= Date.now());
  assert.equal(formatType(resolveFunction('PROCTIME', []).returnType), 'TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*');
});

test('conditional functions and CASE', () => {
  assert.equal(run('COALESCE', i(null), i(2), i(3)), 2);
  assert.equal(run('COALESCE', i(null), i(null)), null);
  assert.equal(run('IFNULL', s(null), s('x')), 'x');
  assert.equal(run('IF', [null, Types.boolean()], s('a'), s('b')), 'b');
  assert.equal(run('IF', [true, Types.boolean()], s('a'), s('b')), 'a');
  assert.equal(run('NULLIF', i(5), i(5)), null);
  assert.equal(run('NULLIF', i(5), i(6)), 5);
  assert.equal(run('GREATEST', i(1), i(3), i(2)), 3);
  assert.equal(run('LEAST', s('b'), s('a')), 'a');
  assert.equal(run('GREATEST', i(1), i(null)), null);
  // Lazy evaluation: the division is not reached when the divisor is 0.
  const x = IR.input(0, I), y = IR.input(1, I);
  const guarded = IR.call('IF', IR.call('<>', y, IR.literal(0, I)), IR.call('/', x, y), IR.literal(-1, I));
  assert.equal(both(guarded, [7, 0], [I, I]), -1);
  assert.equal(both(guarded, [7, 2], [I, I]), 3);
  const kase = IR.caseWhen([[IR.call('>', x, IR.literal(5, I)), IR.literal('big', S)], [IR.call('IS NULL', x), IR.literal('none', S)]], null, S);
  assert.equal(both(kase, [9, 0], [I, I]), 'big');
  assert.equal(both(kase, [null, 0], [I, I]), 'none');
  assert.equal(both(kase, [1, 0], [I, I]), null);
});

test('logic and predicates: three-valued', () => {
  const bool = (v: boolean | null): [unknown, LogicalType] => [v, Types.boolean()];
  assert.equal(run('AND', bool(true), bool(null)), null);
  assert.equal(run('AND', bool(false), bool(null)), false);
  assert.equal(run('OR', bool(true), bool(null)), true);
  assert.equal(run('OR', bool(false), bool(null)), null);
  assert.equal(run('NOT', bool(null)), null);
  assert.equal(run('IS NULL', i(null)), true);
  assert.equal(run('IS NOT NULL', i(null)), false);
  assert.equal(run('IS TRUE', bool(null)), false);
  assert.equal(run('IS NOT FALSE', bool(null)), true);
  assert.equal(run('IS DISTINCT FROM', i(null), i(null)), false);
  assert.equal(run('IS DISTINCT FROM', i(1), i(null)), true);
  assert.equal(run('IS NOT DISTINCT FROM', i(null), i(null)), true);
  assert.equal(run('=', i(null), i(1)), null);
  assert.equal(run('<', s('a'), s('b')), true);
  assert.equal(run('<', ts('2020-01-01 00:00:00'), [ '2020-01-02 00:00:00', S ]), true);
  assert.equal(run('IN', i(2), i(1), i(2)), true);
  assert.equal(run('IN', i(3), i(1), i(null)), null);
  assert.equal(run('IN', i(3), i(1), i(2)), false);
  assert.equal(run('IN', i(null), i(1)), null);
  // A long constant list compiles to a Set probe.
  const x = IR.input(0, B);
  const inList = IR.call('IN', x, ...[1, 2, 3, 4, 5].map((n) => IR.literal(n, B)), IR.literal(null, B));
  assert.equal(both(inList, [3], [B]), true);
  assert.equal(both(inList, [9], [B]), null);
});

test('JSON_VALUE and friends', () => {
  const doc = '{"a": {"b": 1, "c": [10, 20], "s": "x"}}';
  assert.equal(run('JSON_VALUE', s(doc), s('$.a.b')), '1');
  assert.equal(run('JSON_VALUE', s(doc), s('$.a.c[1]')), '20');
  assert.equal(run('JSON_VALUE', s(doc), s('$.a.s')), 'x');
  assert.equal(run('JSON_VALUE', s(doc), s('$.a.c')), null);
  assert.equal(run('JSON_VALUE', s(doc), s('$.nope')), null);
  assert.equal(run('JSON_VALUE', s('{bad'), s('$.a')), null);
  assert.equal(run('JSON_QUERY', s(doc), s('$.a.c')), '[10,20]');
  assert.equal(run('JSON_EXISTS', s(doc), s("$['a'].b")), true);
  assert.equal(run('JSON_EXISTS', s(doc), s('$.z')), false);
});

test('every strict function returns NULL for a NULL argument', () => {
  const sample: Record<string, LogicalType> = { string: S, integer: I, numeric: D, boolean: Types.boolean(), timestamp: TS, datetime: TS, date: Types.date() };
  let checked = 0;
  for (const def of SCALAR_FUNCTIONS) {
    if (def.nulls !== 'strict' || !def.deterministic) continue;
    // Try a few argument shapes; the first one the function accepts is checked.
    const shapes: LogicalType[][] = [[S], [I], [D], [TS], [S, S], [I, I], [D, D], [S, I], [S, S, S], [S, I, I], [S, I, S], [S, TS], [TS, S], [S, I, TS], [S, TS, TS], [Types.boolean()]];
    void sample;
    for (const shape of shapes) {
      if (def.resolve(shape) === null) continue;
      for (let k = 0; k < shape.length; k++) {
        const args = shape.map((t, j): [unknown, LogicalType] => [j === k ? null : defaultValue(t, def.names[0]!, j), t]);
        assert.equal(run(def.names[0]!, ...args), null, `${def.names[0]} with NULL argument ${k}`);
        checked++;
      }
      break;
    }
  }
  assert.ok(checked > 60, `checked ${checked} cases`);
});

function defaultValue(t: LogicalType, fn: string, j: number): unknown {
  if (t.kind === 'VARCHAR') {
    if (['EXTRACT', 'TIMESTAMPADD', 'TIMESTAMPDIFF', 'FLOOR', 'CEIL'].includes(fn)) return 'DAY';
    if (fn === 'TRIM' && j === 0) return 'BOTH';
    return 'a';
  }
  if (t.kind === 'TIMESTAMP') return 0;
  if (t.kind === 'BOOLEAN') return true;
  return 1;
}

test('resolution errors: unknown names suggest, bad arguments list signatures', () => {
  assert.throws(() => resolveFunction('UPPPER', [S]), (e: Error & { code?: string; help?: string }) => e.code === 'PLAN.UNKNOWN_FUNCTION' && e.help === 'did you mean UPPER?');
  assert.throws(
    () => resolveFunction('UPPER', [I]),
    (e: Error & { code?: string; notes?: readonly string[] }) => e.code === 'PLAN.FUNCTION_SIGNATURE' && e.notes!.some((n) => n.includes('UPPER(STRING)')),
  );
  assert.throws(() => resolveFunction('=', [S, I]), { code: 'PLAN.FUNCTION_SIGNATURE' });
  assert.throws(() => resolveFunction('SUM', [I]), { code: 'PLAN.FUNCTION_SIGNATURE' });
});

test('aggregate result types', () => {
  const t = (name: string, ...types: LogicalType[]): string => formatType(resolveAggregate(name, types, false).returnType);
  assert.equal(t('COUNT'), 'BIGINT NOT NULL');
  assert.equal(t('COUNT', S), 'BIGINT NOT NULL');
  assert.equal(t('SUM', I), 'INT');
  assert.equal(t('SUM', Types.bigint(false)), 'BIGINT');
  assert.equal(t('SUM', Types.decimal(10, 2)), 'DECIMAL(38, 2)');
  assert.equal(t('AVG', Types.bigint(false)), 'BIGINT');
  assert.equal(t('AVG', Types.decimal(10, 2)), 'DECIMAL(38, 6)');
  assert.equal(t('AVG', Types.decimal(10, 8)), 'DECIMAL(38, 8)');
  assert.equal(t('AVG', D), 'DOUBLE');
  assert.equal(t('MAX', Types.timestamp(3, false)), 'TIMESTAMP(3)');
  assert.equal(t('SUM0', I), 'INT NOT NULL');
  assert.equal(t('LISTAGG', S, S), 'STRING');
  assert.equal(t('STDDEV_POP', D), 'DOUBLE');
  assert.equal(t('BOOL_AND', Types.boolean()), 'BOOLEAN');
  assert.equal(t('FIRST_VALUE', S), 'STRING');
  assert.ok(isAggregateFunction('count') && !isAggregateFunction('UPPER'));
  assert.throws(() => resolveAggregate('AVG', [S], false), { code: 'PLAN.FUNCTION_SIGNATURE' });
});

test('listFunctions documents every function with an example', () => {
  const list = listFunctions();
  assert.ok(list.length > 150);
  for (const f of list) assert.ok(f.description.length > 10 && f.signature.length > 0, f.name);
  assert.ok(list.some((f) => f.name === 'SPLIT_INDEX' && f.kind === 'scalar'));
  assert.ok(list.some((f) => f.name === 'AVG' && f.kind === 'aggregate'));
});
