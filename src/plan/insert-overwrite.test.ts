/**
 * Planning INSERT OVERWRITE: the `lake-committer` spec carries what is overwritten (static partition
 * values as literals of the column types), INSERT INTO carries nothing, and the statement is refused in
 * streaming mode and for connectors other than `paimon`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import type { JobSpec, LakeCommitterSpec } from '../spec/index.js';
import { TestSession } from './test-support.js';

const DDL = `CREATE TEMPORARY TABLE t (id INT, v STRING, dt STRING, hr INT) PARTITIONED BY (dt, hr) WITH ('connector' = 'paimon', 'path' = '/tmp/floe-never-opened/t');
  CREATE TEMPORARY TABLE d (id INT, dd DATE) PARTITIONED BY (dd) WITH ('connector' = 'paimon', 'path' = '/tmp/floe-never-opened/d')`;

function committer(job: JobSpec): LakeCommitterSpec {
  const node = job.nodes.find((n) => n.operator.type === 'lake-committer');
  assert.ok(node, 'a lake committer');
  return node.operator as LakeCommitterSpec;
}

async function batch(): Promise<TestSession> {
  const s = new TestSession({ 'execution.runtime-mode': 'batch' });
  await s.run(DDL);
  return s;
}

describe('INSERT OVERWRITE planning', () => {
  it('puts the static partition, cast to the column types, into the committer spec', async () => {
    const s = await batch();
    const job = await s.insert("INSERT OVERWRITE t PARTITION (dt = 'x', hr = 5) SELECT 1, 'a'");
    assert.deepEqual(committer(job).overwrite, { staticPartition: { dt: 'x', hr: 5 } });
    // The writer sees rows with the static values filled in, as INSERT INTO does.
    assert.equal(job.nodes.filter((n) => n.operator.type === 'lake-writer').length, 1);
    const date = await s.insert("INSERT OVERWRITE d PARTITION (dd = DATE '2024-01-02') SELECT 7");
    assert.deepEqual(committer(date).overwrite, { staticPartition: { dd: 19724 } });
  });

  it('a partial or no PARTITION clause: the given values only; INSERT INTO has no overwrite', async () => {
    const s = await batch();
    assert.deepEqual(committer(await s.insert("INSERT OVERWRITE t PARTITION (dt = 'x') SELECT 1, 'a', 2")).overwrite, { staticPartition: { dt: 'x' } });
    assert.deepEqual(committer(await s.insert("INSERT OVERWRITE t SELECT 1, 'a', 'x', 2")).overwrite, { staticPartition: {} });
    assert.equal(committer(await s.insert("INSERT INTO t SELECT 1, 'a', 'x', 2")).overwrite, undefined);
    assert.equal('overwrite' in committer(await s.insert("INSERT INTO t SELECT 1, 'a', 'x', 2")), false, 'INSERT INTO specs are unchanged');
  });

  it('refuses a PARTITION value for a column that is not a partition column', async () => {
    const s = await batch();
    await assert.rejects(s.insert("INSERT OVERWRITE t PARTITION (v = 'x') SELECT 1, 'd', 2"), (e: unknown) => {
      assert.ok(e instanceof FloeError);
      assert.equal(e.code, 'PLAN.NOT_A_PARTITION_COLUMN');
      assert.match(e.message, /'v' is not a partition column \(partition columns: dt, hr\)/);
      assert.equal(e.span?.start.col, 31);
      return true;
    });
  });

  it('is refused in streaming mode with the statement span', async () => {
    const s = new TestSession({ 'execution.runtime-mode': 'streaming' });
    await s.run(DDL);
    await assert.rejects(s.insert("\n  INSERT OVERWRITE t SELECT 1, 'a', 'x', 2"), (e: unknown) => {
      assert.ok(e instanceof FloeError);
      assert.equal(e.code, 'PLAN.OVERWRITE_STREAMING');
      assert.equal(e.kind, 'unsupported');
      assert.deepEqual([e.span?.start.line, e.span?.start.col], [2, 3]);
      assert.match(e.message, /INSERT OVERWRITE into .*t is only supported in batch mode/);
      return true;
    });
  });

  it('is refused for other connectors, naming the connector', async () => {
    const s = await batch();
    await s.run("CREATE TEMPORARY TABLE p (id INT) WITH ('connector' = 'blackhole')");
    await assert.rejects(s.insert('INSERT OVERWRITE p SELECT 1'), (e: unknown) => e instanceof FloeError && e.code === 'PLAN.UNSUPPORTED_OVERWRITE' && /connector 'blackhole'/.test(e.message));
  });
});
