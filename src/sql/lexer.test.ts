import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize, type Token } from './lexer.js';
import { SqlErrorCode } from './sql-error-codes.js';

const kinds = (text: string): string[] => tokenize(text).map((t) => `${t.kind}:${t.value}`);
const only = (text: string): Token => {
  const tokens = tokenize(text);
  assert.equal(tokens.length, 2, `expected one token in ${text}`);
  return tokens[0] as Token;
};

describe('lexer', () => {
  it('upper-cases words and keeps their spelling', () => {
    const [t] = tokenize('selEct');
    assert.equal(t?.kind, 'word');
    assert.equal(t?.value, 'SELECT');
    assert.equal(t?.text, 'selEct');
  });

  it('reads back-quoted identifiers with doubled back-quotes', () => {
    const t = only('`a``b c`');
    assert.equal(t.kind, 'quoted');
    assert.equal(t.value, 'a`b c');
  });

  it("reads string literals with '' escapes, across lines", () => {
    const t = only("'it''s\nfine'");
    assert.equal(t.kind, 'string');
    assert.equal(t.value, "it's\nfine");
  });

  it('reads numbers: integer, decimal, exponent, leading dot', () => {
    assert.deepEqual(kinds('42 0.908 1e3 1.5E-3 .5'), [
      'number:42',
      'number:0.908',
      'number:1e3',
      'number:1.5E-3',
      'number:.5',
      'eof:',
    ]);
  });

  it('keeps a dot after a name as a qualifier dot', () => {
    assert.deepEqual(kinds('t.5'), ['word:T', 'op:.', 'number:5', 'eof:']);
  });

  it('reads multi-character operators and canonicalises != to <>', () => {
    assert.deepEqual(kinds('<> != <= >= || => ::'), ['op:<>', 'op:<>', 'op:<=', 'op:>=', 'op:||', 'op:=>', 'op:::', 'eof:']);
  });

  it('skips -- and /* */ comments but keeps /*+ hints */', () => {
    assert.deepEqual(kinds("a -- note\n/* block\n */ b /*+ OPTIONS('k'='v') */"), [
      'word:A',
      'word:B',
      "hint: OPTIONS('k'='v') ",
      'eof:',
    ]);
  });

  it('reads binary literals', () => {
    const t = only("X'0AFF'");
    assert.equal(t.kind, 'binary');
    assert.equal(t.value, '0AFF');
  });

  it('gives 1-based line/col and 0-based offsets', () => {
    const tokens = tokenize('SELECT\n  a,\n\tb');
    const b = tokens[3] as Token;
    assert.equal(b.value, 'B');
    assert.deepEqual(b.span.start, { line: 3, col: 2, offset: 13 });
    assert.deepEqual(b.span.end, { line: 3, col: 3, offset: 14 });
  });

  it('turns an unterminated string into an error token at the opening quote', () => {
    const t = tokenize("SELECT 'abc")[1] as Token;
    assert.equal(t.kind, 'error');
    assert.equal(t.code, SqlErrorCode.UNTERMINATED);
    assert.equal(t.value, 'unterminated string literal');
    assert.deepEqual(t.span.start, { line: 1, col: 8, offset: 7 });
  });

  it('reports ${VAR} left in the text, also inside strings', () => {
    const bare = tokenize('FROM ${NEXMARK_TABLE}')[1] as Token;
    assert.equal(bare.kind, 'error');
    assert.equal(bare.code, SqlErrorCode.UNSUBSTITUTED_VARIABLE);
    assert.equal(bare.value, 'unsubstituted variable ${NEXMARK_TABLE}; pass --var NEXMARK_TABLE=VALUE');
    const inString = tokenize("'rate' = '${TPS}', x")[2] as Token;
    assert.equal(inString.kind, 'error');
    assert.equal(inString.value, 'unsubstituted variable ${TPS}; pass --var TPS=VALUE');
    assert.equal(inString.span.start.col, 11);
    // The lexer resumes after the string, so the rest of the script still tokenises.
    assert.deepEqual(
      tokenize("'${TPS}', x").slice(1).map((t) => `${t.kind}:${t.value}`),
      ['op:,', 'word:X', 'eof:'],
    );
  });

  it('stops identifiers before ${', () => {
    assert.deepEqual(
      tokenize('sink_${ENV}').map((t) => t.kind),
      ['word', 'error', 'eof'],
    );
  });

  it('rejects double quotes and stray characters with error tokens', () => {
    assert.equal(tokenize('"a"')[0]?.code, SqlErrorCode.FOREIGN_SYNTAX);
    const hash = tokenize('a # b')[1] as Token;
    assert.equal(hash.code, SqlErrorCode.UNEXPECTED_CHARACTER);
    assert.equal(hash.value, "unexpected character '#'");
  });

  it('reports unterminated comments, hints and quoted identifiers', () => {
    assert.equal(tokenize('a /* x')[1]?.code, SqlErrorCode.UNTERMINATED);
    assert.equal(tokenize('a /*+ x')[1]?.code, SqlErrorCode.UNTERMINATED);
    assert.equal(tokenize('`abc')[0]?.code, SqlErrorCode.UNTERMINATED);
  });

  it('tokenises a long script and keeps line numbers right at the end', () => {
    const script = "INSERT INTO t SELECT a, 'x', 1.5 FROM s WHERE b > 2;\n".repeat(20000);
    const tokens = tokenize(script);
    assert.equal(tokens.length, 20000 * 16 + 1);
    assert.equal(tokens[tokens.length - 2]?.span.start.line, 20000);
  });
});
