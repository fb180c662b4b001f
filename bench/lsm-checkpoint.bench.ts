/**
 * Checkpoints, restore and rescaling of the lsm backend against keyed-state size: what a checkpoint costs
 * (its files already live in the primary store, so it flushes the memtable and lists them), how long a
 * restore takes until the state answers reads, and a rescale 1 → 2 → 1 (key-group ranges reassigned over
 * the same files, nothing rewritten).
 *
 *     node --max-old-space-size=4096 --import tsx bench/lsm-checkpoint.bench.ts [MB ...]   (default: 256 1024)
 *
 * State: map state shaped like a join's (per key, rows of numbers and strings), as bench/checkpoint-state
 * fills the heap backend, written through the backend's batched API into a primary store on local disk.
 * Restores open the files cold (a fresh block cache), so "first reads" include fetching the blocks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLsmKeyedStateBackend, encodeKey, keyGroupOf, keyGroupRangeForSubtask, openLsmKeyedStateBackend, type LsmKeyedStateBackend, type LsmStateSnapshot } from '../src/state/index.js';
import type { KeyedStateSnapshot } from '../src/state/index.js';
import { LocalFileObjectStore, MemoryObjectStore, type ObjectStore } from '../src/storage/index.js';

const ROW_BYTES_ESTIMATE = 160;
const BATCH = 10_000;
const MAX_PARALLELISM = 128;
const PROBES = 10_000;
const STATE = { name: 'join-rows' };

function row(i: number, salt: number): unknown[] {
  return [i, i * 7 + salt, `https://www.nexmark.com/item.htm?query=${salt}&channel_id=${i}`, 1767225600000 + i, 'x'.repeat(40 + (i % 20)), salt];
}

async function fill(backend: LsmKeyedStateBackend, from: number, to: number, keyCount: number, salt: number, owns: (key: string) => boolean = () => true): Promise<void> {
  const state = backend.mapState<unknown[]>(STATE);
  const ks: string[] = [];
  const uks: string[] = [];
  const vs: unknown[][] = [];
  for (let i = from; i < to; i++) {
    const key = encodeKey([(i * 97) % keyCount]) as string;
    if (owns(key)) {
      ks.push(key);
      uks.push(`u${i}`);
      vs.push(row(i, salt));
    }
    if (ks.length === BATCH || (i === to - 1 && ks.length > 0)) {
      await state.putEntries(ks, uks, vs);
      ks.length = 0;
      uks.length = 0;
      vs.length = 0;
    }
  }
}

/** Reads PROBES random keys' entries (the first reads after a restore: cold cache); ms. */
async function probe(backend: LsmKeyedStateBackend, keyCount: number, owns: (key: string) => boolean): Promise<{ ms: number; found: number }> {
  const state = backend.mapState<unknown[]>(STATE);
  const keys: string[] = [];
  for (let i = 0; keys.length < PROBES && i < PROBES * 4; i++) {
    const k = encodeKey([(i * 7919) % keyCount]) as string;
    if (owns(k)) keys.push(k);
  }
  const t0 = performance.now();
  let found = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const maps = await state.getMany(keys.slice(i, i + 1000));
    for (const m of maps) if (m.size > 0) found++;
  }
  return { ms: performance.now() - t0, found };
}

function options(primary: ObjectStore, prefix: string, range = { start: 0, end: MAX_PARALLELISM - 1 }) {
  // A fresh 64 MB block cache per backend: restores start cold.
  return { maxParallelism: MAX_PARALLELISM, keyGroupRange: range, primaryStore: primary, primaryPrefix: prefix, memoryCacheBytes: 64 * 2 ** 20 };
}

async function snapshot(backend: LsmKeyedStateBackend, id: number): Promise<{ manifest: LsmStateSnapshot; ms: number }> {
  // lsm snapshots write nothing into the checkpoint folder itself (the manifest is returned).
  const t0 = performance.now();
  const m = (await backend.snapshot(new MemoryObjectStore(`memory://lsm-bench-chk-${id}`), `chk-${id}`, { checkpointId: id, savepoint: false, incremental: false, folder: `chk-${id}` })) as unknown as LsmStateSnapshot;
  return { manifest: m, ms: performance.now() - t0 };
}

const lines: string[] = [];

