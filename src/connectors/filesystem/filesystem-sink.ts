/**
 * The `filesystem` sink: appends rows as CSV or JSON Lines part files under `path` (insert-only), or as a
 * `debezium-json` changelog (inserts, updates and deletes), with Flink's rolling policy and partition commit.
 *
 * Layout (Flink's): `<path>/[k1=v1/k2=v2/]part-<writer-uuid>-<subtask>-<counter>.<ext>`; partition columns
 * (`PARTITIONED BY`) become Hive-style directories (values escaped as Hive does) and are not written into
 * the files; NULL or empty partition values use `partition.default-name`. A part file is written under a
 * hidden in-progress name (`.part-….inprogress`) and becomes visible by an atomic rename.
 *
 * Per partition this subtask keeps at most one in-progress file. Its life:
 * 1. rolling (rolling-policy.ts): on size after a write, or on rollover/inactivity time at each
 *    `sink.rolling-policy.check-interval` — the file is closed and renamed (visible, not yet committed;
 *    with checkpoints it stays hidden until the next checkpoint completes, see below);
 * 2. partition commit (partition-commit.ts), when the trigger says the partition is complete (watermark
 *    for `partition-time`, processing time for `process-time`) and for every partition at end of input:
 *    - pre-commit: the in-progress file is closed (durable, still hidden) → a `PartitionCommit` record;
 *    - commit: `applyPartitionCommit` renames the record's files and writes the success file.
 *    The partition is then forgotten; rows that arrive for it later (late data) open a new file, and the
 *    partition is committed again (the marker is rewritten — commit is idempotent).
 * In batch mode (`execution.runtime-mode` = 'batch') triggers are not consulted: as in Flink, partitions
 * are committed when the input ends.
 *
 * Exactly-once (the job checkpoints, `SinkContext.exactlyOnce`): nothing becomes visible between
 * checkpoints. A rolled file stays hidden and closed; a partition whose commit trigger fired is
 * pre-committed (its record waits). At each checkpoint barrier `preCommit` closes every in-progress file
 * (rolling on checkpoint, as Flink does for its part files) and hands over one committable with the hidden
 * files and the waiting partition records; the sink operator keeps it in the checkpoint and calls `commit`
 * when the checkpoint completed — and again after a recovery, which is safe because renames and marker
 * writes are idempotent. Hidden files written after the last completed checkpoint by a crashed attempt
 * are never named by a committable: they stay as `.part-….inprogress` leftovers, invisible to readers
 * (Flink leaves them too).
 * Without checkpoints, pre-commit and commit run back to back (`commitPartitionNow`).
 *
 * Known gap: each subtask commits its own files. With parallelism > 1 the success file of a partition is
 * written by the first subtask whose trigger fires, possibly shortly before another subtask's files of
 * that partition become visible; Flink avoids this with a single global committer operator that waits for
 * all subtasks, which needs a planner change (and checkpoints) here.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { runtimeError } from '../../common/index.js';
import { RowKind, formatValueText, selectRows, validateTimeZone, type LogicalType, type RecordBatch, type RowType } from '../../types/index.js';
import {
  commitFileOnce,
  createRecordEncoder,
  isChangelogFormat,
  TextFileWriter,
  toLocalPath,
  type RecordEncoder,
} from '../../storage/index.js';
import type { ConnectorContext, SinkConnector, SinkContext, SinkWriter } from '../connector.js';
import { OptionReader } from '../option-values.js';
import { FILESYSTEM_OPTIONS } from './filesystem-options.js';
import { dataColumns } from './filesystem-source.js';
import { validateFormatOptions } from './format-option-check.js';
import {
  applyPartitionCommit,
  parseCommitPolicies,
  partitionTimeCommittable,
  procTimeCommittable,
  type CommitPolicies,
  type CommitTrigger,
  type PartitionCommit,
  type PendingFile,
} from './partition-commit.js';
import { PartitionTimeExtractor, partitionInstant } from './partition-time-extractor.js';
import { RollingPolicy } from './rolling-policy.js';

/** What one checkpoint makes visible: hidden part files, then partition commits (success files). */
interface FileSinkCommittable {
  readonly files: readonly PendingFile[];
  readonly partitions: readonly PartitionCommit[];
}

interface InProgressFile {
  readonly writer: TextFileWriter;
  readonly finalPath: string;
  readonly openedAt: number;
  lastWriteAt: number;
}

