/**
 * OVER aggregation in the planner: one Over node per SELECT, the frame and time attribute in the spec,
 * hash partitioning by PARTITION BY, and the errors Flink also gives.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FloeError } from '../common/index.js';
import type { JobSpec, OverAggregateSpec } from '../spec/index.js';
import { nexmarkSession } from './test-support.js';

const overs = (job: JobSpec): OverAggregateSpec[] => job.nodes.flatMap((n) => (n.operator.type === 'over-aggregate' ? [n.operator] : []));
const fails = (code: string) => (e: unknown) => e instanceof FloeError && e.code === code;

describe('OVER aggregation', () => {
  test('several aggregates share one window; arguments computed below; the result keeps its columns', async () => {
    const s = await nexmarkSession();
    // A named window, and the same window written inline, are one window.
    const w = 'OVER (PARTITION BY auction ORDER BY dateTime ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)';
    const r = await s.query(`
      SELECT auction, price, AVG(price) OVER w3 AS a, MAX(price * 2) ${w} AS m
      FROM bid WINDOW w3 AS (PARTITION BY auction ORDER BY dateTime ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)`);
    const [o] = overs(r.job);
    assert.ok(o);
    assert.deepEqual(o.frame, { unit: 'ROWS', preceding: 3 });
    assert.equal(o.procTime, false);
    assert.deepEqual(o.aggregates.map((a) => a.fn), ['AVG', 'MAX']);
    assert.deepEqual(r.resultType.fields.map((f) => f.name), ['auction', 'price', 'a', 'm']);
    assert.deepEqual(r.changelogMode, { kind: 'insert-only' });
    const node = r.job.nodes.find((n) => n.operator.type === 'over-aggregate')!;
    assert.deepEqual(node.inputs[0]!.partitioning, { kind: 'hash', keys: o.partitionKeys });
    assert.match(node.name, /^OverAggregate\(partitionBy=\[auction\], orderBy=\[dateTime ASC\], window=\[ROWS BETWEEN 3 PRECEDING AND CURRENT ROW\], select=\[.*AVG\(price\) AS w0\$o0, MAX\(\$f\d+\) AS w0\$o1\]\)$/);
  });

  test('RANGE interval frames, the default frame, proctime ordering, no partition (parallelism 1)', async () => {
    const s = await nexmarkSession();
    const r = await s.query(`SELECT COUNT(*) OVER (PARTITION BY bidder ORDER BY dateTime RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW) FROM bid`);
    assert.deepEqual(overs(r.job)[0]?.frame, { unit: 'RANGE', preceding: 10000 });
    const d = await s.query(`SELECT SUM(price) OVER (ORDER BY dateTime) FROM bid`);
    assert.deepEqual(overs(d.job)[0]?.frame, { unit: 'RANGE', preceding: null });
    assert.equal(d.job.nodes.find((n) => n.operator.type === 'over-aggregate')!.parallelism, 1);
    await s.run(`CREATE VIEW P AS SELECT *, PROCTIME() AS pt FROM bid`);
    const p = await s.query(`SELECT SUM(price) OVER (PARTITION BY bidder ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM P`);
    assert.equal(overs(p.job)[0]?.procTime, true);
    assert.deepEqual(overs(p.job)[0]?.frame, { unit: 'ROWS', preceding: null });
  });

  test('errors: ordering, frames, several windows, updating input', async () => {
    const s = await nexmarkSession();
    await assert.rejects(s.query(`SELECT SUM(price) OVER nope FROM bid WINDOW w AS (ORDER BY dateTime)`), fails('PLAN.UNKNOWN_WINDOW'));
    await assert.rejects(s.query(`SELECT SUM(price) OVER (ORDER BY price) FROM bid`), fails('PLAN.BAD_OVER_ORDER'));
    await assert.rejects(s.query(`SELECT SUM(price) OVER (ORDER BY dateTime ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM bid`), fails('PLAN.UNSUPPORTED_OVER_FRAME'));
    await assert.rejects(s.query(`SELECT SUM(price) OVER (ORDER BY dateTime ROWS BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) FROM bid`), fails('PLAN.BAD_OVER_FRAME'));
    await assert.rejects(
      s.query(`SELECT SUM(price) OVER (ORDER BY dateTime), COUNT(*) OVER (PARTITION BY bidder ORDER BY dateTime) FROM bid`),
      fails('PLAN.UNSUPPORTED_OVER'),
    );
    await assert.rejects(
      s.query(`SELECT COUNT(*) OVER (PARTITION BY auction ORDER BY dateTime) FROM (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid) WHERE rn <= 1)`),
      (e: unknown) => e instanceof FloeError && e.code === 'PLAN.OVER_UPDATING_INPUT' && /Rank/.test(e.message),
    );
  });
});
