/**
 * JSON Lines with Flink's `json` format semantics: one JSON object per line, fields matched by column name,
 * `json.*` options. Values: numbers as JSON numbers (also accepted as numeric strings, as Flink does),
 * DECIMAL written as a plain number, TIMESTAMP as text in the SQL (`2024-01-01 12:00:00.000`) or ISO-8601
 * (`2024-01-01T12:00:00.000`) standard, TIMESTAMP_LTZ with a trailing `Z`, DATE/TIME as text, BYTES base64,
 * ARRAY as arrays, MAP and ROW as objects. A non-text JSON value read into a STRING column becomes its JSON
 * text. Non-finite DOUBLEs are written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no
 * literal for them) and read back from those strings.
 */
import { BatchBuilder, columnStorageOf, type LogicalType, type RecordBatch, type RowType } from '../types/index.js';
import { FloeError, userError } from '../common/index.js';
import { expectedFound, parseError, type DecodeLocation, type RecordDecoder, type RecordEncoder } from './file-format.js';
import { formatValueText, parseValueText } from './value-text.js';

export type TimestampStandard = 'SQL' | 'ISO-8601';
export type MapNullKeyMode = 'FAIL' | 'DROP' | 'LITERAL';

export interface JsonFormatOptions {
  readonly failOnMissingField: boolean;
  readonly ignoreParseErrors: boolean;
  readonly timestampStandard: TimestampStandard;
  readonly mapNullKeyMode: MapNullKeyMode;
  readonly mapNullKeyLiteral: string;
  /** Accepted for compatibility: DECIMALs are always written as plain numbers. */
  readonly decimalAsPlainNumber: boolean;
  readonly ignoreNullFields: boolean;
}

export const DEFAULT_JSON_OPTIONS: JsonFormatOptions = {
  failOnMissingField: false,
  ignoreParseErrors: false,
  timestampStandard: 'SQL',
  mapNullKeyMode: 'FAIL',
  mapNullKeyLiteral: 'null',
  decimalAsPlainNumber: false,
  ignoreNullFields: false,
};

function bool(key: string, value: string | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  const l = value.trim().toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw userError('PLAN.CONNECTOR_OPTION', `option '${key}' must be 'true' or 'false', got '${value}'`);
}

function oneOf<T extends string>(key: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  const v = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (v === undefined) throw userError('PLAN.CONNECTOR_OPTION', `option '${key}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${value}'`);
  return v;
}

/** Reads `json.*` keys (Flink's names) from a table's options. */
/**
 * Reads the JSON format options. `prefix` is the format's option prefix: `json.` for `'format' = 'json'`,
 * `debezium-json.` for the Debezium changelog format, whose row objects use the same options.
 */
export function jsonFormatOptions(options: Readonly<Record<string, string>>, prefix = 'json.'): JsonFormatOptions {
  const o = (k: string): string | undefined => options[prefix + k];
  const opts: JsonFormatOptions = {
    failOnMissingField: bool(prefix + 'fail-on-missing-field', o('fail-on-missing-field'), false),
    ignoreParseErrors: bool(prefix + 'ignore-parse-errors', o('ignore-parse-errors'), false),
    timestampStandard: oneOf(prefix + 'timestamp-format.standard', o('timestamp-format.standard'), ['SQL', 'ISO-8601'] as const, 'SQL'),
    mapNullKeyMode: oneOf(prefix + 'map-null-key.mode', o('map-null-key.mode'), ['FAIL', 'DROP', 'LITERAL'] as const, 'FAIL'),
    mapNullKeyLiteral: o('map-null-key.literal') ?? 'null',
    decimalAsPlainNumber: bool(prefix + 'encode.decimal-as-plain-number', o('encode.decimal-as-plain-number'), false),
    ignoreNullFields: bool(prefix + 'encode.ignore-null-fields', o('encode.ignore-null-fields'), false),
  };
  if (opts.failOnMissingField && opts.ignoreParseErrors) {
    // Flink rejects this combination too: a missing field could not both fail and be skipped.
    throw userError('PLAN.CONNECTOR_OPTION', `options '${prefix}fail-on-missing-field' and '${prefix}ignore-parse-errors' cannot both be 'true'`);
  }
  return opts;
}

/** Thrown inside conversion; turned into a FORMAT.PARSE error with location by the decoder. */
class ConversionError {
  constructor(readonly detail: string) {}
}

const INT_LIMITS: Readonly<Record<string, number>> = { TINYINT: 128, SMALLINT: 32768, INT: 2147483648 };

export class JsonLinesDecoder implements RecordDecoder {
  private buf = '';
  private pos = 0;
  private line = 1;
  private ended = false;
  private skippedCount = 0;
  private readonly names: readonly string[];
  private readonly types: readonly LogicalType[];
  private readonly values: unknown[];

  constructor(
    private readonly rowType: RowType,
    private readonly opts: JsonFormatOptions,
    private readonly loc: DecodeLocation,
  ) {
    this.names = rowType.fields.map((f) => f.name);
    this.types = rowType.fields.map((f) => f.type);
    this.values = new Array<unknown>(this.types.length);
  }

