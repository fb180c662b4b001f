/**
 * SESSION windows in the planner: the TVF (PARTITION BY optional) and the legacy GROUP BY SESSION(…) form
 * both become a `session-window-aggregate` keyed by the group keys; what cannot run is rejected.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FloeError } from '../common/index.js';
import type { JobSpec, SessionWindowAggregateSpec } from '../spec/index.js';
import { nexmarkSession } from './test-support.js';

const sessionAggs = (job: JobSpec): SessionWindowAggregateSpec[] =>
  job.nodes.flatMap((n) => (n.operator.type === 'session-window-aggregate' ? [n.operator] : []));

const fails = (code: string) => (e: unknown) => e instanceof FloeError && e.code === code;

describe('SESSION windows', () => {
  test('the TVF with PARTITION BY becomes a session window aggregate keyed by the partition column', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT bidder, window_start, window_end, count(*) AS n, max(price) AS top
      FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
      GROUP BY bidder, window_start, window_end`);
    const [w] = sessionAggs(q.job);
    assert.ok(w);
    assert.equal(w.gap, 10000);
    assert.equal(w.procTime, false);
    assert.deepEqual(w.groupKeys, [0]);
    assert.deepEqual(w.aggregates.map((a) => a.fn), ['COUNT', 'MAX']);
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
    assert.deepEqual(q.resultType.fields.map((f) => f.name), ['bidder', 'window_start', 'window_end', 'n', 'top']);
    const node = q.job.nodes.find((n) => n.operator.type === 'session-window-aggregate')!;
    assert.match(node.name, /^WindowAggregate\(groupBy=\[bidder\], window=\[SESSION\(time_col=\[dateTime\], gap=\[10 s\]\)\]/);
    assert.deepEqual(node.inputs[0]!.partitioning, { kind: 'hash', keys: [0] });
  });

  test('legacy GROUP BY SESSION(…) with SESSION_START / SESSION_END (nexmark q11)', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT B.bidder, count(*) AS bid_count,
        SESSION_START(B.dateTime, INTERVAL '10' SECOND) AS starttime, SESSION_END(B.dateTime, INTERVAL '10' SECOND) AS endtime
      FROM bid B GROUP BY B.bidder, SESSION(B.dateTime, INTERVAL '10' SECOND)`);
    const [w] = sessionAggs(q.job);
    assert.equal(w?.gap, 10000);
    assert.ok(!q.job.nodes.some((n) => n.operator.type === 'group-aggregate'));
    assert.deepEqual(
      q.resultType.fields.map((f) => [f.name, f.type.kind]),
      [['bidder', 'BIGINT'], ['bid_count', 'BIGINT'], ['starttime', 'TIMESTAMP'], ['endtime', 'TIMESTAMP']],
    );
  });

  test('a global session (no keys) runs at parallelism 1; proctime sessions are processing-time', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`SELECT window_start, count(*) FROM TABLE(SESSION(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end`);
    const node = q.job.nodes.find((n) => n.operator.type === 'session-window-aggregate')!;
    assert.equal(node.parallelism, 1);
    await s.run(`CREATE VIEW P AS SELECT *, PROCTIME() AS pt FROM bid`);
    const p = await s.query(`SELECT bidder, count(*) FROM P GROUP BY bidder, SESSION(pt, INTERVAL '5' SECOND)`);
    assert.equal(sessionAggs(p.job)[0]?.procTime, true);
  });

  test('rejected: a bare SESSION TVF, partitioning by an ungrouped column, DISTINCT, mismatched auxiliary functions', async () => {
    const s = await nexmarkSession();
    await assert.rejects(s.query(`SELECT * FROM TABLE(SESSION(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))`), fails('PLAN.UNSUPPORTED_SESSION_TVF'));
    await assert.rejects(
      s.query(`SELECT window_start, count(*) FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`),
      fails('PLAN.UNSUPPORTED_SESSION_TVF'),
    );
    await assert.rejects(
      s.query(`SELECT bidder, count(DISTINCT auction) FROM bid GROUP BY bidder, SESSION(dateTime, INTERVAL '10' SECOND)`),
      fails('PLAN.UNSUPPORTED_SESSION_DISTINCT'),
    );
    await assert.rejects(
      s.query(`SELECT HOP_START(dateTime, INTERVAL '10' SECOND), count(*) FROM bid GROUP BY SESSION(dateTime, INTERVAL '10' SECOND)`),
      fails('PLAN.BAD_GROUP_WINDOW_FUNCTION'),
    );
    await assert.rejects(s.query(`SELECT count(*) FROM bid GROUP BY SESSION(dateTime, INTERVAL '1' YEAR)`), fails('PLAN.BAD_WINDOW_ARGUMENT'));
    await assert.rejects(
      s.query(`SELECT count(*) FROM TABLE(TUMBLE(TABLE bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`),
      fails('PLAN.BAD_WINDOW_ARGUMENT'),
    );
  });
});
