/**
 * The `nexmark` source connector: Flink's Nexmark table source (`'connector' = 'nexmark'`) with its option
 * names, plus `base-time`, `seed`, `bid.flink-bidder-offset` and `split.mode`.
 *
 * Splits: one per source subtask. Two ways to divide the event sequence:
 * - `split.mode` = `interleaved` (default): split i of n produces global event numbers i, i+n, i+2n, … on
 *   the global timeline (delay 10^6/rate µs per event). The union of all splits is exactly the
 *   parallelism-1 stream — ids, fields and timestamps — so results do not depend on parallelism
 *   (DESIGN.md principle 6). Each split still walks the whole timeline in time order, as in Flink.
 * - `split.mode` = `ranges`: Flink's rule. Generator i gets maxEvents_i = ⌊maxEvents/n⌋ (the last gets the
 *   remainder) and firstEventId_i = 1 + i·⌊maxEvents/n⌋; every generator walks the same timeline with delay
 *   n·10^6/rate µs. Ids and random fields match `interleaved`, but timestamps (and auction expiry) depend
 *   on n, as they do in Flink.
 *
 * Time: Flink's base time is the wall clock when the table is planned; ours defaults to a fixed
 * `2026-01-01 00:00:00` so whole outputs (not only time offsets) are reproducible. `'base-time' = 'now'`
 * uses the wall clock (rounded down to the second).
 */
import { userError } from '../../common/index.js';
import { emptyBatch, formatType, parseValueText, type RecordBatch, type RowType } from '../../types/index.js';
import type { ConnectorContext, ConnectorOption, SourceConnector, SourceSplit, SplitReader } from '../connector.js';
import { OptionReader, optionError } from '../option-values.js';
import { NexmarkGenerator, type NexmarkGeneratorConfig, type NexmarkSplitPlan } from './nexmark-generator.js';
import { EXTRA_SOURCE_LENGTH } from './nexmark-strings.js';

export const DEFAULT_NEXMARK_BASE_TIME = '2026-01-01 00:00:00';

export const NEXMARK_OPTIONS: readonly ConnectorOption[] = [
  { key: 'first-event.rate', type: 'int', default: '10000', description: 'Events per second of event time, over all generators (sets the timestamps, not the emission speed).' },
  { key: 'next-event.rate', type: 'int', default: '10000', description: "Accepted for compatibility; the Flink port ignores it (single constant rate), and so do we." },
  { key: 'rate.shape', type: 'enum', enumValues: ['SQUARE', 'SINE'], default: 'SQUARE', description: 'Accepted for compatibility; ignored as in the Flink port.' },
  { key: 'rate.period', type: 'duration', default: '600 s', description: 'Accepted for compatibility; ignored as in the Flink port.' },
  { key: 'rate.limited', type: 'boolean', default: 'false', description: 'Accepted for compatibility; ignored (see max-emit-speed).' },
  { key: 'events.num', type: 'long', default: '0', description: 'Total number of events; 0 = unbounded.' },
  { key: 'person.proportion', type: 'int', default: '1', description: 'Persons per (person + auction + bid) proportion units.' },
  { key: 'auction.proportion', type: 'int', default: '3', description: 'Auctions per proportion units.' },
  { key: 'bid.proportion', type: 'int', default: '46', description: 'Bids per proportion units.' },
  { key: 'person.avg-size', type: 'memory', default: '200b', description: 'Average person size; reached by padding `extra`.' },
  { key: 'auction.avg-size', type: 'memory', default: '500b', description: 'Average auction size; reached by padding `extra`.' },
  { key: 'bid.avg-size', type: 'memory', default: '100b', description: 'Average bid size; reached by padding `extra`.' },
  { key: 'bid.hot-ratio.auctions', type: 'int', default: '2', description: 'A bid targets a hot auction with probability 1 − 1/ratio.' },
  { key: 'bid.hot-ratio.bidders', type: 'int', default: '4', description: 'A bid comes from a hot bidder with probability 1 − 1/ratio.' },
  { key: 'auction.hot-ratio.sellers', type: 'int', default: '4', description: 'An auction is by a hot seller with probability 1 − 1/ratio.' },
  { key: 'max-emit-speed', type: 'boolean', default: 'true', description: 'Emit as fast as possible; false = emit each event when the wall clock reaches its due time.' },
  { key: 'keep-alive', type: 'boolean', default: 'false', description: 'After the last event, stay alive (idle) instead of finishing.' },
  { key: 'stop-at', type: 'long', default: '-1', description: 'Stop generating after this many events in total (-1 = no limit); with keep-alive the source then idles.' },
  { key: 'base-time', type: 'string', default: DEFAULT_NEXMARK_BASE_TIME, description: "Event time of the first event, 'yyyy-MM-dd HH:mm:ss[.SSS]' (UTC wall clock) or 'now'. Flink uses the wall clock; the fixed default makes results reproducible." },
  { key: 'seed', type: 'long', default: '0', description: 'Seed of the per-event random draws (Floe extension).' },
  { key: 'bid.flink-bidder-offset', type: 'boolean', default: 'true', description: 'Add 1000 to bidder ids twice as the Flink port does (ids offset by 2000); false adds it once, as Beam does.' },
  { key: 'split.mode', type: 'enum', enumValues: ['interleaved', 'ranges'], default: 'interleaved', description: "How events are divided among splits: 'interleaved' (same events and timestamps at any parallelism) or 'ranges' (Flink's contiguous id ranges; timestamps depend on parallelism)." },
];

