/**
 * INSERT OVERWRITE into Paimon tables and the `t$audit_log` system table (issue 7), through the Session
 * API: unpartitioned tables, static partitions (an empty result empties the partition), dynamic
 * partition overwrite on and off (checked against DuckDB computing the same replacement), primary-key
 * tables at parallelism 2, time travel to the snapshot before an overwrite, `$snapshots` commit kinds,
 * the errors of streaming mode and other connectors; `$audit_log` in batch and streaming mode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Session, type StatementResult } from '../src/api/index.js';
import { FloeError } from '../src/common/index.js';
import { ROW_KIND_SHORT, getRow, rowKindAt } from '../src/types/index.js';
import { runSql as run, floeError as code } from './support/sql-session.js';

const roots: string[] = [];
let duck: DuckDBConnection;

before(async () => {
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});

after(() => {
  duck?.closeSync();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function session(mode: 'batch' | 'streaming' = 'batch', config: Record<string, string> = {}): Session {
  return new Session({ config: { 'execution.runtime-mode': mode, 'table.local-time-zone': 'UTC', ...config }, warn: () => {} });
}

/** A batch session with catalog `lake` over a fresh warehouse, database `db` current. */
async function lake(config: Record<string, string> = {}): Promise<{ s: Session; wh: string }> {
  const wh = mkdtempSync(join(tmpdir(), 'floe-paimon-overwrite-'));
  roots.push(wh);
  const s = session('batch', config);
  await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake; CREATE DATABASE db; USE db;`);
  return { s, wh };
}

/** Rows as sorted JSON arrays. */
async function rows(s: Session, sql: string): Promise<string[]> {
  return (await s.query(sql)).map((r) => JSON.stringify(Object.values(r))).sort();
}


async function commitKinds(s: Session, table: string): Promise<string[]> {
  return (await s.query<{ commit_kind: string }>(`SELECT snapshot_id, commit_kind FROM \`${table}$snapshots\``)).map((r) => r.commit_kind);
}

