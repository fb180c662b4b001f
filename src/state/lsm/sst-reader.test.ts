import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryObjectStore } from '../../storage/index.js';
import { encodeKey } from '../key-codec.js';
import { stateTag, valueKey } from './lsm-keys.js';
import { SstWriter } from './sst-format.js';
import { createLsmCaches, newFileId, SstReader } from './sst-reader.js';
import type { SstFileRef } from './sst-reader.js';

/** A memory store that reports an S3 location, so the reader treats it as remote. */
class RemoteLookingStore extends MemoryObjectStore {
  override readonly uri = 's3://bucket/lsm';
}

async function fileIn(store: MemoryObjectStore): Promise<SstFileRef> {
  const w = new SstWriter(256);
  const tag = stateTag('value', 'v');
  for (let i = 0; i < 400; i++) w.putValue(valueKey(1, tag, encodeKey([String(i).padStart(4, '0')])), 0, { i, pad: 'x'.repeat(40) });
  const built = w.finish();
  await store.put('f.sst', built.bytes);
  return { id: newFileId(), store, key: 'f.sst', size: built.bytes.length, crc32: built.crc32 };
}

function reader(): SstReader {
  return new SstReader({ caches: createLsmCaches({ memoryBytes: 0, indexBytes: 1 << 20, diskBytes: 0 }, '/nonexistent', false), ioParallelism: 4 });
}

describe('SstReader.blocks', () => {
  for (const [name, makeStore, requests] of [
    // Local stores merge only touching blocks: 0-1-2, then 5, then 40.
    ['a local store', () => new MemoryObjectStore('mem'), 3],
    // Remote ones also read the gaps up to 64 KB: one request for all.
    ['an S3 store', () => new RemoteLookingStore('mem'), 1],
  ] as const) {
    it(`fetches neighbouring uncached blocks together from ${name}; each block equals a single-block read`, async () => {
      const store = makeStore();
      const ref = await fileIn(store);
      const r = reader();
      const index = await r.index(ref);
      assert.ok(index.offsets.length > 40, `${index.offsets.length} blocks`);
      const before = r.stats.remoteReads;
      const wanted = [0, 1, 2, 5, 40];
      const got = await Promise.all(r.blocks(ref, index, wanted));
      assert.equal(r.stats.remoteReads - before, requests);
      assert.equal(r.stats.blockCacheMisses, wanted.length);
      const single = reader();
      const singleIndex = await single.index(ref);
      for (let i = 0; i < wanted.length; i++) {
        const one = await single.block(ref, singleIndex, wanted[i]!);
        assert.deepEqual(got[i]!.allKeys(), one.allKeys());
        assert.deepEqual([...got[i]!.raw], [...one.raw]);
        assert.equal(got[i]!.raw.byteLength, got[i]!.raw.buffer.byteLength, 'a block holds only its own bytes');
      }
    });
  }
});
