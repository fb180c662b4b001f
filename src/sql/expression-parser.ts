/**
 * Expressions, by precedence climbing. From loosest to tightest:
 *
 *   OR < AND < NOT < comparison, IS, BETWEEN, IN, LIKE, SIMILAR TO < ||, +, - < *, /, % < unary ± < [] and .field
 *
 * Special syntax that means a plain function call is normalised here (see the header of ast.ts): EXTRACT,
 * SUBSTRING … FROM … FOR, TRIM, POSITION … IN, OVERLAY, TIMESTAMPADD/DIFF units, FLOOR/CEIL … TO unit, and
 * niladic CURRENT_TIMESTAMP & co.
 */
import type {
  BinaryOp,
  ColumnRef,
  Expr,
  FrameBound,
  FunctionCall,
  Identifier,
  IntervalLiteral,
  Literal,
  OrderItem,
  QualifiedName,
  Query,
  SymbolExpr,
  WindowFrame,
  WindowSpec,
} from './ast.js';
import { SqlErrorCode } from './sql-error-codes.js';
import { isReserved, isReservedFunctionName, NILADIC_FUNCTIONS, TIME_UNITS } from './keywords.js';
import type { Token } from './lexer.js';
import type { SourceSpan } from '../common/index.js';
import { TypeParser } from './type-parser.js';

/** Binding powers; a higher number binds tighter. */
export const Prec = {
  OR: 1,
  AND: 2,
  NOT: 3,
  COMPARISON: 4,
  ADDITIVE: 5,
  MULTIPLICATIVE: 6,
  UNARY: 7,
} as const;

const BINARY_OPERATORS: ReadonlyMap<string, { op: BinaryOp; prec: number }> = new Map([
  ['=', { op: '=', prec: Prec.COMPARISON }],
  ['<>', { op: '<>', prec: Prec.COMPARISON }],
  ['<', { op: '<', prec: Prec.COMPARISON }],
  ['<=', { op: '<=', prec: Prec.COMPARISON }],
  ['>', { op: '>', prec: Prec.COMPARISON }],
  ['>=', { op: '>=', prec: Prec.COMPARISON }],
  ['+', { op: '+', prec: Prec.ADDITIVE }],
  ['-', { op: '-', prec: Prec.ADDITIVE }],
  ['||', { op: '||', prec: Prec.ADDITIVE }],
  ['*', { op: '*', prec: Prec.MULTIPLICATIVE }],
  ['/', { op: '/', prec: Prec.MULTIPLICATIVE }],
  ['%', { op: '%', prec: Prec.MULTIPLICATIVE }],
]);

/** Predicates that may follow `NOT` in infix position: `x NOT IN (…)`, `x NOT LIKE 'a%'`. */
const NEGATABLE_PREDICATES = new Set(['BETWEEN', 'IN', 'LIKE', 'SIMILAR']);

/** Reserved words that can start an expression (besides function names followed by `(`). */
const EXPRESSION_KEYWORDS = new Set([
  'NOT', 'CASE', 'CAST', 'EXISTS', 'TRUE', 'FALSE', 'UNKNOWN', 'NULL', 'INTERVAL', 'DATE', 'TIME', 'TIMESTAMP',
  'ROW', 'ARRAY', 'MULTISET', 'EXTRACT', 'SUBSTRING', 'TRIM', 'POSITION', 'OVERLAY', 'FLOOR', 'CEIL', 'CEILING',
]);

export abstract class ExpressionParser extends TypeParser {
  /** Implemented by the query layer: expressions contain subqueries. */
  protected abstract parseQuery(): Query;

  /** True when a query (possibly parenthesised) starts `k` tokens ahead. */
  protected startsQuery(k = 0): boolean {
    let i = k;
    while (this.atOp('(', i)) i++;
    const t = this.peek(i);
    return t.kind === 'word' && (t.value === 'SELECT' || t.value === 'WITH' || t.value === 'VALUES');
  }

