/**
 * The `paimon` source. In batch mode (`execution.runtime-mode` = 'batch') a bounded scan of one snapshot
 * of a Paimon table (src/lake does the format); in streaming mode, as in Flink, an unbounded read that
 * follows new snapshots (`paimon-stream-reader.ts`: where it starts is `scan.mode`, see `streamStart`;
 * how often it looks for new snapshots is `continuous.discovery-interval`, default 10 s). System tables
 * are always bounded.
 *
 * Batch scans. Which snapshot: `scan.tag-name` (the tag's snapshot), `scan.snapshot-id`, else the latest one committed at or before `scan.timestamp-millis`
 * (nothing when the table is younger: Paimon's static from-timestamp scan is empty then), else the
 * latest. Every split is one (partition, bucket) of that snapshot; primary-key splits are merged on read
 * per the table's merge engine. The snapshot is resolved when splits are made, by every source subtask
 * (the split contract): a commit landing between two subtasks' planning could make them disagree, which
 * is harmless at parallelism 1 and the reason time travel pins a snapshot id.
 *
 * Pushed filters (`ConnectorContext.filter`) prune, batch and streaming alike: partitions they rule out
 * are not read, nor buckets (fixed-bucket tables, equality on every bucket key), nor — batch scans and
 * the full read a streaming read may start with — files whose statistics rule them out (`paimon-pushdown.ts`, `PaimonTable.plan`). The scan still filters rows.
 *
 * System tables (`t$snapshots`, …) are one split produced by `paimon-system-tables.ts`; `t$audit_log`
 * reads `t`'s splits, its readers wrapped to add the `rowkind` column (`paimon-audit-log.ts`).
 *
 * A reader's checkpoint position is the number of rows it returned: a split of a snapshot reads the same
 * rows in the same order every time (immutable files, deterministic merge), so recovery skips that many.
 */
import { parseDurationMs, unsupported, userError } from '../../common/index.js';
import { writeConsumer, type DataSplit, type PaimonTable, type ScanPredicate, type Snapshot } from '../../lake/index.js';
import { Types, localToUtc, parseValueText, selectRows, type RecordBatch } from '../../types/index.js';
import type { ConnectorContext, SourceConnector, SourceSplit, SplitReader } from '../connector.js';
import { OptionReader, optionError } from '../option-values.js';
import { AUDIT_LOG_TABLE, AuditLogReader } from './paimon-audit-log.js';
import { openTableAt } from './paimon-location.js';
import { PAIMON_CONNECTOR, PAIMON_OPTIONS, PATH_OPTION, SYSTEM_TABLE_OPTION, checkScanOptions } from './paimon-options.js';
import { readSystemTable, type SystemTableName } from './paimon-system-tables.js';
import { partitionPruningFilter, scanPredicateOf } from './paimon-pushdown.js';
import { PaimonStreamReader, type PaimonStreamSplit, type StreamPosition, type StreamStart } from './paimon-stream-reader.js';

/** Paimon's default `continuous.discovery-interval`. */
const DEFAULT_DISCOVERY_INTERVAL_MS = 10_000;

/**
 * Streaming mode reads Paimon tables continuously (Flink's behaviour); batch mode reads one snapshot.
 * System tables are metadata read once, except `t$audit_log`, which reads as `t` does.
 */
function isStreaming(ctx: ConnectorContext): boolean {
  const system = ctx.options[SYSTEM_TABLE_OPTION];
  return (ctx.config('execution.runtime-mode') ?? 'streaming').trim().toLowerCase() !== 'batch' && (system === undefined || system === AUDIT_LOG_TABLE);
}

/**
 * Where a streaming read starts, from Paimon's `scan.mode`: `latest-full`/`full` (and `default` without a
 * time-travel option) read the latest snapshot in full, then its changes; `latest` only new changes;
 * `from-snapshot` the changes from `scan.snapshot-id` on (`default` with that option too);
 * `from-snapshot-full` that snapshot in full, then changes; `from-timestamp` (and `default` with
 * `scan.timestamp-millis`/`scan.timestamp`) the changes of snapshots committed at or after that time.
 */
