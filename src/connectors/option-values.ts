/**
 * Typed reading of connector option values (Flink's value syntax): booleans, integers, durations
 * (`10 s`, `1min`, `500ms`, plain numbers are milliseconds) and memory sizes (`100b`, `64 kb`, `1mb`, plain
 * numbers are bytes) parsed by the shared config parsers in common/. Every error names the table and the
 * option.
 */
import { parseDurationMs, parseMemoryBytes, userError, type FloeError } from '../common/index.js';
import type { ConnectorOption } from './connector.js';

export function optionError(tableName: string, message: string, help?: string): FloeError {
  return userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': ${message}`, { help });
}

export function parseBooleanText(text: string): boolean | null {
  const l = text.trim().toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : null;
}

function parseIntegerText(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const v = Number(t);
  return Number.isSafeInteger(v) && v >= min && v <= max ? v : null;
}

/** Checks one value against its declaration; returns an error message or null. */
export function checkOptionValue(opt: ConnectorOption, value: string): string | null {
  switch (opt.type) {
    case 'string':
      return null;
    case 'boolean':
      return parseBooleanText(value) === null ? `must be 'true' or 'false'` : null;
    case 'int':
      return parseIntegerText(value, -2147483648, 2147483647) === null ? 'must be an integer (INT)' : null;
    case 'long':
      return parseIntegerText(value, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) === null ? 'must be an integer (BIGINT)' : null;
    case 'double':
      return value.trim() === '' || !Number.isFinite(Number(value)) ? 'must be a number' : null;
    case 'duration':
      return parseDurationMs(value) === null ? "must be a duration such as '10 s', '1 min' or '500 ms'" : null;
    case 'memory':
      return parseMemoryBytes(value) === null ? "must be a memory size such as '100b', '64 kb' or '128mb'" : null;
    case 'enum': {
      const allowed = opt.enumValues ?? [];
      return allowed.some((a) => a.toLowerCase() === value.trim().toLowerCase())
        ? null
        : `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
    }
  }
}

/**
 * Reads a table's options with the connector's declared defaults. Values were validated at plan time, but
 * the reader checks again (a spec may come from elsewhere) and throws the same errors.
 */
export class OptionReader {
  private readonly declared = new Map<string, ConnectorOption>();

  constructor(
    readonly tableName: string,
    readonly options: Readonly<Record<string, string>>,
    declared: readonly ConnectorOption[],
  ) {
    for (const o of declared) this.declared.set(o.key, o);
  }

  /** The raw value, else the declared default, else undefined. */
  raw(key: string): string | undefined {
    return this.options[key] ?? this.declared.get(key)?.default;
  }

  has(key: string): boolean {
    return this.options[key] !== undefined;
  }

  string(key: string): string | undefined {
    return this.raw(key);
  }

  requiredString(key: string): string {
    const v = this.raw(key);
    if (v === undefined) throw optionError(this.tableName, `required option '${key}' is missing`);
    return v;
  }

  private typed<T>(key: string, parse: (v: string) => T | null, what: string): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const r = parse(v);
    if (r === null) throw optionError(this.tableName, `option '${key}' ${what}, got '${v}'`);
    return r;
  }

  boolean(key: string): boolean {
    return this.typed(key, parseBooleanText, "must be 'true' or 'false'") ?? false;
  }

  int(key: string, min = -2147483648, max = 2147483647): number {
    const v = this.typed(key, (t) => parseIntegerText(t, min, max), `must be an integer between ${min} and ${max}`);
    if (v === undefined) throw optionError(this.tableName, `required option '${key}' is missing`);
    return v;
  }

  optionalLong(key: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.typed(key, (t) => parseIntegerText(t, min, max), `must be an integer between ${min} and ${max}`);
  }

  long(key: string, min?: number, max?: number): number {
    const v = this.optionalLong(key, min, max);
    if (v === undefined) throw optionError(this.tableName, `required option '${key}' is missing`);
    return v;
  }

  optionalDouble(key: string): number | undefined {
    return this.typed(key, (t) => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : null), 'must be a number');
  }

  durationMs(key: string): number {
    const v = this.typed(key, parseDurationMs, "must be a duration such as '10 s' or '1 min'");
    if (v === undefined) throw optionError(this.tableName, `required option '${key}' is missing`);
    return v;
  }

  memoryBytes(key: string): number {
    const v = this.typed(key, parseMemoryBytes, "must be a memory size such as '100b' or '128mb'");
    if (v === undefined) throw optionError(this.tableName, `required option '${key}' is missing`);
    return v;
  }

  enumValue<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.raw(key);
    const hit = v === undefined ? undefined : allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
    if (hit === undefined) {
      throw optionError(this.tableName, `option '${key}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${v}'`);
    }
    return hit;
  }
}
