/**
 * Per-field generators of the `datagen` connector, configured by Flink's `fields.<name>.<option>` keys:
 * `kind` (random | sequence), `min`, `max`, `max-past`, `length`, `var-len`, `start`, `end`, `null-rate`.
 *
 * Determinism: every row draws from an `EventRandom` reseeded with (seed, row number), fields in column
 * order, so a row's values do not depend on the split that produced it. Sequence fields take
 * `start + row`. Exception (as in Flink): random TIMESTAMP/TIMESTAMP_LTZ/DATE values are the wall clock
 * minus a random amount up to `max-past`, so they follow processing time.
 */
import { parseDurationMs } from '../../common/index.js';
import { formatType, parseValueText, type LogicalType, type RowType } from '../../types/index.js';
import { EventRandom } from '../nexmark/event-random.js';
import { optionError, parseBooleanText } from '../option-values.js';

export const FIELD_OPTION_NAMES = ['kind', 'min', 'max', 'max-past', 'length', 'var-len', 'start', 'end', 'null-rate'] as const;
export type FieldOptionName = (typeof FIELD_OPTION_NAMES)[number];

/** Produces the value of one field for one row (the PRNG is already positioned for the row). */
export interface FieldGenerator {
  readonly kind: 'random' | 'sequence';
  /** Number of values a sequence yields (end − start + 1); Infinity for random fields. */
  readonly size: number;
  value(row: number, rnd: EventRandom, now: number): unknown;
}

const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  // BIGINT values are JS numbers: the default range is the exactly representable one.
  BIGINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const HEX = '0123456789abcdef';

function hexString(rnd: EventRandom, len: number): string {
  let s = '';
  let bits = 0;
  let left = 0;
  for (let i = 0; i < len; i++) {
    if (left === 0) {
      bits = rnd.nextUint32();
      left = 8;
    }
    s += HEX[bits & 15];
    bits >>>= 4;
    left--;
  }
  return s;
}

/** Reads the `fields.<name>.*` keys of one field, with errors naming the table and key. */
class FieldOptions {
  constructor(
    private readonly tableName: string,
    private readonly path: string,
    private readonly values: ReadonlyMap<string, string>,
  ) {}

  key(opt: FieldOptionName): string {
    return `fields.${this.path}.${opt}`;
  }

  raw(opt: FieldOptionName): string | undefined {
    return this.values.get(opt);
  }

  number(opt: FieldOptionName, type: LogicalType): number | undefined {
    const v = this.raw(opt);
    if (v === undefined) return undefined;
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n)) throw optionError(this.tableName, `option '${this.key(opt)}' must be a ${formatType(type)} value, got '${v}'`);
    return n;
  }

  error(message: string): Error {
    return optionError(this.tableName, message);
  }
}

function integerGenerator(type: LogicalType, o: FieldOptions, kind: 'random' | 'sequence'): FieldGenerator {
  const [lo, hi] = INT_RANGE[type.kind]!;
  const check = (opt: FieldOptionName, v: number | undefined): number | undefined => {
    if (v !== undefined && (!Number.isInteger(v) || v < lo || v > hi)) {
      throw o.error(`option '${o.key(opt)}' must be an integer in the ${type.kind} range [${lo}, ${hi}], got '${o.raw(opt)}'`);
    }
    return v;
  };
  if (kind === 'sequence') {
    const start = check('start', o.number('start', type))!;
    const end = check('end', o.number('end', type))!;
    return { kind, size: end - start + 1, value: (row) => start + row };
  }
  const min = check('min', o.number('min', type)) ?? lo;
  const max = check('max', o.number('max', type)) ?? hi;
  if (min > max) throw o.error(`option '${o.key('min')}' (${min}) is greater than '${o.key('max')}' (${max})`);
  const span = max - min + 1;
  return { kind, size: Infinity, value: (_row, rnd) => min + rnd.nextLong(span) };
}

function floatGenerator(type: LogicalType, o: FieldOptions, kind: 'random' | 'sequence'): FieldGenerator {
  const isFloat = type.kind === 'FLOAT';
  const round = isFloat ? Math.fround : (x: number): number => x;
  if (kind === 'sequence') {
    const start = o.number('start', type)!;
    const end = o.number('end', type)!;
    return { kind, size: Math.floor(end - start) + 1, value: (row) => round(start + row) };
  }
  // Flink's defaults: the type's smallest positive value to its largest.
  const min = o.number('min', type) ?? (isFloat ? 1.401298464324817e-45 : Number.MIN_VALUE);
  const max = o.number('max', type) ?? (isFloat ? 3.4028234663852886e38 : Number.MAX_VALUE);
  if (min > max) throw o.error(`option '${o.key('min')}' (${min}) is greater than '${o.key('max')}' (${max})`);
  return { kind, size: Infinity, value: (_row, rnd) => round(min + rnd.nextDouble() * (max - min)) };
}