export function streamStart(ctx: ConnectorContext): StreamStart {
  const o = new OptionReader(ctx.tableName, ctx.options, PAIMON_OPTIONS);
  const mode = (ctx.options['scan.mode'] ?? 'default').trim().toLowerCase();
  const snapshotId = o.optionalLong('scan.snapshot-id', 1);
  if ((ctx.options['scan.tag-name'] ?? '').trim() !== '') {
    throw unsupported('PLAN.CONNECTOR_OPTION', `table '${ctx.tableName}': 'scan.tag-name' is supported in batch reads only ('execution.runtime-mode' = 'batch')`);
  }
  const timestamp = (): number => o.optionalLong('scan.timestamp-millis') ?? timestampOption(ctx.tableName, ctx.options['scan.timestamp'], ctx.config('table.local-time-zone') ?? 'UTC')!;
  switch (mode) {
    case 'latest-full':
    case 'full':
      return { kind: 'full', snapshot: undefined };
    case 'latest':
      return { kind: 'changes', snapshot: undefined };
    case 'from-snapshot':
      return { kind: 'changes', snapshot: snapshotId };
    case 'from-snapshot-full':
      return { kind: 'full', snapshot: snapshotId };
    case 'from-timestamp':
      return { kind: 'timestamp', timestampMillis: timestamp() };
    default:
      if (snapshotId !== undefined) return { kind: 'changes', snapshot: snapshotId };
      if (ctx.options['scan.timestamp-millis'] !== undefined || ctx.options['scan.timestamp'] !== undefined) return { kind: 'timestamp', timestampMillis: timestamp() };
      return { kind: 'full', snapshot: undefined };
  }
}

function discoveryInterval(ctx: ConnectorContext): number {
  const text = ctx.options['continuous.discovery-interval'];
  if (text === undefined) return DEFAULT_DISCOVERY_INTERVAL_MS;
  const ms = parseDurationMs(text);
  if (ms === null || ms < 0) throw optionError(ctx.tableName, `option 'continuous.discovery-interval' must be a duration such as '10 s', got '${text}'`);
  return ms;
}

/** Options that choose what is read; they are not Paimon dynamic options of the opened table. */
const CONNECTOR_KEYS = new Set(['connector', PATH_OPTION, SYSTEM_TABLE_OPTION]);

function dynamicOptions(options: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (!CONNECTOR_KEYS.has(k)) out[k] = v;
  return out;
}

function open(ctx: ConnectorContext, batchSize?: number): Promise<PaimonTable> {
  const path = new OptionReader(ctx.tableName, ctx.options, PAIMON_OPTIONS).requiredString(PATH_OPTION);
  return openTableAt(path, (k) => ctx.config(k), { dynamicOptions: dynamicOptions(ctx.options), ...(batchSize === undefined ? {} : { batchSize }) });
}

/**
 * The snapshot a batch scan reads with these options; undefined when there is nothing to read.
 * `timeZone` reads `scan.timestamp` (Paimon reads it in the JVM's zone; Floe in the session's).
 */
export async function resolveScanSnapshot(table: PaimonTable, tableName: string, options: Readonly<Record<string, string>>, timeZone = 'UTC'): Promise<number | undefined> {
  const o = new OptionReader(tableName, options, PAIMON_OPTIONS);
  const snapshotId = o.optionalLong('scan.snapshot-id', 1);
  if (snapshotId !== undefined) {
    const ids = await table.snapshotIds();
    if (!ids.includes(snapshotId)) {
      const range = ids.length === 0 ? 'it has no snapshots' : `its snapshots are ${ids[0]}..${ids[ids.length - 1]}`;
      throw userError('PAIMON.SNAPSHOT_NOT_FOUND', `table '${tableName}' has no snapshot ${snapshotId}: ${range}`);
    }
    return snapshotId;
  }
  const timestamp = o.optionalLong('scan.timestamp-millis') ?? timestampOption(tableName, options['scan.timestamp'], timeZone);
  if (timestamp !== undefined) {
    let found: number | undefined;
    for (const s of await table.snapshots()) if (s.timeMillis <= timestamp && (found === undefined || s.id > found)) found = s.id;
    return found;
  }
  return table.latestSnapshotId();
}

