/**
 * What flows on an exchange channel, in order: data batches and control elements.
 *
 * Ordering invariant: a channel is FIFO for all element kinds, so a watermark never overtakes the data
 * sent before it, and an end-of-partition is the last element of a channel. A checkpoint barrier separates
 * the rows that belong to checkpoint `id` (before it) from those after it; a subtask aligns barriers over
 * all its input channels (subtask.ts) before it snapshots.
 */
import type { RecordBatch } from '../types/index.js';
import type { WireBatch } from './batch-wire.js';

export type StreamElement =
  | { readonly kind: 'batch'; readonly batch: RecordBatch }
  /** The sender promises no more rows with event time <= `watermark` (epoch ms). */
  | { readonly kind: 'watermark'; readonly watermark: number }
  /** The sender is idle (holds no watermark back) or active again. */
  | { readonly kind: 'status'; readonly idle: boolean }
  /** Everything before this element on the channel is covered by checkpoint (or savepoint) `id`. */
  | { readonly kind: 'barrier'; readonly id: number; readonly savepoint: boolean }
  /** The sender finished: nothing follows on this channel. */
  | { readonly kind: 'end' };

/** One element as it arrives in a subtask's inbox, tagged with its channel. */
export interface InboxItem {
  readonly channel: number;
  readonly element: StreamElement;
}

/**
 * Messages between workers over a peer MessagePort (one port carries every channel between two workers,
 * in order). Batches travel as `batch` in wire form; `element` carries the control elements.
 */
export type PeerMessage =
  | { readonly t: 'batch'; readonly channel: number; readonly batch: WireBatch }
  | { readonly t: 'element'; readonly channel: number; readonly element: StreamElement }
  /** The consumer processed `n` batches of `channel`: the producer may send `n` more. */
  | { readonly t: 'credit'; readonly channel: number; readonly n: number };
