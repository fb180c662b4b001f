/**
 * Statements: DDL (CREATE/DROP/ALTER), session commands (SET, RESET, USE, SHOW, DESCRIBE), EXPLAIN, INSERT,
 * statement sets, queries, the SQL client's job statement STOP JOB, and CALL of a stored procedure.
 */
import { unsupported } from '../common/index.js';
import type {
  CallArgument,
  CallStatement,
  ColumnDef,
  CreateCatalog,
  CreateDatabase,
  CreateFunction,
  CreateTable,
  CreateView,
  DropStatement,
  Expr,
  Identifier,
  InsertStatement,
  QualifiedName,
  QueryStatement,
  ShowStatement,
  Statement,
  StatementSet,
  StopJobStatement,
  TableOption,
} from './ast.js';
import { closestMatch as didYouMean } from '../common/index.js';
import { STATEMENT_KEYWORDS } from './keywords.js';
import type { Token } from './lexer.js';
import { QueryParser } from './query-parser.js';
import { SqlErrorCode } from './sql-error-codes.js';
import { describeToken } from './token-cursor.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const EXPLAIN_DETAILS = new Set(['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE']);

/** Single-word `SHOW <what>` lists; each may be followed by `FROM|IN name` and `LIKE 'pattern'`. */
const SHOW_LISTS = new Set([
  'CATALOGS', 'DATABASES', 'TABLES', 'VIEWS', 'FUNCTIONS', 'MODULES', 'JOBS', 'JARS', 'PROCEDURES', 'MODELS',
  'PARTITIONS',
]);

export class StatementParser extends QueryParser {
  /** One statement, without its terminating `;`. */
  parseStatement(): Statement {
    const t = this.peek();
    if (t.kind === 'word') {
      switch (t.value) {
        case 'CREATE':
          return this.parseCreate();
        case 'DROP':
          return this.parseDrop();
        case 'ALTER':
          return this.parseAlter();
        case 'SET':
          return this.parseSet();
        case 'RESET':
          return this.parseReset();
        case 'USE':
          return this.parseUse();
        case 'SHOW':
          return this.parseShow();
        case 'DESCRIBE':
        case 'DESC':
          return this.parseDescribe();
        case 'EXPLAIN':
          return this.parseExplain();
        case 'INSERT':
          return this.parseInsert();
        case 'EXECUTE':
          return this.parseExecute();
        case 'BEGIN':
          return this.parseBeginStatementSet();
        case 'STOP':
          return this.parseStopJob();
        case 'CALL':
          return this.parseCall();
        default:
          break;
      }
    }
    if (this.startsQuery()) return this.parseQueryStatement();
    const guess = t.kind === 'word' ? didYouMean(t.value, STATEMENT_KEYWORDS) : undefined;
    return this.fail('a statement (SELECT, INSERT, CREATE, SET, …)', t, guess === undefined ? {} : { help: `did you mean ${guess}?` });
  }

  /** A query statement; exposed for `parseQuery(text)`. */
  parseQueryStatement(): QueryStatement {
    const start = this.peek();
    const query = this.parseQuery();
    return { kind: 'QueryStatement', query, span: this.spanFrom(start) };
  }

  /** An expression; exposed for `parseExpression(text)`. */
  parseStandaloneExpression(): Expr {
    return this.parseExpr();
  }

  /** Whether the statement starting at token index `index` is a statement set (for error recovery). */
  startsStatementSet(index: number): boolean {
    const k = index - this.pos;
    return (
      (this.isKeyword(this.peek(k), 'BEGIN') || this.isKeyword(this.peek(k), 'EXECUTE') || this.isKeyword(this.peek(k), 'EXPLAIN')) &&
      [1, 2, 3, 4].some((d) => this.isKeyword(this.peek(k + d), 'STATEMENT') && this.isKeyword(this.peek(k + d + 1), 'SET'))
    );
  }

  // ------------------------------------------------------------------------------------------------------
  // CREATE

