/**
 * `floe bench nexmark`: runs the shared Nexmark query files unmodified over the `nexmark` connector at
 * maximum emission speed into their blackhole sinks and measures them as the Nexmark harness does:
 * wall time from job start to finish; cores = CPU time of the whole process (all threads, generator
 * included) / wall time; throughput = events / wall time; throughput per core = events / CPU time.
 *
 * Each query runs in its own child process (a fresh heap, JIT and peak-RSS figure per query); the child
 * prints one JSON line with its measurements.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nexmarkDir, userError } from '../common/index.js';
import { runScript, Session } from '../api/index.js';
import { LSM_GAUGE_PREFIX } from '../state/index.js';

interface Measurement {
  readonly query: string;
  readonly events: number;
  readonly parallelism: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** Totals of the lsm backends' gauges (every stateful subtask), when the job ran on lsm. */
  readonly lsm?: LsmTotals;
}

/** The lsm figures a bench reports (sums of the `state.lsm.*` gauges over all subtasks). */
export interface LsmTotals {
  /** Live state at its largest: the bytes of the SST files of the backends' versions (summed per backend peak). */
  readonly peakStateBytes: number;
  readonly remoteReads: number;
  readonly remoteBytesRead: number;
  /** Block lookups answered by the memory or disk cache, of all block lookups. */
  readonly hitRate: number;
}

const ALL_QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q9', 'q10', 'q11', 'q12', 'q13', 'q14', 'q15', 'q16', 'q17', 'q18', 'q19', 'q20', 'q21', 'q22', 'q23'];

/** The script the upstream harness would run for one query: DDL, views, query, with its variables. */
export function nexmarkScript(dir: string, query: string): string {
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  return [read('ddl/ddl_gen.sql'), read('ddl/ddl_views.sql'), read(`queries/${query}.sql`)].join(';\n');
}

/** The CEP (MATCH_RECOGNIZE) variant: `ddl/cep/` DDL and views with `queries/cep/<query>.sql`. */
export function nexmarkCepScript(dir: string, query: string): string {
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  return [read('ddl/cep/ddl_gen.sql'), read('ddl/cep/ddl_views.sql'), read(`queries/cep/${query}.sql`)].join(';\n');
}

export function nexmarkVars(events: number, dir: string): Record<string, string> {
  return {
    TPS: '10000000',
    EVENTS_NUM: String(events),
    PERSON_PROPORTION: '1',
    AUCTION_PROPORTION: '3',
    BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen',
    BOOTSTRAP_SERVERS: '',
    FLINK_HOME: dir,
    NEXMARK_DIR: join(tmpdir(), 'floe-nexmark-out'),
    SUBMIT_TIME: 'bench',
  };
}

function readReference(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = readFileSync(join(dir, 'reference-throughput.csv'), 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const [q, , , perCore] = line.split(',');
    if (q && perCore) out.set(q, Number(perCore));
  }
  return out;
}

/** Runs one query in this process and returns its measurement (after a warm-up run, if asked). */
async function measureOne(dir: string, query: string, events: number, parallelism: number, settings: BenchSettings): Promise<Measurement> {
  // The warm-up runs the same job on fewer events first, so the measured run finds the code compiled
  // by the optimizing JIT (a short run is otherwise dominated by interpreter and baseline code).
  if (settings.warmupEvents > 0) await runQueryJob(dir, query, settings.warmupEvents, parallelism, settings);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const lsm = await runQueryJob(dir, query, events, parallelism, settings);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return {
    query,
    events,
    parallelism,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ...(lsm === null ? {} : { lsm }),
  };
}

