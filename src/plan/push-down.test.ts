/**
 * Projection/filter push-down into scans, calc merging and constant folding, checked on the SourceSpec
 * and CalcSpec the planner emits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceSpec } from '../spec/index.js';
import { TestSession, nexmarkScript, nexmarkSession } from './test-support.js';

test("q0's source reads only the bid columns (projection) and filters event_type in the scan", async () => {
  const s = new TestSession();
  const job = await s.insert(nexmarkScript('q0'));
  const source = job.nodes[0]!.operator as SourceSpec;
  assert.equal(source.type, 'source');
  assert.equal(source.connector, 'nexmark');
  const ext = [...source.physicalType.fields.map((f) => f.name), ...source.computed.map((c) => c.name)];
  assert.deepEqual(source.projection.map((i) => ext[i]), ['bid', 'dateTime']);
  assert.ok(source.filter !== null);
  assert.ok(source.watermark !== null);
  assert.equal(ext[source.watermark.rowtimeIndex], 'dateTime');
  // One Calc between the scan and the sink: the view's projection and q0's were merged.
  assert.deepEqual(job.nodes.map((n) => n.operator.type), ['source', 'calc', 'sink']);
});

test('unused computed columns are not computed by the scan', async () => {
  const s = new TestSession();
  await s.ddl(`CREATE TABLE t (a BIGINT, b BIGINT, c AS a + 1, d AS b * 2) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
  const q = await s.query('SELECT d FROM t');
  const source = q.job.nodes[0]!.operator as SourceSpec;
  assert.deepEqual(source.computed.map((c) => c.name), ['d']);
  assert.deepEqual(source.projection, [2]);
});

test('constants are folded and a TRUE condition disappears', async () => {
  const s = await nexmarkSession();
  const q = await s.query('SELECT auction, 1 + 2 AS three FROM bid WHERE 1 = 1');
  const calc = q.job.nodes.find((n) => n.operator.type === 'calc');
  assert.ok(calc && calc.operator.type === 'calc');
  if (calc?.operator.type !== 'calc') return;
  const three = calc.operator.projection[1]!;
  assert.equal(three.kind, 'literal');
  assert.equal(three.kind === 'literal' && three.value, 3);
  assert.equal(calc.operator.condition, null);
});

test('filters on one side of an inner join are pushed below it', async () => {
  const s = await nexmarkSession();
  const q = await s.query("SELECT P.name FROM auction A JOIN person P ON A.seller = P.id WHERE P.state = 'OR' AND A.category = 10");
  const join = q.job.nodes.find((n) => n.operator.type === 'join')!;
  assert.equal(join.operator.type === 'join' && join.operator.condition, null);
  const sources = q.job.nodes.filter((n) => n.operator.type === 'source').map((n) => n.operator as SourceSpec);
  // Both side filters ended up in the scans, next to the views' event_type filters.
  assert.equal(sources.length, 2);
  for (const src of sources) assert.ok(src.filter?.kind === 'call' && src.filter.fn === 'AND');
});

test('a statement set shares identical sub-plans (one source for two sinks)', async () => {
  const s = await nexmarkSession();
  const job = await s.insert(`
    CREATE TABLE o1 (a BIGINT) WITH ('connector' = 'blackhole');
    CREATE TABLE o2 (a BIGINT) WITH ('connector' = 'blackhole');
    EXECUTE STATEMENT SET BEGIN
      INSERT INTO o1 SELECT auction FROM bid;
      INSERT INTO o2 SELECT auction FROM bid;
    END;`);
  const sinks = job.nodes.filter((n) => n.operator.type === 'sink');
  assert.equal(sinks.length, 2);
  assert.equal(job.nodes.filter((n) => n.operator.type === 'source').length, 1);
});

test('join inputs keep only the columns read above the join or by its condition (nexmark q3)', async () => {
  const s = new TestSession();
  const job = await s.insert(nexmarkScript('q3'));
  const join = job.nodes.find((n) => n.operator.type === 'join')!;
  assert.ok(join.operator.type === 'join');
  if (join.operator.type !== 'join') return;
  assert.deepEqual(join.operator.leftType.fields.map((f) => f.name), ['id', 'seller']);
  assert.deepEqual(join.operator.rightType.fields.map((f) => f.name), ['id', 'name', 'city', 'state']);
});

test('a PROCTIME() column read once is merged into one Calc (nexmark q12)', async () => {
  const s = new TestSession();
  const job = await s.insert(nexmarkScript('q12'));
  const calcs = job.nodes.filter((n) => n.operator.type === 'calc');
  const wa = job.nodes.find((n) => n.operator.type === 'window-aggregate')!;
  assert.ok(wa.operator.type === 'window-aggregate' && wa.operator.procTime);
  // One Calc before the window aggregate (the view's and q12's merged) and one after it.
  assert.equal(calcs.length, 2);
});

test("'scan.parallelism' sets one source's parallelism", async () => {
  const s = new TestSession({ 'parallelism.default': '3' });
  await s.ddl("CREATE TABLE g (a BIGINT) WITH ('connector' = 'datagen', 'scan.parallelism' = '1', 'number-of-rows' = '5')");
  const q = await s.query('SELECT a, count(*) FROM g GROUP BY a');
  assert.deepEqual(q.job.nodes.map((n) => n.parallelism), [1, 3, 3]);
  assert.deepEqual(q.job.nodes[1]!.inputs[0]!.partitioning, { kind: 'hash', keys: [0] });
});