/**
 * The snapshot of `scan.tag-name`, read from the tag file (so it stays readable after the snapshot
 * expired); undefined without the option. A missing tag is `LAKE.TAG_NOT_FOUND`.
 */
export async function resolveScanTag(table: PaimonTable, options: Readonly<Record<string, string>>): Promise<Snapshot | undefined> {
  const name = options['scan.tag-name'];
  if (name === undefined || name.trim() === '') return undefined;
  return (await table.tag(name)).snapshot;
}

/** `scan.timestamp` ('2026-11-27 12:00:00[.123]', wall clock in `timeZone`) as epoch milliseconds. */
function timestampOption(tableName: string, text: string | undefined, timeZone: string): number | undefined {
  if (text === undefined) return undefined;
  let wallClock: unknown;
  try {
    wallClock = parseValueText(text.trim(), Types.timestamp(3), timeZone);
  } catch {
    wallClock = null;
  }
  if (typeof wallClock !== 'number') {
    throw optionError(tableName, `option 'scan.timestamp' must be a time such as '2026-11-27 12:00:00', got '${text}'`);
  }
  return Math.floor(localToUtc(wallClock, timeZone));
}

/**
 * The pruning predicate of the scan's pushed filter (`paimon-pushdown.ts`); undefined without one. System
 * tables other than `t$audit_log` are not pruned (their rows are metadata, not the table's rows).
 */
export function scanPredicate(ctx: ConnectorContext): ScanPredicate | undefined {
  const system = ctx.options[SYSTEM_TABLE_OPTION];
  if (ctx.filter === undefined || (system !== undefined && system !== AUDIT_LOG_TABLE)) return undefined;
  return scanPredicateOf(ctx.filter, ctx.physicalType) ?? undefined;
}

interface PaimonSplit extends SourceSplit {
  readonly snapshotId: number;
  readonly split: DataSplit | null;
  readonly system: SystemTableName | null;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

class PaimonSplitReader implements SplitReader {
  readonly skippedRecords = 0;
  private batches: AsyncGenerator<RecordBatch> | null = null;
  private carry: RecordBatch | null = null;
  private returned = 0;

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly split: PaimonSplit,
    private toSkip: number,
  ) {}

  private async start(maxRows: number): Promise<AsyncGenerator<RecordBatch>> {
    const table = await open(this.ctx, Math.max(1, maxRows));
    const s = this.split;
    if (s.system !== null) return readSystemTable(table, s.system, Math.max(1, maxRows));
    return table.readSplit(s.split!);
  }

  async next(maxRows: number): Promise<RecordBatch | null> {
    this.batches ??= await this.start(maxRows);
    for (;;) {
      let batch = this.carry;
      this.carry = null;
      if (batch === null) {
        const r = await this.batches.next();
        if (r.done === true) return null;
        batch = r.value;
      }
      if (this.toSkip > 0) {
        // Recovery: these rows were returned before the checkpoint.
        const skip = Math.min(this.toSkip, batch.numRows);
        this.toSkip -= skip;
        if (skip === batch.numRows) continue;
        batch = range(batch, skip, batch.numRows);
      }
      if (batch.numRows > maxRows) {
        this.carry = range(batch, maxRows, batch.numRows);
        batch = range(batch, 0, maxRows);
      }
      this.returned += batch.numRows;
      return batch;
    }
  }

  position(): number {
    return this.returned + this.toSkip;
  }

  async close(): Promise<void> {
    await this.batches?.return(undefined);
  }
}

