/**
 * Paimon's field aggregators (`fields.<f>.aggregate-function`), used by the `aggregation` merge engine and
 * by partial-update sequence groups (`merge-read.ts`). Each aggregator folds one column of the rows of a
 * key: `agg(acc, input)` for +I/+U rows, `retract(acc, input)` for -U/-D rows, and `aggReversed` for a row
 * older than the stored one (partial-update sequence groups fold it in as if it came first).
 *
 * Semantics follow Paimon's `FieldAggregator` subclasses:
 * - NULL never contributes: `sum(NULL, x)` = x, `max(NULL, x)` = x, `count` counts non-NULL values
 *   but its first row counts 1 even when NULL (Paimon's FieldCountAgg);
 * - integers wrap as Java's byte/short/int arithmetic does; FLOAT rounds to single precision;
 * - DECIMAL values are unscaled bigints at the column's scale; a result that exceeds the precision is NULL
 *   (Paimon's `Decimal.fromBigDecimal`), products and quotients round half up to the scale;
 * - retraction: `sum` subtracts, `product` divides, `count` decrements, `last_value` and
 *   `last_non_null_value` reset to NULL; the rest refuse it unless `fields.<f>.ignore-retract` is set.
 *
 * Aggregators keep per-key state (`first_value` remembers that it saw a row), so `reset()` runs before each
 * key's fold.
 */
import { unsupported, userError } from '../common/index.js';
import { compareValues, type LogicalType } from '../types/index.js';

export interface FieldAggregator {
  /** The Paimon function name, for messages. */
  readonly name: string;
  reset(): void;
  agg(acc: unknown, input: unknown): unknown;
  /** Folds in a row that is older than what `acc` holds (partial-update sequence groups). */
  aggReversed(acc: unknown, input: unknown): unknown;
  retract(acc: unknown, input: unknown): unknown;
}

/** Aggregate functions Floe implements. */
export const AGGREGATE_FUNCTIONS: readonly string[] = [
  'sum', 'product', 'count', 'max', 'min', 'last_value', 'last_non_null_value', 'first_value',
  'first_non_null_value', 'first_not_null_value', 'listagg', 'bool_and', 'bool_or',
];

/** Paimon functions Floe does not implement; refused by name rather than reported as unknown. */
const PAIMON_ONLY_FUNCTIONS: readonly string[] = [
  'collect', 'merge_map', 'merge_map_with_keytime', 'nested_update', 'nested_partial_update', 'hll_sketch',
  'theta_sketch', 'rbm32', 'rbm64', 'avg', 'non_null_count', 'replace',
];

abstract class BaseAggregator implements FieldAggregator {
  abstract readonly name: string;
  constructor(protected readonly type: LogicalType, protected readonly what: string) {}
  reset(): void {}
  abstract agg(acc: unknown, input: unknown): unknown;
  aggReversed(acc: unknown, input: unknown): unknown {
    return this.agg(input, acc);
  }
  retract(_acc: unknown, _input: unknown): unknown {
    throw unsupported(
      'LAKE.AGGREGATE_RETRACT',
      `${this.what}: aggregate function '${this.name}' does not support retraction (-U/-D records)`,
      { help: `set 'fields.<field>.ignore-retract' = 'true' to skip retraction records for this field` },
    );
  }
}

/** Wraps a Java integer result to its width; BIGINT as number is exact within ±2^53 and not wrapped. */
function wrapInt(v: number, type: LogicalType): number {
  switch (type.kind) {
    case 'TINYINT':
      return (v << 24) >> 24;
    case 'SMALLINT':
      return (v << 16) >> 16;
    case 'INT':
      return v | 0;
    case 'FLOAT':
      return Math.fround(v);
    default:
      return v;
  }
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Rounds `num / den` half up (away from zero), as BigDecimal ROUND_HALF_UP. */
function divHalfUp(num: bigint, den: bigint): bigint {
  const neg = (num < 0n) !== (den < 0n);
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  let q = a / b;
  if ((a % b) * 2n >= b) q += 1n;
  return neg ? -q : q;
}

/** NULL when the unscaled value needs more digits than the precision (Paimon's Decimal.fromBigDecimal). */
function fitDecimal(v: bigint, type: LogicalType): bigint | null {
  const p = type.kind === 'DECIMAL' ? type.precision : 38;
  const lim = pow10(p);
  return v >= lim || v <= -lim ? null : v;
}

type Arith = 'add' | 'sub' | 'mul' | 'div';

/** Numeric arithmetic on two non-null values of `type`, with Paimon's (Java's) result rules. */
function arith(op: Arith, a: unknown, b: unknown, type: LogicalType, what: string): unknown {
  if (type.kind === 'DECIMAL') {
    const x = a as bigint, y = b as bigint;
    switch (op) {
      case 'add':
        return fitDecimal(x + y, type);
      case 'sub':
        return fitDecimal(x - y, type);
      case 'mul':
        return fitDecimal(divHalfUp(x * y, pow10(type.scale)), type);
      case 'div':
        if (y === 0n) throw userError('LAKE.AGGREGATE_DIVIDE_BY_ZERO', `${what}: product retraction divides by zero`);
        return fitDecimal(divHalfUp(x * pow10(type.scale), y), type);
    }
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as bigint | number), y = BigInt(b as bigint | number);
    if (op === 'div' && y === 0n) throw userError('LAKE.AGGREGATE_DIVIDE_BY_ZERO', `${what}: product retraction divides by zero`);
    const r = op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : x / y;
    return BigInt.asIntN(64, r);
  }
  const x = a as number, y = b as number;
  const floating = type.kind === 'FLOAT' || type.kind === 'DOUBLE';
  switch (op) {
    case 'add':
      return wrapInt(x + y, type);
    case 'sub':
      return wrapInt(x - y, type);
    case 'mul':
      // Math.imul keeps 32-bit products exact where a double product would lose low bits.
      return type.kind === 'INT' ? Math.imul(x, y) : wrapInt(x * y, type);
    case 'div':
      if (floating) return wrapInt(x / y, type);
      if (y === 0) throw userError('LAKE.AGGREGATE_DIVIDE_BY_ZERO', `${what}: product retraction divides by zero`);
      return wrapInt(Math.trunc(x / y), type);
  }
}

