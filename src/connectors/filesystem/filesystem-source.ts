/**
 * The `filesystem` source: a bounded read of one file or of every data file below a directory (recursive;
 * hidden and `_`-prefixed files such as `_SUCCESS` are skipped; files sorted by path). One split per file;
 * the scan operator deals splits to subtasks round-robin. Files are parsed in chunks (1 MiB of text at a
 * time), never read whole. For partitioned tables (`partitionKeys`), partition column values come from the
 * file's `k=v` directories below `path` (`partition.default-name` reads as NULL), not from the file.
 */
import * as path from 'node:path';
import { BatchBuilder, parseValueText, type RecordBatch, type RowType } from '../../types/index.js';
import {
  createRecordDecoder,
  listDataFiles,
  TextFileReader,
  toLocalPath,
  type RecordDecoder,
} from '../../storage/index.js';
import type { ConnectorContext, SourceConnector, SourceSplit, SplitReader } from '../connector.js';
import { OptionReader, optionError } from '../option-values.js';
import { FILESYSTEM_OPTIONS } from './filesystem-options.js';
import { validateFormatOptions } from './format-option-check.js';

interface FileSplit extends SourceSplit {
  readonly file: string;
}

/** The columns stored in files: the physical row without partition columns. */
export function dataColumns(type: RowType, partitionKeys: readonly number[]): { dataType: RowType; dataIndex: readonly number[] } {
  const dataIndex = type.fields.map((_, i) => i).filter((i) => !partitionKeys.includes(i));
  return { dataType: { fields: dataIndex.map((i) => type.fields[i]!) }, dataIndex };
}

export class FileSplitReader implements SplitReader {
  private reader: TextFileReader | null = null;
  private decoder: RecordDecoder | null = null;
  private ended = false;
  private returned = 0;
  private readonly dataType: RowType;
  private readonly dataIndex: readonly number[];
  private readonly partitionValues: readonly unknown[];

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly file: string,
    private readonly root: string,
    /** Rows to skip on recovery: the rows of this file returned before the checkpoint. */
    private skipRows = 0,
  ) {
    const keys = ctx.partitionKeys ?? [];
    ({ dataType: this.dataType, dataIndex: this.dataIndex } = dataColumns(ctx.physicalType, keys));
    this.partitionValues = keys.map((k) => this.partitionValue(k));
  }

  get skippedRecords(): number {
    return this.decoder?.skipped ?? 0;
  }

  /** The value of partition column `k` from this file's `name=value` directories. */
  private partitionValue(k: number): unknown {
    const field = this.ctx.physicalType.fields[k]!;
    const rel = path.relative(this.root, path.dirname(this.file)).split(path.sep);
    const seg = rel.find((s) => s.startsWith(field.name + '='));
    if (seg === undefined) {
      throw optionError(this.ctx.tableName, `file ${this.file} is not inside a '${field.name}=<value>' partition directory`);
    }
    const text = decodeURIComponent(seg.slice(field.name.length + 1));
    const defaultName = new OptionReader(this.ctx.tableName, this.ctx.options, FILESYSTEM_OPTIONS).string('partition.default-name');
    if (text === defaultName) return null;
    return parseValueText(text, field.type);
  }

  /** Rows returned so far (skipped unparsable rows are not counted: they are skipped again on recovery). */
  position(): number {
    return this.returned;
  }

  async next(maxRows: number): Promise<RecordBatch | null> {
    // Recovery: decode and drop the rows returned before the checkpoint (files are read sequentially).
    while (this.skipRows > 0) {
      const b = await this.nextRows(Math.min(this.skipRows, 65536));
      if (b === null) return null;
      this.skipRows -= b.numRows;
      this.returned += b.numRows;
    }
    const batch = await this.nextRows(maxRows);
    if (batch !== null) this.returned += batch.numRows;
    return batch;
  }

  private async nextRows(maxRows: number): Promise<RecordBatch | null> {
    if (this.reader === null) {
      this.reader = await TextFileReader.open(this.file);
      this.decoder = createRecordDecoder(this.ctx.options['format'] ?? '', this.dataType, this.ctx.options, {
        table: this.ctx.tableName,
        file: this.file,
      });
    }
    const decoder = this.decoder!;
    const builder = new BatchBuilder(this.dataType, Math.min(maxRows, 1024));
    for (;;) {
      decoder.decodeInto(builder, maxRows - builder.numRows);
      if (builder.numRows >= maxRows || this.ended) break;
      const chunk = await this.reader.read();
      if (chunk === null) {
        decoder.end();
        this.ended = true;
      } else {
        decoder.feed(chunk);
      }
    }
    if (builder.numRows === 0 && this.ended) return null;
    return this.withPartitionColumns(builder.finish());
  }

  /** Puts data columns and constant partition columns in physical-row order. */
  private withPartitionColumns(batch: RecordBatch): RecordBatch {
    const keys = this.ctx.partitionKeys ?? [];
    if (keys.length === 0) return batch;
    const b = new BatchBuilder(this.ctx.physicalType, Math.max(1, batch.numRows));
    const row = new Array<unknown>(this.ctx.physicalType.fields.length);
    keys.forEach((k, j) => (row[k] = this.partitionValues[j]));
    for (let r = 0; r < batch.numRows; r++) {
      for (let c = 0; c < this.dataIndex.length; c++) {
        const col = batch.columns[c]!;
        const t = this.dataType.fields[c]!.type;
        row[this.dataIndex[c]!] = col.nulls !== null && col.nulls[r] === 1 ? null : t.kind === 'BOOLEAN' ? col.data[r] === 1 : col.data[r];
      }
      b.appendRow(row);
    }
    return b.finish();
  }

  async close(): Promise<void> {
    await this.reader?.close();
    this.reader = null;
  }
}

export const filesystemSource: SourceConnector = {
  name: 'filesystem',
  options: FILESYSTEM_OPTIONS,
  validate(ctx: ConnectorContext): void {
    validateFormatOptions(ctx.tableName, ctx.options);
    createRecordDecoder(ctx.options['format'] ?? '', ctx.physicalType, ctx.options, { table: ctx.tableName, file: '' });
  },
  isBounded(): boolean {
    return true;
  },
  async createSplits(ctx: ConnectorContext): Promise<readonly SourceSplit[]> {
    const o = new OptionReader(ctx.tableName, ctx.options, FILESYSTEM_OPTIONS);
    const root = toLocalPath(o.requiredString('path'));
    let files = await listDataFiles(root);
    const pattern = o.string('source.path.regex-pattern');
    if (pattern !== undefined) {
      const re = new RegExp(pattern);
      files = files.filter((f) => re.test(f));
    }
    return files.map((file): FileSplit => ({ id: file, file }));
  },
  createReader(ctx: ConnectorContext, split: SourceSplit, position?: unknown): SplitReader {
    const root = toLocalPath(new OptionReader(ctx.tableName, ctx.options, FILESYSTEM_OPTIONS).requiredString('path'));
    return new FileSplitReader(ctx, (split as FileSplit).file, root, typeof position === 'number' ? position : 0);
  },
};
