import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeKey } from '../key-codec.js';
import { BloomFilter } from './bloom-filter.js';
import { compactRuns, pickCompaction } from './lsm-compaction.js';
import { ENTRY_SEPARATOR, mapPrefix, MARKER_SUFFIX, primaryKeyOf, stateTag, valueKey } from './lsm-keys.js';
import { blockFor, decodeBlock, ENTRY_MARKER, ENTRY_PUT, ENTRY_TOMBSTONE, FOOTER_BYTES, parseFooter, parseIndex, SstWriter } from './sst-format.js';
import type { SstBuildResult } from './sst-format.js';

const V = stateTag('value', 'v');
const M = stateTag('map', 'm');

/** All entries of a built file, in order: [key, type, time]. */
function entriesOf(built: SstBuildResult): [string, number, number][] {
  const b = built.bytes;
  const footer = parseFooter('f', b.subarray(b.length - FOOTER_BYTES));
  const index = parseIndex('f', b.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
  const out: [string, number, number][] = [];
  for (let i = 0; i < index.offsets.length; i++) {
    const block = decodeBlock('f', i, b.subarray(index.offsets[i]!, index.offsets[i]! + index.lengths[i]!));
    block.allKeys().forEach((k, j) => out.push([k, block.types[j]!, block.times[j]!]));
  }
  return out;
}

function file(entries: [string, number, number, unknown?][]): SstBuildResult {
  const w = new SstWriter(64);
  for (const [k, t, time, v] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (t === ENTRY_PUT) w.putValue(k, time, v);
    else w.deletion(k, t);
  }
  return w.finish();
}

describe('lsm internal keys', () => {
  it('order by key group first, and a map prefix covers exactly its entries', () => {
    const a = valueKey(3, V, encodeKey(['zzz']));
    const b = valueKey(4, V, encodeKey(['a']));
    assert.ok(a < b);
    const p1 = mapPrefix(1, M, 'ab');
    const p2 = mapPrefix(1, M, 'abc'); // 'ab' is a prefix of 'abc' but the length prefix separates them
    assert.ok(!(p2 + ENTRY_SEPARATOR).startsWith(p1 + ENTRY_SEPARATOR));
    assert.ok(p1 + MARKER_SUFFIX < p1 + ENTRY_SEPARATOR + '');
    assert.equal(primaryKeyOf(p1 + ENTRY_SEPARATOR + 'user'), p1);
    assert.equal(primaryKeyOf(a), a);
  });
});

describe('SST format', () => {
  it('round-trips entries across many blocks; the index finds each key; the bloom filter has no false negatives', () => {
    const keys = Array.from({ length: 500 }, (_, i) => valueKey(i % 7, V, encodeKey([i])));
    const built = file(keys.map((k, i) => [k, i % 10 === 0 ? ENTRY_TOMBSTONE : ENTRY_PUT, i, { i }]));
    const got = entriesOf(built);
    assert.equal(got.length, 500);
    assert.deepEqual(got.map((e) => e[0]), [...keys].sort());
    const b = built.bytes;
    const footer = parseFooter('f', b.subarray(b.length - FOOTER_BYTES));
    const index = parseIndex('f', b.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
    assert.ok(index.offsets.length > 20, `${index.offsets.length} blocks`);
    assert.equal(index.entries, 500);
    assert.equal(index.livePrimaryKeys, 450);
    for (const k of keys) {
      assert.ok(index.bloom.mayContain(k));
      const bi = blockFor(index, k);
      const block = decodeBlock('f', bi, b.subarray(index.offsets[bi]!, index.offsets[bi]! + index.lengths[bi]!));
      assert.equal(block.keyAt(block.lowerBound(k)), k);
    }
    let fp = 0;
    for (let i = 0; i < 2000; i++) if (index.bloom.mayContain(valueKey(0, V, encodeKey(['absent', i])))) fp++;
    assert.ok(fp < 60, `false positives ${fp}/2000`);
  });

  it('detects a flipped bit in a block, the index and the footer', () => {
    const built = file(Array.from({ length: 50 }, (_, i) => [valueKey(0, V, encodeKey([i])), ENTRY_PUT, 0, i] as [string, number, number, unknown]));
    const b = built.bytes;
    const footer = parseFooter('f', b.subarray(b.length - FOOTER_BYTES));
    const index = parseIndex('f', b.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
    const raw = b.slice(index.offsets[1]!, index.offsets[1]! + index.lengths[1]!);
    raw[3]! ^= 1;
    assert.throws(() => decodeBlock('f.sst', 1, raw), { code: 'STATE.CORRUPT_SNAPSHOT', message: /'f.sst' is corrupt: block 1 fails its checksum/ });
    const idx = b.slice(footer.indexOffset, footer.indexOffset + footer.indexLength);
    idx[2]! ^= 1;
    assert.throws(() => parseIndex('f', idx, footer), /index checksum mismatch/);
    const foot = b.slice(b.length - FOOTER_BYTES);
    foot[9]! ^= 1;
    assert.throws(() => parseFooter('f', foot), /footer checksum mismatch/);
  });

  it('bloom filter built for no keys rejects everything', () => {
    const f = BloomFilter.build([]);
    assert.equal(f.mayContain('x'), false);
  });
});

describe('compaction', () => {
  const vk = (i: number): string => valueKey(0, V, encodeKey([i]));
  const mp = mapPrefix(0, M, encodeKey(['k']));
  const settings = { now: 1000, blockBytes: 64, range: { start: 0, end: 7 }, ttlOf: (n: string) => (n === 'm' ? 100 : 0) };
  const full = { start: 0, end: 7 };

  it('newest wins; a marker hides older map entries; a non-bottom merge keeps deletions', async () => {
    const newer = file([[vk(1), ENTRY_TOMBSTONE, 0], [mp + MARKER_SUFFIX, ENTRY_MARKER, 0], [mp + ENTRY_SEPARATOR + 'c', ENTRY_PUT, 990, 3]]);
    const older = file([[vk(1), ENTRY_PUT, 0, 1], [vk(2), ENTRY_PUT, 0, 2], [mp + ENTRY_SEPARATOR + 'a', ENTRY_PUT, 990, 1], [mp + ENTRY_SEPARATOR + 'd', ENTRY_PUT, 990, 1]]);
    const out = (await compactRuns([{ key: 'n', bytes: newer.bytes, range: full }, { key: 'o', bytes: older.bytes, range: full }], { ...settings, bottom: false }))!;
    assert.deepEqual(entriesOf(out), [
      [vk(1), ENTRY_TOMBSTONE, 0],
      [vk(2), ENTRY_PUT, 0],
      [mp + MARKER_SUFFIX, ENTRY_MARKER, 0],
      [mp + ENTRY_SEPARATOR + 'c', ENTRY_PUT, 990],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    const bottom = (await compactRuns([{ key: 'n', bytes: newer.bytes, range: full }, { key: 'o', bytes: older.bytes, range: full }], { ...settings, bottom: true }))!;
    assert.deepEqual(entriesOf(bottom).map((e) => e[0]), [vk(2), mp + ENTRY_SEPARATOR + 'c'].sort());
  });

  it('streams inputs in chunks of blocks: the same output as from whole files, with bounded reads', async () => {
    const a: [string, number, number, unknown?][] = [];
    const b: [string, number, number, unknown?][] = [];
    for (let i = 0; i < 400; i++) {
      if (i % 3 !== 0) a.push([vk(i), i % 7 === 0 ? ENTRY_TOMBSTONE : ENTRY_PUT, 0, `new-${i}`]);
      if (i % 2 === 0) b.push([vk(i), ENTRY_PUT, 0, `old-${i}-${'x'.repeat(i % 50)}`]);
    }
    b.push([mp + MARKER_SUFFIX, ENTRY_MARKER, 0], [mp + ENTRY_SEPARATOR + 'q', ENTRY_PUT, 990, 1]);
    const newer = file(a);
    const older = file(b);
    const whole = (await compactRuns([{ key: 'n', bytes: newer.bytes, range: full }, { key: 'o', bytes: older.bytes, range: full }], { ...settings, bottom: true }))!;
    let reads = 0;
    let largest = 0;
    const streamed = (f: SstBuildResult, key: string) => {
      const footer = parseFooter(key, f.bytes.subarray(f.bytes.length - FOOTER_BYTES));
      const index = parseIndex(key, f.bytes.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
      assert.ok(index.offsets.length > 20, 'many blocks');
      const read = async (offset: number, length: number): Promise<Uint8Array> => {
        reads++;
        largest = Math.max(largest, length);
        await new Promise((r) => setImmediate(r));
        return f.bytes.slice(offset, offset + length);
      };
      return { key, range: full, index, read, chunkBytes: 200 };
    };
    const out = (await compactRuns([streamed(newer, 'n'), streamed(older, 'o')], { ...settings, bottom: true }))!;
    assert.deepEqual(entriesOf(out), entriesOf(whole));
    assert.deepEqual(out.bytes, whole.bytes);
    assert.ok(reads > 20, `${reads} chunk reads`);
    assert.ok(largest <= 200 + 64 * 4, `largest read ${largest} bytes (a chunk is at least one block)`);
  });

  it('expired entries become tombstones, or vanish in a bottom merge', async () => {
    const f = file([[mp + ENTRY_SEPARATOR + 'old', ENTRY_PUT, 800, 1], [mp + ENTRY_SEPARATOR + 'new', ENTRY_PUT, 950, 2]]);
    const mid = (await compactRuns([{ key: 'f', bytes: f.bytes, range: full }], { ...settings, bottom: false }))!;
    assert.deepEqual(entriesOf(mid), [[mp + ENTRY_SEPARATOR + 'new', ENTRY_PUT, 950], [mp + ENTRY_SEPARATOR + 'old', ENTRY_TOMBSTONE, 0]]);
    const bot = (await compactRuns([{ key: 'f', bytes: f.bytes, range: full }], { ...settings, bottom: true }))!;
    assert.deepEqual(entriesOf(bot), [[mp + ENTRY_SEPARATOR + 'new', ENTRY_PUT, 950]]);
    const gone = await compactRuns([{ key: 'f', bytes: file([[vk(1), ENTRY_TOMBSTONE, 0]]).bytes, range: full }], { ...settings, bottom: true });
    assert.equal(gone, null);
  });

  it("drops entries outside an input's key-group range (a file shared after a rescale)", async () => {
    const shared = file([[valueKey(1, V, 'a'), ENTRY_PUT, 0, 'stale'], [valueKey(5, V, 'b'), ENTRY_PUT, 0, 'mine']]);
    const newer = file([[valueKey(1, V, 'a'), ENTRY_PUT, 0, 'fresh']]);
    // The shared file is listed as the newer input but may only contribute key groups 4..7.
    const out = (await compactRuns([{ key: 's', bytes: shared.bytes, range: { start: 4, end: 7 } }, { key: 'n', bytes: newer.bytes, range: { start: 0, end: 3 } }], { ...settings, bottom: true }))!;
    const b = out.bytes;
    const footer = parseFooter('o', b.subarray(b.length - FOOTER_BYTES));
    const index = parseIndex('o', b.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
    const block = decodeBlock('o', 0, b.subarray(index.offsets[0]!, index.offsets[0]! + index.lengths[0]!));
    assert.deepEqual(block.allKeys(), [valueKey(1, V, 'a'), valueKey(5, V, 'b')]);
    const r = new TextDecoder().decode(block.raw.subarray(block.valueStart[0]!, block.valueEnd[0]!));
    assert.match(r, /fresh/);
  });

  it('picks windows of similar-sized durable runs, skipping frozen memtables', () => {
    const run = (size: number, mem = false) => ({ mem: mem ? {} : null, ref: { size } });
    assert.equal(pickCompaction([run(10), run(10), run(10)], 4), null);
    assert.deepEqual(pickCompaction([run(1, true), run(10), run(11), run(12), run(13), run(100)], 4), { start: 1, end: 5 });
    assert.deepEqual(pickCompaction([run(10), run(400), run(410), run(420), run(430)], 4), { start: 1, end: 5 });
    const many = Array.from({ length: 13 }, (_, i) => run(4 ** i));
    assert.deepEqual(pickCompaction(many, 4), { start: 0, end: 4 });
  });
});

describe('entry bloom (format version 2)', () => {
  it('holds every map entry and marker, few absent entries of present maps, and no value keys', () => {
    const entries: [string, number, number, unknown?][] = [];
    for (let k = 0; k < 200; k++) {
      const prefix = mapPrefix(k % 7, M, encodeKey([k]) as string);
      for (let u = 0; u < 5; u++) entries.push([prefix + ENTRY_SEPARATOR + `u${u}`, ENTRY_PUT, 1, u]);
      if (k % 10 === 0) entries.push([prefix + MARKER_SUFFIX, ENTRY_MARKER, 1]);
      entries.push([valueKey(k % 7, V, encodeKey([k]) as string), ENTRY_PUT, 1, k]);
    }
    const b = file(entries).bytes;
    const footer = parseFooter('f', b.subarray(b.length - FOOTER_BYTES));
    assert.equal(footer.version, 2);
    const index = parseIndex('f', b.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer);
    const bloom = index.entryBloom!;
    for (const [k] of entries) if (k.charCodeAt(1) === 2) assert.ok(bloom.mayContain(k), 'no false negatives');
    // New user keys of maps the file holds: the primary bloom says yes, the entry bloom mostly no.
    let falsePositives = 0;
    for (let k = 0; k < 200; k++) {
      const prefix = mapPrefix(k % 7, M, encodeKey([k]) as string);
      assert.ok(index.bloom.mayContain(prefix));
      for (let u = 5; u < 15; u++) if (bloom.mayContain(prefix + ENTRY_SEPARATOR + `u${u}`)) falsePositives++;
    }
    assert.ok(falsePositives < 2000 * 0.05, `${falsePositives} of 2000 absent entries pass the entry bloom`);
  });

  it('a file without map entries has none', () => {
    const b = file([[valueKey(1, V, encodeKey([1]) as string), ENTRY_PUT, 1, 1]]).bytes;
    const footer = parseFooter('f', b.subarray(b.length - FOOTER_BYTES));
    assert.equal(parseIndex('f', b.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), footer).entryBloom, null);
  });
});
