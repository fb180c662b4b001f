/**
 * Flink's SQL-client job statements through the API: `table.dml-sync` = false submits an INSERT and goes
 * on; `SHOW JOBS` lists the session's jobs; `STOP JOB … WITH SAVEPOINT` stops one with a savepoint that
 * `execution.savepoint.path` restores; `STOP JOB` without it cancels; the errors name what is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FloeError } from '../src/common/index.js';
import { runScript, runStatement, Session, type ScriptOptions, type StatementResult } from '../src/api/index.js';

/** An unbounded, stateful job: datagen without `number-of-rows`, a keyed count, a blackhole sink. */
const UNBOUNDED = `
  CREATE TABLE gen (v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000', 'fields.v.min' = '1', 'fields.v.max' = '9');
  CREATE TABLE sink (v BIGINT, n BIGINT) WITH ('connector' = 'blackhole');`;
const INSERT = 'INSERT INTO sink SELECT v, COUNT(*) FROM gen GROUP BY v';

function quietOptions(log: string[]): ScriptOptions {
  return { out: (t) => log.push(t), err: (t) => log.push(t) };
}

async function run(session: Session, sql: string, options: ScriptOptions): Promise<void> {
  for (const statement of session.parse(sql)) await runStatement(session, statement, options);
}

async function execute(session: Session, sql: string): Promise<StatementResult> {
  const [statement] = session.parse(sql);
  return session.execute(statement!);
}

async function rowsOf(session: Session, sql: string): Promise<readonly (readonly string[])[]> {
  const result = await execute(session, sql);
  assert.equal(result.kind, 'rows');
  return result.kind === 'rows' ? result.rows : [];
}

async function expectFloeError(work: Promise<unknown>, code: string, message: RegExp): Promise<FloeError> {
  const error = await work.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof FloeError, String(error));
  assert.equal(error.code, code, error.message);
  assert.match([error.message, ...error.notes, error.help ?? ''].join('\n'), message);
  assert.ok(error.span, 'the error points at the statement');
  return error;
}

