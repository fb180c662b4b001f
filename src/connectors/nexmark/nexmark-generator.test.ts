import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, type RecordBatch, type RowType } from '../../types/index.js';
import type { ConnectorContext } from '../connector.js';
import { NexmarkGenerator, type NexmarkGeneratorConfig } from './nexmark-generator.js';
import { nexmarkSource, planNexmarkSplits, NexmarkSplitReader } from './nexmark-source.js';
import { absReversedInt } from './nexmark-strings.js';

const BASE = Date.UTC(2026, 0, 1);

const config = (over: Partial<NexmarkGeneratorConfig> = {}): NexmarkGeneratorConfig => ({
  firstEventRate: 1000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonSize: 200,
  avgAuctionSize: 500,
  avgBidSize: 100,
  hotAuctionRatio: 2,
  hotBiddersRatio: 4,
  hotSellersRatio: 4,
  baseTime: BASE,
  seed: 0,
  doubleBidderOffset: true,
  ...over,
});

/** The p=1 generator over `n` events. */
function single(n: number, over: Partial<NexmarkGeneratorConfig> = {}): NexmarkGenerator {
  const c = config(over);
  return new NexmarkGenerator(c, { firstEventId: 2, firstEventNumber: 1, stride: 1, count: n, interEventDelayUs: 1e6 / c.firstEventRate });
}

interface Ev {
  type: number;
  row: unknown[];
}

function events(gen: NexmarkGenerator, batch = 97): Ev[] {
  const out: Ev[] = [];
  while (gen.hasNext()) {
    const b = gen.nextBatch(batch);
    for (let i = 0; i < b.numRows; i++) {
      const type = (b.columns[0]!.data as Int32Array)[i]!;
      out.push({ type, row: b.columns[1 + type]!.data[i] as unknown[] });
      for (let c = 1; c <= 3; c++) if (c !== 1 + type) assert.equal(b.columns[c]!.data[i], null);
    }
  }
  return out;
}

const NEXMARK_TYPE: RowType = {
  fields: [
    { name: 'event_type', type: Types.int() },
    { name: 'person', type: Types.row(['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'].map((n) => ({ name: n, type: Types.string() }))) },
    { name: 'auction', type: Types.row(Array.from({ length: 10 }, (_, i) => ({ name: `a${i}`, type: Types.string() }))) },
    { name: 'bid', type: Types.row(Array.from({ length: 7 }, (_, i) => ({ name: `b${i}`, type: Types.string() }))) },
  ],
};

const ctxOf = (options: Record<string, string>): ConnectorContext => ({
  tableName: 'datagen',
  options: { connector: 'nexmark', ...options },
  physicalType: NEXMARK_TYPE,
  config: () => undefined,
});

test('event types follow eventId mod 50: exactly 1 person, 3 auctions, 46 bids per 50 ids', () => {
  const evs = events(single(5000));
  assert.equal(evs.length, 5000);
  evs.forEach((e, k) => {
    const r = (2 + k) % 50;
    assert.equal(e.type, r === 0 ? 0 : r <= 3 ? 1 : 2, `event ${k}`);
  });
  // Event ids 2..5001: full windows [50m, 50m+50) for m = 1..99 hold exactly 1/3/46.
  for (let m = 1; m < 100; m++) {
    const w = evs.slice(50 * m - 2, 50 * m + 48);
    assert.deepEqual([0, 1, 2].map((t) => w.filter((e) => e.type === t).length), [1, 3, 46]);
  }
});

test('person and auction ids are consecutive from 1000; bids reference existing-ish ids', () => {
  const evs = events(single(20000));
  const persons = evs.filter((e) => e.type === 0).map((e) => e.row[0] as number);
  const auctions = evs.filter((e) => e.type === 1).map((e) => e.row[0] as number);
  persons.forEach((id, i) => assert.equal(id, persons[0]! + i));
  auctions.forEach((id, i) => assert.equal(id, auctions[0]! + i));
  assert.ok(persons[0]! >= 1000 && auctions[0]! >= 1000);
  const maxAuction = Math.max(...auctions);
  for (const e of evs.filter((x) => x.type === 2)) {
    const a = e.row[0] as number;
    assert.ok(a >= 1000 && a <= maxAuction + 10, `auction ${a}`);
  }
});

