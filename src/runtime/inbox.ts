/**
 * A subtask's input queue: every element for the subtask's head operator, from every input channel, in
 * arrival order. Per-channel FIFO follows from each channel delivering in order into this one queue.
 * Its depth is bounded by credits: each channel has at most `max-buffers-per-channel` batches in flight,
 * and consecutive queued watermarks of a channel collapse into the newest, so a channel holds at most
 * about twice that many elements.
 */
import type { InboxItem } from './stream-element.js';

export class Inbox {
  private items: InboxItem[] = [];
  private head = 0;
  private waiter: ((item: InboxItem | null) => void) | null = null;
  /** Channel → position of its last queued element (for collapsing consecutive watermarks). */
  private readonly lastOfChannel = new Map<number, number>();
  private closed = false;
  /** Largest depth seen (a metric: proves the bound in tests). */
  maxDepth = 0;

  get depth(): number {
    return this.items.length - this.head;
  }

  push(item: InboxItem): void {
    if (this.closed) return;
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w(item);
      return;
    }
    if (item.element.kind === 'watermark') {
      // A newer watermark right behind an unconsumed older one of the same channel supersedes it (no
      // data between them on that channel, so nothing is reordered). This bounds the inbox by credits even
      // when a producer sends watermarks on channels it sends no batches to (rebalance, hash).
      const at = this.lastOfChannel.get(item.channel);
      if (at !== undefined && at >= this.head && this.items[at]!.element.kind === 'watermark') {
        this.items[at] = item;
        return;
      }
    }
    this.items.push(item);
    this.lastOfChannel.set(item.channel, this.items.length - 1);
    const d = this.items.length - this.head;
    if (d > this.maxDepth) this.maxDepth = d;
  }

  /** The next item if one is queued, else null (never waits). */
  poll(): InboxItem | null {
    if (this.head === this.items.length) return null;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as InboxItem;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      this.lastOfChannel.clear();
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
      this.lastOfChannel.clear();
    }
    return item;
  }

  /** Waits for the next item; resolves null once the inbox is closed (cancellation or failure). */
  take(): Promise<InboxItem | null> {
    const item = this.poll();
    if (item !== null) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  close(): void {
    this.closed = true;
    this.lastOfChannel.clear();
    this.items = [];
    this.head = 0;
    const w = this.waiter;
    this.waiter = null;
    if (w !== null) w(null);
  }
}
