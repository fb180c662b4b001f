/**
 * The connector contract: how a table's `'connector' = '…'` becomes splits, readers and writers.
 *
 * A connector declares its options (Flink's names) so that the planner validates a table's WITH clause at
 * CREATE/plan time with clear errors (unknown key with did-you-mean, bad value naming the table), and
 * says whether it reads bounded input and which changelog it can write.
 *
 * At run time the generic scan operator (`scan-operator.ts`) asks the connector for splits, assigns
 * split i to source subtask i mod parallelism, and pulls batches of *physical* rows from a `SplitReader`
 * per split; it then computes columns, watermarks per split, filters and projects. The generic sink
 * operator hands batches to a `SinkWriter`.
 */
import type { ExprIR } from '../expr/index.js';
import type { RecordBatch, RowType } from '../types/index.js';

export interface ConnectorOption {
  readonly key: string;
  readonly type: 'string' | 'int' | 'long' | 'double' | 'boolean' | 'duration' | 'memory' | 'enum';
  readonly required?: boolean;
  readonly default?: string;
  readonly enumValues?: readonly string[];
  readonly description: string;
  /** Keys that start with this prefix are accepted as a family (e.g. `fields.` for datagen). */
  readonly prefix?: boolean;
}

export interface ConnectorContext {
  readonly tableName: string;
  readonly options: Readonly<Record<string, string>>;
  readonly physicalType: RowType;
  /**
   * `PARTITIONED BY` columns (indices into `physicalType`), for connectors that lay data out by partition
   * (filesystem: Hive-style `k=v/` directories; the partition columns are not stored in the files).
   * Absent or empty for unpartitioned tables.
   */
  readonly partitionKeys?: readonly number[];
  /**
   * The scan's filter (over the physical columns then the computed columns the scan keeps; a boolean
   * expression), when the planner pushed one into the scan. The scan operator applies it to every row a
   * reader returns, so a connector may use it only to skip input that cannot satisfy it (partitions,
   * buckets, files by statistics) — never to drop rows it cannot prove fail it. Absent: no filter.
   * Every subtask sees the same filter, so splits stay deterministic.
   */
  readonly filter?: ExprIR;
  /** The job's configuration (for `table.local-time-zone`, base paths, …). */
  config(key: string): string | undefined;
}

/** A serialisable description of a unit of input (a generator range, a file, a partition). */
export type SourceSplit = { readonly id: string } & Readonly<Record<string, unknown>>;

export interface SplitReader {
  /**
   * The next rows of this split, at most `maxRows`, as a batch of the physical row type; an empty batch
   * when nothing is available right now (unbounded input); `null` when the split is exhausted.
   * Malformed input raises a FloeError naming the table, the split (file) and position (line/offset) and
   * the column, unless the format's ignore-parse-errors option is set (then the row is skipped and counted
   * in `skippedRecords`).
   */
  next(maxRows: number): Promise<RecordBatch | null> | RecordBatch | null;
  /** Rows skipped because they could not be parsed (ignore-parse-errors). */
  readonly skippedRecords: number;
  /**
   * The reader's position after the rows returned so far: a structured-cloneable value kept in
   * checkpoints and handed back to `createReader` on recovery, which must then continue exactly after
   * those rows. A reader without it cannot take part in a checkpoint.
   */
  position?(): unknown;
  close(): Promise<void> | void;
}

export interface SinkWriter {
  /** Writes a batch (rows carry their kinds; the planner checked the sink accepts them). */
  write(batch: RecordBatch): Promise<void> | void;
  /** End of input: flush everything durable. */
  finish(): Promise<void> | void;
  close(): Promise<void> | void;
  /**
   * Optional: the sink's input watermark advanced (epoch ms; +Infinity after the input ended). Sinks that
   * act on event-time progress (the filesystem sink's `partition-time` commit) implement it.
   */
  onWatermark?(watermark: number): Promise<void> | void;
  /**
   * Optional: called by the sink operator every `processingTimeIntervalMs` of processing time (a positive
   * interval; never after `finish`), with the current processing time — for time-based rolling and commit.
   */
  onProcessingTime?(nowMs: number): Promise<void> | void;
  readonly processingTimeIntervalMs?: number;
  /**
   * Two-phase commit, for exactly-once sinks when the job checkpoints (`SinkContext.exactlyOnce`).
   * `preCommit` runs at a checkpoint barrier: everything written so far becomes durable but stays
   * invisible, and it returns what `commit` needs (structured-cloneable). `commit` runs when that
   * checkpoint completed, and again on recovery for committables of the restored checkpoint, so it must
   * be idempotent. A sink without them is at-least-once (print, blackhole: they cannot take rows back).
   */
  preCommit?(checkpointId: number): Promise<readonly unknown[]> | readonly unknown[];
  commit?(committables: readonly unknown[]): Promise<void> | void;
}

