/**
 * The timer-free index of a sliced window operator subtask: window end → the group keys that have state
 * for that window, with the ends kept sorted so windows fire in end order when the watermark passes them.
 *
 * Invariant: a key is listed at most once per end (the caller adds a key to an end only when the key had
 * no slice in that window yet). Keys of an end stay in the order they were added (the window's row order). The index lives in operator memory beside the keyed state; it can be
 * rebuilt from the state's slice ends.
 */
export class PendingWindows {
  private readonly keysByEnd = new Map<number, string[]>();
  /** Distinct pending ends, ascending. Few (about size / slide plus out-of-orderness), so an array. */
  private readonly ends: number[] = [];

  get size(): number {
    return this.ends.length;
  }

  add(end: number, key: string): void {
    const list = this.keysByEnd.get(end);
    if (list !== undefined) {
      list.push(key);
      return;
    }
    this.keysByEnd.set(end, [key]);
    const ends = this.ends;
    // New ends are almost always the largest: scan from the back.
    let i = ends.length;
    while (i > 0 && ends[i - 1]! > end) i--;
    ends.splice(i, 0, end);
  }

  /** The smallest pending end, or +Infinity when none. */
  minEnd(): number {
    return this.ends.length === 0 ? Infinity : this.ends[0]!;
  }

  /** Every (key, end) pair, ends ascending (for checkpoints: restored with `add` in this order). */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (const end of this.ends) for (const key of this.keysByEnd.get(end)!) out.push([key, end]);
    return out;
  }

  /** Removes the smallest pending end and returns its keys (call only when `size > 0`). */
  takeMin(): string[] {
    const end = this.ends.shift()!;
    const keys = this.keysByEnd.get(end)!;
    this.keysByEnd.delete(end);
    return keys;
  }
}
