/**
 * End-to-end tests of the `floe` command as users run it (the CLI contract in DESIGN.md): exit codes,
 * result formats and modes, variables, configuration, and error messages with file:line:column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
