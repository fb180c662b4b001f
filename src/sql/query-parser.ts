/**
 * Queries: WITH, SELECT, VALUES, set operations (INTERSECT binds tighter than UNION and EXCEPT), the FROM
 * clause with joins, subqueries, window table functions, LATERAL TABLE, UNNEST and temporal joins, and the
 * ORDER BY / LIMIT / OFFSET / FETCH tail.
 */
import type {
  Expr,
  GroupingElement,
  Hint,
  Identifier,
  OrderItem,
  Query,
  QueryTail,
  Select,
  SelectItem,
  TableAlias,
  TableFunctionArg,
  TableRef,
  Values,
  WindowSpec,
} from './ast.js';
import { Prec } from './expression-parser.js';
import { MatchRecognizeParser } from './match-recognize-parser.js';
import { parseHintToken } from './hint-parser.js';
import type { Token } from './lexer.js';
import { reservedWordHelp } from './token-cursor.js';

/** Tokens that may follow a select list; anything else there is a missing comma or a typo. */
const SELECT_LIST_FOLLOWERS = new Set([
  'FROM', 'WHERE', 'GROUP', 'HAVING', 'WINDOW', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'UNION',
  'INTERSECT', 'EXCEPT', 'END',
]);

type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';

export class QueryParser extends MatchRecognizeParser {
  // ------------------------------------------------------------------------------------------------------
  // Query structure

  /** A full query: `[WITH …] set-expression [ORDER BY …] [LIMIT …]`. */
  protected parseQuery(): Query {
    if (this.atKeyword('WITH')) return this.parseWith();
    return this.parseQueryTail(this.parseSetExpression());
  }

  private parseWith(): Query {
    const start = this.next();
    this.acceptKeyword('RECURSIVE');
    const ctes: { name: Identifier; columns?: Identifier[]; query: Query }[] = [];
    do {
      const name = this.parseIdentifier(ctes.length === 0 ? 'a name for the WITH query' : "a WITH query name after ','");
      const columns = this.atOp('(') ? this.parseIdentifierList('a column name', 'the column list') : undefined;
      this.expectKeyword('AS', ` after WITH ${name.value}`);
      const open = this.expectOp('(', ` after ${name.value} AS`);
      const query = this.parseQuery();
      this.expectClose(open, `the WITH query ${name.value}`);
      ctes.push(columns === undefined ? { name, query } : { name, columns, query });
    } while (this.acceptOp(','));
    const body = this.parseQuery();
    return { kind: 'With', ctes, body, orderBy: [], span: this.spanFrom(start) };
  }

  /** UNION and EXCEPT, left-associative, over INTERSECT terms. */
  private parseSetExpression(): Query {
    let left = this.parseIntersectTerm();
    while (this.atKeyword('UNION', 'EXCEPT')) {
      const op = this.next().value as 'UNION' | 'EXCEPT';
      const all = this.parseSetQuantifier();
      const right = this.parseIntersectTerm();
      left = { kind: 'SetOperation', op, all, left, right, orderBy: [], span: this.spanFrom(left.span) };
    }
    return left;
  }

  private parseIntersectTerm(): Query {
    let left = this.parseQueryPrimary();
    while (this.atKeyword('INTERSECT')) {
      this.next();
      const all = this.parseSetQuantifier();
      const right = this.parseQueryPrimary();
      left = { kind: 'SetOperation', op: 'INTERSECT', all, left, right, orderBy: [], span: this.spanFrom(left.span) };
    }
    return left;
  }

  private parseSetQuantifier(): boolean {
    if (this.acceptKeyword('ALL')) return true;
    this.acceptKeyword('DISTINCT');
    return false;
  }

  private parseQueryPrimary(): Query {
    const t = this.peek();
    if (this.isKeyword(t, 'SELECT')) return this.parseSelect();
    if (this.isKeyword(t, 'VALUES')) return this.parseValues();
    if (this.isOp(t, '(') && this.startsQuery(1)) {
      this.next();
      const query = this.parseQuery();
      this.expectClose(t, 'the parenthesised query');
      return query;
    }
    return this.fail('SELECT, VALUES or a parenthesised query', t);
  }