  /** Whether the token `k` ahead can begin an expression (used to word errors after a trailing comma). */
  protected canStartExpression(k = 0): boolean {
    const t = this.peek(k);
    switch (t.kind) {
      case 'number':
      case 'string':
      case 'binary':
      case 'quoted':
        return true;
      case 'op':
        return t.value === '(' || t.value === '-' || t.value === '+';
      case 'word':
        return (
          !isReserved(t.value) ||
          EXPRESSION_KEYWORDS.has(t.value) ||
          NILADIC_FUNCTIONS.has(t.value) ||
          (isReservedFunctionName(t.value) && this.atOp('(', k + 1))
        );
      default:
        return false;
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Precedence climbing

  /** Parses an expression whose operators all bind at least as tightly as `minPrec`. */
  protected parseExpr(minPrec: number = Prec.OR): Expr {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op') {
        const binary = BINARY_OPERATORS.get(t.value);
        if (binary !== undefined) {
          if (binary.prec < minPrec) break;
          this.next();
          const right = this.parseExpr(binary.prec + 1);
          left = { kind: 'Binary', op: binary.op, left, right, span: this.spanFrom(left.span) };
          continue;
        }
        if (t.value === '::') this.failDoubleColonCast(t);
        break;
      }
      if (t.kind !== 'word') break;
      if (t.value === 'OR' || t.value === 'AND') {
        const prec = t.value === 'OR' ? Prec.OR : Prec.AND;
        if (prec < minPrec) break;
        this.next();
        const right = this.parseExpr(prec + 1);
        left = { kind: 'Binary', op: t.value, left, right, span: this.spanFrom(left.span) };
        continue;
      }
      const isPredicate =
        t.value === 'IS' ||
        NEGATABLE_PREDICATES.has(t.value) ||
        (t.value === 'NOT' && this.peek(1).kind === 'word' && NEGATABLE_PREDICATES.has(this.peek(1).value));
      if (!isPredicate || Prec.COMPARISON < minPrec) break;
      left = this.parsePredicate(left);
    }
    return left;
  }

  private failDoubleColonCast(t: Token): never {
    throw this.errorAt(t.span, "'::' casts are not Flink SQL", {
      code: SqlErrorCode.FOREIGN_SYNTAX,
      help: 'write CAST(x AS type) instead of x::type',
    });
  }

