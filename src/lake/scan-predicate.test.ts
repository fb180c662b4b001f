/**
 * Scan predicates: `mayMatch` over exact partition values and file statistics (never false when a row
 * could pass), and `PaimonTable.plan` pruning partitions, buckets and files with them while the rows of
 * the kept splits, filtered, equal the rows of an unpruned read, filtered.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createObjectStore } from '../storage/index.js';
import { Types, batchFromRows, getRow, type LogicalType, type RowType } from '../types/index.js';
import { exactRange, mayMatch, pinnedValues, restrictPredicate, sameOrdering, type ColumnRange, type ScanPredicate } from './scan-predicate.js';
import { createPaimonTable } from './table-create.js';
import type { PaimonTable } from './paimon-table.js';

const INT = Types.int();
const STR = Types.string();
const cmp = (column: string, op: '=' | '<>' | '<' | '<=' | '>' | '>=', value: unknown, type: LogicalType = INT): ScanPredicate => ({ kind: 'compare', column, op, value, type });
const range = (min: unknown, max: unknown, hasNull?: boolean, hasValue?: boolean, type: LogicalType = INT): ColumnRange => ({ type, min, max, hasNull, hasValue });
const only = (column: string, r: ColumnRange) => (c: string) => (c === column ? r : undefined);

describe('mayMatch', () => {
  it('compares against exact values and ranges', () => {
    const r = range(10, 20, false, true);
    assert.equal(mayMatch(cmp('x', '=', 15), only('x', r)), true);
    assert.equal(mayMatch(cmp('x', '=', 21), only('x', r)), false);
    assert.equal(mayMatch(cmp('x', '<', 10), only('x', r)), false);
    assert.equal(mayMatch(cmp('x', '<=', 10), only('x', r)), true);
    assert.equal(mayMatch(cmp('x', '>', 20), only('x', r)), false);
    assert.equal(mayMatch(cmp('x', '>=', 20), only('x', r)), true);
    assert.equal(mayMatch(cmp('x', '<>', 10), only('x', r)), true);
    assert.equal(mayMatch(cmp('x', '<>', 7), only('x', exactRange(INT, 7))), false);
    assert.equal(mayMatch({ kind: 'in', column: 'x', values: [1, 25], type: INT }, only('x', r)), false);
    assert.equal(mayMatch({ kind: 'in', column: 'x', values: [1, 12], type: INT }, only('x', r)), true);
    // x IN (NULL) passes no row.
    assert.equal(mayMatch({ kind: 'in', column: 'x', values: [], type: Types.null() }, only('x', r)), false);
  });

  it('handles NULLs: an all-NULL input passes no comparison, IS NULL needs a NULL', () => {
    const allNull = exactRange(INT, null);
    assert.equal(mayMatch(cmp('x', '=', 1), only('x', allNull)), false);
    assert.equal(mayMatch(cmp('x', '<>', 1), only('x', allNull)), false);
    assert.equal(mayMatch({ kind: 'null', column: 'x', isNull: true }, only('x', allNull)), true);
    assert.equal(mayMatch({ kind: 'null', column: 'x', isNull: false }, only('x', allNull)), false);
    assert.equal(mayMatch({ kind: 'null', column: 'x', isNull: true }, only('x', range(1, 2, false, true))), false);
    // Unknown null counts and missing min/max decide nothing.
    assert.equal(mayMatch({ kind: 'null', column: 'x', isNull: true }, only('x', range(1, 2))), true);
    assert.equal(mayMatch(cmp('x', '=', 99), only('x', range(null, null, true, undefined))), true);
  });

  it('combines with AND and OR; unknown columns and unlike types may match', () => {
    const ranges = (c: string) => (c === 'a' ? exactRange(INT, 1) : c === 'b' ? exactRange(STR, 'x') : undefined);
    assert.equal(mayMatch({ kind: 'and', children: [cmp('a', '=', 1), cmp('b', '=', 'y', STR)] }, ranges), false);
    assert.equal(mayMatch({ kind: 'or', children: [cmp('a', '=', 2), cmp('b', '=', 'x', STR)] }, ranges), true);
    assert.equal(mayMatch({ kind: 'or', children: [cmp('a', '=', 2), cmp('b', '=', 'y', STR)] }, ranges), false);
    assert.equal(mayMatch(cmp('zzz', '=', 2), ranges), true);
    // A DOUBLE value is never compared (NaN), nor a value of another family.
    assert.equal(mayMatch(cmp('a', '=', 2.5, Types.double()), ranges), true);
    assert.equal(mayMatch(cmp('a', '=', 'x', STR), ranges), true);
    assert.equal(sameOrdering(Types.bigint(), INT), true);
    assert.equal(sameOrdering(Types.char(3), STR), true);
    assert.equal(sameOrdering(STR, Types.char(3)), false);
    assert.equal(sameOrdering(Types.decimal(10, 2), Types.decimal(12, 3)), false);
  });

  it('never rules out a range that holds a passing value (property)', () => {
    const ops = ['=', '<>', '<', '<=', '>', '>='] as const;
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -20, max: 20 }), { nil: null }), { minLength: 1, maxLength: 8 }), fc.constantFrom(...ops), fc.integer({ min: -25, max: 25 }), (values, op, v) => {
        const nonNull = values.filter((x): x is number => x !== null);
        const r = range(nonNull.length ? Math.min(...nonNull) : null, nonNull.length ? Math.max(...nonNull) : null, values.length > nonNull.length, nonNull.length > 0);
        const test = { '=': (x: number) => x === v, '<>': (x: number) => x !== v, '<': (x: number) => x < v, '<=': (x: number) => x <= v, '>': (x: number) => x > v, '>=': (x: number) => x >= v }[op];
        if (nonNull.some(test)) assert.equal(mayMatch(cmp('x', op, v), only('x', r)), true);
      }),
    );
  });

  it('restricts to columns and finds pinned values', () => {
    const p: ScanPredicate = { kind: 'and', children: [cmp('a', '=', 1), { kind: 'in', column: 'a', values: [1, 2], type: INT }, cmp('b', '>', 3), { kind: 'or', children: [cmp('a', '=', 1), cmp('b', '=', 1)] }] };
    assert.deepEqual(pinnedValues(p, 'a', INT), [1]);
    assert.equal(pinnedValues(p, 'b', INT), undefined);
    assert.deepEqual(restrictPredicate(p, new Set(['b'])), cmp('b', '>', 3));
    assert.equal(restrictPredicate(cmp('a', '=', 1), new Set(['b'])), null);
  });
});

const ROW: RowType = {
  fields: [
    { name: 'id', type: Types.int(false) },
    { name: 'dt', type: Types.date() },
    { name: 'p', type: Types.int() },
    { name: 'v', type: Types.bigint() },
  ],
};
let counter = 0;

async function table(spec: { primaryKeys?: string[]; partitionKeys?: string[]; options?: Record<string, string> }): Promise<PaimonTable> {
  return createPaimonTable(createObjectStore(`memory://scan-predicate-${process.pid}-${++counter}`), 'db.db/t', { fields: ROW, ...spec });
}

async function commit(t: PaimonTable, rows: unknown[][]): Promise<void> {
  const w = t.newWrite();
  w.write(batchFromRows(ROW, rows));
  await w.commit();
}

/** Rows of every split as sorted JSON, and how many files the plan kept. */
async function read(t: PaimonTable, predicate?: ScanPredicate): Promise<{ rows: unknown[][]; files: number; splits: number }> {
  const splits = await t.plan(undefined, predicate === undefined ? {} : { predicate });
  const rows: unknown[][] = [];
  for (const s of splits) for await (const b of t.readSplit(s)) for (let r = 0; r < b.numRows; r++) rows.push(getRow(b, r, ROW));
  return { rows, files: splits.reduce((n, s) => n + s.files.length, 0), splits: splits.length };
}