  /** Attaches `ORDER BY … LIMIT … OFFSET … FETCH …` to the query they follow. */
  private parseQueryTail(query: Query): Query {
    const start = this.peek();
    let orderBy: OrderItem[] = [];
    let limit: Expr | undefined;
    let offset: Expr | undefined;
    if (this.acceptKeywords('ORDER', 'BY')) orderBy = this.parseOrderItems();
    for (;;) {
      if (limit === undefined && this.acceptKeyword('LIMIT')) {
        limit = this.parseExpr(Prec.ADDITIVE);
      } else if (offset === undefined && this.acceptKeyword('OFFSET')) {
        offset = this.parseExpr(Prec.ADDITIVE);
        if (!this.acceptKeyword('ROWS')) this.acceptKeyword('ROW');
      } else if (limit === undefined && this.atKeyword('FETCH')) {
        limit = this.parseFetch();
      } else {
        break;
      }
    }
    if (orderBy.length === 0 && limit === undefined && offset === undefined) return query;
    if (query.orderBy.length > 0 || query.limit !== undefined || query.offset !== undefined) {
      throw this.errorAt(start.span, 'this parenthesised query already has its own ORDER BY/LIMIT', {
        help: 'wrap it: SELECT * FROM (…) ORDER BY …',
      });
    }
    const tail: QueryTail = {
      orderBy,
      ...(limit === undefined ? {} : { limit }),
      ...(offset === undefined ? {} : { offset }),
    };
    return { ...query, ...tail, span: this.spanFrom(query.span) };
  }

  /** `FETCH FIRST|NEXT n ROW|ROWS ONLY`. */
  private parseFetch(): Expr {
    this.next();
    if (!this.acceptKeyword('FIRST')) this.expectKeyword('NEXT', ' or FIRST after FETCH');
    const count = this.parseExpr(Prec.ADDITIVE);
    if (!this.acceptKeyword('ROWS')) this.expectKeyword('ROW', 'S after the FETCH count');
    this.expectKeyword('ONLY', ' to end FETCH … ROWS ONLY');
    return count;
  }

  private parseValues(): Values {
    const start = this.next();
    const rows: Expr[][] = [];
    do {
      const rowStart = this.peek();
      if (this.atKeyword('ROW') && this.atOp('(', 1)) this.next();
      if (this.atOp('(')) {
        const open = this.next();
        rows.push(this.parseExprList('a value'));
        this.expectClose(open, 'the VALUES row');
      } else if (rows.length === 0 && !this.canStartExpression()) {
        this.fail("'(' to start a VALUES row", rowStart);
      } else {
        rows.push([this.parseExpr()]);
      }
    } while (this.acceptOp(','));
    return { kind: 'Values', rows, orderBy: [], span: this.spanFrom(start) };
  }

  // ------------------------------------------------------------------------------------------------------
  // SELECT

  private parseSelect(): Select {
    const start = this.next();
    const hints = this.parseHints();
    let distinct = false;
    if (this.acceptKeyword('DISTINCT')) distinct = true;
    else this.acceptKeyword('ALL');
    const items = this.parseSelectList();
    const from = this.acceptKeyword('FROM') ? this.parseFromClause() : undefined;
    const where = this.acceptKeyword('WHERE') ? this.parseExpr() : undefined;
    const groupBy = this.acceptKeywords('GROUP', 'BY') ? this.parseGroupBy() : [];
    const having = this.acceptKeyword('HAVING') ? this.parseExpr() : undefined;
    const windows = this.atKeyword('WINDOW') ? this.parseWindowClause() : [];
    const qualify = this.acceptKeyword('QUALIFY') ? this.parseExpr() : undefined;
    return {
      kind: 'Select',
      hints,
      distinct,
      items,
      ...(from === undefined ? {} : { from }),
      ...(where === undefined ? {} : { where }),
      groupBy,
      ...(having === undefined ? {} : { having }),
      windows,
      ...(qualify === undefined ? {} : { qualify }),
      orderBy: [],
      span: this.spanFrom(start),
    };
  }