export interface SinkContext extends ConnectorContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Sends a message to the job client (used by the internal `collect` sink that returns SELECT results). */
  sendToClient(message: unknown): void;
  /** The job checkpoints: output must become visible only through `preCommit`/`commit`. */
  readonly exactlyOnce?: boolean;
  /** Current processing time (epoch ms); absent means `Date.now()`. Tests inject a clock here. */
  processingTime?(): number;
}

export interface SourceConnector {
  readonly name: string;
  readonly options: readonly ConnectorOption[];
  /**
   * Optional checks beyond the declared options, run at plan time with the table's schema (e.g. the
   * nexmark table's shape, datagen's per-field options). Throws FloeError `PLAN.CONNECTOR_OPTION` /
   * `PLAN.CONNECTOR_SCHEMA`.
   */
  validate?(ctx: ConnectorContext): void;
  /** Whether reading with these options ends (batch mode requires it). */
  isBounded(ctx: ConnectorContext): boolean;
  /**
   * Optional, for EXPLAIN: the part of a pushed `filter` (see `ConnectorContext.filter`) the connector
   * prunes partitions with, as an expression over the same row, or null when it prunes none. Only
   * conjuncts on `partitionKeys` (indices into `physicalType`) count. Pure: no I/O at plan time.
   */
  partitionPruning?(filter: ExprIR, physicalType: RowType, partitionKeys: readonly number[]): ExprIR | null;
  /**
   * Splits of the input. Every source subtask calls this with the same arguments and keeps the splits
   * whose position in the result is its subtask index modulo `parallelism`, so it must be deterministic.
   */
  createSplits(ctx: ConnectorContext, parallelism: number): Promise<readonly SourceSplit[]> | readonly SourceSplit[];
  /** A reader of `split`, from its start, or from `position` (a value of `SplitReader.position`) on recovery. */
  createReader(ctx: ConnectorContext, split: SourceSplit, position?: unknown): Promise<SplitReader> | SplitReader;
  /**
   * Optional, for progress kept outside the job (Paimon's consumer ids; a consumer group's committed
   * offsets): a listener of this table's completed checkpoints, or null when the table keeps no such
   * progress (then split positions do not travel with checkpoint acknowledgements at all).
   */
  checkpointListener?(ctx: ConnectorContext): SourceCheckpointListener | null;
}

/**
 * Checkpoint `checkpointId` completed; `splits` are the positions of every split the source still read at
 * that checkpoint, over all its subtasks — what the checkpoint restores. Called in source subtask 0 only,
 * in checkpoint order, one call at a time; a checkpoint whose notification was skipped is covered by the
 * next call. A rejection fails the job, as a failed sink commit does.
 */
export type SourceCheckpointListener = (checkpointId: number, splits: readonly SplitPosition[]) => Promise<void> | void;

/** A split and its reader's position at a checkpoint (`SplitReader.position`). */
export interface SplitPosition {
  readonly split: SourceSplit;
  readonly position: unknown;
}

export interface SinkConnector {
  readonly name: string;
  readonly options: readonly ConnectorOption[];
  /** Optional plan-time checks with the table's schema (see `SourceConnector.validate`). */
  validate?(ctx: ConnectorContext): void;
  /** Which row kinds the sink accepts: `insert-only` sinks reject updating input at planning time. */
  readonly acceptsUpdates: boolean | ((options: Readonly<Record<string, string>>) => boolean);
  createWriter(ctx: SinkContext): Promise<SinkWriter> | SinkWriter;
}