/** Polls (no time assertions) until the job completed a checkpoint, so its coordinator is up. */
async function untilCheckpointed(session: Session, id: string): Promise<void> {
  const job = session.jobs.get(id);
  while (job.handle.checkpoints().length === 0) {
    assert.equal(job.status, 'RUNNING', `job ${id} ended before its first checkpoint: ${String(job.error)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const backend of ['heap', 'lsm']) {
test(`table.dml-sync = false: SHOW JOBS lists a running job, STOP JOB WITH SAVEPOINT stops it, and the savepoint restores (${backend} state)`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-session-jobs-'));
  try {
    const session = new Session({ warn: () => {} });
    const log: string[] = [];
    await run(
      session,
      `SET 'table.dml-sync' = 'false';
       SET 'state.backend.type' = '${backend}';
       SET 'pipeline.name' = 'counts';
       SET 'execution.checkpointing.interval' = '100 ms';
       SET 'execution.checkpointing.dir' = '${join(dir, 'chk')}';
       ${UNBOUNDED} ${INSERT};`,
      quietOptions(log),
    );
    // runStatement came back although the job never ends: it was submitted, not waited for.
    const [row, ...others] = await rowsOf(session, 'SHOW JOBS');
    assert.deepEqual(others, []);
    const [id, name, status, start] = row!;
    assert.match(id!, /^[0-9a-f]{32}$/);
    assert.deepEqual([name, status], ['counts', 'RUNNING']);
    assert.match(start!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.match(log.join(''), new RegExp(`Job ID: ${id}`));

    await untilCheckpointed(session, id!);
    await expectFloeError(execute(session, `STOP JOB '${id}' WITH DRAIN`), 'JOB.DRAIN_WITHOUT_SAVEPOINT', /needs WITH SAVEPOINT/);
    assert.equal(session.jobs.get(id!).status, 'RUNNING', 'a refused STOP leaves the job running');

    const stopped = await execute(session, `STOP JOB '${id}' WITH SAVEPOINT`);
    assert.ok(stopped.kind === 'rows');
    assert.deepEqual(stopped.columns, ['savepoint path']);
    const path = stopped.rows[0]![0]!;
    assert.match(path, /\/counts\/savepoint-\d+$/);
    assert.ok(existsSync(path), `the savepoint folder ${path} exists`);
    assert.ok(readdirSync(path).length > 0, 'the savepoint holds files');
    const result = await session.jobs.get(id!).handle.done;
    assert.equal(result.savepointPath, path);
    assert.deepEqual((await rowsOf(session, 'SHOW JOBS')).map((r) => r[2]), ['FINISHED'], 'a job stopped with a savepoint is FINISHED, as in Flink');
    await expectFloeError(execute(session, `STOP JOB '${id}'`), 'JOB.NOT_RUNNING', /is FINISHED/);

    // A savepoint is self-contained: moved elsewhere, it restores after the job's checkpoint folder (and
    // the lsm primary copy in it) is gone.
    const moved = join(dir, 'moved', 'savepoint-copy');
    cpSync(path, moved, { recursive: true });
    rmSync(join(dir, 'chk'), { recursive: true, force: true });

    // Restore into the same query; the interactive default (dmlSync: false) applies when the session
    // has not set table.dml-sync.
    const restored = new Session({ warn: () => {} });
    await run(
      restored,
      `SET 'pipeline.name' = 'counts';
       SET 'state.backend.type' = '${backend}';
       SET 'execution.checkpointing.interval' = '100 ms';
       SET 'execution.checkpointing.dir' = '${join(dir, 'chk')}';
       SET 'execution.savepoint.path' = '${moved}';
       ${UNBOUNDED} ${INSERT};`,
      { ...quietOptions(log), dmlSync: false },
    );
    const [again] = restored.jobs.list();
    assert.ok(again);
    await untilCheckpointed(restored, again.id);
    const cancelled = await execute(restored, `STOP JOB '${again.id.toUpperCase()}'`);
    assert.equal(cancelled.kind, 'ok');
    const outcome = await again.handle.done;
    assert.equal(outcome.status, 'cancelled');
    assert.equal(outcome.restoredFrom, Number(/savepoint-(\d+)$/.exec(path)![1]), 'the job started from the savepoint');
    assert.equal(restored.jobs.get(again.id).status, 'CANCELED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
}

test('STOP JOB errors: an unknown id names the known ones; WITH SAVEPOINT needs checkpointing; without it cancels', async () => {
  const session = new Session({ warn: () => {} });
  await expectFloeError(execute(session, "STOP JOB 'abc'"), 'JOB.NOT_FOUND', /no job with id 'abc'[\s\S]*no job has been started/);
  assert.deepEqual(await rowsOf(session, 'SHOW JOBS'), []);
  await run(session, `SET 'table.dml-sync' = 'false'; ${UNBOUNDED} ${INSERT};`, quietOptions([]));
  const [job] = session.jobs.list();
  assert.ok(job);
  try {
    await expectFloeError(execute(session, "STOP JOB '0123' WITH SAVEPOINT"), 'JOB.NOT_FOUND', new RegExp(`known jobs: ${job.id} \\(insert`));
    await expectFloeError(
      execute(session, `STOP JOB '${job.id}' WITH SAVEPOINT`),
      'JOB.SAVEPOINT_NEEDS_CHECKPOINTING',
      /without checkpointing[\s\S]*execution\.checkpointing\.interval/,
    );
    assert.equal(job.status, 'RUNNING');
    await expectFloeError(execute(session, "SHOW JOBS LIKE 'x%'"), 'JOB.SHOW_JOBS_FILTER', /no FROM or LIKE/);
    const stopped = await execute(session, `STOP JOB '${job.id}'`);
    assert.equal(stopped.kind, 'ok');
    assert.equal((await job.handle.done).status, 'cancelled');
    assert.deepEqual((await rowsOf(session, 'SHOW JOBS')).map((r) => r.slice(0, 3)), [[job.id, job.name, 'CANCELED']]);
  } finally {
    await session.jobs.cancelAll();
  }
});

test('a script with table.dml-sync = false submits its INSERTs and still ends when they end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-dml-async-'));
  try {
    const session = new Session({ warn: () => {} });
    const log: string[] = [];
    await runScript(
      session,
      `SET 'table.dml-sync' = 'false';
       CREATE TABLE a (x INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'a')}', 'format' = 'csv');
       CREATE TABLE b (x INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'b')}', 'format' = 'csv');
       INSERT INTO a VALUES (1), (2);
       INSERT INTO b VALUES (3);`,
      quietOptions(log),
    );
    const text = log.join('');
    assert.equal(text.match(/Job ID: [0-9a-f]{32}/g)?.length, 2, text);
    assert.match(text, /waiting for 2 submitted jobs to end/);
    assert.deepEqual(session.jobs.list().map((j) => j.status), ['FINISHED', 'FINISHED']);
    const lines = (folder: string) =>
      readdirSync(join(dir, folder))
        .filter((f) => !f.startsWith('.'))
        .flatMap((f) => readFileSync(join(dir, folder, f), 'utf8').trim().split('\n'))
        .sort();
    assert.deepEqual(lines('a'), ['1', '2']);
    assert.deepEqual(lines('b'), ['3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a script that fails cancels the jobs it submitted without waiting', async () => {
  const session = new Session({ warn: () => {} });
  const log: string[] = [];
  await assert.rejects(
    runScript(session, `SET 'table.dml-sync' = 'false'; ${UNBOUNDED} ${INSERT}; SELECT nope FROM gen;`, quietOptions(log)),
    (e: unknown) => e instanceof FloeError && /nope/.test(e.message),
  );
  const [job] = session.jobs.list();
  assert.ok(job);
  await job.handle.done;
  assert.equal(job.status, 'CANCELED');
  assert.match(log.join(''), new RegExp(`cancelling 1 job submitted by the script: ${job.id}`));
});

test('STOP JOB … WITH SAVEPOINT WITH DRAIN ends the input: every pending window fires, the job FINISHES with its savepoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-session-drain-'));
  try {
    const session = new Session({ warn: () => {} });
    const out = join(dir, 'out');
    await run(
      session,
      `SET 'table.dml-sync' = 'false';
       SET 'pipeline.name' = 'drained';
       SET 'execution.checkpointing.interval' = '100 ms';
       SET 'execution.checkpointing.dir' = '${join(dir, 'chk')}';
       CREATE TABLE gen (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts)
         WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000000');
       CREATE TABLE out_t (n BIGINT, max_id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
       INSERT INTO out_t SELECT COUNT(*), MAX(id) FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;`,
      quietOptions([]),
    );
    const [[id]] = (await rowsOf(session, 'SHOW JOBS')) as [[string]];
    await untilCheckpointed(session, id);
    const stopped = await execute(session, `STOP JOB '${id}' WITH SAVEPOINT WITH DRAIN`);
    assert.ok(stopped.kind === 'rows');
    const path = stopped.rows[0]![0]!;
    assert.match(path, /\/drained\/savepoint-\d+$/);
    assert.ok(existsSync(join(path, '_metadata')), 'the savepoint is complete');
    const result = await session.jobs.get(id).handle.done;
    assert.equal(result.status, 'finished');
    assert.equal(session.jobs.get(id).status, 'FINISHED');
    // Drained: the last, partial window fired too, so the windows together counted every row read.
    const rows = readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean))
      .map((line) => line.split(',').map(Number) as [number, number]);
    assert.ok(rows.length > 0);
    const counted = rows.reduce((n, [c]) => n + c, 0);
    const lastId = Math.max(...rows.map(([, m]) => m));
    assert.equal(counted, lastId, 'every row up to the last one read is in a fired window');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
