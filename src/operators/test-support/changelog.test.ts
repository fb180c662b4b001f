import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Types } from '../../types/index.js';
import type { RowType } from '../../types/index.js';
import { changelogBatch, changelogLines } from './changelog.js';

const TYPE: RowType = {
  fields: [
    { name: 'i', type: Types.int() },
    { name: 's', type: Types.string() },
    { name: 'b', type: Types.boolean() },
    { name: 'd', type: Types.decimal(10, 2) },
    { name: 't', type: Types.timestamp(3) },
    { name: 'day', type: Types.date() },
  ],
};

describe('changelog literals', () => {
  it('round-trips kinds and values of every supported type, NULLs included', () => {
    const lines = ['+I[1, a, true, 1.50, 2024-01-31 10:00:00.123, 2024-01-31]', '-U[null, null, null, null, null, null]', '+U[-2, b c, false, -0.05, 1970-01-01 00:00:00.000, 1969-12-31]', '-D[3, x, true, 12.00, 1970-01-01 00:00:01.000, 1970-01-01]'];
    const batch = changelogBatch(TYPE, lines);
    assert.equal(batch.numRows, 4);
    assert.deepEqual([...batch.kinds!], [0, 1, 2, 3]);
    assert.equal(batch.columns[3]!.data[0], 150n);
    assert.deepEqual(changelogLines(TYPE, [batch]), lines);
  });

  it('reads epoch-ms timestamps and rejects malformed lines', () => {
    const b = changelogBatch({ fields: [{ name: 't', type: Types.timestamp(3) }] }, ['+I[1000]']);
    assert.equal(b.columns[0]!.data[0], 1000);
    assert.equal(b.kinds, null);
    assert.throws(() => changelogBatch(TYPE, ['+X[1]']), /bad changelog line/);
    assert.throws(() => changelogBatch(TYPE, ['+I[1, a]']), /has 2 cells, expected 6/);
  });
});
