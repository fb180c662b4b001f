/**
 * A binary min-heap of (timestamp, key) timers with de-duplication: registering the same (key, timestamp)
 * twice keeps one timer, deleting removes it. Deletion is lazy (the entry stays in the heap and is skipped
 * when it surfaces), so both operations are O(log n) and allocation-free apart from the set entry.
 *
 * Order: timestamp ascending, then key ascending (string order), which is the order `onTimers` promises.
 */
export class TimerHeap {
  private times: number[] = [];
  private keys: string[] = [];
  /** Live timers as `timestamp + '|' + key`; heap entries not in it are deleted or already fired. */
  private readonly live = new Set<string>();

  get size(): number {
    return this.live.size;
  }

  add(key: string, timestamp: number): void {
    const id = timestamp + '|' + key;
    if (this.live.has(id)) return;
    this.live.add(id);
    this.times.push(timestamp);
    this.keys.push(key);
    this.siftUp(this.times.length - 1);
  }

  delete(key: string, timestamp: number): void {
    this.live.delete(timestamp + '|' + key);
  }

  /** Timestamp of the earliest live timer, or +Infinity. */
  peekTime(): number {
    this.dropDead();
    return this.times.length === 0 ? Infinity : this.times[0]!;
  }

  /** Removes every live timer with timestamp <= `upTo`, appending them in order to `keys`/`times`. */
  popUntil(upTo: number, keys: string[], times: number[]): void {
    for (;;) {
      this.dropDead();
      if (this.times.length === 0 || this.times[0]! > upTo) return;
      const t = this.times[0]!;
      const k = this.keys[0]!;
      this.live.delete(t + '|' + k);
      this.removeTop();
      keys.push(k);
      times.push(t);
    }
  }

  /** The live timers, in no particular order (for snapshots). */
  entries(keys: string[], times: number[]): void {
    for (let i = 0; i < this.times.length; i++) {
      const t = this.times[i]!;
      const k = this.keys[i]!;
      if (this.live.has(t + '|' + k)) {
        keys.push(k);
        times.push(t);
      }
    }
  }

  clear(): void {
    this.times = [];
    this.keys = [];
    this.live.clear();
  }

  private dropDead(): void {
    while (this.times.length > 0 && !this.live.has(this.times[0]! + '|' + this.keys[0]!)) this.removeTop();
  }

  private removeTop(): void {
    const lastT = this.times.pop()!;
    const lastK = this.keys.pop()!;
    if (this.times.length === 0) return;
    this.times[0] = lastT;
    this.keys[0] = lastK;
    this.siftDown(0);
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.keys[a]! < this.keys[b]!);
  }

  private swap(a: number, b: number): void {
    const t = this.times[a]!;
    this.times[a] = this.times[b]!;
    this.times[b] = t;
    const k = this.keys[a]!;
    this.keys[a] = this.keys[b]!;
    this.keys[b] = k;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.times.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