/** The filter the scan applies after reading, for the predicates used below. */
function passes(p: ScanPredicate, row: unknown[]): boolean {
  const col = (c: string) => row[ROW.fields.findIndex((f) => f.name === c)] as number | null;
  switch (p.kind) {
    case 'and':
      return p.children.every((c) => passes(c, row));
    case 'or':
      return p.children.some((c) => passes(c, row));
    case 'null':
      return (col(p.column) === null) === p.isNull;
    case 'in':
      return col(p.column) !== null && p.values.includes(col(p.column));
    case 'compare': {
      const x = col(p.column), v = p.value as number;
      if (x === null) return false;
      return { '=': x === v, '<>': x !== v, '<': x < v, '<=': x <= v, '>': x > v, '>=': x >= v }[p.op];
    }
  }
}

const key = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe('PaimonTable.plan with a predicate', () => {
  const predicates: [string, ScanPredicate][] = [
    ['dt = day 2', cmp('dt', '=', 2, Types.date())],
    ['dt IS NULL', { kind: 'null', column: 'dt', isNull: true }],
    ['p IN (1, 3)', { kind: 'in', column: 'p', values: [1, 3], type: INT }],
    ['dt >= 2 AND p < 3', { kind: 'and', children: [cmp('dt', '>=', 2, Types.date()), cmp('p', '<', 3)] }],
    ['dt = 1 OR p = 2', { kind: 'or', children: [cmp('dt', '=', 1, Types.date()), cmp('p', '=', 2)] }],
    ['id = 7', cmp('id', '=', 7, Types.bigint())],
    ['id IN (3, 8)', { kind: 'in', column: 'id', values: [3, 8], type: INT }],
    ['id > 25', cmp('id', '>', 25)],
    ['v > 150', cmp('v', '>', 150, Types.bigint())],
    ['v IS NULL', { kind: 'null', column: 'v', isNull: true }],
  ];
  // Three commits: ids 0..9, 10..19 and an update of ids 0..9 (new v), spread over dt 1..3 and p 1..3.
  const batches = [0, 1, 2].map((k) => Array.from({ length: 10 }, (_, i) => {
    const id = k === 2 ? i : k * 10 + i;
    return [id, id % 4 === 3 ? null : (id % 3) + 1, (id % 3) + 1, k === 2 ? (id % 5 === 0 ? null : 200 + id) : id * 10];
  }));

  for (const kind of ['append', 'primary-key'] as const) {
    it(`reads the same rows as an unpruned read, filtered (${kind})`, async () => {
      const spec: { primaryKeys?: string[]; partitionKeys: string[]; options: Record<string, string> } = kind === 'append'
        ? { partitionKeys: ['dt', 'p'], options: { bucket: '4', 'bucket-key': 'id' } }
        : { primaryKeys: ['id', 'p'], partitionKeys: ['p'], options: { bucket: '4' } };
      const t = await table(spec);
      for (const b of batches) await commit(t, b);
      const all = await read(t);
      for (const [name, p] of predicates) {
        const pruned = await read(t, p);
        assert.deepEqual(key(pruned.rows.filter((r) => passes(p, r))), key(all.rows.filter((r) => passes(p, r))), name);
        assert.ok(pruned.files <= all.files, name);
      }
      const files = async (p: ScanPredicate) => (await read(t, p)).files;
      if (kind === 'append') {
        // Partition pruning (NULL partitions too), bucket pruning, value stats.
        assert.ok((await files(predicates[0]![1])) < all.files);
        assert.ok((await files(predicates[1]![1])) < all.files);
        assert.ok((await files(predicates[5]![1])) < all.files);
        assert.equal(await files(predicates[7]![1]), 0, 'no file holds id > 25');
        assert.ok((await files(predicates[8]![1])) < all.files, 'value stats of append files');
      } else {
        // Partition p, bucket of id (the trimmed primary key), key stats; value stats are not used.
        assert.ok((await files(predicates[2]![1])) < all.files);
        assert.ok((await files(predicates[5]![1])) < all.files);
        assert.equal(await files(predicates[7]![1]), 0, 'key stats rule every file out');
        assert.equal(await files(predicates[8]![1]), all.files, 'value stats of a primary-key table do not prune');
      }
    });
  }

  it('splitMayMatch prunes by partition and bucket only', async () => {
    const t = await table({ primaryKeys: ['id', 'p'], partitionKeys: ['p'], options: { bucket: '4' } });
    await commit(t, batches[0]!);
    const splits = await t.plan();
    const kept = splits.filter((s) => t.splitMayMatch(s, { kind: 'and', children: [cmp('p', '=', 2), cmp('id', '=', 4)] }));
    assert.equal(kept.length, 1);
    assert.deepEqual(kept[0]!.partitionValues, [2]);
    assert.equal(splits.filter((s) => t.splitMayMatch(s, cmp('id', '>', 1000))).length, splits.length);
  });
});
