/**
 * Filter push-down into the `paimon` source: which filter shapes become scan predicates, what EXPLAIN
 * reports as partition pruning, and that the source reads fewer splits (batch) and follows only the
 * matching partitions and buckets (streaming) when the scan's filter is in its context.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLiteral, type ExprIR } from '../../expr/index.js';
import { createPaimonTable, type PaimonTable } from '../../lake/index.js';
import { createObjectStore } from '../../storage/index.js';
import { Types, batchFromRows, getRow, type LogicalType, type RowType } from '../../types/index.js';
import type { ConnectorContext, SplitReader } from '../connector.js';
import { partitionPruningFilter, scanPredicateOf } from './paimon-pushdown.js';
import { paimonSource } from './paimon-source.js';

const ROW: RowType = {
  fields: [
    { name: 'id', type: Types.int(false) },
    { name: 'dt', type: Types.string(false) },
    { name: 'v', type: Types.bigint() },
  ],
};
const BOOL = Types.boolean();
const col = (i: number): ExprIR => ({ kind: 'input', index: i, type: ROW.fields[i]!.type });
const lit = (value: unknown, type: LogicalType): ExprIR => ({ kind: 'literal', value: encodeLiteral(value, type), type });
const call = (fn: string, ...args: ExprIR[]): ExprIR => ({ kind: 'call', fn, args, type: BOOL });
const cast = (arg: ExprIR, type: LogicalType, safe = false): ExprIR => ({ kind: 'cast', arg, type, safe });
const DAY = (d: string) => lit(d, Types.char(d.length, false));

describe('scanPredicateOf', () => {
  it('translates comparisons, IN, IS NULL, AND and OR over columns and literals', () => {
    assert.deepEqual(scanPredicateOf(call('=', col(1), DAY('2026-11-26')), ROW), { kind: 'compare', column: 'dt', op: '=', value: '2026-11-26', type: Types.char(10, false) });
    // Literal first: the operator flips.
    assert.deepEqual(scanPredicateOf(call('<', lit(5, Types.int()), col(0)), ROW), { kind: 'compare', column: 'id', op: '>', value: 5, type: Types.int() });
    assert.deepEqual(scanPredicateOf(call('IN', col(0), lit(1, Types.int()), lit(null, Types.int()), lit(3, Types.int())), ROW), { kind: 'in', column: 'id', values: [1, 3], type: Types.int() });
    assert.deepEqual(scanPredicateOf(call('NOT', call('IS NULL', col(2))), ROW), { kind: 'null', column: 'v', isNull: false });
    const or = scanPredicateOf(call('OR', call('IS NULL', col(1)), call('>=', col(2), lit(7n, Types.bigint()))), ROW);
    assert.equal(or?.kind, 'or');
  });

  it('reads through widening casts only', () => {
    assert.deepEqual(scanPredicateOf(call('=', cast(col(0), Types.bigint()), lit(4, Types.bigint())), ROW), { kind: 'compare', column: 'id', op: '=', value: 4, type: Types.bigint() });
    assert.equal(scanPredicateOf(call('=', cast(col(2), Types.int()), lit(4, Types.int())), ROW), null, 'BIGINT → INT narrows');
    assert.equal(scanPredicateOf(call('=', cast(col(1), Types.varchar(3)), DAY('abc')), ROW), null, 'VARCHAR → VARCHAR(3) truncates');
    assert.equal(scanPredicateOf(call('=', cast(col(0), Types.bigint(), true), lit(4, Types.bigint())), ROW), null, 'TRY_CAST');
  });

  it('leaves out what it cannot translate: the rest of an AND stays, an OR goes whole', () => {
    const upper: ExprIR = call('=', { kind: 'call', fn: 'UPPER', args: [col(1)], type: Types.string() }, DAY('X'));
    assert.equal(scanPredicateOf(upper, ROW), null);
    assert.deepEqual(scanPredicateOf(call('AND', upper, call('IS NULL', col(2))), ROW), { kind: 'null', column: 'v', isNull: true });
    assert.equal(scanPredicateOf(call('OR', upper, call('IS NULL', col(2))), ROW), null);
    assert.equal(scanPredicateOf(call('=', col(0), lit(null, Types.int())), ROW), null, 'comparison with NULL');
    assert.equal(scanPredicateOf(call('=', col(0), col(2)), ROW), null, 'two columns');
    assert.equal(scanPredicateOf({ kind: 'input', index: 7, type: BOOL }, ROW), null, 'computed column');
  });

  it('reports only partition-column conjuncts for EXPLAIN', () => {
    const onDt = call('=', col(1), DAY('2026-11-26'));
    const filter = call('AND', call('AND', onDt, call('>', col(2), lit(3n, Types.bigint()))), call('OR', onDt, call('=', col(0), lit(1, Types.int()))));
    assert.deepEqual(partitionPruningFilter(filter, ROW, [1]), onDt);
    assert.equal(partitionPruningFilter(filter, ROW, []), null);
    assert.equal(partitionPruningFilter(call('>', col(2), lit(3n, Types.bigint())), ROW, [1]), null);
  });
});

let counter = 0;

async function newTable(options: Record<string, string>, primaryKeys: string[] = ['id', 'dt']): Promise<{ table: PaimonTable; path: string }> {
  const storeName = `paimon-pushdown-${process.pid}-${++counter}`;
  const table = await createPaimonTable(createObjectStore(`memory://${storeName}`), 'db.db/t', { fields: ROW, primaryKeys, partitionKeys: ['dt'], options });
  return { table, path: `memory://${storeName}/db.db/t` };
}

function ctx(path: string, mode: 'batch' | 'streaming', filter?: ExprIR): ConnectorContext {
  const config: Record<string, string> = { 'execution.runtime-mode': mode };
  return {
    tableName: 'lake.db.t',
    options: { connector: 'paimon', path, 'continuous.discovery-interval': '0 ms' },
    physicalType: ROW,
    ...(filter === undefined ? {} : { filter }),
    config: (k) => config[k],
  };
}

async function commit(table: PaimonTable, rows: unknown[][]): Promise<void> {
  const w = table.newWrite();
  w.write(batchFromRows(ROW, rows));
  await w.commit();
}

async function readAll(c: ConnectorContext): Promise<{ rows: string[]; splits: number }> {
  const splits = await paimonSource.createSplits(c, 1);
  const rows: string[] = [];
  for (const split of splits) {
    const reader = await paimonSource.createReader(c, split);
    for (let b = await reader.next(1024); b !== null; b = await reader.next(1024)) for (let r = 0; r < b.numRows; r++) rows.push(JSON.stringify(getRow(b, r, ROW)));
    await reader.close();
  }
  return { rows: rows.sort(), splits: splits.length };
}

async function drain(reader: SplitReader): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const b = await reader.next(1024);
    assert.notEqual(b, null);
    if (b!.numRows === 0) return out.sort();
    for (let r = 0; r < b!.numRows; r++) out.push(JSON.stringify(getRow(b!, r, ROW)));
  }
}

describe('paimon source with a pushed filter', () => {
  const rows = (day: string, ids: number[]) => ids.map((id) => [id, day, id * 10]);

  it('batch: plans only the splits of matching partitions and buckets', async () => {
    const { table, path } = await newTable({ bucket: '4' });
    const ids = Array.from({ length: 20 }, (_, i) => i);
    await commit(table, [...rows('a', ids), ...rows('b', ids)]);
    const all = await readAll(ctx(path, 'batch'));
    assert.equal(all.rows.length, 40);
    // The bucket is the hash of the id (the primary key without the partition): both partitions use the same buckets.
    const partition = await readAll(ctx(path, 'batch', call('=', col(1), DAY('b'))));
    assert.equal(partition.splits * 2, all.splits);
    assert.ok(partition.rows.every((r) => r.includes('"b"')) && partition.rows.length === 20);
    const bucket = await readAll(ctx(path, 'batch', call('AND', call('=', col(1), DAY('b')), call('=', col(0), lit(5, Types.int())))));
    assert.equal(bucket.splits, 1);
    assert.ok(bucket.rows.includes(JSON.stringify([5, 'b', 50])), 'the bucket of id 5 is read');
    const none = await readAll(ctx(path, 'batch', call('=', col(1), DAY('zzz'))));
    assert.deepEqual(none, { rows: [], splits: 0 });
  });

  it('streaming: the full read and every later snapshot read only matching partitions', async () => {
    const { table, path } = await newTable({ bucket: '2' });
    await commit(table, [...rows('a', [1, 2]), ...rows('b', [1, 2])]);
    const c = ctx(path, 'streaming', call('=', col(1), DAY('b')));
    const [split] = await paimonSource.createSplits(c, 1);
    const reader = await paimonSource.createReader(c, split!);
    // The reader itself does not filter rows: seeing none of partition 'a' shows its splits were pruned.
    assert.deepEqual(await drain(reader), ['[1,"b",10]', '[2,"b",20]']);
    await commit(table, [...rows('a', [3]), ...rows('b', [3])]);
    assert.deepEqual(await drain(reader), ['[3,"b",30]']);
    await reader.close();
  });

  it('streaming append table: new files of other partitions are not read', async () => {
    const { table, path } = await newTable({}, []);
    const c = ctx(path, 'streaming', call('IN', col(1), DAY('x'), DAY('y')));
    const [split] = await paimonSource.createSplits(c, 1);
    const reader = await paimonSource.createReader(c, split!);
    assert.deepEqual(await drain(reader), []);
    await commit(table, [...rows('x', [1]), ...rows('z', [2]), ...rows('y', [3])]);
    assert.deepEqual(await drain(reader), ['[1,"x",10]', '[3,"y",30]']);
    await reader.close();
  });
});
