/**
 * Lake tables (Paimon format): write and scan throughput of Floe beside DuckDB writing and reading Parquet.
 *
 * Run: `node --import tsx bench/lake.bench.ts [--rows N (1M)] [--commits C (5)] [--cases a,b,…] [--json FILE]`
 *
 * The data: Nexmark-bid-like rows, generated with a fixed seed so every process sees the same rows:
 *   `id BIGINT` (unique, the primary key with `dt`), `auction BIGINT`, `bidder BIGINT`, `price BIGINT`,
 *   `channel STRING`, `url STRING`, `date_time TIMESTAMP(3)`, `dt STRING` (4 days, the partition column).
 * The rows are split into C equal commits (every commit touches every partition and bucket).
 *
 * Cases, in order (each in a fresh child process, so CPU time, GC and peak RSS belong to that case; the
 * scans read what the writes left in a shared warehouse):
 *   floe-api-pk-write      `PaimonTableWrite` into a primary-key table (`bucket` = 4), C commits; after each
 *                          commit a full compaction when a bucket holds ≥ 5 sorted runs (the SQL sink's rule,
 *                          Paimon's `num-sorted-run.compaction-trigger` default)
 *   floe-sql-pk-write      the same through SQL: C × `INSERT INTO … SELECT * FROM <memory dataset>`
 *   floe-api-append-write  `PaimonTableWrite` into an append table (bucket-unaware), C commits
 *   floe-sql-pk-scan       `SELECT count(*), sum(price)` over the primary-key table (merge read)
 *   floe-api-pk-scan       `readSnapshot()` of the same table, summed in a loop
 *   floe-api-pk-filter     `readSnapshot({ partitionFilter: { dt } })`: prunes to 1 of 4 partitions
 *   floe-sql-pk-filter     `… WHERE dt = '…'` through SQL (the SQL source does not push the filter down)
 *   floe-sql-append-scan   `SELECT count(*), sum(price)` over the append table
 *   duckdb-write           `COPY bids TO 'bids.parquet' (FORMAT parquet)` (loading the rows into DuckDB is
 *                          not measured)
 *   duckdb-scan            `SELECT count(*), sum(price) FROM read_parquet(…)`
 *   duckdb-filter          the same `WHERE dt = '…'` (row-group statistics prune)
 *   duckdb-read-floe       DuckDB `read_parquet` over the live data files of Floe's append table, and the
 *                          primary-key table merged by `row_number() OVER (PARTITION BY dt, id ORDER BY
 *                          _SEQUENCE_NUMBER DESC)`: our Parquet read by another implementation
 * Figures: wall time, rows/s, rows per CPU-second (`process.cpuUsage`, all threads: DuckDB runs several),
 * peak RSS (`maxRSS`, includes the generated input). Every scan returns (rows, sum of price); the parent
 * fails with exit code 1 unless each agrees with the generated data.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, DuckDBTimestampMillisecondsValue, type DuckDBConnection } from '@duckdb/node-api';
import { Session, type StatementResult } from '../src/api/index.js';
import { registerMemoryDataset } from '../src/connectors/index.js';
import { createPaimonTable, deserializeBinaryRow, openPaimonTable, type PaimonTable } from '../src/lake/index.js';
import { LocalFileObjectStore } from '../src/storage/index.js';
import { Types, type Column, type RecordBatch, type RowType } from '../src/types/index.js';
import { seededRandom } from './seeded-random.js';

// ---------------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------------

const BATCH = 4096;
const DAYS = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'] as const;
const FILTER_DAY = DAYS[2];
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;
const BASE_TIME = Date.UTC(2026, 10, 24);

const BID_TYPE: RowType = {
  fields: [
    { name: 'id', type: Types.bigint(false) },
    { name: 'auction', type: Types.bigint() },
    { name: 'bidder', type: Types.bigint() },
    { name: 'price', type: Types.bigint() },
    { name: 'channel', type: Types.string() },
    { name: 'url', type: Types.string() },
    { name: 'date_time', type: Types.timestamp(3) },
    { name: 'dt', type: Types.string(false) },
  ],
};
const COLUMNS_SQL = 'id BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), dt STRING';

interface Bids {
  readonly n: number;
  readonly id: Float64Array;
  readonly auction: Float64Array;
  readonly bidder: Float64Array;
  readonly price: Float64Array;
  readonly channel: string[];
  readonly url: string[];
  readonly dateTime: Float64Array;
  readonly dt: string[];
}

function generate(n: number): Bids {
  const r = seededRandom(7);
  const b: Bids = {
    n,
    id: new Float64Array(n),
    auction: new Float64Array(n),
    bidder: new Float64Array(n),
    price: new Float64Array(n),
    channel: new Array<string>(n),
    url: new Array<string>(n),
    dateTime: new Float64Array(n),
    dt: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const day = i % DAYS.length;
    b.id[i] = i;
    b.auction[i] = 1000 + Math.floor(r() * 10_000);
    b.bidder[i] = 1000 + Math.floor(r() * 100_000);
    b.price[i] = 100 + Math.floor(r() * r() * 1_000_000);
    b.channel[i] = CHANNELS[Math.floor(r() * CHANNELS.length)]!;
    b.url[i] = `https://www.nexmark.com/${b.channel[i]}/item.htm?query=${Math.floor(r() * 1e6)}`;
    b.dateTime[i] = BASE_TIME + day * 86_400_000 + Math.floor(i / DAYS.length);
    b.dt[i] = DAYS[day]!;
  }
  return b;
}

const col = (data: Float64Array | string[]): Column => ({ data, nulls: null });

/** Rows [from, to) as batches of 4096 whose typed columns are views of the generated arrays. */
function batches(b: Bids, from: number, to: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let s = from; s < to; s += BATCH) {
    const e = Math.min(to, s + BATCH);
    out.push({
      numRows: e - s,
      kinds: null,
      columns: [
        col(b.id.subarray(s, e)),
        col(b.auction.subarray(s, e)),
        col(b.bidder.subarray(s, e)),
        col(b.price.subarray(s, e)),
        col(b.channel.slice(s, e)),
        col(b.url.slice(s, e)),
        col(b.dateTime.subarray(s, e)),
        col(b.dt.slice(s, e)),
      ],
    });
  }
  return out;
}