/** Flink's `GeneratorConfig` constants: first event id and first event number. */
const FIRST_EVENT_ID = 1;
const FIRST_EVENT_NUMBER = 1;

interface NexmarkSettings {
  readonly config: NexmarkGeneratorConfig;
  readonly numEvents: number;
  readonly stopAt: number;
  readonly keepAlive: boolean;
  readonly maxEmitSpeed: boolean;
  readonly splitMode: 'interleaved' | 'ranges';
}

export function parseBaseTime(tableName: string, text: string): number {
  if (text.trim().toLowerCase() === 'now') return Math.floor(Date.now() / 1000) * 1000;
  try {
    return parseValueText(text.trim(), { kind: 'TIMESTAMP', precision: 3, nullable: false }) as number;
  } catch {
    throw optionError(tableName, `option 'base-time' must be 'yyyy-MM-dd HH:mm:ss[.SSS]' or 'now', got '${text}'`);
  }
}

function readSettings(ctx: ConnectorContext): NexmarkSettings {
  const o = new OptionReader(ctx.tableName, ctx.options, NEXMARK_OPTIONS);
  const size = (key: string): number => {
    const v = o.memoryBytes(key);
    if (v > EXTRA_SOURCE_LENGTH) throw optionError(ctx.tableName, `option '${key}' must be at most 1 MiB, got '${o.raw(key)}'`);
    return v;
  };
  const config: NexmarkGeneratorConfig = {
    firstEventRate: o.int('first-event.rate', 1),
    personProportion: o.int('person.proportion', 1),
    auctionProportion: o.int('auction.proportion', 1),
    bidProportion: o.int('bid.proportion', 0),
    avgPersonSize: size('person.avg-size'),
    avgAuctionSize: size('auction.avg-size'),
    avgBidSize: size('bid.avg-size'),
    hotAuctionRatio: o.int('bid.hot-ratio.auctions', 1),
    hotBiddersRatio: o.int('bid.hot-ratio.bidders', 1),
    hotSellersRatio: o.int('auction.hot-ratio.sellers', 1),
    baseTime: parseBaseTime(ctx.tableName, o.requiredString('base-time')),
    seed: o.long('seed') | 0,
    doubleBidderOffset: o.boolean('bid.flink-bidder-offset'),
  };
  return {
    config,
    numEvents: o.long('events.num', 0),
    stopAt: o.long('stop-at', -1),
    keepAlive: o.boolean('keep-alive'),
    maxEmitSpeed: o.boolean('max-emit-speed'),
    splitMode: o.enumValue('split.mode', ['interleaved', 'ranges'] as const),
  };
}

/** Checks that the table declares the `datagen` shape of ddl_gen.sql (names may differ; shapes may not). */
function checkPhysicalType(tableName: string, type: RowType): void {
  const f = type.fields;
  const rowArity = (i: number): number => {
    const t = f[i]?.type;
    return t !== undefined && t.kind === 'ROW' ? t.fields.length : -1;
  };
  const ok = f.length === 4 && f[0]!.type.kind === 'INT' && rowArity(1) === 8 && rowArity(2) === 10 && rowArity(3) === 7;
  if (!ok) {
    throw userError(
      'PLAN.CONNECTOR_SCHEMA',
      `table '${tableName}': the nexmark connector produces (event_type INT, person ROW<8 fields>, auction ROW<10 fields>, bid ROW<7 fields>), but the table declares (${f.map((x) => `${x.name} ${formatType(x.type)}`).join(', ')})`,
      { help: 'declare the table as in the Nexmark ddl_gen.sql' },
    );
  }
}