  private parseCreate(): Statement {
    const start = this.next();
    if (this.atKeywords('OR', 'REPLACE')) throw this.notYet(this.peek(), 'CREATE OR REPLACE');
    const temporary = this.acceptKeyword('TEMPORARY') !== undefined;
    const system = temporary && this.acceptKeyword('SYSTEM') !== undefined;
    const t = this.peek();
    if (this.isKeyword(t, 'TABLE')) return this.parseCreateTable(start, temporary);
    if (this.isKeyword(t, 'VIEW')) return this.parseCreateView(start, temporary);
    if (this.isKeyword(t, 'FUNCTION')) return this.parseCreateFunction(start, temporary, system);
    if (!temporary && this.isKeyword(t, 'CATALOG')) return this.parseCreateCatalog(start);
    if (!temporary && this.isKeyword(t, 'DATABASE')) return this.parseCreateDatabase(start);
    if (this.isKeyword(t, 'MATERIALIZED') || this.isKeyword(t, 'MODEL')) throw this.notYet(t, `CREATE ${t.value}`);
    return this.fail(
      temporary ? `TABLE, VIEW or FUNCTION after CREATE TEMPORARY${system ? ' SYSTEM' : ''}` : 'TABLE, VIEW, FUNCTION, CATALOG or DATABASE after CREATE',
      t,
    );
  }

  private notYet(t: Token, what: string) {
    return unsupported(SqlErrorCode.UNSUPPORTED, `${what} is not supported yet`, { span: t.span });
  }

  private parseIfNotExists(): boolean {
    return this.acceptKeywords('IF', 'NOT', 'EXISTS');
  }

  private parseCreateTable(start: Token, temporary: boolean): CreateTable {
    this.next();
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseQualifiedName('a table name');
    const table: Mutable<CreateTable> = {
      kind: 'CreateTable',
      name,
      temporary,
      ifNotExists,
      columns: [],
      partitionedBy: [],
      options: [],
      span: start.span,
    };
    if (this.atOp('(')) this.parseTableElements(table);
    this.parseTableClauses(table);
    if (this.acceptKeyword('AS')) table.asQuery = this.parseQuery();
    table.span = this.spanFrom(start);
    return table;
  }

  /** `COMMENT`, `PARTITIONED BY`, `WITH (…)` and `LIKE`, in any order, each at most once. */
  private parseTableClauses(table: Mutable<CreateTable>): void {
    const seen = new Set<string>();
    for (;;) {
      const t = this.peek();
      const clause = t.kind === 'word' ? t.value : '';
      if (!['COMMENT', 'PARTITIONED', 'WITH', 'LIKE'].includes(clause)) return;
      if (seen.has(clause)) throw this.errorAt(t.span, `duplicate ${clause} clause in CREATE TABLE`);
      seen.add(clause);
      this.next();
      if (clause === 'COMMENT') {
        table.comment = this.parseStringLiteral('a comment string after COMMENT').value;
      } else if (clause === 'PARTITIONED') {
        this.expectKeyword('BY', ' after PARTITIONED');
        table.partitionedBy = this.parseIdentifierList('a partition column', 'PARTITIONED BY');
      } else if (clause === 'WITH') {
        table.options = this.parseOptions('WITH');
      } else {
        table.like = this.parseLikeClause();
      }
    }
  }

  /** `LIKE src [(INCLUDING ALL EXCLUDING OPTIONS …)]`; the like options are kept as text. */
  private parseLikeClause(): { table: QualifiedName; options: string[] } {
    const table = this.parseQualifiedName('a source table name after LIKE');
    const options: string[] = [];
    if (this.atOp('(')) {
      const open = this.next();
      while (this.atKeyword('INCLUDING', 'EXCLUDING', 'OVERWRITING')) {
        const mode = this.next().value;
        const what = this.peek();
        if (what.kind !== 'word') this.fail(`what to ${mode.toLowerCase().replace(/ing$/, 'e')} (ALL, OPTIONS, WATERMARKS, …)`);
        this.next();
        options.push(`${mode} ${what.value}`);
      }
      this.expectClose(open, 'the LIKE options');
    }
    return { table, options };
  }

