/**
 * CSV with Flink's `csv` format semantics: RFC 4180 quoting (a quoted field may hold delimiters, quotes as
 * `""`, and newlines), no header row (Flink's csv format has no header option), `csv.*` options.
 *
 * NULL handling (Flink writes NULL as an empty field; we keep that and make the round trip exact):
 * - without `csv.null-literal`: an *unquoted* empty field is NULL for every type; a quoted empty field
 *   (`""`) is the empty string. The encoder writes NULL as nothing and `''` as `""`.
 * - with `csv.null-literal` = L: an unquoted field equal to L is NULL; an unquoted empty field is `''` for
 *   string columns and NULL for others. The encoder writes NULL as L and quotes strings equal to L.
 * Blank lines are skipped. ARRAY and ROW values are their elements joined by `csv.array-element-delimiter`
 * (Flink's convention); elements cannot be quoted, so an empty element is NULL (or, with a null literal,
 * the literal is NULL) and an ARRAY holding one NULL reads back as an empty ARRAY unless a null literal is
 * set. BYTES are base64 (as Flink's CSV writes them).
 */
import { BatchBuilder, columnStorageOf, type LogicalType, type RecordBatch, type RowType } from '../types/index.js';
import { FloeError, userError } from '../common/index.js';
import { expectedFound, parseError, type DecodeLocation, type RecordDecoder, type RecordEncoder } from './file-format.js';
import { formatValueText, parseValueText } from './value-text.js';

export interface CsvFormatOptions {
  readonly fieldDelimiter: string;
  /** null when quoting is disabled (`csv.disable-quote-character`). */
  readonly quoteCharacter: string | null;
  readonly allowComments: boolean;
  readonly ignoreParseErrors: boolean;
  readonly arrayElementDelimiter: string;
  readonly escapeCharacter: string | null;
  readonly nullLiteral: string | null;
}

export const DEFAULT_CSV_OPTIONS: CsvFormatOptions = {
  fieldDelimiter: ',',
  quoteCharacter: '"',
  allowComments: false,
  ignoreParseErrors: false,
  arrayElementDelimiter: ';',
  escapeCharacter: null,
  nullLiteral: null,
};

/** Flink lets `'\t'` (backslash-t, as typed in SQL) mean a tab; other values must be one character. */
function singleChar(key: string, value: string): string {
  const v = value === '\\t' ? '\t' : value;
  if (v.length !== 1) {
    throw userError('PLAN.CONNECTOR_OPTION', `option '${key}' must be a single character, got '${value}'`);
  }
  return v;
}

function bool(key: string, value: string | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  const l = value.trim().toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw userError('PLAN.CONNECTOR_OPTION', `option '${key}' must be 'true' or 'false', got '${value}'`);
}

/** Reads `csv.*` keys (Flink's names) from a table's options. */
export function csvFormatOptions(options: Readonly<Record<string, string>>): CsvFormatOptions {
  const o = options;
  const disableQuote = bool('csv.disable-quote-character', o['csv.disable-quote-character'], false);
  const quote = o['csv.quote-character'];
  if (disableQuote && quote !== undefined) {
    throw userError('PLAN.CONNECTOR_OPTION', "options 'csv.disable-quote-character' and 'csv.quote-character' cannot both be set");
  }
  const opts: CsvFormatOptions = {
    fieldDelimiter: o['csv.field-delimiter'] === undefined ? ',' : singleChar('csv.field-delimiter', o['csv.field-delimiter']),
    quoteCharacter: disableQuote ? null : quote === undefined ? '"' : singleChar('csv.quote-character', quote),
    allowComments: bool('csv.allow-comments', o['csv.allow-comments'], false),
    ignoreParseErrors: bool('csv.ignore-parse-errors', o['csv.ignore-parse-errors'], false),
    arrayElementDelimiter: o['csv.array-element-delimiter'] ?? ';',
    escapeCharacter: o['csv.escape-character'] === undefined ? null : singleChar('csv.escape-character', o['csv.escape-character']),
    nullLiteral: o['csv.null-literal'] ?? null,
  };
  if (opts.arrayElementDelimiter.length === 0) {
    throw userError('PLAN.CONNECTOR_OPTION', "option 'csv.array-element-delimiter' must not be empty");
  }
  if (opts.quoteCharacter !== null && opts.quoteCharacter === opts.fieldDelimiter) {
    throw userError('PLAN.CONNECTOR_OPTION', "options 'csv.quote-character' and 'csv.field-delimiter' must differ");
  }
  return opts;
}

