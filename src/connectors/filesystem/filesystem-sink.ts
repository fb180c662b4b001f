/**
 * The `filesystem` sink: appends insert-only rows as CSV or JSON Lines part files under `path`.
 *
 * Layout (Flink's): `<path>/[k1=v1/k2=v2/]part-<writer-id>-<subtask>-<n>.<ext>`; partition columns
 * (`PARTITIONED BY`) become Hive-style directories and are not written into the files; NULL or empty
 * partition values use `partition.default-name`. A part file is written under an in-progress name
 * (`.part-…inprogress`, hidden from readers) and renamed to its final name when it rolls
 * (`sink.rolling-policy.file-size` / `rollover-interval`) or when the input ends. With
 * `sink.partition-commit.policy.kind` containing `success-file`, every written partition gets a marker
 * file (`_SUCCESS`) at the end.
 *
 * Exactly-once (pre-commit on checkpoint, commit on completion) comes later; the in-progress → final
 * rename is the commit step it will reuse.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { runtimeError } from '../../common/index.js';
import { RowKind, formatValueText, selectRows, type LogicalType, type RecordBatch, type RowType } from '../../types/index.js';
import {
  commitFile,
  createRecordEncoder,
  TextFileWriter,
  toLocalPath,
  type RecordEncoder,
} from '../../storage/index.js';
import type { ConnectorContext, SinkConnector, SinkContext, SinkWriter } from '../connector.js';
import { OptionReader } from '../option-values.js';
import { FILESYSTEM_OPTIONS } from './filesystem-options.js';
import { dataColumns } from './filesystem-source.js';
import { validateFormatOptions } from './format-option-check.js';

interface OpenPart {
  readonly writer: TextFileWriter;
  readonly finalPath: string;
  readonly openedAt: number;
}

/** Escapes a partition value for a directory name (Hive escapes `/`, `=`, `%` and control characters). */
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
  private readonly fileSize: number;
  private readonly rolloverMs: number;
  private readonly defaultPartition: string;
  private readonly successFile: string | null;
  private readonly parts = new Map<string, OpenPart>();
  private readonly writtenPartitions = new Set<string>();
  private counter = 0;

  constructor(private readonly ctx: SinkContext) {
    const o = new OptionReader(ctx.tableName, ctx.options, FILESYSTEM_OPTIONS);
    this.root = toLocalPath(o.requiredString('path'));
    this.partitionKeys = ctx.partitionKeys ?? [];
    ({ dataType: this.dataType, dataIndex: this.dataIndex } = dataColumns(ctx.physicalType, this.partitionKeys));
    this.encoder = createRecordEncoder(o.requiredString('format'), this.dataType, ctx.options);
    this.fileSize = o.memoryBytes('sink.rolling-policy.file-size');
    this.rolloverMs = o.durationMs('sink.rolling-policy.rollover-interval');
    this.defaultPartition = o.string('partition.default-name')!;
    const policies = (o.string('sink.partition-commit.policy.kind') ?? '').split(',').map((s) => s.trim().toLowerCase());
    this.successFile = policies.includes('success-file') ? o.string('sink.partition-commit.success-file.name')! : null;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    if (batch.kinds !== null && batch.kinds.some((k) => k !== RowKind.INSERT)) {
      throw runtimeError('SINK.UNEXPECTED_CHANGELOG', `table '${this.ctx.tableName}': the filesystem sink only accepts inserts, but received updates or deletes`);
    }
    if (this.partitionKeys.length === 0) {
      await this.append('', batch);
      return;
    }
    // Group rows by partition directory, keeping the input order within a partition.
    const groups = new Map<string, number[]>();
    for (let r = 0; r < batch.numRows; r++) {
      const dir = this.partitionDir(batch, r);
      let g = groups.get(dir);
      if (g === undefined) groups.set(dir, (g = []));
      g.push(r);
    }
    for (const [dir, rows] of groups) await this.append(dir, selectRows(batch, rows));
  }

  private partitionDir(batch: RecordBatch, r: number): string {
    const segs: string[] = [];
    for (const k of this.partitionKeys) {
      const f = this.ctx.physicalType.fields[k]!;
      const col = batch.columns[k]!;
      const isNull = col.nulls !== null ? col.nulls[r] === 1 : col.data[r] === null;
      const text = isNull ? '' : valueText(f.type, f.type.kind === 'BOOLEAN' ? col.data[r] === 1 : col.data[r]);
      segs.push(`${f.name}=${text === '' ? this.defaultPartition : escapePartitionValue(text)}`);
    }
    return segs.join('/');
  }

  private async append(dir: string, batch: RecordBatch): Promise<void> {
    const data: RecordBatch =
      this.partitionKeys.length === 0 ? batch : { numRows: batch.numRows, kinds: null, columns: this.dataIndex.map((i) => batch.columns[i]!) };
    let part = this.parts.get(dir);
    if (part === undefined) part = await this.openPart(dir);
    await part.writer.write(this.encoder.encodeBatch(data));
    this.writtenPartitions.add(dir);
    if (part.writer.bytesWritten >= this.fileSize || Date.now() - part.openedAt >= this.rolloverMs) await this.commitPart(dir);
  }

  private async openPart(dir: string): Promise<OpenPart> {
    const name = `part-${this.writerId}-${this.ctx.subtaskIndex}-${this.counter++}.${this.encoder.extension}`;
    const folder = dir === '' ? this.root : path.join(this.root, ...dir.split('/'));
    const writer = await TextFileWriter.create(path.join(folder, `.${name}.inprogress`));
    const part: OpenPart = { writer, finalPath: path.join(folder, name), openedAt: Date.now() };
    this.parts.set(dir, part);
    return part;
  }

  private async commitPart(dir: string): Promise<void> {
    const part = this.parts.get(dir);
    if (part === undefined) return;
    this.parts.delete(dir);
    await part.writer.close();
    await commitFile(part.writer.path, part.finalPath);
  }

  async finish(): Promise<void> {
    for (const dir of [...this.parts.keys()]) await this.commitPart(dir);
    if (this.successFile !== null) {
      for (const dir of this.writtenPartitions) {
        if (dir === '') continue;
        const marker = await TextFileWriter.create(path.join(this.root, ...dir.split('/'), this.successFile));
        await marker.close();
      }
    }
  }

  async close(): Promise<void> {
    // After a failure the in-progress files stay (hidden) for a later recovery to resume or discard.
    for (const part of this.parts.values()) await part.writer.close().catch(() => undefined);
    this.parts.clear();
  }
}

function valueText(type: LogicalType, v: unknown): string {
  return type.kind === 'CHAR' || type.kind === 'VARCHAR' ? (v as string) : formatValueText(v, type);
}

export const filesystemSink: SinkConnector = {
  name: 'filesystem',
  options: FILESYSTEM_OPTIONS,
  acceptsUpdates: false,
  validate(ctx: ConnectorContext): void {
    validateFormatOptions(ctx.tableName, ctx.options);
    createRecordEncoder(ctx.options['format'] ?? '', ctx.physicalType, ctx.options);
  },
  createWriter(ctx: SinkContext): SinkWriter {
    return new FileSystemSinkWriter(ctx);
  },
};
