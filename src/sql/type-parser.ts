/**
 * Data types as written in DDL and CAST: `DECIMAL(23, 3)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`,
 * `ROW<a INT, b STRING>`, `ARRAY<INT NOT NULL>`, `INT ARRAY`, `INTERVAL DAY(2) TO SECOND(3)`.
 * Names are canonicalised as documented on `TypeAst`.
 */
import type { RowFieldAst, TypeAst } from './ast.js';
import { closestMatch as didYouMean } from '../common/index.js';
import { INTERVAL_UNITS } from './keywords.js';
import type { Token } from './lexer.js';
import { SqlErrorCode } from './sql-error-codes.js';
import { TokenCursor } from './token-cursor.js';

/** Spellings that start a type, mapped to the canonical name (multi-word forms are handled in code). */
const TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ['BOOLEAN', 'BOOLEAN'],
  ['TINYINT', 'TINYINT'],
  ['SMALLINT', 'SMALLINT'],
  ['INT', 'INT'],
  ['INTEGER', 'INT'],
  ['BIGINT', 'BIGINT'],
  ['FLOAT', 'FLOAT'],
  ['REAL', 'FLOAT'],
  ['DOUBLE', 'DOUBLE'],
  ['DECIMAL', 'DECIMAL'],
  ['DEC', 'DECIMAL'],
  ['NUMERIC', 'DECIMAL'],
  ['CHAR', 'CHAR'],
  ['CHARACTER', 'CHAR'],
  ['VARCHAR', 'VARCHAR'],
  ['STRING', 'STRING'],
  ['BINARY', 'BINARY'],
  ['VARBINARY', 'VARBINARY'],
  ['BYTES', 'BYTES'],
  ['DATE', 'DATE'],
  ['TIME', 'TIME'],
  ['TIMESTAMP', 'TIMESTAMP'],
  ['TIMESTAMP_LTZ', 'TIMESTAMP_LTZ'],
  ['INTERVAL', 'INTERVAL'],
  ['ARRAY', 'ARRAY'],
  ['MULTISET', 'MULTISET'],
  ['MAP', 'MAP'],
  ['ROW', 'ROW'],
  ['VARIANT', 'VARIANT'],
]);

/** Types whose only parameters are a parenthesised list of integers. */
const MAX_PARAMS: ReadonlyMap<string, number> = new Map([
  ['DECIMAL', 2],
  ['CHAR', 1],
  ['VARCHAR', 1],
  ['BINARY', 1],
  ['VARBINARY', 1],
  ['TIME', 1],
  ['TIMESTAMP', 1],
  ['TIMESTAMP_LTZ', 1],
]);

type TypeFields = Omit<TypeAst, 'kind' | 'nullable' | 'span'>;

export class TypeParser extends TokenCursor {
  /** A full data type with its nullability and any postfix `ARRAY` / `MULTISET`. */
  protected parseDataType(): TypeAst {
    const start = this.peek();
    let type = this.parseNullability(start, this.parseBaseType());
    // `INT ARRAY` and `INT MULTISET` are Flink's postfix spellings of ARRAY<INT> / MULTISET<INT>.
    while (this.atKeyword('ARRAY', 'MULTISET') && !this.atOp('<', 1)) {
      const name = this.next().value;
      type = this.parseNullability(start, { name, params: [], elementType: type });
    }
    return type;
  }

  private parseNullability(start: Token, fields: TypeFields): TypeAst {
    let nullable = true;
    if (this.acceptKeywords('NOT', 'NULL')) nullable = false;
    else if (this.atKeyword('NULL')) this.next();
    return { kind: 'Type', ...fields, nullable, span: this.spanFrom(start) };
  }

  private parseBaseType(): TypeFields {
    const t = this.peek();
    const name = t.kind === 'word' ? TYPE_NAMES.get(t.value) : undefined;
    if (name === undefined) return this.failUnknownType(t);
    this.next();
    switch (name) {
      case 'DOUBLE':
        this.acceptKeyword('PRECISION');
        return { name, params: [] };
      case 'CHAR':
        if (this.acceptKeyword('VARYING')) return { name: 'VARCHAR', params: this.parseTypeParams('VARCHAR') };
        return { name, params: this.parseTypeParams(name) };
      case 'BINARY':
        if (this.acceptKeyword('VARYING')) return { name: 'VARBINARY', params: this.parseTypeParams('VARBINARY') };
        return { name, params: this.parseTypeParams(name) };
      case 'TIME': {
        const params = this.parseTypeParams(name);
        this.acceptKeywords('WITHOUT', 'TIME', 'ZONE');
        return { name, params };
      }
      case 'TIMESTAMP':
        return this.parseTimestampType();
      case 'INTERVAL':
        return this.parseIntervalType();
      case 'ARRAY':
      case 'MULTISET':
        return { name, params: [], elementType: this.parseAngleTypes(name, 1)[0] as TypeAst };
      case 'MAP': {
        const [keyType, valueType] = this.parseAngleTypes(name, 2) as [TypeAst, TypeAst];
        return { name, params: [], keyType, valueType };
      }
      case 'ROW':
        return { name, params: [], fields: this.parseRowFields() };
      default:
        return { name, params: MAX_PARAMS.has(name) ? this.parseTypeParams(name) : [] };
    }
  }

