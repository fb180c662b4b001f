/**
 * Checkpoint cost against keyed-state size, for the heap backend: how long a full snapshot of S bytes
 * blocks processing (the synchronous encode), how long until its files are written to a local-disk object
 * store (what a checkpoint waits for), and how long a restore of that snapshot takes — at parallelism 1,
 * and rescaled into 2 subtasks (each reads only its key groups).
 *
 * Then, with incremental checkpoints (`execution.checkpointing.incremental`): after that full snapshot is
 * confirmed, 1% of the rows change (new rows for 1% of the keys) and the next snapshot writes a delta:
 * its sync part, bytes written, and the restore of the base + delta chain.
 *
 * State: map state shaped like a join's (per key, rows of numbers and strings), filled to the target size.
 *
 *     node --max-old-space-size=12000 --import tsx bench/checkpoint-state.bench.ts [MB ...]   (default: 100 1000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHeapKeyedStateBackend, encodeKey, keyGroupRangeForSubtask, restoreHeapKeyedStateBackend } from '../src/state/index.js';
import { LocalFileObjectStore, prefixedObjectStore } from '../src/storage/index.js';

const ROW_BYTES_ESTIMATE = 160;
const BATCH = 10_000;

async function measure(targetMb: number): Promise<void> {
  const backend = createHeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  const state = backend.mapState<unknown[]>({ name: 'join-rows' });
  const rows = Math.round((targetMb * 1e6) / ROW_BYTES_ESTIMATE);
  const keys: string[] = [];
  const userKeys: string[] = [];
  const values: unknown[][] = [];
  for (let i = 0; i < rows; i++) {
    keys.push(encodeKey([i % Math.max(1, Math.floor(rows / 4))]) as string);
    userKeys.push(String(i));
    values.push([i, i * 7, `https://www.nexmark.com/item.htm?query=1&channel_id=${i}`, 1767225600000 + i, 'x'.repeat(40 + (i % 20)), 1]);
    if (keys.length === BATCH) {
      await state.putEntries(keys, userKeys, values);
      keys.length = 0;
      userKeys.length = 0;
      values.length = 0;
    }
  }
  if (keys.length > 0) await state.putEntries(keys, userKeys, values);
  const dir = await mkdtemp(join(tmpdir(), 'floe-chk-bench-'));
  try {
    const root = new LocalFileObjectStore(dir);
    const store = prefixedObjectStore(root, 'chk-1');
    const t0 = performance.now();
    // The first incremental snapshot is full (there is no base yet) and starts change tracking.
    const pending = backend.snapshot(store, 'node-0-0', { checkpointId: 1, savepoint: false, incremental: true, folder: 'chk-1' });
    const syncMs = performance.now() - t0;
    const manifest = await pending;
    const totalMs = performance.now() - t0;
    backend.notifyCheckpointComplete!(1);

    // 1% of the rows change: a new row under each of 1% of the keys' user keys.
    const changed = Math.round(rows / 100);
    const keyCount = Math.max(1, Math.floor(rows / 4));
    for (let i = 0; i < changed; i += BATCH) {
      const n = Math.min(BATCH, changed - i);
      const ks: string[] = [];
      const uks: string[] = [];
      const vs: unknown[][] = [];
      for (let j = 0; j < n; j++) {
        const row = i + j;
        ks.push(encodeKey([(row * 97) % keyCount]) as string);
        uks.push(`u${row}`);
        vs.push([row, row * 3, `https://www.nexmark.com/item.htm?query=2&channel_id=${row}`, 1767225600000 + row, 'y'.repeat(40), 2]);
      }
      await state.putEntries(ks, uks, vs);
    }
    const deltaStore = prefixedObjectStore(root, 'chk-2');
    const d0 = performance.now();
    const deltaPending = backend.snapshot(deltaStore, 'node-0-0', { checkpointId: 2, savepoint: false, incremental: true, folder: 'chk-2' });
    const deltaSyncMs = performance.now() - d0;
    const delta = await deltaPending;
    const deltaTotalMs = performance.now() - d0;
    await backend.dispose();
    const r0 = performance.now();
    const restored = await restoreHeapKeyedStateBackend(store, [manifest], { maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
    const restoreMs = performance.now() - r0;
    const keysRestored = restored.approximateKeyCount();
    await restored.dispose();
    const h0 = performance.now();
    const half = await restoreHeapKeyedStateBackend(store, [manifest], { maxParallelism: 128, keyGroupRange: keyGroupRangeForSubtask(128, 2, 0) });
    const halfMs = performance.now() - h0;
    await half.dispose();
    const c0 = performance.now();
    const chain = await restoreHeapKeyedStateBackend(deltaStore, [delta], { maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
    const chainMs = performance.now() - c0;
    await chain.dispose();
    const mb = manifest.totalBytes / 1e6;
    process.stdout.write(
      `| ${mb.toFixed(0)} MB | ${rows.toLocaleString('en-US')} | ${syncMs.toFixed(0)} ms | ${totalMs.toFixed(0)} ms | ${(mb / (totalMs / 1000)).toFixed(0)} MB/s | ${restoreMs.toFixed(0)} ms (${keysRestored.toLocaleString('en-US')} keys) | ${halfMs.toFixed(0)} ms |\n`,
    );
    incremental.push(
      `| ${mb.toFixed(0)} MB | ${changed.toLocaleString('en-US')} rows | ${deltaSyncMs.toFixed(0)} ms | ${deltaTotalMs.toFixed(0)} ms | ${((delta.writtenBytes ?? 0) / 1e6).toFixed(1)} MB of ${(delta.totalBytes / 1e6).toFixed(0)} MB | ${chainMs.toFixed(0)} ms |\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const incremental: string[] = [];
const sizes = process.argv.slice(2).map(Number);
process.stdout.write('| keyed state (file bytes) | rows | snapshot, sync part | snapshot, files written | write rate | restore, p=1 | restore of one subtask, p=2 |\n|---|---|---|---|---|---|---|\n');
for (const mb of sizes.length > 0 ? sizes : [100, 1000]) await measure(mb);
process.stdout.write('\nIncremental checkpoint after 1% of the rows changed:\n\n');
process.stdout.write('| keyed state | changed | delta, sync part | delta, files written | written | restore of base + delta, p=1 |\n|---|---|---|---|---|---|\n');
for (const line of incremental) process.stdout.write(line);