  private parsePrefix(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.next();
      const operand = this.parseExpr(Prec.UNARY);
      return { kind: 'Unary', op: t.value as '-' | '+', operand, span: this.spanFrom(t) };
    }
    if (this.isKeyword(t, 'NOT')) {
      this.next();
      const operand = this.parseExpr(Prec.NOT);
      return { kind: 'Unary', op: 'NOT', operand, span: this.spanFrom(t) };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  /** `arr[1]`, `m['k']`, `f(x).field`, `arr[1].field`. */
  private parsePostfix(operand: Expr): Expr {
    let result = operand;
    for (;;) {
      if (this.atOp('[')) {
        const open = this.next();
        const index = this.parseExpr();
        this.expectClose(open, 'the subscript');
        result = { kind: 'Subscript', operand: result, index, span: this.spanFrom(result.span) };
      } else if (this.atOp('.') && !this.atOp('*', 1)) {
        this.next();
        const field = this.parseNamePart("a field name after '.'");
        result = { kind: 'FieldAccess', operand: result, field, span: this.spanFrom(result.span) };
      } else {
        return result;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Predicates: IS, BETWEEN, IN, LIKE, SIMILAR TO (each optionally negated)

  private parsePredicate(operand: Expr): Expr {
    if (this.acceptKeyword('IS')) return this.parseIsPredicate(operand);
    const negated = this.acceptKeyword('NOT') !== undefined;
    const keyword = this.next();
    switch (keyword.value) {
      case 'BETWEEN':
        return this.parseBetween(operand, negated);
      case 'IN':
        return this.parseIn(operand, negated);
      case 'LIKE':
        return this.parseLike(operand, negated, false);
      default:
        this.expectKeyword('TO', ' after SIMILAR');
        return this.parseLike(operand, negated, true);
    }
  }

  private parseIsPredicate(operand: Expr): Expr {
    const negated = this.acceptKeyword('NOT') !== undefined;
    const t = this.peek();
    if (this.acceptKeyword('NULL')) return { kind: 'IsNull', operand, negated, span: this.spanFrom(operand.span) };
    if (this.isKeyword(t, 'TRUE') || this.isKeyword(t, 'FALSE') || this.isKeyword(t, 'UNKNOWN')) {
      this.next();
      const value = t.value as 'TRUE' | 'FALSE' | 'UNKNOWN';
      return { kind: 'IsBool', operand, value, negated, span: this.spanFrom(operand.span) };
    }
    if (this.acceptKeyword('DISTINCT')) {
      this.expectKeyword('FROM', ' after IS DISTINCT');
      const right = this.parseExpr(Prec.ADDITIVE);
      return { kind: 'IsDistinctFrom', left: operand, right, negated, span: this.spanFrom(operand.span) };
    }
    return this.fail(`NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS${negated ? ' NOT' : ''}`, t);
  }

  private parseBetween(operand: Expr, negated: boolean): Expr {
    let symmetric = false;
    if (this.acceptKeyword('SYMMETRIC')) symmetric = true;
    else this.acceptKeyword('ASYMMETRIC');
    // Bounds bind tighter than AND, so `x BETWEEN a AND b AND c` is `(x BETWEEN a AND b) AND c`.
    const low = this.parseExpr(Prec.ADDITIVE);
    this.expectKeyword('AND', ' between the bounds of BETWEEN');
    const high = this.parseExpr(Prec.ADDITIVE);
    return { kind: 'Between', operand, low, high, negated, symmetric, span: this.spanFrom(operand.span) };
  }

  private parseIn(operand: Expr, negated: boolean): Expr {
    const open = this.expectOp('(', ' after IN');
    if (this.startsQuery()) {
      const query = this.parseQuery();
      this.expectClose(open, 'the IN subquery');
      return { kind: 'In', operand, query, negated, span: this.spanFrom(operand.span) };
    }
    const list = this.parseExprList('a value in the IN list');
    this.expectClose(open, 'the IN list');
    return { kind: 'In', operand, list, negated, span: this.spanFrom(operand.span) };
  }

  private parseLike(operand: Expr, negated: boolean, similar: boolean): Expr {
    const pattern = this.parseExpr(Prec.ADDITIVE);
    const escape = this.acceptKeyword('ESCAPE') ? this.parseExpr(Prec.ADDITIVE) : undefined;
    const span = this.spanFrom(operand.span);
    return escape === undefined
      ? { kind: 'Like', operand, pattern, negated, similar, span }
      : { kind: 'Like', operand, pattern, escape, negated, similar, span };
  }

  /** A non-empty comma-separated expression list (without the parentheses). */
  protected parseExprList(what: string): Expr[] {
    const items: Expr[] = [];
    do {
      if (!this.canStartExpression()) this.fail(items.length === 0 ? what : `${what} after ','`);
      items.push(this.parseExpr());
    } while (this.acceptOp(','));
    return items;
  }

  // ------------------------------------------------------------------------------------------------------
  // Primary expressions

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return this.literal('number', t.value, t.span);
      case 'string': {
        const s = this.parseStringLiteral('a string');
        return this.literal('string', s.value, s.span);
      }
      case 'binary':
        this.next();
        return this.literal('binary', t.value, t.span);
      case 'quoted':
        return this.parseNameExpression();
      case 'word':
        return this.parseWordPrimary(t);
      case 'op':
        if (t.value === '(') return this.parseParenthesized();
        if (t.value === '?') {
          throw this.errorAt(t.span, 'dynamic parameters (?) are not supported', { code: SqlErrorCode.UNSUPPORTED });
        }
        return this.fail('an expression', t);
      default:
        return this.fail('an expression', t);
    }
  }

  protected literal(literalType: Literal['literalType'], value: string, span: SourceSpan): Literal {
    return { kind: 'Literal', literalType, value, span };
  }

  private parseWordPrimary(t: Token): Expr {
    const nextIsParen = this.atOp('(', 1);
    switch (t.value) {
      case 'TRUE':
      case 'FALSE':
        this.next();
        return this.literal('boolean', t.value, t.span);
      case 'UNKNOWN':
        this.next();
        return this.literal('unknown', 'UNKNOWN', t.span);
      case 'NULL':
        this.next();
        return this.literal('null', 'NULL', t.span);
      case 'DATE':
      case 'TIME':
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ':
        if (this.peek(1).kind === 'string' || this.atKeywords(t.value, 'WITH', 'LOCAL', 'TIME', 'ZONE')) {
          return this.parseTypedLiteral(t);
        }
        break;
      case 'INTERVAL':
        return this.parseIntervalLiteral();
      case 'CASE':
        return this.parseCase();
      case 'CAST':
        return this.parseCast(false);
      case 'TRY_CAST':
        if (nextIsParen) return this.parseCast(true);
        break;
      case 'EXISTS': {
        this.next();
        const open = this.expectOp('(', ' after EXISTS');
        const query = this.parseQuery();
        this.expectClose(open, 'the EXISTS subquery');
        return { kind: 'Exists', query, span: this.spanFrom(t) };
      }
      case 'ROW':
        if (nextIsParen) return this.parseConstructor('ROW', '(');
        break;
      case 'ARRAY':
        if (this.atOp('[', 1)) return this.parseConstructor('ARRAY', '[');
        break;
      case 'MAP':
        if (this.atOp('[', 1)) return this.parseConstructor('MAP', '[');
        break;
      default:
        break;
    }
    if (nextIsParen) {
      const special = this.parseSpecialForm(t);
      if (special !== undefined) return special;
    } else if (NILADIC_FUNCTIONS.has(t.value)) {
      this.next();
      return this.functionCall(this.nameOf(t), [], t);
    }
    if (isReserved(t.value) && !(nextIsParen && isReservedFunctionName(t.value))) {
      return this.fail('an expression', t, {
        help: `${t.value} is a reserved word; if you meant a column, back-quote it: \`${t.text}\``,
      });
    }
    return this.parseNameExpression();
  }

  /** A column path `a.b.c` or a function call `db.f(x)`. */
  private parseNameExpression(): Expr {
    const first = this.next();
    const parts: Identifier[] = [this.identifierFrom(first)];
    while (this.atOp('.') && (this.peek(1).kind === 'word' || this.peek(1).kind === 'quoted')) {
      this.next();
      parts.push(this.parseNamePart("a name after '.'"));
    }
    if (this.atOp('(')) {
      const name: QualifiedName = { kind: 'QualifiedName', parts, span: this.spanFrom(first) };
      return this.parseFunctionCall(name, first);
    }
    const ref: ColumnRef = { kind: 'ColumnRef', parts, span: this.spanFrom(first) };
    return ref;
  }

  private nameOf(t: Token): QualifiedName {
    return { kind: 'QualifiedName', parts: [this.identifierFrom(t)], span: t.span };
  }

  protected functionCall(name: QualifiedName, args: Expr[], start: Token): FunctionCall {
    return { kind: 'FunctionCall', name, args, distinct: false, star: false, span: this.spanFrom(start) };
  }

  private symbol(value: string, span: SourceSpan): SymbolExpr {
    return { kind: 'Symbol', value, span };
  }

  /** `(expr)`, `(a, b)` (a row), or `(SELECT …)` (a scalar subquery). */
  private parseParenthesized(): Expr {
    const open = this.next();
    if (this.startsQuery()) {
      const query = this.parseQuery();
      this.expectClose(open, 'the subquery');
      return { kind: 'ScalarSubquery', query, span: this.spanFrom(open) };
    }
    const items = this.parseExprList('an expression');
    this.expectClose(open, 'the parenthesised expression');
    if (items.length === 1) return items[0] as Expr;
    return { kind: 'Constructor', type: 'ROW', args: items, span: this.spanFrom(open) };
  }

  /** `ROW(a, b)`, `ARRAY[a, b]`, `MAP[k1, v1, k2, v2]`. */
  private parseConstructor(type: 'ROW' | 'ARRAY' | 'MAP', openOp: '(' | '['): Expr {
    const start = this.next();
    const open = this.expectOp(openOp);
    const closeOp = openOp === '(' ? ')' : ']';
    const args = this.atOp(closeOp) ? [] : this.parseExprList(`an element of ${type}`);
    this.expectClose(open, `the elements of ${type}`);
    return { kind: 'Constructor', type, args, span: this.spanFrom(start) };
  }

  /** `DATE '2024-01-01'`, `TIMESTAMP '…'`, `TIMESTAMP WITH LOCAL TIME ZONE '…'`, `TIMESTAMP_LTZ '…'`. */
  private parseTypedLiteral(start: Token): Literal {
    this.next();
    let literalType: Literal['literalType'];
    if (start.value === 'DATE') literalType = 'date';
    else if (start.value === 'TIME') literalType = 'time';
    else if (start.value === 'TIMESTAMP_LTZ' || this.acceptKeywords('WITH', 'LOCAL', 'TIME', 'ZONE')) literalType = 'timestamp_ltz';
    else literalType = 'timestamp';
    const value = this.parseStringLiteral(`a quoted value after ${start.value}, such as '2024-01-01'`).value;
    return this.literal(literalType, value, this.spanFrom(start));
  }

  /** `INTERVAL '10' SECOND`, `INTERVAL -'5' MINUTE(3)`, `INTERVAL '1 02:03' DAY TO MINUTE`, `INTERVAL '10' SECONDS`. */
  protected parseIntervalLiteral(): IntervalLiteral {
    const start = this.next();
    let sign: 1 | -1 = 1;
    if (this.acceptOp('-')) sign = -1;
    else this.acceptOp('+');
    const valueToken = this.peek();
    if (valueToken.kind !== 'string') {
      const example = valueToken.kind === 'number' ? `'${valueToken.text}'` : "'10'";
      return this.fail("a quoted interval value after INTERVAL", valueToken, {
        help: `write the amount as a string, e.g. INTERVAL ${example} SECOND`,
      });
    }
    const value = this.parseStringLiteral('a quoted interval value').value;
    const from = this.parseIntervalUnit(`a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND) after INTERVAL '${value}'`);
    const precision = this.parseOptionalPrecision();
    let to: string | undefined;
    let toPrecision: number | undefined;
    if (this.acceptKeyword('TO')) {
      to = this.parseIntervalUnit(`a time unit after ${from} TO`);
      toPrecision = this.parseOptionalPrecision();
    }
    return {
      kind: 'IntervalLiteral',
      value,
      sign,
      from,
      ...(to === undefined ? {} : { to }),
      ...(precision === undefined ? {} : { precision }),
      ...(toPrecision === undefined ? {} : { toPrecision }),
      span: this.spanFrom(start),
    };
  }

  private parseCase(): Expr {
    const start = this.next();
    const operand = this.atKeyword('WHEN') ? undefined : this.parseExpr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptKeyword('WHEN')) {
      const when = this.parseExpr();
      this.expectKeyword('THEN', ' after the WHEN condition');
      whens.push({ when, then: this.parseExpr() });
    }
    if (whens.length === 0) this.fail('WHEN after CASE');
    const elseExpr = this.acceptKeyword('ELSE') ? this.parseExpr() : undefined;
    if (!this.acceptKeyword('END')) {
      this.fail(`${elseExpr === undefined ? 'WHEN, ELSE or ' : ''}END to close CASE opened at ${start.span.start.line}:${start.span.start.col}`);
    }
    return {
      kind: 'Case',
      ...(operand === undefined ? {} : { operand }),
      whens,
      ...(elseExpr === undefined ? {} : { else: elseExpr }),
      span: this.spanFrom(start),
    };
  }

  private parseCast(isTry: boolean): Expr {
    const start = this.next();
    const open = this.expectOp('(', ` after ${start.value}`);
    const operand = this.parseExpr();
    this.expectKeyword('AS', ` in ${start.value}(value AS type)`);
    const type = this.parseDataType();
    this.expectClose(open, start.value);
    return { kind: 'Cast', operand, type, try: isTry, span: this.spanFrom(start) };
  }

  // ------------------------------------------------------------------------------------------------------
  // Function calls

  /** `f(args)`, `COUNT(*)`, `COUNT(DISTINCT x)`, then `IGNORE NULLS`, `FILTER (WHERE …)`, `OVER …`. */
  private parseFunctionCall(name: QualifiedName, start: Token): FunctionCall {
    const open = this.expectOp('(');
    const displayName = name.parts.map((p) => p.value).join('.');
    const what = `the argument list of ${displayName}`;
    let star = false;
    let distinct = false;
    let args: Expr[] = [];
    if (this.atOp('*') && this.atOp(')', 1)) {
      this.next();
      star = true;
    } else {
      if (this.acceptKeyword('DISTINCT')) distinct = true;
      else this.acceptKeyword('ALL');
      if (!this.atOp(')')) args = this.parseCallArguments(displayName);
    }
    this.expectClose(open, what);
    let nullTreatment: 'IGNORE' | 'RESPECT' | undefined;
    if (this.atKeywords('IGNORE', 'NULLS') || this.atKeywords('RESPECT', 'NULLS')) {
      nullTreatment = this.next().value as 'IGNORE' | 'RESPECT';
      this.next();
    }
    const filter = this.atKeyword('FILTER') ? this.parseFilterClause() : undefined;
    const over = this.atKeyword('OVER') ? this.parseOver() : undefined;
    return {
      kind: 'FunctionCall',
      name,
      args,
      distinct,
      star,
      ...(filter === undefined ? {} : { filter }),
      ...(over === undefined ? {} : { over }),
      ...(nullTreatment === undefined ? {} : { nullTreatment }),
      span: this.spanFrom(start),
    };
  }

  private parseCallArguments(displayName: string): Expr[] {
    const args: Expr[] = [];
    do {
      if (!this.canStartExpression()) {
        this.fail(args.length === 0 ? `an argument of ${displayName}` : `an argument of ${displayName} after ','`);
      }
      if (this.atOp('=>', 1)) {
        throw this.errorAt(this.peek().span, `named arguments are supported only in table function calls, not in ${displayName}(…)`, {
          code: SqlErrorCode.UNSUPPORTED,
        });
      }
      args.push(this.parseExpr());
    } while (this.acceptOp(','));
    return args;
  }

  private parseFilterClause(): Expr {
    this.next();
    const open = this.expectOp('(', ' after FILTER');
    this.expectKeyword('WHERE', ' in FILTER (WHERE …)');
    const condition = this.parseExpr();
    this.expectClose(open, 'the FILTER clause');
    return condition;
  }

  /** `OVER w` or `OVER (…)`. */
  private parseOver(): WindowSpec {
    const start = this.next();
    if (this.atOp('(')) return this.parseWindowSpecBody();
    const name = this.parseIdentifier("a window name or '(' after OVER");
    return { kind: 'WindowSpec', name, partitionBy: [], orderBy: [], span: this.spanFrom(start) };
  }

  /** `([w] [PARTITION BY …] [ORDER BY …] [ROWS|RANGE …])`. */
  protected parseWindowSpecBody(): WindowSpec {
    const open = this.expectOp('(');
    const name = this.isIdentifierToken(this.peek()) ? this.parseIdentifier('a window name') : undefined;
    let partitionBy: Expr[] = [];
    if (this.acceptKeyword('PARTITION')) {
      this.expectKeyword('BY', ' after PARTITION');
      partitionBy = this.parseExprList('a partition expression');
    }
    const orderBy = this.acceptKeyword('ORDER') ? (this.expectKeyword('BY', ' after ORDER'), this.parseOrderItems()) : [];
    const frame = this.atKeyword('ROWS', 'RANGE') ? this.parseWindowFrame() : undefined;
    this.expectClose(open, 'the window specification');
    return {
      kind: 'WindowSpec',
      ...(name === undefined ? {} : { name }),
      partitionBy,
      orderBy,
      ...(frame === undefined ? {} : { frame }),
      span: this.spanFrom(open),
    };
  }

  private parseWindowFrame(): WindowFrame {
    const unit = this.next().value as 'ROWS' | 'RANGE';
    if (!this.acceptKeyword('BETWEEN')) return { unit, start: this.parseFrameBound() };
    const start = this.parseFrameBound();
    this.expectKeyword('AND', ' between the frame bounds');
    return { unit, start, end: this.parseFrameBound() };
  }

  private parseFrameBound(): FrameBound {
    if (this.acceptKeywords('UNBOUNDED', 'PRECEDING')) return { kind: 'UnboundedPreceding' };
    if (this.acceptKeywords('UNBOUNDED', 'FOLLOWING')) return { kind: 'UnboundedFollowing' };
    if (this.acceptKeywords('CURRENT', 'ROW')) return { kind: 'CurrentRow' };
    if (!this.canStartExpression()) {
      return this.fail('a frame bound (UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING, UNBOUNDED FOLLOWING)');
    }
    const offset = this.parseExpr(Prec.ADDITIVE);
    if (this.acceptKeyword('PRECEDING')) return { kind: 'Preceding', offset };
    if (this.acceptKeyword('FOLLOWING')) return { kind: 'Following', offset };
    return this.fail('PRECEDING or FOLLOWING after the frame offset');
  }

  /** `a [ASC|DESC] [NULLS FIRST|LAST], …`. */
  protected parseOrderItems(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const start = this.peek();
      if (!this.canStartExpression()) this.fail(items.length === 0 ? 'an expression to order by' : "an expression to order by after ','");
      const expr = this.parseExpr();
      let descending = false;
      if (this.acceptKeyword('DESC')) descending = true;
      else this.acceptKeyword('ASC');
      let nullsFirst: boolean | undefined;
      if (this.acceptKeywords('NULLS', 'FIRST')) nullsFirst = true;
      else if (this.acceptKeywords('NULLS', 'LAST')) nullsFirst = false;
      items.push({ expr, descending, ...(nullsFirst === undefined ? {} : { nullsFirst }), span: this.spanFrom(start) });
    } while (this.acceptOp(','));
    return items;
  }

