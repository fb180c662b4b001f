/**
 * Micro-benchmark of the Nexmark generator alone (no engine): events/s on one core for the default
 * 1/3/46 mix, 4096-event batches. Run: `node --import tsx bench/nexmark-generator.bench.ts [events]`.
 */
import { NexmarkGenerator, type NexmarkGeneratorConfig } from '../src/connectors/nexmark/nexmark-generator.js';

const events = Number(process.argv[2] ?? 20_000_000);
const config: NexmarkGeneratorConfig = {
  firstEventRate: 10_000_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonSize: 200,
  avgAuctionSize: 500,
  avgBidSize: 100,
  hotAuctionRatio: 2,
  hotBiddersRatio: 4,
  hotSellersRatio: 4,
  baseTime: Date.UTC(2026, 0, 1),
  seed: 0,
  doubleBidderOffset: true,
};

function run(n: number): { seconds: number; rows: number } {
  const gen = new NexmarkGenerator(config, { firstEventId: 2, firstEventNumber: 1, stride: 1, count: n, interEventDelayUs: 1e6 / config.firstEventRate });
  const start = process.hrtime.bigint();
  let rows = 0;
  while (gen.hasNext()) rows += gen.nextBatch(4096).numRows;
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, rows };
}

run(Math.min(events, 2_000_000)); // warm-up: JIT and the shared string tables
const { seconds, rows } = run(events);
console.log(`nexmark generator: ${rows} events in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString('en-US')} events/s (1 core, batch 4096)`);
