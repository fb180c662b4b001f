/**
 * End-to-end tests of the `floe` command as users run it (the CLI contract in DESIGN.md): exit codes,
 * result formats and modes, variables, configuration, and error messages with file:line:column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeCheckpointsIn } from './support/job-process.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const DATA = join(import.meta.dirname, 'sql', 'data');

/** Interactive history goes to a scratch file, not the user's home. */
const HISTORY = join(mkdtempSync(join(tmpdir(), 'floe-history-')), 'history');

function floe(args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, FLOE_HISTORY_FILE: HISTORY };
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 120_000, env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function script(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-cli-'));
  const file = join(dir, 'job.sql');
  writeFileSync(file, text);
  return file;
}

const ORDERS = `CREATE TABLE orders (order_id BIGINT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '\${DATA}/orders.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');`;

test('floe run prints the final table of a trailing SELECT', () => {
  const file = script(`${ORDERS}\nSELECT customer, COUNT(*) AS n FROM orders GROUP BY customer;`);
  const r = floe(['run', file, '--var', `DATA=${DATA}`, '--format', 'csv']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'customer,n');
  assert.deepEqual(lines.slice(1).sort(), ['alice,3', 'bob,2', 'carol,1']);
});

test('floe run --result-mode changelog prints every change with op', () => {
  const file = script(`${ORDERS}\nSELECT order_id FROM orders WHERE order_id <= 2;`);
  const r = floe(['run', file, '--var', `DATA=${DATA}`, '--format', 'json', '--result-mode', 'changelog']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { op: string; order_id: number });
  assert.deepEqual(rows.sort((a, b) => a.order_id - b.order_id), [{ op: '+I', order_id: 1 }, { op: '+I', order_id: 2 }]);
});