function decimalGenerator(type: LogicalType & { kind: 'DECIMAL' }, o: FieldOptions, kind: 'random' | 'sequence'): FieldGenerator {
  const dec = (opt: FieldOptionName): bigint | undefined => {
    const v = o.raw(opt);
    if (v === undefined) return undefined;
    try {
      return parseValueText(v, type) as bigint;
    } catch {
      throw o.error(`option '${o.key(opt)}' must be a ${formatType(type)} value, got '${v}'`);
    }
  };
  const unit = 10n ** BigInt(type.scale);
  if (kind === 'sequence') {
    const start = dec('start')!;
    const end = dec('end')!;
    return { kind, size: Number((end - start) / unit) + 1, value: (row) => start + BigInt(row) * unit };
  }
  const limit = 10n ** BigInt(type.precision) - 1n;
  const min = dec('min') ?? 0n;
  const max = dec('max') ?? limit;
  if (min > max) throw o.error(`option '${o.key('min')}' is greater than '${o.key('max')}'`);
  const span = Number(max - min);
  return { kind, size: Infinity, value: (_row, rnd) => min + BigInt(Math.min(span, Math.floor(rnd.nextDouble() * (span + 1)))) };
}

function stringGenerator(type: LogicalType & { kind: 'CHAR' | 'VARCHAR' }, o: FieldOptions, kind: 'random' | 'sequence'): FieldGenerator {
  if (kind === 'sequence') {
    const start = o.number('start', Types_BIGINT)!;
    const end = o.number('end', Types_BIGINT)!;
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw o.error(`string sequences need integer '${o.key('start')}' and '${o.key('end')}'`);
    return { kind, size: end - start + 1, value: (row) => String(start + row) };
  }
  const lenText = o.raw('length');
  let len = lenText === undefined ? 100 : Number(lenText);
  if (!Number.isInteger(len) || len < 0) throw o.error(`option '${o.key('length')}' must be a non-negative integer, got '${lenText}'`);
  len = Math.min(len, type.length);
  const varLen = o.raw('var-len') === undefined ? false : parseBooleanText(o.raw('var-len')!);
  if (varLen === null) throw o.error(`option '${o.key('var-len')}' must be 'true' or 'false'`);
  return {
    kind,
    size: Infinity,
    value: (_row, rnd) => hexString(rnd, varLen && len > 0 ? 1 + rnd.nextInt(len) : len),
  };
}

const Types_BIGINT: LogicalType = { kind: 'BIGINT', nullable: true };

function temporalGenerator(type: LogicalType, o: FieldOptions): FieldGenerator {
  const pastText = o.raw('max-past');
  const maxPast = pastText === undefined ? 0 : parseDurationMs(pastText);
  if (maxPast === null) throw o.error(`option '${o.key('max-past')}' must be a duration such as '10 s' or '1 h', got '${pastText}'`);
  if (type.kind === 'DATE') {
    return { kind: 'random', size: Infinity, value: (_row, rnd, now) => Math.floor((now - rnd.nextLong(maxPast + 1)) / 86_400_000) };
  }
  return { kind: 'random', size: Infinity, value: (_row, rnd, now) => now - rnd.nextLong(maxPast + 1) };
}

/**
 * Builds the generator of one field. `fieldOptions` maps option names (`kind`, `min`, …) to values;
 * nested ROW fields use the dotted path (`fields.address.city.length`).
 */
