import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, getRow, type RecordBatch, type RowType } from '../../types/index.js';
import type { ConnectorContext, SourceSplit } from '../connector.js';
import { datagenSource } from './datagen-source.js';

const T: RowType = {
  fields: [
    { name: 'id', type: Types.bigint() },
    { name: 'age', type: Types.int() },
    { name: 'name', type: Types.varchar(10) },
    { name: 'score', type: Types.double() },
    { name: 'ok', type: Types.boolean() },
    { name: 'amount', type: Types.decimal(6, 2) },
    { name: 'ts', type: Types.timestamp(3) },
  ],
};

const ctxOf = (options: Record<string, string>, type: RowType = T): ConnectorContext => ({
  tableName: 'gen',
  options: { connector: 'datagen', ...options },
  physicalType: type,
  config: () => undefined,
});

async function readAll(ctx: ConnectorContext, p = 1, maxRows = 7): Promise<unknown[][][]> {
  const splits = (await datagenSource.createSplits(ctx, p)) as readonly SourceSplit[];
  const out: unknown[][][] = [];
  for (const s of splits) {
    const reader = await datagenSource.createReader(ctx, s);
    const rows: unknown[][] = [];
    for (let b = (await reader.next(maxRows)) as RecordBatch | null; b !== null; b = (await reader.next(maxRows)) as RecordBatch | null) {
      for (let r = 0; r < b.numRows; r++) rows.push(getRow(b, r, ctx.physicalType));
    }
    out.push(rows);
  }
  return out;
}

const OPTS = {
  'number-of-rows': '100',
  'fields.id.kind': 'sequence',
  'fields.id.start': '1',
  'fields.id.end': '1000',
  'fields.age.min': '18',
  'fields.age.max': '20',
  'fields.name.length': '6',
  'fields.score.min': '0',
  'fields.score.max': '1',
  'fields.amount.min': '1.50',
  'fields.amount.max': '2.00',
  'fields.ok.null-rate': '0.5',
  'fields.ts.max-past': '1 h',
};

test('datagen: sequence and random kinds honour min/max/length/null-rate/max-past; number-of-rows bounds', async () => {
  const before = Date.now();
  const [rows] = await readAll(ctxOf(OPTS));
  assert.equal(rows!.length, 100);
  rows!.forEach((r, i) => {
    const [id, age, name, score, , amount, ts] = r as [number, number, string, number, boolean | null, bigint, number];
    assert.equal(id, i + 1);
    assert.ok(age >= 18 && age <= 20);
    assert.match(name, /^[0-9a-f]{6}$/);
    assert.ok(score >= 0 && score < 1);
    assert.ok(amount >= 150n && amount <= 200n);
    assert.ok(ts <= Date.now() && ts >= before - 3_600_000 - 1000);
  });
  const nulls = rows!.filter((r) => r[4] === null).length;
  assert.ok(nulls > 25 && nulls < 75, `null-rate 0.5 gave ${nulls} NULLs of 100`);
  assert.deepEqual(new Set(rows!.map((r) => r[1])), new Set([18, 19, 20]));
});

test('datagen: seeded — same rows every run; the union over 3 splits equals 1 split', async () => {
  const noTs: RowType = { fields: T.fields.slice(0, 6) };
  const opts = Object.fromEntries(Object.entries(OPTS).filter(([k]) => !k.startsWith('fields.ts')));
  const [a] = await readAll(ctxOf(opts, noTs));
  const [b] = await readAll(ctxOf(opts, noTs), 1, 100);
  assert.deepEqual(a, b);
  const parts = await readAll(ctxOf(opts, noTs), 3);
  assert.deepEqual(parts.map((p) => p.length), [34, 33, 33]);
  const key = (r: unknown[]): string => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  assert.deepEqual(parts.flat().map(key).sort(), a!.map(key).sort());
  const [c] = await readAll(ctxOf({ ...opts, seed: '7' }, noTs));
  assert.notDeepEqual(c, a);
});

test('datagen: the shortest sequence bounds the table; unbounded without limits', async () => {
  const ctx = ctxOf({ 'fields.id.kind': 'sequence', 'fields.id.start': '10', 'fields.id.end': '14' });
  assert.equal(datagenSource.isBounded(ctx), true);
  const [rows] = await readAll(ctx);
  assert.deepEqual(rows!.map((r) => r[0]), [10, 11, 12, 13, 14]);
  assert.equal(datagenSource.isBounded(ctxOf({})), false);
});

test('datagen: rows-per-second paces emission (per-second bursts over all subtasks)', async () => {
  const ctx = ctxOf({ 'rows-per-second': '10', 'number-of-rows': '1000' });
  const [split] = (await datagenSource.createSplits(ctx, 2)) as readonly SourceSplit[];
  const reader = await datagenSource.createReader(ctx, split!);
  const first = (await reader.next(1000)) as RecordBatch;
  assert.equal(first.numRows, 5, 'half of 10 rows/s for one of two subtasks in the first second');
  assert.equal(((await reader.next(1000)) as RecordBatch).numRows, 0);
});

test('datagen: option errors name the table and the key', () => {
  const v = (o: Record<string, string>, type: RowType = T): void => datagenSource.validate!(ctxOf(o, type));
  assert.throws(() => v({ 'fields.nope.kind': 'random' }), /table 'gen': option 'fields.nope.kind' names column 'nope'/);
  assert.throws(() => v({ 'fields.id.kidn': 'random' }), /unknown option 'fields.id.kidn'/);
  assert.throws(() => v({ 'fields.id.kind': 'sequence', 'fields.id.start': '1' }), /'fields.id.end' is required/);
  assert.throws(() => v({ 'fields.age.min': '5', 'fields.age.max': '1' }), /greater than/);
  assert.throws(() => v({ 'fields.age.max': '3000000000' }), /INT range/);
  assert.throws(() => v({ 'fields.ok.kind': 'sequence', 'fields.ok.start': '1', 'fields.ok.end': '2' }), /not supported for BOOLEAN/);
  assert.throws(() => v({ 'fields.ok.null-rate': '2' }), /between 0 and 1/);
  assert.throws(() => v({ 'fields.ts.max-past': 'soon' }), /must be a duration/);
});

test('datagen: nested types (ARRAY, MAP, ROW) and var-len strings', async () => {
  const type: RowType = {
    fields: [
      { name: 'tags', type: Types.array(Types.int()) },
      { name: 'm', type: Types.map(Types.string(), Types.int()) },
      { name: 'r', type: Types.row([{ name: 'x', type: Types.int() }]) },
      { name: 's', type: Types.string() },
    ],
  };
  const [rows] = await readAll(ctxOf({ 'number-of-rows': '20', 'fields.tags.length': '2', 'fields.m.length': '1', 'fields.s.length': '5', 'fields.s.var-len': 'true', 'fields.r.x.min': '1', 'fields.r.x.max': '1' }, type));
  for (const [tags, m, r, s] of rows! as [number[], Map<string, number>, number[], string][]) {
    assert.equal(tags.length, 2);
    assert.equal(m.size, 1);
    assert.deepEqual(r, [1]);
    assert.ok(s.length >= 1 && s.length <= 5);
  }
});
