/**
 * Window Top-N / window deduplication recognition: a bounded ROW_NUMBER partitioned by window_start and
 * window_end of an event-time window source becomes `window-rank` (insert-only output); anything else
 * stays a regular Rank.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeSpec, WindowRankSpec } from '../spec/index.js';
import { nexmarkSession } from './test-support.js';

const TVF = `TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))`;

function windowRank(nodes: readonly NodeSpec[]): NodeSpec & { operator: WindowRankSpec } {
  const n = nodes.find((x) => x.operator.type === 'window-rank');
  assert.ok(n, `no window-rank in ${nodes.map((x) => x.name).join(' | ')}`);
  return n as NodeSpec & { operator: WindowRankSpec };
}

describe('window Top-N', () => {
  test('over a window TVF: WindowRank, hash by the partition keys, insert-only', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`SELECT * FROM (SELECT auction, price, window_start, window_end, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rn FROM ${TVF}) WHERE rn <= 3`);
    const n = windowRank(q.job.nodes);
    assert.match(n.name, /^WindowRank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=3\], partitionBy=\[window_start, window_end\], orderBy=\[price DESC\]/);
    assert.equal(n.operator.rankEnd, 3);
    assert.equal(n.operator.outputRankNumber, true);
    assert.equal(n.operator.laterRowFirstOnTies, false);
    assert.deepEqual(n.inputs[0]!.partitioning, { kind: 'hash', keys: n.operator.partitionKeys });
    assert.equal(n.operator.windowEndIndex, n.operator.partitionKeys[1]);
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
    assert.ok(!q.job.nodes.some((x) => x.operator.type === 'rank'));
  });

  test('over a window aggregate, with an extra partition key and the number not selected', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT auction, num FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, auction ORDER BY num DESC) AS rn FROM (
          SELECT auction, bidder, count(*) AS num, window_start, window_end FROM ${TVF} GROUP BY auction, bidder, window_start, window_end))
      WHERE rn <= 2`);
    const n = windowRank(q.job.nodes);
    assert.equal(n.operator.outputRankNumber, false);
    assert.equal(n.operator.partitionKeys.length, 3);
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
  });

  test('window deduplication: rn = 1 by the time attribute, keep first / keep last', async () => {
    const s = await nexmarkSession();
    for (const [dir, keep, later] of [['ASC', 'FirstRow', false], ['DESC', 'LastRow', true]] as const) {
      const q = await s.query(
        `SELECT auction, bidder FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, window_start, window_end ORDER BY dateTime ${dir}) AS rn FROM ${TVF}) WHERE rn = 1`,
      );
      const n = windowRank(q.job.nodes);
      assert.match(n.name, new RegExp(`^WindowDeduplicate\\(keep=\\[${keep}\\], partitionBy=\\[bidder, window_start, window_end\\], orderKey=\\[dateTime\\], order=\\[ROWTIME\\]\\)$`));
      assert.equal(n.operator.laterRowFirstOnTies, later);
      assert.equal(n.operator.rankEnd, 1);
    }
  });

  test('stays a regular Top-N: not partitioned by both window columns, processing-time windows, q19', async () => {
    const s = await nexmarkSession();
    const noEnd = await s.query(`SELECT * FROM (SELECT auction, price, window_start, ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY price DESC) AS rn FROM ${TVF}) WHERE rn <= 3`);
    assert.ok(noEnd.job.nodes.some((x) => x.operator.type === 'rank'));
    assert.ok(!noEnd.job.nodes.some((x) => x.operator.type === 'window-rank'));
    await s.run(`CREATE VIEW P AS SELECT *, PROCTIME() AS pt FROM bid`);
    const proc = await s.query(
      `SELECT * FROM (SELECT auction, price, window_start, window_end, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rn FROM TABLE(TUMBLE(TABLE P, DESCRIPTOR(pt), INTERVAL '10' SECOND))) WHERE rn <= 3`,
    );
    assert.ok(proc.job.nodes.some((x) => x.operator.type === 'rank'));
    const q19 = await s.query(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid) WHERE rank_number <= 10`);
    assert.ok(q19.job.nodes.some((x) => x.operator.type === 'rank'));
    assert.notDeepEqual(q19.changelogMode, { kind: 'insert-only' });
  });
});