test('timestamps follow first-event.rate: event number k+1 at base + ⌊(k+1)·10^6/rate µs⌋', () => {
  const evs = events(single(3000, { firstEventRate: 1000 }));
  const tsIndex = [6, 5, 5];
  evs.forEach((e, k) => assert.equal(e.row[tsIndex[e.type]!], BASE + (k + 1)));
  const fast = events(single(1000, { firstEventRate: 10_000_000 }));
  fast.forEach((e, k) => assert.equal(e.row[tsIndex[e.type]!], BASE + Math.floor(Math.floor((k + 1) * 0.1) / 1000)));
});

test('field distributions and shapes', () => {
  const evs = events(single(50_000));
  const persons = evs.filter((e) => e.type === 0).map((e) => e.row);
  const auctions = evs.filter((e) => e.type === 1).map((e) => e.row);
  const bids = evs.filter((e) => e.type === 2).map((e) => e.row);
  for (const p of persons) {
    assert.match(p[1] as string, /^(Peter|Paul|Luke|John|Saul|Vicky|Kate|Julie|Sarah|Deiter|Walter) (Shultz|Abrams|Spencer|White|Bartels|Walton|Smith|Jones|Noris)$/);
    // Each random part is trimmed, so no space touches '@' or the ends.
    assert.match(p[2] as string, /^([a-z]([a-z ]*[a-z])?)?@([a-z]([a-z ]*[a-z])?)?\.com$/);
    assert.match(p[3] as string, /^\d{4} \d{4} \d{4} \d{4}$/);
    assert.ok(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'].includes(p[5] as string));
  }
  for (const a of auctions) {
    const [, itemName, , initialBid, reserve, ts, expires, seller, category] = a as [number, string, string, number, number, number, number, number, number];
    assert.ok(itemName.length >= 1 && itemName.length <= 19 && itemName === itemName.trim());
    assert.ok(initialBid >= 100 && initialBid <= 1e8 && Number.isInteger(initialBid));
    assert.ok(reserve > initialBid);
    assert.ok(expires > ts);
    assert.ok(category >= 10 && category <= 14);
    assert.ok(seller >= 1000);
  }
  const url = /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1(&channel_id=-?\d+)?$/;
  let hotChannels = 0;
  const bands = [0, 0, 0];
  for (const b of bids) {
    assert.match(b[4] as string, url);
    if (['Google', 'Facebook', 'Baidu', 'Apple'].includes(b[3] as string)) {
      hotChannels++;
      assert.ok(!(b[4] as string).includes('channel_id'));
    } else {
      assert.match(b[3] as string, /^channel-\d{1,4}$/);
    }
    const price = b[2] as number;
    bands[price < 1e4 ? 0 : price < 1e6 ? 1 : 2]!++;
  }
  const near = (x: number, target: number, tol: number, what: string): void => assert.ok(Math.abs(x - target) <= tol, `${what}: ${x} not within ${tol} of ${target}`);
  near(hotChannels / bids.length, 0.5, 0.02, 'hot channel share');
  for (const n of bands) near(n / bids.length, 1 / 3, 0.02, 'price band share');
  near(persons.filter((p) => ['OR', 'ID', 'CA'].includes(p[5] as string)).length / persons.length, 0.5, 0.05, 'OR/ID/CA share');
  near(auctions.filter((a) => a[8] === 10).length / auctions.length, 0.2, 0.03, 'category 10 share');
});

test('hot ratios: ~1/2 of bids hit the hot auction, ~3/4 come from the hot bidder, ~3/4 of auctions have the hot seller', () => {
  const gen = single(100_000);
  const evs = events(gen);
  let hotAuction = 0;
  let hotBidder = 0;
  let nBids = 0;
  let hotSeller = 0;
  let nAuctions = 0;
  evs.forEach((e, k) => {
    const id = 2 + k;
    if (e.type === 2) {
      nBids++;
      if (e.row[0] === Math.floor(gen.lastBase0AuctionId(id) / 100) * 100 + 1000) hotAuction++;
      if (e.row[1] === Math.floor(gen.lastBase0PersonId(id) / 100) * 100 + 1 + 2000) hotBidder++;
    } else if (e.type === 1) {
      nAuctions++;
      if (e.row[7] === Math.floor(gen.lastBase0PersonId(id) / 100) * 100 + 1000) hotSeller++;
    }
  });
  // A random pick can coincide with the hot id, so shares are slightly above the nominal ratio.
  assert.ok(Math.abs(hotAuction / nBids - 0.5) < 0.03, `hot auctions ${hotAuction / nBids}`);
  assert.ok(Math.abs(hotBidder / nBids - 0.75) < 0.03, `hot bidders ${hotBidder / nBids}`);
  assert.ok(Math.abs(hotSeller / nAuctions - 0.75) < 0.03, `hot sellers ${hotSeller / nAuctions}`);
});

test('bidder ids carry the Flink port double +1000 by default; bid.flink-bidder-offset=false uses one', () => {
  const flink = events(single(5000));
  const beam = events(single(5000, { doubleBidderOffset: false }));
  let n = 0;
  flink.forEach((e, i) => {
    if (e.type !== 2) return;
    n++;
    assert.equal((e.row[1] as number) - (beam[i]!.row[1] as number), 1000);
    assert.ok((beam[i]!.row[1] as number) >= 1000);
    assert.deepEqual([...e.row.slice(0, 1), ...e.row.slice(2)], [...beam[i]!.row.slice(0, 1), ...beam[i]!.row.slice(2)]);
  });
  assert.ok(n > 4000);
});

test('extra padding makes record sizes average near *.avg-size', () => {
  const evs = events(single(100_000));
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const personSize = avg(evs.filter((e) => e.type === 0).map((e) => 8 + [1, 2, 3, 4, 5, 7].reduce((s, i) => s + (e.row[i] as string).length, 0)));
  const auctionSize = avg(evs.filter((e) => e.type === 1).map((e) => 8 + (e.row[1] as string).length + (e.row[2] as string).length + 40 + (e.row[9] as string).length));
  const bidSize = avg(evs.filter((e) => e.type === 2).map((e) => 32 + (e.row[6] as string).length));
  assert.ok(Math.abs(personSize - 200) < 3, `person ${personSize}`);
  assert.ok(Math.abs(auctionSize - 500) < 5, `auction ${auctionSize}`);
  assert.ok(Math.abs(bidSize - 100) < 1, `bid ${bidSize}`);
  const small = events(single(2000, { avgBidSize: 20 }));
  assert.ok(small.filter((e) => e.type === 2).every((e) => e.row[6] === ''), 'extra is empty when the fixed part exceeds the average');
});

test('same seed gives the same events across runs and batch sizes; another seed differs', () => {
  const a = events(single(3000), 4096);
  const b = events(single(3000), 7);
  assert.deepEqual(a, b);
  const c = events(single(3000, { seed: 42 }));
  assert.notDeepEqual(a, c);
  assert.deepEqual(a.map((e) => e.type), c.map((e) => e.type));
});

function splitEvents(options: Record<string, string>, p: number): Ev[][] {
  const ctx = ctxOf(options);
  const splits = nexmarkSource.createSplits(ctx, p) as readonly Parameters<typeof nexmarkSource.createReader>[1][];
  assert.equal(splits.length, p);
  return splits.map((s) => {
    const reader = nexmarkSource.createReader(ctx, s) as NexmarkSplitReader;
    return events(reader.generator, 256);
  });
}

const canon = (evs: Ev[]): string[] => evs.map((e) => JSON.stringify(e)).sort();

test('interleaved splits: the union over p = 2 and p = 3 equals the p = 1 stream, each split in time order', () => {
  const options = { 'events.num': '10001', 'first-event.rate': '50000' };
  const one = splitEvents(options, 1)[0]!;
  assert.equal(one.length, 10001);
  for (const p of [2, 3, 4]) {
    const parts = splitEvents(options, p);
    assert.deepEqual(canon(parts.flat()), canon(one), `p=${p}`);
    for (const part of parts) {
      const ts = part.map((e) => e.row[e.type === 0 ? 6 : 5] as number);
      ts.forEach((t, i) => i === 0 || assert.ok(t >= ts[i - 1]!));
    }
  }
});

test("ranges splits follow Flink's maxEvents/firstEventId rule and timeline", () => {
  const cfg = config({ firstEventRate: 1000 });
  const plans = planNexmarkSplits({ numEvents: 100, stopAt: -1, splitMode: 'ranges', config: cfg }, 3);
  assert.deepEqual(plans.map((p) => [p.firstEventId, p.count, p.stride]), [[2, 33, 1], [35, 33, 1], [68, 34, 1]]);
  assert.ok(plans.every((p) => p.interEventDelayUs === 3000));
  // Same ids → same random fields as the interleaved/p=1 stream, only times differ.
  const ctx = ctxOf({ 'events.num': '100', 'first-event.rate': '1000', 'split.mode': 'ranges' });
  const parts = splitEvents({ 'events.num': '100', 'first-event.rate': '1000', 'split.mode': 'ranges' }, 3);
  assert.equal(ctx.options['split.mode'], 'ranges');
  const one = splitEvents({ 'events.num': '100', 'first-event.rate': '1000' }, 1)[0]!;
  const dropTimes = (e: Ev): string => JSON.stringify([e.type, e.row.filter((_, i) => !(e.type === 1 ? [5, 6] : e.type === 0 ? [6] : [5]).includes(i))]);
  assert.deepEqual(parts.flat().map(dropTimes), one.map(dropTimes));
  assert.equal(parts[1]![0]!.row[parts[1]![0]!.type === 0 ? 6 : 5], BASE + 3);
  // Unbounded ranges: Flink's Long.MAX_VALUE / (50 · 500) events, split evenly.
  const unbounded = planNexmarkSplits({ numEvents: 0, stopAt: -1, splitMode: 'ranges', config: cfg }, 2);
  assert.deepEqual(unbounded.map((p) => p.count), [-1, -1]);
  assert.equal(unbounded[1]!.firstEventId, 2 + Math.floor(Number(9223372036854775807n / 25000n) / 2));
});

test('events.num = 0 is unbounded; stop-at bounds it; keep-alive idles instead of ending', async () => {
  assert.equal(nexmarkSource.isBounded(ctxOf({})), false);
  assert.equal(nexmarkSource.isBounded(ctxOf({ 'events.num': '10' })), true);
  assert.equal(nexmarkSource.isBounded(ctxOf({ 'events.num': '10', 'keep-alive': 'true' })), false);
  const ctx = ctxOf({ 'stop-at': '25', 'keep-alive': 'true' });
  const [split] = nexmarkSource.createSplits(ctx, 1) as readonly Parameters<typeof nexmarkSource.createReader>[1][];
  const reader = nexmarkSource.createReader(ctx, split!) as NexmarkSplitReader;
  const first = (await reader.next(100)) as RecordBatch;
  assert.equal(first.numRows, 25);
  const idle = (await reader.next(100)) as RecordBatch;
  assert.equal(idle.numRows, 0);
  const ended = nexmarkSource.createReader(ctxOf({ 'events.num': '3' }), (nexmarkSource.createSplits(ctxOf({ 'events.num': '3' }), 1) as never[])[0]!) as NexmarkSplitReader;
  assert.equal(((await ended.next(10)) as RecordBatch).numRows, 3);
  assert.equal(await ended.next(10), null);
});

test('max-emit-speed = false paces events by the wall clock', async () => {
  const ctx = ctxOf({ 'max-emit-speed': 'false', 'first-event.rate': '1000', 'events.num': '100000' });
  const reader = nexmarkSource.createReader(ctx, (nexmarkSource.createSplits(ctx, 1) as never[])[0]!) as NexmarkSplitReader;
  const b = (await reader.next(4096)) as RecordBatch;
  // At 1000 events/s only the events due in the first few milliseconds are emitted, never the full batch.
  assert.ok(b.numRows < 4096, `emitted ${b.numRows}`);
});

test('base-time: fixed default, explicit value, and a clear error for a bad value', () => {
  const ts = (options: Record<string, string>): number => {
    const ctx = ctxOf({ 'events.num': '1', ...options });
    const reader = nexmarkSource.createReader(ctx, (nexmarkSource.createSplits(ctx, 1) as never[])[0]!) as NexmarkSplitReader;
    const b = reader.generator.nextBatch(1);
    const row = b.columns[1 + (b.columns[0]!.data as Int32Array)[0]!]!.data[0] as unknown[];
    return row[5] as number;
  };
  assert.equal(ts({}), BASE + 0);
  assert.equal(ts({ 'base-time': '2020-02-03 04:05:06' }), Date.UTC(2020, 1, 3, 4, 5, 6));
  assert.throws(() => ts({ 'base-time': 'yesterday' }), /option 'base-time'/);
});

test('the table must have the datagen shape', () => {
  assert.throws(
    () => nexmarkSource.createSplits({ ...ctxOf({}), physicalType: { fields: [{ name: 'x', type: Types.int() }] } }, 1),
    (e: Error & { code?: string }) => e.code === 'PLAN.CONNECTOR_SCHEMA' && /nexmark connector produces/.test(e.message),
  );
});

test("channel_id is Java's Math.abs(Integer.reverse(n))", () => {
  assert.equal(absReversedInt(0), 0);
  assert.equal(absReversedInt(1), -2147483648);
  assert.equal(absReversedInt(2), 1073741824);
  assert.equal(absReversedInt(3), 1073741824); // reverse(3) = 0xC0000000 = −1073741824
});
