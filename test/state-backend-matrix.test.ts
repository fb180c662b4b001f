/**
 * State backend matrix (issue 5, first "Done when" line): the stateful Nexmark queries q4, q5, q7, q9,
 * q18, q19 and q20 give the same final results on the `lsm` backend as on `heap` (the reference), with
 * the lsm cache at 0%, ~50% and ≥100% of the state, and the primary copy of the state on local disk and
 * on a real S3 server (Ceph radosgw on loopback, see test/support/radosgw.ts).
 *
 * Every run is one bounded Nexmark event set from the generator (the shared DDL, views and query files,
 * unmodified; the INSERT's SELECT is collected with MaterializedTable instead of going to the blackhole
 * sink), at parallelism 2 so key groups split between two backends per operator. Subtasks run in the
 * test's thread (`execution.worker-threads = 1`): worker startup would cost seconds per run, and one
 * thread means one process-wide lsm cache, which is what the cache sizes below are relative to.
 *
 * The lsm runs use a tiny memtable and small blocks and source batches, so the state really is in SST
 * files and reads really go through the cache tiers; the `state.lsm.*` gauges in the job's final
 * metrics prove it (remote reads with cache 0, a high hit rate at 100%).
 *
 * Cache sizing: the first cache-0 run of a query (local disk) measures the state size S = the sum over
 * backends of the peak size of their live SST files (`state.lsm.peakStateBytes`). "50%" gives the
 * memory tier and the disk tier S/2 bytes each, "100%" gives each S: the disk tier then holds every live
 * file (the memory tier holds decoded blocks, larger than their encoded bytes, so fewer of them). The
 * hit rate at 100% is still not exactly 1: while a compaction's output and inputs coexist the files
 * exceed S and the whole-file disk tier evicts one.
 *
 * One more S3 run uses two worker threads: each opens its own S3 store and its own caches, on one
 * configured disk-cache folder.
 *
 * Without the Ceph binaries the S3 half is skipped and says how to install them; FLOE_SKIP_S3_TESTS=1
 * skips it too. FLOE_MATRIX_TIMINGS=1 prints the wall time of every run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MaterializedTable, Session } from '../src/api/index.js';
import { nexmarkScript, nexmarkVars } from '../src/cli/bench-nexmark.js';
import { nexmarkDir } from '../src/common/index.js';
import type { InsertStatement } from '../src/sql/index.js';
import { LSM_GAUGE_PREFIX } from '../src/state/index.js';
import { formatValueText } from '../src/types/index.js';
import { missingRadosgwBinaries, RADOSGW_INSTALL_HINT, startRadosgw, type Radosgw } from './support/radosgw.js';

const NEXMARK = nexmarkDir();
const EVENTS = 10_000;
/** Events per second of event time: 10k events span 20 s, so the 10 s windows and 2 s hops are several. */
const TPS = 500;
const BUCKET = 'floe-matrix';

/**
 * `columns`: the columns compared (all when absent). q19 numbers bids of equal price in arrival order,
 * which at parallelism 2 depends on how the source subtasks interleave; (auction, price, rank_number)
 * does not (see test/differential/nexmark-oracle.ts). `lsm`: settings on top of LSM_CONFIG. q19's top-10
 * state is written in few large operations, so it needs a smaller memtable to be flushed more than twice.
 */
interface MatrixQuery {
  readonly name: string;
  readonly columns?: readonly number[];
  readonly lsm?: Readonly<Record<string, string>>;
}

const QUERIES: readonly MatrixQuery[] = [
  { name: 'q4' },
  { name: 'q5' },
  { name: 'q7' },
  { name: 'q9' },
  { name: 'q18' },
  { name: 'q19', columns: [0, 2, 7], lsm: { 'state.backend.lsm.memtable-size': '16kb' } },
  { name: 'q20' },
];