function negate(v: unknown, type: LogicalType): unknown {
  if (v === null) return null;
  if (typeof v === 'bigint') return type.kind === 'DECIMAL' ? -v : BigInt.asIntN(64, -v);
  return wrapInt(-(v as number), type);
}

class SumAgg extends BaseAggregator {
  readonly name = 'sum';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return arith('add', acc, input, this.type, this.what);
  }
  override retract(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? negate(input, this.type) : acc;
    return arith('sub', acc, input, this.type, this.what);
  }
}

class ProductAgg extends BaseAggregator {
  readonly name = 'product';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return arith('mul', acc, input, this.type, this.what);
  }
  override retract(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return arith('div', acc, input, this.type, this.what);
  }
}

/** Counts non-NULL values; the first row counts 1 even when its value is NULL (as Paimon's FieldCountAgg). */
class CountAgg extends BaseAggregator {
  readonly name = 'count';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? 1 : acc;
    return typeof acc === 'bigint' ? acc + 1n : (acc as number) + 1;
  }
  override retract(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? 1 : acc;
    return typeof acc === 'bigint' ? acc - 1n : (acc as number) - 1;
  }
}

function compareRaw(a: unknown, b: unknown, type: LogicalType): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return compareValues(a, b, type);
}

class MaxAgg extends BaseAggregator {
  readonly name = 'max';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return compareRaw(acc, input, this.type) < 0 ? input : acc;
  }
}

class MinAgg extends BaseAggregator {
  readonly name = 'min';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return compareRaw(acc, input, this.type) > 0 ? input : acc;
  }
}

class LastValueAgg extends BaseAggregator {
  readonly name = 'last_value';
  agg(_acc: unknown, input: unknown): unknown {
    return input;
  }
  override retract(): unknown {
    return null;
  }
}

class LastNonNullValueAgg extends BaseAggregator {
  readonly name = 'last_non_null_value';
  agg(acc: unknown, input: unknown): unknown {
    return input === null ? acc : input;
  }
  override retract(acc: unknown, input: unknown): unknown {
    // Retracting a value clears it; a retraction without a value leaves the column alone.
    return input !== null ? null : acc;
  }
}

class FirstValueAgg extends BaseAggregator {
  readonly name = 'first_value';
  private seen = false;
  override reset(): void {
    this.seen = false;
  }
  agg(acc: unknown, input: unknown): unknown {
    if (this.seen) return acc;
    this.seen = true;
    return input;
  }
  override aggReversed(_acc: unknown, input: unknown): unknown {
    // An older row is the first one so far.
    this.seen = true;
    return input;
  }
}

class FirstNonNullValueAgg extends BaseAggregator {
  readonly name = 'first_non_null_value';
  private seen = false;
  override reset(): void {
    this.seen = false;
  }
  agg(acc: unknown, input: unknown): unknown {
    if (this.seen || input === null) return acc;
    this.seen = true;
    return input;
  }
  override aggReversed(acc: unknown, input: unknown): unknown {
    if (input === null) return acc;
    this.seen = true;
    return input;
  }
}

/** Joins strings with the delimiter; blank strings (Java `isBlank`) and NULLs are skipped. */
class ListaggAgg extends BaseAggregator {
  readonly name = 'listagg';
  constructor(type: LogicalType, what: string, private readonly delimiter: string, private readonly distinct: boolean) {
    super(type, what);
  }
  agg(acc: unknown, input: unknown): unknown {
    if (input === null || (input as string).trim() === '') return acc;
    if (acc === null || (acc as string).trim() === '') return input;
    const a = acc as string, b = input as string;
    if (!this.distinct) return a + this.delimiter + b;
    const seen = new Set(a.split(this.delimiter));
    let out = a;
    for (const token of b.split(this.delimiter)) {
      if (token.trim() === '' || seen.has(token)) continue;
      seen.add(token);
      out += this.delimiter + token;
    }
    return out;
  }
}

class BoolAndAgg extends BaseAggregator {
  readonly name = 'bool_and';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return (acc as boolean) && (input as boolean);
  }
}

