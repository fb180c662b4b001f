import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { batchFromRows, getRow, RowKind, Types } from '../types/index.js';
import type { RecordBatch, RowType } from '../types/index.js';
import { fromWireBatch, packStrings, toWireBatch, unpackStrings } from './batch-wire.js';
import type { WireBatch } from './batch-wire.js';
import { OutputChannel } from './output-channel.js';

const rowType: RowType = {
  fields: [
    { name: 's', type: Types.string() },
    { name: 'n', type: Types.bigint() },
    { name: 'm', type: Types.decimal(10, 2) },
    { name: 't', type: Types.string() },
  ],
};

function rowsOf(batch: RecordBatch): unknown[][] {
  return Array.from({ length: batch.numRows }, (_, r) => getRow(batch, r, rowType));
}

/** Posts over a real MessageChannel (structured clone + transfer), as between workers. */
async function post(wire: WireBatch, transfer: ArrayBuffer[]): Promise<WireBatch> {
  const { port1, port2 } = new MessageChannel();
  try {
    const got = new Promise<WireBatch>((resolve) => port2.once('message', resolve));
    port1.postMessage(wire, transfer);
    return await got;
  } finally {
    port1.close();
    port2.close();
  }
}

test('string columns of Latin-1 text are packed and come back equal, NULLs included; other columns travel as is', async () => {
  const rows = [
    ['alpha', 1, 10n, 'x'],
    [null, null, null, 'a long value of more than thirteen characters'],
    ['', 3, -5n, null],
    ['ÿé\u0000\u0080', 4, 0n, 'y'],
  ];
  const batch = batchFromRows(rowType, rows, [RowKind.INSERT, RowKind.DELETE, RowKind.UPDATE_AFTER, RowKind.INSERT]);
  const transfer: ArrayBuffer[] = [];
  const wire = toWireBatch(batch, transfer);
  assert.ok(wire.packed !== null && wire.packed[0] !== null && wire.packed[3] !== null);
  assert.equal(wire.packed[1], null, 'typed column');
  assert.equal(wire.packed[2], null, 'DECIMAL (bigint) column');
  assert.equal(wire.batch.columns[0]!.data.length, 0, 'packed columns are placeholders on the wire');
  const back = fromWireBatch(await post(wire, transfer));
  assert.deepEqual(rowsOf(back), rows);
  assert.deepEqual([...back.kinds!], [0, 3, 2, 0]);
  assert.deepEqual(rowsOf(batch), rows, 'the sent batch is not modified');
});

test('a column with a code unit >= 256 (or a non-string value) is left to structured clone', () => {
  assert.equal(packStrings(['ok', 'Ā'], 2), null);
  assert.equal(packStrings(['ok', '\ud83d\ude00'], 2), null);
  assert.equal(packStrings(['ok', 5], 2), null);
  const t: RowType = { fields: [{ name: 's', type: Types.string() }] };
  const wire = toWireBatch(batchFromRows(t, [['a'], ['€']]), []);
  assert.equal(wire.packed, null);
  assert.deepEqual(fromWireBatch(wire).columns[0]!.data, ['a', '€']);
});

test('only rows below numRows are packed; an empty batch and all-NULL columns round-trip', () => {
  const p = packStrings(['a', 'bb', 'ignored'], 2)!;
  assert.deepEqual(unpackStrings(p, 2), ['a', 'bb']);
  assert.equal(p.bytes.length, 3);
  assert.deepEqual(unpackStrings(packStrings([], 0)!, 0), []);
  const nulls = packStrings([null, null], 2)!;
  assert.deepEqual(unpackStrings(nulls, 2), [null, null]);
});

test('long strings (13+ characters) travel beside the packed bytes; a column of mostly long strings is not packed', () => {
  const long = 'a value of thirteen or more characters';
  const p = packStrings(['short', long, null, 'x', 'Ā'.repeat(20)], 5)!;
  assert.deepEqual(p.longs, [long, 'Ā'.repeat(20)], 'long values (any code units) go to the side array');
  assert.equal(p.bytes.length, 6);
  assert.deepEqual(unpackStrings(p, 5), ['short', long, null, 'x', 'Ā'.repeat(20)]);
  assert.equal(packStrings([long, long, 'a'], 3), null);
  assert.equal(packStrings(['twelve chars', 'thirteen char'], 2)!.longs!.length, 1);
});

test('large packed buffers are listed for transfer and detached after posting; small ones are copied', async () => {
  const t: RowType = { fields: [{ name: 's', type: Types.string() }] };
  const big = batchFromRows(t, Array.from({ length: 2000 }, (_, i) => ['value-' + i]));
  const transfer: ArrayBuffer[] = [];
  const wire = toWireBatch(big, transfer);
  assert.equal(transfer.length, 2);
  const back = fromWireBatch(await post(wire, transfer));
  assert.equal(wire.packed![0]!.bytes.byteLength, 0, 'transferred');
  assert.deepEqual(back.columns[0]!.data, big.columns[0]!.data);
  const small: ArrayBuffer[] = [];
  toWireBatch(batchFromRows(t, [['a']]), small);
  assert.equal(small.length, 0);
});

test('property: any batch of strings round-trips exactly through the wire form and a MessageChannel', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.option(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii', maxLength: 40 })), { nil: null }), fc.option(fc.integer(), { nil: null })), {
        maxLength: 60,
      }),
      async (rows) => {
        const t: RowType = { fields: [{ name: 's', type: Types.string() }, { name: 'n', type: Types.int() }] };
        const batch = batchFromRows(t, rows as unknown[][]);
        const transfer: ArrayBuffer[] = [];
        const back = fromWireBatch(await post(toWireBatch(batch, transfer), transfer));
        assert.deepEqual(
          Array.from({ length: back.numRows }, (_, r) => getRow(back, r, t)),
          rows.map((r) => [...r]),
        );
      },
    ),
    { numRuns: 150 },
  );
});

test('a remote output channel posts batches in wire form, in order with its control elements', () => {
  const t: RowType = { fields: [{ name: 's', type: Types.string() }, { name: 'n', type: Types.bigint() }] };
  const got: string[] = [];
  const batches: RecordBatch[] = [];
  const channel = new OutputChannel(
    3,
    {
      remote: true,
      deliver: (_c, e) => got.push(e.kind),
      deliverBatch: (c, wire) => {
        assert.equal(c, 3);
        got.push('batch');
        batches.push(fromWireBatch(structuredClone(wire)));
      },
    },
    100,
    0,
    t,
    () => {},
  );
  const rows = [['k1', 1], [null, 2], ['a value longer than thirteen', 3]];
  channel.sendBatch(batchFromRows(t, rows), false);
  channel.sendWatermark(10);
  channel.sendBatch(batchFromRows(t, [['z', 9]]), true);
  channel.sendEnd();
  assert.deepEqual(got, ['batch', 'watermark', 'batch', 'end']);
  assert.deepEqual(Array.from({ length: 3 }, (_, r) => getRow(batches[0]!, r, t)), rows);
  assert.deepEqual(getRow(batches[1]!, 0, t), ['z', 9]);
});