const NL = 10;
const CR = 13;

/** Result of scanning one record in the buffer. */
const enum Scan {
  Record,
  Skip,
  NeedMore,
  Malformed,
}

/** Type kinds whose value the decoder converts itself (the common ones); the rest go to parseValueText. */
const enum Conv {
  String,
  Int,
  BigInt,
  Double,
  Boolean,
  Bytes,
  Composite,
  Text,
}

function convOf(type: LogicalType): Conv {
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return Conv.String;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return Conv.Int;
    case 'BIGINT':
      return Conv.BigInt;
    case 'FLOAT':
    case 'DOUBLE':
      return Conv.Double;
    case 'BOOLEAN':
      return Conv.Boolean;
    case 'BINARY':
    case 'VARBINARY':
      return Conv.Bytes;
    case 'ARRAY':
    case 'ROW':
      return Conv.Composite;
    default:
      return Conv.Text;
  }
}

const INT_LIMITS: Readonly<Record<string, number>> = { TINYINT: 128, SMALLINT: 32768, INT: 2147483648 };

/** Strict decimal integer text (optional sign, digits, surrounding blanks allowed as Flink trims). */
function parseIntegerText(text: string): number {
  const t = text.trim();
  let i = 0;
  const n = t.length;
  if (n === 0) return NaN;
  const c0 = t.charCodeAt(0);
  if (c0 === 43 || c0 === 45) i = 1;
  if (i === n) return NaN;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  return Number(t);
}

export class CsvDecoder implements RecordDecoder {
  private buf = '';
  private pos = 0;
  /** 1-based line number of `pos`. */
  private line = 1;
  private ended = false;
  private skippedCount = 0;
  private readonly fields: string[] = [];
  private readonly quoted: boolean[] = [];
  private fieldCount = 0;
  private recordLine = 1;
  private malformedDetail = '';
  /** True after a structural error until the end of that physical line has been skipped. */
  private skipping = false;
  private readonly types: readonly LogicalType[];
  private readonly convs: readonly Conv[];
  private readonly values: unknown[];
  private readonly delim: number;
  private readonly quote: number;
  private readonly escape: number;

  constructor(
    private readonly rowType: RowType,
    private readonly opts: CsvFormatOptions,
    private readonly loc: DecodeLocation,
  ) {
    this.types = rowType.fields.map((f) => f.type);
    this.convs = this.types.map(convOf);
    this.values = new Array<unknown>(this.types.length);
    this.delim = opts.fieldDelimiter.charCodeAt(0);
    this.quote = opts.quoteCharacter === null ? -1 : opts.quoteCharacter.charCodeAt(0);
    this.escape = opts.escapeCharacter === null ? -1 : opts.escapeCharacter.charCodeAt(0);
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
    while (appended < maxRows) {
      const s = this.scanRecord();
      if (s === Scan.NeedMore) break;
      if (s === Scan.Skip) continue;
      if (s === Scan.Malformed) {
        if (!this.opts.ignoreParseErrors) throw parseError(this.loc, this.recordLine, null, this.malformedDetail);
        this.skippedCount++;
        continue;
      }
      if (this.convertRecord()) {
        builder.appendRow(this.values);
        appended++;
      } else {
        this.skippedCount++;
      }
    }
    return appended;
  }

