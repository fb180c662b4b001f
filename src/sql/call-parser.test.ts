/** `CALL` statements: Flink's positional and named-argument forms, and the errors with their positions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FloeError } from '../common/index.js';
import type { CallStatement, Expr } from './ast.js';
import { parseScript, parseStatement } from './parser.js';

function call(sql: string): CallStatement {
  const s = parseStatement(sql);
  assert.equal(s.kind, 'Call');
  return s as CallStatement;
}

/** A literal argument as `type:value` (or the expression kind). */
function show(e: Expr): string {
  if (e.kind === 'Literal') return `${e.literalType}:${e.value}`;
  if (e.kind === 'Unary' && e.operand.kind === 'Literal') return `${e.op}${e.operand.value}`;
  return e.kind;
}

function failsAt(sql: string, line: number, col: number, message: RegExp): FloeError {
  try {
    parseStatement(sql);
  } catch (e) {
    assert.ok(e instanceof FloeError, String(e));
    assert.equal(e.code, 'SQL.PARSE');
    assert.deepEqual([e.span?.start.line, e.span?.start.col], [line, col], e.describe());
    assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${sql} to fail`);
}

describe('CALL', () => {
  it('parses positional arguments with an optional catalog', () => {
    const c = call("CALL lake.sys.compact('db.t', 'p=1', 5, TRUE, NULL)");
    assert.deepEqual(c.procedure.parts.map((p) => p.value), ['lake', 'sys', 'compact']);
    assert.deepEqual(c.args.map((a) => a.name), [undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(c.args.map((a) => show(a.value)), ['string:db.t', 'string:p=1', 'number:5', 'boolean:TRUE', 'null:NULL']);
    assert.deepEqual(call('CALL sys.compact()').args, []);
    assert.deepEqual(call("call sys.create_tag('db.t', 'v1')").procedure.parts.map((p) => p.value), ['sys', 'create_tag']);
  });

  it('parses named arguments; back-quoted reserved words are names', () => {
    const c = call("CALL sys.compact(`table` => 'db.t', partitions => 'p=1')");
    assert.deepEqual(c.args.map((a) => [a.name?.value, show(a.value)]), [['table', 'string:db.t'], ['partitions', 'string:p=1']]);
    assert.equal(c.args[0]!.name!.quoted, true);
    assert.equal(c.args[1]!.span.start.col, 37);
    const neg = call("CALL sys.expire_snapshots(`table` => 'db.t', retain_max => -1)");
    assert.equal(show(neg.args[1]!.value), '-1');
  });

  it('is a statement of a script, with a span covering the call', () => {
    const [a, b] = parseScript("CALL sys.compact('db.t');\nCALL sys.delete_tag('db.t', 'v1');");
    assert.equal(a!.kind, 'Call');
    assert.equal(b!.kind, 'Call');
    assert.deepEqual([b!.span.start.line, b!.span.start.col, b!.span.end.col], [2, 1, 34]);
  });

  it('reports mixed, repeated and missing arguments at their position', () => {
    failsAt("CALL sys.compact('db.t', partitions => 'p=1')", 1, 26, /all positional or all named/);
    failsAt("CALL sys.compact(`table` => 'db.t', 'p=1')", 1, 37, /all positional or all named/);
    failsAt("CALL sys.compact(`table` => 'a', `table` => 'b')", 1, 34, /argument 'table' is given twice/);
    failsAt("CALL sys.compact('db.t',)", 1, 25, /expected an argument after ','/);
    failsAt("CALL sys.compact('db.t'", 1, 24, /'\)' to close the argument list of the CALL opened at 1:17/);
    failsAt('CALL sys.compact', 1, 17, /expected '\(' after the procedure name sys\.compact/);
    failsAt('CALL (1)', 1, 6, /expected a procedure name after CALL/);
  });

  it('suggests CALL for a misspelt statement keyword', () => {
    const e = failsAt("CALLL sys.compact('db.t')", 1, 1, /expected a statement/);
    assert.match(e.help ?? '', /CALL/);
  });
});
