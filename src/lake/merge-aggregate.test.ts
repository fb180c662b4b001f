/**
 * The `aggregation` merge engine and partial-update sequence groups, at the level of `mergeRuns`: each
 * aggregate function with NULLs and retractions, ignore-retract, remove-record-on-delete, decimals, and
 * sequence groups with rows arriving out of order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowKind, Types, type LogicalType } from '../types/index.js';
import { mergeRuns, mergeSettingsOf, type KvRun, type MergeSpec } from './merge-read.js';

const { INSERT: I, UPDATE_BEFORE: UB, UPDATE_AFTER: UA, DELETE: D } = RowKind;
type Row = [values: unknown[], seq: number, kind: RowKind];

/** One run per row, so rows of a key meet only in the merge (each file sorted by key trivially). */
function runs(rows: Row[]): KvRun[] {
  return rows.map(([values, seq, kind], i) => ({
    file: `f${i}`,
    numRows: 1,
    columns: values.map((v) => [v]),
    sequence: Float64Array.from([seq]),
    kinds: Uint8Array.from([kind]),
    deleted: null,
  }));
}

function fold(types: LogicalType[], options: Record<string, string>, rows: Row[]): unknown[] | null {
  const fields = types.map((type, i) => ({ name: i === 0 ? 'k' : `c${i}`, type }));
  const settings = mergeSettingsOf(options, { fields, primaryKeys: ['k'] }, 't');
  const spec: MergeSpec = {
    engine: settings.engine,
    fields: settings.fields,
    keyIndexes: [0],
    keyTypes: [types[0]!],
    sequenceIndexes: [],
    sequenceTypes: [],
    ignoreDelete: (options['ignore-delete'] ?? 'false') === 'true',
    removeRecordOnDelete: false,
    tableName: 't',
  };
  const out: unknown[][] = [];
  mergeRuns(runs(rows), spec, { copyRow: (r, i) => out.push(r.columns.map((c) => c[i])), appendValues: (v) => out.push([...v]) });
  assert.ok(out.length <= 1);
  return out[0] ?? null;
}

const AGG = { 'merge-engine': 'aggregation' };
const fn = (f: string, extra: Record<string, string> = {}): Record<string, string> => ({ ...AGG, 'fields.c1.aggregate-function': f, ...extra });
const K = Types.int();

test('aggregation: sum, product, count, max, min with NULLs', () => {
  const rows: Row[] = [[[1, 3], 1, I], [[1, null], 2, I], [[1, 4], 3, UA]];
  assert.deepEqual(fold([K, Types.int()], fn('sum'), rows), [1, 7]);
  assert.deepEqual(fold([K, Types.int()], fn('product'), rows), [1, 12]);
  assert.deepEqual(fold([K, Types.bigint()], fn('count'), rows), [1, 2], 'count: the first row counts 1, later NULLs do not count');
  assert.deepEqual(fold([K, Types.int()], fn('max'), rows), [1, 4]);
  assert.deepEqual(fold([K, Types.int()], fn('min'), rows), [1, 3]);
  assert.deepEqual(fold([K, Types.string()], fn('max'), [[[1, 'b'], 1, I], [[1, 'a'], 2, I]]), [1, 'b']);
  assert.deepEqual(fold([K, Types.int()], fn('sum'), [[[1, null], 1, I], [[1, null], 2, I]]), [1, null], 'sum of NULLs is NULL');
});

test('aggregation: integer sums wrap like Java, FLOAT rounds to single precision', () => {
  assert.deepEqual(fold([K, Types.tinyint()], fn('sum'), [[[1, 100], 1, I], [[1, 100], 2, I]]), [1, -56]);
  assert.deepEqual(fold([K, Types.int()], fn('sum'), [[[1, 2147483647], 1, I], [[1, 1], 2, I]]), [1, -2147483648]);
  assert.deepEqual(fold([K, Types.float()], fn('sum'), [[[1, 0.1], 1, I], [[1, 0.2], 2, I]]), [1, Math.fround(0.1 + 0.2)]);
});