const BASE_CONFIG: Readonly<Record<string, string>> = {
  'execution.runtime-mode': 'streaming',
  'parallelism.default': '2',
  'execution.worker-threads': '1',
  // Small source batches: state calls are per batch, so this makes many flushes and interleavings.
  'execution.batch-size': '1024',
};

/** Tiny memtable, small blocks, eager compaction: many files, many levels, many block reads. */
const LSM_CONFIG: Readonly<Record<string, string>> = {
  'state.backend.type': 'lsm',
  'state.backend.lsm.memtable-size': '64kb',
  'state.backend.lsm.block-size': '8kb',
  'state.backend.lsm.compaction.trigger': '3',
};

/** The lsm counters of a run, summed over operators and subtasks. */
interface LsmTotals {
  readonly remoteReads: number;
  readonly remoteBytesRead: number;
  readonly blockCacheHits: number;
  readonly blockCacheMisses: number;
  readonly diskCacheHits: number;
  readonly flushes: number;
  readonly compactions: number;
  readonly peakStateBytes: number;
}

interface RunResult {
  readonly rows: string[];
  readonly ms: number;
  readonly lsm: LsmTotals;
  /** Worker threads the job ran on (0: the test's thread). */
  readonly workerThreads: number;
}

function hitRate(t: LsmTotals): number {
  const lookups = t.blockCacheHits + t.blockCacheMisses;
  return lookups === 0 ? 1 : (t.blockCacheHits + t.diskCacheHits) / lookups;
}

async function runQuery(query: MatrixQuery, config: Readonly<Record<string, string>>): Promise<RunResult> {
  const session = new Session({ config: { ...BASE_CONFIG, ...config }, baseDir: NEXMARK, warn: () => {} });
  const vars = { ...nexmarkVars(EVENTS, NEXMARK), TPS: String(TPS) };
  let insert: InsertStatement | undefined;
  for (const s of session.parse(nexmarkScript(NEXMARK, query.name), vars)) {
    if (s.kind === 'Insert') insert = s;
    else await session.execute(s);
  }
  assert.ok(insert, `${query.name} has an INSERT`);
  const started = performance.now();
  const result = await session.execute({ kind: 'QueryStatement', query: insert.query, span: insert.span });
  if (result.kind !== 'query') assert.fail(`${query.name}: expected a query result, got '${result.kind}'`);
  const q = result.query;
  const table = new MaterializedTable(q.resultType);
  for await (const batch of q.batches) table.apply(batch);
  const done = await q.handle.done;
  const ms = performance.now() - started;
  assert.equal(done.status, 'finished');
  assert.equal(table.unmatchedRetractions, 0, `${query.name}: every retraction matches an earlier row`);
  const fields = q.resultType.fields;
  const columns = query.columns ?? fields.map((_, i) => i);
  const rows = table
    .snapshot()
    .map((row) => columns.map((i) => (row[i] === null ? 'NULL' : formatValueText(row[i], fields[i]!.type))).join(' | '))
    .sort();
  const sums: Record<string, number> = {};
  for (const node of done.metrics.nodes) {
    for (const [k, v] of Object.entries(node.gauges)) if (k.startsWith(LSM_GAUGE_PREFIX)) sums[k.slice(LSM_GAUGE_PREFIX.length)] = (sums[k.slice(LSM_GAUGE_PREFIX.length)] ?? 0) + v;
  }
  const n = (k: string): number => sums[k] ?? 0;
  const lsm: LsmTotals = {
    remoteReads: n('remoteReads'),
    remoteBytesRead: n('remoteBytesRead'),
    blockCacheHits: n('blockCacheHits'),
    blockCacheMisses: n('blockCacheMisses'),
    diskCacheHits: n('diskCacheHits'),
    flushes: n('flushes'),
    compactions: n('compactions'),
    peakStateBytes: n('peakStateBytes'),
  };
  return { rows, ms, lsm, workerThreads: done.workerThreads };
}

