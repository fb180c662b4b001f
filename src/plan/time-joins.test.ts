/**
 * Planning of lookup joins (FOR SYSTEM_TIME AS OF a processing-time attribute, the LOOKUP hint, legacy
 * table options), interval joins (time bounds recognised in the join condition) and event-time temporal
 * joins (FOR SYSTEM_TIME AS OF a rowtime attribute against a versioned table).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FloeError } from '../common/index.js';
import type { IntervalJoinSpec, JobSpec, LookupJoinSpec, NodeSpec, TemporalJoinSpec, WindowJoinSpec } from '../spec/index.js';
import { TestSession } from './test-support.js';

const DIM = `CREATE TABLE dim (id BIGINT, name STRING, score INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/floe-dim.csv', 'format' = 'csv')`;
const FACTS = `CREATE TABLE facts (id BIGINT, v STRING, rt TIMESTAMP(3), pt AS PROCTIME(), WATERMARK FOR rt AS rt - INTERVAL '1' SECOND) WITH ('connector' = 'datagen')`;
const OTHER = `CREATE TABLE other (id BIGINT, w STRING, rt TIMESTAMP(3), WATERMARK FOR rt AS rt) WITH ('connector' = 'datagen')`;

async function session(config: Record<string, string> = {}): Promise<TestSession> {
  const s = new TestSession(config);
  await s.run(`${DIM}; ${FACTS}; ${OTHER}`);
  return s;
}

interface JoinSpecs {
  'lookup-join': LookupJoinSpec;
  'interval-join': IntervalJoinSpec;
  'temporal-join': TemporalJoinSpec;
  'window-join': WindowJoinSpec;
}

function nodeOf<T extends keyof JoinSpecs>(job: JobSpec, type: T): NodeSpec & { operator: JoinSpecs[T] } {
  const n = job.nodes.find((x) => x.operator.type === type);
  assert.ok(n, `no ${type} node in ${job.nodes.map((x) => x.name).join(' | ')}`);
  return n as NodeSpec & { operator: JoinSpecs[T] };
}

async function planError(s: TestSession, sql: string): Promise<FloeError> {
  try {
    await s.query(sql);
  } catch (e) {
    assert.ok(e instanceof FloeError, String(e));
    return e;
  }
  assert.fail(`expected an error for ${sql}`);
}

describe('lookup join planning', () => {
  test('INNER: a LookupJoin chained to its input; the table is not a source node', async () => {
    const s = await session({ 'parallelism.default': '2' });
    const q = await s.query(`SELECT f.v, d.name FROM facts AS f JOIN dim FOR SYSTEM_TIME AS OF f.pt AS d ON f.id = d.id`);
    const n = nodeOf(q.job, 'lookup-join');
    assert.match(n.name, /^LookupJoin\(table=\[default_catalog\.default_database\.dim\], joinType=\[InnerJoin\], lookup=\[id=id\]/);
    assert.equal(n.operator.joinType, 'INNER');
    assert.equal(n.operator.table.connector, 'filesystem');
    assert.equal(n.operator.cacheTtlMs, 3600000, "Flink's lookup.join.cache.ttl default");
    assert.equal(n.operator.retry, null);
    assert.deepEqual(n.inputs.map((e) => e.partitioning.kind), ['forward']);
    assert.equal(q.job.nodes.filter((x) => x.operator.type === 'source').length, 1, 'only the probe side is a source');
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
  });

  test('LEFT with a residual condition, a table filter and a key expression; the cache TTL option', async () => {
    const s = new TestSession();
    await s.run(`${FACTS}; CREATE TABLE dim2 (id BIGINT, name STRING, score INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x.csv', 'format' = 'csv', 'lookup.join.cache.ttl' = '5 min')`);
    const q = await s.query(`SELECT f.v, d.name FROM facts f LEFT JOIN dim2 FOR SYSTEM_TIME AS OF f.pt AS d ON f.id + 1 = d.id AND d.score > 3 AND f.v <> d.name`);
    const n = nodeOf(q.job, 'lookup-join');
    assert.equal(n.operator.joinType, 'LEFT');
    assert.equal(n.operator.cacheTtlMs, 300000);
    assert.ok(n.operator.condition !== null, 'the residual f.v <> d.name stays on the join');
    assert.match(n.name, /LeftOuterJoin/);
  });

  test('the LOOKUP hint: retry options reach the spec; async is accepted', async () => {
    const s = await session();
    const q = await s.query(
      `SELECT /*+ LOOKUP('table'='d', 'async'='true', 'retry-predicate'='lookup_miss', 'retry-strategy'='fixed_delay', 'fixed-delay'='1s', 'max-attempts'='3') */ f.v, d.name FROM facts f JOIN dim FOR SYSTEM_TIME AS OF f.pt AS d ON f.id = d.id`,
    );
    const n = nodeOf(q.job, 'lookup-join');
    assert.deepEqual(n.operator.retry, { maxAttempts: 3, fixedDelayMs: 1000 });
    assert.match(n.name, /retry=\[lookup_miss, FIXED_DELAY, 1 s, 3\]/);
  });

  test('the LOOKUP hint: unknown keys (with did-you-mean), incomplete retries and bad values are errors', async () => {
    const s = await session();
    const q = (hint: string) => `SELECT /*+ LOOKUP(${hint}) */ f.v FROM facts f JOIN dim FOR SYSTEM_TIME AS OF f.pt AS d ON f.id = d.id`;
    let e = await planError(s, q(`'table'='d', 'retry-predicat'='lookup_miss'`));
    assert.equal(e.code, 'PLAN.BAD_HINT');
    assert.match(e.message, /unknown option 'retry-predicat'; did you mean 'retry-predicate'\?/);
    e = await planError(s, q(`'table'='d', 'retry-predicate'='lookup_miss'`));
    assert.match(e.message, /needs all of 'retry-predicate', 'retry-strategy', 'fixed-delay' and 'max-attempts'/);
    e = await planError(s, q(`'table'='d', 'async'='maybe'`));
    assert.match(e.message, /'async' must be 'true' or 'false'/);
    e = await planError(s, q(`'async'='true'`));
    assert.match(e.message, /option 'table' is required/);
  });

  test('errors: AS OF a non-time column, RIGHT joins, unbounded tables, no equi-key', async () => {
    const s = await session();
    let e = await planError(s, `SELECT * FROM facts f JOIN dim FOR SYSTEM_TIME AS OF f.id AS d ON f.id = d.id`);
    assert.equal(e.code, 'PLAN.TEMPORAL_JOIN_TIME');
    e = await planError(s, `SELECT * FROM facts f RIGHT JOIN dim FOR SYSTEM_TIME AS OF f.pt AS d ON f.id = d.id`);
    assert.equal(e.code, 'PLAN.UNSUPPORTED_TEMPORAL_JOIN');
    e = await planError(s, `SELECT * FROM facts f JOIN other FOR SYSTEM_TIME AS OF f.pt AS o ON f.id = o.id`);
    assert.equal(e.code, 'PLAN.UNSUPPORTED_LOOKUP_JOIN');
    assert.match(e.message, /unbounded/);
    e = await planError(s, `SELECT * FROM facts f JOIN dim FOR SYSTEM_TIME AS OF f.pt AS d ON f.v = d.name AND f.id > d.id OR f.id IS NULL`);
    assert.equal(e.code, 'PLAN.LOOKUP_JOIN_KEYS');
  });

  test('an updating probe side stays updating through the lookup join', async () => {
    const s = await session();
    const q = await s.query(`SELECT c.id, c.n, d.name FROM (SELECT id, COUNT(*) AS n, PROCTIME() AS pt FROM facts GROUP BY id) c JOIN dim FOR SYSTEM_TIME AS OF c.pt AS d ON c.id = d.id`);
    const n = nodeOf(q.job, 'lookup-join');
    assert.equal(n.changelogMode.kind, 'retract');
    assert.deepEqual(q.changelogMode, { kind: 'retract' });
  });

  test('legacy connector options warn once per table definition, in one message', async () => {
    const s = new TestSession();
    await s.run(`${FACTS}; CREATE TABLE side (k BIGINT, v STRING) WITH ('connector.type' = 'filesystem', 'connector.path' = '/tmp/side.txt', 'format.type' = 'csv')`);
    const sql = `SELECT f.v, s.v FROM facts f JOIN side FOR SYSTEM_TIME AS OF f.pt AS s ON f.id = s.k`;
    await s.query(sql);
    await s.explain(sql);
    assert.equal(s.warnings.length, 1, s.warnings.join('\n'));
    assert.match(s.warnings[0]!, /table default_catalog\.default_database\.side: option 'connector\.type' is deprecated; use 'connector'; .*'format\.type' is deprecated; use 'format'/);
  });
});

describe('interval join planning', () => {
  const bounds = async (cond: string, type = 'JOIN'): Promise<NodeSpec & { operator: IntervalJoinSpec }> => {
    const s = await session({ 'parallelism.default': '2' });
    const q = await s.query(`SELECT f.v, o.w FROM facts f ${type} other o ON f.id = o.id AND ${cond}`);
    return nodeOf(q.job, 'interval-join');
  };

  test('BETWEEN with intervals on either side; strict bounds shrink by 1 ms', async () => {
    let n = await bounds(`f.rt BETWEEN o.rt - INTERVAL '1' HOUR AND o.rt + INTERVAL '10' MINUTE`);
    assert.equal(n.operator.lowerBound, -3600000);
    assert.equal(n.operator.upperBound, 600000);
    assert.deepEqual(n.inputs.map((e) => e.partitioning), [
      { kind: 'hash', keys: n.operator.leftKeys },
      { kind: 'hash', keys: n.operator.rightKeys },
    ]);
    assert.match(n.name, /^IntervalJoin\(joinType=\[InnerJoin\], windowBounds=\[isRowTime=true, leftLowerBound=-3600000, leftUpperBound=600000/);
    n = await bounds(`f.rt > o.rt AND f.rt < o.rt + INTERVAL '5' SECOND`);
    assert.equal(n.operator.lowerBound, 1);
    assert.equal(n.operator.upperBound, 4999);
    // The right side's time on the left of the comparison, and an interval on the left's time.
    n = await bounds(`o.rt >= f.rt - INTERVAL '2' SECOND AND o.rt + INTERVAL '3' SECOND <= f.rt + INTERVAL '10' SECOND`);
    assert.equal(n.operator.lowerBound, -7000);
    assert.equal(n.operator.upperBound, 2000);
    assert.equal(n.operator.condition, null);
  });

  for (const [type, joinType] of [['LEFT JOIN', 'LEFT'], ['RIGHT JOIN', 'RIGHT'], ['FULL JOIN', 'FULL']] as const) {
    test(`${type} is an outer interval join with insert-only output`, async () => {
      const s = await session();
      const q = await s.query(`SELECT f.v, o.w FROM facts f ${type} other o ON f.id = o.id AND f.rt BETWEEN o.rt AND o.rt + INTERVAL '1' MINUTE`);
      const n = nodeOf(q.job, 'interval-join');
      assert.equal(n.operator.joinType, joinType);
      assert.deepEqual(n.changelogMode, { kind: 'insert-only' });
      assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
    });
  }

  test('the output keeps both rowtime attributes (a regular join drops them)', async () => {
    const s = await session();
    const attr = (q: { resultType: { fields: readonly { type: unknown }[] } }, i: number) => (q.resultType.fields[i]!.type as { timeAttribute?: string }).timeAttribute;
    const interval = await s.query(`SELECT f.rt, o.rt FROM facts f JOIN other o ON f.id = o.id AND f.rt BETWEEN o.rt AND o.rt + INTERVAL '1' SECOND`);
    assert.equal(attr(interval, 0), 'rowtime');
    assert.equal(attr(interval, 1), 'rowtime');
    const regular = await s.query(`SELECT f.rt, o.rt FROM facts f JOIN other o ON f.id = o.id`);
    assert.equal(attr(regular, 0), undefined);
  });

  test('one bound only, or bounds on non-time columns, stay a regular join', async () => {
    const s = await session();
    for (const cond of [`f.rt > o.rt`, `CAST(f.rt AS TIMESTAMP(3)) > o.rt AND f.rt < o.rt`]) {
      const q = await s.query(`SELECT f.v, o.w FROM facts f JOIN other o ON f.id = o.id AND ${cond}`);
      assert.ok(!q.job.nodes.some((n) => n.operator.type === 'interval-join'), cond);
      assert.ok(q.job.nodes.some((n) => n.operator.type === 'join'), cond);
    }
  });

  test('an updating input is rejected', async () => {
    const s = await session();
    // Keep-last deduplication on rowtime emits updates and keeps rt a time attribute.
    const e = await planError(
      s,
      `SELECT f.v, o.w FROM (SELECT id, v, rt FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY rt DESC) AS rn FROM facts) WHERE rn = 1) f JOIN other o ON f.id = o.id AND f.rt BETWEEN o.rt AND o.rt + INTERVAL '1' SECOND`,
    );
    assert.equal(e.code, 'PLAN.INTERVAL_JOIN_UPDATING_INPUT');
    assert.match(e.message, /interval join cannot consume updating input/);
  });
});

describe('event-time temporal join planning', () => {
  const RATES = `CREATE TABLE rates (cur STRING, rate INT, rt TIMESTAMP(3), PRIMARY KEY (cur) NOT ENFORCED, WATERMARK FOR rt AS rt) WITH ('connector' = 'datagen')`;
  const ORDERS = `CREATE TABLE orders (id BIGINT, cur STRING, amount INT, ot TIMESTAMP(3), WATERMARK FOR ot AS ot) WITH ('connector' = 'datagen')`;
  const LOG = `CREATE TABLE rates_log (cur STRING, rate INT, rt TIMESTAMP(3), WATERMARK FOR rt AS rt) WITH ('connector' = 'datagen')`;
  const temporal = async (config: Record<string, string> = {}) => {
    const s = new TestSession(config);
    await s.run(`${RATES}; ${ORDERS}; ${LOG}; CREATE VIEW latest AS SELECT cur, rate, rt FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cur ORDER BY rt DESC) AS rn FROM rates_log) WHERE rn = 1`);
    return s;
  };

  test('against a table with a primary key: TemporalJoin hash-partitioned by the key, insert-only', async () => {
    const s = await temporal({ 'parallelism.default': '2' });
    const q = await s.query(`SELECT o.id, o.amount * r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`);
    const n = nodeOf(q.job, 'temporal-join');
    assert.match(n.name, /^TemporalJoin\(joinType=\[InnerJoin\], where=\[\(cur = cur0\) AND __TEMPORAL_JOIN_CONDITION\(ot, rt\)\]/);
    assert.deepEqual(n.inputs.map((e) => e.partitioning.kind), ['hash', 'hash']);
    assert.equal(n.operator.leftType.fields[n.operator.leftTimeIndex]!.name, 'ot');
    assert.equal(n.operator.rightType.fields[n.operator.rightTimeIndex]!.name, 'rt');
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
  });

  test('against a deduplicating view: the versioned side is an upsert stream without -U', async () => {
    const s = await temporal();
    const q = await s.query(`SELECT o.id, r.rate FROM orders AS o LEFT JOIN latest FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`);
    const n = nodeOf(q.job, 'temporal-join');
    assert.equal(n.operator.joinType, 'LEFT');
    const right = q.job.nodes[n.inputs[1]!.from]!;
    assert.equal(right.operator.type, 'deduplicate');
    assert.equal(right.changelogMode.kind, 'upsert');
  });

  test('errors: no primary key, keys that miss it, no rowtime, updating probe side, batch mode', async () => {
    const s = await temporal();
    let e = await planError(s, `SELECT o.id FROM orders AS o JOIN rates_log FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`);
    assert.equal(e.code, 'PLAN.TEMPORAL_JOIN_VERSIONED');
    assert.match(e.message, /requires primary key in versioned table/);
    e = await planError(s, `SELECT o.id FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.amount = r.rate`);
    assert.equal(e.code, 'PLAN.TEMPORAL_JOIN_KEYS');
    assert.match(e.message, /primary key \[cur\] must be included/);
    await s.run(`CREATE TABLE plain (cur STRING, rate INT, PRIMARY KEY (cur) NOT ENFORCED) WITH ('connector' = 'datagen')`);
    e = await planError(s, `SELECT o.id FROM orders AS o JOIN plain FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`);
    assert.equal(e.code, 'PLAN.TEMPORAL_JOIN_VERSIONED');
    e = await planError(
      s,
      `SELECT o.id FROM (SELECT id, cur, ot FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ot DESC) AS rn FROM orders) WHERE rn = 1) AS o JOIN rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`,
    );
    assert.equal(e.code, 'PLAN.TEMPORAL_JOIN_UPDATING_INPUT');
    const b = await temporal({ 'execution.runtime-mode': 'batch', 'scan.bounded': 'true' });
    e = await planError(b, `SELECT o.id FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.cur = r.cur`);
    assert.match(e.message, /streaming mode only|unbounded/);
  });
});

describe('window join planning', () => {
  const windowed = async (config: Record<string, string> = {}) => {
    const s = await session(config);
    await s.run(`CREATE VIEW fw AS SELECT * FROM TABLE(TUMBLE(TABLE facts, DESCRIPTOR(rt), INTERVAL '1' MINUTE));
      CREATE VIEW ow AS SELECT * FROM TABLE(TUMBLE(TABLE other, DESCRIPTOR(rt), INTERVAL '1' MINUTE))`);
    return s;
  };
  const ON = 'L.window_start = R.window_start AND L.window_end = R.window_end';

  test('equal window bounds on both sides make a WindowJoin keyed by the other keys', async () => {
    const s = await windowed({ 'parallelism.default': '2' });
    const q = await s.query(`SELECT L.v, R.w FROM fw L LEFT JOIN ow R ON ${ON} AND L.id = R.id`);
    const n = nodeOf(q.job, 'window-join');
    assert.match(n.name, /^WindowJoin\(leftWindow=\[TUMBLE\(win_start=\[window_start\], win_end=\[window_end\], size=\[1 min\]\)\], rightWindow=\[TUMBLE\(/);
    assert.equal(n.operator.joinType, 'LEFT');
    assert.equal(n.operator.leftKeys.length, 1, 'the window bounds are not hash keys');
    assert.deepEqual(n.inputs.map((e) => e.partitioning.kind), ['hash', 'hash']);
    assert.equal(n.parallelism, 2);
    assert.deepEqual(q.changelogMode, { kind: 'insert-only' });
  });

  test('without other keys the window join runs on one subtask', async () => {
    const s = await windowed({ 'parallelism.default': '2' });
    const q = await s.query(`SELECT L.v, R.w FROM fw L JOIN ow R ON ${ON}`);
    const n = nodeOf(q.job, 'window-join');
    assert.deepEqual(n.inputs.map((e) => e.partitioning.kind), ['global', 'global']);
    assert.equal(n.parallelism, 1);
  });

  test('only one bound equal, or windowed on one side only, stays a regular join; different windows are an error', async () => {
    const s = await windowed();
    for (const sql of [
      `SELECT L.v, R.w FROM fw L JOIN ow R ON L.window_start = R.window_start AND L.id = R.id`,
      `SELECT L.v, R.w FROM fw L JOIN other R ON L.window_start = R.rt AND L.window_end = R.rt AND L.id = R.id`,
    ]) {
      const q = await s.query(sql);
      assert.ok(!q.job.nodes.some((n) => n.operator.type === 'window-join'), sql);
    }
    const e = await planError(s, `SELECT L.v FROM fw L JOIN (SELECT * FROM TABLE(HOP(TABLE other, DESCRIPTOR(rt), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))) R ON ${ON}`);
    assert.equal(e.code, 'PLAN.WINDOW_JOIN_WINDOWS');
  });
});
