/**
 * Paimon procedures and tags from SQL (issue 7): `CALL [catalog.]sys.<procedure>(…)` with positional and
 * named arguments on a Paimon catalog, reads by `scan.tag-name`, the `$tags` system table, and the
 * errors people see. Tables are written with INSERT through the session and checked through SQL and
 * the files on disk.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Session, type StatementResult } from '../src/api/index.js';
import { FloeError } from '../src/common/index.js';
import { runSql as run, floeError as code } from './support/sql-session.js';

function session(): Session {
  return new Session({ config: { 'execution.runtime-mode': 'batch', 'table.local-time-zone': 'UTC' }, warn: () => {} });
}

/** The `result` column of a CALL. */
async function call(s: Session, sql: string): Promise<string[]> {
  const r = await run(s, sql);
  assert.equal(r.kind, 'rows');
  const rows = r as Extract<StatementResult, { kind: 'rows' }>;
  assert.deepEqual(rows.columns, ['result']);
  return rows.rows.map((x) => x[0]!);
}

async function select(s: Session, sql: string): Promise<string[]> {
  const rows = await s.query(sql);
  return rows.map((r) => JSON.stringify(Object.values(r))).sort();
}


/** A session with catalog `lake` (current, database `db`) and table `db.t` (id PK, one bucket), plus the warehouse path. */
async function lake(): Promise<{ s: Session; wh: string; dir: string }> {
  const wh = mkdtempSync(join(tmpdir(), 'floe-paimon-proc-'));
  const s = session();
  await run(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}'); USE CATALOG lake; CREATE DATABASE db; USE db;
    CREATE TABLE t (id INT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1');`);
  return { s, wh, dir: join(wh, 'db.db', 't') };
}

/** Files under `dir`, relative, sorted. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('CALL sys.create_tag and reads by tag', () => {
  it('tags a snapshot, reads it by scan.tag-name after more commits, lists it in $tags, deletes it', async () => {
    const { s } = await lake();
    await run(s, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    assert.deepEqual(await call(s, "CALL lake.sys.create_tag('db.t', 'v1')"), ['Success']);
    await run(s, "INSERT INTO t VALUES (1, 'a2'), (3, 'c')");
    assert.deepEqual(await call(s, "CALL sys.create_tag(`table` => 'db.t', tag => 'v2', time_retained => '1 d')"), ['Success']);
    await run(s, "INSERT INTO t VALUES (4, 'd')");
    assert.deepEqual(await call(s, "CALL sys.create_tag(`table` => 'db.t', tag => 'first', snapshot_id => 1)"), ['Success']);
    assert.deepEqual(await select(s, "SELECT * FROM t /*+ OPTIONS('scan.tag-name' = 'v1') */"), ['[1,"a"]', '[2,"b"]']);
    assert.deepEqual(await select(s, "SELECT * FROM t /*+ OPTIONS('scan.tag-name' = 'v2') */"), ['[1,"a2"]', '[2,"b"]', '[3,"c"]']);
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"a2"]', '[2,"b"]', '[3,"c"]', '[4,"d"]']);
    const tags = await s.query('SELECT tag_name, snapshot_id, schema_id, record_count, create_time IS NULL AS no_create, time_retained FROM `t$tags`');
    assert.deepEqual(tags.map((r) => Object.values(r)), [
      ['first', 1, 0, 2, true, null],
      ['v1', 1, 0, 2, true, null],
      ['v2', 2, 0, 4, false, 'PT24H'],
    ]);
    await assert.rejects(run(s, "CALL sys.create_tag('db.t', 'v1')"), code('LAKE.TAG_EXISTS', /already has a tag 'v1'/));
    await assert.rejects(run(s, "CALL sys.create_tag('db.t', 'v9', 42)"), code('LAKE.SNAPSHOT_NOT_FOUND'));
    await assert.rejects(select(s, "SELECT * FROM t /*+ OPTIONS('scan.tag-name' = 'nope') */"), code('LAKE.TAG_NOT_FOUND'));
    assert.deepEqual(await call(s, "CALL sys.delete_tag('db.t', 'v1,first')"), ['Success']);
    assert.deepEqual((await s.query('SELECT tag_name FROM `t$tags`')).map((r) => r['tag_name']), ['v2']);
  });
});

