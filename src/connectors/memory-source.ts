/**
 * The `memory` source: reads record batches that the embedding program built and registered in this
 * thread, by name (`'connector' = 'memory', 'dataset' = 'bids'`). It is the cheapest honest way to feed
 * in-memory data to a SQL query from TypeScript: no text is formatted or parsed, the registered columns go
 * to the scan operator as they are (sliced, not copied, when a batch is larger than `execution.batch-size`).
 *
 * Invariants:
 * - Registered batches follow the batch contract (`types/batch.ts`): immutable once registered, so the
 *   reader hands out views of them and several jobs may read one dataset at the same time.
 * - A dataset lives in the thread that registered it. Jobs at parallelism 1 run in the calling thread and
 *   see it; a subtask in a worker thread does not, and fails with `CONNECTOR.MEMORY_DATASET_NOT_FOUND`
 *   rather than reading nothing.
 * - One split per dataset: the rows are read once whatever the parallelism, in registration order.
 */
import { runtimeError, userError } from '../common/index.js';
import { columnStorageOf, type Column, type RecordBatch, type RowType } from '../types/index.js';
import type { ConnectorContext, SourceConnector, SourceSplit, SplitReader } from './connector.js';
import { optionError } from './option-values.js';

export const MEMORY_CONNECTOR = 'memory';

interface MemoryDataset {
  readonly rowType: RowType;
  readonly batches: readonly RecordBatch[];
}

const DATASETS = new Map<string, MemoryDataset>();

/**
 * Registers (or replaces) the dataset `name`: `batches` of rows of `rowType`, in order. Tables with
 * `'connector' = 'memory', 'dataset' = '<name>'` read them; the table's physical columns must have the
 * same count and storage as `rowType`. The batches must not be written afterwards.
 *
 * @example
 * registerMemoryDataset('bids', { fields: [{ name: 'price', type: Types.bigint(false) }] }, [batch]);
 * await session.query("CREATE TABLE bids (price BIGINT) WITH ('connector' = 'memory', 'dataset' = 'bids'); SELECT SUM(price) FROM bids");
 */
export function registerMemoryDataset(name: string, rowType: RowType, batches: readonly RecordBatch[]): void {
  for (let b = 0; b < batches.length; b++) {
    if (batches[b]!.columns.length !== rowType.fields.length) {
      throw userError(
        'CONNECTOR.MEMORY_DATASET_SHAPE',
        `memory dataset '${name}': batch ${b} has ${batches[b]!.columns.length} columns, the row type has ${rowType.fields.length}`,
      );
    }
  }
  DATASETS.set(name, { rowType, batches });
}

/** Forgets the dataset `name` (running readers keep their batches); true when it existed. */
export function unregisterMemoryDataset(name: string): boolean {
  return DATASETS.delete(name);
}

function datasetOf(ctx: ConnectorContext): MemoryDataset {
  const name = ctx.options['dataset'] ?? '';
  const dataset = DATASETS.get(name);
  if (dataset === undefined) {
    throw runtimeError(
      'CONNECTOR.MEMORY_DATASET_NOT_FOUND',
      `table '${ctx.tableName}': no memory dataset '${name}' is registered in this thread`,
      { help: "register it with registerMemoryDataset() before the job starts; datasets are per thread, so run the job in the calling thread ('execution.worker-threads' = '1')" },
    );
  }
  return dataset;
}

/** A view of rows [from, to) of `batch`: typed arrays are shared, object columns are copied (arrays have no views). */
function sliceBatch(batch: RecordBatch, from: number, to: number): RecordBatch {
  const columns: Column[] = new Array<Column>(batch.columns.length);
  for (let c = 0; c < batch.columns.length; c++) {
    const col = batch.columns[c]!;
    const data = Array.isArray(col.data) ? col.data.slice(from, to) : col.data.subarray(from, to);
    columns[c] = { data, nulls: col.nulls === null ? null : col.nulls.subarray(from, to) };
  }
  return { numRows: to - from, kinds: batch.kinds === null ? null : batch.kinds.subarray(from, to), columns };
}

/** Why a table of `have` cannot read a dataset of `want` (column count or storage differ), or null. */
function schemaMismatch(have: RowType, want: RowType): string | null {
  if (have.fields.length !== want.fields.length) return `${have.fields.length} columns, the dataset has ${want.fields.length}`;
  for (let i = 0; i < have.fields.length; i++) {
    const h = have.fields[i]!;
    const w = want.fields[i]!;
    if (columnStorageOf(h.type) !== columnStorageOf(w.type)) return `column '${h.name}' is ${h.type.kind}, the dataset's column '${w.name}' is ${w.type.kind}`;
  }
  return null;
}

/** Position: the next batch and the next row within it. */
interface MemoryPosition {
  readonly batch: number;
  readonly row: number;
}

class MemoryReader implements SplitReader {
  readonly skippedRecords = 0;
  private batchIndex: number;
  private row: number;

  constructor(
    private readonly batches: readonly RecordBatch[],
    start: MemoryPosition,
  ) {
    this.batchIndex = start.batch;
    this.row = start.row;
  }

  position(): MemoryPosition {
    return { batch: this.batchIndex, row: this.row };
  }

  next(maxRows: number): RecordBatch | null {
    // Skip empty batches so that an empty batch is never returned: that would mean "nothing available yet".
    while (this.batchIndex < this.batches.length && this.row >= this.batches[this.batchIndex]!.numRows) {
      this.batchIndex++;
      this.row = 0;
    }
    if (this.batchIndex >= this.batches.length) return null;
    const batch = this.batches[this.batchIndex]!;
    const from = this.row;
    const to = Math.min(batch.numRows, from + Math.max(1, maxRows));
    this.row = to;
    return from === 0 && to === batch.numRows ? batch : sliceBatch(batch, from, to);
  }

  close(): void {}
}

export const memorySource: SourceConnector = {
  name: MEMORY_CONNECTOR,
  options: [{ key: 'dataset', type: 'string', required: true, description: 'Name of a dataset registered with registerMemoryDataset() in this thread.' }],
  /** The table's columns must line up with the registered row type, or values would be read as the wrong storage. */
  validate(ctx: ConnectorContext): void {
    const name = ctx.options['dataset'] ?? '';
    const dataset = DATASETS.get(name);
    if (dataset === undefined) throw optionError(ctx.tableName, `no memory dataset '${name}' is registered`, 'register it with registerMemoryDataset() first');
    const mismatch = schemaMismatch(ctx.physicalType, dataset.rowType);
    if (mismatch !== null) {
      throw userError('PLAN.CONNECTOR_SCHEMA', `table '${ctx.tableName}': ${mismatch} (memory dataset '${name}')`);
    }
  },
  isBounded: () => true,
  createSplits: (ctx: ConnectorContext): readonly SourceSplit[] => [{ id: `memory:${ctx.options['dataset'] ?? ''}` }],
  createReader: (ctx: ConnectorContext, _split: SourceSplit, position?: unknown): SplitReader => {
    const start = (position as MemoryPosition | undefined) ?? { batch: 0, row: 0 };
    return new MemoryReader(datasetOf(ctx).batches, start);
  },
};