function range(batch: RecordBatch, from: number, to: number): RecordBatch {
  const idx = new Int32Array(to - from);
  for (let i = 0; i < idx.length; i++) idx[i] = from + i;
  return selectRows(batch, idx);
}

export const paimonSource: SourceConnector = {
  name: PAIMON_CONNECTOR,
  options: PAIMON_OPTIONS,
  validate(ctx) {
    checkScanOptions(ctx.tableName, ctx.options);
    discoveryInterval(ctx);
  },
  isBounded: (ctx) => !isStreaming(ctx),
  partitionPruning: partitionPruningFilter,
  async createSplits(ctx, parallelism) {
    if (isStreaming(ctx)) {
      // One shard per subtask; each reader resolves the start itself (see paimon-stream-reader.ts).
      const start = streamStart(ctx);
      const shards = Math.max(1, parallelism);
      const consumer = consumerOf(ctx);
      const resume = consumer !== undefined && !consumer.ignoreProgress ? { resumeConsumer: consumer.id } : {};
      return Array.from({ length: shards }, (_, shard): PaimonStreamSplit => ({ id: `stream-${shard}-of-${shards}`, stream: { shard, shards, start, ...resume } }));
    }
    const table = await open(ctx);
    const system = (ctx.options[SYSTEM_TABLE_OPTION] as SystemTableName | undefined) ?? null;
    if (system !== null && system !== AUDIT_LOG_TABLE) return [{ id: `system-${system}`, snapshotId: 0, split: null, system } satisfies PaimonSplit];
    const tagged = await resolveScanTag(table, ctx.options);
    const snapshotId = tagged?.id ?? (await resolveScanSnapshot(table, ctx.tableName, ctx.options, ctx.config('table.local-time-zone') ?? 'UTC'));
    if (snapshotId === undefined) return [];
    const predicate = scanPredicate(ctx);
    const splits = await table.plan(tagged ?? snapshotId, predicate === undefined ? {} : { predicate });
    return splits.map((split): PaimonSplit => ({ id: `${snapshotId}/${hex(split.partition)}/${split.bucket}/${split.branch}`, snapshotId, split, system: null }));
  },
  createReader(ctx, split, position) {
    const reader =
      (split as Partial<PaimonStreamSplit>).stream !== undefined
        ? new PaimonStreamReader((n) => open(ctx, n), split as PaimonStreamSplit, ctx.tableName, discoveryInterval(ctx), Date.now, position as StreamPosition | undefined, scanPredicate(ctx))
        : new PaimonSplitReader(ctx, split as PaimonSplit, typeof position === 'number' ? position : 0);
    return ctx.options[SYSTEM_TABLE_OPTION] === AUDIT_LOG_TABLE ? new AuditLogReader(reader) : reader;
  },
  checkpointListener(ctx) {
    const consumer = consumerOf(ctx);
    if (consumer === undefined || !isStreaming(ctx)) return null;
    let table: PaimonTable | null = null;
    return async (_checkpointId, splits) => {
      // The consumer's next snapshot is the slowest shard's: every snapshot before it was read by all of them.
      let next = Infinity;
      for (const { split, position } of splits) {
        if ((split as Partial<PaimonStreamSplit>).stream === undefined || position == null) continue;
        next = Math.min(next, (position as StreamPosition).snapshot);
      }
      if (!(next >= 1 && next < Infinity)) return; // some shard has no position yet
      table ??= await open(ctx);
      await writeConsumer(table, consumer.id, next);
    };
  },
};

/** The read's consumer id and whether to ignore its recorded progress; undefined without `consumer-id`. */
function consumerOf(ctx: ConnectorContext): { readonly id: string; readonly ignoreProgress: boolean } | undefined {
  const id = ctx.options['consumer-id'];
  if (id === undefined || id.trim() === '') return undefined;
  const ignoreProgress = new OptionReader(ctx.tableName, ctx.options, PAIMON_OPTIONS).boolean('consumer.ignore-progress');
  return { id, ignoreProgress };
}