  /** Hint tokens at the current position (`SELECT /*+ … *\/`, `t /*+ OPTIONS(…) *\/`). */
  protected parseHints(): Hint[] {
    const hints: Hint[] = [];
    while (this.peek().kind === 'hint') hints.push(...parseHintToken(this.text, this.lines, this.next()));
    return hints;
  }

  private parseSelectList(): SelectItem[] {
    const items: SelectItem[] = [];
    let comma: Token | undefined;
    for (;;) {
      if (!this.atOp('*') && !this.canStartExpression()) {
        const t = this.peek();
        const help =
          comma !== undefined && t.kind === 'word'
            ? `remove the trailing ',' at ${comma.span.start.line}:${comma.span.start.col}`
            : reservedWordHelp(t);
        this.fail(comma === undefined ? 'a column name or expression to select' : "a column name after ','", t, { ...(help === undefined ? {} : { help }) });
      }
      items.push(this.parseSelectItem());
      comma = this.acceptOp(',');
      if (comma === undefined) break;
    }
    const t = this.peek();
    const ends = t.kind === 'eof' || this.isOp(t, ';') || this.isOp(t, ')') || (t.kind === 'word' && SELECT_LIST_FOLLOWERS.has(t.value));
    if (!ends) this.fail("',' or FROM after the select item", t);
    return items;
  }

  private parseSelectItem(): SelectItem {
    const start = this.peek();
    const star = this.tryParseStar();
    if (star !== undefined) return { expr: star, span: star.span };
    const expr = this.parseExpr();
    const alias = this.parseOptionalAlias('an alias after AS');
    return alias === undefined ? { expr, span: this.spanFrom(start) } : { expr, alias, span: this.spanFrom(start) };
  }

  /** `*` or `t.*` / `db.t.*`. */
  private tryParseStar(): Expr | undefined {
    const start = this.peek();
    if (this.isOp(start, '*')) {
      this.next();
      return { kind: 'Star', span: start.span };
    }
    let k = 0;
    while (this.isIdentifierLike(this.peek(k)) && this.atOp('.', k + 1)) {
      if (this.atOp('*', k + 2)) {
        const qualifier = this.parseQualifiedNameUpTo(k);
        this.next(); // .
        this.next(); // *
        return { kind: 'Star', qualifier, span: this.spanFrom(start) };
      }
      k += 2;
    }
    return undefined;
  }

  private isIdentifierLike(t: Token): boolean {
    return t.kind === 'quoted' || t.kind === 'word';
  }

  /** The dotted name whose last part is `k` tokens ahead. */
  private parseQualifiedNameUpTo(k: number) {
    const first = this.peek();
    const parts: Identifier[] = [];
    for (let i = 0; i <= k; i += 2) {
      parts.push(this.identifierFrom(this.next()));
      if (i < k) this.next();
    }
    return { kind: 'QualifiedName' as const, parts, span: this.spanFrom(first) };
  }

  /** `[AS] alias`; without AS only a non-reserved word or a quoted name can be an alias. */
  protected parseOptionalAlias(what: string): Identifier | undefined {
    if (this.acceptKeyword('AS')) return this.parseIdentifier(what);
    return this.isIdentifierToken(this.peek()) ? this.identifierFrom(this.next()) : undefined;
  }

  private parseGroupBy(): GroupingElement[] {
    const elements: GroupingElement[] = [];
    do {
      elements.push(this.parseGroupingElement());
    } while (this.acceptOp(','));
    return elements;
  }

