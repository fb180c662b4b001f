/**
 * A partitioned filesystem table written by one job and read back by another through SQL: partition
 * columns live in `k=v/` directory names, not in the files, and come back as ordinary columns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../src/api/index.js';

for (const format of ['csv', 'json']) {
  test(`PARTITIONED BY tables round-trip through SQL (${format})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-partitions-'));
    // Parallelism 2: the csv round trip on two worker threads, the json one with both subtasks in this
    // thread. The formats differ only inside the source and sink subtasks (rows cross threads as batches,
    // not as text), and each worker-thread job costs seconds of startup (test/support/subtask-threads.ts).
    const threads = format === 'csv' ? { 'execution.worker-threads': '2' } : { 'execution.worker-threads': '1' };
    const session = new Session({ config: { 'parallelism.default': '2', ...threads }, warn: () => {} });
    const rows = await session.query(`
      CREATE TABLE sales (id BIGINT, amount DECIMAL(10, 2), dt STRING, region STRING)
        PARTITIONED BY (dt, region)
        WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}');
      INSERT INTO sales VALUES
        (1, 10.50, '2026-01-01', 'eu'), (2, 20.00, '2026-01-01', 'us'),
        (3, 5.25, '2026-01-02', 'eu'), (4, CAST(NULL AS DECIMAL(10, 2)), '2026-01-02', 'eu');
      SELECT dt, region, COUNT(*) AS n, SUM(amount) AS total FROM sales GROUP BY dt, region;
    `);
    assert.deepEqual(readdirSync(dir).filter((d) => d.startsWith('dt=')).sort(), ['dt=2026-01-01', 'dt=2026-01-02']);
    assert.deepEqual(readdirSync(join(dir, 'dt=2026-01-02')).filter((d) => !d.startsWith('.') && !d.startsWith('_')), ['region=eu']);
    const text = rows.map((r) => `${r['dt']} ${r['region']} ${r['n']} ${r['total']}`).sort();
    assert.deepEqual(text, ['2026-01-01 eu 1 1050', '2026-01-01 us 1 2000', '2026-01-02 eu 2 525']);
  });
}
