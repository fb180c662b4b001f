/**
 * Paimon's `` `t$audit_log` `` system table: the rows of `t` behind a leading `rowkind STRING NOT NULL`
 * column holding each row's change kind ('+I', '-U', '+U', '-D'), so a query sees the changelog as plain
 * insert-only data (filter on it, count updates, copy it into an append table).
 *
 * It reads as `t` itself does, through the same splits and readers (paimon-source.ts): in batch mode the
 * merged rows of one snapshot, every one '+I'; in streaming mode `t`'s changelog (for primary-key
 * tables the exact changes computed by paimon-stream-reader.ts, -U/+U for an update). This module only
 * turns the readers' row kinds into the column.
 */
import { ROW_KIND_SHORT, RowKind, type Column, type RecordBatch } from '../../types/index.js';
import type { SplitReader } from '../connector.js';

/** The `paimon.system-table` value of `t$audit_log`. */
export const AUDIT_LOG_TABLE = 'audit_log';

/**
 * `batch` with the kinds of its rows as a first STRING column, and every row an insert. An empty batch
 * without columns (an unbounded reader with nothing new) stays as it is.
 */
export function withRowKindColumn(batch: RecordBatch): RecordBatch {
  if (batch.numRows === 0 && batch.columns.length === 0) return batch;
  const n = batch.numRows;
  const kinds = batch.kinds;
  const text = new Array<string>(n);
  if (kinds === null) text.fill(ROW_KIND_SHORT[RowKind.INSERT]!);
  else for (let r = 0; r < n; r++) text[r] = ROW_KIND_SHORT[kinds[r]!]!;
  const rowkind: Column = { data: text, nulls: null };
  return { numRows: n, kinds: null, columns: [rowkind, ...batch.columns] };
}

/** A reader of `t` whose batches become rows of `t$audit_log` (positions are the inner reader's). */
export class AuditLogReader implements SplitReader {
  constructor(private readonly inner: SplitReader) {}

  get skippedRecords(): number {
    return this.inner.skippedRecords;
  }

  async next(maxRows: number): Promise<RecordBatch | null> {
    const batch = await this.inner.next(maxRows);
    return batch === null ? null : withRowKindColumn(batch);
  }

  position(): unknown {
    return this.inner.position?.();
  }

  close(): Promise<void> | void {
    return this.inner.close();
  }
}
