/**
 * Floe beside its peers: the same logical workloads over the same in-memory events through
 *   - Floe (SQL over the `memory` connector, parallelism 1, result batches consumed by the caller),
 *   - `@electric-sql/d2ts` (differential dataflow in TypeScript; its cheapest operators for each workload),
 *   - DuckDB (`@duckdb/node-api`, batch: the data is loaded into a table first, load time reported apart),
 *   - a hand-written columnar loop (typed arrays, a Map per key, batches of 4096 rows): the floor.
 *
 * Run: `node --import tsx bench/peers.bench.ts [--events N (1M)] [--join-events N (min(events, 200k))] [--repeat R]
 *       [--workloads filter,window,running,join] [--engines floe,d2ts,duckdb,loop] [--no-warmup] [--json FILE]`
 * (`npm run bench:peers -- …`).
 *
 * Each (workload, engine, repeat) runs in a fresh child process so that CPU time, GC and peak RSS belong to
 * that run alone. The child builds the events (seeded, so every child sees the same events), converts them
 * to the engine's native input (Floe batches, d2ts row objects, a DuckDB table, typed arrays) outside the
 * measurement, optionally warms the JIT on a prefix, then measures one run: wall time, CPU time
 * (`process.cpuUsage`, user + system, all threads of the process), records per CPU-second and peak RSS.
 * Every engine's final result is reduced to a checksum (row count and column sums); the parent fails with
 * exit code 1 unless all engines agree.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { D2, MessageType, MultiSet, filter, join, map, output, reduce, count, type Message } from '@electric-sql/d2ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { Session } from '../src/api/index.js';
import { registerMemoryDataset, unregisterMemoryDataset } from '../src/connectors/index.js';
import { Types, type Column, type RecordBatch, type RowType } from '../src/types/index.js';
import { seededRandom } from './seeded-random.js';

// ---------------------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------------------

const BATCH = 4096;
const NUM_AUCTIONS = 10_000;
const HOT_AUCTIONS = 100;
const NUM_BIDDERS = 100_000;
const NUM_SELLERS = 20_000;
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;
/** Event time starts at a minute boundary and advances 1 ms per bid (1,000 bids per second of event time). */
const BASE_TIME = Date.UTC(2026, 0, 1);
const WINDOW_MS = 60_000;
const PRICE_CUTOFF = 5000;
const EXCLUDED_CHANNEL = 'Baidu';

interface Bids {
  readonly n: number;
  readonly auction: Float64Array;
  readonly bidder: Float64Array;
  readonly price: Float64Array;
  readonly channel: string[];
  readonly dateTime: Float64Array;
}

interface Auctions {
  readonly n: number;
  readonly id: Float64Array;
  readonly seller: Float64Array;
  readonly category: Float64Array;
  readonly dateTime: Float64Array;
}

/** Nexmark-like bids: half of them on 100 hot auctions, the rest uniform over 10,000; skewed prices. */
function generateBids(n: number, seed = 42): Bids {
  const r = seededRandom(seed);
  const auction = new Float64Array(n);
  const bidder = new Float64Array(n);
  const price = new Float64Array(n);
  const channel = new Array<string>(n);
  const dateTime = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    auction[i] = r() < 0.5 ? Math.floor(r() * HOT_AUCTIONS) * (NUM_AUCTIONS / HOT_AUCTIONS) : Math.floor(r() * NUM_AUCTIONS);
    bidder[i] = r() < 0.25 ? Math.floor(r() * 1000) : Math.floor(r() * NUM_BIDDERS);
    const u = r();
    price[i] = 1 + Math.floor(u * u * u * 100_000);
    channel[i] = CHANNELS[Math.floor(r() * CHANNELS.length)]!;
    dateTime[i] = BASE_TIME + i;
  }
  return { n, auction, bidder, price, channel, dateTime };
}

/** One auction per id 0..9,999, spread evenly over the bids' event time (so some bids arrive before theirs). */
function generateAuctions(bidCount: number, seed = 7): Auctions {
  const r = seededRandom(seed);
  const n = NUM_AUCTIONS;
  const id = new Float64Array(n);
  const seller = new Float64Array(n);
  const category = new Float64Array(n);
  const dateTime = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = i;
    seller[i] = Math.floor(r() * NUM_SELLERS);
    category[i] = 10 + Math.floor(r() * 5);
    dateTime[i] = BASE_TIME + Math.floor((i * bidCount) / n);
  }
  return { n, id, seller, category, dateTime };
}

const BID_TYPE: RowType = {
  fields: [
    { name: 'auction', type: Types.bigint() },
    { name: 'bidder', type: Types.bigint() },
    { name: 'price', type: Types.bigint() },
    { name: 'channel', type: Types.string() },
    { name: 'dateTime', type: Types.timestamp(3) },
  ],
};
const AUCTION_TYPE: RowType = {
  fields: [
    { name: 'id', type: Types.bigint() },
    { name: 'seller', type: Types.bigint() },
    { name: 'category', type: Types.bigint() },
    { name: 'dateTime', type: Types.timestamp(3) },
  ],
};

const col = (data: Float64Array | string[]): Column => ({ data, nulls: null });

