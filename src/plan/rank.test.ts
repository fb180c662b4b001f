/**
 * ROW_NUMBER() Top-N and deduplication: the range forms Flink recognises, QUALIFY, rank-number pruning,
 * the choice between Rank and Deduplicate, changelog modes, and the OVER uses that stay unsupported.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FloeError } from '../common/index.js';
import type { DeduplicateSpec, JobSpec, NodeSpec, RankSpec } from '../spec/index.js';
import { nexmarkSession } from './test-support.js';

const rankNode = (job: JobSpec): NodeSpec & { operator: RankSpec } => {
  const n = job.nodes.find((x) => x.operator.type === 'rank');
  assert.ok(n, `no rank node in ${job.nodes.map((x) => x.name).join(' | ')}`);
  return n as NodeSpec & { operator: RankSpec };
};
const dedupNode = (job: JobSpec): NodeSpec & { operator: DeduplicateSpec } => {
  const n = job.nodes.find((x) => x.operator.type === 'deduplicate');
  assert.ok(n, `no deduplicate node in ${job.nodes.map((x) => x.name).join(' | ')}`);
  return n as NodeSpec & { operator: DeduplicateSpec };
};

const TOP = (filter: string, outer = '*') => `
  SELECT ${outer} FROM (SELECT auction, bidder, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid)
  WHERE ${filter}`;

describe('Top-N planning', () => {
  for (const [filter, start, end] of [
    ['rn <= 3', 1, 3],
    ['rn < 3', 1, 2],
    ['rn = 1', 1, 1],
    ['rn BETWEEN 2 AND 5', 2, 5],
    ['3 >= rn', 1, 3],
    ['rn > 1 AND rn <= 4', 2, 4],
  ] as const) {
    test(`WHERE ${filter} → rankRange [${start}, ${end}]`, async () => {
      const s = await nexmarkSession({ 'parallelism.default': '2' });
      const q = await s.query(TOP(filter));
      const r = rankNode(q.job);
      assert.equal(r.operator.rankStart, start);
      assert.equal(r.operator.rankEnd, end);
      assert.equal(r.operator.outputRankNumber, true);
      assert.deepEqual(r.operator.partitionKeys, [0]);
      assert.deepEqual(r.operator.orderBy, [{ index: 2, descending: true, nullsFirst: false }]);
      assert.deepEqual(r.inputs[0]!.partitioning, { kind: 'hash', keys: [0] });
      assert.deepEqual(q.resultType.fields.map((f) => f.name), ['auction', 'bidder', 'price', 'rn']);
      assert.equal(r.operator.inputMode.kind, 'insert-only');
      // A query result consumes -U: retract mode.
      assert.deepEqual(q.changelogMode, { kind: 'retract' });
      assert.equal(r.operator.generateUpdateBefore, true);
    });
  }

  test('without rn in the outer projection the Rank outputs no rank column (and unread columns are pruned)', async () => {
    const s = await nexmarkSession();
    const q = await s.query(TOP('rn <= 3', 'auction, price'));
    const r = rankNode(q.job);
    assert.equal(r.operator.outputRankNumber, false);
    assert.deepEqual(r.outputType.fields.map((f) => f.name), ['auction', 'price']);
    assert.deepEqual(q.resultType.fields.map((f) => f.name), ['auction', 'price']);
  });

  test('other conditions stay in a Calc after the Rank', async () => {
    const s = await nexmarkSession();
    const q = await s.query(TOP('rn <= 3 AND bidder > 10'));
    const r = rankNode(q.job);
    assert.equal(r.operator.rankEnd, 3);
    const calc = q.job.nodes.find((n) => n.id > r.id && n.operator.type === 'calc');
    assert.match(calc?.name ?? '', /where=\[\(bidder > 10\)\]/);
  });

  test('QUALIFY ROW_NUMBER() OVER (…) <= N, with ASC NULLS FIRST default and no partition (global)', async () => {
    const s = await nexmarkSession({ 'parallelism.default': '2' });
    const q = await s.query(`SELECT auction, price FROM bid QUALIFY ROW_NUMBER() OVER (ORDER BY price) <= 2`);
    const r = rankNode(q.job);
    assert.equal(r.parallelism, 1);
    assert.deepEqual(r.inputs[0]!.partitioning, { kind: 'global' });
    // Only auction and price reach the Rank: price is column 1 of its input.
    assert.deepEqual(r.operator.orderBy, [{ index: 1, descending: false, nullsFirst: true }]);
    assert.equal(r.operator.outputRankNumber, false);
    assert.match(r.name, /^Rank\(strategy=\[AppendFastStrategy\], rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=2\], partitionBy=\[\], orderBy=\[price ASC\]/);
  });

  test('a Top-N over an updating input uses the retract strategy and asks for -U', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT * FROM (
        SELECT auction, cnt, ROW_NUMBER() OVER (ORDER BY cnt DESC) AS rn
        FROM (SELECT auction, count(*) AS cnt FROM bid GROUP BY auction))
      WHERE rn <= 5`);
    const r = rankNode(q.job);
    assert.equal(r.operator.inputMode.kind, 'retract');
    assert.match(r.name, /strategy=\[RetractStrategy\]/);
    const agg = q.job.nodes.find((n) => n.operator.type === 'group-aggregate')!;
    assert.equal(agg.operator.type === 'group-aggregate' && agg.operator.generateUpdateBefore, true);
  });

  test('an insert-only sink rejects a Top-N', async () => {
    const s = await nexmarkSession();
    await s.run(`CREATE TABLE out_t (auction BIGINT, price BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')`);
    await assert.rejects(s.insert(`INSERT INTO out_t ${TOP('rn <= 3', 'auction, price')}`), (e: FloeError) => e.code === 'PLAN.SINK_UPDATES' && /Rank/.test(e.message));
  });

  test('batch mode plans an insert-only Top-N', async () => {
    const s = await nexmarkSession({ 'execution.runtime-mode': 'batch' });
    await s.run(`CREATE TABLE b2 (auction BIGINT, price BIGINT, dt TIMESTAMP(3), WATERMARK FOR dt AS dt) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
    const q = await s.query(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM b2) WHERE rn <= 3`);
    assert.ok(q.job.nodes.every((n) => n.changelogMode.kind === 'insert-only'));
    assert.equal(rankNode(q.job).operator.inputMode.kind, 'insert-only');
  });
});

describe('Deduplicate planning', () => {
  test('ORDER BY rowtime DESC with rn = 1 and rn not selected → keep last row on row time (q18)', async () => {
    const s = await nexmarkSession({ 'parallelism.default': '2' });
    const q = await s.query(`
      SELECT auction, bidder, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rn FROM bid)
      WHERE rn = 1`);
    const d = dedupNode(q.job);
    assert.deepEqual(d.operator.keys, [1, 0]);
    assert.equal(d.operator.keepLast, true);
    assert.equal(d.operator.rowtime, true);
    // The Deduplicate reads auction, bidder, price and dateTime only (pruned below it).
    assert.equal(d.operator.timeIndex, 3);
    assert.equal(d.name, 'Deduplicate(keep=[LastRow], key=[bidder, auction], order=[ROWTIME])');
    assert.deepEqual(d.inputs[0]!.partitioning, { kind: 'hash', keys: [1, 0] });
    assert.deepEqual(q.changelogMode, { kind: 'retract' });
  });

  test('ORDER BY proctime ASC → keep first row, insert-only', async () => {
    const s = await nexmarkSession();
    await s.run(`CREATE TABLE pt_t (k STRING, v BIGINT, pt AS PROCTIME()) WITH ('connector' = 'datagen')`);
    const q = await s.query(`SELECT k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt ASC) AS rn FROM pt_t) WHERE rn <= 1`);
    const d = dedupNode(q.job);
    assert.equal(d.operator.keepLast, false);
    assert.equal(d.operator.rowtime, false);
    assert.equal(d.name, 'Deduplicate(keep=[FirstRow], key=[k], order=[PROCTIME])');
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
  });

  test('rn = 1 on a time attribute stays a Rank when rn is selected, or when not ordered by time alone', async () => {
    const s = await nexmarkSession();
    const selected = await s.query(`SELECT * FROM (SELECT auction, dateTime, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY dateTime) AS rn FROM bid) WHERE rn = 1`);
    rankNode(selected.job);
    const twoKeys = await s.query(`SELECT auction FROM (SELECT auction, price, dateTime, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY dateTime, price) AS rn FROM bid) WHERE rn = 1`);
    rankNode(twoKeys.job);
  });

  test('deduplicating an updating input is rejected as Flink does', async () => {
    const s = await nexmarkSession();
    await s.run(`CREATE TABLE pt2 (k STRING, v BIGINT, pt AS PROCTIME()) WITH ('connector' = 'datagen')`);
    await assert.rejects(
      s.query(`SELECT k, c FROM (SELECT k, c, pt, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt) AS rn FROM (SELECT k, count(*) AS c, PROCTIME() AS pt FROM pt2 GROUP BY k)) WHERE rn = 1`),
      (e: FloeError) => e.code === 'PLAN.DEDUPLICATE_UPDATING_INPUT' && /GroupAggregate\(groupBy=\[k\]\)/.test(e.message),
    );
  });
});

describe('OVER uses that stay unsupported', () => {
  for (const [what, sql, code] of [
    ['a row number with no filter', `SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bid`, 'PLAN.UNSUPPORTED_OVER'],
    ['a filter with only a lower bound', TOP('rn > 2'), 'PLAN.UNSUPPORTED_OVER'],
    ['RANK()', `SELECT * FROM (SELECT auction, RANK() OVER (PARTITION BY auction ORDER BY price) AS r FROM bid) WHERE r <= 3`, 'PLAN.UNSUPPORTED_OVER'],
    ['LAG() OVER (not an aggregate)', `SELECT auction, LAG(price) OVER (PARTITION BY auction ORDER BY dateTime) FROM bid`, 'PLAN.UNSUPPORTED_OVER'],
    ['an expression in PARTITION BY', `SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction + 1 ORDER BY price) AS rn FROM bid) WHERE rn <= 1`, 'PLAN.UNSUPPORTED_OVER'],
    ['ROW_NUMBER without ORDER BY', TOP('rn <= 1').replace(' ORDER BY price DESC', ''), 'PLAN.BAD_ROW_NUMBER'],
    ['QUALIFY without a row number', `SELECT auction FROM bid QUALIFY price > 1`, 'PLAN.UNSUPPORTED_QUALIFY'],
    ['an empty range', TOP('rn < 1'), 'PLAN.EMPTY_RANK_RANGE'],
  ] as const) {
    test(`${what}: ${code}`, async () => {
      const s = await nexmarkSession();
      await assert.rejects(s.query(sql), (e: FloeError) => {
        assert.equal(e.code, code, e.message);
        return true;
      });
    });
  }
});
