/**
 * A child process for the lake crash test (test/recovery/lake-fault-injection.test.ts): runs the pipeline
 * of `lake-pipeline.ts` with checkpoints every 50 ms, as `floe run --recover` would — each start resumes
 * every job (`lake-read`, `lake-write`, `lake-end`) from its latest complete checkpoint:
 * 1. starts `lake-read` (the streaming read → aggregation → filesystem sink) and leaves it running;
 * 2. runs `lake-write` (Nexmark → the partial-update table) to its end, then `lake-end` (the sentinel);
 * 3. waits until the sink's committed output holds the sentinel's group — `lake-read` then has processed
 *    and committed every snapshot before it — and cancels `lake-read`.
 *
 * Usage: node --import tsx lake-pipeline-job.ts OUT_DIR EVENTS TPS
 * Prints `started` once `lake-read` was submitted, `done ms=<run time>` and exits 0 when finished.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Session, type StatementResult } from '../../src/api/index.js';
import { nexmarkDir } from '../../src/common/index.js';
import { committedRows } from './job-process.js';
import { lakePipeline, sawSentinel } from './lake-pipeline.js';

async function main(): Promise<void> {
  const [out, events, tps] = process.argv.slice(2) as [string, string, string];
  const config: Record<string, string> = {
    'execution.runtime-mode': 'streaming',
    'execution.checkpointing.interval': '50 ms',
    'execution.checkpointing.dir': join(out, 'checkpoints'),
    'execution.checkpointing.num-retained': '2',
  };
  const session = new Session({ config, baseDir: nexmarkDir(), recover: true, warn: (m) => process.stderr.write(`warn: ${m}\n`) });
  mkdirSync(join(out, 'warehouse'), { recursive: true });
  const p = lakePipeline(join(out, 'warehouse'), out, Number(events), Number(tps));
  const run = async (sql: string, wait: boolean): Promise<StatementResult | undefined> => {
    let last: StatementResult | undefined;
    for (const st of session.parse(sql, p.vars)) {
      last = await session.execute(st);
      if (wait && last.kind === 'job') await last.handle.done;
    }
    return last;
  };
  await run(p.ddl, true);
  const started = Date.now();
  const reader = await run(p.read, false);
  if (reader?.kind !== 'job') throw new Error('lake-read did not start a job');
  process.stdout.write('started\n');
  await run(p.write, true);
  await run(p.end, true);
  const data = join(out, 'data');
  while (!sawSentinel(await committedRows(data))) await new Promise((r) => setTimeout(r, 25));
  await reader.handle.cancel();
  process.stdout.write(`done ms=${Date.now() - started}\n`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
