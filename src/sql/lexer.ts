/**
 * The Flink SQL lexer: text → tokens with source spans.
 *
 * The lexer never throws. A malformed piece of text (an unterminated string, `${VAR}` left in the script, a
 * stray `#`) becomes an `error` token carrying its message and code; the parser raises it when it reaches it.
 * That keeps one bad statement from hiding the diagnostics of the next ones: the parser recovers at `;`
 * boundaries and the lexer has already tokenised the rest.
 *
 * Keywords are not recognised here: every bare word is a `word` token (value upper-cased) and the parser
 * decides from context whether it is a keyword or an identifier (Flink's non-reserved keywords are names too).
 */
import type { SourceSpan } from '../common/index.js';
import { LineIndex } from './line-index.js';
import { SqlErrorCode } from './sql-error-codes.js';

export type TokenKind =
  /** A bare word: keyword or unquoted identifier. `value` is upper-cased; `text` keeps the spelling. */
  | 'word'
  /** A back-quoted identifier. `value` is the name with doubled back-quotes unescaped. */
  | 'quoted'
  /** `'…'` (also `N'…'`). `value` is the unescaped text. */
  | 'string'
  /** `42`, `0.908`, `1e3`, `.5`. `value` is the text. */
  | 'number'
  /** `X'0AFF'`. `value` is the hex digits. */
  | 'binary'
  /** Punctuation and operators. `value` is canonical (`!=` → `<>`). */
  | 'op'
  /** `/*+ … *\/`. `value` is the text between `/*+` and `*\/`. */
  | 'hint'
  /** Malformed text. `value` is the message; `code` and `help` complete the diagnostic. */
  | 'error'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** The exact source text of the token. */
  readonly text: string;
  readonly span: SourceSpan;
  /** Error tokens only. */
  readonly code?: SqlErrorCode;
  readonly help?: string;
}

/** Multi-character operators, longest first so that `<=` wins over `<`. */
const MULTI_CHAR_OPS: readonly (readonly [string, string])[] = [
  ['<>', '<>'],
  ['!=', '<>'],
  ['<=', '<='],
  ['>=', '>='],
  ['||', '||'],
  ['=>', '=>'],
  ['::', '::'],
];

const SINGLE_CHAR_OPS = new Set(['(', ')', '[', ']', '{', '}', ',', ';', '.', '+', '-', '*', '/', '%', '=', '<', '>', '?', ':', '|', '^', '&', '~']);

/** Tokenise a whole SQL text. The last token is always `eof`. */
export function tokenize(text: string): Token[] {
  const lines = new LineIndex(text);
  return new Lexer(text, lines, 0, text.length).run();
}

/**
 * Tokenise `text[start, end)` with spans relative to the whole text. The parser uses it for hint bodies, so
 * `/*+ OPTIONS('a' = 1) *\/` errors point into the hint at the right line and column.
 */
