/**
 * A child process for fault-injection tests: runs one shared Nexmark query file unmodified except that its
 * blackhole sink table writes files in the `debezium-json` changelog format (so updating queries can be
 * written too; the filesystem sink is exactly-once when checkpointing is on), in
 * streaming mode over the bounded `nexmark` generator, as `floe run --recover` would: each start resumes
 * from the latest complete checkpoint of the job.
 *
 * Usage: node --import tsx nexmark-filesystem-job.ts QUERY EVENTS OUT_DIR PARALLELISM CHECKPOINT_INTERVAL|none [PIPELINE_NAME]
 *
 * In-process task failures: with FLOE_INJECT_FAILURES=N (and FLOE_INJECT_SEED), the nexmark source's
 * reader throws N times at random batches (a fault injector in this test process; parallelism 1 runs the
 * source in this thread), and the restart strategy (fixed-delay, no delay) restarts the job from its
 * latest checkpoint each time.
 * Prints `started` once the job was submitted, `done <restoredFrom|fresh> checkpoints=<n> ms=<run time>` and
 * exits 0 when it finished.
 */
import { Session } from '../../src/api/index.js';
import { nexmarkDir } from '../../src/common/index.js';
import { nexmarkScript, nexmarkVars } from '../../src/cli/bench-nexmark.js';
import { runtimeError } from '../../src/common/index.js';
import { NexmarkSplitReader } from '../../src/connectors/nexmark/nexmark-source.js';

/** Makes the source fail `count` times, each batch failing with probability 1/10, from a seeded sequence. */
function injectSourceFailures(count: number, seed: number): void {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  let left = count;
  const read = NexmarkSplitReader.prototype.next;
  NexmarkSplitReader.prototype.next = function (this: NexmarkSplitReader, maxRows: number) {
    if (left > 0 && next() < 1 / 10) {
      left--;
      throw runtimeError('TEST.INJECTED_FAILURE', `injected task failure (${count - left} of ${count})`);
    }
    return read.call(this, maxRows);
  };
}

export function filesystemSinkScript(query: string, outDir: string): string {
  const dir = nexmarkDir();
  const script = nexmarkScript(dir, query);
  const replaced = script.replace(/'connector'\s*=\s*'blackhole'/, `'connector' = 'filesystem', 'path' = '${outDir}/data', 'format' = 'debezium-json'`);
  if (replaced === script) throw new Error(`${query}: no blackhole sink to replace`);
  return replaced;
}

async function main(): Promise<void> {
  const [query, events, outDir, parallelism, interval, name] = process.argv.slice(2) as [string, string, string, string, string, string?];
  const config: Record<string, string> = {
    'parallelism.default': parallelism,
    'pipeline.name': name ?? query,
    'execution.runtime-mode': 'streaming',
  };
  if (interval !== 'none') {
    config['execution.checkpointing.interval'] = interval;
    config['execution.checkpointing.dir'] = `${outDir}/checkpoints`;
    config['execution.checkpointing.num-retained'] = '2';
    if (process.env['FLOE_CHECKPOINT_INCREMENTAL'] === 'true') config['execution.checkpointing.incremental'] = 'true';
  }
  if (process.env['FLOE_STATE_BACKEND'] !== undefined) config['state.backend.type'] = process.env['FLOE_STATE_BACKEND'];
  const failures = Number(process.env['FLOE_INJECT_FAILURES'] ?? 0);
  if (failures > 0) {
    injectSourceFailures(failures, Number(process.env['FLOE_INJECT_SEED'] ?? 1));
    config['restart-strategy.type'] = 'fixed-delay';
    config['restart-strategy.fixed-delay.delay'] = '0 ms';
    config['restart-strategy.fixed-delay.attempts'] = String(failures + 1);
  }
  const dir = nexmarkDir();
  const session = new Session({ config, baseDir: dir, recover: true, warn: (m) => process.stderr.write(`warn: ${m}\n`) });
  for (const statement of session.parse(filesystemSinkScript(query, outDir), { ...nexmarkVars(Number(events), dir), TPS: '10000' })) {
    const result = await session.execute(statement);
    if (result.kind !== 'job') continue;
    const started = Date.now();
    process.stdout.write('started\n');
    const done = await result.handle.done;
    process.stdout.write(`done ${done.restoredFrom ?? 'fresh'} checkpoints=${done.checkpoints.length} restarts=${done.restarts} ms=${Date.now() - started}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