test('floe run -D sets configuration (batch mode, parallelism 2)', () => {
  const file = script(`${ORDERS}\nSELECT customer, SUM(amount) AS total FROM orders GROUP BY customer;`);
  const r = floe(['run', file, '--var', `DATA=${DATA}`, '--format', 'csv', '-D', 'execution.runtime-mode=batch', '--parallelism', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').slice(1).sort(), ['alice,16.75', 'bob,20.00', 'carol,100.00']);
});

test('a SQL error exits 1 with file:line:column and what was expected', () => {
  const file = script(`${ORDERS}\nSELECT customer,\nFROM orders;`);
  const r = floe(['run', file, '--var', `DATA=${DATA}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1: .*expected`, 'm'));
});

test('an unknown column names the column and suggests the right one', () => {
  const file = script(`${ORDERS}\nSELECT custmer FROM orders;`);
  const r = floe(['run', file, '--var', `DATA=${DATA}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /:3:8: .*custmer/);
  assert.match(r.stderr, /customer/);
});

test('an unsubstituted variable is an error that says how to pass it', () => {
  const file = script(ORDERS + '\nSELECT * FROM orders;');
  const r = floe(['run', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /DATA/);
});

test('an unknown configuration key is rejected with a suggestion', () => {
  const file = script(`SET 'parallelism.defualt' = '2';`);
  const r = floe(['run', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /parallelism\.default/);
});

test('floe sql -f runs a file; floe sql reads statements from stdin', () => {
  const file = script(`${ORDERS}\nSELECT COUNT(*) AS n FROM orders;`.replace('${DATA}', DATA));
  const viaFile = floe(['sql', '-f', file, '--format', 'csv']);
  assert.equal(viaFile.code, 0, viaFile.stderr);
  assert.equal(viaFile.stdout.trim(), 'n\n6');
  const interactive = floe(['sql'], `${ORDERS.replace('${DATA}', DATA)}\nSELECT COUNT(*)\n  AS n FROM orders;\nSELECT nope FROM orders;\nQUIT;\n`);
  assert.equal(interactive.code, 0, interactive.stderr);
  assert.match(interactive.stdout, /\| +6 +\|/);
  assert.match(interactive.stdout, /nope/);
  assert.match(readFileSync(HISTORY, 'utf8'), /SELECT COUNT\(\*\)   AS n FROM orders;/, 'statements are kept in the history file');
});

test('malformed rows: the job fails naming file, line and column, or skips them with a warning', () => {
  const table = (lenient: boolean) =>
    `CREATE TABLE nums (id BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${DATA}/bad.csv', 'format' = 'csv'${lenient ? ", 'csv.ignore-parse-errors' = 'true'" : ''});\nSELECT SUM(n) AS total FROM nums;`;
  const strict = floe(['run', script(table(false))]);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /bad\.csv, line 2, column 'n'.*expected BIGINT, found 'oops'/);
  const lenient = floe(['run', script(table(true)), '--format', 'csv']);
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.equal(lenient.stdout.trim(), 'total\n40');
  assert.match(lenient.stderr, /skipped 1 malformed row/);
});

/** `floe sql` driven line by line: each step may wait for output before typing the next statements. */
function interactiveSession(args: readonly string[] = []) {
  const env = { ...process.env, FLOE_HISTORY_FILE: HISTORY };
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'sql', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    type: (text: string) => child.stdin.write(text + '\n'),
    /** Resolves with the first match of `pattern` in stdout after `from`; polls, with no time limit of its own. */
    async waitFor(pattern: RegExp, from = 0): Promise<RegExpExecArray> {
      for (;;) {
        const m = pattern.exec(stdout.slice(from));
        if (m) return m;
        if (done) assert.fail(`floe sql exited before printing ${pattern}:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    get stdout() {
      return stdout;
    },
    async end(): Promise<{ code: number | null; stdout: string; stderr: string }> {
      child.stdin.end();
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
}

test('floe sql: INSERTs run in the background; SHOW JOBS lists them; STOP JOB stops with a savepoint; QUIT cancels the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-cli-jobs-'));
  const client = interactiveSession();
  const gen = (name: string) =>
    `CREATE TABLE ${name} (v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000', 'fields.v.min' = '1', 'fields.v.max' = '5');`;
  client.type(`SET 'execution.checkpointing.interval' = '100 ms';\nSET 'execution.checkpointing.dir' = '${join(dir, 'chk')}';`);
  client.type(`${gen('gen')}\nCREATE TABLE sink (v BIGINT, n BIGINT) WITH ('connector' = 'blackhole');`);
  client.type(`SET 'pipeline.name' = 'counts';\nINSERT INTO sink SELECT v, COUNT(*) FROM gen GROUP BY v;`);
  const id = (await client.waitFor(/Job ID: ([0-9a-f]{32})/))[1]!;
  client.type(`SET 'pipeline.name' = 'other';\nINSERT INTO sink SELECT v, COUNT(*) FROM gen GROUP BY v;`);
  const other = (await client.waitFor(new RegExp(`Job ID: (?!${id})([0-9a-f]{32})`)))[1]!;
  let mark = client.stdout.length;
  client.type('SHOW JOBS;');
  await client.waitFor(new RegExp(`\\| +${other} +\\| +other +\\| +RUNNING +\\|`), mark);
  assert.match(client.stdout.slice(mark), /job id +\| +job name +\| +status +\| +start time/);
  assert.match(client.stdout.slice(mark), new RegExp(`\\| +${id} +\\| +counts +\\| +RUNNING +\\|`));

  // A savepoint needs the job's checkpoint coordinator up: wait for its first checkpoint.
  while ((await completeCheckpointsIn(join(dir, 'chk', 'counts'))).length === 0) await new Promise((r) => setTimeout(r, 20));
  mark = client.stdout.length;
  client.type(`STOP JOB 'feedbeef';\nSTOP JOB '${id}' WITH SAVEPOINT;\nSHOW JOBS;`);
  const path = (await client.waitFor(/\| +(\S*savepoint-\d+) +\|/, mark))[1]!;
  await client.waitFor(new RegExp(`\\| +${id} +\\| +counts +\\| +FINISHED +\\|`), mark);
  const afterStop = client.stdout.slice(mark);
  assert.match(afterStop, /no job with id 'feedbeef'/);
  assert.match(afterStop, new RegExp(`known jobs: .*${id}`));
  assert.match(afterStop, /savepoint path/);
  assert.ok(existsSync(path), `savepoint ${path} exists`);

  client.type('QUIT;');
  const r = await client.end();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Cancelling 1 running job before exit:\\n  ${other} \\(other\\)`));
});

