import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RowKind, Types } from '../types/index.js';
import { mergeRuns, mergeSettingsOf, type KvRun, type MergeEngineName, type MergeSpec } from './merge-read.js';

/** A run from rows `[key, value, seq, kind]`, sorted by key as Paimon writes them. */
function run(name: string, rows: [number, unknown, number, RowKind][], deleted: number[] = []): KvRun {
  const n = rows.length;
  const mask = new Uint8Array(n);
  for (const d of deleted) mask[d] = 1;
  return {
    file: name,
    numRows: n,
    columns: [rows.map((r) => r[0]), rows.map((r) => r[1])],
    sequence: Float64Array.from(rows.map((r) => r[2])),
    kinds: Uint8Array.from(rows.map((r) => r[3])),
    deleted: deleted.length > 0 ? mask : null,
  };
}

function spec(engine: MergeEngineName, extra: Partial<MergeSpec> = {}): MergeSpec {
  return {
    engine,
    keyIndexes: [0],
    keyTypes: [Types.int()],
    sequenceIndexes: [],
    sequenceTypes: [],
    ignoreDelete: false,
    removeRecordOnDelete: false,
    tableName: 't',
    ...extra,
  };
}

function merge(runs: KvRun[], s: MergeSpec): unknown[][] {
  const out: unknown[][] = [];
  mergeRuns(runs, s, {
    copyRow: (r, i) => out.push(r.columns.map((c) => c[i])),
    appendValues: (v) => out.push([...v]),
  });
  return out;
}

const { INSERT: I, UPDATE_BEFORE: UB, UPDATE_AFTER: UA, DELETE: D } = RowKind;

test('deduplicate: highest sequence number wins, -D removes, output in key order', () => {
  const a = run('a', [[1, 'a1', 1, I], [2, 'b1', 2, I], [3, 'c1', 3, I]]);
  const b = run('b', [[2, 'b2', 5, UA], [3, 'c2', 6, D], [4, 'd1', 4, I]]);
  assert.deepEqual(merge([a, b], spec('deduplicate')), [[1, 'a1'], [2, 'b2'], [4, 'd1']]);
  assert.deepEqual(merge([b, a], spec('deduplicate')), [[1, 'a1'], [2, 'b2'], [4, 'd1']], 'run order does not matter');
  // ignore-delete keeps the last accumulating row instead.
  assert.deepEqual(merge([a, b], spec('deduplicate', { ignoreDelete: true })), [[1, 'a1'], [2, 'b2'], [3, 'c1'], [4, 'd1']]);
  assert.deepEqual(merge([], spec('deduplicate')), []);
});

test('deduplicate: rows masked by a deletion vector do not take part', () => {
  const a = run('a', [[1, 'old', 1, I], [2, 'x', 2, I]], [0]);
  const b = run('b', [[1, 'new', 3, UA]], [0]);
  assert.deepEqual(merge([a, b], spec('deduplicate')), [[2, 'x']]);
});

test('first-row: lowest sequence number wins, retractions are ignored', () => {
  const a = run('a', [[1, 'late', 9, I], [2, 'b', 2, I]]);
  const b = run('b', [[1, 'early', 3, I], [2, 'gone?', 4, D]]);
  assert.deepEqual(merge([a, b], spec('first-row')), [[1, 'early'], [2, 'b']]);
});

test('partial-update: non-null fields overwrite; deletes need ignore-delete or remove-record-on-delete', () => {
  const three = (name: string, rows: [number, unknown, unknown, number, RowKind][]): KvRun => ({
    file: name,
    numRows: rows.length,
    columns: [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    sequence: Float64Array.from(rows.map((r) => r[3])),
    kinds: Uint8Array.from(rows.map((r) => r[4])),
    deleted: null,
  });
  const a = three('a', [[1, 'x', null, 1, I], [2, 'y', 10, 2, I]]);
  const b = three('b', [[1, null, 5, 3, I], [2, null, null, 4, D]]);
  assert.throws(() => merge([a, b], spec('partial-update')), (e: Error & { code?: string }) => e.code === 'LAKE.PARTIAL_UPDATE_DELETE');
  assert.deepEqual(merge([a, b], spec('partial-update', { ignoreDelete: true })), [[1, 'x', 5], [2, 'y', 10]]);
  assert.deepEqual(merge([a, b], spec('partial-update', { removeRecordOnDelete: true })), [[1, 'x', 5]]);
  const ub = three('c', [[1, null, 7, 5, UB]]);
  assert.throws(() => merge([a, b, ub], spec('partial-update', { removeRecordOnDelete: true })), /-U/);
});

test('sequence.field orders a key group before the sequence number', () => {
  // Column 1 is the user sequence field: the row with the larger value wins even with a lower seq number.
  const a = run('a', [[1, 20, 1, I]]);
  const b = run('b', [[1, 10, 2, I]]);
  assert.deepEqual(merge([a, b], spec('deduplicate', { sequenceIndexes: [1], sequenceTypes: [Types.int()] })), [[1, 20]]);
  assert.deepEqual(merge([a, b], spec('deduplicate')), [[1, 10]]);
});

test('a run whose keys go backwards is reported, not merged wrongly', () => {
  const bad = run('bad.parquet', [[2, 'x', 1, I], [1, 'y', 2, I]]);
  assert.throws(() => merge([bad], spec('deduplicate')), (e: Error & { code?: string }) => e.code === 'LAKE.UNSORTED_RUN' && /bad\.parquet/.test(e.message));
});

test('k-way merge equals a sort-based oracle for deduplicate', () => {
  const arb = fc.array(fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { selector: (x) => x[0], maxLength: 20 }), { maxLength: 6 });
  fc.assert(
    fc.property(arb, (files) => {
      let seq = 0;
      const runs = files.map((rows, f) =>
        run(`f${f}`, [...rows].sort((x, y) => x[0] - y[0]).map(([k, del]) => [k, `v${seq}`, seq++, del ? D : I] as [number, unknown, number, RowKind])),
      );
      // Oracle: per key the row with the highest sequence number; drop it when it is a delete.
      const best = new Map<number, [unknown, number, number]>();
      for (const r of runs) for (let i = 0; i < r.numRows; i++) {
        const k = r.columns[0]![i] as number;
        const prev = best.get(k);
        if (prev === undefined || prev[1] < r.sequence[i]!) best.set(k, [r.columns[1]![i], r.sequence[i]!, r.kinds[i]!]);
      }
      const expected = [...best].filter(([, v]) => v[2] !== D).sort((x, y) => x[0] - y[0]).map(([k, v]) => [k, v[0]]);
      assert.deepEqual(merge(runs, spec('deduplicate')), expected);
    }),
  );
});

test('mergeSettingsOf: the engine, and per-column settings only where the engine has them', () => {
  const schema = { fields: [{ name: 'k', type: Types.bigint() }, { name: 'v', type: Types.bigint() }], primaryKeys: ['k'] };
  assert.deepEqual(mergeSettingsOf({}, schema, 't'), { engine: 'deduplicate', fields: undefined });
  assert.equal(mergeSettingsOf({ 'merge-engine': 'first-row' }, schema, 't').engine, 'first-row');
  const agg = mergeSettingsOf({ 'merge-engine': 'aggregation', 'fields.v.aggregate-function': 'sum' }, schema, 't');
  assert.equal(agg.engine, 'aggregation');
  assert.notEqual(agg.fields, undefined);
  assert.throws(() => mergeSettingsOf({ 'merge-engine': 'nope' }, schema, 't'), (e: Error & { code?: string }) => e.code === 'LAKE.UNSUPPORTED_MERGE_ENGINE');
});