  /** The parenthesised list of columns, watermark and primary key. */
  private parseTableElements(table: Mutable<CreateTable>): void {
    const open = this.next();
    const columns: ColumnDef[] = [];
    let comma: Token | undefined;
    do {
      const t = this.peek();
      if (this.isOp(t, ')') && comma !== undefined) this.fail("a column definition after ','", t);
      if (this.atKeyword('PRIMARY', 'CONSTRAINT')) {
        if (table.primaryKey !== undefined) throw this.errorAt(t.span, 'a table can have only one PRIMARY KEY');
        table.primaryKey = this.parseTablePrimaryKey();
      } else if (this.atKeywords('WATERMARK', 'FOR')) {
        if (table.watermark !== undefined) throw this.errorAt(t.span, 'a table can have only one WATERMARK');
        table.watermark = this.parseWatermark();
      } else {
        columns.push(this.parseColumn());
      }
      comma = this.acceptOp(',');
    } while (comma !== undefined);
    this.expectClose(open, 'the column list');
    table.columns = columns;
  }

  private parseWatermark(): NonNullable<CreateTable['watermark']> {
    const start = this.next();
    this.next(); // FOR
    const column = this.parseIdentifier('a rowtime column after WATERMARK FOR');
    this.expectKeyword('AS', ` after WATERMARK FOR ${column.value}`);
    const expr = this.parseExpr();
    return { column, expr, span: this.spanFrom(start) };
  }

  /** `[CONSTRAINT name] PRIMARY KEY (a, b) NOT ENFORCED`. */
  private parseTablePrimaryKey(): NonNullable<CreateTable['primaryKey']> {
    const start = this.peek();
    if (this.acceptKeyword('CONSTRAINT')) this.parseIdentifier('a constraint name');
    this.expectKeyword('PRIMARY');
    this.expectKeyword('KEY', ' after PRIMARY');
    const columns = this.parseIdentifierList('a column name', 'the PRIMARY KEY columns');
    this.expectNotEnforced();
    return { columns, enforced: false, span: this.spanFrom(start) };
  }

  /** Flink does not enforce keys, and requires the DDL to say so. */
  private expectNotEnforced(): void {
    if (this.acceptKeywords('NOT', 'ENFORCED')) return;
    this.fail('NOT ENFORCED after PRIMARY KEY', this.peek(), {
      help: 'Flink does not check primary keys; write PRIMARY KEY (…) NOT ENFORCED',
    });
  }

  /** A physical (`a INT`), computed (`a AS expr`) or metadata (`a INT METADATA [FROM 'k'] [VIRTUAL]`) column. */
  private parseColumn(): ColumnDef {
    const start = this.peek();
    const name = this.parseIdentifier('a column definition');
    if (this.acceptKeyword('AS')) {
      const expr = this.parseExpr();
      const comment = this.parseOptionalComment();
      return { kind: 'ComputedColumn', name, expr, ...comment, span: this.spanFrom(start) };
    }
    const type = this.parseDataType();
    if (this.acceptKeyword('METADATA')) {
      const from = this.acceptKeyword('FROM') ? this.parseStringLiteral("a metadata key after FROM, e.g. 'timestamp'").value : undefined;
      const virtual = this.acceptKeyword('VIRTUAL') !== undefined;
      const comment = this.parseOptionalComment();
      return { kind: 'MetadataColumn', name, type, ...(from === undefined ? {} : { from }), virtual, ...comment, span: this.spanFrom(start) };
    }
    let primaryKey = false;
    if (this.atKeyword('PRIMARY') || this.atKeywords('CONSTRAINT')) {
      if (this.acceptKeyword('CONSTRAINT')) this.parseIdentifier('a constraint name');
      this.expectKeyword('PRIMARY');
      this.expectKeyword('KEY', ' after PRIMARY');
      this.expectNotEnforced();
      primaryKey = true;
    }
    const comment = this.parseOptionalComment();
    return { kind: 'PhysicalColumn', name, type, primaryKey, ...comment, span: this.spanFrom(start) };
  }

