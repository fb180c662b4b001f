/**
 * `MATCH_RECOGNIZE (…)` after a FROM item (Flink's row pattern recognition, parsed as Calcite does):
 *
 *   [PARTITION BY e, …] [ORDER BY o, …] [MEASURES e AS n, …] [ONE ROW PER MATCH | ALL ROWS PER MATCH]
 *   [AFTER MATCH SKIP (PAST LAST ROW | TO NEXT ROW | TO [FIRST | LAST] v)] PATTERN (p) [WITHIN interval]
 *   [SUBSET s = (v, …), …] DEFINE v AS cond, …
 *
 * The pattern grammar: `alt := concat ('|' concat)*`, `concat := factor+`, `factor := primary quantifier?`,
 * `primary := name | '(' alt ')'`, `quantifier := ('*' | '+' | '?' | '{' n? [',' m?] '}') '?'?`.
 * What the engine executes is the binder's concern; here every clause is kept with its span.
 */
import type { AfterMatchSkip, DefineItem, Expr, MatchRecognizeRef, MeasureItem, OrderItem, PatternTerm, TableRef } from './ast.js';
import { ExpressionParser } from './expression-parser.js';
import type { Token } from './lexer.js';

export abstract class MatchRecognizeParser extends ExpressionParser {
  protected abstract parseMatchRecognizeAlias(): { alias?: MatchRecognizeRef['alias']; columnAliases?: MatchRecognizeRef['columnAliases'] };

  /** `input MATCH_RECOGNIZE (…) [alias]` when the next token is MATCH_RECOGNIZE; else `input` unchanged. */
  protected parseOptionalMatchRecognize(input: TableRef): TableRef {
    const start = this.peek();
    if (!this.isKeyword(start, 'MATCH_RECOGNIZE')) return input;
    this.next();
    const open = this.expectOp('(', ' after MATCH_RECOGNIZE');
    let partitionBy: Expr[] = [];
    if (this.acceptKeyword('PARTITION')) {
      this.expectKeyword('BY', ' after PARTITION');
      partitionBy = this.parseExprList('a partition column');
    }
    let orderBy: OrderItem[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY', ' after ORDER');
      orderBy = this.parseOrderItems();
    }
    const measures = this.acceptKeyword('MEASURES') ? this.parseMeasures() : [];
    let rowsPerMatch: 'ONE' | 'ALL' = 'ONE';
    let rowsPerMatchSpan;
    const rpm = this.peek();
    if (this.acceptKeyword('ONE')) {
      this.expectKeyword('ROW', ' in ONE ROW PER MATCH');
      this.expectKeyword('PER', ' in ONE ROW PER MATCH');
      this.expectKeyword('MATCH', ' in ONE ROW PER MATCH');
      rowsPerMatchSpan = this.spanFrom(rpm);
    } else if (this.acceptKeyword('ALL')) {
      this.expectKeyword('ROWS', ' in ALL ROWS PER MATCH');
      this.expectKeyword('PER', ' in ALL ROWS PER MATCH');
      this.expectKeyword('MATCH', ' in ALL ROWS PER MATCH');
      rowsPerMatch = 'ALL';
      rowsPerMatchSpan = this.spanFrom(rpm);
    }
    const afterMatch = this.atKeyword('AFTER') ? this.parseAfterMatch() : undefined;
    this.expectKeyword('PATTERN', ' (MATCH_RECOGNIZE needs PATTERN (…) and DEFINE)');
    const patternOpen = this.expectOp('(', ' after PATTERN');
    const pattern = this.parsePatternAlternation();
    this.expectClose(patternOpen, 'the PATTERN');
    const within = this.acceptKeyword('WITHIN') ? this.parseExpr() : undefined;
    const subsets: { name: MatchRecognizeRef['subsets'][number]['name']; variables: MatchRecognizeRef['subsets'][number]['variables']; span: MatchRecognizeRef['span'] }[] = [];
    if (this.acceptKeyword('SUBSET')) {
      do {
        const s = this.peek();
        const name = this.parseIdentifier('a subset name');
        this.expectOp('=', ` after SUBSET ${name.value}`);
        const variables = this.parseIdentifierList('a pattern variable', `SUBSET ${name.value}`);
        subsets.push({ name, variables, span: this.spanFrom(s) });
      } while (this.acceptOp(','));
    }
    this.expectKeyword('DEFINE', ' after the PATTERN (MATCH_RECOGNIZE needs a DEFINE clause)');
    const define = this.parseDefine();
    this.expectClose(open, 'MATCH_RECOGNIZE');
    const alias = this.parseMatchRecognizeAlias();
    return {
      kind: 'MatchRecognize',
      input,
      partitionBy,
      orderBy,
      measures,
      rowsPerMatch,
      ...(rowsPerMatchSpan === undefined ? {} : { rowsPerMatchSpan }),
      ...(afterMatch === undefined ? {} : { afterMatch }),
      pattern,
      ...(within === undefined ? {} : { within }),
      subsets,
      define,
      ...alias,
      span: this.spanFrom(input.span),
    };
  }

