import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FloeError, FloeErrors } from '../common/index.js';
import { parseExpression, parseScript, parseStatement } from './parser.js';
import { SqlErrorCode } from './sql-error-codes.js';
import { substituteVariables } from './substitute-variables.js';

interface Expected {
  readonly line: number;
  readonly col: number;
  readonly message: string | RegExp;
  readonly code?: string;
  readonly kind?: string;
  readonly help?: RegExp;
}

/** Runs `parse`, which must throw one FloeError at `line:col` whose message matches. */
function expectError(parse: () => unknown, expected: Expected): FloeError {
  let error: unknown;
  try {
    parse();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof FloeError, `expected a FloeError, got ${String(error)}`);
  assert.ok(!(error instanceof FloeErrors), `expected one error, got: ${error.describe()}`);
  assert.equal(error.kind, expected.kind ?? 'user');
  assert.equal(error.code, expected.code ?? SqlErrorCode.PARSE);
  if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
  else assert.match(error.message, expected.message);
  assert.ok(error.span, 'error has a span');
  assert.deepEqual([error.span.start.line, error.span.start.col], [expected.line, expected.col], error.describe());
  assert.ok(error.describe().startsWith(`${expected.line}:${expected.col}: `));
  if (expected.help) assert.match(error.help ?? '', expected.help);
  return error;
}

const script = (text: string) => () => parseScript(text);

