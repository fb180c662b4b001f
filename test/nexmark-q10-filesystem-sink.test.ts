/**
 * Nexmark q10 (log all bids to a partitioned filesystem table) run unmodified: the shared DDL and query
 * file, with `NEXMARK_DIR` pointing at a temporary directory. At 100 events/s of event time, 20k events
 * span more than three minutes, so the `hm` partitions commit one after the other as the watermark passes
 * them (`partition-time` trigger, 1 min delay) and the last ones at end of input.
 *
 * Checks, in streaming mode at parallelism 1 and 2 and in batch mode: every partition directory has its
 * `_SUCCESS` file, visible part files and no in-progress files; reading the output back through a Floe
 * filesystem CSV table gives exactly the bids (count, per-column checksums, partition values consistent
 * with each row's `dateTime`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../src/api/index.js';
import { nexmarkDir } from '../src/common/index.js';
import { nexmarkScript, nexmarkVars } from '../src/cli/bench-nexmark.js';

const EVENTS = 20_000;
const TPS = '100';

const CHECKSUM = (from: string): string => `
  SELECT COUNT(*) AS n, SUM(auction) AS auctions, SUM(bidder) AS bidders, SUM(price) AS prices,
         SUM(CHAR_LENGTH(extra)) AS extra_chars, MIN(\`dateTime\`) AS first_time, MAX(\`dateTime\`) AS last_time,
         SUM(EXTRACT(SECOND FROM \`dateTime\`)) AS seconds, COUNT(DISTINCT DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd HH:mm')) AS minutes
  FROM ${from}`;

/**
 * The data columns of q10's output. The read-back tables are not declared `PARTITIONED BY`: the planner
 * does not pass partition columns to sources yet (`SourceSpec` has no `partitionKeys`), so partition
 * values are checked per directory instead.
 */
const DATA_COLUMNS = 'auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra VARCHAR';

function vars(outDir: string): Record<string, string> {
  return { ...nexmarkVars(EVENTS, nexmarkDir()), TPS, NEXMARK_DIR: outDir, SUBMIT_TIME: 'q10test' };
}

async function runQ10(mode: 'streaming' | 'batch', parallelism: number, outDir: string): Promise<void> {
  const dir = nexmarkDir();
  const session = new Session({ config: { 'execution.runtime-mode': mode, 'parallelism.default': String(parallelism) }, baseDir: dir, warn: () => {} });
  let jobs = 0;
  for (const statement of session.parse(nexmarkScript(dir, 'q10'), vars(outDir))) {
    const result = await session.execute(statement);
    if (result.kind !== 'job') continue;
    jobs++;
    assert.equal((await result.handle.done).status, 'finished');
  }
  assert.equal(jobs, 1);
}

/** The bids as q10 selects them, and what a filesystem table over q10's output reads, as checksums. */
async function checksums(outDir: string, partitionDirs: readonly string[]): Promise<{ expected: Record<string, unknown>; actual: Record<string, unknown> }> {
  const dir = nexmarkDir();
  const session = new Session({ config: { 'execution.runtime-mode': 'batch', 'parallelism.default': '1' }, baseDir: dir, warn: () => {} });
  for (const statement of session.parse(nexmarkScript(dir, 'q10'), vars(outDir))) {
    if (statement.kind === 'Insert') continue;
    await session.execute(statement);
  }
  const [expected] = await session.query(CHECKSUM('bid'));
  const root = `${outDir}/data/output/q10test/bid`;
  const [actual] = await session.query(`
    CREATE TABLE q10_out (${DATA_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'file://${root}/', 'format' = 'csv');
    ${CHECKSUM('q10_out')}`);
  // Every row sits in the partition its dateTime formats to (dt=yyyy-MM-dd/hm=HH%3Amm).
  for (const [i, rel] of partitionDirs.entries()) {
    const [, dt, hh, mm] = /^dt=(\d{4}-\d{2}-\d{2})\/hm=(\d{2})%3A(\d{2})$/.exec(rel)!;
    const rows = await session.query(`
      CREATE TABLE q10_part_${i} (${DATA_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${root}/${rel}', 'format' = 'csv');
      SELECT DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd HH:mm') AS bid_minute, COUNT(*) AS n FROM q10_part_${i} GROUP BY DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd HH:mm')`);
    assert.equal(rows.length, 1, `${rel}: one minute of bids`);
    assert.equal(rows[0]!['bid_minute'], `${dt} ${hh}:${mm}`, `${rel}: rows belong to the partition`);
  }
  return { expected: expected!, actual: actual! };
}

for (const [mode, parallelism] of [['streaming', 1], ['streaming', 2], ['batch', 2]] as const) {
  test(`nexmark q10 writes committed hm partitions with every bid: ${mode}, parallelism ${parallelism}`, async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'floe-q10-'));
    try {
      await runQ10(mode, parallelism, outDir);
      const root = join(outDir, 'data', 'output', 'q10test', 'bid');
      const days = await readdir(root);
      assert.ok(days.length >= 1 && days.every((d) => /^dt=\d{4}-\d{2}-\d{2}$/.test(d)), `day partitions: ${days.join(', ')}`);
      const partitions: string[] = [];
      for (const day of days) {
        for (const minute of await readdir(join(root, day))) {
          assert.match(minute, /^hm=\d{2}%3A\d{2}$/);
          partitions.push(`${day}/${minute}`);
          const files = await readdir(join(root, day, minute));
          assert.ok(files.includes('_SUCCESS'), `${day}/${minute} has _SUCCESS`);
          const parts = files.filter((f) => f !== '_SUCCESS');
          assert.ok(parts.length >= 1, `${day}/${minute} has part files`);
          for (const f of parts) assert.match(f, new RegExp(`^part-[0-9a-f-]{36}-[0-${parallelism - 1}]-\\d+\\.csv$`), `${day}/${minute}/${f} is a visible part file`);
        }
      }
      assert.ok(partitions.length >= 3, `several hm partitions (${partitions.join(', ')})`);
      const { expected, actual } = await checksums(outDir, partitions);
      assert.ok((expected['n'] as number) > 15_000);
      assert.equal(expected['minutes'], partitions.length);
      assert.deepEqual(actual, expected);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
}