export function fieldGenerator(
  tableName: string,
  path: string,
  type: LogicalType,
  allOptions: ReadonlyMap<string, ReadonlyMap<string, string>>,
): FieldGenerator {
  const own = allOptions.get(path) ?? new Map<string, string>();
  const o = new FieldOptions(tableName, path, own);
  const kindText = (o.raw('kind') ?? 'random').toLowerCase();
  if (kindText !== 'random' && kindText !== 'sequence') {
    throw o.error(`option '${o.key('kind')}' must be 'random' or 'sequence', got '${o.raw('kind')}'`);
  }
  const kind = kindText as 'random' | 'sequence';
  if (kind === 'sequence') {
    for (const opt of ['start', 'end'] as const) {
      if (o.raw(opt) === undefined) throw o.error(`option '${o.key(opt)}' is required when '${o.key('kind')}' = 'sequence'`);
    }
  }
  const nullRateText = o.raw('null-rate');
  const nullRate = nullRateText === undefined ? 0 : Number(nullRateText);
  if (!(nullRate >= 0 && nullRate <= 1)) throw o.error(`option '${o.key('null-rate')}' must be a number between 0 and 1, got '${nullRateText}'`);
  const noSequence = (): never => {
    throw o.error(`'${o.key('kind')}' = 'sequence' is not supported for ${formatType(type)} (numeric, DECIMAL and string columns only)`);
  };
  let base: FieldGenerator;
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      base = integerGenerator(type, o, kind);
      break;
    case 'FLOAT':
    case 'DOUBLE':
      base = floatGenerator(type, o, kind);
      break;
    case 'DECIMAL':
      base = decimalGenerator(type, o, kind);
      break;
    case 'CHAR':
    case 'VARCHAR':
      base = stringGenerator(type, o, kind);
      break;
    case 'BOOLEAN':
      if (kind === 'sequence') noSequence();
      base = { kind, size: Infinity, value: (_row, rnd) => rnd.nextUint32() < 2147483648 };
      break;
    case 'BINARY':
    case 'VARBINARY': {
      if (kind === 'sequence') noSequence();
      const len = Math.min(o.raw('length') === undefined ? 100 : Number(o.raw('length')), type.length);
      if (!Number.isInteger(len) || len < 0) throw o.error(`option '${o.key('length')}' must be a non-negative integer`);
      base = {
        kind,
        size: Infinity,
        value: (_row, rnd) => {
          const b = new Uint8Array(len);
          for (let i = 0; i < len; i++) b[i] = rnd.nextInt(256);
          return b;
        },
      };
      break;
    }
    case 'DATE':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (kind === 'sequence') noSequence();
      base = temporalGenerator(type, o);
      break;
    case 'TIME':
      if (kind === 'sequence') noSequence();
      base = { kind, size: Infinity, value: (_row, rnd) => rnd.nextInt(86_400_000) };
      break;
    case 'ARRAY': {
      if (kind === 'sequence') noSequence();
      const len = o.raw('length') === undefined ? 3 : Number(o.raw('length'));
      if (!Number.isInteger(len) || len < 0) throw o.error(`option '${o.key('length')}' must be a non-negative integer`);
      const element = fieldGenerator(tableName, `${path}.element`, type.element, allOptions);
      base = {
        kind,
        size: Infinity,
        value: (row, rnd, now) => {
          const out = new Array<unknown>(len);
          for (let i = 0; i < len; i++) out[i] = element.value(row, rnd, now);
          return out;
        },
      };
      break;
    }
    case 'MAP': {
      if (kind === 'sequence') noSequence();
      const len = o.raw('length') === undefined ? 3 : Number(o.raw('length'));
      if (!Number.isInteger(len) || len < 0) throw o.error(`option '${o.key('length')}' must be a non-negative integer`);
      const key = fieldGenerator(tableName, `${path}.key`, type.key, allOptions);
      const value = fieldGenerator(tableName, `${path}.value`, type.value, allOptions);
      base = {
        kind,
        size: Infinity,
        value: (row, rnd, now) => {
          const out = new Map<unknown, unknown>();
          for (let i = 0; i < len; i++) out.set(key.value(row, rnd, now), value.value(row, rnd, now));
          return out;
        },
      };
      break;
    }
    case 'ROW': {
      if (kind === 'sequence') noSequence();
      const gens = type.fields.map((f) => fieldGenerator(tableName, `${path}.${f.name}`, f.type, allOptions));
      base = { kind, size: Infinity, value: (row, rnd, now) => gens.map((g) => g.value(row, rnd, now)) };
      break;
    }
    default:
      throw o.error(`the datagen connector cannot generate ${formatType(type)} values (column '${path}')`);
  }
  if (nullRate === 0) return base;
  // The null draw comes first so that a field's other draws stay aligned whatever the null-rate.
  return {
    kind: base.kind,
    size: base.size,
    value: (row, rnd, now) => (rnd.nextDouble() < nullRate ? null : base.value(row, rnd, now)),
  };
}

/**
 * Groups `fields.<path>.<option>` keys by path. The option is the last dotted part, so column names with
 * dots work. Unknown option names and unknown columns are errors.
 */
export function groupFieldOptions(tableName: string, options: Readonly<Record<string, string>>, rowType: RowType): Map<string, Map<string, string>> {
  const known = new Set<string>();
  const walk = (prefix: string, t: LogicalType): void => {
    known.add(prefix);
    if (t.kind === 'ROW') for (const f of t.fields) walk(`${prefix}.${f.name}`, f.type);
    if (t.kind === 'ARRAY') walk(`${prefix}.element`, t.element);
    if (t.kind === 'MAP') {
      walk(`${prefix}.key`, t.key);
      walk(`${prefix}.value`, t.value);
    }
  };
  for (const f of rowType.fields) walk(f.name, f.type);
  const out = new Map<string, Map<string, string>>();
  for (const [key, value] of Object.entries(options)) {
    if (!key.startsWith('fields.')) continue;
    const rest = key.slice('fields.'.length);
    const dot = rest.lastIndexOf('.');
    const path = dot < 0 ? '' : rest.slice(0, dot);
    const opt = dot < 0 ? rest : rest.slice(dot + 1);
    if (!(FIELD_OPTION_NAMES as readonly string[]).includes(opt)) {
      throw optionError(tableName, `unknown option '${key}'`, `per-field options are fields.<column>.{${FIELD_OPTION_NAMES.join(', ')}}`);
    }
    if (!known.has(path)) {
      throw optionError(tableName, `option '${key}' names column '${path}', which the table does not have`, `columns: ${rowType.fields.map((f) => f.name).join(', ')}`);
    }
    let m = out.get(path);
    if (m === undefined) out.set(path, (m = new Map()));
    m.set(opt, value);
  }
  return out;
}
