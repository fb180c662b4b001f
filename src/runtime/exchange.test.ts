import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchFromRows, getRow, Types } from '../types/index.js';
import type { RecordBatch, RowType } from '../types/index.js';
import { encodeKey, keyGroupOf, keyGroupRangeForSubtask } from '../state/index.js';
import { ExchangeWriter } from './exchange-output.js';
import { OutputChannel, prepareForTransfer } from './output-channel.js';
import type { ChannelTransport } from './output-channel.js';
import type { StreamElement } from './stream-element.js';
import { Inbox } from './inbox.js';

const rowType: RowType = { fields: [{ name: 'k', type: Types.string() }, { name: 'v', type: Types.bigint() }, { name: 'b', type: Types.boolean() }] };

function sink(): { transport: ChannelTransport; got: StreamElement[] } {
  const got: StreamElement[] = [];
  return { got, transport: { remote: false, deliver: (_c, e) => got.push(e) } };
}

test('hash exchange sends every key to exactly the subtask owning its key group', () => {
  const maxP = 128;
  const p = 4;
  const sinks = Array.from({ length: p }, () => sink());
  const channels = sinks.map((s, i) => new OutputChannel(i, s.transport, 100, 0, rowType, () => {}));
  const w = new ExchangeWriter({ kind: 'hash', keys: [0] }, channels, maxP, rowType);
  const rows = Array.from({ length: 500 }, (_, i) => [i % 37 === 0 ? null : `key-${i % 53}`, i, i % 2 === 0]);
  w.write(batchFromRows(rowType, rows));
  w.write(batchFromRows(rowType, rows.slice(0, 100)));
  const where = new Map<string, number>();
  let total = 0;
  sinks.forEach((s, subtask) => {
    const range = keyGroupRangeForSubtask(maxP, p, subtask);
    for (const e of s.got) {
      assert.equal(e.kind, 'batch');
      const b = (e as { batch: RecordBatch }).batch;
      total += b.numRows;
      for (let r = 0; r < b.numRows; r++) {
        const row = getRow(b, r, rowType);
        const key = encodeKey([row[0]]);
        const group = keyGroupOf(key, maxP);
        assert.ok(group >= range.start && group <= range.end, `key ${String(row[0])} in group ${group} went to subtask ${subtask}`);
        const prev = where.get(key);
        assert.ok(prev === undefined || prev === subtask, 'a key always goes to one subtask');
        where.set(key, subtask);
      }
    }
  });
  assert.equal(total, 600);
  assert.ok(new Set(where.values()).size > 1, 'keys spread over subtasks');
});

test('hash on a BOOLEAN column encodes booleans like the state key codec', () => {
  const sinks = [sink(), sink()];
  const channels = sinks.map((s, i) => new OutputChannel(i, s.transport, 100, 0, rowType, () => {}));
  const w = new ExchangeWriter({ kind: 'hash', keys: [2] }, channels, 128, rowType);
  w.write(batchFromRows(rowType, [['a', 1, true], ['b', 2, false], ['c', 3, null]]));
  for (let s = 0; s < 2; s++) {
    for (const e of sinks[s]!.got) {
      const b = (e as { batch: RecordBatch }).batch;
      for (let r = 0; r < b.numRows; r++) {
        const key = encodeKey([getRow(b, r, rowType)[2]]);
        const range = keyGroupRangeForSubtask(128, 2, s);
        const g = keyGroupOf(key, 128);
        assert.ok(g >= range.start && g <= range.end);
      }
    }
  }
});

test('rebalance rotates whole batches; broadcast reaches every channel', () => {
  const sinks = [sink(), sink(), sink()];
  const channels = sinks.map((s, i) => new OutputChannel(i, s.transport, 100, 0, rowType, () => {}));
  const rb = new ExchangeWriter({ kind: 'rebalance' }, channels, 128, rowType);
  for (let i = 0; i < 6; i++) rb.write(batchFromRows(rowType, [['x', i, true]]));
  assert.deepEqual(sinks.map((s) => s.got.length), [2, 2, 2]);
  const bc = new ExchangeWriter({ kind: 'broadcast' }, channels, 128, rowType);
  bc.write(batchFromRows(rowType, [['x', 9, true]]));
  assert.deepEqual(sinks.map((s) => s.got.length), [3, 3, 3]);
});