/** Flink's split rule for `ranges`, and the interleaved plan; `count` = −1 for unbounded. */
export function planNexmarkSplits(settings: Pick<NexmarkSettings, 'numEvents' | 'stopAt' | 'splitMode' | 'config'>, n: number): NexmarkSplitPlan[] {
  const { numEvents, stopAt, config } = settings;
  const plans: NexmarkSplitPlan[] = [];
  if (settings.splitMode === 'interleaved') {
    let total = numEvents > 0 ? numEvents : Infinity;
    if (stopAt >= 0) total = Math.min(total, stopAt);
    const delay = 1000000.0 / config.firstEventRate;
    for (let i = 0; i < n; i++) {
      const count = total === Infinity ? -1 : Math.max(0, Math.ceil((total - i) / n));
      // Split i produces global event numbers 1+i, 1+i+n, …, so ids and numbers step by n.
      plans.push({ firstEventId: FIRST_EVENT_ID + FIRST_EVENT_NUMBER + i, firstEventNumber: FIRST_EVENT_NUMBER + i, stride: n, count, interEventDelayUs: delay });
    }
    return plans;
  }
  // Flink: maxEvents for an unbounded source is Long.MAX_VALUE / (T · max avg size), effectively unbounded.
  const T = config.personProportion + config.auctionProportion + config.bidProportion;
  const maxEvents =
    numEvents > 0 ? numEvents : Number(9223372036854775807n / BigInt(T * Math.max(config.avgPersonSize, config.avgAuctionSize, config.avgBidSize)));
  const delay = (1000000.0 / config.firstEventRate) * n;
  const sub = Math.floor(maxEvents / n);
  const subStop = stopAt >= 0 ? Math.floor(stopAt / n) : -1;
  let firstEventId = FIRST_EVENT_ID;
  for (let i = 0; i < n; i++) {
    const max = i === n - 1 ? maxEvents - sub * (n - 1) : sub;
    const stop = stopAt < 0 ? -1 : i === n - 1 ? stopAt - subStop * (n - 1) : subStop;
    let count = numEvents > 0 ? max : -1;
    if (stop >= 0) count = count < 0 ? stop : Math.min(count, stop);
    plans.push({ firstEventId: firstEventId + FIRST_EVENT_NUMBER, firstEventNumber: FIRST_EVENT_NUMBER, stride: 1, count, interEventDelayUs: delay });
    firstEventId += max;
  }
  return plans;
}

interface NexmarkSplit extends SourceSplit {
  readonly plan: NexmarkSplitPlan;
  readonly config: NexmarkGeneratorConfig;
  readonly keepAlive: boolean;
  readonly maxEmitSpeed: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest single wait when pacing by the wall clock, so cancellation is noticed promptly. */
const MAX_PACING_WAIT_MS = 100;

export class NexmarkSplitReader implements SplitReader {
  readonly skippedRecords = 0;
  private readonly gen: NexmarkGenerator;
  private wallBase = -1;
  private readonly empty: RecordBatch = emptyBatch(4);

  constructor(
    private readonly split: NexmarkSplit,
    position?: unknown,
  ) {
    this.gen = new NexmarkGenerator(split.config, split.plan);
    if (typeof position === 'number') this.gen.seek(position);
  }

  /** Events emitted so far: the generator is random-access by event number, so this is all it needs. */
  position(): number {
    return this.gen.emitted;
  }

  get generator(): NexmarkGenerator {
    return this.gen;
  }

  next(maxRows: number): Promise<RecordBatch | null> | RecordBatch | null {
    if (!this.gen.hasNext()) return this.split.keepAlive ? this.empty : null;
    if (this.split.maxEmitSpeed) return this.gen.nextBatch(maxRows);
    // Paced: an event is due when the wall clock since the first emission reaches its event-time offset.
    const now = Date.now();
    if (this.wallBase < 0) this.wallBase = now;
    const base = this.split.config.baseTime;
    const due = this.gen.countDueUntil(base + (now - this.wallBase), maxRows);
    if (due > 0) return this.gen.nextBatch(due);
    const wait = this.gen.timestampOf(this.gen.emitted) - base - (now - this.wallBase);
    return sleep(Math.max(1, Math.min(MAX_PACING_WAIT_MS, wait))).then(() => {
      const n = this.gen.countDueUntil(base + (Date.now() - this.wallBase), maxRows);
      return n > 0 ? this.gen.nextBatch(n) : this.empty;
    });
  }

  close(): void {}
}

export const nexmarkSource: SourceConnector = {
  name: 'nexmark',
  options: NEXMARK_OPTIONS,
  validate(ctx: ConnectorContext): void {
    checkPhysicalType(ctx.tableName, ctx.physicalType);
    readSettings(ctx);
  },
  isBounded(ctx: ConnectorContext): boolean {
    const s = readSettings(ctx);
    return (s.numEvents > 0 || s.stopAt >= 0) && !s.keepAlive;
  },
  createSplits(ctx: ConnectorContext, parallelism: number): readonly SourceSplit[] {
    checkPhysicalType(ctx.tableName, ctx.physicalType);
    const s = readSettings(ctx);
    return planNexmarkSplits(s, Math.max(1, parallelism)).map(
      (plan, i): NexmarkSplit => ({ id: `nexmark-${i}`, plan, config: s.config, keepAlive: s.keepAlive, maxEmitSpeed: s.maxEmitSpeed }),
    );
  },
  createReader(_ctx: ConnectorContext, split: SourceSplit, position?: unknown): SplitReader {
    return new NexmarkSplitReader(split as NexmarkSplit, position);
  },
};
