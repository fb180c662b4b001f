/**
 * The sending end of one exchange channel (one upstream subtask → one downstream subtask).
 *
 * Backpressure is credit-based: a channel may have at most `maxBuffers` batches in flight (sent but not
 * yet processed by the consumer, which returns one credit per processed batch). The sender never blocks
 * inside `sendBatch` (operators emit synchronously); instead its subtask awaits `whenWritable()` before
 * taking more input, so the overshoot is bounded by what one input batch produces.
 *
 * Coalescing: batches smaller than `minRows` are held and concatenated with the following ones until
 * `minRows` rows are pending, a status/end element must go out, the subtask runs out of input (it flushes
 * every channel before it waits), or the buffer timeout elapses (the subtask arms one timer for all its
 * channels). A watermark arriving while rows are pending is held with them and sent right after the
 * concatenated batch: rows may move ahead of a watermark (never late that way), never behind one.
 *
 * Transfers between threads: see `prepareForTransfer` (typed-array columns) and `batch-wire.ts` (string
 * columns packed into bytes). Only buffers this exchange allocated (`owned`: the sub-batches of a hash
 * split, a coalesced batch, packed strings) are ever detached; others are copied first.
 */
import { concatBatches } from '../types/index.js';
import type { Column, RecordBatch, RowType } from '../types/index.js';
import type { StreamElement } from './stream-element.js';
import { toWireBatch } from './batch-wire.js';
import type { WireBatch } from './batch-wire.js';

/**
 * Where a channel's elements go. A local transport hands batches over by reference; a remote one (the
 * consumer is in another thread) receives batches in wire form (`batch-wire.ts`) with the buffers to
 * transfer. Both deliver in call order, which keeps every channel FIFO across element kinds.
 */
export type ChannelTransport =
  | {
      readonly remote: false;
      deliver(channel: number, element: StreamElement, transfer: ArrayBuffer[] | undefined): void;
    }
  | {
      readonly remote: true;
      /** Control elements (watermark, status, barrier, end); never `batch`. */
      deliver(channel: number, element: StreamElement, transfer: ArrayBuffer[] | undefined): void;
      deliverBatch(channel: number, batch: WireBatch, transfer: ArrayBuffer[] | undefined): void;
    };

export class OutputChannel {
  inFlight = 0;
  maxInFlight = 0;
  private pending: RecordBatch[] = [];
  private pendingRows = 0;
  private pendingOwned = false;
  private pendingWatermark = NaN;
  private waiters: (() => void)[] = [];

  constructor(
    readonly id: number,
    private readonly transport: ChannelTransport,
    private readonly maxBuffers: number,
    private readonly minRows: number,
    private readonly rowType: RowType,
    /** Told when rows start waiting in this channel, so the subtask can arm its buffer timer. */
    private readonly onPending: () => void,
  ) {}

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  sendBatch(batch: RecordBatch, owned: boolean): void {
    if (batch.numRows === 0) return;
    if (batch.numRows >= this.minRows) {
      if (this.pending.length > 0) this.flush();
      this.transmit(batch, owned);
      return;
    }
    if (this.pending.length === 0) this.onPending();
    this.pending.push(batch);
    this.pendingRows += batch.numRows;
    this.pendingOwned = owned;
    if (this.pendingRows >= this.minRows) this.flush();
  }

  sendWatermark(watermark: number): void {
    if (this.pending.length > 0) {
      this.pendingWatermark = watermark;
      return;
    }
    this.transport.deliver(this.id, { kind: 'watermark', watermark }, undefined);
  }

  sendStatus(idle: boolean): void {
    this.flush();
    this.transport.deliver(this.id, { kind: 'status', idle }, undefined);
  }

  /** A checkpoint barrier goes after every row (and watermark) sent before it. */
  sendBarrier(id: number, savepoint: boolean): void {
    this.flush();
    this.transport.deliver(this.id, { kind: 'barrier', id, savepoint }, undefined);
  }

  sendEnd(): void {
    this.flush();
    this.transport.deliver(this.id, { kind: 'end' }, undefined);
  }