test('small batches are coalesced; a watermark waits behind the rows before it; status flushes', () => {
  const s = sink();
  let armed = 0;
  const ch = new OutputChannel(0, s.transport, 100, 5, rowType, () => armed++);
  ch.sendBatch(batchFromRows(rowType, [['a', 1, true], ['b', 2, null]]), false);
  ch.sendWatermark(10);
  ch.sendBatch(batchFromRows(rowType, [['c', 3, false]]), false);
  assert.equal(s.got.length, 0, 'held: 3 rows < 5');
  assert.equal(armed, 1, 'the subtask was asked once to arm its buffer timer');
  ch.sendBatch(batchFromRows(rowType, [['d', 4, true], ['e', 5, true]]), false);
  assert.deepEqual(s.got.map((e) => e.kind), ['batch', 'watermark']);
  const b = (s.got[0] as { batch: RecordBatch }).batch;
  assert.deepEqual(Array.from({ length: b.numRows }, (_, r) => getRow(b, r, rowType)), [
    ['a', 1, true], ['b', 2, null], ['c', 3, false], ['d', 4, true], ['e', 5, true],
  ]);
  ch.sendBatch(batchFromRows(rowType, [['f', 6, true]]), false);
  ch.sendStatus(true);
  ch.sendEnd();
  assert.deepEqual(s.got.map((e) => e.kind), ['batch', 'watermark', 'batch', 'status', 'end']);
});

test('credits: whenWritable waits once maxBuffers batches are in flight', async () => {
  const s = sink();
  const ch = new OutputChannel(0, s.transport, 2, 0, rowType, () => {});
  const one = batchFromRows(rowType, [['a', 1, true]]);
  ch.sendBatch(one, false);
  assert.equal(ch.whenWritable(), undefined);
  ch.sendBatch(one, false);
  const w = ch.whenWritable();
  assert.ok(w instanceof Promise);
  let resolved = false;
  void w.then(() => (resolved = true));
  await Promise.resolve();
  assert.equal(resolved, false);
  ch.addCredit(1);
  await w;
  assert.equal(ch.maxInFlight, 2);
});

test('transfer preparation copies partial views, transfers large owned buffers, never detaches shared ones', () => {
  const n = 1024; // 8 KiB of float64: above TRANSFER_MIN_BYTES
  const big = new Float64Array(4 * n);
  big[0] = 1;
  const view = big.subarray(0, n);
  const partial: RecordBatch = { numRows: n, kinds: null, columns: [{ data: new Array(n).fill('x'), nulls: null }, { data: view, nulls: null }] };
  const t1: ArrayBuffer[] = [];
  const p1 = prepareForTransfer(partial, false, t1);
  assert.equal(t1.length, 1);
  assert.equal((p1.columns[1]!.data as Float64Array).buffer.byteLength, 8 * n, 'copied to an exact-size buffer');
  assert.equal((p1.columns[1]!.data as Float64Array)[0], 1);
  assert.equal(big.length, 4 * n, 'the original stays usable');

  const exact = new Float64Array(n);
  const shared: RecordBatch = { numRows: n, kinds: null, columns: [{ data: exact, nulls: null }, { data: exact, nulls: null }] };
  const t2: ArrayBuffer[] = [];
  const p2 = prepareForTransfer(shared, false, t2);
  assert.notEqual(p2.columns[0]!.data, exact, 'not owned: a copy is transferred');
  assert.equal(exact.length, n);
  const t3: ArrayBuffer[] = [];
  assert.equal(prepareForTransfer(shared, true, t3), shared);
  assert.deepEqual(t3, [exact.buffer], 'owned: transferred as is, once even when two columns share it');

  const small = new Float64Array(8);
  const t4: ArrayBuffer[] = [];
  const tiny: RecordBatch = { numRows: 8, kinds: new Uint8Array(8), columns: [{ data: small, nulls: null }] };
  assert.equal(prepareForTransfer(tiny, true, t4), tiny);
  assert.equal(t4.length, 0, 'small buffers are cheaper to clone');
});

test('inbox: consecutive watermarks of a channel collapse into the newest; order per channel is kept', () => {
  const inbox = new Inbox();
  const b = batchFromRows(rowType, [['a', 1, true]]);
  inbox.push({ channel: 0, element: { kind: 'watermark', watermark: 1 } });
  inbox.push({ channel: 1, element: { kind: 'batch', batch: b } });
  inbox.push({ channel: 0, element: { kind: 'watermark', watermark: 2 } }); // replaces wm 1 (nothing between on channel 0)
  inbox.push({ channel: 1, element: { kind: 'watermark', watermark: 5 } });
  inbox.push({ channel: 0, element: { kind: 'batch', batch: b } });
  inbox.push({ channel: 0, element: { kind: 'watermark', watermark: 3 } }); // after a batch: kept
  const seen: string[] = [];
  for (let item = inbox.poll(); item !== null; item = inbox.poll()) {
    const e = item.element;
    seen.push(`${item.channel}:${e.kind === 'watermark' ? e.watermark : e.kind}`);
  }
  assert.deepEqual(seen, ['0:2', '1:batch', '1:5', '0:batch', '0:3']);
  assert.equal(inbox.maxDepth, 5);
});
