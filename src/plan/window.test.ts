/**
 * Window TVFs: argument forms, time-attribute checks, window-aggregate recognition (also cascading over a
 * TUMBLE window aggregate) and the fallbacks that stay regular aggregates.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FloeError } from '../common/index.js';
import type { JobSpec, WindowAggregateSpec } from '../spec/index.js';
import { nexmarkSession } from './test-support.js';

const windowAggs = (job: JobSpec): WindowAggregateSpec[] =>
  job.nodes.flatMap((n) => (n.operator.type === 'window-aggregate' ? [n.operator] : []));
const types = (job: JobSpec): string[] => job.nodes.map((n) => n.operator.type);

describe('window TVF aggregation', () => {
  test('HOP with positional arguments becomes a WindowAggregate (q5 inner query)', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
      FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
      GROUP BY auction, window_start, window_end`);
    const [w] = windowAggs(q.job);
    assert.ok(w);
    assert.deepEqual(w.window, { kind: 'HOP', size: 10000, slide: 2000, offset: 0 });
    assert.deepEqual(w.groupKeys, [0]);
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
    assert.deepEqual(q.resultType.fields.map((f) => f.name), ['auction', 'num', 'starttime', 'endtime']);
    assert.ok(!types(q.job).includes('group-aggregate'));
    const node = q.job.nodes.find((n) => n.operator.type === 'window-aggregate')!;
    assert.match(node.name, /^WindowAggregate\(groupBy=\[auction\], window=\[HOP\(time_col=\[dateTime\], slide=\[2 s\], size=\[10 s\]\)\]/);
  });

  test('named arguments, CUMULATE and OFFSET', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT window_start, window_end, sum(price) AS total
      FROM TABLE(CUMULATE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(dateTime), STEP => INTERVAL '1' MINUTE, SIZE => INTERVAL '1' HOUR, OFFSET => INTERVAL '5' MINUTE))
      GROUP BY window_start, window_end`);
    const [w] = windowAggs(q.job);
    assert.deepEqual(w?.window, { kind: 'CUMULATE', size: 3600000, step: 60000, offset: 300000 });
    // No keys: a global window aggregate at parallelism 1.
    const node = q.job.nodes.find((n) => n.operator.type === 'window-aggregate')!;
    assert.equal(node.parallelism, 1);
    assert.deepEqual(node.inputs[0]!.partitioning, { kind: 'global' });
  });

  test('cascading TUMBLE windows reuse the upstream window_time', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT window_start, window_end, max(num) AS m FROM (
        SELECT auction, count(*) AS num, window_start, window_end
        FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
        GROUP BY auction, window_start, window_end)
      GROUP BY window_start, window_end`);
    const was = windowAggs(q.job);
    assert.equal(was.length, 2);
    assert.ok(!types(q.job).includes('group-aggregate'));
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
  });

  test('cascading over HOP stays a regular aggregate (a window_time falls into several HOP windows)', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT starttime, max(num) FROM (
        SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
        FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
        GROUP BY auction, window_start, window_end)
      GROUP BY starttime, endtime`);
    assert.equal(windowAggs(q.job).length, 1);
    assert.ok(types(q.job).includes('group-aggregate'));
  });

  test('without window_end in GROUP BY the TVF runs as a table function under a regular aggregate', async () => {
    const s = await nexmarkSession();
    const q = await s.query(`
      SELECT window_start, count(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)) GROUP BY window_start`);
    assert.ok(types(q.job).includes('window-table-function'));
    assert.ok(types(q.job).includes('group-aggregate'));
    assert.deepEqual(q.changelogMode, { kind: 'retract' });
  });

  test('a TVF used directly appends window columns', async () => {
    const s = await nexmarkSession();
    const q = await s.query("SELECT auction, window_start, window_end, window_time FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))");
    const tvf = q.job.nodes.find((n) => n.operator.type === 'window-table-function');
    assert.ok(tvf);
    assert.deepEqual(q.resultType.fields.map((f) => f.type.kind), ['BIGINT', 'TIMESTAMP', 'TIMESTAMP', 'TIMESTAMP']);
  });
});

describe('window TVF errors', () => {
  test('the time column must be a time attribute', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE TABLE plain (ts TIMESTAMP(3), v BIGINT) WITH ('connector' = 'datagen')");
    await assert.rejects(
      s.query("SELECT count(*) FROM TABLE(TUMBLE(TABLE plain, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end"),
      (e: FloeError) => {
        assert.equal(e.code, 'PLAN.NOT_TIME_ATTRIBUTE');
        assert.match(e.message, /column 'ts' \(TIMESTAMP\(3\)\) is not a time attribute/);
        return true;
      },
    );
  });

  test('HOP size must be a multiple of the slide; unknown descriptor column has did-you-mean', async () => {
    const s = await nexmarkSession();
    await assert.rejects(
      s.query("SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '3' SECOND, INTERVAL '10' SECOND))"),
      /integral multiple of slide/,
    );
    await assert.rejects(
      s.query("SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(datetime), INTERVAL '3' SECOND))"),
      /column 'datetime' not found in the window's input; did you mean 'dateTime'\?/,
    );
  });
});
