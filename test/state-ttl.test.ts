/**
 * State TTL as Flink documents it (idle state retention, `table.exec.state.ttl`, the `STATE_TTL` hint):
 * state not written for the TTL is dropped, and a key whose state expired is treated as never seen.
 *
 * - Planning: the hint reaches the join (per side) and the group aggregate of its query block, the
 *   configuration covers the rest, and a hint naming no input fails with the allowed names.
 * - Expiry: the operators of a planned query (the very specs the planner wrote) run on the heap state
 *   backend with a manual processing-time clock (`OperatorHarness.now`, which is also the backend's TTL
 *   clock). The runtime reads the wall clock (`Date.now`) and offers no clock to inject, so driving the
 *   planned operators through the harness is how these tests control time without sleeping; nothing
 *   here measures elapsed time.
 * - End to end, one run on the real runtime: a datagen source paced at one row per second feeds a hinted
 *   aggregate whose TTL is a tenth of that gap, so every row finds its group expired; the assertion is on
 *   the changelog only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Session, cellText } from '../src/api/index.js';
import { FloeError } from '../src/common/index.js';
import { GroupAggregateOperator, JoinOperator, OperatorHarness } from '../src/operators/index.js';
import { TestSession } from '../src/plan/test-support.js';
import type { GroupAggregateSpec, JobSpec, JoinSpec, NodeSpec } from '../src/spec/index.js';
import { getRow, ROW_KIND_SHORT, rowKindAt } from '../src/types/index.js';

const DDL = `
CREATE TABLE orders (o_id BIGINT, cust BIGINT, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE customers (c_id BIGINT, city STRING) WITH ('connector' = 'datagen');
CREATE TABLE payments (p_order BIGINT, paid INT) WITH ('connector' = 'datagen');
`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function plan(sql: string, config: Record<string, string> = {}): Promise<JobSpec> {
  const s = new TestSession(config);
  await s.run(DDL);
  return (await s.query(sql)).job;
}

function nodesOf<T extends NodeSpec['operator']['type']>(job: JobSpec, type: T): (NodeSpec & { operator: Extract<NodeSpec['operator'], { type: T }> })[] {
  return job.nodes.filter((n) => n.operator.type === type) as (NodeSpec & { operator: Extract<NodeSpec['operator'], { type: T }> })[];
}

async function planError(sql: string): Promise<FloeError> {
  try {
    await plan(sql);
  } catch (e) {
    assert.ok(e instanceof FloeError, `expected a FloeError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected planning to fail: ${sql}`);
}

describe('STATE_TTL hint and table.exec.state.ttl: planning', () => {
  it('gives each join side the TTL of the input the hint names (table name or alias)', async () => {
    const byName = await plan(`SELECT /*+ STATE_TTL('orders' = '3d', 'customers' = '1d') */ * FROM orders LEFT JOIN customers ON orders.cust = customers.c_id`);
    const [j1] = nodesOf(byName, 'join');
    assert.equal(j1!.operator.leftStateTtlMs, 3 * DAY);
    assert.equal(j1!.operator.rightStateTtlMs, DAY);

    const byAlias = await plan(`SELECT /*+ STATE_TTL('c' = '12h') */ o.o_id, c.city FROM orders o JOIN customers c ON o.cust = c.c_id`, { 'table.exec.state.ttl': '1 h' });
    const [j2] = nodesOf(byAlias, 'join');
    // The unhinted side keeps the configured TTL.
    assert.equal(j2!.operator.leftStateTtlMs, HOUR);
    assert.equal(j2!.operator.rightStateTtlMs, 12 * HOUR);
  });

  it('cascade joins: the first join gets both sides, the next one only its right side', async () => {
    const job = await plan(
      `SELECT /*+ STATE_TTL('o' = '1d', 'c' = '2d', 'p' = '3d') */ o.o_id FROM orders o JOIN customers c ON o.cust = c.c_id JOIN payments p ON o.o_id = p.p_order`,
      { 'table.exec.state.ttl': '5 min' },
    );
    const ttls = nodesOf(job, 'join').map((n) => [n.operator.leftStateTtlMs, n.operator.rightStateTtlMs]);
    assert.deepEqual(ttls.sort((a, b) => a[1]! - b[1]!), [
      [DAY, 2 * DAY],
      [5 * 60_000, 3 * DAY],
    ]);
    // The same with a comma join and the conditions in WHERE (Flink's testJoinStateTtlHintWithCascadeJoin).
    const comma = await plan(
      `SELECT /*+ STATE_TTL('payments' = '3d', 'customers' = '2d', 'orders' = '1d') */ o_id FROM orders, customers, payments WHERE cust = c_id AND o_id = p_order`,
      { 'table.exec.state.ttl': '5 min' },
    );
    const commaTtls = nodesOf(comma, 'join').map((n) => [n.operator.leftStateTtlMs, n.operator.rightStateTtlMs]);
    assert.deepEqual(commaTtls.sort((a, b) => a[1]! - b[1]!), [
      [DAY, 2 * DAY],
      [5 * 60_000, 3 * DAY],
    ]);
  });

  it('gives a group aggregate (and DISTINCT) the TTL of the input it aggregates', async () => {
    const agg = await plan(`SELECT /*+ STATE_TTL('o' = '1d') */ cust, SUM(amount) FROM orders o GROUP BY cust`, { 'table.exec.state.ttl': '1 h' });
    assert.deepEqual(nodesOf(agg, 'group-aggregate').map((n) => n.operator.stateTtlMs), [DAY]);
    const distinct = await plan(`SELECT /*+ STATE_TTL('orders' = '90 s') */ DISTINCT cust FROM orders`);
    assert.deepEqual(nodesOf(distinct, 'group-aggregate').map((n) => n.operator.stateTtlMs), [90_000]);
    // The hint applies to its own query block only: the outer aggregate keeps the configured TTL.
    const nested = await plan(
      `SELECT cust, COUNT(*) FROM (SELECT /*+ STATE_TTL('orders' = '2 h') */ cust, o_id, COUNT(*) AS n FROM orders GROUP BY cust, o_id) GROUP BY cust`,
      { 'table.exec.state.ttl': '1 h' },
    );
    assert.deepEqual(nodesOf(nested, 'group-aggregate').map((n) => n.operator.stateTtlMs).sort(), [2 * HOUR, HOUR].sort());
  });

  it('repeated keys: the last value in one hint wins, the first hint wins across hints; 0 keeps state forever', async () => {
    const job = await plan(`SELECT /*+ STATE_TTL('o' = '1d', 'o' = '2d'), STATE_TTL('o' = '9d', 'c' = '0') */ * FROM orders o JOIN customers c ON o.cust = c.c_id`, {
      'table.exec.state.ttl': '1 h',
    });
    const [j] = nodesOf(job, 'join');
    assert.equal(j!.operator.leftStateTtlMs, 2 * DAY);
    assert.equal(j!.operator.rightStateTtlMs, 0);
  });

  it('without a hint, table.exec.state.ttl reaches joins and aggregates', async () => {
    const job = await plan(`SELECT c.city, COUNT(*) FROM orders o JOIN customers c ON o.cust = c.c_id GROUP BY c.city`, { 'table.exec.state.ttl': '10 min' });
    const [j] = nodesOf(job, 'join');
    assert.deepEqual([j!.operator.leftStateTtlMs, j!.operator.rightStateTtlMs], [600_000, 600_000]);
    assert.deepEqual(nodesOf(job, 'group-aggregate').map((n) => n.operator.stateTtlMs), [600_000]);
  });

  it('rejects a key that names no input of the query block, listing the names that are allowed', async () => {
    const unknown = await planError(`SELECT /*+ STATE_TTL('orderz' = '1d') */ * FROM orders o JOIN customers c ON o.cust = c.c_id`);
    assert.equal(unknown.code, 'PLAN.UNKNOWN_HINT_TABLE');
    assert.match(unknown.message, /'orderz'/);
    assert.match(unknown.message, /'o', 'c'/);
    // Once an input has an alias, only the alias names it (as in Flink).
    const tableNameOfAliased = await planError(`SELECT /*+ STATE_TTL('orders' = '1d') */ * FROM orders o JOIN customers c ON o.cust = c.c_id`);
    assert.equal(tableNameOfAliased.code, 'PLAN.UNKNOWN_HINT_TABLE');
    // Tables inside a subquery belong to another query block.
    const inner = await planError(
      `SELECT /*+ STATE_TTL('c' = '1d') */ * FROM orders o JOIN (SELECT c.* FROM customers c JOIN payments p ON c.c_id = p.p_order) t ON o.cust = t.c_id`,
    );
    assert.match(inner.message, /'c'.*'o', 't'/);
    const noFrom = await planError(`SELECT /*+ STATE_TTL('x' = '1d') */ 1`);
    assert.match(noFrom.message, /no named inputs/);
  });

  it('rejects malformed values and plain arguments', async () => {
    assert.equal((await planError(`SELECT /*+ STATE_TTL('o' = 'soon') */ * FROM orders o JOIN customers c ON o.cust = c.c_id`)).code, 'PLAN.BAD_HINT');
    assert.equal((await planError(`SELECT /*+ STATE_TTL(o) */ * FROM orders o JOIN customers c ON o.cust = c.c_id`)).code, 'PLAN.BAD_HINT');
  });
});

/** The planned join or aggregate operator in a harness whose clock (and state TTL clock) the test moves. */
async function harnessFor(job: JobSpec, type: 'join' | 'group-aggregate'): Promise<OperatorHarness> {
  const [node] = nodesOf(job, type);
  assert.ok(node, `no ${type} node in the plan`);
  const inputTypes = node.inputs.map((e) => job.nodes[e.from]!.outputType);
  const op = type === 'join' ? new JoinOperator(node.operator as JoinSpec) : new GroupAggregateOperator(node.operator as GroupAggregateSpec);
  return new OperatorHarness(op, { spec: node.operator, inputTypes, outputType: node.outputType, processingTime: 1_000_000 }).open();
}

describe('State TTL: expiry and its effect on results', () => {
  it('an aggregate whose state expired starts again from scratch (a running COUNT restarts at 1)', async () => {
    const job = await plan(`SELECT /*+ STATE_TTL('o' = '1 h') */ cust, COUNT(*) AS cnt, SUM(amount) AS total FROM orders o GROUP BY cust`);
    const h = await harnessFor(job, 'group-aggregate');
    // The aggregate's input is the projection [cust, amount] of orders.
    await h.process(0, ['+I[7, 10]', '+I[8, 1]']);
    assert.deepEqual(h.take(), ['+I[7, 1, 10]', '+I[8, 1, 1]']);
    h.now += 30 * 60_000; // 30 min: within the TTL; the write refreshes key 7's timer
    await h.process(0, ['+I[7, 5]']);
    assert.deepEqual(h.take(), ['-U[7, 1, 10]', '+U[7, 2, 15]']);
    h.now += 45 * 60_000; // key 8 last written 75 min ago: expired; key 7 45 min ago: alive
    await h.process(0, ['+I[7, 1]', '+I[8, 2]']);
    // Key 8 is new again: +I with COUNT 1 and only the new amount (Flink: "cnt starts again from 0").
    assert.deepEqual(h.take(), ['-U[7, 2, 15]', '+U[7, 3, 16]', '+I[8, 1, 2]']);
    h.now += 2 * HOUR;
    await h.process(0, ['+I[7, 100]']);
    assert.deepEqual(h.take(), ['+I[7, 1, 100]']);
  });

  it('a retraction for an expired group is dropped: there is nothing left to retract from', async () => {
    const job = await plan(
      `SELECT /*+ STATE_TTL('t' = '10 min') */ n, COUNT(*) AS c FROM (SELECT cust, COUNT(*) AS n FROM orders GROUP BY cust) t GROUP BY n`,
    );
    const [outer] = nodesOf(job, 'group-aggregate').filter((n) => n.operator.stateTtlMs === 600_000);
    assert.ok(outer, 'the outer aggregate takes the hint');
    const h = await new OperatorHarness(new GroupAggregateOperator(outer.operator), {
      spec: outer.operator,
      inputTypes: outer.inputs.map((e) => job.nodes[e.from]!.outputType),
      outputType: outer.outputType,
      processingTime: 0,
    }).open();
    await h.process(0, ['+I[1]']);
    await h.process(0, ['+I[1]']);
    assert.deepEqual(h.take(), ['+I[1, 1]', '-U[1, 1]', '+U[1, 2]']);
    h.now += 11 * 60_000;
    await h.process(0, ['-U[1]', '+U[2]']);
    // The -U for n = 1 finds no state (expired) and emits nothing; n = 2 starts fresh.
    assert.deepEqual(h.take(), ['+I[2, 1]']);
  });

  it('a join row whose partner expired no longer joins; each side expires on its own TTL', async () => {
    const job = await plan(`SELECT /*+ STATE_TTL('o' = '1 h', 'c' = '1 d') */ o.o_id, c.city FROM orders o JOIN customers c ON o.cust = c.c_id`);
    const h = await harnessFor(job, 'join');
    const [node] = nodesOf(job, 'join');
    const width = (i: number): number => job.nodes[node!.inputs[i]!.from]!.outputType.fields.length;
    assert.equal(width(0), 2, 'left input: o_id, cust');
    assert.equal(width(1), 2, 'right input: c_id, city');
    await h.process(0, ['+I[100, 1]']);
    await h.process(1, ['+I[1, Paris]']);
    assert.deepEqual(h.take(), ['+I[100, 1, 1, Paris]']);
    h.now += 2 * HOUR; // the order (left, 1 h) expired; the customer (right, 1 d) did not
    await h.process(1, ['+I[1, Lyon]']);
    assert.deepEqual(h.take(), [], 'the new customer row finds no order: order 100 expired');
    await h.process(0, ['+I[101, 1]']);
    assert.deepEqual(h.take(), ['+I[101, 1, 1, Paris]', '+I[101, 1, 1, Lyon]']);
    h.now += 2 * DAY; // now both customers expired too
    await h.process(0, ['+I[102, 1]']);
    assert.deepEqual(h.take(), []);
  });

  it('LEFT join: an expired right row leaves later left rows null-padded', async () => {
    const job = await plan(`SELECT /*+ STATE_TTL('c' = '5 min') */ o.o_id, c.city FROM orders o LEFT JOIN customers c ON o.cust = c.c_id`);
    const h = await harnessFor(job, 'join');
    await h.process(1, ['+I[1, Paris]']);
    await h.process(0, ['+I[100, 1]']);
    assert.deepEqual(h.take(), ['+I[100, 1, 1, Paris]']);
    h.now += 6 * 60_000;
    await h.process(0, ['+I[101, 1]']);
    assert.deepEqual(h.take(), ['+I[101, 1, null, null]']);
  });

  it('without any TTL nothing expires, however much time passes', async () => {
    const job = await plan(`SELECT cust, COUNT(*) AS cnt, SUM(amount) AS total FROM orders GROUP BY cust`);
    const h = await harnessFor(job, 'group-aggregate');
    await h.process(0, ['+I[7, 10]']);
    h.now += 365 * DAY;
    await h.process(0, ['+I[7, 1]']);
    assert.deepEqual(h.take(), ['+I[7, 1, 10]', '-U[7, 1, 10]', '+U[7, 2, 11]']);
  });
});

describe('STATE_TTL in EXPLAIN', () => {
  it('the AST shows the hinted TTL on the join and the aggregate it applies to', async () => {
    const s = new TestSession();
    await s.run(DDL);
    const text = await s.explain(
      `SELECT /*+ STATE_TTL('c' = '12h') */ c.city, COUNT(*) FROM orders o JOIN customers c ON o.cust = c.c_id GROUP BY c.city`,
    );
    assert.match(text, /LogicalJoin\(joinType=\[InnerJoin\].*, stateTtl=\[right=12 h\]\)/);
    // The aggregate's input is the join (no name), so the hint leaves it on table.exec.state.ttl.
    assert.doesNotMatch(text, /LogicalAggregate\(.*stateTtl/);
    const agg = await s.explain(`SELECT /*+ STATE_TTL('orders' = '0') */ cust, COUNT(*) FROM orders GROUP BY cust`);
    assert.match(agg, /LogicalAggregate\(groupBy=\[cust\].*, stateTtl=\[none\]\)/);
  });
});

describe('State TTL in batch mode', () => {
  it('is ignored, as in Flink: batch operators keep their state until the end of input', async () => {
    const s = new TestSession({ 'execution.runtime-mode': 'batch', 'table.exec.state.ttl': '1 ms' });
    await s.run(`CREATE TABLE o (o_id BIGINT, cust BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
                 CREATE TABLE c (c_id BIGINT, city STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
    const job = (await s.query(`SELECT /*+ STATE_TTL('o' = '1 ms') */ c.city, COUNT(*) FROM o JOIN c ON o.cust = c.c_id GROUP BY c.city`)).job;
    const [j] = nodesOf(job, 'join');
    assert.deepEqual([j!.operator.leftStateTtlMs, j!.operator.rightStateTtlMs], [0, 0]);
    assert.deepEqual(nodesOf(job, 'group-aggregate').map((n) => n.operator.stateTtlMs), [0]);
  });
});