test('aggregation: decimals keep their scale; overflow gives NULL', () => {
  const dec = Types.decimal(6, 2);
  assert.deepEqual(fold([K, dec], fn('sum'), [[[1, 150n], 1, I], [[1, 275n], 2, I]]), [1, 425n]);
  // 1.50 * 2.75 = 4.125 -> 4.13 (half up at scale 2)
  assert.deepEqual(fold([K, dec], fn('product'), [[[1, 150n], 1, I], [[1, 275n], 2, I]]), [1, 413n]);
  assert.deepEqual(fold([K, dec], fn('sum'), [[[1, 999999n], 1, I], [[1, 1n], 2, I]]), [1, null]);
  assert.deepEqual(fold([K, dec], fn('product'), [[[1, 600n], 1, I], [[1, 200n], 2, UB]]), [1, 300n], 'retract divides');
});

test('aggregation: last/first value functions, listagg, bool_and/or', () => {
  const rows: Row[] = [[[1, null], 1, I], [[1, 'x'], 2, I], [[1, 'y'], 3, I], [[1, null], 4, I]];
  const s = [K, Types.string()];
  assert.deepEqual(fold(s, fn('last_value'), rows), [1, null]);
  assert.deepEqual(fold(s, fn('last_non_null_value'), rows), [1, 'y']);
  assert.deepEqual(fold(s, AGG, rows), [1, 'y'], 'default is last_non_null_value');
  assert.deepEqual(fold(s, fn('first_value'), rows), [1, null]);
  assert.deepEqual(fold(s, fn('first_non_null_value'), rows), [1, 'x']);
  assert.deepEqual(fold(s, fn('listagg'), rows), [1, 'x,y']);
  assert.deepEqual(fold(s, fn('listagg', { 'fields.c1.list-agg-delimiter': '|' }), [...rows, [[1, ' '], 5, I], [[1, 'x'], 6, I]]), [1, 'x|y|x']);
  const b = [K, Types.boolean()];
  const brows: Row[] = [[[1, true], 1, I], [[1, null], 2, I], [[1, false], 3, I]];
  assert.deepEqual(fold(b, fn('bool_and'), brows), [1, false]);
  assert.deepEqual(fold(b, fn('bool_or'), brows), [1, true]);
});

test('aggregation: retraction subtracts, resets last values, is refused elsewhere unless ignore-retract', () => {
  const rows: Row[] = [[[1, 5], 1, I], [[1, 7], 2, I], [[1, 5], 3, UB], [[1, 2], 4, D]];
  assert.deepEqual(fold([K, Types.int()], fn('sum'), rows), [1, 5]);
  assert.deepEqual(fold([K, Types.int()], fn('count'), rows), [1, 0]);
  assert.deepEqual(fold([K, Types.int()], fn('last_non_null_value'), rows), [1, null]);
  assert.deepEqual(fold([K, Types.int()], fn('sum'), [[[1, null], 1, I], [[1, 4], 2, D]]), [1, -4], 'retraction from NULL negates');
  assert.equal(fold([K, Types.int()], fn('sum'), [[[1, 4], 1, D]]), null, 'a lone retraction is not merged and leaves no row');
  assert.deepEqual(fold([K, Types.int()], fn('count'), [[[1, 7], 1, I]]), [1, 7], 'a lone row is not merged');
  assert.throws(() => fold([K, Types.int()], fn('max'), rows), (e: Error & { code?: string }) => e.code === 'LAKE.AGGREGATE_RETRACT' && /'max'/.test(e.message));
  assert.deepEqual(fold([K, Types.int()], fn('max', { 'fields.c1.ignore-retract': 'true' }), rows), [1, 7]);
  assert.deepEqual(fold([K, Types.int()], fn('sum', { 'ignore-delete': 'true' }), rows), [1, 12]);
});

test('aggregation: remove-record-on-delete drops the key; a later row starts over', () => {
  const o = fn('sum', { 'aggregation.remove-record-on-delete': 'true' });
  assert.equal(fold([K, Types.int()], o, [[[1, 5], 1, I], [[1, 5], 2, D]]), null);
  assert.deepEqual(fold([K, Types.int()], o, [[[1, 5], 1, I], [[1, 5], 2, D], [[1, 9], 3, I]]), [1, 9]);
  assert.deepEqual(fold([K, Types.int()], o, [[[1, 5], 1, I], [[1, 5], 2, UB]]), [1, 0], '-U still retracts');
});