export function tokenizeRange(text: string, lines: LineIndex, start: number, end: number): Token[] {
  return new Lexer(text, lines, start, end).run();
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u;

function isWordStart(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (isAsciiLetter(c) || c === 95 /* _ */) return true;
  if (c === 36 /* $ */) return text.charCodeAt(i + 1) !== 123 /* { */;
  return c > 127 && NON_ASCII_WORD.test(text[i] as string);
}

function isWordPart(text: string, i: number): boolean {
  return isWordStart(text, i) || isDigit(text.charCodeAt(i));
}

class Lexer {
  private readonly tokens: Token[] = [];
  private i: number;

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
    start: number,
    private readonly end: number,
  ) {
    this.i = start;
  }

  run(): Token[] {
    while (this.skipTrivia()) {
      this.scanToken();
    }
    this.push('eof', '', this.end, this.end);
    return this.tokens;
  }

  private charAt(i: number): number {
    return i < this.end ? this.text.charCodeAt(i) : -1;
  }

  /** Skips whitespace and comments; false at the end of input. A hint is not trivia. */
  private skipTrivia(): boolean {
    for (;;) {
      const c = this.charAt(this.i);
      if (c === -1) return false;
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
        this.i++;
      } else if (c === 45 /* - */ && this.charAt(this.i + 1) === 45) {
        while (this.i < this.end && this.charAt(this.i) !== 10) this.i++;
      } else if (c === 47 /* / */ && this.charAt(this.i + 1) === 42 /* * */ && this.charAt(this.i + 2) !== 43 /* + */) {
        const close = this.findCommentEnd(this.i + 2);
        if (close < 0) {
          this.pushError(this.i, this.end, SqlErrorCode.UNTERMINATED, 'unterminated comment: /* is never closed by */');
          this.i = this.end;
          return false;
        }
        this.i = close + 2;
      } else {
        return true;
      }
    }
  }

  private findCommentEnd(from: number): number {
    const at = this.text.indexOf('*/', from);
    return at < 0 || at + 2 > this.end ? -1 : at;
  }

  private scanToken(): void {
    const start = this.i;
    const c = this.charAt(start);
    const next = this.charAt(start + 1);
    if (c === 39 /* ' */) return this.scanString(start, start);
    if ((c === 88 || c === 120) /* X x */ && next === 39) return this.scanBinary(start);
    if ((c === 78 || c === 110) /* N n */ && next === 39) return this.scanString(start, start + 1);
    if (c === 96 /* ` */) return this.scanQuotedIdentifier(start);
    if (c === 34 /* " */) return this.scanDoubleQuoted(start);
    if (c === 36 /* $ */ && next === 123 /* { */) return this.scanVariable(start);
    if (isDigit(c) || (c === 46 /* . */ && isDigit(next) && !this.previousEndsOperand())) return this.scanNumber(start);
    if (isWordStart(this.text, start)) return this.scanWord(start);
    if (c === 47 /* / */ && next === 42 && this.charAt(start + 2) === 43) return this.scanHint(start);
    this.scanOperator(start);
  }

  /** `.5` is a number only where an operand may start; after `t` or `)` the dot is a field/qualifier dot. */
  private previousEndsOperand(): boolean {
    const prev = this.tokens[this.tokens.length - 1];
    if (!prev) return false;
    return prev.kind === 'word' || prev.kind === 'quoted' || (prev.kind === 'op' && (prev.value === ')' || prev.value === ']'));
  }

  private scanWord(start: number): void {
    let i = start + 1;
    while (i < this.end && isWordPart(this.text, i)) i++;
    const text = this.text.slice(start, i);
    this.i = i;
    this.push('word', text.toUpperCase(), start, i);
  }

  private scanNumber(start: number): void {
    let i = start;
    while (isDigit(this.charAt(i))) i++;
    if (this.charAt(i) === 46 /* . */) {
      i++;
      while (isDigit(this.charAt(i))) i++;
    }
    const e = this.charAt(i);
    if (e === 69 || e === 101 /* E e */) {
      let j = i + 1;
      const sign = this.charAt(j);
      if (sign === 43 || sign === 45) j++;
      if (isDigit(this.charAt(j))) {
        while (isDigit(this.charAt(j))) j++;
        i = j;
      }
    }
    this.i = i;
    const text = this.text.slice(start, i);
    this.push('number', text, start, i);
  }

  /**
   * `'…'` with `''` as an escaped quote; may span lines. `bodyStart` is the opening quote (after an `N`
   * prefix). `${NAME}` inside a string is reported too: the CLI substitutes variables everywhere in the text,
   * so one left inside a WITH option would otherwise surface much later as a baffling connector error.
   */
  private scanString(start: number, quoteAt: number): void {
    let i = quoteAt + 1;
    let value = '';
    let chunkStart = i;
    for (;;) {
      if (i >= this.end) {
        this.pushError(start, this.end, SqlErrorCode.UNTERMINATED, 'unterminated string literal', "close it with a single quote '");
        this.i = this.end;
        return;
      }
      const c = this.text.charCodeAt(i);
      if (c === 39) {
        if (this.charAt(i + 1) === 39) {
          value += this.text.slice(chunkStart, i + 1);
          i += 2;
          chunkStart = i;
          continue;
        }
        value += this.text.slice(chunkStart, i);
        i++;
        break;
      }
      const name = c === 36 && this.charAt(i + 1) === 123 ? this.variableAt(i) : undefined;
      if (name !== undefined) {
        const variableEnd = i + name.length + 3;
        this.pushVariableError(i, variableEnd, name);
        // Skip the rest of the string so its closing quote does not open a new one.
        const close = this.findStringEnd(variableEnd);
        this.i = close < 0 ? this.end : close + 1;
        return;
      }
      i++;
    }
    this.i = i;
    this.push('string', value, start, i);
  }

  private findStringEnd(from: number): number {
    let i = from;
    while (i < this.end) {
      if (this.text.charCodeAt(i) === 39) {
        if (this.charAt(i + 1) === 39) i += 2;
        else return i;
      } else {
        i++;
      }
    }
    return -1;
  }

  /** The NAME of `${NAME}` starting at `i`, or undefined when the braces do not hold a plain name. */
  private variableAt(i: number): string | undefined {
    const m = /^\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/.exec(this.text.slice(i, Math.min(this.end, i + 200)));
    return m ? m[1] : undefined;
  }

  private scanVariable(start: number): void {
    const name = this.variableAt(start);
    if (name === undefined) {
      this.i = start + 2;
      this.pushError(start, start + 2, SqlErrorCode.UNSUBSTITUTED_VARIABLE, "'${' does not start a valid ${NAME} variable reference");
      return;
    }
    const end = start + name.length + 3;
    this.i = end;
    this.pushVariableError(start, end, name);
  }

  private pushVariableError(start: number, end: number, name: string): void {
    this.pushError(
      start,
      end,
      SqlErrorCode.UNSUBSTITUTED_VARIABLE,
      `unsubstituted variable \${${name}}; pass --var ${name}=VALUE`,
    );
  }

  private scanBinary(start: number): void {
    const close = this.text.indexOf("'", start + 2);
    if (close < 0 || close >= this.end) {
      this.pushError(start, this.end, SqlErrorCode.UNTERMINATED, 'unterminated binary literal', "close it with a single quote '");
      this.i = this.end;
      return;
    }
    const digits = this.text.slice(start + 2, close);
    this.i = close + 1;
    if (!/^[0-9A-Fa-f]*$/.test(digits)) {
      this.pushError(start, close + 1, SqlErrorCode.PARSE, `binary literal X'${digits}' may contain only hexadecimal digits 0-9 and A-F`);
    } else if (digits.length % 2 !== 0) {
      this.pushError(start, close + 1, SqlErrorCode.PARSE, `binary literal X'${digits}' must have an even number of hexadecimal digits`);
    } else {
      this.push('binary', digits, start, close + 1);
    }
  }

  /** `` `name` `` with ``` `` ``` for a literal back-quote. */
  private scanQuotedIdentifier(start: number): void {
    let i = start + 1;
    let value = '';
    let chunkStart = i;
    for (;;) {
      if (i >= this.end) {
        this.pushError(start, this.end, SqlErrorCode.UNTERMINATED, 'unterminated quoted identifier', 'close it with a back-quote `');
        this.i = this.end;
        return;
      }
      if (this.text.charCodeAt(i) === 96) {
        if (this.charAt(i + 1) === 96) {
          value += this.text.slice(chunkStart, i + 1);
          i += 2;
          chunkStart = i;
          continue;
        }
        value += this.text.slice(chunkStart, i);
        i++;
        break;
      }
      i++;
    }
    this.i = i;
    if (value.length === 0) {
      this.pushError(start, i, SqlErrorCode.PARSE, 'empty quoted identifier ``');
      return;
    }
    this.push('quoted', value, start, i);
  }

  /** Flink has no double-quoted anything; say what to write instead of failing on a stray `"`. */
  private scanDoubleQuoted(start: number): void {
    const close = this.text.indexOf('"', start + 1);
    const end = close < 0 || close >= this.end ? start + 1 : close + 1;
    this.i = end;
    this.pushError(
      start,
      end,
      SqlErrorCode.FOREIGN_SYNTAX,
      'double quotes are not used in Flink SQL',
      "write 'text' for a string literal or `name` for a quoted identifier",
    );
  }

  private scanHint(start: number): void {
    const close = this.findCommentEnd(start + 3);
    if (close < 0) {
      this.pushError(start, this.end, SqlErrorCode.UNTERMINATED, 'unterminated hint: /*+ is never closed by */');
      this.i = this.end;
      return;
    }
    this.i = close + 2;
    this.push('hint', this.text.slice(start + 3, close), start, close + 2);
  }

  private scanOperator(start: number): void {
    for (const [op, canonical] of MULTI_CHAR_OPS) {
      if (this.text.startsWith(op, start) && start + op.length <= this.end) {
        this.i = start + op.length;
        this.push('op', canonical, start, this.i);
        return;
      }
    }
    const ch = String.fromCodePoint(this.text.codePointAt(start) as number);
    this.i = start + ch.length;
    if (SINGLE_CHAR_OPS.has(ch)) {
      this.push('op', ch, start, this.i);
    } else {
      this.pushError(start, this.i, SqlErrorCode.UNEXPECTED_CHARACTER, `unexpected character '${ch}'`);
    }
  }

  private push(kind: TokenKind, value: string, start: number, end: number): void {
    this.tokens.push({ kind, value, text: this.text.slice(start, end), span: this.lines.span(start, end) });
  }

  private pushError(start: number, end: number, code: SqlErrorCode, message: string, help?: string): void {
    const token: Token = {
      kind: 'error',
      value: message,
      text: this.text.slice(start, end),
      span: this.lines.span(start, end),
      code,
      ...(help === undefined ? {} : { help }),
    };
    this.tokens.push(token);
  }
}