  private parseOptionalComment(): { comment?: string } {
    if (!this.acceptKeyword('COMMENT')) return {};
    return { comment: this.parseStringLiteral('a comment string after COMMENT').value };
  }

  /** `('k' = 'v', …)` after WITH or SET; keys and values must be string literals, as in Flink. */
  private parseOptions(clause: string): TableOption[] {
    const open = this.expectOp('(', ` after ${clause}`);
    const options: TableOption[] = [];
    if (this.acceptOp(')')) return options;
    do {
      options.push(this.parseOption(clause));
    } while (this.acceptOp(','));
    this.expectClose(open, `the ${clause} options`);
    return options;
  }

  private parseOption(clause: string): TableOption {
    const keyToken = this.peek();
    if (keyToken.kind !== 'string') {
      const quoted = keyToken.kind === 'word' || keyToken.kind === 'quoted' ? { help: `quote it: '${keyToken.kind === 'word' ? keyToken.text : keyToken.value}'` } : {};
      throw this.errorAt(keyToken.span, `${clause} option key must be a string literal, found ${describeToken(keyToken)}`, quoted);
    }
    const key = this.parseStringLiteral('an option key').value;
    this.expectOp('=', ` after option key '${key}'`);
    const valueToken = this.peek();
    if (valueToken.kind !== 'string') {
      if (valueToken.kind === 'error') throw this.lexError(valueToken);
      const quote = valueToken.kind === 'number' || valueToken.kind === 'word' ? { help: `quote it: '${valueToken.text}'` } : {};
      throw this.errorAt(valueToken.span, `${clause} option value must be a string literal, found ${describeToken(valueToken)}`, quote);
    }
    const value = this.parseStringLiteral('an option value').value;
    return { key, value, span: this.spanFrom(keyToken) };
  }

  private parseCreateView(start: Token, temporary: boolean): CreateView {
    this.next();
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseQualifiedName('a view name');
    const columns = this.atOp('(') ? this.parseIdentifierList('a column name', 'the view column list') : undefined;
    const comment = this.parseOptionalComment();
    this.expectKeyword('AS', ` before the query of view ${name.parts.map((p) => p.value).join('.')}`);
    const queryStart = this.peek().span.start.offset;
    const query = this.parseQuery();
    const queryText = this.text.slice(queryStart, this.prevEnd.offset);
    return {
      kind: 'CreateView',
      name,
      temporary,
      ifNotExists,
      ...(columns === undefined ? {} : { columns }),
      query,
      queryText,
      ...comment,
      span: this.spanFrom(start),
    };
  }

  /** `CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS 'identifier' [LANGUAGE lang]`. */
  private parseCreateFunction(start: Token, temporary: boolean, system: boolean): CreateFunction {
    this.next();
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseQualifiedName('a function name');
    this.expectKeyword('AS', ` before the implementation of function ${name.parts.map((p) => p.value).join('.')}`);
    const identifier = this.parseStringLiteral("the function's implementation as a string, e.g. 'com.example.MyUdf'").value;
    let language: string | undefined;
    if (this.acceptKeyword('LANGUAGE')) {
      const t = this.peek();
      if (t.kind !== 'word') this.fail('a language name (JAVA, SCALA, PYTHON, JAVASCRIPT, TYPESCRIPT) after LANGUAGE', t);
      language = this.next().value;
    }
    if (this.atKeyword('USING')) throw this.notYet(this.peek(), 'CREATE FUNCTION … USING JAR');
    return {
      kind: 'CreateFunction',
      name,
      temporary,
      system,
      ifNotExists,
      identifier,
      ...(language === undefined ? {} : { language }),
      span: this.spanFrom(start),
    };
  }