describe('parse errors point at the problem and say what was expected', () => {
  it('unclosed argument list names the function and where it opened', () => {
    expectError(script('SELECT\n  a,\n  COUNT(b;\n'), {
      line: 3,
      col: 10,
      message: "expected ')' to close the argument list of COUNT opened at 3:8, found ';'",
    });
  });

  it('trailing comma in the select list', () => {
    expectError(script('SELECT a, b,\nFROM t'), {
      line: 2,
      col: 1,
      message: "expected a column name after ',', found keyword FROM",
      help: /remove the trailing ','/,
    });
  });

  it('unterminated string literal points at the opening quote', () => {
    expectError(script("SELECT a FROM t WHERE b = 'oops"), {
      line: 1,
      col: 27,
      message: 'unterminated string literal',
      code: SqlErrorCode.UNTERMINATED,
    });
  });

  it('unknown data type with a suggestion', () => {
    expectError(script('CREATE TABLE t (\n  a STRNG\n)'), {
      line: 2,
      col: 5,
      message: "unknown data type 'STRNG'; did you mean STRING?",
      code: SqlErrorCode.UNKNOWN_TYPE,
    });
  });

  it('WITH option value that is not a string', () => {
    expectError(script("CREATE TABLE t (a INT) WITH ('connector' = 'datagen', 'rows-per-second' = 42)"), {
      line: 1,
      col: 75,
      message: 'WITH option value must be a string literal, found 42',
      help: /quote it: '42'/,
    });
  });

  it('WITH option key that is not a string', () => {
    expectError(script("CREATE TABLE t (a INT) WITH (connector = 'datagen')"), {
      line: 1,
      col: 30,
      message: 'WITH option key must be a string literal, found identifier connector',
    });
  });

  it('unsubstituted ${VAR}', () => {
    expectError(script("CREATE TABLE t (a INT) WITH (\n  'rate' = '${TPS}'\n)"), {
      line: 2,
      col: 13,
      message: 'unsubstituted variable ${TPS}; pass --var TPS=VALUE',
      code: SqlErrorCode.UNSUBSTITUTED_VARIABLE,
    });
  });

  it(':: casts are rejected with the Flink spelling', () => {
    expectError(script('SELECT a::INT FROM t'), {
      line: 1,
      col: 9,
      message: "'::' casts are not Flink SQL",
      code: SqlErrorCode.FOREIGN_SYNTAX,
      help: /CAST\(x AS type\)/,
    });
  });

  it('misspelled statement keyword gets a suggestion', () => {
    expectError(script('SELEC a FROM t'), {
      line: 1,
      col: 1,
      message: 'expected a statement (SELECT, INSERT, CREATE, SET, …), found identifier SELEC',
      help: /did you mean SELECT\?/,
    });
  });

  it('STOP JOB needs a quoted id and its clauses in Flink order', () => {
    expectError(script('STOP JOB abc'), { line: 1, col: 10, message: /^expected the job id as a string.*found identifier abc$/ });
    expectError(script("STOP JOBS 'x'"), { line: 1, col: 6, message: /^expected JOB after STOP, found/ });
    expectError(script("STOP JOB 'x' WITH DRAIN WITH SAVEPOINT"), {
      line: 1,
      col: 25,
      message: 'expected the end of the statement, found keyword WITH',
      help: /WITH SAVEPOINT before WITH DRAIN/,
    });
    expectError(script("STOP JOB 'x' WITH FORCE"), { line: 1, col: 19, message: /^expected SAVEPOINT or DRAIN after WITH, found/ });
  });

  it('a misspelled STOP gets a suggestion', () => {
    expectError(script("STPO JOB 'x'"), { line: 1, col: 1, message: /^expected a statement/, help: /did you mean STOP\?/ });
  });

  it('reserved word used as a column name suggests back-quotes', () => {
    expectError(script('SELECT value FROM t'), {
      line: 1,
      col: 8,
      message: 'expected a column name or expression to select, found keyword VALUE',
      help: /back-quote it: `value`/,
    });
  });

  it('reserved word used as a column definition name', () => {
    expectError(script('CREATE TABLE t (id INT, timestamp TIMESTAMP(3))'), {
      line: 1,
      col: 25,
      message: 'expected a column definition, found keyword TIMESTAMP',
      help: /`timestamp`/,
    });
  });

  it('missing comma between select items', () => {
    expectError(script('SELECT a b c FROM t'), {
      line: 1,
      col: 12,
      message: "expected ',' or FROM after the select item, found identifier c",
    });
  });

  it('unclosed CASE names where it opened', () => {
    expectError(script("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' FROM t"), {
      line: 1,
      col: 42,
      message: 'expected END to close CASE opened at 1:8, found keyword FROM',
    });
  });

  it('JOIN without a condition', () => {
    expectError(script('SELECT * FROM a LEFT JOIN b WHERE a.x = 1'), {
      line: 1,
      col: 29,
      message: 'expected ON or USING after LEFT JOIN, found keyword WHERE',
    });
  });

  it('INTERVAL with an unquoted number', () => {
    expectError(script('SELECT ts - INTERVAL 5 SECOND FROM t'), {
      line: 1,
      col: 22,
      message: 'expected a quoted interval value after INTERVAL, found 5',
      help: /INTERVAL '5' SECOND/,
    });
  });

  it('INTERVAL with an unknown unit', () => {
    expectError(script("SELECT INTERVAL '5' FORTNIGHT"), {
      line: 1,
      col: 21,
      message: "expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND) after INTERVAL '5', found identifier FORTNIGHT",
    });
  });

  it('PRIMARY KEY without NOT ENFORCED', () => {
    expectError(script('CREATE TABLE t (a INT, PRIMARY KEY (a))'), {
      line: 1,
      col: 39,
      message: "expected NOT ENFORCED after PRIMARY KEY, found ')'",
    });
  });

  it('trailing comma in a column list', () => {
    expectError(script('CREATE TABLE t (\n  a INT,\n)'), {
      line: 3,
      col: 1,
      message: "expected a column definition after ',', found ')'",
    });
  });

  it('missing closing parenthesis of TABLE(…)', () => {
    expectError(script("SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE) GROUP BY a"), {
      line: 1,
      col: 74,
      message: "expected ')' to close TABLE( opened at 1:20, found keyword GROUP",
    });
  });

  it('INSERT without a query', () => {
    expectError(script('INSERT INTO t;'), {
      line: 1,
      col: 14,
      message: "expected a query (SELECT or VALUES) to insert into t, found ';'",
    });
  });

  it('double-quoted identifiers', () => {
    expectError(script('SELECT "a" FROM t'), {
      line: 1,
      col: 8,
      message: 'double quotes are not used in Flink SQL',
      code: SqlErrorCode.FOREIGN_SYNTAX,
      help: /`name`/,
    });
  });

  it('hint in a place hints are not allowed', () => {
    const error = expectError(script('SELECT a /*+ BROADCAST(t) */ FROM t'), {
      line: 1,
      col: 10,
      message: /^expected ',' or FROM after the select item, found hint \/\*\+ BROADCAST/,
    });
    assert.match(error.notes[0] ?? '', /right after SELECT/);
  });

  it('malformed hint body points inside the hint', () => {
    expectError(script("SELECT * FROM t /*+ OPTIONS('a' = ) */"), {
      line: 1,
      col: 35,
      message: "expected a value for hint option 'a', found ')'",
    });
  });

  it('MATCH_RECOGNIZE without PATTERN says what the clause needs', () => {
    expectError(script('SELECT * FROM bid\nMATCH_RECOGNIZE (PARTITION BY a ORDER BY t DEFINE A AS true)'), {
      line: 2,
      col: 44,
      message: /^expected PATTERN \(MATCH_RECOGNIZE needs PATTERN/,
    });
  });

  it('MATCH_RECOGNIZE quantifier errors point at the quantifier', () => {
    expectError(script('SELECT * FROM bid MATCH_RECOGNIZE (ORDER BY t PATTERN (A{3,1}) DEFINE A AS true)'), {
      line: 1,
      col: 56,
      message: "the quantifier's maximum 1 is below its minimum 3",
    });
    expectError(script('SELECT * FROM bid MATCH_RECOGNIZE (ORDER BY t PATTERN (A{2 B) DEFINE A AS true)'), {
      line: 1,
      col: 60,
      message: "expected '}' to close the quantifier opened at 1:57, found identifier B",
    });
  });

  it('MATCH_RECOGNIZE measures need a name', () => {
    expectError(script('SELECT * FROM bid MATCH_RECOGNIZE (ORDER BY t MEASURES A.x PATTERN (A) DEFINE A AS true)'), {
      line: 1,
      col: 60,
      message: /^expected AS after the measure expression/,
    });
  });

  it('unterminated block comment', () => {
    expectError(script('SELECT 1 /* note'), {
      line: 1,
      col: 10,
      message: 'unterminated comment: /* is never closed by */',
      code: SqlErrorCode.UNTERMINATED,
    });
  });

  it('stray character', () => {
    expectError(script('SELECT a # b FROM t'), {
      line: 1,
      col: 10,
      message: "unexpected character '#'",
      code: SqlErrorCode.UNEXPECTED_CHARACTER,
    });
  });

  it('TIMESTAMP WITH TIME ZONE is not a Flink type', () => {
    expectError(script('CREATE TABLE t (a TIMESTAMP(3) WITH TIME ZONE)'), {
      line: 1,
      col: 32,
      message: 'TIMESTAMP WITH TIME ZONE is not a Flink data type',
      help: /TIMESTAMP_LTZ/,
    });
  });

  it('statement set without END', () => {
    expectError(script('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;'), {
      line: 1,
      col: 52,
      message: 'expected INSERT or END in the statement set, found end of input',
    });
  });

  it('garbage after a complete statement', () => {
    expectError(script('SELECT a FROM t x y'), {
      line: 1,
      col: 19,
      message: "expected ';' or end of input after the statement, found identifier y",
    });
  });

  it('missing IS predicate', () => {
    expectError(() => parseExpression('a IS 1'), {
      line: 1,
      col: 6,
      message: 'expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS, found 1',
    });
  });

  it('parseStatement rejects a second statement', () => {
    expectError(() => parseStatement('SELECT 1; SELECT 2'), {
      line: 1,
      col: 11,
      message: 'expected end of input after the statement, found keyword SELECT',
    });
  });

  it('substituteVariables names the unknown variable and its position', () => {
    expectError(() => substituteVariables("SELECT 1;\nFROM ${NEXMARK_TABEL}", { NEXMARK_TABLE: 'datagen' }), {
      line: 2,
      col: 6,
      message: 'unknown variable ${NEXMARK_TABEL} at 2:6; pass --var NEXMARK_TABEL=VALUE',
      code: SqlErrorCode.UNKNOWN_VARIABLE,
      help: /did you mean \$\{NEXMARK_TABLE\}/,
    });
  });
});

describe('recovery at statement boundaries', () => {
  it('reports the errors of several statements at once', () => {
    let error: unknown;
    try {
      parseScript(
        [
          'SELECT 1;',
          'SELECT FROM t;', // line 2
          'CREATE TABLE ok (a INT);',
          "CREATE TABLE bad (a INT) WITH ('x' = 1);", // line 4
          'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT; INSERT INTO b SELECT 2; END;', // line 5
          "SELECT 'unterminated", // line 6
        ].join('\n'),
      );
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof FloeErrors);
    assert.deepEqual(
      error.errors.map((e) => `${e.span?.start.line}:${e.span?.start.col} ${e.message}`),
      [
        '2:8 expected a column name or expression to select, found keyword FROM',
        '4:38 WITH option value must be a string literal, found 1',
        "5:49 expected a column name or expression to select, found ';'",
        '6:8 unterminated string literal',
      ],
    );
    assert.equal(error.describe().split('\n')[0], '2:8: expected a column name or expression to select, found keyword FROM');
    assert.equal(error.code, SqlErrorCode.PARSE);
  });

  it('one bad statement throws a plain FloeError', () => {
    let error: unknown;
    try {
      parseScript('SELECT 1; SELECT (; SELECT 2');
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof FloeError && !(error instanceof FloeErrors));
  });
});
