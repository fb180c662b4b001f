/**
 * Paimon tables from SQL (issue 7, part 3): a Paimon catalog over a warehouse, DDL that creates real
 * Paimon tables, batch reads (latest, time travel by snapshot id, timestamp and FOR SYSTEM_TIME AS OF),
 * INSERT INTO as one snapshot per bounded job or per checkpoint (exactly once across a task failure),
 * system tables and the errors people see.
 *
 * Reads are checked against the fixtures in ../shared/paimon-testdata (written by Paimon Java and C++;
 * `expected/*.json` gives the visible rows of every snapshot) and against tables written here, which
 * are also read back through src/lake directly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type StatementResult } from '../src/api/index.js';
import { FloeError, sharedDataDir } from '../src/common/index.js';
import { openPaimonTable } from '../src/lake/index.js';
import { LocalFileObjectStore } from '../src/storage/index.js';
import { getRow, ROW_KIND_SHORT, rowKindAt } from '../src/types/index.js';
import { runSql as run, floeError as code } from './support/sql-session.js';

const DATA = join(sharedDataDir(), 'paimon-testdata');
const FIXTURES = join(DATA, 'paimon-cpp', 'parquet');

function session(config: Record<string, string> = {}): Session {
  return new Session({ config: { 'execution.runtime-mode': 'batch', 'table.local-time-zone': 'UTC', ...config }, warn: () => {} });
}

async function rowsOf(s: Session, sql: string): Promise<string[][]> {
  const r = await run(s, sql);
  assert.equal(r.kind, 'rows');
  return (r as Extract<StatementResult, { kind: 'rows' }>).rows.map((x) => [...x]);
}

/** Query rows as sorted JSON arrays of their values (bigint as `<n>n`). */
async function select(s: Session, sql: string): Promise<string[]> {
  const rows = await s.query(sql);
  return rows.map((r) => JSON.stringify(Object.values(r), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

const sorted = (rows: readonly unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

function warehouse(): string {
  return mkdtempSync(join(tmpdir(), 'floe-paimon-sql-'));
}

/** A session with catalog `lake` over a fresh warehouse, database `db` current. */
async function lakeSession(config: Record<string, string> = {}): Promise<{ s: Session; wh: string }> {
  const wh = warehouse();
  const s = session(config);
  await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake; CREATE DATABASE db; USE db;`);
  return { s, wh };
}

describe('Paimon catalog over the fixture warehouse', () => {
  it('lists databases and tables, describes a table with its primary key and options', async () => {
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}'); USE CATALOG lake;`);
    const dbs = (await rowsOf(s, 'SHOW DATABASES')).map((r) => r[0]);
    const onDisk = readdirSync(FIXTURES).filter((d) => d.endsWith('.db')).map((d) => d.slice(0, -3));
    assert.deepEqual(dbs, [...new Set([...onDisk, 'default'])].sort());
    assert.deepEqual(await rowsOf(s, 'SHOW CURRENT DATABASE'), [['default']]);
    assert.deepEqual(await rowsOf(s, 'SHOW TABLES IN pk_table_scan_and_read_mor'), [['pk_table_scan_and_read_mor']]);
    await run(s, 'USE pk_table_scan_and_read_mor');
    assert.deepEqual(await rowsOf(s, 'DESCRIBE pk_table_scan_and_read_mor'), [
      ['f0', 'STRING', 'FALSE', 'PRI(f0, f1, f2)', '', ''],
      ['f1', 'INT', 'FALSE', 'PRI(f0, f1, f2)', '', ''],
      ['f2', 'INT', 'FALSE', 'PRI(f0, f1, f2)', '', ''],
      ['f3', 'DOUBLE', 'TRUE', '', '', ''],
    ]);
    const create = (await rowsOf(s, 'SHOW CREATE TABLE pk_table_scan_and_read_mor'))[0]![0]!;
    assert.match(create, /PARTITIONED BY \(`f1`\)/);
    assert.match(create, /'bucket' = '2'/);
    assert.match(create, /'connector' = 'paimon'/);
  });

  for (const file of readdirSync(join(DATA, 'expected')).filter((f) => f.endsWith('.json'))) {
    const expected = JSON.parse(readFileSync(join(DATA, 'expected', file), 'utf8')) as { fixture: string; snapshots: { snapshot: number; rows: unknown[][] }[] };
    const name = file.slice(0, -'.json'.length);
    it(`reads every snapshot of ${name} as expected/${file} says (latest and scan.snapshot-id)`, async () => {
      const s = session();
      await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}')`);
      for (const snap of expected.snapshots) {
        const got = await select(s, `SELECT * FROM lake.${name}.${name} /*+ OPTIONS('scan.snapshot-id' = '${snap.snapshot}') */`);
        assert.deepEqual(got, sorted(snap.rows), `snapshot ${snap.snapshot}`);
      }
      assert.deepEqual(await select(s, `SELECT * FROM lake.${name}.${name}`), sorted(expected.snapshots.at(-1)!.rows), 'latest');
    });
  }

  it('time travel by timestamp: scan.timestamp-millis and FOR SYSTEM_TIME AS OF (session time zone)', async () => {
    const mor = 'lake.pk_table_scan_and_read_mor.pk_table_scan_and_read_mor';
    const expected = JSON.parse(readFileSync(join(DATA, 'expected', 'pk_table_scan_and_read_mor.json'), 'utf8')) as { snapshots: { snapshot: number; rows: unknown[][] }[] };
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}')`);
    const snaps = await s.query<{ snapshot_id: number; commit_time: number }>(`SELECT snapshot_id, commit_time FROM lake.pk_table_scan_and_read_mor.\`pk_table_scan_and_read_mor$snapshots\``);
    assert.deepEqual(snaps.map((r) => r.snapshot_id), [1, 2, 3, 4, 5]);
    const t2 = snaps[1]!.commit_time;
    assert.ok(t2 < snaps[2]!.commit_time);
    const rows2 = sorted(expected.snapshots.find((x) => x.snapshot === 2)!.rows);
    assert.deepEqual(await select(s, `SELECT * FROM ${mor} /*+ OPTIONS('scan.timestamp-millis' = '${t2}') */`), rows2);
    const utc = new Date(t2).toISOString().replace('T', ' ').replace('Z', '');
    assert.deepEqual(await select(s, `SELECT * FROM ${mor} /*+ OPTIONS('scan.mode' = 'from-timestamp', 'scan.timestamp' = '${utc}') */`), rows2);
    assert.deepEqual(await select(s, `SELECT * FROM ${mor} FOR SYSTEM_TIME AS OF TIMESTAMP '${utc}'`), rows2);
    // The same instant written as Shanghai wall-clock time (UTC+8) in a Shanghai session.
    const shanghai = session({ 'table.local-time-zone': 'Asia/Shanghai' });
    await run(shanghai, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}')`);
    const local = new Date(t2 + 8 * 3600_000).toISOString().replace('T', ' ').replace('Z', '');
    assert.deepEqual(await select(shanghai, `SELECT * FROM ${mor} FOR SYSTEM_TIME AS OF TIMESTAMP '${local}'`), rows2);
    // Before the first snapshot there is nothing to read (Paimon's static from-timestamp scan).
    assert.deepEqual(await select(s, `SELECT * FROM ${mor} FOR SYSTEM_TIME AS OF TIMESTAMP '2000-01-01 00:00:00'`), []);
    await assert.rejects(select(s, `SELECT * FROM ${mor} FOR SYSTEM_TIME AS OF 42`), code('PLAN.BAD_TIME_TRAVEL'));
  });

  it('dynamic options reach the reader (partial-update fixture with and without ignore-delete)', async () => {
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}')`);
    const t = 'lake.pk_table_partial_update.pk_table_partial_update';
    assert.deepEqual(await select(s, `SELECT * FROM ${t}`), sorted([[0, 1, 100.0, true, 'new_apple'], [1, 0, 2.0, false, null], [1, 1, 133.3, false, 'banana'], [2, 1, 144.4, true, 'orange']]));
    await assert.rejects(select(s, `SELECT * FROM ${t} /*+ OPTIONS('ignore-delete' = 'false') */`), code('LAKE.PARTIAL_UPDATE_DELETE'));
  });

  it('branch fallback (scan.fallback-branch stored in the table) and data evolution through SQL', async () => {
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}')`);
    assert.deepEqual(await select(s, 'SELECT * FROM lake.append_table_with_append_pt_branch.append_table_with_append_pt_branch'), sorted([[1, 110, null], [1, 120, 1200], [2, 210, null], [2, 220, 2200]]));
    const blob = 'blob_append_table_alter_table_with_cast_with_data_evolution';
    await assert.rejects(select(s, `SELECT * FROM lake.${blob}.${blob}`), code('LAKE.UNSUPPORTED_FEATURE', /data evolution/));
  });

  it('system tables $options, $schemas and $files of a Java-written table', async () => {
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}'); USE lake.pk_table_scan_and_read_dv;`);
    const options = await s.query<{ key: string; value: string }>('SELECT * FROM `pk_table_scan_and_read_dv$options`');
    assert.ok(options.some((o) => o.key === 'deletion-vectors.enabled' && o.value === 'true'));
    const schemas = await s.query<{ schema_id: number; primary_keys: string }>('SELECT schema_id, primary_keys FROM `pk_table_scan_and_read_dv$schemas`');
    assert.deepEqual(schemas.map((r) => r.schema_id), [0]);
    const files = await s.query<{ level: number; record_count: number }>('SELECT `level`, record_count FROM `pk_table_scan_and_read_dv$files`');
    assert.ok(files.length > 0 && files.some((f) => f.level > 0) && files.some((f) => f.level === 0));
    assert.deepEqual(await select(s, 'SELECT COUNT(*) FROM `pk_table_scan_and_read_dv$snapshots`'), ['[6]']);
  });

  it('errors name what exists: unknown table, system table, snapshot; ORC tables read like Parquet ones', async () => {
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${FIXTURES}'); USE lake.pk_table_scan_and_read_dv;`);
    await assert.rejects(select(s, 'SELECT * FROM pk_table_scan_and_read'), code('PLAN.UNKNOWN_TABLE', /tables and views in lake\.pk_table_scan_and_read_dv: pk_table_scan_and_read_dv/));
    await assert.rejects(select(s, 'SELECT * FROM `pk_table_scan_and_read_dv$snapshot`'), code('CATALOG.UNKNOWN_SYSTEM_TABLE', /did you mean 'pk_table_scan_and_read_dv\$snapshots'/));
    await assert.rejects(select(s, `SELECT * FROM pk_table_scan_and_read_dv /*+ OPTIONS('scan.snapshot-id' = '7') */`), code('PAIMON.SNAPSHOT_NOT_FOUND', /snapshots are 1\.\.6/));
    await assert.rejects(select(s, `SELECT * FROM pk_table_scan_and_read_dv /*+ OPTIONS('scan.snapshotid' = '2') */`), code('PLAN.CONNECTOR_OPTION', /scan\.snapshotid/));
    await assert.rejects(select(s, `SELECT * FROM pk_table_scan_and_read_dv /*+ OPTIONS('scan.tag-name' = 'v1') */`), code('LAKE.TAG_NOT_FOUND', /has no tag 'v1'/));
    await run(s, `CREATE CATALOG orc WITH ('type' = 'paimon', 'warehouse' = '${join(DATA, 'paimon-cpp', 'orc')}')`);
    // The same table written with ORC manifests and data files (src/lake/orc/) reads the same rows.
    assert.deepEqual(
      await select(s, 'SELECT * FROM orc.pk_table_partial_update.pk_table_partial_update'),
      sorted([[0, 1, 100.0, true, 'new_apple'], [1, 0, 2.0, false, null], [1, 1, 133.3, false, 'banana'], [2, 1, 144.4, true, 'orange']]),
    );
    // FOR SYSTEM_TIME AS OF on a table without snapshots keeps its old error.
    await run(s, `CREATE TEMPORARY TABLE default_catalog.default_database.g (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')`);
    await assert.rejects(select(s, `SELECT * FROM default_catalog.default_database.g FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01 00:00:00'`), code('PLAN.UNSUPPORTED_TEMPORAL_JOIN'));
  });
});