async function measure(targetMb: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-lsm-chk-bench-'));
  try {
    const primary = new LocalFileObjectStore(dir);
    const rows = Math.round((targetMb * 1e6) / ROW_BYTES_ESTIMATE);
    const keyCount = Math.max(1, Math.floor(rows / 4));
    const backend = createLsmKeyedStateBackend(options(primary, 'p1'));
    const f0 = performance.now();
    await fill(backend, 0, rows, keyCount, 1);
    const fillMs = performance.now() - f0;
    const first = await snapshot(backend, 1);
    // The steady state: 1% of the rows change between two checkpoints.
    const changed = Math.round(rows / 100);
    await fill(backend, rows, rows + changed, keyCount, 2);
    const second = await snapshot(backend, 2);
    const sharedKeys = new Set(first.manifest.files.map((f) => f.key));
    const newBytes = second.manifest.files.filter((f) => !sharedKeys.has(f.key)).reduce((n, f) => n + f.size, 0);
    await backend.settle();
    const stateBytes = second.manifest.totalBytes;
    await backend.dispose();

    // Restore at parallelism 1, cold.
    const r0 = performance.now();
    const restored = openLsmKeyedStateBackend([second.manifest as unknown as KeyedStateSnapshot], options(primary, 'r1'));
    const openMs = performance.now() - r0;
    const p1 = await probe(restored, keyCount, () => true);
    await restored.dispose();

    // Rescale 1 → 2: each new subtask opens the same files cut to its key groups.
    const halves = [0, 1].map((i) => keyGroupRangeForSubtask(MAX_PARALLELISM, 2, i));
    const s0 = performance.now();
    const two = halves.map((range, i) => openLsmKeyedStateBackend([second.manifest as unknown as KeyedStateSnapshot], options(primary, `s${i}`, range)));
    const splitOpenMs = performance.now() - s0;
    const owner = (i: number) => (k: string) => {
      const g = keyGroupOf(k, MAX_PARALLELISM);
      return g >= halves[i]!.start && g <= halves[i]!.end;
    };
    // One after the other: after a rescale each subtask reads on its own thread, so neither waits for the other.
    const splitProbes: { ms: number; found: number }[] = [];
    for (let i = 0; i < 2; i++) splitProbes.push(await probe(two[i]!, keyCount, owner(i)));
    // Each half changes, checkpoints, and the job scales back to 1 (2 → 1).
    for (let i = 0; i < 2; i++) await fill(two[i]!, rows + changed, rows + 2 * changed, keyCount, 3, owner(i));
    const halfSnapshots = await Promise.all(two.map((b, i) => snapshot(b, 10 + i)));
    // The halves' background compactions end before the merged restore reads: in a real rescale the old
    // subtasks are gone, and their compactions would otherwise compete with the reads measured.
    await Promise.all(two.map((b) => b.settle()));
    const m0 = performance.now();
    const merged = openLsmKeyedStateBackend(halfSnapshots.map((s) => s.manifest as unknown as KeyedStateSnapshot), options(primary, 'm1'));
    const mergeOpenMs = performance.now() - m0;
    const back = await probe(merged, keyCount, () => true);
    await merged.dispose();
    for (const b of two) await b.dispose();

    const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
    lines.push(
      `| ${mb(stateBytes)} | ${rows.toLocaleString('en-US')} | ${(rows / (fillMs / 1000) / 1e3).toFixed(0)} K rows/s | ${first.ms.toFixed(0)} ms | ${second.ms.toFixed(0)} ms (${mb(newBytes)} new) | ${openMs.toFixed(1)} ms + ${p1.ms.toFixed(0)} ms | ${splitOpenMs.toFixed(1)} ms + ${Math.max(...splitProbes.map((p) => p.ms)).toFixed(0)} ms | ${mergeOpenMs.toFixed(1)} ms + ${back.ms.toFixed(0)} ms |`,
    );
    if (p1.found === 0 || back.found === 0) throw new Error('restored state answered no probe: the benchmark is broken');
    process.stdout.write(`${lines[lines.length - 1]}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sizes = process.argv.slice(2).map(Number);
process.stdout.write(
  `lsm checkpoints and restores, primary store on local disk; restores are cold (fresh cache); "first reads" = ${PROBES} random keys read after the restore\n\n`,
);
process.stdout.write(
  '| state (SST bytes) | rows | fill | 1st checkpoint | next checkpoint after 1% changed | restore p=1: open + first reads | rescale 1→2: open + first reads (slower half) | rescale 2→1: open + first reads |\n|---|---|---|---|---|---|---|---|\n',
);
for (const mb of sizes.length > 0 ? sizes : [256, 1024]) await measure(mb);
