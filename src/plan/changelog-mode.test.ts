/**
 * Changelog-mode inference: which edges are insert-only, upsert or retract, when -U is generated, sink
 * rejection of updates, and batch mode (everything insert-only, unbounded sources rejected).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FloeError } from '../common/index.js';
import type { JobSpec, NodeSpec } from '../spec/index.js';
import { formatKinds, KIND_D, KIND_I, KIND_UA, KIND_UB, toChangelogMode } from './changelog-mode.js';
import { nexmarkSession } from './test-support.js';

const byType = (job: JobSpec, type: NodeSpec['operator']['type']): NodeSpec[] => job.nodes.filter((n) => n.operator.type === type);

describe('row kinds', () => {
  test('mapping to stream modes', () => {
    assert.deepEqual(toChangelogMode(KIND_I, null), { kind: 'insert-only' });
    assert.deepEqual(toChangelogMode(KIND_I | KIND_UA, [0]), { kind: 'upsert', key: [0] });
    assert.deepEqual(toChangelogMode(KIND_I | KIND_UA | KIND_D, []), { kind: 'upsert', key: [] });
    assert.deepEqual(toChangelogMode(KIND_I | KIND_UB | KIND_UA, [0]), { kind: 'retract' });
    // Deletions without a key (outer join output) must carry the whole row.
    assert.deepEqual(toChangelogMode(KIND_I | KIND_D, null), { kind: 'retract' });
    assert.equal(formatKinds(KIND_I | KIND_UB | KIND_UA | KIND_D), '[I,UB,UA,D]');
  });
});

describe('group aggregate', () => {
  test('SELECT to the collect sink: retract with -U', async () => {
    const s = await nexmarkSession();
    const q = await s.query('SELECT auction, count(*) AS c FROM bid GROUP BY auction');
    assert.deepEqual(q.changelogMode, { kind: 'retract' });
    const agg = byType(q.job, 'group-aggregate')[0]!;
    assert.equal(agg.operator.type === 'group-aggregate' && agg.operator.generateUpdateBefore, true);
    assert.deepEqual(agg.changelogMode, { kind: 'retract' });
    assert.equal(q.job.nodes[q.collectNodeId]!.operator.type, 'sink');
  });

  test('into blackhole: upsert on the group key, no -U (as Flink plans nexmark q15–q17)', async () => {
    const s = await nexmarkSession();
    const job = await s.insert(`
      CREATE TABLE out1 (auction BIGINT, c BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out1 SELECT auction, count(*) FROM bid GROUP BY auction;`);
    const agg = byType(job, 'group-aggregate')[0]!;
    assert.deepEqual(agg.changelogMode, { kind: 'upsert', key: [0] });
    assert.equal(agg.operator.type === 'group-aggregate' && agg.operator.generateUpdateBefore, false);
    assert.deepEqual(agg.inputs[0]!.partitioning, { kind: 'hash', keys: [0] });
    const sink = byType(job, 'sink')[0]!;
    assert.deepEqual(sink.operator.type === 'sink' && sink.operator.inputMode, { kind: 'upsert', key: [0] });
  });

  test('aggregate over an updating aggregate consumes retractions and may delete', async () => {
    const s = await nexmarkSession();
    const q = await s.query('SELECT c, count(*) FROM (SELECT auction, count(*) AS c FROM bid GROUP BY auction) GROUP BY c');
    const [inner, outer] = byType(q.job, 'group-aggregate');
    assert.ok(inner && outer);
    // The outer aggregate needs the old row of every update: the inner one must emit -U.
    assert.equal(inner.operator.type === 'group-aggregate' && inner.operator.generateUpdateBefore, true);
    assert.deepEqual(outer.operator.type === 'group-aggregate' && outer.operator.inputMode, { kind: 'retract' });
    assert.deepEqual(q.changelogMode, { kind: 'retract' });
    const text = await s.explain('SELECT c, count(*) FROM (SELECT auction, count(*) AS c FROM bid GROUP BY auction) GROUP BY c');
    assert.match(text, /GroupAggregate\(groupBy=\[c\].*changelogMode=\[I,UB,UA,D\]\)/);
    assert.match(text, /GroupAggregate\(groupBy=\[auction\].*changelogMode=\[I,UB,UA\]\)/);
  });

  test('a global aggregate runs at parallelism 1 behind a global edge', async () => {
    const s = await nexmarkSession({ 'parallelism.default': '4' });
    const q = await s.query('SELECT count(*) FROM bid');
    const agg = byType(q.job, 'group-aggregate')[0]!;
    assert.equal(agg.parallelism, 1);
    assert.deepEqual(agg.inputs[0]!.partitioning, { kind: 'global' });
    assert.deepEqual(agg.changelogMode, { kind: 'retract' });
    // The collect sink keeps the updating stream in order by following the aggregate's parallelism.
    const sink = q.job.nodes[q.collectNodeId]!;
    assert.equal(sink.parallelism, 1);
    assert.deepEqual(sink.inputs[0]!.partitioning, { kind: 'forward' });
  });

  test('a filter over updates needs the old rows', async () => {
    const s = await nexmarkSession();
    const job = await s.insert(`
      CREATE TABLE out2 (auction BIGINT, c BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out2 SELECT auction, c FROM (SELECT auction, count(*) AS c FROM bid GROUP BY auction) WHERE c > 10;`);
    const agg = byType(job, 'group-aggregate')[0]!;
    assert.equal(agg.operator.type === 'group-aggregate' && agg.operator.generateUpdateBefore, true);
  });
});

describe('sinks', () => {
  test('an insert-only sink rejects updating input at planning time', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE TABLE files (auction BIGINT, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/floe-plan-test', 'format' = 'csv')");
    await assert.rejects(s.insert('INSERT INTO files SELECT auction, count(*) FROM bid GROUP BY auction'), (e: FloeError) => {
      assert.equal(e.code, 'PLAN.SINK_UPDATES');
      assert.match(e.message, /table 'default_catalog\.default_database\.files' \(connector 'filesystem'\) cannot consume updates produced by GroupAggregate\(groupBy=\[auction\]\)/);
      return true;
    });
    // The same aggregation as a window aggregate is insert-only and accepted.
    const job = await s.insert(
      "INSERT INTO files SELECT auction, count(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end",
    );
    assert.deepEqual(byType(job, 'sink')[0]!.operator.type === 'sink' && (byType(job, 'sink')[0]!.operator as { inputMode: unknown }).inputMode, { kind: 'insert-only' });
  });

  test('batch mode: every edge is insert-only, so insert-only sinks take aggregates', async () => {
    const s = await nexmarkSession({ 'execution.runtime-mode': 'batch' });
    await s.ddl("CREATE TABLE files (auction BIGINT, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/floe-plan-test', 'format' = 'csv')");
    const job = await s.insert('INSERT INTO files SELECT auction, count(*) FROM bid GROUP BY auction');
    assert.ok(job.nodes.every((n) => n.changelogMode.kind === 'insert-only'));
    const agg = byType(job, 'group-aggregate')[0]!;
    assert.equal(agg.operator.type === 'group-aggregate' && agg.operator.generateUpdateBefore, false);
    assert.equal(job.config['execution.runtime-mode'], 'batch');
  });

  test('batch mode rejects unbounded sources', async () => {
    const s = await nexmarkSession({ 'execution.runtime-mode': 'batch' });
    await s.ddl("CREATE TABLE gen (x BIGINT) WITH ('connector' = 'datagen')");
    await assert.rejects(s.query('SELECT x FROM gen'), (e: FloeError) => {
      assert.equal(e.code, 'PLAN.UNBOUNDED_SOURCE');
      assert.match(e.message, /default_catalog\.default_database\.gen \(connector 'datagen'\) is unbounded/);
      return true;
    });
  });
});

describe('joins', () => {
  test('inner join of insert-only inputs is insert-only and hashes both sides by the keys', async () => {
    const s = await nexmarkSession({ 'parallelism.default': '2' });
    const q = await s.query('SELECT P.name, A.itemName FROM auction A JOIN person P ON A.seller = P.id');
    const join = byType(q.job, 'join')[0]!;
    assert.deepEqual(join.changelogMode, { kind: 'insert-only' });
    assert.equal(join.operator.type === 'join' && join.operator.joinType, 'INNER');
    assert.deepEqual(join.inputs.map((e) => e.partitioning.kind), ['hash', 'hash']);
  });

  test('a comma join with an equality in WHERE becomes an equi-join; without one it is refused', async () => {
    const s = await nexmarkSession();
    const q = await s.query('SELECT P.name FROM auction A, person P WHERE A.seller = P.id AND P.state = \'OR\'');
    const join = byType(q.job, 'join')[0]!;
    assert.ok(join.operator.type === 'join' && join.operator.leftKeys.length === 1);
    await assert.rejects(s.query('SELECT P.name FROM auction A, person P'), (e: FloeError) => e.code === 'PLAN.UNSUPPORTED_JOIN');
  });

  test('EXPLAIN kinds of joins: SEMI over an updating right input may delete; LEFT adds +I/-D', async () => {
    const s = await nexmarkSession();
    const joinLine = (text: string): string => text.split('\n').find((l) => /^\W*Join\(/.test(l))!;
    // A right-side update that takes a left row's last match away retracts the left row with -D.
    const semi = await s.explain(
      'EXPLAIN CHANGELOG_MODE SELECT A.id FROM auction A WHERE A.seller IN (SELECT c FROM (SELECT bidder, COUNT(*) AS c FROM bid GROUP BY bidder))',
    );
    assert.match(joinLine(semi), /changelogMode=\[I,UB,UA,D\]/);
    const semiAppend = await s.explain('EXPLAIN CHANGELOG_MODE SELECT A.id FROM auction A WHERE A.seller IN (SELECT bidder FROM bid)');
    assert.match(joinLine(semiAppend), /changelogMode=\[I\]/);
    const left = await s.explain('EXPLAIN CHANGELOG_MODE SELECT A.id, P.name FROM auction A LEFT JOIN person P ON A.seller = P.id');
    assert.match(joinLine(left), /changelogMode=\[I,D\]/);
  });

  test('a LEFT join emits deletions (retract)', async () => {
    const s = await nexmarkSession();
    const q = await s.query('SELECT A.id, P.name FROM auction A LEFT JOIN person P ON A.seller = P.id');
    assert.deepEqual(q.changelogMode, { kind: 'retract' });
    assert.equal(q.resultType.fields[1]!.type.nullable, true);
  });
});

describe('join keys', () => {
  test('expression and implicitly cast keys are computed in the inputs', async () => {
    const s = await nexmarkSession();
    await s.ddl("CREATE TABLE small (k INT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')");
    const q = await s.query('SELECT B.price, S.v FROM bid B JOIN small S ON B.auction = S.k AND B.bidder + 1 = S.k');
    const join = byType(q.job, 'join')[0]!;
    assert.ok(join.operator.type === 'join');
    if (join.operator.type !== 'join') return;
    assert.equal(join.operator.leftKeys.length, 2);
    assert.equal(join.operator.condition, null);
    const leftFields = join.operator.leftType.fields;
    for (const [l, r] of join.operator.leftKeys.map((k, i) => [k, join.operator.type === 'join' ? join.operator.rightKeys[i]! : 0] as const)) {
      assert.equal(leftFields[l]!.type.kind, join.operator.rightType.fields[r]!.type.kind);
    }
    assert.deepEqual(q.resultType.fields.map((f) => f.name), ['price', 'v']);
  });
});
