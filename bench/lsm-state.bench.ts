/**
 * The lsm state backend against heap, on stateful Nexmark queries: throughput with the primary copy on
 * local disk ("all local"), and on a real S3 server (Ceph radosgw on loopback, started here) with a
 * memory cache of 0%, 50% and 100% of the query's state.
 *
 *     node --import tsx bench/lsm-state.bench.ts [--events N (10M)] [--queries q5,q7,q18,q19,q20]
 *          [-p P (1)] [--no-s3] [--setups local,s3-0,s3-50,s3-100] [--profile DIR] [--json FILE]
 *
 * `--setups` runs only the named lsm setups (heap always runs: the ratios need it; S3 percentages need
 * `local`, whose state size they are of). `--profile DIR` writes a V8 CPU profile per run.
 *
 * Each (query, setup) is one `floe bench nexmark` child process (fresh heap and JIT; the Nexmark
 * harness's measurement: wall time, CPU of all threads, peak RSS), so the figures are those of the
 * Nexmark table. The state size S a cache percentage refers to is the lsm backends' peak live state
 * (the SST bytes of the backends' versions, the `state.lsm.peakStateBytes` gauges) of the all-local run. A cache of
 * X% is a block cache of X% × S in memory and no disk tier, so 0% reads every block it needs from S3.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { createObjectStore, S3ObjectStore, type ObjectStore } from '../src/storage/index.js';
import { missingRadosgwBinaries, startRadosgw, type Radosgw } from '../test/support/radosgw.js';

interface Args {
  events: number;
  queries: string[];
  parallelism: number;
  s3: boolean;
  setups: string[] | null;
  profile: string | null;
  json: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { events: 10_000_000, queries: ['q5', 'q7', 'q18', 'q19', 'q20'], parallelism: 1, s3: true, setups: null, profile: null, json: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--events':
        a.events = Number(v);
        i++;
        break;
      case '--queries':
        a.queries = v!.split(',').map((q) => q.trim());
        i++;
        break;
      case '-p':
        a.parallelism = Number(v);
        i++;
        break;
      case '--no-s3':
        a.s3 = false;
        break;
      case '--setups':
        a.setups = v!.split(',').map((s) => s.trim());
        i++;
        break;
      case '--profile':
        a.profile = v!;
        i++;
        break;
      case '--json':
        a.json = v!;
        i++;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

interface Row {
  readonly query: string;
  readonly events: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly lsm?: { peakStateBytes: number; remoteReads: number; remoteBytesRead: number; hitRate: number };
}

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** One `floe bench nexmark` run of one query; its JSON row. */
async function benchOne(query: string, a: Args, backend: 'heap' | 'lsm', config: Record<string, string>): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-lsm-bench-json-'));
  const json = join(dir, 'out.json');
  const args = ['--import', 'tsx', MAIN, 'bench', 'nexmark', '--queries', query, '--events', String(a.events), '-p', String(a.parallelism), '--state-backend', backend, '--json', json];
  if (a.profile !== null) args.push('--profile', join(a.profile, `${query}-${backend}-${config['state.backend.lsm.primary-dir']?.startsWith('s3:') ? `s3-${config['state.backend.lsm.cache.memory-size']}` : 'local'}`));
  for (const [k, v] of Object.entries(config)) args.push('--set', `${k}=${v}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${query} on ${backend} failed (exit ${code})`))));
    });
    const out = JSON.parse(await readFile(json, 'utf8')) as { rows: Row[] };
    return out.rows[0]!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const BUCKET = 'floe-lsm-bench';

async function emptyPrefix(store: ObjectStore, prefix: string): Promise<void> {
  for (const o of await store.list(`${prefix}/`)) await store.delete(o.key);
}
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const rate = (r: Row) => r.events / r.wallSeconds;
const perCore = (r: Row) => r.events / r.cpuSeconds;
const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(0)}%`;
const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} K`);

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'floe-lsm-bench-'));
  let gw: Radosgw | null = null;
  let s3: Record<string, string> = {};
  let s3Store: ObjectStore | null = null;
  if (a.s3) {
    const missing = missingRadosgwBinaries();
    if (missing.length > 0) {
      process.stderr.write(`radosgw binaries missing (${missing.join(', ')}): S3 runs skipped\n`);
      a.s3 = false;
    } else {
      gw = await startRadosgw();
      s3 = { 's3.endpoint': gw.endpoint, 's3.access-key': gw.accessKeyId, 's3.secret-key': gw.secretAccessKey, 's3.region': gw.region };
      const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
      const admin = new S3Client({ endpoint: gw.endpoint, region: gw.region, forcePathStyle: true, credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey } });
      await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
      admin.destroy();
      s3Store = createObjectStore(`s3://${BUCKET}`, { config: s3 });
    }
  }
  process.stdout.write(`lsm vs heap: ${a.events} events, parallelism ${a.parallelism}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${mb(totalmem())} RAM\n`);
  process.stdout.write('throughput = events / wall time (what Flink reports); % of heap and % of lsm all-local; hit = block cache hit rate\n');
  const results: Record<string, Record<string, Row>> = {};
  try {
    for (const q of a.queries) {
      const r: Record<string, Row> = {};
      results[q] = r;
      r['heap'] = await benchOne(q, a, 'heap', {});
      r['local'] = await benchOne(q, a, 'lsm', { 'state.backend.lsm.primary-dir': join(work, `${q}-local`) });
      const state = r['local'].lsm?.peakStateBytes ?? 0;
      if (a.s3) {
        for (const [level, f] of [['0%', 0], ['50%', 0.5], ['100%', 1]] as const) {
          if (a.setups !== null && !a.setups.includes(`s3-${level.replace('%', '')}`)) continue;
          const prefix = `${q}-${level.replace('%', '')}`;
          r[`s3 ${level}`] = await benchOne(q, a, 'lsm', {
            ...s3,
            'state.backend.lsm.primary-dir': `s3://${BUCKET}/${prefix}`,
            'state.backend.lsm.cache.memory-size': String(Math.floor(state * f)),
            'state.backend.lsm.cache.disk-size': '0',
          });
          await emptyPrefix(s3Store!, prefix); // the memstore OSD holds what runs leave behind in memory
        }
      }
      const heap = r['heap'];
      const local = r['local'];
      process.stdout.write(`\n${q}: state ${mb(state)}; heap ${fmt(rate(heap))} events/s (${fmt(perCore(heap))}/core, ${heap.peakRssMb.toFixed(0)} MB RSS)\n`);
      for (const [name, row] of Object.entries(r)) {
        if (name === 'heap') continue;
        const hit = row.lsm === undefined ? '' : `, hit ${(100 * row.lsm.hitRate).toFixed(1)}%, remote reads ${row.lsm.remoteReads} (${mb(row.lsm.remoteBytesRead)})`;
        process.stdout.write(
          `  lsm ${name.padEnd(8)} ${fmt(rate(row)).padStart(8)} events/s = ${pct(rate(row), rate(heap)).padStart(4)} of heap, ${pct(rate(row), rate(local)).padStart(4)} of all-local; ${fmt(perCore(row))}/core, ${row.peakRssMb.toFixed(0)} MB RSS${hit}\n`,
        );
      }
    }
  } finally {
    if (s3Store instanceof S3ObjectStore) await s3Store.close();
    await gw?.stop();
    await rm(work, { recursive: true, force: true });
  }
  if (a.json !== null) writeFileSync(a.json, JSON.stringify({ events: a.events, parallelism: a.parallelism, results }, null, 2));
}

await main();