describe('a warehouse with a broken table', () => {
  it('lists it, fails only when it is used, and keeps the rest usable', async () => {
    const { s, wh } = await lakeSession();
    await run(s, `CREATE TABLE good (id BIGINT); INSERT INTO good VALUES (1);`);
    mkdirSync(join(wh, 'db.db', 'bad', 'schema'), { recursive: true });
    writeFileSync(join(wh, 'db.db', 'bad', 'schema', 'schema-0'), '{ not json');
    assert.deepEqual(await rowsOf(s, 'SHOW TABLES'), [['bad'], ['good']]);
    await assert.rejects(select(s, 'SELECT * FROM bad'), (e: unknown) => e instanceof FloeError && e.kind === 'io' && /schema-0/.test(e.message));
    assert.deepEqual(await select(s, 'SELECT * FROM good'), ['[1]']);
  });
});

describe('parallel jobs', () => {
  it('parallelism 2: every split is read once and every row is committed (one snapshot: writers hand their files to one committer)', async () => {
    const { s } = await lakeSession({ 'parallelism.default': '2' });
    await run(s, `
      CREATE TEMPORARY TABLE default_catalog.default_database.src (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000', 'fields.v.length' = '2');
      CREATE TABLE kv (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '4');
      INSERT INTO kv SELECT * FROM default_catalog.default_database.src;`);
    assert.deepEqual(await select(s, 'SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM kv'), ['[1000,1000,500500]']);
    // The snapshot count is a metadata check: read it at parallelism 1 (a parallelism-2 job costs seconds of
    // worker-thread startup).
    await run(s, "SET 'parallelism.default' = '1'");
    const n = await s.query<{ n: number }>('SELECT COUNT(*) AS n FROM `kv$snapshots`');
    assert.equal(n[0]!.n, 1, `snapshots: ${n[0]!.n}`);
  });

  it('INSERT … PARTITION with a static partition value', async () => {
    const { s, wh } = await lakeSession();
    await run(s, `CREATE TABLE p (id BIGINT, dt STRING) PARTITIONED BY (dt);
                  INSERT INTO p PARTITION (dt = '2026-11-27') SELECT id FROM (VALUES (1), (2)) AS v(id);`);
    assert.deepEqual(await select(s, 'SELECT * FROM p'), ['[1,"2026-11-27"]', '[2,"2026-11-27"]']);
    assert.ok(existsSync(join(wh, 'db.db', 'p', 'dt=2026-11-27', 'bucket-0')));
  });
});