/** One partition this subtask wrote to since its last commit. */
interface PartitionState {
  /** Relative directory (`dt=2024-01-01/hm=10%3A05`), '' for an unpartitioned table. */
  readonly dir: string;
  readonly folder: string;
  /** Processing time of the first write since the last commit (`process-time` trigger). */
  readonly createdAt: number;
  /** The partition time as an instant (`partition-time` trigger), else NaN. */
  readonly partitionInstant: number;
  inProgress: InProgressFile | null;
}

/** The commit settings of a table, read once from its options. */
export interface PartitionCommitSettings {
  readonly trigger: CommitTrigger;
  readonly delayMs: number;
  readonly watermarkTimeZone: string;
  readonly policies: CommitPolicies;
  /** Null for unpartitioned tables or the `process-time` trigger. */
  readonly extractor: PartitionTimeExtractor | null;
}

/** Reads and checks the commit options (plan time and writer creation). */
export function readPartitionCommitSettings(
  tableName: string,
  options: Readonly<Record<string, string>>,
  partitionKeyNames: readonly string[],
): PartitionCommitSettings {
  const o = new OptionReader(tableName, options, FILESYSTEM_OPTIONS);
  const trigger = o.enumValue('sink.partition-commit.trigger', ['process-time', 'partition-time'] as const);
  const watermarkTimeZone = o.string('sink.partition-commit.watermark-time-zone')!;
  validateTimeZone(watermarkTimeZone);
  const policies = parseCommitPolicies(tableName, o.string('sink.partition-commit.policy.kind'), o.string('sink.partition-commit.success-file.name')!);
  // Built (and so checked) for every partitioned table, used by the `partition-time` trigger only.
  const extractor =
    partitionKeyNames.length === 0
      ? null
      : new PartitionTimeExtractor(tableName, partitionKeyNames, {
          kind: o.string('partition.time-extractor.kind'),
          pattern: o.string('partition.time-extractor.timestamp-pattern'),
          formatter: o.string('partition.time-extractor.timestamp-formatter'),
        });
  return {
    trigger,
    delayMs: o.durationMs('sink.partition-commit.delay'),
    watermarkTimeZone,
    policies,
    extractor: trigger === 'partition-time' ? extractor : null,
  };
}

