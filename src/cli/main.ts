/**
 * `floe`: the command line (DESIGN.md, "Command line"). Sub-commands:
 * - `floe run FILE.sql [--parallelism N] [--format table|csv|json] [--result-mode table|changelog] [-D k=v …] [--var N=V …]`
 * - `floe sql [-f FILE] [same options]`: the interactive client (history in ~/.floe_history), or a file.
 * - `floe bench nexmark …`: the Nexmark harness.
 * Exit status: 0 when every statement succeeded (bounded jobs finished), 1 on any error (message on stderr).
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { FloeError } from '../common/index.js';
import { runScript, scriptBaseDir, Session, type OutputFormat, type ResultMode } from '../api/index.js';
import { runInteractive } from './interactive.js';
import { runNexmarkBench, type NexmarkBenchOptions } from './bench-nexmark.js';
import { reportErrorText } from './report-error.js';

interface RunOptions {
  parallelism?: string;
  format: OutputFormat;
  resultMode: ResultMode;
  D: string[];
  var: string[];
  progress: boolean;
  recover?: boolean;
  fromSavepoint?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function keyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FloeError('user', 'CLI.BAD_ARGUMENT', `${flag} expects NAME=VALUE, got '${pair}'`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

function sessionConfig(options: RunOptions): Record<string, string> {
  const config = keyValues(options.D, '-D');
  if (options.parallelism !== undefined) config['parallelism.default'] = options.parallelism;
  if (options.fromSavepoint !== undefined) config['execution.savepoint.path'] = options.fromSavepoint;
  return config;
}

function addRunOptions(command: Command): Command {
  return command
    .option('-p, --parallelism <n>', 'default parallelism (parallelism.default)')
    .addOption(new Option('--format <format>', 'result format').choices(['table', 'csv', 'json']).default('table'))
    .addOption(new Option('--result-mode <mode>', 'final table, or every change with an op column').choices(['table', 'changelog']).default('table'))
    .option('-D <key=value>', 'configuration option (repeatable)', collect, [])
    .option('--var <name=value>', 'substitute ${name} in the script (repeatable)', collect, [])
    .option('--no-progress', 'no live progress line on stderr')
    .option('--recover', "resume each job from its latest complete checkpoint under execution.checkpointing.dir (by 'pipeline.name'); start fresh where there is none")
    .option('--from-savepoint <path>', 'start the jobs from this checkpoint or savepoint (execution.savepoint.path)');
}

async function runFile(file: string, options: RunOptions): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const session = new Session({ config: sessionConfig(options), baseDir: scriptBaseDir(file), recover: options.recover === true });
  await runScript(session, text, {
    vars: keyValues(options.var, '--var'),
    format: options.format,
    resultMode: options.resultMode,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    progress: options.progress && process.stderr.isTTY === true,
    stopOnSignal: true,
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('floe').description('Floe: Flink-dialect streaming and batch SQL for Node.js').showHelpAfterError();
  let exitCode = 0;
  const guard = (file: string | undefined, work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (e) {
      process.stderr.write(reportErrorText(e, file));
      exitCode = 1;
    }
  };

  addRunOptions(program.command('run').description('run a SQL script').argument('<file>', 'SQL script')).action(
    (file: string, options: RunOptions) => guard(file, () => runFile(file, options))(),
  );

  addRunOptions(program.command('sql').description('interactive SQL client').option('-f, --file <file>', 'run a file instead')).action(
    (options: RunOptions & { file?: string }) =>
      guard(options.file, async () => {
        if (options.file) await runFile(options.file, options);
        else await runInteractive(new Session({ config: sessionConfig(options) }), { format: options.format, resultMode: options.resultMode });
      })(),
  );

  program
    .command('bench')
    .description('benchmarks')
    .argument('<suite>', "benchmark suite: 'nexmark'")
    .option('--queries <list>', "comma-separated queries, or 'all' (every query Floe runs)", 'all')
    .option('--events <n>', 'events per query', '1000000')
    .option('-p, --parallelism <n>', 'parallelism', '1')
    .option('--json <file>', 'also write the results as JSON')
    .option('--nexmark-dir <dir>', 'directory with ddl/ and queries/ (default ../shared/nexmark)')
    .addOption(new Option('--state-backend <kind>', 'keyed state backend (state.backend.type)').choices(['heap', 'lsm']).default('heap'))
    .option('--checkpoint-interval <duration>', "checkpoint this often (e.g. '1 s'), into a temporary directory; default: no checkpoints")
    .option('--profile <dir>', 'write a V8 CPU profile per query and thread (main thread and every worker) under <dir>/<query>-p<P>/')
    .option('--warmup <events>', 'run each query on this many events first, unmeasured, in the same process (warms the JIT)', '0')
    .option('--set <key=value...>', "job configuration for every query, e.g. --set state.backend.lsm.cache.memory-size=64mb")
    .addOption(new Option('--single <query>', 'run one query in this process and print its measurement as JSON').hideHelp())
    .action((suite: string, options: NexmarkBenchOptions) =>
      guard(undefined, async () => {
        if (suite !== 'nexmark') throw new FloeError('user', 'CLI.BAD_ARGUMENT', `unknown benchmark suite '${suite}' (available: nexmark)`);
        await runNexmarkBench(options);
      })(),
    );

  await program.parseAsync(argv as string[]);
  return exitCode;
}

const code = await main(process.argv);
// Exit explicitly so that nothing left behind by a finished job keeps the process alive, but only after
// stdout and stderr have drained (writes to pipes are asynchronous).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
