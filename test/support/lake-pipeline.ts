/**
 * The streaming lakehouse pipeline of issue 7's "Done when", shared by the in-process end-to-end test
 * (test/paimon-streaming-pipeline.test.ts) and the crash test (test/recovery/lake-fault-injection.test.ts):
 *
 * - job `lake-write`: Nexmark auctions and the per-auction maximum bid (an updating GROUP BY) are written
 *   by ONE INSERT (a UNION ALL, so each bucket has one writer) into a Paimon primary-key table with the
 *   `partial-update` merge engine: an auction's row gets its auction columns from one branch and its bid
 *   columns from the other, so the table holds the join of auctions and their best bids;
 * - job `lake-read`: a streaming read of that table (the full snapshot, then each new snapshot's
 *   changelog) aggregated by category into a filesystem sink in `debezium-json` (exactly-once);
 * - job `lake-end`: after `lake-write` finished, a sentinel row (id -1, category -1) that tells whoever
 *   watches the sink that `lake-read` has processed every earlier snapshot once its row shows up (the
 *   streaming read is at parallelism 1, so snapshots are processed in order).
 *
 * The oracle (`lakeOracle`) is the batch query over the same generated events, run by DuckDB: the same
 * aggregation over the FULL OUTER JOIN of auctions with the per-auction bid aggregate. Floe only lists
 * the generated auctions and bids (plain batch scans) for it. (Floe's own batch mode cannot run that query
 * yet: its GroupAggregate after an outer join is planned insert-only although the join retracts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Session } from '../../src/api/index.js';
import { nexmarkVars } from '../../src/cli/bench-nexmark.js';
import { nexmarkDir } from '../../src/common/index.js';

export const SENTINEL_CATEGORY = -1;

export interface LakePipeline {
  /** Nexmark source DDL (default catalog), the Paimon catalog and table, the sink table. */
  readonly ddl: string;
  readonly read: string;
  readonly write: string;
  readonly end: string;
  readonly vars: Record<string, string>;
}

/** The pipeline's statements; `tps` paces the Nexmark generator (events per second). */
export function lakePipeline(warehouse: string, outDir: string, events: number, tps: number): LakePipeline {
  const dir = nexmarkDir();
  const read = (p: string): string => readFileSync(join(dir, p), 'utf8');
  const ddl = `${read('ddl/ddl_gen.sql')};
${read('ddl/ddl_views.sql')};
CREATE CATALOG IF NOT EXISTS lake WITH ('type' = 'paimon', 'warehouse' = '${warehouse}');
CREATE DATABASE IF NOT EXISTS lake.nx;
CREATE TABLE IF NOT EXISTS lake.nx.auction_bids (
  id BIGINT, category BIGINT, seller BIGINT, initial_bid BIGINT, max_price BIGINT, bids BIGINT,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('bucket' = '4', 'merge-engine' = 'partial-update');
CREATE TABLE summary (category BIGINT, auctions BIGINT, with_bids BIGINT, sum_max BIGINT, top BIGINT, bids BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${outDir}/data', 'format' = 'debezium-json')`;
  return {
    ddl,
    read: `SET 'pipeline.name' = 'lake-read';
SET 'parallelism.default' = '1';
INSERT INTO summary
SELECT category, COUNT(*), COUNT(max_price), SUM(max_price), MAX(max_price), SUM(bids)
FROM lake.nx.auction_bids /*+ OPTIONS('continuous.discovery-interval' = '20 ms', 'consumer-id' = 'pipeline') */
GROUP BY category`,
    write: `SET 'pipeline.name' = 'lake-write';
SET 'parallelism.default' = '2';
INSERT INTO lake.nx.auction_bids
SELECT id, category, seller, initialBid, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM auction
UNION ALL
SELECT auction, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), MAX(price), COUNT(*) FROM bid GROUP BY auction`,
    end: `SET 'pipeline.name' = 'lake-end';
SET 'parallelism.default' = '1';
INSERT INTO lake.nx.auction_bids (id, category) VALUES (CAST(${SENTINEL_CATEGORY} AS BIGINT), CAST(${SENTINEL_CATEGORY} AS BIGINT))`,
    vars: { ...nexmarkVars(events, dir), TPS: String(tps) },
  };
}

/** The batch query over the same events whose result the pipeline's sink must hold in the end (DuckDB SQL). */
export const ORACLE_SQL = `SELECT a.category AS category, COUNT(*) AS auctions, COUNT(b.max_price) AS with_bids, SUM(b.max_price) AS sum_max, MAX(b.max_price) AS top, SUM(b.bids) AS bids
FROM auction AS a
FULL OUTER JOIN (SELECT auction, MAX(price) AS max_price, COUNT(*) AS bids FROM bid GROUP BY auction) AS b ON a.id = b.auction
GROUP BY a.category`;

/** Runs `ORACLE_SQL` in DuckDB over the events of `p` (listed by a Floe batch scan); canonical rows. */
export async function lakeOracle(p: LakePipeline): Promise<string[]> {
  const floe = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
  for (const st of floe.parse(p.ddl, p.vars)) await floe.execute(st);
  const auctions = await floe.query<{ id: number; category: number }>('SELECT id, category FROM auction');
  const bids = await floe.query<{ auction: number; price: number }>('SELECT auction, price FROM bid');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    await duck.run('CREATE TABLE auction (id BIGINT, category BIGINT); CREATE TABLE bid (auction BIGINT, price BIGINT)');
    const load = async (table: string, rows: readonly (readonly number[])[]): Promise<void> => {
      for (let i = 0; i < rows.length; i += 2000) {
        await duck.run(`INSERT INTO ${table} VALUES ${rows.slice(i, i + 2000).map((r) => `(${r.join(', ')})`).join(', ')}`);
      }
    };
    await load('auction', auctions.map((r) => [r.id, r.category]));
    await load('bid', bids.map((r) => [r.auction, r.price]));
    const rows = (await duck.runAndReadAll(ORACLE_SQL)).getRowObjectsJS();
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return canonicalRows(rows.map((r) => ({ category: num(r['category']), auctions: num(r['auctions']), with_bids: num(r['with_bids']), sum_max: num(r['sum_max']), top: num(r['top']), bids: num(r['bids']) })));
  } finally {
    duck.closeSync();
  }
}

/** Rows as the sink's `debezium-json` lines carry them (column order of `summary`), sentinel excluded. */
export function canonicalRows(rows: readonly Record<string, unknown>[]): string[] {
  return rows
    .filter((r) => r['category'] !== SENTINEL_CATEGORY)
    .map((r) => JSON.stringify({ category: r['category'], auctions: r['auctions'], with_bids: r['with_bids'], sum_max: r['sum_max'], top: r['top'], bids: r['bids'] }))
    .sort();
}

/** Whether the committed sink rows (JSON strings from `committedRows`) include the sentinel's group. */
export function sawSentinel(committed: readonly string[]): boolean {
  return committed.some((r) => (JSON.parse(r) as { category: unknown }).category === SENTINEL_CATEGORY);
}
