/**
 * The internal `__values` source that runs constant rows (`VALUES (…), (…)`, `SELECT 1`): the planner puts
 * the rows in the `rows` option as JSON (one array per row, each value in `encodeLiteral`'s encoding, in
 * the order of the physical row type). One split, so the rows are read once whatever the parallelism.
 */
import { internalError } from '../common/index.js';
import { decodeLiteral, type JsonValue } from '../expr/index.js';
import { BatchBuilder, type RecordBatch } from '../types/index.js';
import type { ConnectorContext, SourceConnector, SourceSplit, SplitReader } from './connector.js';

export const VALUES_CONNECTOR = '__values';

class ValuesReader implements SplitReader {
  readonly skippedRecords = 0;
  private done = false;

  constructor(private readonly ctx: ConnectorContext) {}

  position(): boolean {
    return this.done;
  }

  next(): RecordBatch | null {
    if (this.done) return null;
    this.done = true;
    let rows: unknown;
    try {
      rows = JSON.parse(this.ctx.options['rows'] ?? '[]');
    } catch (cause) {
      throw internalError(`the rows of ${this.ctx.tableName} are not valid JSON`, { cause });
    }
    if (!Array.isArray(rows)) throw internalError(`the rows of ${this.ctx.tableName} are not an array`);
    const fields = this.ctx.physicalType.fields;
    const builder = new BatchBuilder(this.ctx.physicalType, Math.max(1, rows.length));
    for (const row of rows as JsonValue[][]) builder.appendRow(fields.map((f, i) => decodeLiteral(row[i] ?? null, f.type)));
    return builder.finish();
  }

  close(): void {}
}

export const valuesSource: SourceConnector = {
  name: VALUES_CONNECTOR,
  options: [{ key: 'rows', type: 'string', required: true, description: 'The rows as a JSON array of arrays (planner-internal).' }],
  isBounded: () => true,
  createSplits: (): readonly SourceSplit[] => [{ id: 'values' }],
  createReader: (ctx: ConnectorContext, _split: SourceSplit, position?: unknown) => {
    const reader = new ValuesReader(ctx);
    if (position === true) reader.next(); // already read before the checkpoint
    return reader;
  },
};