  /** Sends pending rows (as one batch) and the watermark held with them. */
  flush(): void {
    const n = this.pending.length;
    if (n === 0) return;
    const batch = n === 1 ? this.pending[0]! : concatBatches(this.rowType, this.pending);
    const owned = n === 1 ? this.pendingOwned : true;
    this.pending = [];
    this.pendingRows = 0;
    this.pendingOwned = false;
    this.transmit(batch, owned);
    const wm = this.pendingWatermark;
    if (wm === wm) {
      this.pendingWatermark = NaN;
      this.transport.deliver(this.id, { kind: 'watermark', watermark: wm }, undefined);
    }
  }

  /** The consumer processed `n` batches. */
  addCredit(n: number): void {
    this.inFlight -= n;
    if (this.inFlight < this.maxBuffers && this.waiters.length > 0) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
  }

  /** Undefined when another batch may be sent now, else a promise resolved when a credit returns. */
  whenWritable(): Promise<void> | undefined {
    if (this.inFlight < this.maxBuffers) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes waiters without credit (cancellation: the subtask is shutting down). */
  release(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private transmit(batch: RecordBatch, owned: boolean): void {
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    if (!this.transport.remote) {
      this.transport.deliver(this.id, { kind: 'batch', batch }, undefined);
      return;
    }
    const transfer: ArrayBuffer[] = [];
    const wire = toWireBatch(prepareForTransfer(batch, owned, transfer), transfer);
    this.transport.deliverBatch(this.id, wire, transfer.length > 0 ? transfer : undefined);
  }
}

/**
 * Typed arrays at least this large are transferred; smaller ones are cheaper to structured-clone (the
 * transfer bookkeeping costs more than copying a few KiB). Measured with 6 float64 columns over one
 * MessageChannel (Node 20, 2 cores): 1024 rows — clone 21k batches/s, copy + transfer 28k, transfer of an
 * owned buffer 45k; 64 rows — clone 43k, transfer 28-30k; views of a 4096-row buffer — clone 1.2-3.7k
 * (it copies the whole buffer), copy + transfer 23-26k.
 */
export const TRANSFER_MIN_BYTES = 4096;

/**
 * The batch to post to another thread, with the buffers to transfer appended to `transfer`. Never mutates
 * `batch` and never detaches a buffer the sender does not own:
 * - a view that does not cover its whole buffer is copied to an exact-size buffer (structured clone
 *   would copy the whole underlying buffer);
 * - a large buffer someone else may still hold (`owned` false) is copied, and the copy transferred;
 * - large buffers (>= TRANSFER_MIN_BYTES) that are exact and owned, or fresh copies, are transferred;
 *   small ones are left to structured clone.
 */
export function prepareForTransfer(batch: RecordBatch, owned: boolean, transfer: ArrayBuffer[]): RecordBatch {
  let changed = false;
  const seen = new Set<ArrayBuffer>();
  const take = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
    const buffer = a.buffer;
    if (!(buffer instanceof ArrayBuffer)) return a; // SharedArrayBuffer: shared by design, cloned as such
    const exact = a.byteOffset === 0 && a.byteLength === buffer.byteLength;
    const large = a.byteLength >= TRANSFER_MIN_BYTES;
    let out = a;
    if (!exact || (large && !owned)) {
      out = a.slice() as T;
      changed = true;
    }
    if (large) {
      const b = out.buffer as ArrayBuffer;
      if (!seen.has(b)) {
        seen.add(b);
        transfer.push(b);
      }
    }
    return out;
  };
  const columns: Column[] = batch.columns.map((col) => {
    const data = Array.isArray(col.data) ? col.data : take(col.data);
    const nulls = col.nulls === null ? null : take(col.nulls);
    return data === col.data && nulls === col.nulls ? col : { data, nulls };
  });
  const kinds = batch.kinds === null ? null : take(batch.kinds);
  if (!changed) return batch;
  return { numRows: batch.numRows, kinds, columns };
}