/** Runs the query's script once; returns the lsm totals of its job (null when it did not use lsm). */
async function runQueryJob(dir: string, query: string, events: number, parallelism: number, settings: BenchSettings): Promise<LsmTotals | null> {
  const config: Record<string, string> = { 'parallelism.default': String(parallelism), 'state.backend.type': settings.stateBackend, ...settings.config };
  let checkpointDir: string | null = null;
  if (settings.checkpointInterval !== null) {
    checkpointDir = await mkdtemp(join(tmpdir(), 'floe-bench-chk-'));
    config['execution.checkpointing.interval'] = settings.checkpointInterval;
    config['execution.checkpointing.dir'] = checkpointDir;
  }
  const session = new Session({ config, baseDir: dir, warn: () => {} });
  try {
    await runScript(session, nexmarkScript(dir, query), { vars: nexmarkVars(events, dir), out: () => {}, err: (t) => process.stderr.write(t) });
    const jobs = session.jobs.list();
    const done = jobs.length === 0 ? null : await jobs[jobs.length - 1]!.handle.done;
    return done === null ? null : lsmTotals(done.metrics.nodes);
  } finally {
    if (checkpointDir !== null) await rm(checkpointDir, { recursive: true, force: true });
  }
}

function lsmTotals(nodes: readonly { readonly gauges: Readonly<Record<string, number>> }[]): LsmTotals | null {
  const sums = new Map<string, number>();
  for (const node of nodes) {
    for (const [k, v] of Object.entries(node.gauges)) if (k.startsWith(LSM_GAUGE_PREFIX)) sums.set(k.slice(LSM_GAUGE_PREFIX.length), (sums.get(k.slice(LSM_GAUGE_PREFIX.length)) ?? 0) + v);
  }
  if (sums.size === 0) return null;
  const n = (k: string): number => sums.get(k) ?? 0;
  const lookups = n('blockCacheHits') + n('blockCacheMisses');
  return {
    peakStateBytes: n('peakStateBytes'),
    remoteReads: n('remoteReads'),
    remoteBytesRead: n('remoteBytesRead'),
    hitRate: lookups === 0 ? 1 : (n('blockCacheHits') + n('diskCacheHits')) / lookups,
  };
}