  private parseCreateCatalog(start: Token): CreateCatalog {
    this.next();
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseIdentifier('a catalog name');
    const options = this.atKeyword('WITH') ? (this.next(), this.parseOptions('WITH')) : [];
    return { kind: 'CreateCatalog', name, ifNotExists, options, span: this.spanFrom(start) };
  }

  private parseCreateDatabase(start: Token): CreateDatabase {
    this.next();
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseQualifiedName('a database name');
    const comment = this.parseOptionalComment();
    const options = this.atKeyword('WITH') ? (this.next(), this.parseOptions('WITH')) : [];
    return { kind: 'CreateDatabase', name, ifNotExists, options, ...comment, span: this.spanFrom(start) };
  }

  // ------------------------------------------------------------------------------------------------------
  // DROP, ALTER

  private parseDrop(): DropStatement {
    const start = this.next();
    const temporary = this.acceptKeyword('TEMPORARY') !== undefined;
    const system = temporary && this.acceptKeyword('SYSTEM') !== undefined;
    const t = this.peek();
    const objectTypes = ['TABLE', 'VIEW', 'FUNCTION', 'DATABASE', 'CATALOG'] as const;
    const objectType = objectTypes.find((o) => this.isKeyword(t, o));
    if (objectType === undefined) return this.fail('TABLE, VIEW, FUNCTION, DATABASE or CATALOG after DROP', t);
    this.next();
    const ifExists = this.acceptKeywords('IF', 'EXISTS');
    const name = this.parseQualifiedName(`a ${objectType.toLowerCase()} name`);
    let cascade = false;
    if (this.acceptKeyword('CASCADE')) cascade = true;
    else this.acceptKeyword('RESTRICT');
    return { kind: 'Drop', objectType, name, ifExists, temporary, system, cascade, span: this.spanFrom(start) };
  }

  private parseAlter(): Statement {
    const start = this.next();
    if (!this.atKeyword('TABLE')) throw this.notYet(this.peek(), `ALTER ${this.peek().text}`);
    this.next();
    const name = this.parseQualifiedName('a table name');
    if (!(this.atKeyword('SET') && this.atOp('(', 1))) {
      throw this.notYet(this.peek(), `ALTER TABLE … ${this.peek().text}`.trimEnd());
    }
    this.next();
    const options = this.parseOptions('SET');
    return { kind: 'AlterTableSetOptions', name, options, span: this.spanFrom(start) };
  }

  // ------------------------------------------------------------------------------------------------------
  // Session commands

  /**
   * `SET` (lists), `SET 'k' = 'v'`, and the SQL client's unquoted `SET k = v` where key and value are raw
   * text such as `execution.runtime-mode` or `1 min`; the raw forms are sliced from the source.
   */
  private parseSet(): Statement {
    const start = this.next();
    if (this.atStatementEnd()) return { kind: 'Set', span: this.spanFrom(start) };
    const key = this.parseRawSetting('=', 'a configuration key after SET');
    this.expectOp('=', ` after SET ${key}`);
    const value = this.parseRawSetting(undefined, `a value for ${key}`);
    return { kind: 'Set', key, value, span: this.spanFrom(start) };
  }

  private parseReset(): Statement {
    const start = this.next();
    if (this.atStatementEnd()) return { kind: 'Reset', span: this.spanFrom(start) };
    const key = this.parseRawSetting(undefined, 'a configuration key after RESET');
    return { kind: 'Reset', key, span: this.spanFrom(start) };
  }

  private atStatementEnd(): boolean {
    return this.peek().kind === 'eof' || this.atOp(';');
  }

  /** A quoted string, or the raw text up to `stopOp` / the end of the statement. */
  private parseRawSetting(stopOp: string | undefined, what: string): string {
    const first = this.peek();
    if (first.kind === 'string') return this.parseStringLiteral(what).value;
    let last: Token | undefined;
    while (!this.atStatementEnd() && !(stopOp !== undefined && this.atOp(stopOp))) {
      const t = this.next();
      if (t.kind === 'error') throw this.lexError(t);
      last = t;
    }
    if (last === undefined) return this.fail(what, first);
    return this.text.slice(first.span.start.offset, last.span.end.offset);
  }

