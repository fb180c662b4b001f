/**
 * The Nexmark event generator, following the Flink port's rules (see ../shared/nexmark/README.md,
 * "The generator"): event ids and types, timestamps from the event-time rate, lastPerson/lastAuction,
 * hot sellers/bidders/auctions, the field distributions and their draw order, and `extra` padding.
 *
 * Differences from the Flink port, on purpose:
 * - Draws come from a PRNG reseeded per event id (Beam style, `EventRandom`), so the same configuration gives
 *   the same events in every run and on every split.
 * - Channel URL tables and the `extra` source text are derived from the seed rather than unseeded randomness.
 * - The split plan decides which event numbers a split produces (`NexmarkSplitPlan`); see nexmark-source.ts.
 *
 * Output: batches of the `datagen` table's physical row `event_type INT, person ROW<8>, auction ROW<10>,
 * bid ROW<7>` (ROW values are JS arrays; only the one matching `event_type` is non-null). Generation writes
 * straight into the batch's columns; bids (92% of events) build no strings (channel/URL come from tables,
 * `extra` is a substring of a shared text).
 */
import type { RecordBatch } from '../../types/index.js';
import { EventRandom } from './event-random.js';
import {
  EXTRA_SOURCE_LENGTH,
  FIRST_NAMES,
  HOT_CHANNELS,
  LAST_NAMES,
  PAD4,
  US_CITIES,
  US_STATES,
  CHANNELS_NUMBER,
  channelTables,
  extraSourceText,
  randomEmail,
  randomString,
  type ChannelTables,
} from './nexmark-strings.js';

/** Ids start here so that queries find matches even on small data (Flink/Beam constants). */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const HOT_SELLER_RATIO = 100;
const PERSON_ID_LEAD = 10;
const SIX_LN10 = 6 * Math.LN10;
const AUCTION_ID_LEAD = 10;
/** Fixed in the Flink port (`NexmarkConfiguration`). */
export const NUM_ACTIVE_PEOPLE = 1000;
export const NUM_IN_FLIGHT_AUCTIONS = 100;

export const EVENT_PERSON = 0;
export const EVENT_AUCTION = 1;
export const EVENT_BID = 2;

export interface NexmarkGeneratorConfig {
  /** Events per second of event time over all generators (`first-event.rate`). */
  readonly firstEventRate: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  /** Target average sizes in bytes (`*.avg-size`), reached by padding `extra`. */
  readonly avgPersonSize: number;
  readonly avgAuctionSize: number;
  readonly avgBidSize: number;
  readonly hotAuctionRatio: number;
  readonly hotBiddersRatio: number;
  readonly hotSellersRatio: number;
  /** Event time of event number 0 (epoch ms). */
  readonly baseTime: number;
  readonly seed: number;
  /** Add FIRST_PERSON_ID to bidder ids twice, as the Flink port does (Beam adds it once). */
  readonly doubleBidderOffset: boolean;
}

/**
 * Which events one split produces: its k-th event (k = 0, 1, …) has
 * `eventId = firstEventId + k·stride` and `eventNumber = firstEventNumber + k·stride`, and event time
 * `baseTime + ⌊⌊eventNumber · interEventDelayUs⌋ / 1000⌋`. `count` = −1 means unbounded.
 */
export interface NexmarkSplitPlan {
  readonly firstEventId: number;
  readonly firstEventNumber: number;
  readonly stride: number;
  readonly count: number;
  readonly interEventDelayUs: number;
}

export class NexmarkGenerator {
  private readonly rnd = new EventRandom();
  private readonly total: number;
  private readonly extraSource: string;
  private readonly channels: ChannelTables;
  /** Events emitted so far by this split. */
  private k = 0;
  /** Event-number distance to the auction `NUM_IN_FLIGHT_AUCTIONS` ahead (Flink: 100·T/A, integer division). */
  private readonly auctionHorizonEvents: number;
  private readonly bidderOffset: number;

  constructor(
    readonly config: NexmarkGeneratorConfig,
    readonly plan: NexmarkSplitPlan,
  ) {
    this.total = config.personProportion + config.auctionProportion + config.bidProportion;
    this.extraSource = extraSourceText();
    this.channels = channelTables(config.seed);
    this.auctionHorizonEvents = Math.floor((NUM_IN_FLIGHT_AUCTIONS * this.total) / config.auctionProportion);
    this.bidderOffset = config.doubleBidderOffset ? 2 * FIRST_PERSON_ID : FIRST_PERSON_ID;
  }

