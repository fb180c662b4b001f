/**
 * A small parser for SQL type strings as users write them outside SQL (a UDF's `returnType: 'DECIMAL(10, 2)'`,
 * connector schemas in options): `BIGINT`, `STRING`, `VARCHAR(10)`, `DECIMAL(10, 2)`, `TIMESTAMP(3)`,
 * `TIMESTAMP_LTZ(3)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`, `ARRAY<INT>`, `MAP<STRING, INT>`,
 * `ROW<a INT, b STRING>`, each optionally followed by `NOT NULL`. The SQL parser has its own type grammar;
 * this one never sees SQL text.
 */
import { userError } from '../common/index.js';
import { MAX_VARCHAR_LENGTH, type LogicalType, type RowField } from './logical-type.js';

const TOKEN = /\s*(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|\d+|[(),<>])/y;

class TypeStringParser {
  private readonly tokens: string[] = [];
  private pos = 0;

  constructor(private readonly text: string) {
    TOKEN.lastIndex = 0;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      this.tokens.push(m[1]!);
      end = TOKEN.lastIndex;
    }
    if (text.slice(end).trim() !== '') this.fail(`unexpected '${text.slice(end).trim()}'`);
  }

  fail(why: string): never {
    throw userError('TYPE.PARSE', `cannot read type '${this.text}': ${why}`);
  }

  peek(): string | undefined {
    return this.tokens[this.pos];
  }

  word(): string {
    const t = this.tokens[this.pos++];
    if (t === undefined) this.fail('unexpected end');
    return t;
  }

  accept(word: string): boolean {
    if (this.peek()?.toUpperCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  expect(word: string): void {
    if (!this.accept(word)) this.fail(`expected '${word}' but found '${this.peek() ?? 'end'}'`);
  }

  params(): number[] {
    const out: number[] = [];
    if (!this.accept('(')) return out;
    do {
      const t = this.word();
      if (!/^\d+$/.test(t)) this.fail(`expected a number but found '${t}'`);
      out.push(Number(t));
    } while (this.accept(','));
    this.expect(')');
    return out;
  }

  atEnd(): boolean {
    return this.pos === this.tokens.length;
  }

  type(): LogicalType {
    const base = this.baseType();
    if (this.accept('NOT')) {
      this.expect('NULL');
      return base.kind === 'NULL' ? base : ({ ...base, nullable: false } as LogicalType);
    }
    this.accept('NULL');
    return base;
  }

  private baseType(): LogicalType {
    const name = this.word().toUpperCase();
    switch (name) {
      case 'BOOLEAN':
      case 'TINYINT':
      case 'SMALLINT':
      case 'BIGINT':
      case 'FLOAT':
      case 'DATE':
        return { kind: name, nullable: true } as LogicalType;
      case 'INT':
      case 'INTEGER':
        return { kind: 'INT', nullable: true };
      case 'REAL':
        return { kind: 'FLOAT', nullable: true };
      case 'DOUBLE':
        this.accept('PRECISION');
        return { kind: 'DOUBLE', nullable: true };
      case 'DECIMAL':
      case 'DEC':
      case 'NUMERIC': {
        const [p = 10, s = 0] = this.params();
        if (p < 1 || p > 38 || s > p) this.fail(`DECIMAL(${p}, ${s}) is out of range (1 ≤ p ≤ 38, 0 ≤ s ≤ p)`);
        return { kind: 'DECIMAL', precision: p, scale: s, nullable: true };
      }
      case 'STRING':
        return { kind: 'VARCHAR', length: MAX_VARCHAR_LENGTH, nullable: true };
      case 'CHAR':
      case 'VARCHAR': {
        const [n = name === 'CHAR' ? 1 : MAX_VARCHAR_LENGTH] = this.params();
        return { kind: name, length: n, nullable: true };
      }
      case 'BYTES':
        return { kind: 'VARBINARY', length: MAX_VARCHAR_LENGTH, nullable: true };
      case 'BINARY':
      case 'VARBINARY': {
        const [n = name === 'BINARY' ? 1 : MAX_VARCHAR_LENGTH] = this.params();
        return { kind: name, length: n, nullable: true };
      }
      case 'TIME': {
        const [p = 0] = this.params();
        if (this.accept('WITHOUT')) this.zone();
        return { kind: 'TIME', precision: p, nullable: true };
      }
      case 'TIMESTAMP': {
        const [p = 6] = this.params();
        if (this.accept('WITH')) {
          this.expect('LOCAL');
          this.zone();
          return { kind: 'TIMESTAMP_LTZ', precision: p, nullable: true };
        }
        if (this.accept('WITHOUT')) this.zone();
        return { kind: 'TIMESTAMP', precision: p, nullable: true };
      }
      case 'TIMESTAMP_LTZ': {
        const [p = 6] = this.params();
        return { kind: 'TIMESTAMP_LTZ', precision: p, nullable: true };
      }
      case 'ARRAY': {
        this.expect('<');
        const element = this.type();
        this.expect('>');
        return { kind: 'ARRAY', element, nullable: true };
      }
      case 'MAP': {
        this.expect('<');
        const key = this.type();
        this.expect(',');
        const value = this.type();
        this.expect('>');
        return { kind: 'MAP', key, value, nullable: true };
      }
      case 'ROW': {
        const close = this.accept('<') ? '>' : (this.expect('('), ')');
        const fields: RowField[] = [];
        if (!this.accept(close)) {
          do {
            let fname = this.word();
            if (fname.startsWith('`')) fname = fname.slice(1, -1).replace(/``/g, '`');
            fields.push({ name: fname, type: this.type() });
          } while (this.accept(','));
          this.expect(close);
        }
        return { kind: 'ROW', fields, nullable: true };
      }
      case 'NULL':
        return { kind: 'NULL', nullable: true };
      default:
        return this.fail(`unknown type name '${name}'`);
    }
  }

  private zone(): void {
    this.expect('TIME');
    this.expect('ZONE');
  }
}

/** Parses a type string; throws TYPE.PARSE naming the text and what was wrong. */
export function parseTypeString(text: string): LogicalType {
  const p = new TypeStringParser(text);
  const t = p.type();
  if (!p.atEnd()) p.fail(`unexpected '${p.peek()}'`);
  return t;
}