  /**
   * Scans the record at `pos` into `fields`/`quoted`. Leaves `pos` untouched when the record is not complete
   * yet (more input may follow), so a record split across chunks is rescanned once the next chunk arrives.
   */
  private scanRecord(): Scan {
    const buf = this.buf;
    const n = buf.length;
    if (this.skipping) {
      // After a malformed record: drop text up to the end of its line, which may arrive in a later chunk.
      const nl = buf.indexOf('\n', this.pos);
      if (nl < 0) {
        this.pos = n;
        if (this.ended) this.skipping = false;
        return Scan.NeedMore;
      }
      this.pos = nl + 1;
      this.line++;
      this.skipping = false;
    }
    let i = this.pos;
    if (i >= n) return Scan.NeedMore;
    let lines = 0;
    const c0 = buf.charCodeAt(i);
    // Blank line (also a lone trailing \r\n). A '\r' at the very end may be the first half of '\r\n'.
    if (c0 === NL || c0 === CR) {
      if (c0 === CR && i + 1 === n && !this.ended) return Scan.NeedMore;
      i += c0 === CR && buf.charCodeAt(i + 1) === NL ? 2 : 1;
      this.pos = i;
      this.line++;
      return Scan.Skip;
    }
    if (this.opts.allowComments && c0 === 35 /* # */) {
      const nl = buf.indexOf('\n', i);
      if (nl < 0 && !this.ended) return Scan.NeedMore;
      this.pos = nl < 0 ? n : nl + 1;
      this.line++;
      return Scan.Skip;
    }
    this.recordLine = this.line;
    const delim = this.delim;
    const quote = this.quote;
    const escape = this.escape;
    let count = 0;
    for (;;) {
      let text: string;
      let isQuoted = false;
      if (i < n && buf.charCodeAt(i) === quote) {
        isQuoted = true;
        i++;
        let out = '';
        let start = i;
        for (;;) {
          if (i >= n) {
            if (!this.ended) return Scan.NeedMore;
            return this.malformed(i, lines, 'unterminated quoted field (a quote character opens a field that never closes)');
          }
          const c = buf.charCodeAt(i);
          if (c === quote) {
            if (i + 1 >= n && !this.ended) return Scan.NeedMore;
            if (buf.charCodeAt(i + 1) === quote) {
              out += buf.slice(start, i + 1);
              i += 2;
              start = i;
              continue;
            }
            out += buf.slice(start, i);
            i++;
            break;
          }
          if (c === escape) {
            if (i + 1 >= n) {
              if (!this.ended) return Scan.NeedMore;
              return this.malformed(i, lines, 'escape character at end of input');
            }
            out += buf.slice(start, i);
            i++;
            start = i;
            if (buf.charCodeAt(i) === NL) lines++;
            i++;
            continue;
          }
          if (c === NL) lines++;
          i++;
        }
        text = out;
        if (i < n) {
          const c = buf.charCodeAt(i);
          if (c !== delim && c !== NL && c !== CR) {
            return this.malformed(i, lines, `unexpected character '${buf[i]}' after a closing quote`);
          }
        }
      } else {
        const start = i;
        let out: string | null = null;
        let segStart = start;
        while (i < n) {
          const c = buf.charCodeAt(i);
          if (c === delim || c === NL || c === CR) break;
          if (c === escape) {
            if (i + 1 >= n) {
              if (!this.ended) return Scan.NeedMore;
              return this.malformed(i, lines, 'escape character at end of input');
            }
            out = (out ?? '') + buf.slice(segStart, i);
            if (buf.charCodeAt(i + 1) === NL) lines++;
            i += 2;
            segStart = i - 1;
            continue;
          }
          i++;
        }
        text = out === null ? buf.slice(start, i) : out + buf.slice(segStart, i);
      }
      if (count === this.fields.length) {
        this.fields.push(text);
        this.quoted.push(isQuoted);
      } else {
        this.fields[count] = text;
        this.quoted[count] = isQuoted;
      }
      count++;
      if (i >= n) {
        // End of buffer: the record ends here only if the input ended.
        if (!this.ended) return Scan.NeedMore;
        break;
      }
      const c = buf.charCodeAt(i);
      if (c === delim) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= n && !this.ended) return Scan.NeedMore;
        i += buf.charCodeAt(i + 1) === NL ? 2 : 1;
      } else {
        i++; // NL
      }
      lines++;
      break;
    }
    this.fieldCount = count;
    this.pos = i;
    this.line += lines;
    return Scan.Record;
  }

  /** Reports a structural error at `i`; the rest of the physical line is skipped by the next scan. */
  private malformed(i: number, lines: number, detail: string): Scan {
    this.pos = i;
    this.line += lines;
    this.skipping = true;
    this.malformedDetail = detail;
    return Scan.Malformed;
  }

  /** Converts the scanned fields into `values`; false when the record was skipped (ignore-parse-errors). */
  private convertRecord(): boolean {
    const ncols = this.types.length;
    if (this.fieldCount !== ncols) {
      if (this.opts.ignoreParseErrors) return false;
      const col = this.fieldCount < ncols ? this.fieldCount : ncols;
      const detail =
        this.fieldCount < ncols
          ? `expected ${ncols} columns, found ${this.fieldCount}`
          : `expected ${ncols} columns, found ${this.fieldCount} (check 'csv.field-delimiter' and quoting)`;
      const column = col < ncols ? { name: this.rowType.fields[col]!.name, index: col } : null;
      throw parseError(this.loc, this.recordLine, column, detail);
    }
    for (let c = 0; c < ncols; c++) {
      const text = this.fields[c]!;
      const type = this.types[c]!;
      const conv = this.convs[c]!;
      if (!this.quoted[c]) {
        const nl = this.opts.nullLiteral;
        if (nl !== null ? text === nl || (text.length === 0 && conv !== Conv.String) : text.length === 0) {
          if (!type.nullable) return this.fail(c, `NULL value for NOT NULL column of type ${type.kind}`);
          this.values[c] = null;
          continue;
        }
      }
      const v = this.convertValue(text, type, conv);
      if (v === undefined) return this.fail(c, expectedFound(type, text));
      this.values[c] = v;
    }
    return true;
  }

  /** The value, or undefined when `text` is not a valid `type` literal. */
  private convertValue(text: string, type: LogicalType, conv: Conv): unknown {
    switch (conv) {
      case Conv.String:
        return text;
      case Conv.Int: {
        const v = parseIntegerText(text);
        const lim = INT_LIMITS[type.kind]!;
        return v >= -lim && v < lim ? v : undefined;
      }
      case Conv.BigInt: {
        const v = parseIntegerText(text);
        return Number.isSafeInteger(v) ? v : undefined;
      }
      case Conv.Double:
      case Conv.Boolean:
      case Conv.Text:
        return this.viaValueText(text, type);
      case Conv.Bytes: {
        const t = text.trim();
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
        return new Uint8Array(Buffer.from(t, 'base64'));
      }
      case Conv.Composite: {
        const parts = text.length === 0 ? [] : text.split(this.opts.arrayElementDelimiter);
        const elementTypes = type.kind === 'ARRAY' ? null : (type as LogicalType & { kind: 'ROW' }).fields.map((f) => f.type);
        if (elementTypes !== null && parts.length !== elementTypes.length) return undefined;
        const out = new Array<unknown>(parts.length);
        for (let k = 0; k < parts.length; k++) {
          const p = parts[k]!;
          const et = elementTypes === null ? (type as LogicalType & { kind: 'ARRAY' }).element : elementTypes[k]!;
          const nl = this.opts.nullLiteral;
          if (p === (nl ?? '') || (p.length === 0 && et.kind !== 'CHAR' && et.kind !== 'VARCHAR')) {
            out[k] = null;
            continue;
          }
          const v = this.convertValue(p, et, convOf(et));
          if (v === undefined) return undefined;
          out[k] = v;
        }
        return out;
      }
    }
  }

  private viaValueText(text: string, type: LogicalType): unknown {
    try {
      return parseValueText(text, type);
    } catch (e) {
      if (e instanceof FloeError && e.kind !== 'internal') return undefined;
      throw e;
    }
  }

  private fail(col: number, detail: string): false {
    if (this.opts.ignoreParseErrors) return false;
    throw parseError(this.loc, this.recordLine, { name: this.rowType.fields[col]!.name, index: col }, detail);
  }
}

