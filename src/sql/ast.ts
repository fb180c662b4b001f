/**
 * The SQL abstract syntax tree: what the parser produces and the binder (`src/plan/`) consumes.
 *
 * Invariants a reader can rely on:
 * - Every node carries the `span` of the text it came from, so later phases can point at it.
 * - Identifiers keep their spelling and whether they were back-quoted; case rules are the binder's job
 *   (Flink: identifiers are case-sensitive for lookup; keywords are case-insensitive).
 * - The tree is plain data (no classes), immutable by convention, and serialisable.
 * - Special syntax is normalised where the meaning is a plain function call: `SUBSTRING(s FROM a FOR b)`
 *   becomes `FunctionCall(SUBSTRING, [s, a, b])`, `TRIM(BOTH 'x' FROM s)` becomes
 *   `FunctionCall(TRIM, [Symbol(BOTH), 'x', s])`, `EXTRACT(DAY FROM t)` becomes
 *   `FunctionCall(EXTRACT, [Symbol(DAY), t])`, `POSITION(a IN b)` becomes `FunctionCall(POSITION, [a, b])`,
 *   `TIMESTAMPADD(DAY, n, t)` keeps its unit as a `Symbol` argument.
 *   More precisely: `TRIM` always has three arguments (`TRIM(s)` is `TRIM(Symbol(BOTH), ' ', s)`);
 *   `SUBSTRING(s FROM a FOR b)` and `SUBSTRING(s, a, b)` are the same call; `POSITION(a IN b FROM c)` is
 *   `POSITION(a, b, c)`; `OVERLAY(s PLACING r FROM a FOR n)` is `OVERLAY(s, r, a, n)`; `FLOOR(t TO HOUR)` is
 *   `FLOOR(t, Symbol(HOUR))` (also CEIL); units are singular and upper-case (`SQL_TSI_DAY` → `DAY`).
 *   `CURRENT_TIMESTAMP`, `LOCALTIMESTAMP`, `CURRENT_DATE`, … written without parentheses are a
 *   `FunctionCall` with no arguments. Unary minus on a number stays a `Unary` node (no folding).
 */
import type { SourceSpan } from '../common/index.js';

export interface Identifier {
  readonly kind: 'Identifier';
  /** The name as written, without back-quotes (doubled back-quotes inside are unescaped). */
  readonly value: string;
  readonly quoted: boolean;
  readonly span: SourceSpan;
}

/** `a`, `db.a`, `cat.db.a`. */
export interface QualifiedName {
  readonly kind: 'QualifiedName';
  readonly parts: readonly Identifier[];
  readonly span: SourceSpan;
}

// ---------------------------------------------------------------------------------------------------------
// Types

/**
 * A data type as written. `name` is upper-case and canonical: `STRING` stays `STRING` (the binder maps it to
 * VARCHAR(2147483647)), `INTEGER` becomes `INT`, `TIMESTAMP(3) WITH LOCAL TIME ZONE` and `TIMESTAMP_LTZ(3)`
 * become `TIMESTAMP_LTZ`, `TIMESTAMP WITHOUT TIME ZONE` becomes `TIMESTAMP`, `DOUBLE PRECISION` becomes `DOUBLE`,
 * `CHARACTER VARYING` becomes `VARCHAR`, `DEC`/`NUMERIC` become `DECIMAL`.
 * `INTERVAL DAY TO SECOND(3)` is `{ name: 'INTERVAL', intervalFrom: 'DAY', intervalTo: 'SECOND', params: [3] }`.
 */
export interface TypeAst {
  readonly kind: 'Type';
  readonly name: string;
  /** Numeric parameters in order: `DECIMAL(23, 3)` → [23, 3]; `VARCHAR(10)` → [10]; `TIMESTAMP(3)` → [3]. */
  readonly params: readonly number[];
  /** `ARRAY<T>` / `MULTISET<T>` element; `MAP<K, V>` has key and value. */
  readonly elementType?: TypeAst;
  readonly keyType?: TypeAst;
  readonly valueType?: TypeAst;
  /** `ROW<a INT, b STRING>` or `ROW(a INT, b STRING)`. */
  readonly fields?: readonly RowFieldAst[];
  readonly intervalFrom?: string;
  readonly intervalTo?: string;
  /** False when `NOT NULL` follows the type. */
  readonly nullable: boolean;
  readonly span: SourceSpan;
}

