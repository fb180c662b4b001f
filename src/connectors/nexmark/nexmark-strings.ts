/**
 * String material for the Nexmark generator, built once: the 1 MiB random-letter text that `extra` padding
 * is cut from, zero-padded credit-card groups, and the per-seed channel/URL tables (Flink's port builds its
 * 4 hot URLs and 10,000 channel URLs from unseeded randomness at class load; we derive them from the seed so
 * that they are reproducible).
 */
import { EventRandom } from './event-random.js';

/** Size of the text that `extra` strings are substrings of (Flink's port uses 1 MiB too). */
export const EXTRA_SOURCE_LENGTH = 1 << 20;

let extraSource: string | null = null;

/** 1 MiB of random 'a'–'z', from a fixed seed (its content does not depend on the table's seed). */
export function extraSourceText(): string {
  if (extraSource === null) {
    const rnd = new EventRandom();
    rnd.reseed(0x4e584d4b, 0);
    const bytes = new Uint8Array(EXTRA_SOURCE_LENGTH);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 97 + rnd.nextInt(26);
    extraSource = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  }
  return extraSource;
}

/** '0000' … '9999': credit-card groups are `PAD4[U(10000)]`. */
export const PAD4: readonly string[] = Array.from({ length: 10000 }, (_, i) => String(i).padStart(4, '0'));

export const FIRST_NAMES: readonly string[] = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
export const LAST_NAMES: readonly string[] = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
export const US_CITIES: readonly string[] = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
export const US_STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
export const CHANNELS_NUMBER = 10000;

/**
 * Scratch buffer for building short random strings without per-character concatenation; every character
 * the generator writes is ASCII, so a latin1 decode of the bytes is the string.
 */
const scratch = Buffer.alloc(512);

function toStr(len: number): string {
  return scratch.toString('latin1', 0, len);
}

/**
 * Flink's `nextString(max, special)` written into `scratch` at `pos`: length 3 + U[0, max − 3), each char
 * `special` with probability 1/13 else 'a'–'z'; then trimmed like Java's `String.trim()` (which only
 * removes the space special). Returns the new end position.
 */
export function writeRandomString(rnd: EventRandom, pos: number, maxLength: number, special: number): number {
  const len = 3 + rnd.nextInt(maxLength - 3);
  const end = pos + len;
  for (let i = pos; i < end; i++) scratch[i] = rnd.nextInt(13) === 0 ? special : 97 + rnd.nextInt(26);
  if (special !== 32) return end;
  let s = pos;
  let e = end;
  while (s < e && scratch[s] === 32) s++;
  while (e > s && scratch[e - 1] === 32) e--;
  if (s > pos) scratch.copyWithin(pos, s, e);
  return pos + (e - s);
}

/** `nextString(max)` as a string. */
export function randomString(rnd: EventRandom, maxLength: number): string {
  return toStr(writeRandomString(rnd, 0, maxLength, 32));
}

/** `nextString(7) + "@" + nextString(5) + ".com"` in one string build. */
export function randomEmail(rnd: EventRandom): string {
  let p = writeRandomString(rnd, 0, 7, 32);
  scratch[p++] = 64; // @
  p = writeRandomString(rnd, p, 5, 32);
  scratch[p++] = 46; // .
  scratch[p++] = 99; // c
  scratch[p++] = 111; // o
  scratch[p++] = 109; // m
  return toStr(p);
}

function baseUrl(rnd: EventRandom): string {
  let p = 0;
  for (let part = 0; part < 3; part++) {
    p = writeRandomString(rnd, p, 5, 95 /* _ */);
    scratch[p++] = 47; // /
  }
  return 'https://www.nexmark.com/' + toStr(p) + 'item.htm?query=1';
}

/** Java's `Math.abs(Integer.reverse(n))`, including abs(MIN_VALUE) staying negative. */
export function absReversedInt(n: number): number {
  let x = n | 0;
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (x & 1);
    x >>>= 1;
  }
  return r === -2147483648 ? r : Math.abs(r);
}

export interface ChannelTables {
  readonly hotUrls: readonly string[];
  readonly channelNames: readonly string[];
  readonly channelUrls: readonly string[];
}

const tablesBySeed = new Map<number, ChannelTables>();

/** The channel/URL tables of a seed (built on first use, then shared). */
export function channelTables(seed: number): ChannelTables {
  let t = tablesBySeed.get(seed);
  if (t === undefined) {
    const rnd = new EventRandom();
    const hotUrls = HOT_CHANNELS.map((_, i) => {
      rnd.reseed(seed ^ 0x55aa55aa, -1 - i + 2 ** 52);
      return baseUrl(rnd);
    });
    const channelNames = new Array<string>(CHANNELS_NUMBER);
    const channelUrls = new Array<string>(CHANNELS_NUMBER);
    for (let n = 0; n < CHANNELS_NUMBER; n++) {
      rnd.reseed(seed ^ 0x2b2b2b2b, n + 2 ** 51);
      const url = baseUrl(rnd);
      channelNames[n] = 'channel-' + n;
      // 9 in 10 channel URLs carry the channel id (bit-reversed, as Flink's port does).
      channelUrls[n] = rnd.nextInt(10) > 0 ? url + '&channel_id=' + absReversedInt(n) : url;
    }
    t = { hotUrls, channelNames, channelUrls };
    tablesBySeed.set(seed, t);
  }
  return t;
}