  /** Events produced so far. */
  get emitted(): number {
    return this.k;
  }

  /** Resumes after `k` events (restoring a position). */
  seek(k: number): void {
    this.k = k;
  }

  hasNext(): boolean {
    return this.plan.count < 0 || this.k < this.plan.count;
  }

  /** Event time of the event with this event number. */
  timestampForEventNumber(eventNumber: number): number {
    return this.config.baseTime + Math.floor(Math.floor(eventNumber * this.plan.interEventDelayUs) / 1000);
  }

  /** Event time of this split's k-th event. */
  timestampOf(k: number): number {
    return this.timestampForEventNumber(this.plan.firstEventNumber + k * this.plan.stride);
  }

  /** How many of the next events have an event time <= `maxTimestamp` (at most `limit`). */
  countDueUntil(maxTimestamp: number, limit: number): number {
    let n = 0;
    while (n < limit && (this.plan.count < 0 || this.k + n < this.plan.count) && this.timestampOf(this.k + n) <= maxTimestamp) n++;
    return n;
  }

  /** The next `min(maxRows, remaining)` events as one batch (numRows 0 when exhausted). */
  nextBatch(maxRows: number): RecordBatch {
    const remaining = this.plan.count < 0 ? maxRows : Math.min(maxRows, this.plan.count - this.k);
    const n = Math.max(0, remaining);
    const types = new Int32Array(n);
    const persons = new Array<unknown>(n);
    const auctions = new Array<unknown>(n);
    const bids = new Array<unknown>(n);
    const { firstEventId, firstEventNumber, stride } = this.plan;
    const P = this.config.personProportion;
    const PA = P + this.config.auctionProportion;
    const T = this.total;
    for (let i = 0; i < n; i++) {
      const k = this.k + i;
      const eventId = firstEventId + k * stride;
      const eventNumber = firstEventNumber + k * stride;
      const ts = this.timestampForEventNumber(eventNumber);
      this.rnd.reseed(this.config.seed, eventId);
      const r = eventId % T;
      if (r < P) {
        types[i] = EVENT_PERSON;
        persons[i] = this.person(eventId, ts);
        auctions[i] = null;
        bids[i] = null;
      } else if (r < PA) {
        types[i] = EVENT_AUCTION;
        persons[i] = null;
        auctions[i] = this.auction(eventId, eventNumber, ts);
        bids[i] = null;
      } else {
        types[i] = EVENT_BID;
        persons[i] = null;
        auctions[i] = null;
        bids[i] = this.bid(eventId, ts);
      }
    }
    this.k += n;
    return {
      numRows: n,
      kinds: null,
      columns: [
        { data: types, nulls: null },
        { data: persons, nulls: null },
        { data: auctions, nulls: null },
        { data: bids, nulls: null },
      ],
    };
  }

  /** Last person id (base 0) created at or before `eventId`. */
  lastBase0PersonId(eventId: number): number {
    const T = this.total;
    const P = this.config.personProportion;
    const epoch = Math.floor(eventId / T);
    let offset = eventId % T;
    if (offset >= P) offset = P - 1;
    return epoch * P + offset;
  }

  /** Last auction id (base 0) created at or before `eventId`. */
  lastBase0AuctionId(eventId: number): number {
    const T = this.total;
    const P = this.config.personProportion;
    const A = this.config.auctionProportion;
    let epoch = Math.floor(eventId / T);
    let offset = eventId % T;
    if (offset < P) {
      epoch--;
      offset = A - 1;
    } else if (offset >= P + A) {
      offset = A - 1;
    } else {
      offset -= P;
    }
    return epoch * A + offset;
  }

  /** A recent person (base 0), possibly up to PERSON_ID_LEAD ids in the future. */
  private nextBase0PersonId(eventId: number): number {
    const numPeople = this.lastBase0PersonId(eventId) + 1;
    const active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
    return numPeople - active + this.rnd.nextLong(active + PERSON_ID_LEAD);
  }

  /** A recent auction (base 0), possibly up to AUCTION_ID_LEAD ids in the future. */
  private nextBase0AuctionId(eventId: number): number {
    const max = this.lastBase0AuctionId(eventId);
    const min = Math.max(max - NUM_IN_FLIGHT_AUCTIONS, 0);
    return min + this.rnd.nextLong(max - min + 1 + AUCTION_ID_LEAD);
  }