  get skipped(): number {
    return this.skippedCount;
  }

  feed(text: string): void {
    this.buf = this.pos === this.buf.length ? text : this.buf.slice(this.pos) + text;
    this.pos = 0;
  }

  end(): void {
    this.ended = true;
  }

  decodeInto(builder: BatchBuilder, maxRows: number): number {
    let appended = 0;
    const buf = this.buf;
    while (appended < maxRows && this.pos < buf.length) {
      let nl = buf.indexOf('\n', this.pos);
      if (nl < 0) {
        if (!this.ended) break;
        nl = buf.length;
      }
      const text = buf.slice(this.pos, nl);
      const line = this.line;
      this.pos = nl + 1;
      this.line++;
      if (text.trim().length === 0) continue;
      if (this.decodeLine(text, line)) {
        builder.appendRow(this.values);
        appended++;
      } else {
        this.skippedCount++;
      }
    }
    if (this.pos > buf.length) this.pos = buf.length;
    return appended;
  }

  private decodeLine(text: string, line: number): boolean {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      return this.fail(line, null, `invalid JSON: ${(e as Error).message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return this.fail(line, null, 'expected a JSON object');
    const rec = obj as Record<string, unknown>;
    for (let c = 0; c < this.types.length; c++) {
      const raw = rec[this.names[c]!];
      const type = this.types[c]!;
      if (raw === undefined && this.opts.failOnMissingField) return this.fail(line, c, 'field is missing');
      if (raw === undefined || raw === null) {
        if (!type.nullable) return this.fail(line, c, `NULL value for NOT NULL column of type ${type.kind}`);
        this.values[c] = null;
        continue;
      }
      try {
        this.values[c] = this.convert(raw, type);
      } catch (e) {
        if (e instanceof ConversionError) return this.fail(line, c, e.detail);
        throw e;
      }
    }
    return true;
  }

  private convert(v: unknown, type: LogicalType): unknown {
    if (v === null || v === undefined) return null;
    switch (type.kind) {
      case 'CHAR':
      case 'VARCHAR':
        return typeof v === 'string' ? v : JSON.stringify(v);
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'BIGINT': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : NaN;
        const ok = type.kind === 'BIGINT' ? Number.isSafeInteger(n) : Number.isInteger(n) && n >= -INT_LIMITS[type.kind]! && n < INT_LIMITS[type.kind]!;
        if (!ok) throw new ConversionError(expectedFound(type, shown(v)));
        return n;
      }
      case 'FLOAT':
      case 'DOUBLE':
        if (typeof v === 'number') return type.kind === 'FLOAT' ? Math.fround(v) : v;
        if (typeof v === 'string') return this.text(v, type);
        throw new ConversionError(expectedFound(type, shown(v)));
      case 'BOOLEAN':
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string') return this.text(v, type);
        throw new ConversionError(expectedFound(type, shown(v)));
      case 'DECIMAL':
        if (typeof v === 'number' || typeof v === 'string') return this.text(String(v), type);
        throw new ConversionError(expectedFound(type, shown(v)));
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ': {
        if (typeof v !== 'string') throw new ConversionError(expectedFound(type, shown(v)));
        const sep = this.opts.timestampStandard === 'SQL' ? ' ' : 'T';
        const m = /^(\d{4}-\d{2}-\d{2})([ T])(.*)$/.exec(v);
        if (m === null || m[2] !== sep) {
          throw new ConversionError(`${expectedFound(type, v)} (timestamp format standard '${this.opts.timestampStandard}')`);
        }
        let rest = m[3]!;
        if (type.kind === 'TIMESTAMP_LTZ') {
          if (!rest.endsWith('Z')) throw new ConversionError(`${expectedFound(type, v)} (TIMESTAMP_LTZ text ends with 'Z')`);
          rest = rest.slice(0, -1);
        }
        return this.text(`${m[1]} ${rest}`, { kind: 'TIMESTAMP', precision: type.precision, nullable: true });
      }
      case 'BINARY':
      case 'VARBINARY':
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new ConversionError(expectedFound(type, shown(v)));
        return new Uint8Array(Buffer.from(v, 'base64'));
      case 'ARRAY': {
        if (!Array.isArray(v)) throw new ConversionError(expectedFound(type, shown(v)));
        return v.map((e) => this.convert(e, type.element));
      }
      case 'ROW': {
        if (typeof v !== 'object' || Array.isArray(v)) throw new ConversionError(expectedFound(type, shown(v)));
        const o = v as Record<string, unknown>;
        return type.fields.map((f) => {
          const e = o[f.name];
          if (e === undefined && this.opts.failOnMissingField) throw new ConversionError(`nested field '${f.name}' is missing`);
          return this.convert(e, f.type);
        });
      }
      case 'MAP': {
        if (typeof v !== 'object' || Array.isArray(v)) throw new ConversionError(expectedFound(type, shown(v)));
        const out = new Map<unknown, unknown>();
        for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
          out.set(this.convert(k, type.key), this.convert(e, type.value));
        }
        return out;
      }
      default:
        return this.text(typeof v === 'string' ? v : JSON.stringify(v), type);
    }
  }

  private text(text: string, type: LogicalType): unknown {
    try {
      return parseValueText(text, type);
    } catch (e) {
      if (e instanceof FloeError && e.kind !== 'internal') throw new ConversionError(expectedFound(type, text));
      throw e;
    }
  }

  private fail(line: number, col: number | null, detail: string): false {
    if (this.opts.ignoreParseErrors) return false;
    throw parseError(this.loc, line, col === null ? null : { name: this.names[col]!, index: col }, detail);
  }
}

function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Encodes rows as JSON objects, one per line, keyed by column name. */
export class JsonLinesEncoder implements RecordEncoder {
  readonly extension = 'json';
  private readonly keys: readonly string[];
  private readonly types: readonly LogicalType[];

  constructor(
    rowType: RowType,
    private readonly opts: JsonFormatOptions,
  ) {
    this.keys = rowType.fields.map((f) => JSON.stringify(f.name) + ':');
    this.types = rowType.fields.map((f) => f.type);
    this.storages = this.types.map(columnStorageOf);
  }

  private readonly storages: readonly string[];

  encodeBatch(batch: RecordBatch): string {
    const n = batch.numRows;
    const lines = new Array<string>(n);
    for (let r = 0; r < n; r++) lines[r] = this.encodeRow(batch, r);
    return n === 0 ? '' : lines.join('\n') + '\n';
  }

  /** Row `r` of `batch` as one JSON object (no newline). */
  encodeRow(batch: RecordBatch, r: number): string {
    let line = '{';
    let first = true;
    for (let c = 0; c < this.types.length; c++) {
      const col = batch.columns[c]!;
      const isNull = col.nulls !== null ? col.nulls[r] === 1 : this.storages[c] === 'object' && col.data[r] === null;
      if (isNull && this.opts.ignoreNullFields) continue;
      if (!first) line += ',';
      first = false;
      line += this.keys[c]!;
      line += isNull ? 'null' : this.encodeValue(col.data[r], this.types[c]!);
    }
    return line + '}';
  }

  private encodeValue(v: unknown, type: LogicalType): string {
    if (v === null || v === undefined) return 'null';
    switch (type.kind) {
      case 'CHAR':
      case 'VARCHAR':
        return JSON.stringify(v);
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'BIGINT':
        return String(v);
      case 'FLOAT':
      case 'DOUBLE': {
        const d = v as number;
        if (!Number.isFinite(d)) return `"${formatValueText(d, type)}"`;
        return Object.is(d, -0) ? '-0' : String(d);
      }
      case 'BOOLEAN':
        return v === 1 || v === true ? 'true' : 'false';
      case 'DECIMAL':
        return formatValueText(v, type);
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ': {
        let t = formatValueText(v, type);
        if (this.opts.timestampStandard === 'ISO-8601') t = t.replace(' ', 'T');
        return JSON.stringify(type.kind === 'TIMESTAMP_LTZ' ? t + 'Z' : t);
      }
      case 'BINARY':
      case 'VARBINARY':
        return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
      case 'ARRAY':
        return '[' + (v as unknown[]).map((e) => this.encodeValue(e, type.element)).join(',') + ']';
      case 'ROW':
        return '{' + type.fields.map((f, i) => JSON.stringify(f.name) + ':' + this.encodeValue((v as unknown[])[i], f.type)).join(',') + '}';
      case 'MAP': {
        const parts: string[] = [];
        for (const [k, e] of v as Map<unknown, unknown>) {
          let key: string;
          if (k === null || k === undefined) {
            if (this.opts.mapNullKeyMode === 'DROP') continue;
            if (this.opts.mapNullKeyMode === 'FAIL') {
              throw userError('FORMAT.ENCODE', "JSON map keys cannot be NULL: set 'json.map-null-key.mode' to 'DROP' or 'LITERAL'");
            }
            key = this.opts.mapNullKeyLiteral;
          } else {
            key = type.key.kind === 'CHAR' || type.key.kind === 'VARCHAR' ? (k as string) : formatValueText(k, type.key);
          }
          parts.push(JSON.stringify(key) + ':' + this.encodeValue(e, type.value));
        }
        return '{' + parts.join(',') + '}';
      }
      default:
        return JSON.stringify(formatValueText(v, type));
    }
  }
}

/** Convenience for tests and small inputs: decodes a whole string. */
export function decodeJsonLinesText(text: string, rowType: RowType, opts: JsonFormatOptions, loc: DecodeLocation): { batch: RecordBatch; skipped: number } {
  const d = new JsonLinesDecoder(rowType, opts, loc);
  const b = new BatchBuilder(rowType);
  d.feed(text);
  d.end();
  while (d.decodeInto(b, 1 << 30) > 0) {
    /* drain */
  }
  return { batch: b.finish(), skipped: d.skipped };
}