  // ------------------------------------------------------------------------------------------------------
  // Special-syntax functions, normalised to plain calls

  /** Functions with their own argument syntax; undefined for ordinary calls. */
  private parseSpecialForm(nameToken: Token): Expr | undefined {
    switch (nameToken.value) {
      case 'EXTRACT':
        return this.parseExtract(nameToken);
      case 'SUBSTRING':
        return this.parseSubstring(nameToken);
      case 'TRIM':
        return this.parseTrim(nameToken);
      case 'POSITION':
        return this.parsePosition(nameToken);
      case 'OVERLAY':
        return this.parseOverlay(nameToken);
      case 'TIMESTAMPADD':
      case 'TIMESTAMPDIFF':
        return this.parseTimestampArith(nameToken);
      case 'FLOOR':
      case 'CEIL':
      case 'CEILING':
        return this.parseFloorCeil(nameToken);
      default:
        return undefined;
    }
  }

  /** Opens `NAME(`, returning the `(` token for error messages. */
  private openSpecial(nameToken: Token): Token {
    this.next();
    return this.expectOp('(');
  }

  private finishSpecial(nameToken: Token, open: Token, args: Expr[]): FunctionCall {
    this.expectClose(open, `the argument list of ${nameToken.text}`);
    return this.functionCall(this.nameOf(nameToken), args, nameToken);
  }

