/**
 * A child process for fault-injection tests: runs one shared Nexmark query file unmodified except that its
 * blackhole sink table writes files in the `debezium-json` changelog format (so updating queries can be
 * written too; the filesystem sink is exactly-once when checkpointing is on), in
 * streaming mode over the bounded `nexmark` generator, as `floe run --recover` would: each start resumes
 * from the latest complete checkpoint of the job.
 *
 * Usage: node --import tsx nexmark-filesystem-job.ts QUERY EVENTS OUT_DIR PARALLELISM CHECKPOINT_INTERVAL|none [PIPELINE_NAME]
 * Prints `started` once the job was submitted, `done <restoredFrom|fresh> checkpoints=<n> ms=<run time>` and
 * exits 0 when it finished.
 */
import { Session } from '../../src/api/index.js';
import { nexmarkDir } from '../../src/common/index.js';
import { nexmarkScript, nexmarkVars } from '../../src/cli/bench-nexmark.js';

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
  }
  const dir = nexmarkDir();
  const session = new Session({ config, baseDir: dir, recover: true, warn: (m) => process.stderr.write(`warn: ${m}\n`) });
  for (const statement of session.parse(filesystemSinkScript(query, outDir), { ...nexmarkVars(Number(events), dir), TPS: '10000' })) {
    const result = await session.execute(statement);
    if (result.kind !== 'job') continue;
    const started = Date.now();
    process.stdout.write('started\n');
    const done = await result.handle.done;
    process.stdout.write(`done ${done.restoredFrom ?? 'fresh'} checkpoints=${done.checkpoints.length} ms=${Date.now() - started}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