test('aggregation: option errors name the field and function', () => {
  assert.throws(() => fold([K, Types.string()], fn('sum'), []), (e: Error & { code?: string }) => e.code === 'LAKE.BAD_AGGREGATE_FUNCTION' && /c1/.test(e.message));
  assert.throws(() => fold([K, Types.int()], fn('nope'), []), /unknown aggregate function 'nope'/);
  assert.throws(() => fold([K, Types.int()], fn('collect'), []), (e: Error & { code?: string }) => e.code === 'LAKE.UNSUPPORTED_AGGREGATE_FUNCTION');
  assert.throws(() => fold([K, Types.int()], { ...AGG, 'fields.zz.aggregate-function': 'sum', 'fields.c1.sequence-group': 'zz' }, []), /sequence groups/);
});

// Partial update: columns k, c1 (group A value), c2 (group A sequence), c3 (group B value), c4 (group B sequence), c5 (no group).
const PU = { 'merge-engine': 'partial-update', 'fields.c2.sequence-group': 'c1', 'fields.c4.sequence-group': 'c3' };
const PT = [K, Types.string(), Types.int(), Types.string(), Types.int(), Types.string()];

test('partial-update sequence groups: a group updates only from a not-older sequence, NULLs included', () => {
  const rows: Row[] = [
    [[1, 'a2', 2, 'b1', 1, 'x'], 1, I],
    [[1, 'a1', 1, null, 3, null], 2, I], // group A older: ignored; group B newer: takes NULL
    [[1, 'a9', null, 'b9', 3, 'y'], 3, I], // group A sequence NULL: ignored; group B equal: updates
  ];
  assert.deepEqual(fold(PT, PU, rows), [1, 'a2', 2, 'b9', 3, 'y']);
  // Arrival order does not matter for the groups.
  assert.deepEqual(fold(PT, PU, [rows[1]!, rows[0]!]), [1, 'a2', 2, null, 3, 'x']);
});

test('partial-update sequence groups: retraction clears a newer group, aggregators retract', () => {
  const rows: Row[] = [
    [[1, 'a', 2, 'b', 2, 'x'], 1, I],
    [[1, 'a', 3, 'b', 1, null], 2, D], // A newer: cleared (sequence taken); B older: untouched
  ];
  assert.deepEqual(fold(PT, PU, rows), [1, null, 3, 'b', 2, 'x']);
  const agg = { ...PU, 'fields.c3.aggregate-function': 'listagg' };
  assert.deepEqual(fold(PT, agg, [[[1, null, null, 'p', 2, null], 1, I], [[1, null, null, 'q', 1, null], 2, I]]), [1, null, null, 'q,p', 2, null], 'older rows fold in reversed');
  const sum = { ...PU, 'fields.c1.aggregate-function': 'sum' };
  const NT = [K, Types.int(), Types.int(), Types.string(), Types.int(), Types.string()];
  assert.deepEqual(fold(NT, sum, [[[1, 5, 1, null, null, null], 1, I], [[1, 2, 2, null, null, null], 2, I], [[1, 5, 3, null, null, null], 3, UB]]), [1, 2, 3, null, null, null]);
  assert.equal(fold(PT, PU, [[[1, 'a', 1, null, null, null], 1, D], [[1, 'b', 0, null, null, null], 2, UB]]), null, 'no insert: no row');
});

test('partial-update sequence groups: remove-record-on-sequence-group and option checks', () => {
  const o = { ...PU, 'partial-update.remove-record-on-sequence-group': 'c4' };
  const base: Row = [[1, 'a', 1, 'b', 1, 'x'], 1, I];
  assert.equal(fold(PT, o, [base, [[1, null, null, null, 2, null], 2, D]]), null);
  assert.deepEqual(fold(PT, o, [base, [[1, null, null, null, 0, null], 2, D]]), [1, 'a', 1, 'b', 1, 'x'], 'older delete keeps the row');
  assert.deepEqual(fold(PT, o, [base, [[1, null, 2, null, null, null], 2, D]]), [1, null, 2, 'b', 1, 'x'], 'other group only retracts');
  assert.throws(() => fold(PT, { ...PU, 'fields.c4.sequence-group': 'c1' }, []), /multiple sequence groups/);
  assert.throws(() => fold(PT, { ...PU, 'partial-update.remove-record-on-delete': 'true' }, []), /cannot be enabled together/);
  assert.throws(() => fold(PT, { 'merge-engine': 'partial-update', 'fields.c1.aggregate-function': 'max' }, []), /need sequence groups/);
  assert.throws(() => fold(PT, { ...PU, 'fields.c9.sequence-group': 'c1' }, []), /'c9' is not a column/);
});