  private parseUse(): Statement {
    const start = this.next();
    if (this.atKeyword('MODULES')) throw this.notYet(this.peek(), 'USE MODULES');
    const catalog = this.atKeyword('CATALOG') && this.isIdentifierToken(this.peek(1));
    if (catalog) this.next();
    const name = this.parseQualifiedName(catalog ? 'a catalog name' : 'a database name (or CATALOG name)');
    return { kind: 'Use', catalog, name, span: this.spanFrom(start) };
  }

  private parseShow(): ShowStatement {
    const start = this.next();
    const t = this.peek();
    const base = { kind: 'Show' as const };
    if (this.acceptKeyword('CURRENT')) {
      const what = this.peek();
      if (!this.isKeyword(what, 'CATALOG') && !this.isKeyword(what, 'DATABASE')) this.fail('CATALOG or DATABASE after SHOW CURRENT', what);
      this.next();
      return { ...base, what: `CURRENT ${what.value}`, span: this.spanFrom(start) };
    }
    if (this.acceptKeyword('CREATE')) {
      const what = this.peek();
      if (!['TABLE', 'VIEW', 'CATALOG', 'FUNCTION'].some((w) => this.isKeyword(what, w))) {
        this.fail('TABLE, VIEW, CATALOG or FUNCTION after SHOW CREATE', what);
      }
      this.next();
      const name = this.parseQualifiedName(`a ${what.value.toLowerCase()} name`);
      return { ...base, what: `CREATE ${what.value}`, name, span: this.spanFrom(start) };
    }
    if (this.acceptKeyword('COLUMNS')) {
      if (!this.acceptKeyword('FROM')) this.expectKeyword('IN', ' or FROM after SHOW COLUMNS');
      const name = this.parseQualifiedName('a table name');
      return { ...base, what: 'COLUMNS', name, ...this.parseShowLike(), span: this.spanFrom(start) };
    }
    let what: string;
    if (this.acceptKeywords('USER', 'FUNCTIONS')) what = 'USER FUNCTIONS';
    else if (this.acceptKeywords('FULL', 'MODULES')) what = 'FULL MODULES';
    else if (this.acceptKeywords('MATERIALIZED', 'TABLES')) what = 'MATERIALIZED TABLES';
    else if (t.kind === 'word' && SHOW_LISTS.has(t.value)) what = this.next().value;
    else return this.fail('what to show (TABLES, VIEWS, FUNCTIONS, DATABASES, CATALOGS, CURRENT CATALOG, CREATE TABLE t, …)', t);
    let name: QualifiedName | undefined;
    if (this.atKeyword('FROM', 'IN')) {
      this.next();
      name = this.parseQualifiedName('a catalog or database name');
    }
    return { ...base, what, ...(name === undefined ? {} : { name }), ...this.parseShowLike(), span: this.spanFrom(start) };
  }

  private parseShowLike(): { like?: string } {
    if (this.atKeywords('NOT', 'LIKE') || this.atKeywords('ILIKE')) throw this.notYet(this.peek(), `SHOW … ${this.peek().value} LIKE`);
    if (!this.acceptKeyword('LIKE')) return {};
    return { like: this.parseStringLiteral("a pattern string after LIKE, e.g. 'user%'").value };
  }