const timings: string[] = [];
function record(label: string, r: RunResult): void {
  const l = r.lsm;
  timings.push(
    `${label.padEnd(24)} ${r.ms.toFixed(0).padStart(6)} ms` +
      (l.flushes === 0 ? '' : `  state ${(l.peakStateBytes / 1024).toFixed(0)} KiB, remote ${l.remoteReads} reads / ${(l.remoteBytesRead / 1024).toFixed(0)} KiB, hit rate ${hitRate(l).toFixed(3)}, flushes ${l.flushes}, compactions ${l.compactions}`),
  );
}
after(() => {
  if (process.env['FLOE_MATRIX_TIMINGS'] === '1') for (const t of timings) console.log(`# ${t}`);
});

/** The heap results (the reference) and the measured lsm state size, per query, shared by both halves. */
const references = new Map<string, RunResult>();
const stateBytes = new Map<string, number>();

async function reference(query: MatrixQuery): Promise<RunResult> {
  let r = references.get(query.name);
  if (r === undefined) {
    r = await runQuery(query, { 'state.backend.type': 'heap' });
    record(`${query.name} heap`, r);
    assert.ok(r.rows.length > 0, `${query.name}: the reference has rows on this data`);
    references.set(query.name, r);
  }
  return r;
}

type CacheLevel = '0%' | '50%' | '100%';

/** Cache settings for `level` of `state` bytes, split over `processes` caches (one per worker thread). */
function cacheConfig(level: CacheLevel, state: number, diskDir: string, processes = 1): Record<string, string> {
  const bytes = Math.floor((level === '0%' ? 0 : level === '50%' ? state / 2 : state) / processes);
  return {
    'state.backend.lsm.cache.memory-size': String(bytes),
    'state.backend.lsm.cache.disk-size': String(bytes),
    'state.backend.lsm.cache.disk-dir': diskDir,
  };
}

/**
 * Runs `query` on lsm at each cache level (cache 0 first: it measures the state size when it is not
 * known yet) and checks results and counters against the heap reference.
 */
async function checkLevels(query: MatrixQuery, where: string, primary: (level: CacheLevel) => Record<string, string>, diskDir: string): Promise<void> {
  const expected = await reference(query);
  const byLevel = new Map<CacheLevel, LsmTotals>();
  for (const level of ['0%', '50%', '100%'] as const) {
    const known = stateBytes.get(query.name);
    if (level !== '0%') assert.ok(known !== undefined && known > 0, `${query.name}: state size measured`);
    const r = await runQuery(query, { ...LSM_CONFIG, ...query.lsm, ...primary(level), ...cacheConfig(level, known ?? 0, diskDir) });
    record(`${query.name} lsm ${where} ${level}`, r);
    const label = `${query.name} on lsm (${where}, cache ${level})`;
    assert.equal(r.rows.length, expected.rows.length, `${label}: row count`);
    assert.deepEqual(r.rows, expected.rows, label);
    const l = r.lsm;
    assert.ok(l.flushes > 1, `${label}: the memtable was flushed to SST files (${l.flushes} flushes)`);
    assert.ok(l.blockCacheHits + l.blockCacheMisses > 0, `${label}: reads reached the SST files`);
    if (level === '0%') {
      if (!stateBytes.has(query.name)) stateBytes.set(query.name, l.peakStateBytes);
      assert.ok(l.remoteReads > 0 && l.remoteBytesRead > 0, `${label}: blocks were read from the primary store`);
      assert.equal(l.blockCacheHits + l.diskCacheHits, 0, `${label}: no cache answered`);
    }
    byLevel.set(level, l);
  }
  const full = byLevel.get('100%')!;
  const none = byLevel.get('0%')!;
  const half = byLevel.get('50%')!;
  // Not 1: see the module comment on cache sizing. And not near 1 either on this small state: the entry
  // bloom (sst-format.ts) answers most reads of absent map entries without touching a block, so the
  // block lookups left include a large share of first reads of each block (compulsory misses).
  assert.ok(hitRate(full) >= 0.7, `${query.name} ${where}: hit rate ${hitRate(full).toFixed(3)} with the whole state cached`);
  // At most half: compaction inputs are read past the memory tier by design, and a lookup fetches the
  // uncached candidate blocks of all runs in one round trip (some of them needlessly), so the remainder
  // varies with flush and compaction timing (seen: a third on q20).
  assert.ok(full.remoteBytesRead <= none.remoteBytesRead / 2, `${query.name} ${where}: ${full.remoteBytesRead} bytes read remotely with the whole state cached, ${none.remoteBytesRead} with none`);
  assert.ok(hitRate(half) > 0, `${query.name} ${where}: the half-size cache answers some reads`);
}