  private parseGroupingElement(): GroupingElement {
    const start = this.peek();
    if (this.acceptKeywords('GROUPING', 'SETS')) {
      const open = this.expectOp('(', ' after GROUPING SETS');
      const sets: Expr[][] = [];
      do {
        sets.push(this.parseGroupingSet());
      } while (this.acceptOp(','));
      this.expectClose(open, 'GROUPING SETS');
      return { kind: 'GroupingSets', sets, span: this.spanFrom(start) };
    }
    if (this.atKeyword('ROLLUP', 'CUBE') && this.atOp('(', 1)) {
      const kind = this.next().value === 'ROLLUP' ? 'Rollup' : 'Cube';
      const open = this.next();
      const exprs = this.parseExprList(`an expression in ${kind.toUpperCase()}`);
      this.expectClose(open, kind.toUpperCase());
      return { kind, exprs, span: this.spanFrom(start) };
    }
    if (this.atOp('(') && this.atOp(')', 1)) {
      this.next();
      this.next();
      return { kind: 'GroupingSets', sets: [[]], span: this.spanFrom(start) };
    }
    if (!this.canStartExpression()) this.fail('an expression to group by');
    return { kind: 'Expr', expr: this.parseExpr() };
  }

  /** One set inside GROUPING SETS: `(a, b)`, `()` or `a`. */
  private parseGroupingSet(): Expr[] {
    if (!this.atOp('(')) return [this.parseExpr()];
    const open = this.next();
    if (this.acceptOp(')')) return [];
    const exprs = this.parseExprList('an expression in the grouping set');
    this.expectClose(open, 'the grouping set');
    return exprs;
  }

  private parseWindowClause(): { name: Identifier; spec: WindowSpec }[] {
    this.next();
    const windows: { name: Identifier; spec: WindowSpec }[] = [];
    do {
      const name = this.parseIdentifier(windows.length === 0 ? 'a window name after WINDOW' : "a window name after ','");
      this.expectKeyword('AS', ` after WINDOW ${name.value}`);
      windows.push({ name, spec: this.parseWindowSpecBody() });
    } while (this.acceptOp(','));
    return windows;
  }

  // ------------------------------------------------------------------------------------------------------
  // FROM

  /** Comma-separated items (each a chain of joins); a comma is a CROSS join that binds looser than JOIN. */
  private parseFromClause(): TableRef {
    let left = this.parseJoinChain();
    while (this.acceptOp(',')) {
      const right = this.parseJoinChain();
      left = { kind: 'Join', joinType: 'CROSS', left, right, natural: false, span: this.spanFrom(left.span) };
    }
    return left;
  }

  private parseJoinChain(): TableRef {
    let left = this.parseTableReference();
    for (;;) {
      const natural = this.atKeyword('NATURAL') ? (this.next(), true) : false;
      const joinType = this.parseJoinKeyword();
      if (joinType === undefined) {
        if (natural) this.fail('JOIN after NATURAL');
        return left;
      }
      const right = this.parseTableReference();
      left = this.parseJoinCondition(left, right, joinType, natural);
    }
  }

  /** `JOIN`, `INNER JOIN`, `LEFT [OUTER] JOIN`, `RIGHT …`, `FULL …`, `CROSS JOIN`; undefined when none. */
  private parseJoinKeyword(): JoinType | undefined {
    const t = this.peek();
    if (t.kind !== 'word') return undefined;
    let type: JoinType;
    switch (t.value) {
      case 'JOIN':
        this.next();
        return 'INNER';
      case 'INNER':
      case 'CROSS':
        type = t.value;
        this.next();
        break;
      case 'LEFT':
      case 'RIGHT':
      case 'FULL':
        type = t.value;
        this.next();
        this.acceptKeyword('OUTER');
        break;
      default:
        return undefined;
    }
    this.expectKeyword('JOIN', ` after ${type}`);
    return type;
  }