/** Runs `sql` streaming and returns its changelog as `+I[…]` lines. */
async function changelog(session: Session, sql: string): Promise<string[]> {
  const out: string[] = [];
  for (const statement of session.parse(sql)) {
    const result = await session.execute(statement);
    if (result.kind !== 'query') continue;
    const q = result.query;
    const types = q.resultType.fields.map((f) => f.type);
    for await (const batch of q.batches) {
      for (let r = 0; r < batch.numRows; r++) {
        out.push(`${ROW_KIND_SHORT[rowKindAt(batch, r)]}[${getRow(batch, r, q.resultType).map((v, c) => cellText(v, types[c]!)).join(', ')}]`);
      }
    }
    await q.handle.done;
  }
  return out;
}

describe('State TTL end to end (real runtime and wall clock)', () => {
  // Three rows of one group, one per second (datagen's per-second pacing); k is always 7.
  const TABLE = `CREATE TABLE ticks (k INT, n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1', 'number-of-rows' = '3',
                   'fields.k.min' = '7', 'fields.k.max' = '7', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '3')`;

  it('a hinted aggregate whose TTL is far below the gap between rows counts every row as the first of its group', async () => {
    const session = new Session({ warn: () => {} });
    for (const st of session.parse(TABLE)) await session.execute(st);
    const rows = await changelog(session, `SELECT /*+ STATE_TTL('ticks' = '100 ms') */ k, COUNT(*) AS cnt, SUM(n) AS total FROM ticks GROUP BY k`);
    // Flink: "if a record with a key whose state has been removed is processed, it is treated as if it
    // were the first record with this key" — each row starts the count (and the sum) again.
    assert.deepEqual(rows, ['+I[7, 1, 1]', '+I[7, 1, 2]', '+I[7, 1, 3]']);
  });

  it('without the hint (and no table.exec.state.ttl) the same rows accumulate', async () => {
    const session = new Session({ warn: () => {} });
    for (const st of session.parse(TABLE)) await session.execute(st);
    const rows = await changelog(session, `SELECT k, COUNT(*) AS cnt, SUM(n) AS total FROM ticks GROUP BY k`);
    assert.deepEqual(rows, ['+I[7, 1, 1]', '-U[7, 1, 1]', '+U[7, 2, 3]', '-U[7, 2, 3]', '+U[7, 3, 6]']);
  });
});
