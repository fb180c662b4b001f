import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FloeError } from '../common/index.js';
import type { JobSpec } from '../spec/index.js';
import { chainsOf } from './explain.js';
import { nexmarkSession } from './test-support.js';

test('EXPLAIN shows the AST, the physical tree with changelog modes and exchanges, and the job graph', async () => {
  const s = await nexmarkSession({ 'parallelism.default': '2' });
  const text = await s.explain('EXPLAIN CHANGELOG_MODE SELECT auction, count(*) AS c FROM bid GROUP BY auction');
  const sections = text.split('\n').filter((l) => l.startsWith('== '));
  assert.deepEqual(sections, ['== Abstract Syntax Tree ==', '== Optimized Physical Plan ==', '== Optimized Execution Plan ==']);
  assert.match(text, /^Sink\(table=\[collect\], fields=\[auction, c\], changelogMode=\[NONE\]\)$/m);
  assert.match(text, /^\+- GroupAggregate\(groupBy=\[auction\], select=\[auction, COUNT\(\*\) AS c\], changelogMode=\[I,UB,UA\]\)$/m);
  assert.match(text, /^ {3}\+- Exchange\(distribution=\[hash\[auction\]\], changelogMode=\[I\]\)$/m);
  assert.match(text, /TableSourceScan\(table=\[\[default_catalog, default_database, datagen\]\], fields=\[bid\], filter=\[/);
  assert.match(text, /Chains:\n {2}\[#0 TableSourceScan -> #1 Calc\] parallelism=2\n {2}\[#2 GroupAggregate -> #3 Sink\] parallelism=2/);
});

test('EXPLAIN JSON_EXECUTION_PLAN appends the JobSpec', async () => {
  const s = await nexmarkSession();
  const text = await s.explain('EXPLAIN JSON_EXECUTION_PLAN SELECT auction FROM bid');
  const json = text.slice(text.indexOf('== Physical Execution Plan ==') + '== Physical Execution Plan =='.length);
  const job = JSON.parse(json) as JobSpec;
  assert.equal(job.version, 1);
  assert.deepEqual(job.nodes.map((n) => n.operator.type), ['source', 'calc', 'sink']);
});

test('chains follow forward edges between single consumers', async () => {
  const s = await nexmarkSession({ 'parallelism.default': '2' });
  const q = await s.query('SELECT count(*) FROM bid');
  // COUNT(*) reads no column: the scan projects nothing (no Calc); the global aggregate (parallelism 1) chained with the collect sink that follows it.
  assert.deepEqual(chainsOf(q.job).map((c) => c.map((id) => q.job.nodes[id]!.operator.type)), [['source'], ['group-aggregate', 'sink']]);
});

test('GROUP BY CUMULATE(…) (no legacy group window form) points at the window TVF', async () => {
  const s = await nexmarkSession();
  await assert.rejects(s.query("SELECT count(*) FROM bid GROUP BY CUMULATE(dateTime, INTERVAL '10' SECOND, INTERVAL '1' MINUTE)"), (e: FloeError) => {
    assert.equal(e.code, 'PLAN.UNSUPPORTED_GROUP_WINDOW');
    assert.match(e.help ?? '', /TABLE\(CUMULATE\(TABLE t, DESCRIPTOR\(ts\)/);
    return true;
  });
});

test('a legacy GROUP BY TUMBLE/HOP/SESSION window is named as Flink plans it (GroupWindowAggregate); a window TVF is a WindowAggregate', async () => {
  const s = await nexmarkSession();
  const tumble = await s.explain("SELECT auction, COUNT(*) AS c, TUMBLE_START(dateTime, INTERVAL '10' SECOND) AS ws FROM bid GROUP BY auction, TUMBLE(dateTime, INTERVAL '10' SECOND)");
  assert.match(
    tumble,
    /GroupWindowAggregate\(groupBy=\[auction\], window=\[TumblingGroupWindow\('w\$, dateTime, 10000\)\], properties=\[window_start, window_end, window_time\], select=\[auction, COUNT\(\*\) AS c, start\('w\$\) AS window_start, end\('w\$\) AS window_end, rowtime\('w\$\) AS window_time\]\)/,
  );
  const hop = await s.explain("SELECT auction, COUNT(*) FROM bid GROUP BY auction, HOP(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND)");
  assert.match(hop, /window=\[SlidingGroupWindow\('w\$, dateTime, 10000, 2000\)\]/);
  const tvf = await s.explain("SELECT auction, COUNT(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end");
  assert.match(tvf, /\+- WindowAggregate\(groupBy=\[auction\], window=\[TUMBLE\(time_col=\[dateTime\], size=\[10 s\]\)\]/);
  assert.doesNotMatch(tvf, /GroupWindowAggregate/);
});
