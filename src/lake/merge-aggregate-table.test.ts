/**
 * An `aggregation` table written over several commits, read back by merge-on-read and after compaction.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryObjectStore } from '../storage/index.js';
import { RowKind, Types, batchFromRows, type RowType } from '../types/index.js';
import { createPaimonTable } from './table-create.js';
import { readRows } from './write-test-support.js';

const ROW: RowType = {
  fields: [
    { name: 'id', type: Types.bigint() },
    { name: 'total', type: Types.decimal(10, 2) },
    { name: 'tags', type: Types.string() },
    { name: 'hi', type: Types.int() },
  ],
};

describe('aggregation table', () => {
  it('aggregates several commits on read and after compaction', async () => {
    const store = new MemoryObjectStore('agg-table');
    const options = {
      bucket: '1',
      'merge-engine': 'aggregation',
      'fields.total.aggregate-function': 'sum',
      'fields.tags.ignore-retract': 'true',
      'fields.tags.aggregate-function': 'listagg',
      'fields.hi.aggregate-function': 'max',
      'fields.hi.ignore-retract': 'true',
    };
    const t = await createPaimonTable(store, 'db.db/agg', { fields: ROW, primaryKeys: ['id'], options });
    const w = t.newWrite();
    w.write(batchFromRows(ROW, [[1, 150n, 'a', 3], [2, 1000n, null, null], [1, 25n, 'b', 9]]));
    await w.commit();
    w.write(batchFromRows(ROW, [[1, 100n, 'c', 1], [3, null, 'z', 4]]));
    await w.commit();
    const expected = [[1, 275n, 'a,b,c', 9], [2, 1000n, null, null], [3, null, 'z', 4]];
    assert.deepEqual(await readRows(t), expected);
    const c = await t.compact();
    assert.equal(c.committed, true);
    assert.deepEqual(await readRows(t), expected, 'compaction keeps the aggregates');
    // Retractions after compaction: sum subtracts; listagg and max ignore them (ignore-retract).
    w.write(batchFromRows(ROW, [[1, 75n, 'a', 9], [2, 1000n, null, null]], [RowKind.UPDATE_BEFORE, RowKind.DELETE]));
    await w.commit();
    assert.deepEqual(await readRows(t), [[1, 200n, 'a,b,c', 9], [2, 0n, null, null], [3, null, 'z', 4]]);
  });
});
