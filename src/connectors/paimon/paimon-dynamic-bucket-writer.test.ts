/**
 * The `lake-writer` of a dynamic-bucket table: it assigns buckets as assigner `subtaskIndex` of
 * `parallelism`, hands its HASH index files to the committer in the committable envelope, and files its
 * sequence counters under every (partition, channel) state key it saw, so a restored writer of a channel
 * continues above them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPaimonTable, PaimonBucketAssigner, HASH_INDEX_TYPE, type SequenceCounter } from '../../lake/index.js';
import type { OperatorContext } from '../../runtime/index.js';
import type { LakeWriterSpec } from '../../spec/index.js';
import { encodeKey } from '../../state/index.js';
import { LocalFileObjectStore } from '../../storage/index.js';
import { Types, batchFromRows, type RecordBatch, type RowType } from '../../types/index.js';
import { decodeCommittable, encodeCommittableFiles, readCommittable } from './paimon-committable.js';
import { PaimonWriterOperator } from './paimon-writer-operator.js';

const ROWS: RowType = {
  fields: [
    { name: 'k', type: Types.bigint(false) },
    { name: 'dt', type: Types.string(false) },
    { name: 'v', type: Types.string() },
  ],
};

function fakeContext(subtaskIndex: number, parallelism: number, emitted: RecordBatch[], restored?: readonly (readonly [string, unknown])[]): OperatorContext {
  return {
    subtaskIndex,
    parallelism,
    restoredKeyedOperatorState: restored,
    config: () => undefined,
    emit: (b: RecordBatch) => emitted.push(b),
  } as unknown as OperatorContext;
}

describe('lake-writer of a dynamic-bucket table', () => {
  it('hands over index files and keeps its counters per (partition, channel)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-dyn-writer-'));
    try {
      const store = new LocalFileObjectStore(root);
      const table = await createPaimonTable(store, 't', { fields: ROWS, primaryKeys: ['k', 'dt'], partitionKeys: ['dt'], options: { 'dynamic-bucket.target-row-num': '2' } });
      const spec: LakeWriterSpec = { type: 'lake-writer', version: 1, tableName: 't', options: { path: root + '/t' }, schema: ROWS, inputMode: { kind: 'insert-only' } as LakeWriterSpec['inputMode'], bucketColumn: 3 };
      const input = batchFromRows(ROWS, [[1, 'a', 'x'], [2, 'a', 'y'], [3, 'a', 'z']]);
      const channels = new PaimonBucketAssigner(table).assign(input);
      const routed: RecordBatch = { numRows: input.numRows, kinds: input.kinds, columns: [...input.columns, { data: channels, nulls: null }] };

      const emitted: RecordBatch[] = [];
      const op = new PaimonWriterOperator(spec);
      await op.open(fakeContext(1, 2, emitted));
      op.processBatch(0, routed);
      await op.snapshotOperatorState(7);
      assert.equal(emitted.length, 1);
      const c = readCommittable(emitted[0]!, 0);
      assert.equal(c.checkpointId, 7);
      const files = decodeCommittable(c.files, 't');
      // Assigner 1 of 2 owns the odd buckets: 2 keys in bucket 1, the third opens bucket 3.
      assert.deepEqual([...new Set(files.entries.map((e) => e.bucket))].sort(), [1, 3]);
      assert.deepEqual(files.indexChanges.map((e) => [e.indexType, e.bucket, e.rowCount]), [[HASH_INDEX_TYPE, 1, 2], [HASH_INDEX_TYPE, 3, 1]]);

      const state = op.snapshotKeyedOperatorState();
      const distinct = [...new Set(channels)].sort((a, b) => a - b);
      assert.deepEqual(state.map(([k]) => k).sort(), distinct.map((ch) => encodeKey(['a', ch])).sort());
      const counters = (state[0]![1] as { counters: SequenceCounter[] }).counters;
      assert.deepEqual(counters.map((x) => [x.bucket, x.next]).sort(), [[1, 2], [3, 1]]);
      await op.close();

      // A restored writer continues every bucket's numbering above the restored counters.
      const op2 = new PaimonWriterOperator(spec);
      const emitted2: RecordBatch[] = [];
      await op2.open(fakeContext(1, 2, emitted2, state.slice(0, 1)));
      op2.processBatch(0, { ...routed, numRows: 1, columns: routed.columns.map((col) => ({ data: (col.data as ArrayLike<unknown> & { slice(a: number, b: number): unknown }).slice(0, 1), nulls: null })) } as RecordBatch);
      await op2.snapshotOperatorState(8);
      const again = decodeCommittable(readCommittable(emitted2[0]!, 0).files, 't');
      // Nothing was committed: key 1 is new again, lands in bucket 1 and numbers on from the restored 2.
      assert.deepEqual(again.entries.map((e) => [e.bucket, e.file.minSequenceNumber]), [[1, 2]]);
      assert.deepEqual(op2.snapshotKeyedOperatorState().map(([k]) => k).sort(), [...new Set([state[0]![0], encodeKey(['a', channels[0]!])])].sort());
      await op2.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps the plain manifest form without index files (older checkpoints decode unchanged)', () => {
    const plain = encodeCommittableFiles([]);
    assert.deepEqual([...plain.subarray(0, 4)], [0x4f, 0x62, 0x6a, 0x01]);
    assert.deepEqual(decodeCommittable(plain, 't'), { entries: [], indexChanges: [] });
  });
});