  private parseMeasures(): MeasureItem[] {
    const items: MeasureItem[] = [];
    do {
      const start = this.peek();
      if (!this.canStartExpression()) this.fail(items.length === 0 ? 'a measure expression after MEASURES' : "a measure expression after ','");
      const expr = this.parseExpr();
      this.expectKeyword('AS', ' after the measure expression (every measure needs a name)');
      const alias = this.parseIdentifier('a measure name after AS');
      items.push({ expr, alias, span: this.spanFrom(start) });
    } while (this.acceptOp(','));
    return items;
  }

  private parseAfterMatch(): AfterMatchSkip {
    const start = this.next();
    this.expectKeyword('MATCH', ' after AFTER');
    this.expectKeyword('SKIP', ' after AFTER MATCH');
    if (this.acceptKeyword('PAST')) {
      this.expectKeyword('LAST', ' in SKIP PAST LAST ROW');
      this.expectKeyword('ROW', ' in SKIP PAST LAST ROW');
      return { kind: 'PastLastRow', span: this.spanFrom(start) };
    }
    this.expectKeyword('TO', ' after SKIP (PAST LAST ROW, TO NEXT ROW, TO FIRST v or TO LAST v)');
    if (this.acceptKeyword('NEXT')) {
      this.expectKeyword('ROW', ' in SKIP TO NEXT ROW');
      return { kind: 'ToNextRow', span: this.spanFrom(start) };
    }
    const kind = this.acceptKeyword('FIRST') ? 'ToFirst' : (this.acceptKeyword('LAST'), 'ToLast');
    const variable = this.parseIdentifier('a pattern variable after SKIP TO');
    return { kind, variable, span: this.spanFrom(start) };
  }

  private parsePatternAlternation(): PatternTerm {
    const start = this.peek();
    const first = this.parsePatternConcat();
    if (!this.atOp('|')) return first;
    const alternatives = [first];
    while (this.acceptOp('|')) alternatives.push(this.parsePatternConcat());
    return { kind: 'PatternAlternation', alternatives, span: this.spanFrom(start) };
  }

  private parsePatternConcat(): PatternTerm {
    const start = this.peek();
    const terms: PatternTerm[] = [];
    while (this.atOp('(') || this.isIdentifierToken(this.peek())) terms.push(this.parsePatternFactor());
    if (terms.length === 0) return this.fail('a pattern variable or (');
    return terms.length === 1 ? terms[0]! : { kind: 'PatternConcat', terms, span: this.spanFrom(start) };
  }

  private parsePatternFactor(): PatternTerm {
    const start = this.peek();
    let term: PatternTerm;
    if (this.atOp('(')) {
      const open = this.next();
      term = this.parsePatternAlternation();
      this.expectClose(open, 'the pattern group');
    } else {
      const name = this.parseIdentifier('a pattern variable');
      term = { kind: 'PatternVariable', name, span: name.span };
    }
    const q = this.parseQuantifier(start);
    if (q === undefined) return term;
    return { kind: 'PatternQuantified', term, ...q, span: this.spanFrom(start) };
  }

  private parseQuantifier(start: Token): { min: number; max: number | null; reluctant: boolean } | undefined {
    let min: number;
    let max: number | null;
    if (this.acceptOp('*')) [min, max] = [0, null];
    else if (this.acceptOp('+')) [min, max] = [1, null];
    else if (this.acceptOp('?')) [min, max] = [0, 1];
    else if (this.atOp('{')) {
      const open = this.next();
      min = this.peek().kind === 'number' ? this.parseIntegerLiteral('a repetition count') : 0;
      if (this.acceptOp(',')) max = this.peek().kind === 'number' ? this.parseIntegerLiteral('a maximum repetition count') : null;
      else max = min;
      this.expectOp('}', ` to close the quantifier opened at ${open.span.start.line}:${open.span.start.col}`);
      if (max !== null && max < min) {
        throw this.errorAt(this.spanFrom(start), `the quantifier's maximum ${max} is below its minimum ${min}`);
      }
    } else return undefined;
    const reluctant = this.acceptOp('?') !== undefined;
    return { min, max, reluctant };
  }

  private parseDefine(): DefineItem[] {
    const items: DefineItem[] = [];
    do {
      const start = this.peek();
      const variable = this.parseIdentifier(items.length === 0 ? 'a pattern variable after DEFINE' : "a pattern variable after ','");
      this.expectKeyword('AS', ` after DEFINE ${variable.value}`);
      const condition = this.parseExpr();
      items.push({ variable, condition, span: this.spanFrom(start) });
    } while (this.acceptOp(','));
    return items;
  }
}