/** The checksums every engine must reproduce: (rows, sum of price), all and for `dt = FILTER_DAY`. */
function expected(b: Bids): { all: [number, number]; filtered: [number, number] } {
  let sum = 0, fn = 0, fsum = 0;
  for (let i = 0; i < b.n; i++) {
    sum += b.price[i]!;
    if (b.dt[i] === FILTER_DAY) {
      fn++;
      fsum += b.price[i]!;
    }
  }
  return { all: [b.n, sum], filtered: [fn, fsum] };
}

// ---------------------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------------------

const CASES = [
  'floe-api-pk-write',
  'floe-sql-pk-write',
  'floe-api-append-write',
  'floe-sql-pk-scan',
  'floe-api-pk-scan',
  'floe-api-pk-filter',
  'floe-sql-pk-filter',
  'floe-sql-append-scan',
  'duckdb-write',
  'duckdb-scan',
  'duckdb-filter',
  'duckdb-read-floe',
] as const;
type CaseName = (typeof CASES)[number];

/** What a case checks its result against. */
const CHECK: Record<CaseName, 'all' | 'filtered' | 'none'> = {
  'floe-api-pk-write': 'none',
  'floe-sql-pk-write': 'none',
  'floe-api-append-write': 'none',
  'floe-sql-pk-scan': 'all',
  'floe-api-pk-scan': 'all',
  'floe-api-pk-filter': 'filtered',
  'floe-sql-pk-filter': 'filtered',
  'floe-sql-append-scan': 'all',
  'duckdb-write': 'none',
  'duckdb-scan': 'all',
  'duckdb-filter': 'filtered',
  'duckdb-read-floe': 'all',
};

