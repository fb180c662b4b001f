/**
 * The parser's entry points. Every error is a `FloeError` with a span; `parseScript` recovers at statement
 * boundaries and throws `FloeErrors` when several statements are wrong, so one run reports them all.
 */
import { FloeError, FloeErrors } from '../common/index.js';
import type { Expr, Query, Statement } from './ast.js';
import { tokenize } from './lexer.js';
import { LineIndex } from './line-index.js';
import { StatementParser } from './statement-parser.js';

/**
 * Parses a script of `;`-separated statements (the last `;` is optional; empty statements are ignored).
 *
 * @example
 * const [create, insert] = parseScript("CREATE TABLE t (a INT) WITH ('connector' = 'datagen'); INSERT INTO s SELECT a FROM t;");
 */
export function parseScript(text: string): Statement[] {
  return new ScriptParser(text).parseScript();
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseStatement(text: string): Statement {
  const parser = new ScriptParser(text);
  return parser.parseSingle(() => parser.parseStatement());
}

/** Parses exactly one query (`SELECT …`, `VALUES …`, `WITH …`, set operations). */
export function parseQuery(text: string): Query {
  const parser = new ScriptParser(text);
  return parser.parseSingle(() => parser.parseQueryStatement()).query;
}

/** Parses one expression, e.g. a computed column or a filter typed into the UI. */
export function parseExpression(text: string): Expr {
  const parser = new ScriptParser(text);
  return parser.parseSingle(() => parser.parseStandaloneExpression(), false);
}

class ScriptParser extends StatementParser {
  constructor(text: string) {
    const lines = new LineIndex(text);
    super(text, lines, tokenize(text));
  }

  parseScript(): Statement[] {
    const statements: Statement[] = [];
    const errors: FloeError[] = [];
    for (;;) {
      while (this.acceptOp(';')) {
        // empty statement
      }
      if (this.peek().kind === 'eof') break;
      const startIndex = this.pos;
      try {
        statements.push(this.parseStatement());
        this.expectStatementEnd();
      } catch (e) {
        if (!(e instanceof FloeError)) throw e;
        errors.push(e);
        this.recover(startIndex);
      }
    }
    if (errors.length === 1) throw errors[0] as FloeError;
    if (errors.length > 1) throw new FloeErrors(errors);
    return statements;
  }

  /** Runs `parse` and requires that nothing but `;` follows. */
  parseSingle<T>(parse: () => T, allowSemicolon = true): T {
    const result = parse();
    if (allowSemicolon) while (this.acceptOp(';'));
    if (this.peek().kind !== 'eof') {
      this.fail(allowSemicolon ? 'end of input after the statement' : 'end of input after the expression');
    }
    return result;
  }

  private expectStatementEnd(): void {
    if (this.peek().kind === 'eof' || this.acceptOp(';')) return;
    this.fail("';' or end of input after the statement");
  }

  /**
   * Skips to the end of the failed statement: the next `;`, or for a statement set the `END` that closes
   * it (its inner `;` do not end the statement, and re-parsing its INSERTs alone would report a confusing
   * stray END).
   */
  private recover(startIndex: number): void {
    const inSet = this.startsStatementSet(startIndex);
    const previous = this.tokens[this.pos - 1];
    if (inSet && previous !== undefined && this.pos - 1 > startIndex && this.isKeyword(previous, 'END')) return;
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') return;
      if (inSet) {
        if (this.isKeyword(t, 'END') && (this.atOp(';') || this.peek().kind === 'eof')) return;
      } else if (this.isOp(t, ';')) {
        return;
      }
    }
  }
}