describe('Paimon tables in streaming jobs', () => {
  it('a Paimon table is a lookup-join dimension (read in full per cache load)', async () => {
    const { s } = await lakeSession({ 'execution.runtime-mode': 'streaming' });
    await run(s, `
      CREATE TABLE dim (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '2');
      INSERT INTO dim VALUES (1, 'one'), (2, 'two'), (3, 'three');
      INSERT INTO dim VALUES (3, 'THREE');
      CREATE TEMPORARY TABLE o (id BIGINT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '4');`);
    assert.deepEqual(await select(s, 'SELECT o.id, d.name FROM o LEFT JOIN dim FOR SYSTEM_TIME AS OF o.pt AS d ON o.id = d.id'), [
      '[0,null]',
      '[1,"one"]',
      '[2,"two"]',
      '[3,"THREE"]',
      '[4,null]',
    ]);
  });
});

describe('CREATE CATALOG errors', () => {
  it('missing or unknown warehouse, unsupported options', async () => {
    const s = session();
    await assert.rejects(run(s, `CREATE CATALOG c WITH ('type' = 'paimon')`), code('CATALOG.MISSING_WAREHOUSE'));
    await assert.rejects(run(s, `CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/nonexistent-floe/dir/wh')`), code('CATALOG.UNKNOWN_WAREHOUSE', /\/nonexistent-floe\/dir\/wh/));
    const file = join(warehouse(), 'file');
    writeFileSync(file, 'x');
    await assert.rejects(run(s, `CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '${file}')`), code('CATALOG.UNKNOWN_WAREHOUSE', /not a directory/));
    await assert.rejects(run(s, `CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '${warehouse()}', 'warehous' = 'x')`), code('CATALOG.UNSUPPORTED_OPTION', /did you mean 'warehouse'/));
    await assert.rejects(run(s, `CREATE CATALOG c WITH ('type' = 'hive')`), code('PLAN.UNSUPPORTED_CATALOG', /paimon/));
    // A new warehouse directory under an existing parent is created (as Paimon does).
    const fresh = join(warehouse(), 'wh');
    await run(s, `CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '${fresh}')`);
    assert.ok(existsSync(fresh));
    await run(s, `CREATE CATALOG IF NOT EXISTS c WITH ('type' = 'paimon', 'warehouse' = '/nonexistent-floe/dir/wh')`);
    await assert.rejects(run(s, `CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '${fresh}')`), code('PLAN.CATALOG_EXISTS'));
  });
});