  protected parseTimeUnitSymbol(what: string): SymbolExpr {
    const t = this.peek();
    const unit = t.kind === 'word' ? TIME_UNITS.get(t.value) : undefined;
    if (unit === undefined) return this.fail(what, t);
    this.next();
    return this.symbol(unit, t.span);
  }

  /** `EXTRACT(unit FROM t)` → `EXTRACT(Symbol(unit), t)`. */
  private parseExtract(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    const unit = this.parseTimeUnitSymbol('a time unit (YEAR, MONTH, DAY, HOUR, …) in EXTRACT');
    this.expectKeyword('FROM', ` after EXTRACT(${unit.value}`);
    return this.finishSpecial(nameToken, open, [unit, this.parseExpr()]);
  }

  /** `SUBSTRING(s FROM a [FOR b])` or `SUBSTRING(s, a [, b])` → `SUBSTRING(s, a[, b])`. */
  private parseSubstring(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    const args = [this.parseExpr()];
    if (this.acceptKeyword('FROM')) {
      args.push(this.parseExpr());
      if (this.acceptKeyword('FOR')) args.push(this.parseExpr());
    } else {
      while (this.acceptOp(',')) args.push(this.parseExpr());
    }
    return this.finishSpecial(nameToken, open, args);
  }

  /**
   * `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` and `TRIM(s)` → always three arguments,
   * `TRIM(Symbol(mode), chars, s)`, with the defaults `BOTH` and `' '` filled in.
   */
  private parseTrim(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    const modeToken = this.atKeyword('BOTH', 'LEADING', 'TRAILING') ? this.next() : undefined;
    const mode = this.symbol(modeToken?.value ?? 'BOTH', modeToken?.span ?? nameToken.span);
    const defaultChars = this.literal('string', ' ', nameToken.span);
    if (modeToken !== undefined && this.acceptKeyword('FROM')) {
      return this.finishSpecial(nameToken, open, [mode, defaultChars, this.parseExpr()]);
    }
    const first = this.parseExpr();
    if (this.acceptKeyword('FROM')) return this.finishSpecial(nameToken, open, [mode, first, this.parseExpr()]);
    if (modeToken !== undefined) this.fail(`FROM after TRIM(${modeToken.value} …`);
    return this.finishSpecial(nameToken, open, [mode, defaultChars, first]);
  }