  /**
   * Log-uniform price in cents, 100 … 10^8: round(10^(6u) · 100) (Java's Math.round is floor(x + 0.5)).
   * exp(6u · ln 10) is 10^(6u) computed faster than Math.pow.
   */
  private price(): number {
    return Math.floor(Math.exp(this.rnd.nextDouble() * SIX_LN10) * 100 + 0.5);
  }

  /** Padding so that `currentSize + extra.length` averages `avgSize`. */
  private extra(currentSize: number, avgSize: number): string {
    if (currentSize > avgSize) return '';
    const d = avgSize - currentSize;
    const delta = Math.floor(d * 0.2 + 0.5);
    const len = d - delta + (delta === 0 ? 0 : this.rnd.nextInt(2 * delta));
    if (len <= 0) return '';
    const offset = this.rnd.nextInt(EXTRA_SOURCE_LENGTH - len + 1);
    return this.extraSource.substring(offset, offset + len);
  }

  private person(eventId: number, ts: number): unknown[] {
    const rnd = this.rnd;
    const id = this.lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    const name = FIRST_NAMES[rnd.nextInt(11)]! + ' ' + LAST_NAMES[rnd.nextInt(9)]!;
    const email = randomEmail(rnd);
    const creditCard = PAD4[rnd.nextInt(10000)]! + ' ' + PAD4[rnd.nextInt(10000)]! + ' ' + PAD4[rnd.nextInt(10000)]! + ' ' + PAD4[rnd.nextInt(10000)]!;
    const city = US_CITIES[rnd.nextInt(10)]!;
    const state = US_STATES[rnd.nextInt(6)]!;
    const size = 8 + name.length + email.length + creditCard.length + city.length + state.length;
    const extra = this.extra(size, this.config.avgPersonSize);
    return [id, name, email, creditCard, city, state, ts, extra];
  }

  private auction(eventId: number, eventNumber: number, ts: number): unknown[] {
    const rnd = this.rnd;
    const id = this.lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    let seller: number;
    // P(hot seller) = 1 − 1/hotSellersRatio; a hot seller is the first person of the latest 100-block.
    if (rnd.nextInt(this.config.hotSellersRatio) > 0) {
      seller = Math.floor(this.lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO;
    } else {
      seller = this.nextBase0PersonId(eventId);
    }
    seller += FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + rnd.nextInt(NUM_CATEGORIES);
    const initialBid = this.price();
    // Auctions live ≈ 2 × the event time needed to create NUM_IN_FLIGHT_AUCTIONS more auctions.
    const horizon = this.timestampForEventNumber(eventNumber + this.auctionHorizonEvents) - ts;
    const expires = ts + 1 + rnd.nextLong(Math.max(horizon * 2, 1));
    const itemName = randomString(rnd, 20);
    const description = randomString(rnd, 100);
    const reserve = initialBid + this.price();
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = this.extra(size, this.config.avgAuctionSize);
    return [id, itemName, description, initialBid, reserve, ts, expires, seller, category, extra];
  }

  private bid(eventId: number, ts: number): unknown[] {
    const rnd = this.rnd;
    let auction: number;
    // P(hot auction) = 1 − 1/hotAuctionRatio; a hot auction is the first of the latest 100-block.
    if (rnd.nextInt(this.config.hotAuctionRatio) > 0) {
      auction = Math.floor(this.lastBase0AuctionId(eventId) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
    } else {
      auction = this.nextBase0AuctionId(eventId);
    }
    auction += FIRST_AUCTION_ID;
    let bidder: number;
    // Hot bidders are the *second* person of the block, so hot bidders and hot sellers differ.
    if (rnd.nextInt(this.config.hotBiddersRatio) > 0) {
      bidder = Math.floor(this.lastBase0PersonId(eventId) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1;
    } else {
      bidder = this.nextBase0PersonId(eventId);
    }
    // The Flink port adds FIRST_PERSON_ID twice (a quirk kept by default, see 'bid.flink-bidder-offset').
    bidder += this.bidderOffset;
    const price = this.price();
    let channel: string;
    let url: string;
    if (rnd.nextInt(2) > 0) {
      const h = rnd.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[h]!;
      url = this.channels.hotUrls[h]!;
    } else {
      const c = rnd.nextInt(CHANNELS_NUMBER);
      channel = this.channels.channelNames[c]!;
      url = this.channels.channelUrls[c]!;
    }
    const extra = this.extra(32, this.config.avgBidSize);
    return [auction, bidder, price, channel, url, ts, extra];
  }
}
