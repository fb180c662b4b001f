/**
 * The outgoing side of a chain's tail: one writer per outgoing edge, each partitioning batches over the
 * edge's channels (one per downstream subtask it reaches). Control elements (watermark, status, end) go
 * to every channel of every edge, in order with the data.
 *
 * Partitionings (spec/job-spec.ts): forward (the one channel to the same subtask index), global (the one
 * channel to subtask 0), rebalance (whole batches round-robin), broadcast (every batch to every channel),
 * hash (each row's canonical key → key group → owning subtask, computed per batch by `KeyGroupHasher`
 * without building key strings; one sub-batch per target, built with `selectRows`; a batch whose rows all
 * go to one target is sent as is).
 */
import { selectRows } from '../types/index.js';
import type { RecordBatch, RowType } from '../types/index.js';
import { subtaskForKeyGroup } from '../state/index.js';
import type { Partitioning } from '../spec/index.js';
import type { OutputChannel } from './output-channel.js';
import { KeyGroupHasher } from './key-group-hash.js';

/** Where an operator's output goes: the next chained operator or the exchanges. */
export interface StreamOutput {
  batch(batch: RecordBatch): void;
  watermark(watermark: number): void;
  status(idle: boolean): void;
  end(): void;
}

export class ExchangeWriter {
  private next = 0;
  private readonly hasher: KeyGroupHasher;
  /** Scratch per-row key groups then targets, and per-target row indices, grown on demand (reused across batches). */
  private targets = new Int32Array(0);
  private indices: Int32Array[] = [];

  constructor(
    private readonly partitioning: Partitioning,
    /** Indexed by downstream subtask; null where this upstream subtask has no channel. */
    readonly channels: readonly (OutputChannel | null)[],
    private readonly maxParallelism: number,
    rowType: RowType,
  ) {
    const keys = partitioning.kind === 'hash' ? partitioning.keys : [];
    const isBoolean = keys.map((k) => rowType.fields[k]?.type.kind === 'BOOLEAN');
    this.hasher = new KeyGroupHasher(keys, isBoolean, maxParallelism);
  }

  write(batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    switch (this.partitioning.kind) {
      case 'forward':
      case 'global':
        for (const ch of this.channels) if (ch !== null) ch.sendBatch(batch, false);
        return;
      case 'broadcast':
        for (const ch of this.channels) if (ch !== null) ch.sendBatch(batch, false);
        return;
      case 'rebalance': {
        const n = this.channels.length;
        const ch = this.channels[this.next]!;
        this.next = this.next + 1 === n ? 0 : this.next + 1;
        ch.sendBatch(batch, false);
        return;
      }
      case 'hash':
        this.writeHashed(batch);
        return;
    }
  }

  private writeHashed(batch: RecordBatch): void {
    const n = batch.numRows;
    const parallelism = this.channels.length;
    if (parallelism === 1) {
      this.channels[0]!.sendBatch(batch, false);
      return;
    }
    if (this.targets.length < n) this.targets = new Int32Array(Math.max(n, 2 * this.targets.length));
    const targets = this.targets;
    this.hasher.keyGroups(batch, targets);
    const counts = new Int32Array(parallelism);
    const maxP = this.maxParallelism;
    for (let r = 0; r < n; r++) {
      const t = subtaskForKeyGroup(maxP, parallelism, targets[r]!);
      targets[r] = t;
      counts[t]!++;
    }
    for (let t = 0; t < parallelism; t++) {
      if (counts[t] === n) {
        this.channels[t]!.sendBatch(batch, false);
        return;
      }
    }
    for (let t = 0; t < parallelism; t++) {
      if (this.indices[t] === undefined || this.indices[t]!.length < counts[t]!) this.indices[t] = new Int32Array(Math.max(counts[t]!, 64));
    }
    const fill = new Int32Array(parallelism);
    for (let r = 0; r < n; r++) {
      const t = targets[r]!;
      this.indices[t]![fill[t]!++] = r;
    }
    for (let t = 0; t < parallelism; t++) {
      const c = counts[t]!;
      if (c > 0) this.channels[t]!.sendBatch(selectRows(batch, this.indices[t]!, c), true);
    }
  }

  watermark(watermark: number): void {
    for (const ch of this.channels) if (ch !== null) ch.sendWatermark(watermark);
  }

  status(idle: boolean): void {
    for (const ch of this.channels) if (ch !== null) ch.sendStatus(idle);
  }

  end(): void {
    for (const ch of this.channels) if (ch !== null) ch.sendEnd();
  }

  barrier(id: number, savepoint: boolean): void {
    for (const ch of this.channels) if (ch !== null) ch.sendBarrier(id, savepoint);
  }
}

/** The tail's output: fans every element out to all edge writers. */
export class ExchangeOutput implements StreamOutput {
  private readonly all: OutputChannel[];
  private released = false;

  constructor(readonly writers: readonly ExchangeWriter[]) {
    this.all = writers.flatMap((w) => w.channels.filter((c): c is OutputChannel => c !== null));
  }

  get channels(): readonly OutputChannel[] {
    return this.all;
  }

  batch(batch: RecordBatch): void {
    for (const w of this.writers) w.write(batch);
  }

  watermark(watermark: number): void {
    for (const w of this.writers) w.watermark(watermark);
  }

  status(idle: boolean): void {
    for (const w of this.writers) w.status(idle);
  }

  end(): void {
    for (const w of this.writers) w.end();
  }

  /** Sends checkpoint barrier `id` on every channel (broadcast, whatever the partitioning). */
  barrier(id: number, savepoint: boolean): void {
    for (const w of this.writers) w.barrier(id, savepoint);
  }

  flush(): void {
    for (const ch of this.all) ch.flush();
  }

  /** Undefined when every channel has credit, else a promise for when they all do. */
  whenWritable(): Promise<void> | undefined {
    if (this.released) return undefined;
    for (const ch of this.all) {
      const w = ch.whenWritable();
      if (w !== undefined) return w.then(() => this.whenWritable());
    }
    return undefined;
  }

  maxInFlight(): number {
    let m = 0;
    for (const ch of this.all) if (ch.maxInFlight > m) m = ch.maxInFlight;
    return m;
  }

  /** Stops waiting for credit for good (the subtask is cancelled or failed). */
  release(): void {
    this.released = true;
    for (const ch of this.all) ch.release();
  }
}
