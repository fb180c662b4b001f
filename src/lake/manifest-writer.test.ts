/**
 * Manifests and manifest lists we encode carry exactly the writer schemas Java records, and Java's own
 * entries survive a decode → encode → decode round trip (both codecs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '../common/index.js';
import { readAvroContainer } from './avro-container.js';
import { decodeManifest, decodeManifestList } from './manifest.js';
import { MANIFEST_LIST_SCHEMA, MANIFEST_SCHEMA, encodeManifest, encodeManifestList } from './manifest-writer.js';

const MANIFESTS = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/parquet/pk_table_scan_and_read_mor.db/pk_table_scan_and_read_mor/manifest');

test('manifest writer schemas equal the ones in Java-written files', () => {
  const manifest = readAvroContainer(readFileSync(join(MANIFESTS, 'manifest-daefb1fa-3081-4c75-aabf-66cd37e05e33-0')), 'm');
  const list = readAvroContainer(readFileSync(join(MANIFESTS, 'manifest-list-06804d39-de46-4b17-bbc5-196819f5e550-1')), 'l');
  assert.equal(JSON.stringify(MANIFEST_SCHEMA), JSON.stringify(manifest.schema));
  assert.equal(JSON.stringify(MANIFEST_LIST_SCHEMA), JSON.stringify(list.schema));
  const ours = readAvroContainer(encodeManifest([]), 'empty');
  assert.equal(JSON.stringify(ours.schema), JSON.stringify(manifest.schema));
  assert.equal(ours.codec, 'deflate');
  assert.deepEqual(ours.records, []);
});

test('Java manifest entries and manifest-list entries round-trip', () => {
  for (const name of ['manifest-daefb1fa-3081-4c75-aabf-66cd37e05e33-0', 'manifest-daefb1fa-3081-4c75-aabf-66cd37e05e33-1', 'manifest-4987bb3b-cec4-4b95-ae08-200964bb8a29-0']) {
    const entries = decodeManifest(readFileSync(join(MANIFESTS, name)), name);
    assert.ok(entries.length > 0);
    for (const codec of ['deflate', 'null'] as const) {
      assert.deepEqual(decodeManifest(encodeManifest(entries, codec), name), entries);
    }
  }
  for (const name of ['manifest-list-06804d39-de46-4b17-bbc5-196819f5e550-0', 'manifest-list-4fb9862a-a140-4fe1-aa62-aeeedca8f890-5']) {
    const metas = decodeManifestList(readFileSync(join(MANIFESTS, name)), name);
    assert.deepEqual(decodeManifestList(encodeManifestList(metas), name), metas);
  }
});
