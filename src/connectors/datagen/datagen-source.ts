/**
 * The `datagen` source connector (Flink's DataGen table source): random or sequence values per column,
 * `number-of-rows` for a bounded table (also bounded when a column is a sequence: the shortest sequence
 * ends the table), `rows-per-second` pacing (over all subtasks, emitted in per-second bursts as Flink does).
 *
 * Splits: one per source subtask; split i of n produces rows i, i+n, i+2n, … so the union over splits is
 * the parallelism-1 table (rows are seeded by row number; see datagen-fields.ts).
 */
import { BatchBuilder, emptyBatch, type RecordBatch } from '../../types/index.js';
import type { ConnectorContext, ConnectorOption, SourceConnector, SourceSplit, SplitReader } from '../connector.js';
import { EventRandom } from '../nexmark/event-random.js';
import { OptionReader } from '../option-values.js';
import { fieldGenerator, groupFieldOptions, type FieldGenerator } from './datagen-fields.js';

export const DATAGEN_OPTIONS: readonly ConnectorOption[] = [
  { key: 'rows-per-second', type: 'long', default: '10000', description: 'Rows per second over all subtasks (emission rate).' },
  { key: 'number-of-rows', type: 'long', description: 'Total rows to emit; unset = unbounded (unless a column is a sequence).' },
  { key: 'scan.parallelism', type: 'int', description: 'Parallelism of the source (planner hint).' },
  { key: 'seed', type: 'long', default: '0', description: 'Seed of the random values (Floe extension; Flink is unseeded).' },
  { key: 'fields.', type: 'string', prefix: true, description: 'Per-column generator options: fields.<column>.{kind, min, max, max-past, length, var-len, start, end, null-rate}.' },
];

interface DatagenPlan {
  readonly generators: readonly FieldGenerator[];
  /** Rows in the table; Infinity when unbounded. */
  readonly totalRows: number;
  readonly rowsPerSecond: number;
  readonly seed: number;
}

function plan(ctx: ConnectorContext): DatagenPlan {
  const o = new OptionReader(ctx.tableName, ctx.options, DATAGEN_OPTIONS);
  const grouped = groupFieldOptions(ctx.tableName, ctx.options, ctx.physicalType);
  const generators = ctx.physicalType.fields.map((f) => fieldGenerator(ctx.tableName, f.name, f.type, grouped));
  let totalRows = o.optionalLong('number-of-rows', 0) ?? Infinity;
  for (const g of generators) if (g.kind === 'sequence') totalRows = Math.min(totalRows, Math.max(0, g.size));
  return { generators, totalRows, rowsPerSecond: o.long('rows-per-second', 1), seed: o.long('seed') | 0 };
}

interface DatagenSplit extends SourceSplit {
  /** Split i of `stride` produces rows i, i + stride, … */
  readonly index: number;
  readonly stride: number;
  /** Rows of this split; −1 = unbounded. */
  readonly count: number;
}

export class DatagenSplitReader implements SplitReader {
  readonly skippedRecords = 0;
  private readonly rnd = new EventRandom();
  private readonly values: unknown[];
  private emitted = 0;
  private startedAt = -1;
  private readonly ratePerSplit: number;

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly p: DatagenPlan,
    private readonly split: DatagenSplit,
    position?: unknown,
  ) {
    this.values = new Array<unknown>(p.generators.length);
    // Rows are drawn from (seed, row number), so resuming is setting the row count.
    if (typeof position === 'number') this.emitted = position;
    this.ratePerSplit = p.rowsPerSecond / split.stride;
  }

  next(maxRows: number): RecordBatch | null {
    const remaining = this.split.count < 0 ? Infinity : this.split.count - this.emitted;
    if (remaining <= 0) return null;
    const now = Date.now();
    if (this.startedAt < 0) this.startedAt = now;
    // Per-second bursts: by the end of second s, (s + 1) · rate rows may have been emitted.
    const allowed = Math.floor(this.ratePerSplit * (Math.floor((now - this.startedAt) / 1000) + 1)) - this.emitted;
    const n = Math.min(maxRows, remaining, Math.max(0, allowed));
    if (n === 0) return emptyBatch(this.p.generators.length);
    const b = new BatchBuilder(this.ctx.physicalType, n);
    const gens = this.p.generators;
    for (let i = 0; i < n; i++) {
      const row = this.split.index + (this.emitted + i) * this.split.stride;
      this.rnd.reseed(this.p.seed, row);
      for (let c = 0; c < gens.length; c++) this.values[c] = gens[c]!.value(row, this.rnd, now);
      b.appendRow(this.values);
    }
    this.emitted += n;
    return b.finish();
  }

  position(): number {
    return this.emitted;
  }

  close(): void {}
}

export const datagenSource: SourceConnector = {
  name: 'datagen',
  options: DATAGEN_OPTIONS,
  validate(ctx: ConnectorContext): void {
    plan(ctx);
  },
  isBounded(ctx: ConnectorContext): boolean {
    return Number.isFinite(plan(ctx).totalRows);
  },
  createSplits(ctx: ConnectorContext, parallelism: number): readonly SourceSplit[] {
    const p = plan(ctx);
    const n = Math.max(1, parallelism);
    return Array.from({ length: n }, (_, i): DatagenSplit => ({
      id: `datagen-${i}`,
      index: i,
      count: Number.isFinite(p.totalRows) ? Math.max(0, Math.ceil((p.totalRows - i) / n)) : -1,
      stride: n,
    }));
  },
  createReader(ctx: ConnectorContext, split: SourceSplit, position?: unknown): SplitReader {
    return new DatagenSplitReader(ctx, plan(ctx), split as DatagenSplit, position);
  },
};
