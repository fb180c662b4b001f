/**
 * The bottom layer of the parser: a cursor over tokens with the matching, naming and error helpers every
 * grammar layer uses.
 *
 * The parser is split into layers that extend one another (TokenCursor → TypeParser → ExpressionParser →
 * QueryParser → StatementParser), each in its own file, the way Babel splits its parser. Expressions and
 * queries are mutually recursive (subqueries); the expression layer declares `parseQuery` abstract and the
 * query layer implements it, so no file imports a file above it.
 */
import { FloeError, internalError, userError, type SourcePos, type SourceSpan } from '../common/index.js';
import type { Identifier, QualifiedName } from './ast.js';
import { isReserved } from './keywords.js';
import type { Token } from './lexer.js';
import { formatPos, type LineIndex } from './line-index.js';
import { SqlErrorCode } from './sql-error-codes.js';

export interface FailOptions {
  readonly help?: string;
  readonly notes?: readonly string[];
  readonly code?: SqlErrorCode;
}

const HINT_PLACEMENT_NOTE =
  'hints /*+ … */ are allowed only right after SELECT, after a table name in FROM, and after the target table of INSERT';

export class TokenCursor {
  protected pos = 0;

  constructor(
    /** The whole source text (spans and slices refer to it). */
    protected readonly text: string,
    protected readonly lines: LineIndex,
    protected readonly tokens: readonly Token[],
  ) {
    if (tokens.length === 0 || tokens[tokens.length - 1]?.kind !== 'eof') {
      throw internalError('token list must end with an eof token');
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Looking and moving

  protected peek(k = 0): Token {
    const i = Math.min(this.pos + k, this.tokens.length - 1);
    return this.tokens[i] as Token;
  }

  protected next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  /** End of the last consumed token: where a node that ends here ends. */
  protected get prevEnd(): SourcePos {
    const prev = this.tokens[this.pos - 1];
    return prev ? prev.span.end : this.peek().span.start;
  }

  protected spanFrom(start: Token | SourceSpan): SourceSpan {
    const from = 'kind' in start ? start.span.start : start.start;
    return { start: from, end: this.prevEnd };
  }

  protected isKeyword(t: Token, word: string): boolean {
    return t.kind === 'word' && t.value === word;
  }

  protected atKeyword(...words: string[]): boolean {
    const t = this.peek();
    return t.kind === 'word' && words.includes(t.value);
  }

  /** True when the next tokens are exactly the keyword sequence `words`. */
  protected atKeywords(...words: string[]): boolean {
    return words.every((w, k) => this.isKeyword(this.peek(k), w));
  }

  protected acceptKeyword(word: string): Token | undefined {
    return this.isKeyword(this.peek(), word) ? this.next() : undefined;
  }

  /** Consumes the whole keyword sequence, or nothing. */
  protected acceptKeywords(...words: string[]): boolean {
    if (!this.atKeywords(...words)) return false;
    this.pos += words.length;
    return true;
  }

  protected expectKeyword(word: string, context = ''): Token {
    const t = this.peek();
    if (this.isKeyword(t, word)) return this.next();
    return this.fail(`${word}${context}`, t);
  }

  protected isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.value === op;
  }

  protected atOp(op: string, k = 0): boolean {
    return this.isOp(this.peek(k), op);
  }

  protected acceptOp(op: string): Token | undefined {
    return this.isOp(this.peek(), op) ? this.next() : undefined;
  }

  protected expectOp(op: string, context = ''): Token {
    const t = this.peek();
    if (this.isOp(t, op)) return this.next();
    return this.fail(`'${op}'${context}`, t);
  }

  /** Expects the `)` matching `open`, naming what it closes: `')' to close the argument list of COUNT opened at 3:12`. */
  protected expectClose(open: Token, what: string): Token {
    const close = open.value === '[' ? ']' : ')';
    const t = this.peek();
    if (this.isOp(t, close)) return this.next();
    return this.fail(`'${close}' to close ${what} opened at ${formatPos(open.span.start)}`, t);
  }

  // ------------------------------------------------------------------------------------------------------
  // Errors

  /**
   * Throws `expected <expected>, found <token>`. An `error` token (from the lexer) is reported as itself: its
   * message is the real problem, not the parser's expectation.
   */
  protected fail(expected: string, found: Token = this.peek(), options: FailOptions = {}): never {
    if (found.kind === 'error') throw this.lexError(found);
    const notes = [...(options.notes ?? []), ...(found.kind === 'hint' ? [HINT_PLACEMENT_NOTE] : [])];
    throw userError(options.code ?? SqlErrorCode.PARSE, `expected ${expected}, found ${describeToken(found)}`, {
      span: found.span,
      notes,
      help: options.help,
    });
  }

  protected errorAt(span: SourceSpan, message: string, options: FailOptions = {}): FloeError {
    return userError(options.code ?? SqlErrorCode.PARSE, message, {
      span,
      notes: options.notes ?? [],
      help: options.help,
    });
  }

  protected lexError(t: Token): FloeError {
    return userError(t.code ?? SqlErrorCode.PARSE, t.value, { span: t.span, help: t.help });
  }

  // ------------------------------------------------------------------------------------------------------
  // Names

  /** A bare word that may be a name here (not reserved), or any back-quoted identifier. */
  protected isIdentifierToken(t: Token): boolean {
    return t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.value));
  }

  protected identifierFrom(t: Token): Identifier {
    return { kind: 'Identifier', value: t.kind === 'quoted' ? t.value : t.text, quoted: t.kind === 'quoted', span: t.span };
  }

  /** Parses an identifier; `what` names the expectation (`a column name`). */
  protected parseIdentifier(what: string): Identifier {
    const t = this.peek();
    if (!this.isIdentifierToken(t)) return this.fail(what, t, { help: reservedWordHelp(t) });
    this.next();
    return this.identifierFrom(t);
  }

  /**
   * After a `.`, any word is a name part: `t.value` is unambiguous there, so we do not insist on back-quotes
   * as Flink does for the first part.
   */
  protected parseNamePart(what: string): Identifier {
    const t = this.peek();
    if (t.kind !== 'quoted' && t.kind !== 'word') return this.fail(what, t);
    this.next();
    return this.identifierFrom(t);
  }

  /** `a`, `db.a`, `cat.db.a`. */
  protected parseQualifiedName(what: string): QualifiedName {
    const first = this.parseIdentifier(what);
    const parts = [first];
    while (this.atOp('.')) {
      this.next();
      parts.push(this.parseNamePart(`a name part after '.' in ${parts.map((p) => p.value).join('.')}.`));
    }
    return { kind: 'QualifiedName', parts, span: { start: first.span.start, end: this.prevEnd } };
  }

  /** `(a, b, c)`: a parenthesised, non-empty identifier list. */
  protected parseIdentifierList(what: string, context: string): Identifier[] {
    const open = this.expectOp('(', ` to start ${context}`);
    const names: Identifier[] = [];
    do {
      names.push(this.parseIdentifier(names.length === 0 ? what : `${what} after ','`));
    } while (this.acceptOp(','));
    this.expectClose(open, context);
    return names;
  }

  // ------------------------------------------------------------------------------------------------------
  // Literals

  /**
   * A string literal, with adjacent literals concatenated (`'a' 'b'` is `'ab'`, as in standard SQL, so long
   * values can be split across lines).
   */
  protected parseStringLiteral(what: string): { value: string; span: SourceSpan } {
    const first = this.peek();
    if (first.kind !== 'string') return this.fail(what, first);
    this.next();
    let value = first.value;
    while (this.peek().kind === 'string') value += this.next().value;
    return { value, span: this.spanFrom(first) };
  }

  protected parseIntegerLiteral(what: string): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) return this.fail(what, t);
    this.next();
    return Number(t.value);
  }
}

/** How a token is named in `found …`: `';'`, `keyword FROM`, `identifier foo`, `42`, `end of input`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of input';
    case 'op':
      return `'${t.text}'`;
    case 'word':
      return isReserved(t.value) ? `keyword ${t.value}` : `identifier ${t.text}`;
    case 'quoted':
      return `identifier ${shorten(t.text)}`;
    case 'string':
      return `string ${shorten(t.text)}`;
    case 'number':
    case 'binary':
      return shorten(t.text);
    case 'hint':
      return `hint ${shorten(t.text)}`;
    case 'error':
      return t.value;
  }
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= 40 ? oneLine : `${oneLine.slice(0, 37)}…`;
}

/** When a reserved word stands where a name was expected, the fix is to back-quote it. */
export function reservedWordHelp(t: Token): string | undefined {
  if (t.kind !== 'word' || !isReserved(t.value)) return undefined;
  return `${t.value} is a reserved word; if you meant a name, back-quote it: \`${t.text}\``;
}