describe('CALL sys.expire_snapshots', () => {
  it('expires old snapshots; a tagged snapshot stays readable through its tag', async () => {
    const { s, dir } = await lake();
    for (let i = 1; i <= 4; i++) await run(s, `INSERT INTO t VALUES (${i}, 'v${i}')`);
    await call(s, "CALL sys.create_tag('db.t', 'two', 2)");
    assert.deepEqual(await call(s, "CALL sys.expire_snapshots(`table` => 'db.t', retain_max => 1)"), ['3']);
    assert.deepEqual((await s.query('SELECT snapshot_id FROM `t$snapshots`')).map((r) => r['snapshot_id']), [4]);
    assert.ok(!existsSync(join(dir, 'snapshot', 'snapshot-2')));
    assert.deepEqual(await select(s, "SELECT * FROM t /*+ OPTIONS('scan.tag-name' = 'two') */"), ['[1,"v1"]', '[2,"v2"]']);
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"v1"]', '[2,"v2"]', '[3,"v3"]', '[4,"v4"]']);
    // max_deletes and older_than: nothing older than 2000-01-01, so nothing goes.
    await run(s, "INSERT INTO t VALUES (5, 'v5')");
    assert.deepEqual(await call(s, "CALL sys.expire_snapshots(`table` => 'db.t', older_than => '2000-01-01 00:00:00')"), ['0']);
    assert.deepEqual(await call(s, "CALL sys.expire_snapshots(`table` => 'db.t', retain_max => 1, max_deletes => 0)"), ['0']);
    // The fifth write may also trigger a compaction (a second snapshot); all but the latest go (retain_min 1).
    const live = (await s.query('SELECT snapshot_id FROM `t$snapshots`')).length;
    assert.deepEqual(await call(s, "CALL sys.expire_snapshots(`table` => 'db.t', older_than => '2999-01-01 00:00:00')"), [String(live - 1)]);
    assert.equal((await s.query('SELECT snapshot_id FROM `t$snapshots`')).length, 1);
  });
});

describe('CALL sys.rollback_to', () => {
  it('rolls back to a snapshot id and to a tag whose snapshot expired', async () => {
    const { s, dir } = await lake();
    await run(s, "INSERT INTO t VALUES (1, 'a')");
    await run(s, "INSERT INTO t VALUES (2, 'b')");
    await call(s, "CALL sys.create_tag('db.t', 'two')");
    await run(s, "INSERT INTO t VALUES (3, 'c')");
    await run(s, "INSERT INTO t VALUES (4, 'd')");
    assert.deepEqual(await call(s, "CALL sys.rollback_to(`table` => 'db.t', snapshot_id => 3)"), ['Success']);
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"a"]', '[2,"b"]', '[3,"c"]']);
    assert.ok(!existsSync(join(dir, 'snapshot', 'snapshot-4')));
    await call(s, "CALL sys.expire_snapshots('db.t', 1)");
    assert.deepEqual((await s.query('SELECT snapshot_id FROM `t$snapshots`')).map((r) => r['snapshot_id']), [3]);
    assert.deepEqual(await call(s, "CALL sys.rollback_to('db.t', 'two')"), ['Success']);
    assert.deepEqual((await s.query('SELECT snapshot_id FROM `t$snapshots`')).map((r) => r['snapshot_id']), [2]);
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"a"]', '[2,"b"]']);
    await run(s, "INSERT INTO t VALUES (9, 'z')");
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"a"]', '[2,"b"]', '[9,"z"]']);
    await assert.rejects(run(s, "CALL sys.rollback_to('db.t')"), code('PROCEDURE.ARGUMENT', /exactly one of tag and snapshot_id/));
    await assert.rejects(run(s, "CALL sys.rollback_to(`table` => 'db.t', snapshot_id => 99)"), code('LAKE.SNAPSHOT_NOT_FOUND'));
  });
});

describe('CALL sys.remove_orphan_files', () => {
  it('deletes a planted old orphan, keeps everything referenced; dry_run deletes nothing', async () => {
    const { s, dir } = await lake();
    await run(s, "INSERT INTO t VALUES (1, 'a')");
    await call(s, "CALL sys.create_tag('db.t', 'one')");
    await run(s, "INSERT INTO t VALUES (1, 'a2'), (2, 'b')");
    await call(s, "CALL sys.compact('db.t')");
    await call(s, "CALL sys.expire_snapshots('db.t', 1)");
    const orphan = join(dir, 'bucket-0', 'data-orphan-0.parquet');
    writeFileSync(orphan, 'garbage!');
    const day = 24 * 3600;
    utimesSync(orphan, Date.now() / 1000 - 2 * day, Date.now() / 1000 - 2 * day);
    const young = join(dir, 'manifest', 'manifest-young-0');
    writeFileSync(young, 'x');
    const before = files(dir);
    // Default older_than (a day ago): the young file stays.
    assert.deepEqual(await call(s, "CALL sys.remove_orphan_files(`table` => 'db.t', dry_run => true)"), ['1', '8']);
    assert.deepEqual(files(dir), before);
    assert.deepEqual(await call(s, "CALL sys.remove_orphan_files('db.t')"), ['1', '8']);
    assert.deepEqual(files(dir), before.filter((f) => f !== relative(dir, orphan)));
    assert.deepEqual(await call(s, "CALL sys.remove_orphan_files('db.*', '2999-01-01 00:00:00')"), ['1', '1']);
    assert.ok(!existsSync(young));
    assert.deepEqual(await select(s, 'SELECT * FROM t'), ['[1,"a2"]', '[2,"b"]']);
    assert.deepEqual(await select(s, "SELECT * FROM t /*+ OPTIONS('scan.tag-name' = 'one') */"), ['[1,"a"]']);
  });
});