describe('DDL in a Paimon catalog creates real Paimon tables', () => {
  it('CREATE DATABASE / TABLE write the warehouse layout; DROP removes it', async () => {
    const { s, wh } = await lakeSession();
    await run(s, `
      CREATE TABLE orders (id BIGINT, name STRING COMMENT 'who', amount DECIMAL(10, 2), dt STRING, PRIMARY KEY (id, dt) NOT ENFORCED)
        COMMENT 'orders table' PARTITIONED BY (dt) WITH ('bucket' = '2', 'merge-engine' = 'deduplicate');
      CREATE TABLE logs (ts TIMESTAMP(3), msg STRING);`);
    assert.ok(existsSync(join(wh, 'db.db', 'orders', 'schema', 'schema-0')));
    assert.deepEqual(await rowsOf(s, 'SHOW TABLES'), [['logs'], ['orders']]);
    assert.deepEqual(await rowsOf(s, 'DESCRIBE orders'), [
      ['id', 'BIGINT', 'FALSE', 'PRI(id, dt)', '', ''],
      ['name', 'STRING', 'TRUE', '', '', ''],
      ['amount', 'DECIMAL(10, 2)', 'TRUE', '', '', ''],
      ['dt', 'STRING', 'FALSE', 'PRI(id, dt)', '', ''],
    ]);
    // Through src/lake directly: the schema file is Paimon's.
    const t = await openPaimonTable(new LocalFileObjectStore(wh), 'db.db/orders');
    assert.deepEqual(t.primaryKeys, ['id', 'dt']);
    assert.deepEqual(t.partitionKeys, ['dt']);
    assert.equal(t.options['merge-engine'], 'deduplicate');
    assert.equal(t.schema().comment, 'orders table');
    assert.equal(t.schema().fields[1]!.description, 'who');
    // A second session sees what the first created.
    const other = session();
    await run(other, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}')`);
    assert.deepEqual(await rowsOf(other, 'SHOW TABLES IN lake.db'), [['logs'], ['orders']]);
    assert.deepEqual(await rowsOf(other, 'SHOW DATABASES IN lake'), [['db'], ['default']]);
    await run(s, 'DROP TABLE logs');
    assert.ok(!existsSync(join(wh, 'db.db', 'logs')));
    assert.deepEqual(await rowsOf(other, 'SHOW TABLES IN lake.db'), [['orders']], 'the other session refreshes');
    await assert.rejects(run(s, 'DROP TABLE logs'), code('PLAN.UNKNOWN_TABLE'));
    await run(s, 'DROP TABLE IF EXISTS logs');
    await run(s, 'USE `default`');
    await assert.rejects(run(s, 'DROP DATABASE db'), code('PLAN.DATABASE_NOT_EMPTY'));
    await run(s, 'DROP DATABASE db CASCADE');
    assert.ok(!existsSync(join(wh, 'db.db')));
    assert.deepEqual(await rowsOf(s, 'SHOW DATABASES'), [['default']]);
  });

  it('refuses what a Paimon schema cannot hold, naming the option or column', async () => {
    const { s } = await lakeSession();
    await assert.rejects(run(s, `CREATE TABLE t (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'changelog-producer' = 'full-compaction')`), code('CATALOG.PAIMON_OPTION', /changelog-producer/));
    await assert.rejects(run(s, `CREATE TABLE t (id BIGINT) WITH ('bukcet' = '2')`), code('CATALOG.PAIMON_OPTION', /did you mean 'bucket'/));
    await assert.rejects(run(s, `CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem')`), code('CATALOG.PAIMON_OPTION', /'connector'/));
    // Without 'bucket' a primary-key table has dynamic buckets; a partition column outside the key would need
    // Paimon's cross-partition upserts, which are not supported.
    await assert.rejects(run(s, `CREATE TABLE t (id BIGINT, dt STRING, PRIMARY KEY (id) NOT ENFORCED) PARTITIONED BY (dt)`), code('LAKE.CROSS_PARTITION_UPDATE_UNSUPPORTED', /'dt'/));
    await assert.rejects(run(s, `CREATE TABLE t (id BIGINT, id2 AS id + 1)`), code('CATALOG.UNSUPPORTED_COLUMN', /id2/));
    await assert.rejects(run(s, `CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)`), code('CATALOG.UNSUPPORTED_WATERMARK'));
    await assert.rejects(run(s, `CREATE VIEW v AS SELECT 1 AS x`), code('CATALOG.UNSUPPORTED_OBJECT', /TEMPORARY VIEW/));
    await assert.rejects(run(s, 'CREATE TABLE `a$b` (id BIGINT)'), code('CATALOG.INVALID_NAME'));
    assert.deepEqual(await rowsOf(s, 'SHOW TABLES'), [], 'nothing was created');
    await run(s, `CREATE TEMPORARY VIEW v AS SELECT 1 AS x`);
    assert.deepEqual(await select(s, 'SELECT * FROM v'), ['[1]']);
  });

  it("'table-default.' catalog options apply to new tables; IF NOT EXISTS keeps an existing table", async () => {
    const wh = warehouse();
    const s = session();
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}', 'table-default.bucket' = '3', 'default-database' = 'main');
                  USE CATALOG lake;
                  CREATE TABLE kv (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED);
                  CREATE TABLE IF NOT EXISTS kv (other INT);`);
    assert.deepEqual(await rowsOf(s, 'SHOW CURRENT DATABASE'), [['main']]);
    assert.ok(existsSync(join(wh, 'main.db', 'kv', 'schema', 'schema-0')));
    assert.deepEqual(await select(s, "SELECT `value` FROM `kv$options` WHERE key = 'bucket'"), ['["3"]']);
    assert.deepEqual((await rowsOf(s, 'DESCRIBE kv')).map((r) => r[0]), ['k', 'v']);
    await assert.rejects(run(s, 'CREATE TABLE kv (other INT)'), code('PLAN.TABLE_EXISTS'));
  });

  it('works the same on an object store (memory:// warehouse): create, write, read, drop', async () => {
    const s = session();
    const name = `floe-paimon-sql-${process.pid}-${Date.now()}`;
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 'memory://${name}'); USE CATALOG lake;
                  CREATE DATABASE db; CREATE TABLE db.t (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '2');
                  INSERT INTO db.t VALUES (1), (2), (3);`);
    assert.deepEqual(await select(s, 'SELECT * FROM db.t'), ['[1]', '[2]', '[3]']);
    const other = session();
    await run(other, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 'memory://${name}')`);
    assert.deepEqual(await rowsOf(other, 'SHOW TABLES IN lake.db'), [['t']]);
    await run(s, 'DROP DATABASE db CASCADE');
    assert.deepEqual(await rowsOf(other, 'SHOW DATABASES IN lake'), [['default']]);
  });

  it('ALTER TABLE … SET writes a new schema with the changed options', async () => {
    const { s } = await lakeSession();
    await run(s, `CREATE TABLE t (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1');
                  INSERT INTO t VALUES (1, 'a');
                  ALTER TABLE t SET ('snapshot.num-retained.max' = '5');`);
    assert.deepEqual(await select(s, 'SELECT schema_id FROM `t$schemas`'), ['[0]', '[1]']);
    assert.deepEqual(await select(s, "SELECT `value` FROM `t$options` WHERE key = 'snapshot.num-retained.max'"), ['["5"]']);
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"a"]']);
    await assert.rejects(run(s, `ALTER TABLE t SET ('bucket' = '4')`), code('CATALOG.UNSUPPORTED_ALTER', /bucket/));
  });
});

describe('INSERT INTO a Paimon table', () => {
  it('a bounded job commits one snapshot; primary keys upsert across jobs; NULLs survive', async () => {
    const { s, wh } = await lakeSession();
    await run(s, `
      CREATE TABLE orders (id BIGINT, name STRING, amount DECIMAL(10, 2), dt STRING, PRIMARY KEY (id, dt) NOT ENFORCED)
        PARTITIONED BY (dt) WITH ('bucket' = '2');
      INSERT INTO orders VALUES (1, 'a', 1.50, 'd1'), (2, 'b', 2.00, 'd1'), (3, CAST(NULL AS STRING), NULL, 'd2');`);
    assert.deepEqual(await select(s, 'SELECT snapshot_id, commit_kind, commit_identifier, total_record_count FROM `orders$snapshots`'), ['[1,"APPEND",9223372036854776000,3]']);
    await run(s, `INSERT INTO orders VALUES (1, 'a2', 9.99, 'd1'), (4, 'd', 4.00, 'd2')`);
    assert.deepEqual(await select(s, 'SELECT * FROM orders'), ['[1,"a2","999n","d1"]', '[2,"b","200n","d1"]', '[3,null,null,"d2"]', '[4,"d","400n","d2"]']);
    assert.deepEqual(await select(s, `SELECT * FROM orders /*+ OPTIONS('scan.snapshot-id' = '1') */`), ['[1,"a","150n","d1"]', '[2,"b","200n","d1"]', '[3,null,null,"d2"]']);
    // Partitions and buckets on disk, as Paimon lays them out.
    assert.deepEqual(readdirSync(join(wh, 'db.db', 'orders')).filter((d) => d.startsWith('dt=')).sort(), ['dt=d1', 'dt=d2']);
    // Empty input: no new snapshot.
    await run(s, `INSERT INTO orders SELECT * FROM orders WHERE id < 0`);
    assert.deepEqual(await select(s, 'SELECT COUNT(*) FROM `orders$snapshots`'), ['[2]']);
    // Read back through src/lake directly.
    const t = await openPaimonTable(new LocalFileObjectStore(wh), 'db.db/orders');
    const direct: string[] = [];
    for await (const b of t.readSnapshot()) for (let r = 0; r < b.numRows; r++) direct.push(JSON.stringify(getRow(b, r, t.rowType), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    assert.deepEqual(direct.sort(), await select(s, 'SELECT * FROM orders'));
  });

  it('round-trips every scalar type, and NULL in each', async () => {
    const { s } = await lakeSession();
    await run(s, `
      CREATE TABLE ty (b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT, f FLOAT, d DOUBLE, de DECIMAL(20, 4), s STRING, vc VARCHAR(10),
                       bs BYTES, dt DATE, t TIME(3), ts TIMESTAMP(3), ts6 TIMESTAMP(6), ltz TIMESTAMP_LTZ(3));
      INSERT INTO ty VALUES (TRUE, CAST(1 AS TINYINT), CAST(2 AS SMALLINT), 3, 4, CAST(1.5 AS FLOAT), 2.5, CAST(12345.6789 AS DECIMAL(20, 4)), 'str', 'vc',
                             X'0102', DATE '2026-11-27', TIME '12:34:56.789', TIMESTAMP '2026-11-27 12:34:56.789', TIMESTAMP '2026-11-27 12:34:56.123456', TO_TIMESTAMP_LTZ(1000, 3));
      INSERT INTO ty (b) VALUES (CAST(NULL AS BOOLEAN));`);
    const text = await s.query('SELECT b, ti, si, i, bi, f, d, CAST(de AS STRING) AS de, s, vc, TO_BASE64(bs) AS bs, CAST(dt AS STRING) AS dt, CAST(t AS STRING) AS t, CAST(ts AS STRING) AS ts, CAST(ts6 AS STRING) AS ts6, CAST(ltz AS STRING) AS ltz FROM ty');
    assert.deepEqual(text.map((r) => JSON.stringify(Object.values(r))).sort(), [
      JSON.stringify([true, 1, 2, 3, 4, 1.5, 2.5, '12345.6789', 'str', 'vc', 'AQI=', '2026-11-27', '12:34:56.789', '2026-11-27 12:34:56.789', '2026-11-27 12:34:56.123456', '1970-01-01 00:00:01.000']),
      JSON.stringify(new Array(16).fill(null)),
    ].sort());
  });

  it('copies between catalogs and appends to an append table', async () => {
    const { s } = await lakeSession();
    await run(s, `
      CREATE TEMPORARY TABLE default_catalog.default_database.src (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '50', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '50', 'fields.v.length' = '3');
      CREATE TABLE events (id BIGINT, v STRING);
      INSERT INTO events SELECT * FROM default_catalog.default_database.src;
      INSERT INTO events SELECT * FROM default_catalog.default_database.src WHERE id <= 10;`);
    assert.deepEqual(await select(s, 'SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM events'), ['[60,50,1330]']);
  });

  it('merge engines: partial-update and first-row', async () => {
    const { s } = await lakeSession();
    await run(s, `
      CREATE TABLE pu (id BIGINT, a STRING, b STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'merge-engine' = 'partial-update');
      CREATE TABLE fr (id BIGINT, a STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'merge-engine' = 'first-row');
      INSERT INTO pu VALUES (1, 'a1', CAST(NULL AS STRING)), (2, 'x', 'y');
      INSERT INTO pu VALUES (1, CAST(NULL AS STRING), 'b1');
      INSERT INTO fr VALUES (1, 'first');
      INSERT INTO fr VALUES (1, 'second'), (2, 'other');`);
    assert.deepEqual(await select(s, 'SELECT * FROM pu'), ['[1,"a1","b1"]', '[2,"x","y"]']);
    // first-row: batch scans skip level 0, so the sink compacts after each commit (as Paimon's writer does).
    assert.deepEqual(await select(s, 'SELECT * FROM fr'), ['[1,"first"]', '[2,"other"]']);
    assert.deepEqual(await select(s, 'SELECT snapshot_id, commit_kind FROM `fr$snapshots`'), ['[1,"APPEND"]', '[2,"COMPACT"]', '[3,"APPEND"]', '[4,"COMPACT"]']);
  });

  it('an updating changelog becomes upserts and deletes of a primary-key table (streaming, checkpointed)', async () => {
    const wh = warehouse();
    const s = session({ 'execution.runtime-mode': 'streaming', 'execution.checkpointing.interval': '50 ms', 'execution.checkpointing.dir': join(wh, '..', `chk-${Date.now()}`) });
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake;
      CREATE TABLE counts (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2');
      CREATE TABLE singles (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2');
      INSERT INTO counts SELECT k, COUNT(*) FROM (VALUES ('a'), ('a'), ('b'), ('a')) AS v(k) GROUP BY k;
      INSERT INTO singles SELECT k, n FROM (SELECT k, COUNT(*) AS n FROM (VALUES ('a'), ('a'), ('b')) AS v(k) GROUP BY k) WHERE n < 2;`);
    // Read back in batch mode (in streaming mode the query would follow the table forever).
    await run(s, `SET 'execution.runtime-mode' = 'batch'`);
    assert.deepEqual(await select(s, 'SELECT * FROM counts'), ['["a",3]', '["b",1]']);
    assert.deepEqual(await select(s, 'SELECT * FROM singles'), ['["b",1]'], "'a' was retracted when its count reached 2");
    // Commits are tied to checkpoints: the identifier is the checkpoint id, not Paimon's batch id.
    const ids = await s.query<{ commit_identifier: number }>('SELECT commit_identifier FROM `counts$snapshots`');
    assert.ok(ids.length >= 1 && ids.every((r) => r.commit_identifier < 1000), JSON.stringify(ids));
  });

  it("changelog-producer 'input': an updating query's -U rows reach the table's changelog files", async () => {
    const wh = warehouse();
    const s = session({ 'execution.runtime-mode': 'streaming', 'execution.checkpointing.interval': '50 ms', 'execution.checkpointing.dir': join(wh, '..', `chk-input-${Date.now()}`) });
    await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake;
      CREATE TABLE counts (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '1', 'changelog-producer' = 'input');
      CREATE TEMPORARY TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '6', 'rows-per-second' = '3',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '6');
      INSERT INTO counts SELECT k, COUNT(*) FROM (SELECT CAST(id % 2 AS STRING) AS k FROM gen) GROUP BY k;`);
    const table = await openPaimonTable(new LocalFileObjectStore(wh, { durable: false }), 'default.db/counts');
    const written: [string, string, number][] = [];
    for (let id = 1; id <= (await table.latestSnapshot())!.id; id++) {
      for (const split of await table.changelogSplits(id)) {
        for await (const b of table.readChangelogSplit(split)) {
          for (let r = 0; r < b.numRows; r++) written.push([ROW_KIND_SHORT[rowKindAt(b, r)], ...(getRow(b, r, table.rowType) as [string, number])]);
        }
      }
    }
    // The planner keeps -U for this sink (an upsert sink would drop it): each update is written as the
    // input had it, a -U retracting the key's previous count, then its +U. Rows arrive in two bursts a
    // second apart (datagen paces per second), so the aggregate updates both keys.
    assert.ok(written.some(([kind]) => kind === '-U'), JSON.stringify(written));
    const current = new Map<string, number>();
    for (const [kind, k, n] of written) {
      if (kind === '-U') assert.equal(current.get(k), n, `-U retracts the current count of '${k}': ${JSON.stringify(written)}`);
      if (kind === '+I' || kind === '+U') current.set(k, n);
    }
    assert.deepEqual([...current].sort(), [['0', 3], ['1', 3]]);
  });

  it('exactly once across a task failure: a restarted job commits every row once', async () => {
    const wh = warehouse();
    const dir = mkdtempSync(join(tmpdir(), 'floe-paimon-fail-'));
    const udf = join(dir, 'fail-once.mjs');
    const marker = join(dir, 'failed-once');
    const firstSnapshot = join(wh, 'default.db', 'ids', 'snapshot', 'snapshot-1');
    writeFileSync(
      udf,
      `import { existsSync, writeFileSync } from 'node:fs';
       let seen = 0;
       export function failOnce(x) {
         // Fails once, right after the first checkpoint's commit became visible in the table. The input lasts
         // 8 s, so that a slow machine still commits a checkpoint before it ends (no failure, no restart).
         if (++seen % 1000 === 0 && existsSync(${JSON.stringify(firstSnapshot)}) && !existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); throw new Error('injected task failure'); }
         return x;
       }
       failOnce.returnType = 'BIGINT';`,
    );
    const warnings: string[] = [];
    const s = new Session({
      warn: (m) => warnings.push(m),
      config: {
      'execution.runtime-mode': 'streaming',
      'execution.checkpointing.interval': '30 ms',
      'execution.checkpointing.dir': join(dir, 'chk'),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '10 ms',
      'restart-strategy.fixed-delay.attempts': '3',
    } });
    let restarts = -1;
    for (const st of s.parse(`
      CREATE FUNCTION fail_once AS 'file:${udf}#failOnce' LANGUAGE JAVASCRIPT;
      CREATE TEMPORARY TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '200000', 'rows-per-second' = '25000',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '200000');
      CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}');
      CREATE TABLE lake.\`default\`.ids (id BIGINT);
      INSERT INTO lake.\`default\`.ids SELECT fail_once(id) FROM gen;`)) {
      const r = await s.execute(st);
      if (r.kind === 'job') restarts = (await r.handle.done).restarts;
    }
    assert.equal(restarts, 1, 'one restart');
    assert.ok(existsSync(marker));
    const batch = session();
    await run(batch, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}')`);
    // An append table keeps duplicates, so any replayed row would show here.
    assert.deepEqual(await select(batch, 'SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM lake.`default`.ids'), ['[200000,200000,20000100000]']);
    // The failure came after a completed checkpoint, so the restarted job resumed from it rather than from
    // scratch: its committer restored the commit user from the checkpoint and went on committing under it,
    // one snapshot per checkpoint with increasing checkpoint ids as identifiers.
    const snaps = await batch.query<{ commit_user: string; commit_identifier: number }>('SELECT snapshot_id, commit_user, commit_identifier FROM lake.`default`.`ids$snapshots`');
    assert.ok(warnings.some((w) => /from checkpoint \d+/.test(w)), warnings.join('|'));
    assert.equal(new Set(snaps.map((r) => r.commit_user)).size, 1, JSON.stringify(snaps));
    assert.ok(snaps.every((r, i) => i === 0 || r.commit_identifier > snaps[i - 1]!.commit_identifier), JSON.stringify(snaps));
  });

  it("merge-engine 'aggregation' and partial-update sequence groups through SQL, across commits and compaction", async () => {
    const { s } = await lakeSession();
    await run(s, `CREATE TABLE totals (k STRING, n BIGINT, hi INT, names STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2',
        'merge-engine' = 'aggregation', 'fields.n.aggregate-function' = 'sum', 'fields.hi.aggregate-function' = 'max',
        'fields.names.aggregate-function' = 'listagg');
      INSERT INTO totals VALUES ('a', 1, 5, 'x'), ('b', 2, 1, 'y');
      INSERT INTO totals VALUES ('a', 10, 3, 'z'), ('b', CAST(NULL AS BIGINT), 7, CAST(NULL AS STRING));`);
    assert.deepEqual(await select(s, 'SELECT * FROM totals'), ['["a",11,5,"x,z"]', '["b",2,7,"y"]']);
    await run(s, `CALL sys.compact(\`table\` => 'db.totals')`);
    assert.deepEqual(await select(s, 'SELECT * FROM totals'), ['["a",11,5,"x,z"]', '["b",2,7,"y"]'], 'compaction folds the same way');
    // Each group (a, b) is updated only by a row whose sequence field (ga, gb) is not older.
    await run(s, `CREATE TABLE parts (k INT, a STRING, ga INT, b STRING, gb INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '1',
        'merge-engine' = 'partial-update', 'fields.ga.sequence-group' = 'a', 'fields.gb.sequence-group' = 'b');
      INSERT INTO parts VALUES (1, 'a2', 2, 'b1', 1);
      INSERT INTO parts VALUES (1, 'a1', 1, 'b3', 3);`);
    assert.deepEqual(await select(s, 'SELECT * FROM parts'), ['[1,"a2",2,"b3",3]']);
  });

  it('refuses writes into system tables', async () => {
    const { s } = await lakeSession();
    await run(s, `CREATE TABLE app (k STRING, n BIGINT)`);
    await assert.rejects(run(s, "INSERT INTO `app$options` VALUES ('a', 'b')"), code('PLAN.READ_ONLY_TABLE'));
    // (Retractions into an append table fail in the writer: src/connectors/paimon/paimon-connector.test.ts.)
  });
});