  /**
   * `STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]`. STOP, JOB and DRAIN are keywords only here, at the start
   * of a statement, so they stay usable as names elsewhere (Flink lists them as non-reserved).
   */
  private parseStopJob(): StopJobStatement {
    const start = this.next();
    this.expectKeyword('JOB', ' after STOP');
    const jobId = this.parseStringLiteral("the job id as a string, e.g. STOP JOB '<id from SHOW JOBS>'").value;
    const withSavepoint = this.acceptKeywords('WITH', 'SAVEPOINT');
    const withDrain = this.acceptKeywords('WITH', 'DRAIN');
    if (this.isKeyword(this.peek(), 'WITH')) {
      const clause = this.peek(1);
      if (withDrain && this.isKeyword(clause, 'SAVEPOINT')) {
        this.fail('the end of the statement', this.peek(), { help: "write WITH SAVEPOINT before WITH DRAIN, the order of Flink's grammar" });
      }
      if (!this.isKeyword(clause, 'SAVEPOINT') && !this.isKeyword(clause, 'DRAIN')) this.fail('SAVEPOINT or DRAIN after WITH', clause);
    }
    return { kind: 'StopJob', jobId, withSavepoint, withDrain, span: this.spanFrom(start) };
  }

  /**
   * `CALL [catalog.][db.]procedure(arg, …)` or `CALL …(name => arg, …)`: Flink's syntax. The argument
   * list may be empty; mixing positional and named arguments is an error (Flink's rule), as is naming a
   * parameter twice.
   */
  private parseCall(): CallStatement {
    const start = this.next();
    const procedure = this.parseQualifiedName('a procedure name after CALL, e.g. sys.compact');
    const open = this.expectOp('(', ` after the procedure name ${procedure.parts.map((p) => p.value).join('.')}`);
    const args: CallArgument[] = [];
    if (!this.atOp(')')) {
      do {
        const argStart = this.peek();
        let name: Identifier | undefined;
        if ((argStart.kind === 'word' || argStart.kind === 'quoted') && this.atOp('=>', 1)) {
          name = this.identifierFrom(this.next());
          this.next();
        }
        const first = args[0];
        if (first !== undefined && (first.name === undefined) !== (name === undefined)) {
          throw this.errorAt(argStart.span, 'CALL arguments must be all positional or all named (name => value), not a mix', {
            help: 'name every argument, e.g. CALL sys.compact(`table` => \'db.t\', partitions => \'p=1\')',
          });
        }
        if (name !== undefined && args.some((a) => a.name?.value === name!.value)) {
          throw this.errorAt(name.span, `argument '${name.value}' is given twice`);
        }
        if (!this.canStartExpression()) this.fail(args.length === 0 ? 'an argument of the procedure call' : "an argument after ','");
        const value = this.parseExpr();
        args.push({ ...(name === undefined ? {} : { name }), value, span: this.spanFrom(argStart) });
      } while (this.acceptOp(','));
    }
    this.expectClose(open, 'the argument list of the CALL');
    return { kind: 'Call', procedure, args, span: this.spanFrom(start) };
  }

  private parseDescribe(): Statement {
    const start = this.next();
    this.acceptKeyword('EXTENDED');
    const name = this.parseQualifiedName('a table or view name');
    return { kind: 'Describe', name, span: this.spanFrom(start) };
  }

  // ------------------------------------------------------------------------------------------------------
  // EXPLAIN, INSERT, statement sets

  private parseExplain(): Statement {
    const start = this.next();
    const details: string[] = [];
    if (this.acceptKeywords('PLAN', 'FOR')) {
      // `EXPLAIN PLAN FOR` is the default explain.
    } else {
      while (this.peek().kind === 'word' && EXPLAIN_DETAILS.has(this.peek().value)) {
        details.push(this.next().value);
        if (!this.acceptOp(',')) break;
      }
    }
    const t = this.peek();
    let statement;
    if (this.isKeyword(t, 'INSERT')) statement = this.parseInsert();
    else if (this.isKeyword(t, 'EXECUTE')) statement = this.parseExecute();
    else if (this.atKeywords('STATEMENT', 'SET')) statement = this.parseStatementSetBlock(t);
    else if (this.isKeyword(t, 'BEGIN')) statement = this.parseBeginStatementSet();
    else if (this.startsQuery()) statement = this.parseQueryStatement();
    else return this.fail('a query, INSERT or STATEMENT SET to explain', t);
    return { kind: 'Explain', details, statement, span: this.spanFrom(start) };
  }

