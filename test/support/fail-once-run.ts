/**
 * Runs a SQL job twice, in this process: once clean, once with a task failure injected after `failAfter`
 * rows and checkpointing plus restart-strategy fixed-delay on, and returns what both committed. The failure
 * comes from a `fail_once(x)` function (identity otherwise) that the script must use; a marker file makes
 * it fail only once per directory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../src/api/index.js';
import type { CheckpointStats } from '../../src/runtime/index.js';
import { committedRows } from './job-process.js';

export interface FailOnceResult {
  readonly restarts: number;
  readonly expected: string[];
  readonly actual: string[];
  /** Checkpoints the failing run completed (all attempts). */
  readonly checkpoints: readonly CheckpointStats[];
  /** What `inspect` returned, called with the failing run's checkpoint dir before it is removed. */
  readonly inspected: unknown;
}

/** `script(out)` must write to a filesystem table at `out` and may call `fail_once` (registered first). */
export async function runWithOneFailure(
  script: (out: string) => string,
  options: { failAfter: number; config?: Record<string, string>; inspect?: (checkpointDir: string) => Promise<unknown> },
): Promise<FailOnceResult> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-fail-once-'));
  try {
    const udf = join(dir, 'fail-once.mjs');
    const marker = join(dir, 'failed-once');
    await writeFile(
      udf,
      `import { existsSync, writeFileSync } from 'node:fs';
       let seen = 0;
       export function failOnce(x) {
         if (++seen > ${options.failAfter} && !existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); throw new Error('injected task failure'); }
         return x;
       }
       failOnce.returnType = 'BIGINT';`,
    );
    const run = async (out: string, config: Record<string, string>): Promise<{ restarts: number; checkpoints: readonly CheckpointStats[] }> => {
      const session = new Session({ config: { ...options.config, ...config }, warn: () => {} });
      let result = { restarts: -1, checkpoints: [] as readonly CheckpointStats[] };
      const text = `CREATE FUNCTION fail_once AS 'file:${udf}#failOnce' LANGUAGE JAVASCRIPT;\n${script(out)}`;
      for (const st of session.parse(text)) {
        const res = await session.execute(st);
        if (res.kind === 'job') result = await res.handle.done;
      }
      return result;
    };
    await writeFile(marker, ''); // the reference run must not fail
    await run(join(dir, 'ref'), {});
    await rm(marker);
    const { restarts, checkpoints } = await run(join(dir, 'out'), {
      'execution.checkpointing.interval': '50 ms',
      'execution.checkpointing.dir': join(dir, 'chk'),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '10 ms',
      'restart-strategy.fixed-delay.attempts': '3',
    });
    const inspected = await options.inspect?.(join(dir, 'chk'));
    return { restarts, checkpoints, inspected, expected: await committedRows(join(dir, 'ref')), actual: await committedRows(join(dir, 'out')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