  private parseJoinCondition(left: TableRef, right: TableRef, joinType: JoinType, natural: boolean): TableRef {
    const base = { kind: 'Join' as const, joinType, left, right, natural };
    if (joinType === 'CROSS' || natural) return { ...base, span: this.spanFrom(left.span) };
    if (this.acceptKeyword('ON')) {
      const on = this.parseExpr();
      return { ...base, on, span: this.spanFrom(left.span) };
    }
    if (this.acceptKeyword('USING')) {
      const using = this.parseIdentifierList('a column name', 'the USING column list');
      return { ...base, using, span: this.spanFrom(left.span) };
    }
    return this.fail(`ON or USING after ${joinType === 'INNER' ? '' : `${joinType} `}JOIN`);
  }

  /** One FROM item with its hints, temporal clause and alias. */
  private parseTableReference(): TableRef {
    const t = this.peek();
    if (this.isKeyword(t, 'LATERAL')) return this.parseLateral();
    if (this.isKeyword(t, 'TABLE') && this.atOp('(', 1)) {
      this.next();
      return this.finishTableFunction(t, false);
    }
    if (this.isKeyword(t, 'UNNEST') && this.atOp('(', 1)) return this.parseUnnest();
    if (this.isOp(t, '(')) {
      if (this.startsQuery(1)) return this.parseSubqueryRef(t, false);
      // A parenthesised join: `(a JOIN b ON …)`.
      this.next();
      const inner = this.parseFromClause();
      this.expectClose(t, 'the parenthesised join');
      return inner;
    }
    if (!this.isIdentifierToken(t)) return this.fail('a table name, a subquery, TABLE(…) or LATERAL', t);
    const name = this.parseQualifiedName('a table name');
    const hints = this.parseHints();
    const forSystemTime = this.acceptKeywords('FOR', 'SYSTEM_TIME') ? this.parseForSystemTime() : undefined;
    const base = { kind: 'TableName' as const, name, hints, ...(forSystemTime === undefined ? {} : { forSystemTime }) };
    if (this.atKeyword('MATCH_RECOGNIZE')) return this.parseOptionalMatchRecognize({ ...base, span: this.spanFrom(t) });
    const alias = this.parseTableAlias();
    // `t AS x MATCH_RECOGNIZE (…)`: the alias names the input (Calcite accepts both placements).
    return this.parseOptionalMatchRecognize({ ...base, ...alias, span: this.spanFrom(t) });
  }

  /** After `FOR SYSTEM_TIME`: `AS OF expr`. */
  private parseForSystemTime(): Expr {
    this.expectKeyword('AS', ' in FOR SYSTEM_TIME AS OF');
    this.expectKeyword('OF', ' in FOR SYSTEM_TIME AS OF');
    return this.parseExpr();
  }

  protected parseMatchRecognizeAlias(): TableAlias {
    return this.parseTableAlias();
  }

  /** `[AS] alias [(col, …)]`. */
  private parseTableAlias(): TableAlias {
    const alias = this.parseOptionalAlias('a table alias after AS');
    if (alias === undefined) return {};
    if (!this.atOp('(')) return { alias };
    const columnAliases = this.parseIdentifierList('a column alias', `the column aliases of ${alias.value}`);
    return { alias, columnAliases };
  }

  private parseSubqueryRef(start: Token, lateral: boolean): TableRef {
    const open = this.next();
    const query = this.parseQuery();
    this.expectClose(open, 'the subquery');
    if (this.atKeyword('MATCH_RECOGNIZE')) return this.parseOptionalMatchRecognize({ kind: 'Subquery', query, lateral, span: this.spanFrom(start) });
    const alias = this.parseTableAlias();
    return { kind: 'Subquery', query, lateral, ...alias, span: this.spanFrom(start) };
  }

  /** `LATERAL TABLE(f(x))` or `LATERAL (SELECT …)`. */
  private parseLateral(): TableRef {
    const start = this.next();
    if (this.atKeyword('TABLE') && this.atOp('(', 1)) {
      this.next();
      return this.finishTableFunction(start, true);
    }
    if (this.atOp('(') && this.startsQuery(1)) return this.parseSubqueryRef(start, true);
    return this.fail("TABLE(…) or a parenthesised query after LATERAL");
  }