/** What a bench run varies besides query, events and parallelism (`--state-backend`, `--checkpoint-interval`, `--profile`). */
interface BenchSettings {
  readonly stateBackend: string;
  readonly checkpointInterval: string | null;
  /** Directory for V8 CPU profiles, or null for none. */
  readonly profileDir: string | null;
  /** Events of a warm-up run before the measured one (`--warmup`); 0 for none. */
  readonly warmupEvents: number;
  /** Further job configuration (`--set key=value`). */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * Node options that make the child write V8 CPU profiles of every thread into `<dir>/<query>-p<P>/`:
 * worker threads inherit the child's execArgv, and each thread writes its own
 * `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile` when it ends (a terminated worker included), so
 * the main thread (planning, coordination) and every worker (the subtasks) are profiled separately.
 */
export function profileArgs(dir: string, query: string, parallelism: number): string[] {
  return ['--cpu-prof', '--cpu-prof-dir', join(dir, `${query}-p${parallelism}`)];
}

function runChild(query: string, events: number, parallelism: number, dir: string, settings: BenchSettings): Promise<Measurement> {
  const main = fileURLToPath(new URL(`./main${fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const profiling = settings.profileDir === null ? [] : profileArgs(settings.profileDir, query, parallelism);
  const args = [...process.execArgv, ...profiling, main, 'bench', 'nexmark', '--single', query, '--events', String(events), '-p', String(parallelism), '--nexmark-dir', dir];
  args.push('--state-backend', settings.stateBackend, '--warmup', String(settings.warmupEvents));
  if (settings.checkpointInterval !== null) args.push('--checkpoint-interval', settings.checkpointInterval);
  for (const [k, v] of Object.entries(settings.config)) args.push('--set', `${k}=${v}`);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(userError('BENCH.FAILED', `${query} failed (exit ${code})`));
      else resolveRun(JSON.parse(line) as Measurement);
    });
  });
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : n.toFixed(0));

/** `--set key=value` pairs as configuration; a pair without '=' is refused. */
function parseSettings(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw userError('CLI.BAD_ARGUMENT', `--set expects key=value, got '${p}'`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

export interface NexmarkBenchOptions {
  readonly nexmarkDir?: string;
  readonly events?: string;
  readonly parallelism?: string;
  readonly stateBackend?: string;
  readonly checkpointInterval?: string;
  readonly profile?: string;
  readonly warmup?: string;
  readonly set?: readonly string[];
  readonly single?: string;
  readonly queries?: string;
  readonly json?: string;
}

export async function runNexmarkBench(options: NexmarkBenchOptions): Promise<void> {
  const dir = resolve(options.nexmarkDir ?? nexmarkDir());
  const events = Number(options['events'] ?? 1_000_000);
  const parallelism = Number(options['parallelism'] ?? 1);
  const settings: BenchSettings = {
    stateBackend: options['stateBackend'] ?? 'heap',
    checkpointInterval: options['checkpointInterval'] ?? null,
    profileDir: options['profile'] !== undefined ? resolve(options['profile']) : null,
    warmupEvents: Number(options['warmup'] ?? 0),
    config: parseSettings(options['set'] ?? []),
  };
  if (!Number.isInteger(settings.warmupEvents) || settings.warmupEvents < 0) throw userError('CLI.BAD_ARGUMENT', `--warmup expects a number of events, got '${options['warmup']}'`);
  if (options['single']) {
    const m = await measureOne(dir, options['single'], events, parallelism, settings);
    process.stdout.write(JSON.stringify(m) + '\n');
    return;
  }
  const list = options['queries'] === 'all' || !options['queries'] ? ALL_QUERIES : options['queries'].split(',').map((q) => q.trim());
  const reference = readReference(dir);
  const rows: (Measurement & { throughput: number; perCore: number; cores: number; flink: number | null; ratio: number | null })[] = [];
  const extras = [
    settings.stateBackend !== 'heap' ? `state ${settings.stateBackend}` : '',
    settings.warmupEvents > 0 ? `after a warm-up of ${settings.warmupEvents} events` : '',
    ...Object.entries(settings.config).map(([k, v]) => `${k}=${v}`),
  ].filter((x) => x !== '');
  process.stdout.write(`Nexmark: ${events} events per query, parallelism ${parallelism}, generator 'nexmark' (seeded, Flink distributions)${extras.length > 0 ? `; ${extras.join(', ')}` : ''}\n`);
  if (settings.profileDir !== null) {
    process.stdout.write(`CPU profiles: ${join(settings.profileDir, `<query>-p${parallelism}`)}/ (one .cpuprofile per thread: main, then each worker; profiling adds CPU)\n`);
  }
  process.stdout.write('query   events/s   cores   events/s/core   Flink/core   ratio   peak RSS\n');
  for (const q of list) {
    const m = await runChild(q, events, parallelism, dir, settings);
    const throughput = m.events / m.wallSeconds;
    const perCore = m.events / m.cpuSeconds;
    const flink = reference.get(q) ?? null;
    const row = { ...m, throughput, perCore, cores: m.cpuSeconds / m.wallSeconds, flink, ratio: flink ? perCore / flink : null };
    rows.push(row);
    process.stdout.write(
      `${q.padEnd(6)} ${fmt(throughput).padStart(9)}  ${row.cores.toFixed(2).padStart(5)}  ${fmt(perCore).padStart(13)}  ${(flink ? fmt(flink) : '—').padStart(10)}  ${(row.ratio ? row.ratio.toFixed(2) + '×' : '—').padStart(6)}  ${m.peakRssMb.toFixed(0).padStart(5)} MB\n`,
    );
  }
  const ratios = rows.map((r) => r.ratio).filter((r): r is number => r !== null);
  const geo = ratios.length ? Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length) : null;
  if (geo !== null) process.stdout.write(`geometric mean of ratios: ${geo.toFixed(2)}×\n`);
  if (options['json']) writeFileSync(options['json'], JSON.stringify({ events, parallelism, stateBackend: settings.stateBackend, warmupEvents: settings.warmupEvents, config: settings.config, rows, geometricMeanRatio: geo }, null, 2));
}