interface CaseContext {
  readonly bids: Bids;
  readonly commits: number;
  readonly warehouse: string;
}

interface Prepared {
  /** The measured part; returns (rows, sum of price) for scans, [] for writes. */
  run(): Promise<number[]>;
  /** Rows the measured part handled (for rows/s). */
  readonly rows: number;
  /** Extra figures printed beside the case (file counts, snapshot ids, …). */
  readonly notes: () => Promise<Record<string, number | string>>;
  dispose(): Promise<void>;
}

const PK_OPTIONS = { bucket: '4' };

async function lakeTable(warehouse: string, name: string): Promise<PaimonTable> {
  return openPaimonTable(new LocalFileObjectStore(warehouse), `db.db/${name}`);
}

async function newLakeTable(warehouse: string, name: string, pk: boolean): Promise<PaimonTable> {
  return createPaimonTable(new LocalFileObjectStore(warehouse), `db.db/${name}`, {
    fields: BID_TYPE,
    primaryKeys: pk ? ['dt', 'id'] : [],
    partitionKeys: ['dt'],
    options: pk ? PK_OPTIONS : { bucket: '-1' },
  });
}

/** The SQL sink's compaction rule (connectors/paimon/paimon-compaction.ts): compact when a bucket has ≥ 5 sorted runs. */
async function compactIfDue(table: PaimonTable): Promise<boolean> {
  const latest = await table.latestSnapshot();
  if (latest === undefined) return false;
  const runs = new Map<string, number>();
  for (const e of await table.manifestEntries(latest)) {
    const k = `${e.partition.join(',')}/${e.bucket}`;
    runs.set(k, (runs.get(k) ?? 0) + (e.file.level === 0 ? 1 : 0));
  }
  if (Math.max(0, ...runs.values()) < 5) return false;
  await table.compact();
  return true;
}

async function fileNotes(warehouse: string, name: string): Promise<Record<string, number | string>> {
  const t = await lakeTable(warehouse, name);
  const latest = await t.latestSnapshot();
  const entries = latest === undefined ? [] : await t.manifestEntries(latest);
  const kinds = (await t.snapshots()).map((s) => (s.commitKind === 'COMPACT' ? 'C' : 'A')).join('');
  return { snapshots: kinds, liveFiles: entries.length, liveMB: +(entries.reduce((n, e) => n + e.file.fileSize, 0) / 1e6).toFixed(1) };
}