  /** After `TABLE`: `(name(args)) [alias]`. */
  private finishTableFunction(start: Token, lateral: boolean): TableRef {
    const outer = this.expectOp('(');
    const name = this.parseQualifiedName('a table function name, e.g. TUMBLE, HOP, CUMULATE, SESSION');
    const open = this.expectOp('(', ` after table function ${name.parts.map((p) => p.value).join('.')}`);
    const args: TableFunctionArg[] = [];
    if (!this.atOp(')')) {
      do {
        args.push(this.parseTableFunctionArg());
      } while (this.acceptOp(','));
    }
    this.expectClose(open, `the argument list of ${name.parts.map((p) => p.value).join('.')}`);
    this.expectClose(outer, 'TABLE(');
    const alias = this.parseTableAlias();
    return { kind: 'TableFunction', name, args, lateral, ...alias, span: this.spanFrom(start) };
  }

  /**
   * `TABLE t [PARTITION BY k]`, `DESCRIPTOR(c, …)`, `(SELECT …)` or an expression, optionally named
   * (`DATA => TABLE t`). Bare-word names are upper-cased (parameter names match case-insensitively).
   */
  private parseTableFunctionArg(): TableFunctionArg {
    const start = this.peek();
    let name: string | undefined;
    if ((start.kind === 'word' || start.kind === 'quoted') && this.atOp('=>', 1)) {
      name = start.value;
      this.next();
      this.next();
    }
    const named = name === undefined ? {} : { name };
    const t = this.peek();
    if (this.isKeyword(t, 'TABLE') && !this.atOp('(', 1)) {
      this.next();
      const table = this.parseQualifiedName('a table name after TABLE');
      const partitionBy = this.acceptKeywords('PARTITION', 'BY') ? this.parsePartitionKeys() : undefined;
      return { kind: 'Table', ...named, table, ...(partitionBy === undefined ? {} : { partitionBy }), span: this.spanFrom(start) };
    }
    if (this.isKeyword(t, 'DESCRIPTOR') && this.atOp('(', 1)) {
      this.next();
      const columns = this.parseIdentifierList('a column name', 'DESCRIPTOR(');
      return { kind: 'Descriptor', ...named, columns, span: this.spanFrom(start) };
    }
    if (this.isOp(t, '(') && this.startsQuery(1)) {
      this.next();
      const query = this.parseQuery();
      this.expectClose(t, 'the table argument');
      return { kind: 'TableQuery', ...named, query, span: this.spanFrom(start) };
    }
    if (!this.canStartExpression()) this.fail('a table function argument (TABLE t, DESCRIPTOR(col) or a value)');
    return { kind: 'Expr', ...named, expr: this.parseExpr(), span: this.spanFrom(start) };
  }

  /** `PARTITION BY k` or `PARTITION BY (k1, k2)` (parenthesised so the keys do not swallow later arguments). */
  private parsePartitionKeys(): Expr[] {
    if (!this.atOp('(')) return [this.parseExpr()];
    const open = this.next();
    const keys = this.parseExprList('a partition key');
    this.expectClose(open, 'the partition keys');
    return keys;
  }

  /** `UNNEST(arr, …) [WITH ORDINALITY] [alias]`. */
  private parseUnnest(): TableRef {
    const start = this.next();
    const open = this.next();
    const exprs = this.parseExprList('an array or map to UNNEST');
    this.expectClose(open, 'UNNEST(');
    const withOrdinality = this.acceptKeywords('WITH', 'ORDINALITY');
    const alias = this.parseTableAlias();
    const name = { kind: 'QualifiedName' as const, parts: [this.identifierFrom(start)], span: start.span };
    const args: TableFunctionArg[] = exprs.map((expr) => ({ kind: 'Expr', expr, span: expr.span }));
    return {
      kind: 'TableFunction',
      name,
      args,
      lateral: false,
      ...(withOrdinality ? { withOrdinality } : {}),
      ...alias,
      span: this.spanFrom(start),
    };
  }
}
