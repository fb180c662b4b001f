/**
 * The internal `__collect` sink that returns a SELECT's rows to the job client: every non-empty batch is
 * sent as `{ kind: 'rows', batch }` (rows keep their kinds, so changelog results work), and
 * `{ kind: 'end' }` follows when the input ends. Not for users' DDL: the planner adds it for a top-level
 * query (the name starts with `__` so it cannot clash with a user connector).
 */
import type { RecordBatch } from '../types/index.js';
import type { SinkConnector, SinkContext, SinkWriter } from './connector.js';

export const COLLECT_CONNECTOR = '__collect';

export type CollectMessage = { readonly kind: 'rows'; readonly batch: RecordBatch } | { readonly kind: 'end' };

export class CollectSinkWriter implements SinkWriter {
  constructor(private readonly ctx: SinkContext) {}

  write(batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    const message: CollectMessage = { kind: 'rows', batch };
    this.ctx.sendToClient(message);
  }

  finish(): void {
    const message: CollectMessage = { kind: 'end' };
    this.ctx.sendToClient(message);
  }

  close(): void {}
}

export const collectSink: SinkConnector = {
  name: COLLECT_CONNECTOR,
  options: [],
  acceptsUpdates: true,
  createWriter(ctx: SinkContext): SinkWriter {
    return new CollectSinkWriter(ctx);
  },
};
