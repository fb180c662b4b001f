/**
 * Hint bodies: the text inside `/*+ … *\/`, e.g. `OPTIONS('k' = 'v')`, `BROADCAST(t1, t2)`,
 * `STATE_TTL('a' = '1d'), LOOKUP('table' = 'c')`.
 *
 * The lexer keeps a hint as one token so that hints can be told apart from comments; here the body is
 * tokenised in place (spans stay relative to the whole script) and parsed with the ordinary cursor helpers.
 */
import type { Hint } from './ast.js';
import { tokenizeRange, type Token } from './lexer.js';
import type { LineIndex } from './line-index.js';
import { TokenCursor } from './token-cursor.js';

/** Parses the hint token `hint` (kind `hint`) into one or more hints. */
export function parseHintToken(text: string, lines: LineIndex, hint: Token): Hint[] {
  const bodyStart = hint.span.start.offset + 3; // after `/*+`
  const bodyEnd = hint.span.end.offset - 2; // before `*/`
  return new HintParser(text, lines, tokenizeRange(text, lines, bodyStart, bodyEnd)).parseHints();
}

type HintOption = { readonly key: string; readonly value: string };

class HintParser extends TokenCursor {
  parseHints(): Hint[] {
    const hints: Hint[] = [];
    do {
      hints.push(this.parseHint());
    } while (this.acceptOp(','));
    if (this.peek().kind !== 'eof') this.fail("',' or the end of the hint", this.peek());
    return hints;
  }

  private parseHint(): Hint {
    const start = this.peek();
    const name = this.parseIdentifier('a hint name such as OPTIONS, LOOKUP or BROADCAST');
    const options: HintOption[] = [];
    const args: string[] = [];
    if (this.atOp('(')) {
      const open = this.next();
      if (!this.atOp(')')) {
        if (this.atOp('=', 1)) this.parseHintOptions(options);
        else this.parseHintArgs(args);
      }
      this.expectClose(open, `the arguments of hint ${name.value}`);
    }
    return { name, options, args, span: this.spanFrom(start) };
  }

  /** `'k' = 'v', k2 = 'v2'`: keys may be quoted or bare; values are literals kept as text. */
  private parseHintOptions(into: HintOption[]): void {
    do {
      const keyToken = this.peek();
      let key: string;
      if (keyToken.kind === 'string') key = this.parseStringLiteral('an option key').value;
      else key = this.parseQualifiedName('an option key').parts.map((p) => p.value).join('.');
      this.expectOp('=', ` after hint option key '${key}'`);
      into.push({ key, value: this.parseHintValue(`a value for hint option '${key}'`) });
    } while (this.acceptOp(','));
  }

  /** `t1, db.t2, 'x'`: plain arguments as text. */
  private parseHintArgs(into: string[]): void {
    do {
      const t = this.peek();
      if (t.kind === 'word' || t.kind === 'quoted') {
        into.push(this.parseQualifiedName('a hint argument').parts.map((p) => p.value).join('.'));
      } else {
        into.push(this.parseHintValue('a hint argument (a name or a literal)'));
      }
    } while (this.acceptOp(','));
  }

  private parseHintValue(what: string): string {
    const t = this.peek();
    if (t.kind === 'string') return this.parseStringLiteral(what).value;
    if (t.kind === 'number' || t.kind === 'word') {
      this.next();
      return t.text;
    }
    return this.fail(what, t);
  }
}