  /** `POSITION(a IN b [FROM start])` → `POSITION(a, b[, start])`. */
  private parsePosition(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    // The needle binds tighter than IN so that `a IN b` is not read as an IN predicate.
    const needle = this.parseExpr(Prec.ADDITIVE);
    if (this.acceptOp(',')) return this.finishSpecial(nameToken, open, [needle, ...this.parseExprList('an argument of POSITION')]);
    this.expectKeyword('IN', ' in POSITION(substring IN string)');
    const args = [needle, this.parseExpr()];
    if (this.acceptKeyword('FROM')) args.push(this.parseExpr());
    return this.finishSpecial(nameToken, open, args);
  }

  /** `OVERLAY(s PLACING r FROM a [FOR n])` → `OVERLAY(s, r, a[, n])`. */
  private parseOverlay(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    const args = [this.parseExpr()];
    this.expectKeyword('PLACING', ' in OVERLAY(string PLACING replacement FROM start)');
    args.push(this.parseExpr());
    this.expectKeyword('FROM', ' in OVERLAY(string PLACING replacement FROM start)');
    args.push(this.parseExpr());
    if (this.acceptKeyword('FOR')) args.push(this.parseExpr());
    return this.finishSpecial(nameToken, open, args);
  }

  /** `TIMESTAMPADD(unit, n, t)` / `TIMESTAMPDIFF(unit, t1, t2)`: the unit becomes a Symbol argument. */
  private parseTimestampArith(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    const unit = this.parseTimeUnitSymbol(`a time unit (SECOND, MINUTE, HOUR, DAY, …) as the first argument of ${nameToken.text}`);
    this.expectOp(',', ` after the unit of ${nameToken.text}`);
    return this.finishSpecial(nameToken, open, [unit, ...this.parseExprList(`an argument of ${nameToken.text}`)]);
  }

  /** `FLOOR(x)`, `FLOOR(t TO unit)` → `FLOOR(t, Symbol(unit))`; the same for CEIL/CEILING. */
  private parseFloorCeil(nameToken: Token): Expr {
    const open = this.openSpecial(nameToken);
    const args = [this.parseExpr()];
    if (this.acceptKeyword('TO')) args.push(this.parseTimeUnitSymbol(`a time unit after ${nameToken.text}(… TO`));
    return this.finishSpecial(nameToken, open, args);
  }
}
