/**
 * Checkpoint cost against keyed-state size, for the heap backend: how long a full snapshot of S bytes
 * blocks processing (the synchronous encode), how long until its files are written to a local-disk object
 * store (what a checkpoint waits for), and how long a restore of that snapshot takes — at parallelism 1,
 * and rescaled into 2 subtasks (each reads only its key groups).
 *
 * State: map state shaped like a join's (per key, rows of numbers and strings), filled to the target size.
 *
 *     node --max-old-space-size=12000 --import tsx bench/checkpoint-state.bench.ts [MB ...]   (default: 100 1000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHeapKeyedStateBackend, encodeKey, keyGroupRangeForSubtask, restoreHeapKeyedStateBackend } from '../src/state/index.js';
import { LocalFileObjectStore } from '../src/storage/index.js';

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
    const store = new LocalFileObjectStore(dir);
    const t0 = performance.now();
    const pending = backend.snapshot(store, 'chk-1/node-0-0');
    const syncMs = performance.now() - t0;
    const manifest = await pending;
    const totalMs = performance.now() - t0;
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
    const mb = manifest.totalBytes / 1e6;
    process.stdout.write(
      `| ${mb.toFixed(0)} MB | ${rows.toLocaleString('en-US')} | ${syncMs.toFixed(0)} ms | ${totalMs.toFixed(0)} ms | ${(mb / (totalMs / 1000)).toFixed(0)} MB/s | ${restoreMs.toFixed(0)} ms (${keysRestored.toLocaleString('en-US')} keys) | ${halfMs.toFixed(0)} ms |\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sizes = process.argv.slice(2).map(Number);
process.stdout.write('| keyed state (file bytes) | rows | snapshot, sync part | snapshot, files written | write rate | restore, p=1 | restore of one subtask, p=2 |\n|---|---|---|---|---|---|---|\n');
for (const mb of sizes.length > 0 ? sizes : [100, 1000]) await measure(mb);
