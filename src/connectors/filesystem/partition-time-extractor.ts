/**
 * Flink's default partition time extractor (`partition.time-extractor.kind` = 'default'): turns a
 * partition's values into the wall-clock time the partition starts at, for the `partition-time` commit
 * trigger.
 *
 * - `partition.time-extractor.timestamp-pattern` builds the timestamp text from partition values:
 *   `$dt $hm:00` with dt='2024-01-01', hm='10:05' gives '2024-01-01 10:05:00'. Without a pattern the
 *   first partition column's value is the text (Flink's behaviour).
 * - `partition.time-extractor.timestamp-formatter` (Java DateTimeFormatter letters, e.g. 'yyyyMMdd')
 *   parses the text; without one the text is parsed leniently as `yyyy-M-d[ H:m[:s[.f]]]` (a date
 *   alone means its start), as Flink's default does.
 *
 * The result is wall-clock epoch ms (a TIMESTAMP value); `sink.partition-commit.watermark-time-zone`
 * turns it into an instant (see `partitionInstant`). Extraction runs once per new partition, not per row.
 */
import { runtimeError, unsupported } from '../../common/index.js';
import { compileDateParser, localToUtc, parseTimestamp } from '../../types/index.js';
import { optionError } from '../option-values.js';

export interface PartitionTimeExtractorOptions {
  readonly kind?: string;
  readonly pattern?: string;
  readonly formatter?: string;
}

export class PartitionTimeExtractor {
  /** Pattern pieces: literal text, or the index of a partition column to substitute. */
  private readonly pieces: readonly (string | number)[] | null;
  private readonly parse: (text: string) => number | null;

  /**
   * `partitionKeys` are the partition column names in `PARTITIONED BY` order. Throws PLAN.CONNECTOR_OPTION
   * when the pattern names a column that is not a partition column, and an unsupported error for the
   * Java-class (`custom`) extractor.
   */
  constructor(
    private readonly tableName: string,
    private readonly partitionKeys: readonly string[],
    options: PartitionTimeExtractorOptions,
  ) {
    if ((options.kind ?? 'default').trim().toLowerCase() !== 'default') {
      throw unsupported(
        'CONNECTOR.CUSTOM_TIME_EXTRACTOR',
        `table '${tableName}': 'partition.time-extractor.kind' = '${options.kind}' needs a Java class, which Floe cannot load; use 'default' with 'partition.time-extractor.timestamp-pattern'`,
      );
    }
    this.pieces = options.pattern === undefined ? null : compilePattern(tableName, options.pattern, partitionKeys);
    if (options.formatter === undefined) {
      this.parse = parseTimestamp;
    } else {
      const strict = compileDateParser(options.formatter);
      this.parse = (text) => strict(text) ?? dateOnly(text);
    }
  }

  /** The timestamp text for partition values (`values[i]` belongs to `partitionKeys[i]`). */
  timestampText(values: readonly string[]): string {
    if (this.pieces === null) return values[0] ?? '';
    let out = '';
    for (const p of this.pieces) out += typeof p === 'string' ? p : values[p]!;
    return out;
  }

  /** The partition's wall-clock start time (epoch ms); throws a runtime error naming the partition when unparsable. */
  extract(values: readonly string[]): number {
    const text = this.timestampText(values);
    const ms = this.parse(text);
    if (ms === null) {
      const part = this.partitionKeys.map((k, i) => `${k}=${values[i]}`).join('/');
      throw runtimeError(
        'SINK.PARTITION_TIME',
        `table '${this.tableName}': cannot extract a partition time from partition ${part}: '${text}' is not a timestamp`,
        { help: "check 'partition.time-extractor.timestamp-pattern' and 'partition.time-extractor.timestamp-formatter'" },
      );
    }
    return ms;
  }
}

/** The instant a wall-clock partition time stands for in the watermark's time zone. */
export function partitionInstant(wallClockMs: number, watermarkTimeZone: string): number {
  return localToUtc(wallClockMs, watermarkTimeZone);
}

/**
 * Splits `$dt $hm:00` into literals and column references. Longer names win (`$hm` is not `$h` + 'm'
 * when both are columns), unlike Flink's in-order replaceAll which depends on the key order.
 */
function compilePattern(tableName: string, pattern: string, keys: readonly string[]): (string | number)[] {
  const byLength = keys.map((k, i) => [k, i] as const).sort((a, b) => b[0].length - a[0].length);
  const pieces: (string | number)[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '$') {
      literal += pattern[i];
      continue;
    }
    const hit = byLength.find(([k]) => pattern.startsWith(k, i + 1));
    if (hit === undefined) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(pattern.slice(i + 1))?.[0] ?? '';
      throw optionError(
        tableName,
        `'partition.time-extractor.timestamp-pattern' = '${pattern}' refers to '$${name}', which is not a partition column (partition columns: ${keys.length === 0 ? 'none' : keys.join(', ')})`,
      );
    }
    if (literal !== '') pieces.push(literal);
    literal = '';
    pieces.push(hit[1]);
    i += hit[0].length;
  }
  if (literal !== '') pieces.push(literal);
  return pieces;
}

/** Flink falls back to a date-only parse (start of day) when the formatter does not match. */
function dateOnly(text: string): number | null {
  return /^\d{4}-\d{1,2}-\d{1,2}$/.test(text) ? parseTimestamp(text) : null;
}
