/**
 * Schema evolution on read: a data file written with schema A is read with schema B by matching columns
 * on Paimon field ids. A field of B that A lacks (added later) reads as NULL; a field of A that B lacks
 * (dropped) is not read; a renamed field keeps its id; a field whose type changed is cast from A's type
 * to B's, as Paimon's `ALTER TABLE ... MODIFY` allows (STRING → INT/BOOLEAN, TIMESTAMP → STRING,
 * DECIMAL rescale, DATE → TIMESTAMP, DOUBLE → INT, BOOLEAN → STRING, STRING → BYTES, ...).
 *
 * Casts follow Floe's CAST (Flink semantics) through `castKernel`, on the reader's intermediate values:
 * TIMESTAMP(p > 6) values are exact bigint nanoseconds here (see `data-file-reader.ts`), so those casts
 * are handled in this module to keep the nanoseconds.
 */
import { unsupported } from '../common/index.js';
import { DEFAULT_EVAL_CONTEXT, canCastExplicitly, castKernel } from '../expr/index.js';
import { formatDate, formatType, typeEquals, withNullable, type LogicalType } from '../types/index.js';
import { millisToNanos, nanosToMillis } from './data-file-reader.js';

export type ValueCast = (value: unknown) => unknown;

function isNanoTimestamp(type: LogicalType): boolean {
  return (type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ') && type.precision > 6;
}

const NANOS_PER_DAY = 86400000000000n;

/** `yyyy-MM-dd HH:mm:ss[.fffffffff]` of exact epoch nanoseconds (fraction without trailing zeros). */
export function formatNanosTimestamp(nanos: bigint): string {
  let days = nanos / NANOS_PER_DAY;
  let rest = nanos % NANOS_PER_DAY;
  if (rest < 0n) {
    rest += NANOS_PER_DAY;
    days -= 1n;
  }
  const secs = Number(rest / 1000000000n);
  const frac = Number(rest % 1000000000n);
  const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((secs % 3600) / 60)).padStart(2, '0');
  const ss = String(secs % 60).padStart(2, '0');
  const f = frac === 0 ? '' : '.' + String(frac).padStart(9, '0').replace(/0+$/, '');
  return `${formatDate(Number(days))} ${hh}:${mm}:${ss}${f}`;
}

/**
 * The cast applied to values of a file column of type `from` read as `to`, or null when none is needed.
 * `what` names the column in errors.
 */
export function evolutionCast(from: LogicalType, to: LogicalType, what: string): ValueCast | null {
  if (typeEquals(withNullable(from, true), withNullable(to, true))) return null;
  if (!canCastExplicitly(from, to)) {
    throw unsupported('LAKE.UNSUPPORTED_SCHEMA_EVOLUTION', `${what}: cannot read ${formatType(from)} as ${formatType(to)}`);
  }
  const fromNanos = isNanoTimestamp(from);
  const toNanos = isNanoTimestamp(to);
  if (fromNanos && (to.kind === 'VARCHAR' || to.kind === 'CHAR')) return (v) => formatNanosTimestamp(v as bigint);
  if (fromNanos && toNanos) return null;
  // Paimon writes booleans as Java's String.valueOf: lower case (Flink's CAST gives TRUE/FALSE).
  if (from.kind === 'BOOLEAN' && to.kind === 'VARCHAR' && to.length >= 5) return (v) => (v ? 'true' : 'false');
  // Go through Floe's CAST on the millisecond representation, converting at either end as needed.
  const fromFloe = fromNanos ? { ...from, precision: 6 } as LogicalType : from;
  const toFloe = toNanos ? { ...to, precision: 6 } as LogicalType : to;
  const kernel = castKernel(fromFloe, toFloe, DEFAULT_EVAL_CONTEXT);
  const pre: ValueCast | null = fromNanos ? (v) => nanosToMillis(v as bigint) : null;
  const post: ValueCast | null = toNanos ? (v) => (v === null ? null : millisToNanos(v as number)) : null;
  if (pre === null && post === null) return kernel;
  return (v) => {
    let x = pre === null ? v : pre(v);
    if (kernel !== null) x = kernel(x);
    return post === null ? x : post(x);
  };
}