describe('CALL sys.compact', () => {
  it('reduces the files of a bucket to one and reads the same rows; partitions selects what is compacted', async () => {
    const { s } = await lake();
    await run(s, `CREATE TABLE p (id INT, dt STRING, v BIGINT, PRIMARY KEY (id, dt) NOT ENFORCED) PARTITIONED BY (dt) WITH ('bucket' = '1')`);
    for (let i = 0; i < 3; i++) await run(s, `INSERT INTO p VALUES (${i}, 'x', ${i}), (${i}, 'y', ${10 + i})`);
    const count = async (dt: string) => Number((await s.query(`SELECT COUNT(*) AS n FROM \`p$files\` WHERE \`partition\` = '{${dt}}'`))[0]!['n']);
    const rows = await select(s, 'SELECT * FROM p');
    assert.deepEqual([await count('x'), await count('y')], [3, 3]);
    assert.deepEqual(await call(s, "CALL sys.compact(`table` => 'db.p', partitions => 'dt=x')"), ['Success']);
    assert.deepEqual([await count('x'), await count('y')], [1, 3]);
    assert.deepEqual(await select(s, 'SELECT * FROM p'), rows);
    await call(s, "CALL lake.sys.compact('db.p')");
    assert.deepEqual([await count('x'), await count('y')], [1, 1]);
    assert.deepEqual(await select(s, 'SELECT * FROM p'), rows);
    const kinds = await s.query('SELECT commit_kind FROM `p$snapshots`');
    assert.deepEqual(kinds.map((r) => r['commit_kind']), ['APPEND', 'APPEND', 'APPEND', 'COMPACT', 'COMPACT']);
    await assert.rejects(run(s, "CALL sys.compact('db.p', 'nope=1')"), code('PROCEDURE.ARGUMENT', /'nope' is not a partition key/));
  });
});

describe('CALL errors', () => {
  it('names the unknown procedure, argument or catalog, with the span', async () => {
    const { s } = await lake();
    const at = (line: number, col: number) => (e: unknown) => e instanceof FloeError && e.span?.start.line === line && e.span.start.col === col;
    await assert.rejects(run(s, "CALL sys.compactt('db.t')"), (e: unknown) => code('PROCEDURE.UNKNOWN', /did you mean sys\.compact\?/)(e) && at(1, 1)(e));
    await assert.rejects(run(s, "CALL db.compact('db.t')"), code('PROCEDURE.UNKNOWN', /procedures are in database 'sys'/));
    await assert.rejects(run(s, "CALL sys.compact(`table` => 'db.t', partition => 'dt=1')"), (e: unknown) => code('PROCEDURE.ARGUMENT', /no argument 'partition'[\s\S]*did you mean 'partitions'/)(e) && at(1, 37)(e));
    await assert.rejects(run(s, "CALL sys.compact(`table` => 'db.t', order_strategy => 'zorder')"), code('PROCEDURE.ARGUMENT', /'order_strategy' of compact is not supported/));
    await assert.rejects(run(s, "CALL sys.create_tag(`table` => 'db.t')"), code('PROCEDURE.ARGUMENT', /create_tag needs argument 'tag'/));
    await assert.rejects(run(s, "CALL sys.create_tag('db.t', 'x', 'one')"), (e: unknown) => code('PROCEDURE.ARGUMENT', /'snapshot_id' of create_tag must be BIGINT/)(e) && at(1, 34)(e));
    await assert.rejects(run(s, "CALL sys.compact('t')"), code('PROCEDURE.ARGUMENT', /'database\.table'/));
    await assert.rejects(run(s, "CALL sys.compact('db.nope')"), code('CATALOG.TABLE_NOT_FOUND'));
    await assert.rejects(run(s, "CALL sys.compact('db.t', 'a', 'b')"), code('PROCEDURE.ARGUMENT', /at most 2 arguments/));
    await assert.rejects(run(s, "CALL sys.compact(UPPER('db.t'))"), code('PROCEDURE.ARGUMENT', /must be literals/));
    await assert.rejects(run(s, "CALL nocat.sys.compact('db.t')"), code('PLAN.UNKNOWN_CATALOG'));
    await assert.rejects(run(s, "CALL default_catalog.sys.compact('db.t')"), code('PROCEDURE.UNSUPPORTED_CATALOG', /has no procedures/));
    await run(s, 'USE CATALOG default_catalog');
    await assert.rejects(run(s, "CALL sys.compact('db.t')"), code('PROCEDURE.UNSUPPORTED_CATALOG'));
    assert.deepEqual(await call(s, "CALL lake.sys.compact('db.t')"), ['Success']);
  });
});