const workDir = mkdtempSync(join(tmpdir(), 'floe-matrix-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('lsm = heap with the primary copy on local disk', () => {
  for (const query of QUERIES) {
    test(`${query.name}: lsm at cache 0%, 50%, 100% gives the heap result`, async () => {
      await checkLevels(query, 'local', (level) => ({ 'state.backend.lsm.primary-dir': join(workDir, 'primary', `${query.name}-${level.replace('%', '')}`) }), join(workDir, 'cache-local'));
    });
  }
});

const missing = missingRadosgwBinaries();
const skipS3 =
  process.env['FLOE_SKIP_S3_TESTS'] === '1' ? 'FLOE_SKIP_S3_TESTS=1' : missing.length > 0 ? `radosgw binaries missing (${missing.join(', ')}); install them: ${RADOSGW_INSTALL_HINT}` : undefined;

describe('lsm = heap with the primary copy on the S3 server (radosgw)', { skip: skipS3 }, () => {
  let gw: Radosgw | undefined;
  let s3: Record<string, string> = {};
  before(async () => {
    gw = await startRadosgw();
    s3 = { 's3.endpoint': gw.endpoint, 's3.access-key': gw.accessKeyId, 's3.secret-key': gw.secretAccessKey, 's3.region': gw.region };
    // Floe never creates buckets: the test makes one with the SDK.
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const admin = new S3Client({ endpoint: gw.endpoint, region: gw.region, forcePathStyle: true, credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey } });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    admin.destroy();
  });
  after(async () => {
    await gw?.stop();
  });

  for (const query of QUERIES) {
    test(`${query.name}: lsm at cache 0%, 50%, 100% gives the heap result`, async () => {
      await checkLevels(query, 's3', (level) => ({ ...s3, 'state.backend.lsm.primary-dir': `s3://${BUCKET}/${query.name}-${level.replace('%', '')}` }), join(workDir, 'cache-s3'));
    });
  }

  // Each worker thread opens its own S3 store and its own caches, on one configured disk-cache folder
  // (every thread numbers its files from 1: a shared folder once mixed their files up).
  test('q5: lsm on S3 from two worker threads (cache 100%) gives the heap result', async () => {
    const query = QUERIES.find((q) => q.name === 'q5')!;
    const expected = await reference(query);
    const state = stateBytes.get(query.name);
    assert.ok(state !== undefined && state > 0, 'state size measured');
    const r = await runQuery(query, {
      ...LSM_CONFIG,
      ...s3,
      'execution.worker-threads': '2',
      'state.backend.lsm.primary-dir': `s3://${BUCKET}/q5-workers`,
      ...cacheConfig('100%', state, join(workDir, 'cache-workers')),
    });
    record('q5 lsm s3 100% 2 workers', r);
    assert.equal(r.workerThreads, 2);
    assert.deepEqual(r.rows, expected.rows);
    assert.ok(r.lsm.flushes > 1 && r.lsm.diskCacheHits > 0, `flushes ${r.lsm.flushes}, disk cache hits ${r.lsm.diskCacheHits}`);
  });
});