  /** `INSERT INTO|OVERWRITE t [/*+ hints *\/] [PARTITION (k = v, …)] [(cols)] query`. */
  private parseInsert(): InsertStatement {
    const start = this.next();
    let overwrite = false;
    if (this.acceptKeyword('OVERWRITE')) overwrite = true;
    else this.expectKeyword('INTO', ' or OVERWRITE after INSERT');
    this.acceptKeyword('TABLE');
    const target = this.parseQualifiedName('a target table name');
    const targetHints = this.parseHints();
    const partition = this.atKeyword('PARTITION') ? this.parseInsertPartition() : [];
    const columns = this.atOp('(') && !this.startsQuery(1) ? this.parseIdentifierList('a column name', 'the INSERT column list') : undefined;
    if (!this.startsQuery()) this.fail(`a query (SELECT or VALUES) to insert into ${target.parts.map((p) => p.value).join('.')}`);
    const query = this.parseQuery();
    return {
      kind: 'Insert',
      overwrite,
      target,
      targetHints,
      partition,
      ...(columns === undefined ? {} : { columns }),
      query,
      span: this.spanFrom(start),
    };
  }

  private parseInsertPartition(): { key: Identifier; value: Expr }[] {
    this.next();
    const open = this.expectOp('(', ' after PARTITION');
    const entries: { key: Identifier; value: Expr }[] = [];
    do {
      const key = this.parseIdentifier(entries.length === 0 ? 'a partition column' : "a partition column after ','");
      this.expectOp('=', ` after partition column ${key.value}`);
      entries.push({ key, value: this.parseExpr() });
    } while (this.acceptOp(','));
    this.expectClose(open, 'the PARTITION spec');
    return entries;
  }

  /** `EXECUTE STATEMENT SET BEGIN … END`, `EXECUTE INSERT …`, `EXECUTE SELECT …`. */
  private parseExecute(): InsertStatement | StatementSet | QueryStatement {
    const start = this.next();
    const t = this.peek();
    if (this.atKeywords('STATEMENT', 'SET')) return this.parseStatementSetBlock(start);
    if (this.isKeyword(t, 'INSERT')) return { ...this.parseInsert(), span: this.spanFrom(start) };
    if (this.startsQuery()) return { ...this.parseQueryStatement(), span: this.spanFrom(start) };
    return this.fail('STATEMENT SET, INSERT or a query after EXECUTE', t);
  }

  /** `BEGIN STATEMENT SET; INSERT …; INSERT …; END` (the SQL client form). */
  private parseBeginStatementSet(): StatementSet {
    const start = this.next();
    this.expectKeyword('STATEMENT', ' after BEGIN');
    this.expectKeyword('SET', ' after BEGIN STATEMENT');
    this.expectOp(';', ' after BEGIN STATEMENT SET');
    return this.parseStatementSetBody(start);
  }

  /** `STATEMENT SET BEGIN … END` (after EXECUTE or EXPLAIN). */
  private parseStatementSetBlock(start: Token): StatementSet {
    this.next(); // STATEMENT
    this.next(); // SET
    this.expectKeyword('BEGIN', ' after STATEMENT SET');
    return this.parseStatementSetBody(start);
  }

  /** `INSERT …; INSERT …; END`: each INSERT ends with `;`. */
  private parseStatementSetBody(start: Token): StatementSet {
    const inserts: InsertStatement[] = [];
    for (;;) {
      while (this.acceptOp(';')) {
        // empty statements inside the set are ignored, as at top level
      }
      if (this.acceptKeyword('END')) break;
      if (!this.atKeyword('INSERT')) this.fail(inserts.length === 0 ? 'INSERT in the statement set' : 'INSERT or END in the statement set');
      inserts.push(this.parseInsert());
      if (!this.atKeyword('END')) this.expectOp(';', ' after the INSERT in the statement set');
    }
    if (inserts.length === 0) throw this.errorAt(this.spanFrom(start), 'a statement set must contain at least one INSERT');
    return { kind: 'StatementSet', inserts, span: this.spanFrom(start) };
  }
}