  private failUnknownType(t: Token): never {
    if (t.kind === 'word' || t.kind === 'quoted') {
      const guess = didYouMean(t.kind === 'word' ? t.value : t.value.toUpperCase(), TYPE_NAMES.keys());
      const hint = guess === undefined ? '' : `; did you mean ${guess}?`;
      throw this.errorAt(t.span, `unknown data type '${t.kind === 'word' ? t.text : t.value}'${hint}`, {
        code: SqlErrorCode.UNKNOWN_TYPE,
      });
    }
    return this.fail('a data type', t);
  }

  /** `TIMESTAMP[(p)] [WITHOUT TIME ZONE | WITH LOCAL TIME ZONE]`. */
  private parseTimestampType(): TypeFields {
    const params = this.parseTypeParams('TIMESTAMP');
    if (this.acceptKeywords('WITHOUT', 'TIME', 'ZONE')) return { name: 'TIMESTAMP', params };
    if (this.acceptKeywords('WITH', 'LOCAL', 'TIME', 'ZONE')) return { name: 'TIMESTAMP_LTZ', params };
    if (this.atKeywords('WITH', 'TIME', 'ZONE')) {
      throw this.errorAt(this.peek().span, 'TIMESTAMP WITH TIME ZONE is not a Flink data type', {
        help: 'use TIMESTAMP_LTZ (TIMESTAMP WITH LOCAL TIME ZONE) for instants, or TIMESTAMP for local date-times',
      });
    }
    return { name: 'TIMESTAMP', params };
  }

  /** `INTERVAL DAY[(p)] [TO SECOND[(p)]]`; `params` lists the precisions in the order written. */
  private parseIntervalType(): TypeFields {
    const from = this.parseIntervalUnit('a time unit after INTERVAL (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)');
    const params: number[] = [];
    const fromPrecision = this.parseOptionalPrecision();
    if (fromPrecision !== undefined) params.push(fromPrecision);
    if (!this.acceptKeyword('TO')) return { name: 'INTERVAL', params, intervalFrom: from };
    const to = this.parseIntervalUnit(`a time unit after ${from} TO`);
    const toPrecision = this.parseOptionalPrecision();
    if (toPrecision !== undefined) params.push(toPrecision);
    return { name: 'INTERVAL', params, intervalFrom: from, intervalTo: to };
  }

  /** A unit of an interval qualifier, singular and upper-case (`SECONDS` → `SECOND`). */
  protected parseIntervalUnit(what: string): string {
    const t = this.peek();
    const unit = t.kind === 'word' ? INTERVAL_UNITS.get(t.value) : undefined;
    if (unit === undefined) return this.fail(what, t);
    this.next();
    return unit;
  }

  protected parseOptionalPrecision(): number | undefined {
    if (!this.atOp('(')) return undefined;
    const open = this.next();
    const p = this.parseIntegerLiteral('a precision (an integer)');
    this.expectClose(open, 'the precision');
    return p;
  }

  /** `(p)` or `(p, s)`, bounded by what the type accepts. */
  private parseTypeParams(name: string): number[] {
    if (!this.atOp('(')) return [];
    const open = this.next();
    const max = MAX_PARAMS.get(name) ?? 0;
    const params = [this.parseIntegerLiteral(`a length or precision (an integer) for ${name}`)];
    while (this.atOp(',') && params.length < max) {
      this.next();
      params.push(this.parseIntegerLiteral(`a scale (an integer) for ${name}`));
    }
    this.expectClose(open, `the parameters of ${name}`);
    return params;
  }

  /** `<T>` or `<K, V>`. */
  private parseAngleTypes(name: string, count: number): TypeAst[] {
    const open = this.expectOp('<', ` after ${name}`);
    const types = [this.parseDataType()];
    while (types.length < count) {
      this.expectOp(',', ` between the key and value types of ${name}`);
      types.push(this.parseDataType());
    }
    this.expectAngleClose(open, name);
    return types;
  }

  private expectAngleClose(open: Token, name: string): void {
    if (this.acceptOp('>')) return;
    this.fail(`'>' to close ${name}< opened at ${open.span.start.line}:${open.span.start.col}`);
  }

  /** `<a INT, b STRING COMMENT 'x'>` or `(a INT, …)`. */
  private parseRowFields(): RowFieldAst[] {
    const open = this.peek();
    if (!this.isOp(open, '<') && !this.isOp(open, '(')) return this.fail("'<' or '(' after ROW", open);
    this.next();
    const closing = open.value === '<' ? '>' : ')';
    const fields: RowFieldAst[] = [];
    if (this.acceptOp(closing)) return fields;
    do {
      const name = this.parseIdentifier(fields.length === 0 ? 'a field name' : "a field name after ','");
      const type = this.parseDataType();
      const comment = this.atKeyword('COMMENT') ? (this.next(), this.parseStringLiteral('a comment string after COMMENT').value) : undefined;
      fields.push(comment === undefined ? { name, type } : { name, type, comment });
    } while (this.acceptOp(','));
    if (!this.acceptOp(closing)) {
      this.fail(`',' or '${closing}' to close ROW${open.value} opened at ${open.span.start.line}:${open.span.start.col}`);
    }
    return fields;
  }
}

