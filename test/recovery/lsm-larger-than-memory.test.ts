/**
 * Issue 5, "Done when": a job whose state is several times larger than the memory the process may use
 * completes with correct results on the lsm backend.
 *
 * The job (test/support/large-state-job.ts) runs in a child process started with
 * `--max-old-space-size=64`: a GROUP BY over 135k distinct keys, each key holding a 2 KB string (plus a
 * count and a max), every key visited twice (the second visit, `KEYS` rows later, reads the key's state
 * back from the SST files). The live state's wide strings alone are 135k × 2058 bytes ≈ 278 MB, 4.1× the
 * heap limit (the SST files peak at about twice that, both versions of every key before compaction).
 * Memory settings are small: a 4 MB memtable, a 4 MB block cache, a 4 MB index cache, a 32 MB disk cache.
 *
 * Correctness: the query folds the per-key results into one row with a closed form (every key seen twice,
 * its max seq is KEYS + k, its wide value starts with that seq zero-padded and has a fixed length), so a
 * lost, stale or mixed-up state value changes the row.
 *
 * The same job on the heap backend with the same heap limit dies with V8's out-of-memory error (it needs
 * the whole state in the heap), which shows the limit is real.
 *
 * Heavy (about 2 minutes: ~1.5 GB of SST written by compaction at this size): run by `npm run test:fault`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../support/large-state-job.ts', import.meta.url));
const HEAP_MB = 64;
const KEYS = 135_000;
/** The wide value: 10 digits of seq + a 16-character random string repeated PAD_REPEAT times. */
const PAD_REPEAT = 128;
const WIDE_LENGTH = 10 + 16 * PAD_REPEAT;
const LSM_SETTINGS = [
  'state.backend.lsm.memtable-size=4mb',
  'state.backend.lsm.cache.memory-size=4mb',
  'state.backend.lsm.cache.disk-size=32mb',
  // Fewer, larger compactions: size-tiered compaction rewrites every byte about log_trigger(flushes) times.
  'state.backend.lsm.compaction.trigger=8',
  // Block indexes have one entry per block, and a file's index is read whole: with the 4 KB default, the
  // indexes a compaction holds (its inputs' and its output's) outgrow this heap even though the index cache
  // bounds the rest. An open issue: partitioned indexes, read piece by piece.
  'state.backend.lsm.block-size=32kb',
  'state.backend.lsm.cache.index-size=4mb',
  // Rows in flight between operators are held in the heap too.
  'execution.batch-size=256',
];

interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runChild(backend: string, dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const args = [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', CHILD, String(KEYS), String(PAD_REPEAT), backend, dir, ...LSM_SETTINGS];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

interface JobOutput {
  readonly status: string;
  readonly rows: number;
  readonly row: readonly number[] | null;
  readonly lsm: Readonly<Record<string, number>>;
  readonly ms: number;
  /** Peak resident set of the child (heap, buffers, code), KiB. */
  readonly maxRssKb: number;
}

test(`lsm: a GROUP BY whose state is > 4× the heap limit (${HEAP_MB} MB) completes with the exact result`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-lsm-large-'));
  try {
    const run = await runChild('lsm', dir);
    assert.equal(run.code, 0, `the lsm job exited with ${run.code ?? run.signal}:\n${run.stderr}`);
    const line = run.stdout.split('\n').find((l) => l.startsWith('result '));
    assert.ok(line !== undefined, run.stdout);
    const out = JSON.parse(line.slice('result '.length)) as JobOutput;
    assert.equal(out.status, 'finished');
    assert.equal(out.rows, 1);
    const k = KEYS;
    // key_count, row_count, Σ max(seq), keys whose wide value belongs to their max seq, min/max length.
    assert.deepEqual(out.row, [k, 2 * k, k * k + (k * (k - 1)) / 2, k, WIDE_LENGTH, WIDE_LENGTH]);
    const limit = HEAP_MB * 1024 * 1024;
    const liveLowerBound = KEYS * WIDE_LENGTH;
    assert.ok(liveLowerBound >= 4 * limit, `the live state (≥ ${liveLowerBound} bytes of wide values) is at least 4× the heap limit`);
    const l = out.lsm;
    assert.ok((l['peakStateBytes'] ?? 0) >= liveLowerBound, `the SST files held the state (peak ${l['peakStateBytes']} bytes)`);
    assert.ok((l['remoteReads'] ?? 0) > 0 && (l['flushes'] ?? 0) > 10 && (l['compactions'] ?? 0) > 0, JSON.stringify(l));
    process.stdout.write(
      `# lsm: heap limit ${HEAP_MB} MB, live wide values ${(liveLowerBound / 2 ** 20).toFixed(0)} MB, SST peak ${((l['peakStateBytes'] ?? 0) / 2 ** 20).toFixed(0)} MB, ` +
        `written ${((l['bytesWritten'] ?? 0) / 2 ** 20).toFixed(0)} MB, read ${((l['remoteBytesRead'] ?? 0) / 2 ** 20).toFixed(0)} MB, peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB, ${out.ms} ms\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(`heap: the same job with the same heap limit (${HEAP_MB} MB) runs out of memory`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-heap-large-'));
  try {
    const run = await runChild('heap', dir);
    assert.notEqual(run.code, 0, 'the heap job cannot complete');
    assert.match(run.stderr, /JavaScript heap out of memory/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