class BoolOrAgg extends BaseAggregator {
  readonly name = 'bool_or';
  agg(acc: unknown, input: unknown): unknown {
    if (acc === null || input === null) return acc === null ? input : acc;
    return (acc as boolean) || (input as boolean);
  }
}

/** Primary-key columns are equal within a key: keep the input, retractions included. */
class PrimaryKeyAgg extends BaseAggregator {
  readonly name = 'primary-key';
  agg(_acc: unknown, input: unknown): unknown {
    return input;
  }
  override retract(_acc: unknown, input: unknown): unknown {
    return input;
  }
}

/** `fields.<f>.ignore-retract`: retraction records leave the column as it is. */
class IgnoreRetractAgg implements FieldAggregator {
  constructor(private readonly inner: FieldAggregator) {}
  get name(): string {
    return this.inner.name;
  }
  reset(): void {
    this.inner.reset();
  }
  agg(acc: unknown, input: unknown): unknown {
    return this.inner.agg(acc, input);
  }
  aggReversed(acc: unknown, input: unknown): unknown {
    return this.inner.aggReversed(acc, input);
  }
  retract(acc: unknown): unknown {
    return acc;
  }
}

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);
const COMPARABLE = new Set([...NUMERIC, 'CHAR', 'VARCHAR', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'BOOLEAN']);

/** Reads a boolean option; anything but 'true'/'false' is a user error naming the option. */
export function booleanOption(options: Readonly<Record<string, string>>, key: string, what: string): boolean {
  const v = options[key];
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  if (s !== 'true' && s !== 'false') throw userError('LAKE.BAD_TABLE_OPTION', `${what}: option '${key}' must be 'true' or 'false', got '${v}'`);
  return s === 'true';
}

/**
 * Creates the aggregator of column `field` for function `fn` (a Paimon name), checking the column type as
 * Paimon's factories do. `isPrimaryKey` columns always keep their value.
 */
export function createFieldAggregator(
  fn: string,
  field: string,
  type: LogicalType,
  isPrimaryKey: boolean,
  options: Readonly<Record<string, string>>,
  tableName: string,
): FieldAggregator {
  const what = `table ${tableName}: field '${field}'`;
  let agg: FieldAggregator;
  if (isPrimaryKey) agg = new PrimaryKeyAgg(type, what);
  else {
    const name = fn.trim().toLowerCase();
    const need = (ok: boolean, expected: string): void => {
      if (!ok) {
        throw userError('LAKE.BAD_AGGREGATE_FUNCTION', `${what}: aggregate function '${name}' needs ${expected}, not ${type.kind}`);
      }
    };
    switch (name) {
      case 'sum':
        need(NUMERIC.has(type.kind), 'a numeric column');
        agg = new SumAgg(type, what);
        break;
      case 'product':
        need(NUMERIC.has(type.kind), 'a numeric column');
        agg = new ProductAgg(type, what);
        break;
      case 'count':
        need(type.kind === 'INT' || type.kind === 'BIGINT', 'an INT or BIGINT column');
        agg = new CountAgg(type, what);
        break;
      case 'max':
        need(COMPARABLE.has(type.kind), 'a comparable column');
        agg = new MaxAgg(type, what);
        break;
      case 'min':
        need(COMPARABLE.has(type.kind), 'a comparable column');
        agg = new MinAgg(type, what);
        break;
      case 'last_value':
        agg = new LastValueAgg(type, what);
        break;
      case 'last_non_null_value':
        agg = new LastNonNullValueAgg(type, what);
        break;
      case 'first_value':
        agg = new FirstValueAgg(type, what);
        break;
      case 'first_non_null_value':
      case 'first_not_null_value':
        agg = new FirstNonNullValueAgg(type, what);
        break;
      case 'listagg':
        need(type.kind === 'VARCHAR' || type.kind === 'CHAR', 'a string column');
        agg = new ListaggAgg(type, what, options[`fields.${field}.list-agg-delimiter`] ?? ',', booleanOption(options, `fields.${field}.distinct`, what));
        break;
      case 'bool_and':
        need(type.kind === 'BOOLEAN', 'a BOOLEAN column');
        agg = new BoolAndAgg(type, what);
        break;
      case 'bool_or':
        need(type.kind === 'BOOLEAN', 'a BOOLEAN column');
        agg = new BoolOrAgg(type, what);
        break;
      default:
        if (PAIMON_ONLY_FUNCTIONS.includes(name)) {
          throw unsupported('LAKE.UNSUPPORTED_AGGREGATE_FUNCTION', `${what}: Paimon aggregate function '${name}' is not supported by Floe`, {
            notes: [`supported: ${AGGREGATE_FUNCTIONS.join(', ')}`],
          });
        }
        throw userError('LAKE.BAD_AGGREGATE_FUNCTION', `${what}: unknown aggregate function '${fn}'`, { notes: [`supported: ${AGGREGATE_FUNCTIONS.join(', ')}`] });
    }
  }
  return booleanOption(options, `fields.${field}.ignore-retract`, what) ? new IgnoreRetractAgg(agg) : agg;
}