/** Encodes rows as CSV lines that `CsvDecoder` with the same options reads back to the same values. */
export class CsvEncoder implements RecordEncoder {
  readonly extension = 'csv';
  private readonly types: readonly LogicalType[];
  private readonly needsQuote: RegExp;

  constructor(
    rowType: RowType,
    private readonly opts: CsvFormatOptions,
  ) {
    this.types = rowType.fields.map((f) => f.type);
    const esc = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
    const special = [opts.fieldDelimiter, '\n', '\r', opts.quoteCharacter ?? '', opts.escapeCharacter ?? ''].filter((s) => s !== '');
    this.needsQuote = new RegExp(`[${special.map(esc).join('')}]`);
  }

  encodeBatch(batch: RecordBatch): string {
    const n = batch.numRows;
    const cols = batch.columns;
    const ncols = this.types.length;
    const lines = new Array<string>(n);
    const storages = this.types.map(columnStorageOf);
    for (let r = 0; r < n; r++) {
      let line = '';
      for (let c = 0; c < ncols; c++) {
        if (c > 0) line += this.opts.fieldDelimiter;
        const col = cols[c]!;
        if (col.nulls !== null && col.nulls[r] === 1) {
          line += this.opts.nullLiteral ?? '';
          continue;
        }
        const v = col.data[r];
        if (storages[c] === 'object' && v === null) {
          line += this.opts.nullLiteral ?? '';
          continue;
        }
        line += this.encodeField(this.formatValue(v, this.types[c]!), this.types[c]!, c === 0);
      }
      lines[r] = line;
    }
    return n === 0 ? '' : lines.join('\n') + '\n';
  }