describe('INSERT OVERWRITE into Paimon tables', () => {
  it('unpartitioned: replaces all rows in an OVERWRITE snapshot; time travel still reads the old rows', async () => {
    const { s } = await lake();
    await run(s, "CREATE TABLE t (id INT, v STRING); INSERT INTO t VALUES (1, 'a'), (2, 'b'); INSERT INTO t VALUES (3, 'c')");
    await run(s, "INSERT OVERWRITE t SELECT id * 10, UPPER(v) FROM t WHERE id <> 2");
    assert.deepEqual(await rows(s, 'SELECT * FROM t'), ['[10,"A"]', '[30,"C"]']);
    assert.deepEqual(await commitKinds(s, 't'), ['APPEND', 'APPEND', 'OVERWRITE']);
    const snaps = await s.query<{ total_record_count: number; delta_record_count: number }>('SELECT total_record_count, delta_record_count FROM `t$snapshots` WHERE commit_kind = \'OVERWRITE\'');
    assert.deepEqual(snaps, [{ total_record_count: 2, delta_record_count: -1 }]);
    assert.deepEqual(await rows(s, "SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '2') */"), ['[1,"a"]', '[2,"b"]', '[3,"c"]']);
    // Only the live files are listed: the overwritten ones are gone from the latest snapshot.
    assert.deepEqual(await rows(s, 'SELECT record_count FROM `t$files`'), ['[2]']);
    // An empty result empties the table.
    await run(s, 'INSERT OVERWRITE t SELECT id, v FROM t WHERE id < 0');
    assert.deepEqual(await rows(s, 'SELECT * FROM t'), []);
    assert.deepEqual(await rows(s, "SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '3') */"), ['[10,"A"]', '[30,"C"]']);
  });

  it('static partition: replaces only that partition, and an empty result empties it', async () => {
    const { s } = await lake();
    await run(s, "CREATE TABLE t (id INT, v STRING, dt STRING) PARTITIONED BY (dt); INSERT INTO t VALUES (1, 'a', 'd1'), (2, 'b', 'd1'), (3, 'c', 'd2'), (4, 'd', 'd3')");
    await run(s, "INSERT OVERWRITE t PARTITION (dt = 'd1') SELECT 9, 'z'");
    assert.deepEqual(await rows(s, 'SELECT * FROM t'), ['[3,"c","d2"]', '[4,"d","d3"]', '[9,"z","d1"]']);
    await run(s, "INSERT OVERWRITE t PARTITION (dt = 'd2') SELECT id, v FROM t WHERE id > 100");
    assert.deepEqual(await rows(s, 'SELECT * FROM t'), ['[4,"d","d3"]', '[9,"z","d1"]']);
    assert.deepEqual(await commitKinds(s, 't'), ['APPEND', 'OVERWRITE', 'OVERWRITE']);
    assert.deepEqual(await rows(s, 'SELECT `partition`, record_count FROM `t$partitions`'), ['["{d1}",1]', '["{d3}",1]']);
    // A DATE partition: its value is matched as a DATE (days), not as text.
    await run(s, "CREATE TABLE e (id INT, d DATE) PARTITIONED BY (d); INSERT INTO e VALUES (1, DATE '2024-01-01'), (2, DATE '2024-01-02')");
    await run(s, "INSERT OVERWRITE e PARTITION (d = DATE '2024-01-02') VALUES (5)");
    assert.deepEqual(await rows(s, 'SELECT id, CAST(d AS STRING) FROM e'), ['[1,"2024-01-01"]', '[5,"2024-01-02"]']);
  });

  it('dynamic partition overwrite: only written partitions (default) or the whole table (option false), as DuckDB computes it', async () => {
    const { s } = await lake();
    const base = Array.from({ length: 200 }, (_, i) => `(${i}, 'v${(i * 7) % 13}', 'p${i % 10}')`).join(', ');
    const fresh = Array.from({ length: 60 }, (_, i) => `(${1000 + i}, 'n${i % 5}', 'p${3 + (i % 3)}')`).join(', ');
    await duck.run(`CREATE OR REPLACE TABLE base AS SELECT * FROM (VALUES ${base}) AS b(id, v, dt)`);
    await duck.run(`CREATE OR REPLACE TABLE fresh AS SELECT * FROM (VALUES ${fresh}) AS f(id, v, dt)`);
    const oracle = async (sql: string) => (await duck.runAndReadAll(sql)).getRows().map((r) => JSON.stringify([Number(r[0]), r[1], r[2]])).sort();
    const dynamicExpected = await oracle('SELECT * FROM base WHERE dt NOT IN (SELECT dt FROM fresh) UNION ALL SELECT * FROM fresh');
    const fullExpected = await oracle('SELECT * FROM fresh');

    await run(s, `CREATE TEMPORARY VIEW fresh AS SELECT * FROM (VALUES ${fresh}) AS f(id, v, dt)`);
    await run(s, `CREATE TABLE dyn (id INT, v STRING, dt STRING) PARTITIONED BY (dt); INSERT INTO dyn VALUES ${base}`);
    await run(s, 'INSERT OVERWRITE dyn SELECT id, v, dt FROM fresh');
    assert.deepEqual(await rows(s, 'SELECT * FROM dyn'), dynamicExpected);
    // Nothing written: nothing replaced, no new snapshot.
    await run(s, 'INSERT OVERWRITE dyn SELECT id, v, dt FROM fresh WHERE id < 0');
    assert.deepEqual(await rows(s, 'SELECT * FROM dyn'), dynamicExpected);
    assert.deepEqual(await commitKinds(s, 'dyn'), ['APPEND', 'OVERWRITE']);

    // Off as a table option, or per statement as a dynamic option of the target.
    await run(s, `CREATE TABLE whole (id INT, v STRING, dt STRING) PARTITIONED BY (dt) WITH ('dynamic-partition-overwrite' = 'false'); INSERT INTO whole VALUES ${base}`);
    await run(s, 'INSERT OVERWRITE whole SELECT id, v, dt FROM fresh');
    assert.deepEqual(await rows(s, 'SELECT * FROM whole'), fullExpected);
    await run(s, `CREATE TABLE hinted (id INT, v STRING, dt STRING) PARTITIONED BY (dt); INSERT INTO hinted VALUES ${base}`);
    await run(s, "INSERT OVERWRITE hinted /*+ OPTIONS('dynamic-partition-overwrite' = 'false') */ SELECT id, v, dt FROM fresh");
    assert.deepEqual(await rows(s, 'SELECT * FROM hinted'), fullExpected);
  });

  it('primary-key table at parallelism 2: the old keys are gone, later upserts merge with the new rows only', async () => {
    const { s, wh } = await lake({ 'parallelism.default': '2' });
    // Every write (and the overwrite's read of kv) runs at parallelism 2; the checks read through a
    // parallelism-1 session on the same warehouse, since each parallelism-2 job costs seconds of
    // worker-thread startup, and reading at parallelism 2 is not what this test is about.
    const check = session();
    await run(check, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake; USE db;`);
    await run(s, "CREATE TABLE kv (k INT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '3')");
    const initial = Array.from({ length: 50 }, (_, i) => `(${i}, 'old${i}')`).join(', ');
    await run(s, `INSERT INTO kv VALUES ${initial}`);
    await run(s, "INSERT OVERWRITE kv SELECT k, CONCAT('new', CAST(k AS STRING)) FROM kv WHERE k % 5 = 0");
    const expected = Array.from({ length: 10 }, (_, i) => `[${i * 5},"new${i * 5}"]`).sort();
    assert.deepEqual(await rows(check, 'SELECT * FROM kv'), expected);
    await run(s, "INSERT INTO kv VALUES (1, 'back'), (5, 'five')");
    assert.deepEqual(await rows(check, 'SELECT * FROM kv'), [...expected.filter((r) => r !== '[5,"new5"]'), '[1,"back"]', '[5,"five"]'].sort());
    assert.deepEqual(await rows(check, "SELECT COUNT(*) FROM kv /*+ OPTIONS('scan.snapshot-id' = '1') */"), ['[50]']);
    assert.deepEqual(await commitKinds(check, 'kv'), ['APPEND', 'OVERWRITE', 'APPEND']);
  });

  it('EXPLAIN shows what the committer overwrites', async () => {
    const { s } = await lake();
    await run(s, 'CREATE TABLE t (id INT, dt STRING) PARTITIONED BY (dt)');
    const r = await run(s, "EXPLAIN INSERT OVERWRITE t PARTITION (dt = 'x') SELECT 1");
    assert.equal(r.kind, 'explain');
    assert.match((r as { text: string }).text, /LakeCommitter\(table=\[lake\.db\.t\], overwrite=\[dt=x\]\)/);
  });

  it('is refused in streaming mode (naming the statement) and for connectors other than paimon', async () => {
    const { s, wh } = await lake();
    await run(s, 'CREATE TABLE t (id INT)');
    const st = session('streaming');
    await run(st, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake; USE db;`);
    await assert.rejects(
      run(st, 'INSERT OVERWRITE t SELECT 1'),
      (e: unknown) => code('PLAN.OVERWRITE_STREAMING')(e) && (e as FloeError).span?.start.line === 1 && (e as FloeError).span?.start.col === 1 && /batch mode/.test((e as FloeError).message),
    );
    const dir = mkdtempSync(join(tmpdir(), 'floe-overwrite-fs-'));
    roots.push(dir);
    await run(s, `CREATE TEMPORARY TABLE fs (id INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
    await assert.rejects(run(s, 'INSERT OVERWRITE fs SELECT 1'), (e: unknown) => code('PLAN.UNSUPPORTED_OVERWRITE')(e) && /connector 'filesystem'/.test((e as FloeError).message));
    // Nothing was written by the refused statements.
    assert.deepEqual(await commitKinds(s, 't'), []);
  });
});

describe('the $audit_log system table', () => {
  it('batch mode: rowkind then the columns; the merged rows of the latest (or a time-travel) snapshot as +I', async () => {
    const { s } = await lake();
    await run(s, "CREATE TABLE kv (k INT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2'); INSERT INTO kv VALUES (1, 'a'), (2, 'b'); INSERT INTO kv VALUES (1, 'A')");
    const describe = (await run(s, 'DESCRIBE `kv$audit_log`')) as Extract<StatementResult, { kind: 'rows' }>;
    assert.deepEqual(describe.rows.map((r) => [r[0], r[1], r[2]]), [['rowkind', 'STRING', 'FALSE'], ['k', 'INT', 'FALSE'], ['v', 'STRING', 'TRUE']]);
    assert.deepEqual(await rows(s, 'SELECT * FROM `kv$audit_log`'), ['["+I",1,"A"]', '["+I",2,"b"]']);
    assert.deepEqual(await rows(s, "SELECT rowkind, v FROM `kv$audit_log` /*+ OPTIONS('scan.snapshot-id' = '1') */ WHERE k = 1"), ['["+I","a"]']);
    assert.deepEqual(await rows(s, 'SELECT v FROM `kv$audit_log`'), ['["A"]', '["b"]']);
    assert.deepEqual(await rows(s, 'SELECT rowkind, COUNT(*) FROM `kv$audit_log` GROUP BY rowkind'), ['["+I",2]']);
    await assert.rejects(run(s, "INSERT INTO `kv$audit_log` VALUES ('+I', 3, 'c')"), code('PLAN.READ_ONLY_TABLE'));
    await assert.rejects(run(s, 'SELECT * FROM `kv$audit_logs`'), (e: unknown) => code('CATALOG.UNKNOWN_SYSTEM_TABLE')(e) && /kv\$audit_log'/.test((e as FloeError).help ?? ''));
  });

  it('streaming mode: the changelog of a primary-key table as insert-only rows, -U/+U after an update', async () => {
    const { s, wh } = await lake();
    await run(s, "CREATE TABLE kv (k INT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2'); INSERT INTO kv VALUES (1, 'a'), (2, 'b')");
    const st = session('streaming');
    await run(st, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake; USE db;`);
    const q = await st.execute(st.parse("SELECT rowkind, k, v FROM `kv$audit_log` /*+ OPTIONS('continuous.discovery-interval' = '10 ms') */ WHERE rowkind <> '-D' OR k = 2")[0]!);
    assert.equal(q.kind, 'query');
    const { batches, handle, resultType, changelogMode } = (q as Extract<StatementResult, { kind: 'query' }>).query;
    assert.equal(changelogMode.kind, 'insert-only');
    const seen: string[] = [];
    const consume = (async () => {
      for await (const batch of batches) {
        for (let r = 0; r < batch.numRows; r++) seen.push(`${ROW_KIND_SHORT[rowKindAt(batch, r)]}${JSON.stringify(getRow(batch, r, resultType))}`);
      }
    })();
    const waitFor = async (n: number) => {
      const until = Date.now() + 30_000;
      while (seen.length < n) {
        if (Date.now() > until) assert.fail(`timed out with ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitFor(2);
    assert.deepEqual(seen.slice().sort(), ['+I["+I",1,"a"]', '+I["+I",2,"b"]']);
    await run(s, "INSERT INTO kv VALUES (1, 'A'), (3, 'c')");
    await waitFor(5);
    assert.deepEqual(seen.slice(2).sort(), ['+I["+I",3,"c"]', '+I["+U",1,"A"]', '+I["-U",1,"a"]']);
    // An overwrite is skipped by streaming readers; the next append is diffed against it.
    await run(s, "INSERT OVERWRITE kv VALUES (1, 'A'), (3, 'c')");
    await run(s, "INSERT INTO kv VALUES (3, 'C')");
    await waitFor(7);
    await handle.cancel();
    await consume;
    assert.deepEqual(seen.slice(5).sort(), ['+I["+U",3,"C"]', '+I["-U",3,"c"]']);
  });
});