async function sqlSession(warehouse: string): Promise<Session> {
  const s = new Session({ config: { 'execution.runtime-mode': 'batch', 'table.local-time-zone': 'UTC' }, warn: () => {} });
  await runSql(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${warehouse}')`);
  return s;
}

async function runSql(s: Session, sql: string): Promise<StatementResult> {
  let last: StatementResult | undefined;
  for (const st of s.parse(sql)) {
    last = await s.execute(st);
    if (last.kind === 'job') await last.handle.done;
  }
  return last!;
}

async function sqlChecksum(s: Session, sql: string): Promise<number[]> {
  const rows = await s.query<{ n: number; p: number }>(sql);
  return [Number(rows[0]!.n), Number(rows[0]!.p ?? 0)];
}

/** Sums `price` (column 3) over the batches of a table read. */
async function sumBatches(it: AsyncIterable<RecordBatch>): Promise<number[]> {
  let n = 0, sum = 0;
  for await (const b of it) {
    const price = b.columns[3]!;
    const data = price.data as Float64Array;
    for (let r = 0; r < b.numRows; r++) if (price.nulls === null || price.nulls[r] !== 1) sum += data[r]!;
    n += b.numRows;
  }
  return [n, sum];
}

function commitRange(ctx: CaseContext, c: number): [number, number] {
  const per = Math.ceil(ctx.bids.n / ctx.commits);
  return [c * per, Math.min(ctx.bids.n, (c + 1) * per)];
}

async function duck(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

async function duckChecksum(conn: DuckDBConnection, sql: string): Promise<number[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRows()[0]!.map((v) => Number(v ?? 0));
}

/** Every live data file of a Floe table's latest snapshot, as paths. */
async function liveFiles(warehouse: string, name: string): Promise<string[]> {
  const t = await lakeTable(warehouse, name);
  const latest = await t.latestSnapshot();
  const types = t.partitionKeys.map((k) => t.rowType.fields.find((f) => f.name === k)!.type);
  return (await t.manifestEntries(latest!)).map((e) => {
    const dt = deserializeBinaryRow(e.partition, types, 'partition')[0] as string;
    return join(warehouse, 'db.db', name, `dt=${dt}`, `bucket-${e.bucket}`, e.file.fileName);
  });
}

async function prepare(name: CaseName, ctx: CaseContext): Promise<Prepared> {
  const { bids, warehouse } = ctx;
  const none = async (): Promise<void> => {};
  switch (name) {
    case 'floe-api-pk-write':
    case 'floe-api-append-write': {
      const pk = name === 'floe-api-pk-write';
      const table = await newLakeTable(warehouse, pk ? 'pk' : 'append', pk);
      const parts = Array.from({ length: ctx.commits }, (_, c) => batches(bids, ...commitRange(ctx, c)));
      return {
        rows: bids.n,
        async run() {
          for (const part of parts) {
            const w = table.newWrite();
            for (const b of part) w.write(b);
            await w.commit();
            if (pk) await compactIfDue(await lakeTable(warehouse, 'pk'));
          }
          return [];
        },
        notes: () => fileNotes(warehouse, pk ? 'pk' : 'append'),
        dispose: none,
      };
    }
    case 'floe-sql-pk-write': {
      for (let c = 0; c < ctx.commits; c++) registerMemoryDataset(`bids${c}`, BID_TYPE, batches(bids, ...commitRange(ctx, c)));
      const s = await sqlSession(warehouse);
      for (let c = 0; c < ctx.commits; c++) await runSql(s, `CREATE TABLE bids${c} (${COLUMNS_SQL}) WITH ('connector' = 'memory', 'dataset' = 'bids${c}')`);
      await runSql(s, `CREATE DATABASE IF NOT EXISTS lake.db;
        CREATE TABLE lake.db.pk_sql (${COLUMNS_SQL}, PRIMARY KEY (dt, id) NOT ENFORCED) PARTITIONED BY (dt) WITH ('bucket' = '4')`);
      return {
        rows: bids.n,
        async run() {
          for (let c = 0; c < ctx.commits; c++) await runSql(s, `INSERT INTO lake.db.pk_sql SELECT * FROM bids${c}`);
          return [];
        },
        notes: () => fileNotes(warehouse, 'pk_sql'),
        dispose: none,
      };
    }
    case 'floe-sql-pk-scan':
    case 'floe-sql-pk-filter':
    case 'floe-sql-append-scan': {
      const s = await sqlSession(warehouse);
      const table = name === 'floe-sql-append-scan' ? 'append' : 'pk';
      const where = name === 'floe-sql-pk-filter' ? ` WHERE dt = '${FILTER_DAY}'` : '';
      return {
        rows: bids.n,
        run: () => sqlChecksum(s, `SELECT count(*) AS n, sum(price) AS p FROM lake.db.${table}${where}`),
        notes: async () => ({}),
        dispose: none,
      };
    }
    case 'floe-api-pk-scan':
    case 'floe-api-pk-filter': {
      const table = await lakeTable(warehouse, 'pk');
      const filter = name === 'floe-api-pk-filter' ? { partitionFilter: { dt: FILTER_DAY } } : {};
      return {
        // rows/s counts the rows of the table a query covers, as for the SQL and DuckDB filters.
        rows: bids.n,
        run: () => sumBatches(table.readSnapshot(undefined, filter)),
        notes: async () => ({ splits: (await table.plan(undefined, filter)).length }),
        dispose: none,
      };
    }
    case 'duckdb-write':
    case 'duckdb-scan':
    case 'duckdb-filter': {
      const d = await duck();
      const file = join(warehouse, 'duckdb', 'bids.parquet');
      if (name === 'duckdb-write') {
        mkdirSync(join(warehouse, 'duckdb'), { recursive: true });
        await d.conn.run('CREATE TABLE bids (id BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP_MS, dt VARCHAR)');
        const app = await d.conn.createAppender('bids');
        for (let i = 0; i < bids.n; i++) {
          app.appendBigInt(BigInt(bids.id[i]!));
          app.appendBigInt(BigInt(bids.auction[i]!));
          app.appendBigInt(BigInt(bids.bidder[i]!));
          app.appendBigInt(BigInt(bids.price[i]!));
          app.appendVarchar(bids.channel[i]!);
          app.appendVarchar(bids.url[i]!);
          app.appendTimestampMilliseconds(new DuckDBTimestampMillisecondsValue(BigInt(bids.dateTime[i]!)));
          app.appendVarchar(bids.dt[i]!);
          app.endRow();
        }
        app.closeSync();
      }
      return {
        rows: bids.n,
        async run() {
          if (name === 'duckdb-write') {
            await d.conn.run(`COPY bids TO '${file}' (FORMAT parquet)`);
            return [];
          }
          const where = name === 'duckdb-filter' ? ` WHERE dt = '${FILTER_DAY}'` : '';
          return duckChecksum(d.conn, `SELECT count(*), sum(price) FROM read_parquet('${file}')${where}`);
        },
        notes: async () => ({}),
        dispose: async () => d.close(),
      };
    }
    case 'duckdb-read-floe': {
      const d = await duck();
      const append = (await liveFiles(warehouse, 'append')).map((f) => `'${f}'`).join(', ');
      const pk = (await liveFiles(warehouse, 'pk')).map((f) => `'${f}'`).join(', ');
      return {
        rows: bids.n * 2,
        async run() {
          const a = await duckChecksum(d.conn, `SELECT count(*), sum(price) FROM read_parquet([${append}])`);
          const p = await duckChecksum(
            d.conn,
            `SELECT count(*), sum(price) FROM (SELECT price, row_number() OVER (PARTITION BY dt, id ORDER BY _SEQUENCE_NUMBER DESC) AS rn FROM read_parquet([${pk}])) WHERE rn = 1`,
          );
          if (a[0] !== p[0] || a[1] !== p[1]) throw new Error(`DuckDB reads Floe's append table as ${a} but its primary-key table as ${p}`);
          return a;
        },
        notes: async () => ({ appendFiles: append.split(',').length, pkFiles: pk.split(',').length }),
        dispose: async () => d.close(),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Child: one measured case
// ---------------------------------------------------------------------------------------------------------

interface CaseResult {
  readonly case: CaseName;
  readonly rows: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly checksum: number[];
  readonly notes: Record<string, number | string>;
}

async function child(name: CaseName, rows: number, commits: number, warehouse: string): Promise<CaseResult> {
  const bids = generate(rows);
  const p = await prepare(name, { bids, commits, warehouse });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const checksum = await p.run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const notes = await p.notes();
  await p.dispose();
  return { case: name, rows: p.rows, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6, checksum, notes };
}

// ---------------------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------------------

interface Options {
  rows: number;
  commits: number;
  cases: CaseName[];
  json: string | undefined;
  child: CaseName | undefined;
  warehouse: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { rows: 1_000_000, commits: 5, cases: [...CASES], json: undefined, child: undefined, warehouse: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--rows') o.rows = Number(value().replace(/_/g, ''));
    else if (a === '--commits') o.commits = Number(value());
    else if (a === '--cases') {
      const wanted = value().split(',');
      for (const w of wanted) if (!(CASES as readonly string[]).includes(w)) throw new Error(`unknown case '${w}' (cases: ${CASES.join(', ')})`);
      o.cases = CASES.filter((c) => wanted.includes(c));
    } else if (a === '--json') o.json = value();
    else if (a === '--child') o.child = value() as CaseName;
    else if (a === '--warehouse') o.warehouse = value();
    else throw new Error(`unknown argument '${a}'`);
  }
  if (!Number.isInteger(o.rows) || o.rows < o.commits || o.commits < 1) throw new Error('--rows must be an integer ≥ --commits ≥ 1');
  return o;
}

const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.child !== undefined) {
    const r = await child(o.child, o.rows, o.commits, o.warehouse!);
    process.stdout.write(`\n@@RESULT ${JSON.stringify(r)}\n`);
    return;
  }
  const warehouse = mkdtempSync(join(tmpdir(), 'floe-lake-bench-'));
  const need = new Set<CaseName>(o.cases);
  // Scans read the tables the writes leave behind.
  if ([...need].some((c) => c.includes('pk-scan') || c.includes('pk-filter') || c === 'duckdb-read-floe')) need.add('floe-api-pk-write');
  if (need.has('floe-sql-append-scan') || need.has('duckdb-read-floe')) need.add('floe-api-append-write');
  if (need.has('duckdb-scan') || need.has('duckdb-filter')) need.add('duckdb-write');
  const cases = CASES.filter((c) => need.has(c));
  const exp = expected(generate(o.rows));
  console.log(`lake bench: ${o.rows} rows, ${o.commits} commits, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}, warehouse ${warehouse}`);
  const results: CaseResult[] = [];
  let failed = false;
  try {
    for (const c of cases) {
      const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', c, '--rows', String(o.rows), '--commits', String(o.commits), '--warehouse', warehouse];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
      const line = r.stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (r.status !== 0 || line === undefined) throw new Error(`case ${c} failed (exit ${r.status})\n${r.stdout}`);
      const res = JSON.parse(line.slice('@@RESULT '.length)) as CaseResult;
      results.push(res);
      const want = CHECK[c] === 'none' ? undefined : exp[CHECK[c]];
      const ok = want === undefined || (res.checksum[0] === want[0] && res.checksum[1] === want[1]);
      if (!ok) failed = true;
      const notes = Object.entries(res.notes).map(([k, v]) => `${k}=${v}`).join(' ');
      console.log(
        `  ${c.padEnd(22)} ${fmt(res.rows / (res.wallMs / 1000)).padStart(7)} rows/s  ${fmt(res.rows / (res.cpuMs / 1000)).padStart(7)} rows/CPU-s  wall ${res.wallMs.toFixed(0).padStart(6)} ms  cpu ${res.cpuMs.toFixed(0).padStart(6)} ms  peak RSS ${res.peakRssMb.toFixed(0).padStart(5)} MB  ${want === undefined ? '' : ok ? 'checksum ok' : `CHECKSUM ${res.checksum} != ${want}`}  ${notes}  load ${loadavg()[0]!.toFixed(2)}`,
      );
    }
  } finally {
    rmSync(warehouse, { recursive: true, force: true });
  }
  console.log('\n| case | rows/s | rows per CPU-s | wall ms | CPU ms | peak RSS MB | notes |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    const notes = Object.entries(r.notes).map(([k, v]) => `${k}=${v}`).join(', ');
    console.log(`| ${r.case} | ${fmt(r.rows / (r.wallMs / 1000))} | ${fmt(r.rows / (r.cpuMs / 1000))} | ${r.wallMs.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${notes} |`);
  }
  if (o.json !== undefined) writeFileSync(o.json, JSON.stringify({ rows: o.rows, commits: o.commits, node: process.version, cores: cpus().length, results }, null, 2));
  if (failed) {
    console.error('checksums disagree');
    process.exitCode = 1;
  }
}

await main();