  private formatValue(v: unknown, type: LogicalType): string {
    switch (type.kind) {
      case 'CHAR':
      case 'VARCHAR':
        return v as string;
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'BIGINT':
        return String(v);
      case 'BOOLEAN':
        return v === 1 || v === true ? 'true' : 'false';
      case 'BINARY':
      case 'VARBINARY':
        return Buffer.from(v as Uint8Array).toString('base64');
      case 'ARRAY':
      case 'ROW': {
        const arr = v as unknown[];
        const parts = new Array<string>(arr.length);
        for (let k = 0; k < arr.length; k++) {
          const et = type.kind === 'ARRAY' ? type.element : type.fields[k]!.type;
          const e = arr[k];
          parts[k] = e === null || e === undefined ? (this.opts.nullLiteral ?? '') : this.formatValue(e, et);
        }
        return parts.join(this.opts.arrayElementDelimiter);
      }
      default:
        return formatValueText(v, type);
    }
  }

  /** Quotes when the text would otherwise read back differently (special chars, empty vs NULL, comments). */
  private encodeField(text: string, type: LogicalType, first: boolean): string {
    const q = this.opts.quoteCharacter;
    const isString = type.kind === 'CHAR' || type.kind === 'VARCHAR' || type.kind === 'ARRAY' || type.kind === 'ROW';
    const mustQuote =
      this.needsQuote.test(text) ||
      (isString && (text.length === 0 || text === this.opts.nullLiteral)) ||
      (first && this.opts.allowComments && text.startsWith('#'));
    if (!mustQuote) return text;
    const e = this.opts.escapeCharacter;
    if (q !== null) {
      // Inside quotes the escape character still escapes (decoder rule), so it must escape itself.
      const body = e === null ? text : text.split(e).join(e + e);
      return q + body.split(q).join(q + q) + q;
    }
    if (e !== null) return text.replace(new RegExp(this.needsQuote.source, 'g'), (m) => e + m);
    throw userError(
      'FORMAT.ENCODE',
      `cannot write '${text.slice(0, 40)}' as CSV without quoting: set 'csv.escape-character' or enable 'csv.quote-character'`,
    );
  }
}

/** Convenience for tests and small inputs: decodes a whole string. */
export function decodeCsvText(text: string, rowType: RowType, opts: CsvFormatOptions, loc: DecodeLocation): { batch: RecordBatch; skipped: number } {
  const d = new CsvDecoder(rowType, opts, loc);
  const b = new BatchBuilder(rowType);
  d.feed(text);
  d.end();
  while (d.decodeInto(b, 1 << 30) > 0) {
    /* drain */
  }
  return { batch: b.finish(), skipped: d.skipped };
}
