/**
 * `lake-bucket-assign`: appends the Paimon bucket of every row as a last `INT NOT NULL` column, so the
 * hash exchange after it routes each (partition, bucket) to one writer (src/spec/lake-sink-specs.ts).
 * Stateless; runs chained with its input, rows and kinds pass through unchanged.
 *
 * For a dynamic-bucket table (`bucket` = -1) the column holds the key's routing channel instead
 * (`dynamicBucketChannel`): buckets come from the table's hash index, which the writers maintain, and
 * this operator runs at its input's parallelism where one key may reach several subtasks. Routing by
 * (partition, channel) hands every key to one writer, which assigns its bucket.
 */
import { unsupported } from '../../common/index.js';
import { PaimonBucketAssigner } from '../../lake/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { LakeBucketAssignSpec } from '../../spec/index.js';
import type { RecordBatch } from '../../types/index.js';
import { openSinkTable } from './paimon-sink-table.js';

export class PaimonBucketAssignOperator implements Operator {
  private assigner: PaimonBucketAssigner | null = null;
  private ctx: OperatorContext | null = null;

  constructor(private readonly spec: LakeBucketAssignSpec) {
    if (spec.version !== 1) {
      throw unsupported('SPEC.VERSION', `lake-bucket-assign spec version ${String(spec.version)} of table '${spec.tableName}' is not supported by this Floe (knows 1)`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    this.assigner = new PaimonBucketAssigner(await openSinkTable(this.spec.tableName, this.spec.options, (k) => ctx.config(k)));
  }

  processBatch(_input: number, batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    const buckets = this.assigner!.assign(batch);
    this.ctx!.emit({ numRows: batch.numRows, kinds: batch.kinds, columns: [...batch.columns, { data: buckets, nulls: null }] });
  }

  processWatermark(watermark: number): void {
    this.ctx!.emitWatermark(watermark);
  }

  close(): void {
    this.assigner = null;
  }
}