/** Escapes a partition value for a directory name (Hive escapes `/`, `=`, `%`, `:` and control characters). */
function escapePartitionValue(v: string): string {
  return v.replace(/[\u0000-\u001f"#%'*/:=?\\\u007f{}[\]^]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

export class FileSystemSinkWriter implements SinkWriter {
  private readonly root: string;
  private readonly encoder: RecordEncoder;
  private readonly dataType: RowType;
  private readonly dataIndex: readonly number[];
  private readonly partitionKeys: readonly number[];
  private readonly writerId = randomUUID();
  private readonly rolling: RollingPolicy;
  private readonly commitSettings: PartitionCommitSettings;
  private readonly streaming: boolean;
  private readonly defaultPartition: string;
  private readonly clock: () => number;
  private readonly partitions = new Map<string, PartitionState>();
  private counter = 0;
  private watermark = -Infinity;
  private finished = false;
  readonly processingTimeIntervalMs: number;
  private readonly exactlyOnce: boolean;
  /** The format records row kinds (debezium-json): updates and deletes are written, not refused. */
  private readonly changelog: boolean;
  /** Exactly-once: closed hidden files and pre-committed partitions waiting for the next `preCommit`. */
  private waitingFiles: PendingFile[] = [];
  private waitingPartitions: PartitionCommit[] = [];

  constructor(private readonly ctx: SinkContext) {
    const o = new OptionReader(ctx.tableName, ctx.options, FILESYSTEM_OPTIONS);
    this.root = toLocalPath(o.requiredString('path'));
    this.partitionKeys = ctx.partitionKeys ?? [];
    ({ dataType: this.dataType, dataIndex: this.dataIndex } = dataColumns(ctx.physicalType, this.partitionKeys));
    this.encoder = createRecordEncoder(o.requiredString('format'), this.dataType, ctx.options);
    this.changelog = isChangelogFormat(o.requiredString('format'));
    this.rolling = new RollingPolicy({
      fileSizeBytes: o.memoryBytes('sink.rolling-policy.file-size'),
      rolloverIntervalMs: o.durationMs('sink.rolling-policy.rollover-interval'),
      inactivityIntervalMs: o.durationMs('sink.rolling-policy.inactivity-interval'),
      checkIntervalMs: o.durationMs('sink.rolling-policy.check-interval'),
    });
    this.processingTimeIntervalMs = Math.max(1, this.rolling.options.checkIntervalMs);
    this.commitSettings = readPartitionCommitSettings(ctx.tableName, ctx.options, this.partitionKeys.map((k) => ctx.physicalType.fields[k]!.name));
    this.streaming = (ctx.config('execution.runtime-mode') ?? 'streaming').trim().toLowerCase() !== 'batch';
    this.defaultPartition = o.string('partition.default-name')!;
    this.clock = ctx.processingTime ?? Date.now;
    this.exactlyOnce = ctx.exactlyOnce === true && this.streaming;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    if (!this.changelog && batch.kinds !== null && batch.kinds.some((k) => k !== RowKind.INSERT)) {
      throw runtimeError('SINK.UNEXPECTED_CHANGELOG', `table '${this.ctx.tableName}': the filesystem sink only accepts inserts, but received updates or deletes`);
    }
    if (this.partitionKeys.length === 0) {
      await this.append(this.partitionState('', null), batch);
      return;
    }
    // Group rows by partition directory, keeping the input order within a partition.
    const groups = new Map<string, { values: string[]; rows: number[] }>();
    const values: string[] = new Array<string>(this.partitionKeys.length);
    for (let r = 0; r < batch.numRows; r++) {
      const dir = this.partitionDir(batch, r, values);
      let g = groups.get(dir);
      if (g === undefined) groups.set(dir, (g = { values: values.slice(), rows: [] }));
      g.rows.push(r);
    }
    for (const [dir, g] of groups) await this.append(this.partitionState(dir, g.values), selectRows(batch, g.rows));
  }

  /** The partition's directory; fills `values` with its (unescaped) partition value texts. */
  private partitionDir(batch: RecordBatch, r: number, values: string[]): string {
    let dir = '';
    for (let i = 0; i < this.partitionKeys.length; i++) {
      const k = this.partitionKeys[i]!;
      const f = this.ctx.physicalType.fields[k]!;
      const col = batch.columns[k]!;
      const isNull = col.nulls !== null ? col.nulls[r] === 1 : col.data[r] === null;
      const text = isNull ? '' : valueText(f.type, f.type.kind === 'BOOLEAN' ? col.data[r] === 1 : col.data[r]);
      const value = text === '' ? this.defaultPartition : text;
      values[i] = value;
      dir += (i === 0 ? '' : '/') + f.name + '=' + (text === '' ? value : escapePartitionValue(value));
    }
    return dir;
  }

  private partitionState(dir: string, values: readonly string[] | null): PartitionState {
    let s = this.partitions.get(dir);
    if (s === undefined) {
      const extractor = this.commitSettings.extractor;
      s = {
        dir,
        folder: dir === '' ? this.root : path.join(this.root, ...dir.split('/')),
        createdAt: this.clock(),
        partitionInstant:
          extractor === null || values === null ? NaN : partitionInstant(extractor.extract(values), this.commitSettings.watermarkTimeZone),
        inProgress: null,
      };
      this.partitions.set(dir, s);
    }
    return s;
  }

  private async append(s: PartitionState, batch: RecordBatch): Promise<void> {
    const data: RecordBatch =
      this.partitionKeys.length === 0 ? batch : { numRows: batch.numRows, kinds: batch.kinds, columns: this.dataIndex.map((i) => batch.columns[i]!) };
    const part = s.inProgress ?? (await this.openPart(s));
    await part.writer.write(this.encoder.encodeBatch(data));
    part.lastWriteAt = this.clock();
    if (this.rolling.shouldRollOnWrite(part.writer.bytesWritten)) await this.roll(s);
  }

  private async openPart(s: PartitionState): Promise<InProgressFile> {
    const name = `part-${this.writerId}-${this.ctx.subtaskIndex}-${this.counter++}.${this.encoder.extension}`;
    const writer = await TextFileWriter.create(path.join(s.folder, `.${name}.inprogress`));
    const now = this.clock();
    const part: InProgressFile = { writer, finalPath: path.join(s.folder, name), openedAt: now, lastWriteAt: now };
    s.inProgress = part;
    return part;
  }

  /** Closes the in-progress file of `s` (if any) and returns it as a pending file: the pre-commit of one file. */
  private async closeInProgress(s: PartitionState): Promise<PendingFile | null> {
    const part = s.inProgress;
    if (part === null) return null;
    s.inProgress = null;
    await part.writer.close();
    return { inProgressPath: part.writer.path, finalPath: part.finalPath };
  }

  /** Rolling: the file is finished and made visible; the partition stays open (not committed). */
  private async roll(s: PartitionState): Promise<void> {
    const pending = await this.closeInProgress(s);
    if (pending === null) return;
    if (this.exactlyOnce) this.waitingFiles.push(pending);
    else await commitFileOnce(pending.inProgressPath, pending.finalPath);
  }

  /**
   * Pre-commit of a partition: its in-progress file is closed (durable, hidden) and the partition is
   * forgotten by this writer. The returned record is everything `applyPartitionCommit` needs.
   */
  async preCommitPartition(dir: string): Promise<PartitionCommit | null> {
    const s = this.partitions.get(dir);
    if (s === undefined) return null;
    this.partitions.delete(dir);
    const pending = await this.closeInProgress(s);
    return { folder: s.folder, isPartition: dir !== '', files: pending === null ? [] : [pending] };
  }

  /** Pre-commit and commit back to back (no checkpoints yet; see the module comment). */
  private async commitPartitionNow(dir: string): Promise<void> {
    const record = await this.preCommitPartition(dir);
    if (record === null) return;
    if (this.exactlyOnce) this.waitingPartitions.push(record);
    else await applyPartitionCommit(record, this.commitSettings.policies);
  }

  /** Exactly-once: everything written so far becomes one committable (see the module comment). */
  async preCommit(): Promise<readonly FileSinkCommittable[]> {
    for (const s of this.partitions.values()) {
      const pending = await this.closeInProgress(s);
      if (pending !== null) this.waitingFiles.push(pending);
    }
    if (this.waitingFiles.length === 0 && this.waitingPartitions.length === 0) return [];
    const committable: FileSinkCommittable = { files: this.waitingFiles, partitions: this.waitingPartitions };
    this.waitingFiles = [];
    this.waitingPartitions = [];
    return [committable];
  }

  async commit(committables: readonly unknown[]): Promise<void> {
    for (const c of committables as readonly FileSinkCommittable[]) {
      for (const f of c.files) await commitFileOnce(f.inProgressPath, f.finalPath);
      for (const record of c.partitions) await applyPartitionCommit(record, this.commitSettings.policies);
    }
  }

  /** Partitions (relative directories) written since their last commit, in creation order. */
  get openPartitions(): readonly string[] {
    return [...this.partitions.keys()];
  }

  async onWatermark(watermark: number): Promise<void> {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    if (this.finished || !this.streaming || this.commitSettings.trigger !== 'partition-time' || this.commitSettings.extractor === null) return;
    const due: string[] = [];
    for (const s of this.partitions.values()) {
      if (partitionTimeCommittable(s.partitionInstant, watermark, this.commitSettings.delayMs)) due.push(s.dir);
    }
    for (const dir of due) await this.commitPartitionNow(dir);
  }

  async onProcessingTime(now: number): Promise<void> {
    if (this.finished) return;
    for (const s of this.partitions.values()) {
      const part = s.inProgress;
      if (part !== null && this.rolling.shouldRollOnProcessingTime(part.openedAt, part.lastWriteAt, now)) await this.roll(s);
    }
    if (!this.streaming || this.commitSettings.trigger !== 'process-time' || this.partitionKeys.length === 0) return;
    const due: string[] = [];
    for (const s of this.partitions.values()) if (procTimeCommittable(s.createdAt, now, this.commitSettings.delayMs)) due.push(s.dir);
    for (const dir of due) await this.commitPartitionNow(dir);
  }

  /** End of input: every partition is committed, whatever its trigger says. */
  async finish(): Promise<void> {
    if (this.finished) return;
    for (const dir of [...this.partitions.keys()]) await this.commitPartitionNow(dir);
    this.finished = true;
  }

  async close(): Promise<void> {
    // After a failure the in-progress files stay (hidden) for a later recovery to resume or discard.
    for (const s of this.partitions.values()) await s.inProgress?.writer.close().catch(() => undefined);
    this.partitions.clear();
  }
}

function valueText(type: LogicalType, v: unknown): string {
  return type.kind === 'CHAR' || type.kind === 'VARCHAR' ? (v as string) : formatValueText(v, type);
}

export const filesystemSink: SinkConnector = {
  name: 'filesystem',
  options: FILESYSTEM_OPTIONS,
  // Only a changelog format can record updates and deletes in files.
  acceptsUpdates: (options) => isChangelogFormat(options['format'] ?? ''),
  validate(ctx: ConnectorContext): void {
    validateFormatOptions(ctx.tableName, ctx.options);
    createRecordEncoder(ctx.options['format'] ?? '', ctx.physicalType, ctx.options);
    readPartitionCommitSettings(ctx.tableName, ctx.options, (ctx.partitionKeys ?? []).map((k) => ctx.physicalType.fields[k]!.name));
  },
  createWriter(ctx: SinkContext): SinkWriter {
    return new FileSystemSinkWriter(ctx);
  },
};