/** Floe's native input: batches of 4096 rows whose typed columns are views of the generated arrays. */
function bidBatches(b: Bids): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let s = 0; s < b.n; s += BATCH) {
    const e = Math.min(b.n, s + BATCH);
    out.push({
      numRows: e - s,
      kinds: null,
      columns: [col(b.auction.subarray(s, e)), col(b.bidder.subarray(s, e)), col(b.price.subarray(s, e)), col(b.channel.slice(s, e)), col(b.dateTime.subarray(s, e))],
    });
  }
  return out;
}

function auctionBatches(a: Auctions): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let s = 0; s < a.n; s += BATCH) {
    const e = Math.min(a.n, s + BATCH);
    out.push({ numRows: e - s, kinds: null, columns: [col(a.id.subarray(s, e)), col(a.seller.subarray(s, e)), col(a.category.subarray(s, e)), col(a.dateTime.subarray(s, e))] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------------------

type WorkloadName = 'filter' | 'window' | 'running' | 'join';
type EngineName = 'floe' | 'd2ts' | 'duckdb' | 'loop';
const WORKLOADS: readonly WorkloadName[] = ['filter', 'window', 'running', 'join'];
const ENGINES: readonly EngineName[] = ['floe', 'd2ts', 'duckdb', 'loop'];

interface WorkloadInfo {
  readonly title: string;
  /** What the checksum's numbers are. */
  readonly checksum: readonly string[];
  readonly floeSql: string;
  readonly duckSql: string;
}

const BIDS_DDL = `CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, dateTime TIMESTAMP(3),
  WATERMARK FOR dateTime AS dateTime - INTERVAL '1' SECOND) WITH ('connector' = 'memory', 'dataset' = 'bids')`;
const AUCTIONS_DDL = `CREATE TABLE auctions (id BIGINT, seller BIGINT, category BIGINT, dateTime TIMESTAMP(3),
  WATERMARK FOR dateTime AS dateTime - INTERVAL '1' SECOND) WITH ('connector' = 'memory', 'dataset' = 'auctions')`;

const INFO: Record<WorkloadName, WorkloadInfo> = {
  filter: {
    title: 'stateless filter + projection',
    checksum: ['rows', 'sum(auction)', 'sum(cents)'],
    floeSql: `SELECT auction, bidder, price * 100 AS cents, channel FROM bids WHERE price > ${PRICE_CUTOFF} AND channel <> '${EXCLUDED_CHANNEL}'`,
    duckSql: `SELECT count(*), sum(auction), sum(cents) FROM (SELECT auction, bidder, price * 100 AS cents, channel FROM bids WHERE price > ${PRICE_CUTOFF} AND channel <> '${EXCLUDED_CHANNEL}')`,
  },
  window: {
    title: 'tumbling 1-minute window, count per auction',
    checksum: ['rows', 'sum(cnt)', 'sum(cnt*cnt)', 'sum(auction)'],
    floeSql: `SELECT auction, window_start, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(dateTime), INTERVAL '60' SECOND)) GROUP BY auction, window_start, window_end`,
    duckSql: `SELECT count(*), sum(cnt), sum(cnt * cnt), sum(auction) FROM (SELECT auction, dateTime // ${WINDOW_MS} AS w, count(*) AS cnt FROM bids GROUP BY auction, w)`,
  },
  running: {
    title: 'running COUNT/SUM/MAX per auction (updates)',
    checksum: ['rows', 'sum(n)', 'sum(total)', 'sum(top)'],
    floeSql: `SELECT auction, COUNT(*) AS n, SUM(price) AS total, MAX(price) AS top FROM bids GROUP BY auction`,
    duckSql: `SELECT count(*), sum(n), sum(total), sum(top) FROM (SELECT auction, count(*) AS n, sum(price) AS total, max(price) AS top FROM bids GROUP BY auction)`,
  },
  join: {
    title: 'stream-stream join bids x auctions',
    checksum: ['rows', 'sum(price)', 'sum(seller)', 'sum(category)'],
    floeSql: `SELECT b.auction, b.price, a.seller, a.category FROM bids AS b JOIN auctions AS a ON b.auction = a.id`,
    duckSql: `SELECT count(*), sum(b.price), sum(a.seller), sum(a.category) FROM bids AS b JOIN auctions AS a ON b.auction = a.id`,
  },
};

interface Input {
  readonly bids: Bids;
  /** Only for the join. */
  readonly auctions: Auctions | null;
}

const recordsOf = (input: Input): number => input.bids.n + (input.auctions?.n ?? 0);

// ---------------------------------------------------------------------------------------------------------
// Floe
// ---------------------------------------------------------------------------------------------------------

/** Reduces result batches to the checksum; typed columns are read directly (the bench is the consumer). */
interface FloeConsumer {
  accept(batch: RecordBatch): void;
  result(): number[];
}

function floeConsumer(w: WorkloadName): FloeConsumer {
  switch (w) {
    case 'filter': {
      let rows = 0, sa = 0, sc = 0;
      return {
        accept(b) {
          const a = b.columns[0]!.data as Float64Array, c = b.columns[2]!.data as Float64Array;
          for (let i = 0; i < b.numRows; i++) { sa += a[i]!; sc += c[i]!; }
          rows += b.numRows;
        },
        result: () => [rows, sa, sc],
      };
    }
    case 'window': {
      let rows = 0, sn = 0, sq = 0, sa = 0;
      return {
        accept(b) {
          const a = b.columns[0]!.data as Float64Array, n = b.columns[2]!.data as Float64Array;
          for (let i = 0; i < b.numRows; i++) { sn += n[i]!; sq += n[i]! * n[i]!; sa += a[i]!; }
          rows += b.numRows;
        },
        result: () => [rows, sn, sq, sa],
      };
    }
    case 'running': {
      // Materializes the changelog: the final row per auction (+I/+U set it, -D removes it, -U is followed by +U).
      const slot = new Map<number, number>();
      let n: Float64Array = new Float64Array(1024), total: Float64Array = new Float64Array(1024), top: Float64Array = new Float64Array(1024), live: Uint8Array = new Uint8Array(1024);
      return {
        accept(b) {
          const k = b.columns[0]!.data as Float64Array, cn = b.columns[1]!.data as Float64Array, ct = b.columns[2]!.data as Float64Array, cm = b.columns[3]!.data as Float64Array;
          for (let i = 0; i < b.numRows; i++) {
            const kind = b.kinds === null ? 0 : b.kinds[i]!;
            if (kind === 1) continue;
            let s = slot.get(k[i]!);
            if (s === undefined) {
              s = slot.size;
              slot.set(k[i]!, s);
              if (s === n.length) {
                const grow = (x: Float64Array): Float64Array => { const y = new Float64Array(x.length * 2); y.set(x); return y; };
                n = grow(n); total = grow(total); top = grow(top);
                const l = new Uint8Array(live.length * 2); l.set(live); live = l;
              }
            }
            live[s] = kind === 3 ? 0 : 1;
            n[s] = cn[i]!; total[s] = ct[i]!; top[s] = cm[i]!;
          }
        },
        result() {
          let rows = 0, sn = 0, st = 0, sm = 0;
          for (let s = 0; s < slot.size; s++) if (live[s] === 1) { rows++; sn += n[s]!; st += total[s]!; sm += top[s]!; }
          return [rows, sn, st, sm];
        },
      };
    }
    case 'join': {
      let rows = 0, sp = 0, ss = 0, sc = 0;
      return {
        accept(b) {
          const p = b.columns[1]!.data as Float64Array, s = b.columns[2]!.data as Float64Array, c = b.columns[3]!.data as Float64Array;
          for (let i = 0; i < b.numRows; i++) { sp += p[i]!; ss += s[i]!; sc += c[i]!; }
          rows += b.numRows;
        },
        result: () => [rows, sp, ss, sc],
      };
    }
  }
}

interface Prepared {
  /** The measured part. */
  run(): Promise<number[]>;
  /** Extra figures to report (load time for DuckDB, changelog rows, …). */
  readonly notes: Record<string, number>;
  dispose?(): Promise<void> | void;
}

let floeRun = 0;

async function prepareFloe(w: WorkloadName, input: Input, notes: Record<string, number>): Promise<Prepared> {
  // Datasets are registered under fresh names so a warm-up run and the measured run never share one.
  const tag = `_${floeRun++}`;
  registerMemoryDataset(`bids${tag}`, BID_TYPE, bidBatches(input.bids));
  if (input.auctions !== null) registerMemoryDataset(`auctions${tag}`, AUCTION_TYPE, auctionBatches(input.auctions));
  const ddl = [BIDS_DDL, ...(input.auctions !== null ? [AUCTIONS_DDL] : [])].map((s) => s.replace(/'dataset' = '(\w+)'/, `'dataset' = '$1${tag}'`));
  return {
    notes,
    async run() {
      const session = new Session({ warn: () => {} });
      const statements = session.parse(`${ddl.join(';\n')};\n${INFO[w].floeSql}`);
      const consumer = floeConsumer(w);
      let changelogRows = 0;
      for (const statement of statements) {
        const result = await session.execute(statement);
        if (result.kind !== 'query') continue;
        for await (const batch of result.query.batches) {
          changelogRows += batch.numRows;
          consumer.accept(batch);
        }
        await result.query.handle.done;
      }
      notes['changelogRows'] = changelogRows;
      return consumer.result();
    },
    dispose() {
      unregisterMemoryDataset(`bids${tag}`);
      unregisterMemoryDataset(`auctions${tag}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// d2ts
// ---------------------------------------------------------------------------------------------------------

interface BidRow { auction: number; bidder: number; price: number; channel: string; dateTime: number }
interface AuctionRow { id: number; seller: number; category: number; dateTime: number }

/** d2ts's native input: row objects, in [row, +1] chunks of 4096 (built before the measurement). */
interface D2Chunk<T> { readonly version: number; readonly items: [T, number][] }

function bidRows(b: Bids): BidRow[] {
  const rows = new Array<BidRow>(b.n);
  for (let i = 0; i < b.n; i++) rows[i] = { auction: b.auction[i]!, bidder: b.bidder[i]!, price: b.price[i]!, channel: b.channel[i]!, dateTime: b.dateTime[i]! };
  return rows;
}

/**
 * Chunks of at most 4096 rows. `versionOf` gives each row its version; a chunk never spans two versions.
 * Versions only grow along the input (rows are in event-time order).
 */
function chunksOf<T>(rows: readonly T[], versionOf: (row: T, index: number) => number): D2Chunk<T>[] {
  const out: D2Chunk<T>[] = [];
  let items: [T, number][] = [];
  let version = rows.length > 0 ? versionOf(rows[0]!, 0) : 0;
  for (let i = 0; i < rows.length; i++) {
    const v = versionOf(rows[i]!, i);
    if (v !== version || items.length === BATCH) {
      out.push({ version, items });
      items = [];
      version = v;
    }
    items.push([rows[i]!, 1]);
  }
  if (items.length > 0) out.push({ version, items });
  return out;
}

function prepareD2ts(w: WorkloadName, input: Input, notes: Record<string, number>): Prepared {
  const rows = bidRows(input.bids);
  const graph = new D2({ initialFrontier: 0 });
  const bids = graph.newInput<BidRow>();
  let result: () => number[];
  // Chunk versions: the window workload uses the window index (a window's counts are final when the
  // frontier passes it, as a window closes on the watermark); the others one version per chunk.
  const byWindow = w === 'window';
  const bidChunks = chunksOf(rows, byWindow ? (r) => Math.floor((r.dateTime - BASE_TIME) / WINDOW_MS) : (_r, i) => Math.floor(i / BATCH));
  let auctions: ReturnType<typeof graph.newInput<AuctionRow>> | null = null;
  let auctionChunks: D2Chunk<AuctionRow>[] = [];
  let outputRows = 0;
  switch (w) {
    case 'filter': {
      let n = 0, sa = 0, sc = 0;
      bids.pipe(
        filter((b: BidRow) => b.price > PRICE_CUTOFF && b.channel !== EXCLUDED_CHANNEL),
        map((b: BidRow) => ({ auction: b.auction, bidder: b.bidder, cents: b.price * 100, channel: b.channel })),
        output((m: Message<{ auction: number; bidder: number; cents: number; channel: string }>) => {
          if (m.type !== MessageType.DATA) return;
          for (const [r, mult] of m.data.collection.getInner()) { n += mult; sa += r.auction * mult; sc += r.cents * mult; outputRows++; }
        }),
      );
      result = () => [n, sa, sc];
      break;
    }
    case 'window': {
      // Key: window index × 100,000 + auction (d2ts keys must be primitives to group).
      let n = 0, sn = 0, sq = 0, sa = 0;
      bids.pipe(
        map((b: BidRow) => [Math.floor((b.dateTime - BASE_TIME) / WINDOW_MS) * 100_000 + b.auction, null] as [number, null]),
        count(),
        output((m: Message<[number, number]>) => {
          if (m.type !== MessageType.DATA) return;
          for (const [[key, c], mult] of m.data.collection.getInner()) { n += mult; sn += c * mult; sq += c * c * mult; sa += (key % 100_000) * mult; outputRows++; }
        }),
      );
      result = () => [n, sn, sq, sa];
      break;
    }
    case 'running': {
      // reduce is d2ts's cheapest keyed aggregate (groupBy wraps it and adds JSON keys). It recomputes a key's
      // aggregate from the key's whole multiset of values at every version in which the key changed.
      const finalRows = new Map<number, [number, number, number]>();
      bids.pipe(
        map((b: BidRow) => [b.auction, b.price] as [number, number]),
        reduce((values: [number, number][]) => {
          let c = 0, total = 0, top = -Infinity;
          for (const [p, mult] of values) { c += mult; total += p * mult; if (mult > 0 && p > top) top = p; }
          return [[[c, total, top] as [number, number, number], 1]];
        }),
        output((m: Message<[number, [number, number, number]]>) => {
          if (m.type !== MessageType.DATA) return;
          for (const [[key, agg], mult] of m.data.collection.getInner()) {
            outputRows++;
            // A version's output holds the new row (+1) and the retraction of the old one (-1), in either
            // order: the count only grows, so a retraction removes the kept row only if it is that row.
            if (mult > 0) finalRows.set(key, agg);
            else if (finalRows.get(key)?.[0] === agg[0]) finalRows.delete(key);
          }
        }),
      );
      result = () => {
        let n = 0, sn = 0, st = 0, sm = 0;
        for (const [c, t, m] of finalRows.values()) { n++; sn += c; st += t; sm += m; }
        return [n, sn, st, sm];
      };
      break;
    }
    case 'join': {
      const a = input.auctions!;
      const aRows = new Array<AuctionRow>(a.n);
      for (let i = 0; i < a.n; i++) aRows[i] = { id: a.id[i]!, seller: a.seller[i]!, category: a.category[i]!, dateTime: a.dateTime[i]! };
      // Auctions interleave with bids in event-time order: auction i goes with the bid chunk holding its time.
      auctionChunks = chunksOf(aRows, (r) => Math.floor((r.dateTime - BASE_TIME) / BATCH));
      auctions = graph.newInput<AuctionRow>();
      const keyedAuctions = auctions.pipe(map((x: AuctionRow) => [x.id, [x.seller, x.category]] as [number, [number, number]]));
      let n = 0, sp = 0, ss = 0, sc = 0;
      bids.pipe(
        map((b: BidRow) => [b.auction, b.price] as [number, number]),
        join(keyedAuctions, 'inner'),
        output((m: Message<[number, [number | null, [number, number] | null]]>) => {
          if (m.type !== MessageType.DATA) return;
          for (const [[, [price, auc]], mult] of m.data.collection.getInner()) { n += mult; sp += price! * mult; ss += auc![0] * mult; sc += auc![1] * mult; outputRows++; }
        }),
      );
      result = () => [n, sp, ss, sc];
      break;
    }
  }
  graph.finalize();
  return {
    notes,
    async run() {
      let ai = 0;
      for (const chunk of bidChunks) {
        if (auctions !== null) {
          while (ai < auctionChunks.length && auctionChunks[ai]!.version <= chunk.version) {
            auctions.sendData(chunk.version, new MultiSet(auctionChunks[ai]!.items));
            ai++;
          }
          auctions.sendFrontier(chunk.version);
        }
        bids.sendData(chunk.version, new MultiSet(chunk.items));
        bids.sendFrontier(chunk.version);
        graph.run();
      }
      const last = (bidChunks.at(-1)?.version ?? 0) + 1;
      if (auctions !== null) {
        for (; ai < auctionChunks.length; ai++) auctions.sendData(last - 1, new MultiSet(auctionChunks[ai]!.items));
        auctions.sendFrontier(last);
      }
      bids.sendFrontier(last);
      graph.run();
      notes['changelogRows'] = outputRows;
      return result();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// DuckDB
// ---------------------------------------------------------------------------------------------------------

async function prepareDuckDb(w: WorkloadName, input: Input, notes: Record<string, number>): Promise<Prepared> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const loadCpu = process.cpuUsage();
  const loadStart = performance.now();
  await connection.run('CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, dateTime BIGINT)');
  const b = input.bids;
  const appender = await connection.createAppender('bids');
  for (let i = 0; i < b.n; i++) {
    appender.appendBigInt(BigInt(b.auction[i]!));
    appender.appendBigInt(BigInt(b.bidder[i]!));
    appender.appendBigInt(BigInt(b.price[i]!));
    appender.appendVarchar(b.channel[i]!);
    appender.appendBigInt(BigInt(b.dateTime[i]!));
    appender.endRow();
  }
  appender.closeSync();
  if (input.auctions !== null) {
    const a = input.auctions;
    await connection.run('CREATE TABLE auctions (id BIGINT, seller BIGINT, category BIGINT, dateTime BIGINT)');
    const app = await connection.createAppender('auctions');
    for (let i = 0; i < a.n; i++) {
      app.appendBigInt(BigInt(a.id[i]!));
      app.appendBigInt(BigInt(a.seller[i]!));
      app.appendBigInt(BigInt(a.category[i]!));
      app.appendBigInt(BigInt(a.dateTime[i]!));
      app.endRow();
    }
    app.closeSync();
  }
  notes['loadWallMs'] = performance.now() - loadStart;
  const lc = process.cpuUsage(loadCpu);
  notes['loadCpuMs'] = (lc.user + lc.system) / 1000;
  return {
    notes,
    async run() {
      const reader = await connection.runAndReadAll(INFO[w].duckSql);
      return reader.getRows()[0]!.map((v) => Number(v ?? 0));
    },
    dispose() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Hand-written columnar loop: the floor
// ---------------------------------------------------------------------------------------------------------

/**
 * Does what the SQL asks in the most direct columnar way: 4096-row chunks of the typed arrays, output rows
 * written to fresh per-chunk output arrays (as a batch-at-a-time engine would hand them on), then consumed.
 * It knows nothing a general engine could not (no unique-key assumption in the join), but it keeps no
 * checkpointable state, no changelog kinds, no watermarks beyond "time only grows" for the window.
 */
function prepareLoop(w: WorkloadName, input: Input, notes: Record<string, number>): Prepared {
  const b = input.bids;
  return {
    notes,
    async run() {
      switch (w) {
        case 'filter': return loopFilter(b);
        case 'window': return loopWindow(b, notes);
        case 'running': return loopRunning(b, notes);
        case 'join': return loopJoin(b, input.auctions!);
      }
    },
  };
}

function loopFilter(b: Bids): number[] {
  let rows = 0, sa = 0, sc = 0;
  for (let s = 0; s < b.n; s += BATCH) {
    const e = Math.min(b.n, s + BATCH);
    const oa = new Float64Array(e - s), ob = new Float64Array(e - s), oc = new Float64Array(e - s), och = new Array<string>(e - s);
    let k = 0;
    for (let i = s; i < e; i++) {
      const p = b.price[i]!;
      if (p > PRICE_CUTOFF && b.channel[i] !== EXCLUDED_CHANNEL) {
        oa[k] = b.auction[i]!; ob[k] = b.bidder[i]!; oc[k] = p * 100; och[k] = b.channel[i]!; k++;
      }
    }
    for (let i = 0; i < k; i++) { sa += oa[i]!; sc += oc[i]!; }
    rows += k;
  }
  return [rows, sa, sc];
}

/** Counts per auction for the open window; a window is emitted when time passes its end (input is in order). */
function loopWindow(b: Bids, notes: Record<string, number>): number[] {
  let rows = 0, sn = 0, sq = 0, sa = 0;
  const counts = new Map<number, number>();
  let windowStart = -Infinity;
  const emit = (): void => {
    const n = counts.size;
    const ka = new Float64Array(n), ws = new Float64Array(n), kc = new Float64Array(n);
    let k = 0;
    for (const [auction, c] of counts) { ka[k] = auction; ws[k] = windowStart; kc[k] = c; k++; }
    for (let i = 0; i < n; i++) { sn += kc[i]!; sq += kc[i]! * kc[i]!; sa += ka[i]!; }
    rows += n;
    counts.clear();
  };
  for (let s = 0; s < b.n; s += BATCH) {
    const e = Math.min(b.n, s + BATCH);
    for (let i = s; i < e; i++) {
      const t = b.dateTime[i]!;
      const start = t - (t % WINDOW_MS);
      if (start !== windowStart) {
        if (counts.size > 0) emit();
        windowStart = start;
      }
      const a = b.auction[i]!;
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
  }
  if (counts.size > 0) emit();
  notes['changelogRows'] = rows;
  return [rows, sn, sq, sa];
}

/** Accumulators in typed arrays by slot; per chunk, each changed key emits -U old / +U new (or +I). */
function loopRunning(b: Bids, notes: Record<string, number>): number[] {
  const slotOf = new Map<number, number>();
  let cap = 1024;
  let n: Float64Array = new Float64Array(cap), total: Float64Array = new Float64Array(cap), top: Float64Array = new Float64Array(cap), keys: Float64Array = new Float64Array(cap);
  let prevN: Float64Array = new Float64Array(cap), prevT: Float64Array = new Float64Array(cap), prevM: Float64Array = new Float64Array(cap), touched: Int32Array = new Int32Array(cap);
  // The consumer's materialized result (as Floe's consumer keeps it).
  const finalSlot = new Map<number, number>();
  const fN: number[] = [], fT: number[] = [], fM: number[] = [];
  let changelog = 0;
  const changed = new Int32Array(BATCH);
  for (let s = 0, chunk = 1; s < b.n; s += BATCH, chunk++) {
    const e = Math.min(b.n, s + BATCH);
    let nc = 0;
    for (let i = s; i < e; i++) {
      const a = b.auction[i]!;
      let slot = slotOf.get(a);
      if (slot === undefined) {
        slot = slotOf.size;
        slotOf.set(a, slot);
        if (slot === cap) {
          cap *= 2;
          const g = (x: Float64Array): Float64Array => { const y = new Float64Array(cap); y.set(x); return y; };
          n = g(n); total = g(total); top = g(top); keys = g(keys); prevN = g(prevN); prevT = g(prevT); prevM = g(prevM);
          const t2 = new Int32Array(cap); t2.set(touched); touched = t2;
        }
        keys[slot] = a;
        top[slot] = -Infinity;
      }
      if (touched[slot] !== chunk) {
        touched[slot] = chunk;
        prevN[slot] = n[slot]!; prevT[slot] = total[slot]!; prevM[slot] = top[slot]!;
        changed[nc++] = slot;
      }
      const p = b.price[i]!;
      n[slot]!++;
      total[slot] += p;
      if (p > top[slot]!) top[slot] = p;
    }
    // Emit the chunk's changelog into output arrays, then the consumer applies it.
    const out = nc * 2;
    const ok = new Uint8Array(out), oa = new Float64Array(out), on = new Float64Array(out), ot = new Float64Array(out), om = new Float64Array(out);
    let r = 0;
    for (let c = 0; c < nc; c++) {
      const slot = changed[c]!;
      if (prevN[slot]! > 0) { ok[r] = 1; oa[r] = keys[slot]!; on[r] = prevN[slot]!; ot[r] = prevT[slot]!; om[r] = prevM[slot]!; r++; }
      ok[r] = prevN[slot]! > 0 ? 2 : 0; oa[r] = keys[slot]!; on[r] = n[slot]!; ot[r] = total[slot]!; om[r] = top[slot]!; r++;
    }
    changelog += r;
    for (let i = 0; i < r; i++) {
      if (ok[i] === 1) continue;
      let f = finalSlot.get(oa[i]!);
      if (f === undefined) { f = fN.length; finalSlot.set(oa[i]!, f); fN.push(0); fT.push(0); fM.push(0); }
      fN[f] = on[i]!; fT[f] = ot[i]!; fM[f] = om[i]!;
    }
  }
  notes['changelogRows'] = changelog;
  let rows = 0, sn = 0, st = 0, sm = 0;
  for (let f = 0; f < fN.length; f++) { rows++; sn += fN[f]!; st += fT[f]!; sm += fM[f]!; }
  return [rows, sn, st, sm];
}

/** A symmetric hash join: both sides kept by key (row indices), each arriving row probes the other side. */
function loopJoin(b: Bids, a: Auctions): number[] {
  const bidsByKey = new Map<number, number[]>();
  const auctionsByKey = new Map<number, number[]>();
  let rows = 0, sp = 0, ss = 0, sc = 0;
  let ai = 0;
  const outP: number[] = [], outS: number[] = [], outC: number[] = [];
  const flush = (): void => {
    const k = outP.length;
    const p = Float64Array.from(outP), s = Float64Array.from(outS), c = Float64Array.from(outC);
    for (let i = 0; i < k; i++) { sp += p[i]!; ss += s[i]!; sc += c[i]!; }
    rows += k;
    outP.length = 0; outS.length = 0; outC.length = 0;
  };
  const addAuction = (j: number): void => {
    const key = a.id[j]!;
    const list = auctionsByKey.get(key);
    if (list === undefined) auctionsByKey.set(key, [j]);
    else list.push(j);
    const matches = bidsByKey.get(key);
    if (matches !== undefined) for (const i of matches) { outP.push(b.price[i]!); outS.push(a.seller[j]!); outC.push(a.category[j]!); }
  };
  for (let s = 0; s < b.n; s += BATCH) {
    const e = Math.min(b.n, s + BATCH);
    // Auctions whose time falls before this chunk's end arrive first (the same interleaving d2ts gets).
    while (ai < a.n && a.dateTime[ai]! < BASE_TIME + e) addAuction(ai++);
    for (let i = s; i < e; i++) {
      const key = b.auction[i]!;
      const list = bidsByKey.get(key);
      if (list === undefined) bidsByKey.set(key, [i]);
      else list.push(i);
      const matches = auctionsByKey.get(key);
      if (matches !== undefined) for (const j of matches) { outP.push(b.price[i]!); outS.push(a.seller[j]!); outC.push(a.category[j]!); }
    }
    flush();
  }
  while (ai < a.n) addAuction(ai++);
  flush();
  return [rows, sp, ss, sc];
}

// ---------------------------------------------------------------------------------------------------------
// Child: one measured run
// ---------------------------------------------------------------------------------------------------------

interface RunResult {
  readonly workload: WorkloadName;
  readonly engine: EngineName;
  readonly records: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly recordsPerCpuSecond: number;
  readonly peakRssMb: number;
  /** RSS after the input was built, before the run (the input's share of peak RSS). */
  readonly inputRssMb: number;
  readonly checksum: number[];
  readonly notes: Record<string, number>;
}

function inputFor(w: WorkloadName, events: number, joinEvents: number): Input {
  const n = w === 'join' ? joinEvents : events;
  const bids = generateBids(n);
  return { bids, auctions: w === 'join' ? generateAuctions(n) : null };
}

function prefixOf(input: Input, n: number): Input {
  const b = input.bids;
  const bids: Bids = { n, auction: b.auction.subarray(0, n), bidder: b.bidder.subarray(0, n), price: b.price.subarray(0, n), channel: b.channel.slice(0, n), dateTime: b.dateTime.subarray(0, n) };
  return { bids, auctions: input.auctions === null ? null : generateAuctions(n) };
}

async function prepare(engine: EngineName, w: WorkloadName, input: Input): Promise<Prepared> {
  const notes: Record<string, number> = {};
  switch (engine) {
    case 'floe': return prepareFloe(w, input, notes);
    case 'd2ts': return prepareD2ts(w, input, notes);
    case 'duckdb': return prepareDuckDb(w, input, notes);
    case 'loop': return prepareLoop(w, input, notes);
  }
}

async function child(w: WorkloadName, engine: EngineName, events: number, joinEvents: number, warmup: boolean): Promise<RunResult> {
  const input = inputFor(w, events, joinEvents);
  // JIT warm-up on a 5% prefix (at most 100k events) for the JavaScript engines; DuckDB is native code.
  if (warmup && engine !== 'duckdb') {
    const warm = await prepare(engine, w, prefixOf(input, Math.min(100_000, Math.max(1, Math.floor(input.bids.n / 20)))));
    await warm.run();
    await warm.dispose?.();
  }
  const prepared = await prepare(engine, w, input);
  const inputRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const checksum = await prepared.run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  await prepared.dispose?.();
  const records = recordsOf(input);
  return {
    workload: w,
    engine,
    records,
    wallMs,
    cpuMs,
    recordsPerCpuSecond: records / (cpuMs / 1000),
    peakRssMb,
    inputRssMb: inputRss / 1e6,
    checksum,
    notes: prepared.notes,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Parent: run the matrix, check the results agree, print the table
// ---------------------------------------------------------------------------------------------------------

const RESULT_PREFIX = 'PEERS_RESULT ';
const DEFAULT_JOIN_EVENTS = 200_000;

interface Options {
  events: number;
  joinEvents: number;
  repeat: number;
  workloads: WorkloadName[];
  engines: EngineName[];
  warmup: boolean;
  json: string | null;
  child: string | null;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { events: 1_000_000, joinEvents: -1, repeat: 1, workloads: [...WORKLOADS], engines: [...ENGINES], warmup: true, json: null, child: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const positive = (v: string): number => {
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a} must be a positive integer, got '${v}'`);
      return n;
    };
    if (a === '--events') o.events = positive(value());
    else if (a === '--join-events') o.joinEvents = positive(value());
    else if (a === '--repeat') o.repeat = positive(value());
    else if (a === '--json') o.json = value();
    else if (a === '--no-warmup') o.warmup = false;
    else if (a === '--child') o.child = value();
    else if (a === '--workloads') o.workloads = pick(value(), WORKLOADS, a);
    else if (a === '--engines') o.engines = pick(value(), ENGINES, a);
    else throw new Error(`unknown argument '${a}' (see the header of bench/peers.bench.ts)`);
  }
  // d2ts's join (and Floe's) cost grows faster than linearly with the bids kept per hot key: 200k by default.
  if (o.joinEvents < 0) o.joinEvents = Math.min(o.events, DEFAULT_JOIN_EVENTS);
  return o;
}

function pick<T extends string>(text: string, all: readonly T[], flag: string): T[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!all.includes(n as T)) throw new Error(`${flag}: unknown '${n}', expected some of ${all.join(',')}`);
  return names as T[];
}

function runChild(w: WorkloadName, e: EngineName, o: Options): RunResult {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', `${w}:${e}`, '--events', String(o.events), '--join-events', String(o.joinEvents)];
  if (!o.warmup) args.push('--no-warmup');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (r.status !== 0 || line === undefined) throw new Error(`${w} on ${e} failed (exit ${r.status}, signal ${r.signal}):\n${r.stdout}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mrps = (x: number): string => (x / 1e6).toFixed(x >= 1e7 ? 1 : x >= 1e6 ? 2 : 3);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(a / b >= 10 ? 1 : 2)}×`);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.child !== null) {
    const [w, e] = o.child.split(':') as [WorkloadName, EngineName];
    const result = await child(w, e, o.events, o.joinEvents, o.warmup);
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
    return;
  }
  const started = new Date().toISOString();
  console.log(`peers: ${o.events.toLocaleString('en-US')} bids (join: ${o.joinEvents.toLocaleString('en-US')} bids + ${NUM_AUCTIONS.toLocaleString('en-US')} auctions), repeat ${o.repeat}, warm-up ${o.warmup ? 'on' : 'off'}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const runs: RunResult[] = [];
  let mismatch = false;
  for (const w of o.workloads) {
    for (let rep = 0; rep < o.repeat; rep++) {
      for (const e of o.engines) {
        const r = runChild(w, e, o);
        runs.push(r);
        const extra = Object.entries(r.notes).map(([k, v]) => `${k}=${Math.round(v)}`).join(' ');
        console.log(`  ${w.padEnd(8)} ${e.padEnd(7)} #${rep + 1}  ${mrps(r.recordsPerCpuSecond).padStart(7)} M rec/CPU-s  wall ${r.wallMs.toFixed(0).padStart(6)} ms  cpu ${r.cpuMs.toFixed(0).padStart(6)} ms  peak RSS ${r.peakRssMb.toFixed(0)} MB (input ${r.inputRssMb.toFixed(0)} MB)  ${extra}  load ${loadavg()[0]!.toFixed(2)}`);
      }
    }
    // Every engine must compute the same final result.
    const mine = runs.filter((r) => r.workload === w);
    const reference = mine[0]!;
    for (const r of mine) {
      if (JSON.stringify(r.checksum) !== JSON.stringify(reference.checksum)) {
        mismatch = true;
        console.error(`RESULT MISMATCH in ${w}: ${r.engine} gives ${JSON.stringify(r.checksum)}, ${reference.engine} gives ${JSON.stringify(reference.checksum)} (${INFO[w].checksum.join(', ')})`);
      }
    }
    if (!mismatch) console.log(`  ${w}: all engines agree on ${INFO[w].checksum.map((c, i) => `${c} = ${reference.checksum[i]}`).join(', ')}`);
  }

  // The table: median M records per CPU-second (range over repeats), and Floe's ratios.
  const stat = (w: WorkloadName, e: EngineName): { med: number; min: number; max: number; runs: RunResult[] } | undefined => {
    const rs = runs.filter((r) => r.workload === w && r.engine === e);
    if (rs.length === 0) return undefined;
    const xs = rs.map((r) => r.recordsPerCpuSecond);
    return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: rs };
  };
  const cell = (s: ReturnType<typeof stat>): string => (s === undefined ? '–' : o.repeat > 1 ? `${mrps(s.med)} (${mrps(s.min)}–${mrps(s.max)})` : mrps(s.med));
  const lines: string[] = [];
  lines.push(`| workload | records | ${o.engines.join(' | ')} | Floe/d2ts | Floe/loop | Floe/DuckDB |`);
  lines.push(`|---|---|${o.engines.map(() => '---').join('|')}|---|---|---|`);
  for (const w of o.workloads) {
    const s = Object.fromEntries(o.engines.map((e) => [e, stat(w, e)])) as Partial<Record<EngineName, ReturnType<typeof stat>>>;
    const records = runs.find((r) => r.workload === w)!.records;
    lines.push(`| ${w}: ${INFO[w].title} | ${records.toLocaleString('en-US')} | ${o.engines.map((e) => cell(s[e])).join(' | ')} | ${ratio(s.floe?.med, s.d2ts?.med)} | ${ratio(s.floe?.med, s.loop?.med)} | ${ratio(s.floe?.med, s.duckdb?.med)} |`);
  }
  console.log('\nM records per CPU-second (median' + (o.repeat > 1 ? ', range over repeats' : '') + '); ratios of medians\n');
  console.log(lines.join('\n'));
  const detail: string[] = ['| workload | engine | wall ms | CPU ms | cores | peak RSS MB (input) | notes |', '|---|---|---|---|---|---|---|'];
  for (const w of o.workloads) {
    for (const e of o.engines) {
      const s = stat(w, e);
      if (s === undefined) continue;
      const r = s.runs.slice().sort((a, b) => a.recordsPerCpuSecond - b.recordsPerCpuSecond)[s.runs.length >> 1]!;
      const notes = Object.entries(r.notes).map(([k, v]) => `${k} ${Math.round(v).toLocaleString('en-US')}`).join(', ');
      detail.push(`| ${w} | ${e} | ${r.wallMs.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${(r.cpuMs / r.wallMs).toFixed(2)} | ${r.peakRssMb.toFixed(0)} (${r.inputRssMb.toFixed(0)}) | ${notes} |`);
    }
  }
  console.log('\nMedian run per cell\n');
  console.log(detail.join('\n'));
  console.log(`\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (o.json !== null) {
    writeFileSync(o.json, JSON.stringify({ started, options: o, machine: { cpus: cpus().length, model: cpus()[0]?.model, totalMemGiB: totalmem() / 2 ** 30, node: process.version }, runs }, null, 2));
    console.log(`wrote ${o.json}`);
  }
  if (mismatch) {
    console.error('FAILED: the engines disagree on at least one result (see above)');
    process.exitCode = 1;
  }
}

await main();
