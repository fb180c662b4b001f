/** ORC manifests and manifest lists (`manifest.format = orc`) decode to the same records as Avro ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '../../common/index.js';
import { decodeManifest, decodeManifestList, FileKind } from '../manifest.js';

const DIR = join(sharedDataDir(), 'paimon-testdata/paimon-cpp/orc/pk_table_partial_update.db/pk_table_partial_update/manifest');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));

test('decodeManifestList: an ORC manifest list (Java writer) → ManifestFileMeta', () => {
  const name = 'manifest-list-67851389-a1df-4e99-b283-b690dc91e6a9-1';
  const metas = decodeManifestList(read(name), name);
  assert.equal(metas.length, 1);
  const m = metas[0]!;
  assert.equal(m.fileName, 'manifest-5307a43e-6f5a-466d-81c2-9b19a38106a2-0');
  assert.equal(m.fileSize, 2657);
  assert.equal(m.numAddedFiles, 1);
  assert.equal(m.numDeletedFiles, 0);
  assert.equal(m.schemaId, 0);
  assert.deepEqual(m.partitionStats?.nullCounts, []);
  assert.equal(m.minBucket, undefined); // this writer predates _MIN_BUCKET
  // An empty manifest list (the base list of snapshot 1) has no entries.
  assert.deepEqual(decodeManifestList(read('manifest-list-67851389-a1df-4e99-b283-b690dc91e6a9-0'), 'list-0'), []);
});

test('decodeManifest: an ORC manifest (Java writer) → ManifestEntry with DataFileMeta', () => {
  const name = 'manifest-5307a43e-6f5a-466d-81c2-9b19a38106a2-1';
  const entries = decodeManifest(read(name), name);
  assert.equal(entries.length, 1);
  const e = entries[0]!;
  assert.equal(e.kind, FileKind.ADD);
  assert.equal(e.bucket, 0);
  assert.equal(e.totalBuckets, 1);
  assert.equal(e.partition.length, 12);
  const f = e.file;
  assert.equal(f.fileName, 'data-0997d320-8dfc-4e5f-9bff-be9b433375d1-1.orc');
  assert.equal(f.fileSize, 1034);
  assert.equal(f.rowCount, 5);
  assert.equal(f.minSequenceNumber, 3);
  assert.equal(f.maxSequenceNumber, 7);
  assert.equal(f.level, 0);
  assert.equal(f.deleteRowCount, 2);
  assert.equal(f.fileSource, 0);
  assert.deepEqual(f.extraFiles, []);
  assert.equal(f.embeddedIndex, null);
  assert.equal(f.valueStatsCols, null);
  // ORC TIMESTAMP (epoch nanoseconds) → epoch milliseconds, as the Avro timestamp-millis field gives.
  assert.equal(f.creationTime, 1736793059526);
  assert.deepEqual(f.valueStats?.nullCounts, [0, 0, 0, 0, 3]);
  assert.equal(f.minKey.length, 28);
});
