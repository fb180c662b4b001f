/**
 * A child process for the larger-than-memory state test (test/lsm-larger-than-memory.test.ts): runs one
 * GROUP BY over many distinct keys with wide values, fed by `datagen`, and prints its single result row
 * and the lsm gauges as one JSON line. The test starts it with `--max-old-space-size`, so the state must
 * live in SST files, not in the heap.
 *
 * Usage: node --max-old-space-size=MB --import tsx large-state-job.ts KEYS PAD_REPEAT BACKEND CACHE_DIR [key=value ...]
 *
 * Data: `seq` runs 0 … 2·KEYS−1 and `seq % KEYS` is the grouping key, so every key is seen twice, the
 * second time after every key was seen once (the second visit of a key reads state written KEYS rows
 * earlier: from the SST files, not the memtable). Per key the state is COUNT, MAX(seq) and MAX(wide),
 * where `wide` is seq zero-padded to 10 digits followed by a 16-character random string repeated
 * PAD_REPEAT times (lexicographic order of `wide` is numeric order of seq). The outer query folds the
 * per-key results into one row whose every column has a closed form (see the test).
 *
 * Prints `result {...}` (the final row and summed `state.lsm.*` gauges) and exits 0, or exits non-zero.
 */
import { MaterializedTable, Session } from '../../src/api/index.js';
import { LSM_GAUGE_PREFIX } from '../../src/state/index.js';

export function largeStateScript(keys: number, padRepeat: number): string {
  return `
CREATE TABLE src (seq BIGINT, pad STRING) WITH (
  'connector' = 'datagen', 'rows-per-second' = '1000000000', 'seed' = '7',
  'fields.seq.kind' = 'sequence', 'fields.seq.start' = '0', 'fields.seq.end' = '${2 * keys - 1}',
  'fields.pad.length' = '16'
);
SELECT
  COUNT(*) AS key_count,
  SUM(c) AS row_count,
  SUM(m) AS max_seq_sum,
  SUM(CASE WHEN CAST(SUBSTRING(w FROM 1 FOR 10) AS BIGINT) = m THEN 1 ELSE 0 END) AS wide_matches,
  MIN(CHAR_LENGTH(w)) AS min_wide_length,
  MAX(CHAR_LENGTH(w)) AS max_wide_length
FROM (
  SELECT seq % ${keys} AS k, COUNT(*) AS c, MAX(seq) AS m, MAX(CONCAT(LPAD(CAST(seq AS STRING), 10, '0'), REPEAT(pad, ${padRepeat}))) AS w
  FROM src
  GROUP BY seq % ${keys}
) t;
`;
}

async function main(): Promise<void> {
  const [keysText, repeatText, backend, dir, ...extra] = process.argv.slice(2) as [string, string, string, string, ...string[]];
  const config: Record<string, string> = {
    'execution.runtime-mode': 'streaming',
    'parallelism.default': '1',
    'execution.worker-threads': '1',
    'state.backend.type': backend,
    // No checkpointing: the primary copy goes to a temp folder written without fsync (removed at exit).
    'state.backend.lsm.cache.disk-dir': `${dir}/cache`,
  };
  for (const kv of extra) {
    const i = kv.indexOf('=');
    config[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const session = new Session({ config, warn: (m) => process.stderr.write(`warn: ${m}\n`) });
  const statements = session.parse(largeStateScript(Number(keysText), Number(repeatText)));
  for (const s of statements.slice(0, -1)) await session.execute(s);
  const started = Date.now();
  const result = await session.execute(statements[statements.length - 1]!);
  if (result.kind !== 'query') throw new Error(`expected a query result, got '${result.kind}'`);
  const q = result.query;
  const table = new MaterializedTable(q.resultType);
  for await (const batch of q.batches) table.apply(batch);
  const done = await q.handle.done;
  const rows = table.snapshot();
  const lsm: Record<string, number> = {};
  for (const node of done.metrics.nodes) {
    for (const [k, v] of Object.entries(node.gauges)) if (k.startsWith(LSM_GAUGE_PREFIX)) lsm[k.slice(LSM_GAUGE_PREFIX.length)] = (lsm[k.slice(LSM_GAUGE_PREFIX.length)] ?? 0) + v;
  }
  const row = rows.length === 1 ? rows[0]!.map((v) => (typeof v === 'bigint' ? Number(v) : v)) : null;
  process.stdout.write(`result ${JSON.stringify({ status: done.status, rows: rows.length, row, lsm, ms: Date.now() - started, heapUsed: process.memoryUsage().heapUsed, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