export interface RowFieldAst {
  readonly name: Identifier;
  readonly type: TypeAst;
  readonly comment?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | Literal
  | IntervalLiteral
  | ColumnRef
  | BinaryExpr
  | UnaryExpr
  | IsNullExpr
  | IsBoolExpr
  | IsDistinctFromExpr
  | BetweenExpr
  | InExpr
  | LikeExpr
  | ExistsExpr
  | ScalarSubquery
  | FunctionCall
  | CaseExpr
  | CastExpr
  | SymbolExpr
  | FieldAccess
  | Subscript
  | ConstructorExpr
  | StarExpr;

/**
 * `literalType` says how `value` is to be read:
 * - `number`: `value` is the exact text (`42`, `0.908`, `1e3`); the binder picks INT/BIGINT/DECIMAL/DOUBLE.
 * - `string`: the unescaped text (`'it''s'` → `it's`). Adjacent string literals are concatenated.
 * - `boolean`: `'TRUE'` | `'FALSE'`; `unknown`: the `UNKNOWN` keyword; `null`: `NULL`.
 * - `date` / `time` / `timestamp` / `timestamp_ltz`: the quoted text of `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'`.
 * - `binary`: hex digits of `X'…'`.
 */
export interface Literal {
  readonly kind: 'Literal';
  readonly literalType:
    | 'number'
    | 'string'
    | 'boolean'
    | 'unknown'
    | 'null'
    | 'date'
    | 'time'
    | 'timestamp'
    | 'timestamp_ltz'
    | 'binary';
  readonly value: string;
  readonly span: SourceSpan;
}

/** `INTERVAL '4' SECOND`, `INTERVAL '1 02:03' DAY TO MINUTE`, `INTERVAL -'5' MINUTE(3)`. */
export interface IntervalLiteral {
  readonly kind: 'IntervalLiteral';
  /** The quoted text, e.g. `'4'`, `'1 02:03'`; may itself start with a sign. */
  readonly value: string;
  /** -1 when a minus sign precedes the quoted text. */
  readonly sign: 1 | -1;
  /** YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND (singular, upper-case; `SECONDS` is accepted and mapped). */
  readonly from: string;
  readonly to?: string;
  /** Precision of the leading unit: `MINUTE(3)` → 3, `DAY(2) TO SECOND` → 2. */
  readonly precision?: number;
  /** Precision after TO: `DAY TO SECOND(3)` → 3. */
  readonly toPrecision?: number;
  readonly span: SourceSpan;
}

/** `a`, `t.a`, `t.a.f` (the binder decides which parts are table, column and nested fields). */
export interface ColumnRef {
  readonly kind: 'ColumnRef';
  readonly parts: readonly Identifier[];
  readonly span: SourceSpan;
}

export type BinaryOp =
  | 'OR'
  | 'AND'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '||';

/** `!=` is parsed as `<>`. */
export interface BinaryExpr {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: SourceSpan;
}

export interface UnaryExpr {
  readonly kind: 'Unary';
  readonly op: 'NOT' | '-' | '+';
  readonly operand: Expr;
  readonly span: SourceSpan;
}

export interface IsNullExpr {
  readonly kind: 'IsNull';
  readonly operand: Expr;
  readonly negated: boolean;
  readonly span: SourceSpan;
}

/** `x IS [NOT] TRUE | FALSE | UNKNOWN`. */
export interface IsBoolExpr {
  readonly kind: 'IsBool';
  readonly operand: Expr;
  readonly value: 'TRUE' | 'FALSE' | 'UNKNOWN';
  readonly negated: boolean;
  readonly span: SourceSpan;
}

/** `a IS [NOT] DISTINCT FROM b`. */
export interface IsDistinctFromExpr {
  readonly kind: 'IsDistinctFrom';
  readonly left: Expr;
  readonly right: Expr;
  readonly negated: boolean;
  readonly span: SourceSpan;
}

export interface BetweenExpr {
  readonly kind: 'Between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  /** `BETWEEN SYMMETRIC`; `ASYMMETRIC` (the default) is false. */
  readonly symmetric: boolean;
  readonly span: SourceSpan;
}

/** `x [NOT] IN (1, 2, 3)` has `list`; `x [NOT] IN (SELECT …)` has `query`. */
export interface InExpr {
  readonly kind: 'In';
  readonly operand: Expr;
  readonly list?: readonly Expr[];
  readonly query?: Query;
  readonly negated: boolean;
  readonly span: SourceSpan;
}

/** `[NOT] LIKE` or `[NOT] SIMILAR TO`, with optional `ESCAPE`. */
export interface LikeExpr {
  readonly kind: 'Like';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
  readonly negated: boolean;
  readonly similar: boolean;
  readonly span: SourceSpan;
}

export interface ExistsExpr {
  readonly kind: 'Exists';
  readonly query: Query;
  readonly span: SourceSpan;
}

export interface ScalarSubquery {
  readonly kind: 'ScalarSubquery';
  readonly query: Query;
  readonly span: SourceSpan;
}

/**
 * A call by name. `COUNT(*)` has `star: true` and no args. `agg(x) FILTER (WHERE p)` has `filter`.
 * `f(x) OVER (…)` / `OVER w` has `over`. Names are kept as written; the binder resolves them
 * case-insensitively for built-ins.
 */
export interface FunctionCall {
  readonly kind: 'FunctionCall';
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly filter?: Expr;
  readonly over?: WindowSpec;
  /** `IGNORE NULLS` / `RESPECT NULLS` after the call (LAG, FIRST_VALUE, …). */
  readonly nullTreatment?: 'IGNORE' | 'RESPECT';
  readonly span: SourceSpan;
}

/** `CASE [operand] WHEN … THEN … [ELSE …] END`. */
export interface CaseExpr {
  readonly kind: 'Case';
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
  readonly span: SourceSpan;
}

/** `CAST(x AS t)` or `TRY_CAST(x AS t)`; also `x::t` is not Flink syntax and is rejected. */
export interface CastExpr {
  readonly kind: 'Cast';
  readonly operand: Expr;
  readonly type: TypeAst;
  readonly try: boolean;
  readonly span: SourceSpan;
}

/** A keyword used as an argument: time units (`DAY`), `BOTH`/`LEADING`/`TRAILING`, JSON `ON ERROR` modes. */
export interface SymbolExpr {
  readonly kind: 'Symbol';
  readonly value: string;
  readonly span: SourceSpan;
}

/** `(expr).field`, when the base is not a plain column path. */
export interface FieldAccess {
  readonly kind: 'FieldAccess';
  readonly operand: Expr;
  readonly field: Identifier;
  readonly span: SourceSpan;
}

/** `arr[1]`, `m['k']`. */
export interface Subscript {
  readonly kind: 'Subscript';
  readonly operand: Expr;
  readonly index: Expr;
  readonly span: SourceSpan;
}

/** `ROW(a, b)` / `(a, b)` in a row context, `ARRAY[a, b]`, `MAP[k1, v1, k2, v2]`. */
export interface ConstructorExpr {
  readonly kind: 'Constructor';
  readonly type: 'ROW' | 'ARRAY' | 'MAP';
  readonly args: readonly Expr[];
  readonly span: SourceSpan;
}

/** `*` or `t.*` inside a select list. */
export interface StarExpr {
  readonly kind: 'Star';
  readonly qualifier?: QualifiedName;
  readonly span: SourceSpan;
}

export interface OrderItem {
  readonly expr: Expr;
  readonly descending: boolean;
  /** Undefined when not written (the binder applies the default). */
  readonly nullsFirst?: boolean;
  readonly span: SourceSpan;
}

/** `OVER (PARTITION BY … ORDER BY … ROWS BETWEEN …)` or `OVER w` (then `name` only). */
export interface WindowSpec {
  readonly kind: 'WindowSpec';
  readonly name?: Identifier;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
  readonly span: SourceSpan;
}

export interface WindowFrame {
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end?: FrameBound;
}

export type FrameBound =
  | { readonly kind: 'UnboundedPreceding' }
  | { readonly kind: 'Preceding'; readonly offset: Expr }
  | { readonly kind: 'CurrentRow' }
  | { readonly kind: 'Following'; readonly offset: Expr }
  | { readonly kind: 'UnboundedFollowing' };

// ---------------------------------------------------------------------------------------------------------
// Queries

/** `SELECT …`, `VALUES …`, set operations, or a parenthesised query with its own ORDER BY/LIMIT. */
export type Query = Select | SetOperation | Values | WithQuery;

export interface QueryTail {
  readonly orderBy: readonly OrderItem[];
  readonly limit?: Expr;
  readonly offset?: Expr;
}

export interface WithQuery extends QueryTail {
  readonly kind: 'With';
  readonly ctes: readonly { readonly name: Identifier; readonly columns?: readonly Identifier[]; readonly query: Query }[];
  readonly body: Query;
  readonly span: SourceSpan;
}

export interface Select extends QueryTail {
  readonly kind: 'Select';
  /** Hints written as `SELECT /*+ NAME(args) *\/ …`. */
  readonly hints: readonly Hint[];
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from?: TableRef;
  readonly where?: Expr;
  readonly groupBy: readonly GroupingElement[];
  readonly having?: Expr;
  /** Named windows: `WINDOW w AS (…)`. */
  readonly windows: readonly { readonly name: Identifier; readonly spec: WindowSpec }[];
  readonly qualify?: Expr;
  readonly span: SourceSpan;
}

export interface SelectItem {
  readonly expr: Expr;
  readonly alias?: Identifier;
  readonly span: SourceSpan;
}

export type GroupingElement =
  | { readonly kind: 'Expr'; readonly expr: Expr }
  | { readonly kind: 'GroupingSets'; readonly sets: readonly (readonly Expr[])[]; readonly span: SourceSpan }
  | { readonly kind: 'Rollup'; readonly exprs: readonly Expr[]; readonly span: SourceSpan }
  | { readonly kind: 'Cube'; readonly exprs: readonly Expr[]; readonly span: SourceSpan };

export interface SetOperation extends QueryTail {
  readonly kind: 'SetOperation';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  /** `UNION ALL` → true; `UNION` / `UNION DISTINCT` → false. */
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
  readonly span: SourceSpan;
}

export interface Values extends QueryTail {
  readonly kind: 'Values';
  readonly rows: readonly (readonly Expr[])[];
  readonly span: SourceSpan;
}

/** `/*+ OPTIONS('k' = 'v') *\/`, `/*+ STATE_TTL('t' = '1h') *\/`, `/*+ LOOKUP('table' = 'x', …) *\/`, `/*+ BROADCAST(t) *\/`. */
export interface Hint {
  readonly name: Identifier;
  /** Either key-value options or plain arguments (identifiers or string literals as text). */
  readonly options: readonly { readonly key: string; readonly value: string }[];
  readonly args: readonly string[];
  readonly span: SourceSpan;
}

export type TableRef = TableName | SubqueryRef | TableFunctionRef | JoinRef | MatchRecognizeRef;

export interface TableAlias {
  readonly alias?: Identifier;
  /** `AS t (a, b)`. */
  readonly columnAliases?: readonly Identifier[];
}

export interface TableName extends TableAlias {
  readonly kind: 'TableName';
  readonly name: QualifiedName;
  /** Hints after the name: `t /*+ OPTIONS(…) *\/`. */
  readonly hints: readonly Hint[];
  /** `FOR SYSTEM_TIME AS OF expr`. */
  readonly forSystemTime?: Expr;
  readonly span: SourceSpan;
}

export interface SubqueryRef extends TableAlias {
  readonly kind: 'Subquery';
  readonly query: Query;
  readonly lateral: boolean;
  readonly span: SourceSpan;
}

/**
 * `TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))`, also with named arguments
 * (`DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL …`), `LATERAL TABLE(f(x))`,
 * and `UNNEST(arr)` (name `UNNEST`).
 */
export interface TableFunctionRef extends TableAlias {
  readonly kind: 'TableFunction';
  readonly name: QualifiedName;
  readonly args: readonly TableFunctionArg[];
  readonly lateral: boolean;
  /** `UNNEST(arr) WITH ORDINALITY`. */
  readonly withOrdinality?: boolean;
  readonly span: SourceSpan;
}

export type TableFunctionArg =
  | { readonly kind: 'Table'; readonly name?: string; readonly table: QualifiedName; readonly partitionBy?: readonly Expr[]; readonly span: SourceSpan }
  | { readonly kind: 'TableQuery'; readonly name?: string; readonly query: Query; readonly span: SourceSpan }
  | { readonly kind: 'Descriptor'; readonly name?: string; readonly columns: readonly Identifier[]; readonly span: SourceSpan }
  | { readonly kind: 'Expr'; readonly name?: string; readonly expr: Expr; readonly span: SourceSpan };

export interface JoinRef {
  readonly kind: 'Join';
  /** `CROSS` for `CROSS JOIN` and for comma-separated FROM items. */
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
  readonly left: TableRef;
  readonly right: TableRef;
  readonly on?: Expr;
  readonly using?: readonly Identifier[];
  readonly natural: boolean;
  readonly span: SourceSpan;
}

/**
 * `input MATCH_RECOGNIZE (…) [AS alias]` (row pattern recognition, Flink's CEP in SQL). The parser keeps the
 * clauses as written; the binder checks what Flink accepts (e.g. rejects ALL ROWS PER MATCH and SUBSET).
 */
export interface MatchRecognizeRef extends TableAlias {
  readonly kind: 'MatchRecognize';
  readonly input: TableRef;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly measures: readonly MeasureItem[];
  /** `ONE ROW PER MATCH` (also when omitted) or `ALL ROWS PER MATCH`; `rowsPerMatchSpan` points at the clause. */
  readonly rowsPerMatch: 'ONE' | 'ALL';
  readonly rowsPerMatchSpan?: SourceSpan;
  readonly afterMatch?: AfterMatchSkip;
  readonly pattern: PatternTerm;
  /** `WITHIN INTERVAL '5' SECOND`. */
  readonly within?: Expr;
  readonly subsets: readonly { readonly name: Identifier; readonly variables: readonly Identifier[]; readonly span: SourceSpan }[];
  readonly define: readonly DefineItem[];
  readonly span: SourceSpan;
}

/** `expr AS name` in MEASURES. */
export interface MeasureItem {
  readonly expr: Expr;
  readonly alias: Identifier;
  readonly span: SourceSpan;
}

/** `VAR AS condition` in DEFINE. */
export interface DefineItem {
  readonly variable: Identifier;
  readonly condition: Expr;
  readonly span: SourceSpan;
}

export type AfterMatchSkip =
  | { readonly kind: 'PastLastRow' | 'ToNextRow'; readonly span: SourceSpan }
  | { readonly kind: 'ToFirst' | 'ToLast'; readonly variable: Identifier; readonly span: SourceSpan };

/**
 * A row pattern: variables, concatenation (`A B`), alternation (`A | B`), parentheses (the inner term) and
 * quantifiers. `*` is {0,}, `+` {1,}, `?` {0,1}; `max` null = unbounded; a trailing `?` makes it reluctant.
 */
export type PatternTerm =
  | { readonly kind: 'PatternVariable'; readonly name: Identifier; readonly span: SourceSpan }
  | { readonly kind: 'PatternConcat'; readonly terms: readonly PatternTerm[]; readonly span: SourceSpan }
  | { readonly kind: 'PatternAlternation'; readonly alternatives: readonly PatternTerm[]; readonly span: SourceSpan }
  | {
      readonly kind: 'PatternQuantified';
      readonly term: PatternTerm;
      readonly min: number;
      readonly max: number | null;
      readonly reluctant: boolean;
      readonly span: SourceSpan;
    };

// ---------------------------------------------------------------------------------------------------------
// Statements

export type Statement =
  | CreateTable
  | CreateView
  | CreateFunction
  | CreateCatalog
  | CreateDatabase
  | DropStatement
  | AlterTableSetOptions
  | SetStatement
  | ResetStatement
  | UseStatement
  | ShowStatement
  | DescribeStatement
  | ExplainStatement
  | InsertStatement
  | StatementSet
  | QueryStatement
  | StopJobStatement
  | CallStatement;

export type ColumnDef = PhysicalColumn | ComputedColumn | MetadataColumn;

export interface PhysicalColumn {
  readonly kind: 'PhysicalColumn';
  readonly name: Identifier;
  readonly type: TypeAst;
  /** Inline `PRIMARY KEY NOT ENFORCED` on the column. */
  readonly primaryKey: boolean;
  readonly comment?: string;
  readonly span: SourceSpan;
}

/** `name AS expr`. */
export interface ComputedColumn {
  readonly kind: 'ComputedColumn';
  readonly name: Identifier;
  readonly expr: Expr;
  readonly comment?: string;
  readonly span: SourceSpan;
}

/** `name TYPE METADATA [FROM 'key'] [VIRTUAL]`. */
export interface MetadataColumn {
  readonly kind: 'MetadataColumn';
  readonly name: Identifier;
  readonly type: TypeAst;
  readonly from?: string;
  readonly virtual: boolean;
  readonly comment?: string;
  readonly span: SourceSpan;
}

export interface TableOption {
  readonly key: string;
  readonly value: string;
  readonly span: SourceSpan;
}

export interface CreateTable {
  readonly kind: 'CreateTable';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly watermark?: { readonly column: Identifier; readonly expr: Expr; readonly span: SourceSpan };
  readonly primaryKey?: { readonly columns: readonly Identifier[]; readonly enforced: boolean; readonly span: SourceSpan };
  readonly partitionedBy: readonly Identifier[];
  readonly options: readonly TableOption[];
  readonly comment?: string;
  /** `CREATE TABLE t (…) WITH (…) LIKE other (INCLUDING ALL …)`: the source table only; like options kept as text. */
  readonly like?: { readonly table: QualifiedName; readonly options: readonly string[] };
  /** `CREATE TABLE t WITH (…) AS SELECT …` (CTAS). */
  readonly asQuery?: Query;
  readonly span: SourceSpan;
}

export interface CreateView {
  readonly kind: 'CreateView';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns?: readonly Identifier[];
  readonly query: Query;
  /** The query's source text, kept for SHOW CREATE VIEW and the persisted catalog. */
  readonly queryText: string;
  readonly comment?: string;
  readonly span: SourceSpan;
}

/**
 * `CREATE [TEMPORARY|TEMPORARY SYSTEM] FUNCTION [IF NOT EXISTS] name AS 'identifier' [LANGUAGE JAVA|SCALA|PYTHON|JAVASCRIPT|TYPESCRIPT]`.
 */
export interface CreateFunction {
  readonly kind: 'CreateFunction';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifNotExists: boolean;
  readonly identifier: string;
  readonly language?: string;
  readonly span: SourceSpan;
}

export interface CreateCatalog {
  readonly kind: 'CreateCatalog';
  readonly name: Identifier;
  readonly ifNotExists: boolean;
  readonly options: readonly TableOption[];
  readonly span: SourceSpan;
}

export interface CreateDatabase {
  readonly kind: 'CreateDatabase';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly options: readonly TableOption[];
  readonly comment?: string;
  readonly span: SourceSpan;
}

export interface DropStatement {
  readonly kind: 'Drop';
  readonly objectType: 'TABLE' | 'VIEW' | 'FUNCTION' | 'DATABASE' | 'CATALOG';
  readonly name: QualifiedName;
  readonly ifExists: boolean;
  readonly temporary: boolean;
  readonly system: boolean;
  /** `DROP DATABASE … CASCADE`. */
  readonly cascade: boolean;
  readonly span: SourceSpan;
}

/** `ALTER TABLE t SET ('k' = 'v')` (other ALTER forms come later). */
export interface AlterTableSetOptions {
  readonly kind: 'AlterTableSetOptions';
  readonly name: QualifiedName;
  readonly options: readonly TableOption[];
  readonly span: SourceSpan;
}

/** `SET 'k' = 'v'` (also unquoted `SET k = v` and `SET k=v` as Flink's client accepts); bare `SET` lists. */
export interface SetStatement {
  readonly kind: 'Set';
  readonly key?: string;
  readonly value?: string;
  readonly span: SourceSpan;
}

export interface ResetStatement {
  readonly kind: 'Reset';
  readonly key?: string;
  readonly span: SourceSpan;
}

export interface UseStatement {
  readonly kind: 'Use';
  readonly catalog: boolean;
  readonly name: QualifiedName;
  readonly span: SourceSpan;
}

/**
 * `SHOW TABLES|VIEWS|FUNCTIONS|USER FUNCTIONS|DATABASES|CATALOGS|JOBS|MODULES [LIKE 'p']`,
 * `SHOW CREATE TABLE|VIEW name`, `SHOW COLUMNS FROM t`, `SHOW CURRENT CATALOG|DATABASE`.
 */
export interface ShowStatement {
  readonly kind: 'Show';
  readonly what: string;
  readonly name?: QualifiedName;
  readonly like?: string;
  readonly span: SourceSpan;
}

export interface DescribeStatement {
  readonly kind: 'Describe';
  readonly name: QualifiedName;
  readonly span: SourceSpan;
}

/**
 * `EXPLAIN [PLAN FOR] stmt`, `EXPLAIN CHANGELOG_MODE, ESTIMATED_COST, JSON_EXECUTION_PLAN, PLAN_ADVICE stmt`.
 * The explained statement is a query, an INSERT or a statement set.
 */
export interface ExplainStatement {
  readonly kind: 'Explain';
  readonly details: readonly string[];
  readonly statement: QueryStatement | InsertStatement | StatementSet;
  readonly span: SourceSpan;
}

export interface InsertStatement {
  readonly kind: 'Insert';
  readonly overwrite: boolean;
  readonly target: QualifiedName;
  readonly targetHints: readonly Hint[];
  /** `INSERT INTO t PARTITION (dt = '2024-01-01')`. */
  readonly partition: readonly { readonly key: Identifier; readonly value: Expr }[];
  /** `INSERT INTO t (a, b) SELECT …`. */
  readonly columns?: readonly Identifier[];
  readonly query: Query;
  readonly span: SourceSpan;
}

/** `EXECUTE STATEMENT SET BEGIN INSERT …; INSERT …; END` and `BEGIN STATEMENT SET; … END;`. */
export interface StatementSet {
  readonly kind: 'StatementSet';
  readonly inserts: readonly InsertStatement[];
  readonly span: SourceSpan;
}

/** A query run for its result (also `EXECUTE` prefix form). */
export interface QueryStatement {
  readonly kind: 'QueryStatement';
  readonly query: Query;
  readonly span: SourceSpan;
}

/**
 * `STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]`, Flink's SQL-client job statement (the clauses in that
 * order, as Flink's grammar has them). The id is the one `SHOW JOBS` lists.
 */
/**
 * `CALL [catalog.]db.procedure(args)`, Flink's stored-procedure call (Paimon's `CALL sys.compact(…)`).
 * Arguments are all positional or all named (`name => value`); a name is an identifier (back-quote
 * reserved words: `` `table` => 'db.t' ``). Values are expressions; which ones a procedure accepts is
 * decided where it runs.
 */
export interface CallStatement {
  readonly kind: 'Call';
  readonly procedure: QualifiedName;
  readonly args: readonly CallArgument[];
  readonly span: SourceSpan;
}

export interface CallArgument {
  /** The parameter name of a named argument; undefined when positional. */
  readonly name?: Identifier;
  readonly value: Expr;
  readonly span: SourceSpan;
}

export interface StopJobStatement {
  readonly kind: 'StopJob';
  readonly jobId: string;
  readonly withSavepoint: boolean;
  readonly withDrain: boolean;
  readonly span: SourceSpan;
}
