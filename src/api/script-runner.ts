/**
 * Runs a SQL script the way `floe run` promises (DESIGN.md, command line contract): statements in order,
 * each INSERT / statement set waited for, SELECT results printed to stdout in the chosen format and mode,
 * EXPLAIN text printed, errors thrown as FloeErrors for the caller to report.
 *
 * `table.dml-sync` = false (Flink's SQL-client option) submits an INSERT and goes on to the next statement.
 * Flink's `sql-client.sh -f` then exits and leaves the jobs to the cluster; here the process is the
 * cluster, so the script still ends only when the jobs it submitted end (Ctrl-C stops them all).
 */
import type { Statement } from '../sql/index.js';
import { readOption } from '../common/index.js';
import { readCheckpointSettings } from '../runtime/index.js';
import type { JobHandle, JobResult } from '../runtime/index.js';
import type { JobSpec } from '../spec/index.js';
import { ChangelogPrinter, MaterializedTable, renderFinal, renderTable, type OutputFormat, type ResultMode } from './result-output.js';
import { formatBytes, ProgressLine } from './progress-line.js';
import type { Session, StatementResult } from './session.js';

export interface ScriptOptions {
  readonly vars?: Readonly<Record<string, string>>;
  readonly format?: OutputFormat;
  readonly resultMode?: ResultMode;
  /** Where results go (stdout). */
  readonly out: (text: string) => void;
  /** Where progress and notices go (stderr). */
  readonly err: (text: string) => void;
  /** Show a live progress line (only when stderr is a TTY). */
  readonly progress?: boolean;
  /** Print a line per DDL/SET statement (interactive use). */
  readonly verbose?: boolean;
  /**
   * Ctrl-C (SIGINT) or SIGTERM during a job stops it: with a savepoint when the job checkpoints (the path
   * is printed, to resume with `--from-savepoint`), else by cancelling; a second signal cancels at once.
   * The rest of the script is not run.
   */
  readonly stopOnSignal?: boolean;
  /**
   * Whether an INSERT is waited for when the session has not set `table.dml-sync` itself: true for scripts
   * (the default, so a script's statements see the output of the INSERTs before them); the interactive
   * client passes false, Flink's default there.
   */
  readonly dmlSync?: boolean;
}

/** The script stopped because the user interrupted a job (see `ScriptOptions.stopOnSignal`). */
class Interrupted {}

export async function runScript(session: Session, text: string, options: ScriptOptions): Promise<void> {
  const statements = session.parse(text, options.vars ?? {});
  const earlier = new Set(session.jobs.list().map((j) => j.id));
  /** Jobs this script submitted without waiting that still run. */
  const background = () => session.jobs.running().filter((j) => !earlier.has(j.id));
  let completed = false;
  try {
    for (const statement of statements) await runStatement(session, statement, options);
    const jobs = background();
    if (jobs.length > 0) {
      options.err(`[INFO] waiting for ${jobs.length} submitted job${jobs.length === 1 ? '' : 's'} to end\n`);
      await waitForJobs(jobs.map((j) => ({ handle: j.handle, job: j.spec })), options);
    }
    completed = true;
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
  } finally {
    // A failed or interrupted script does not leave jobs behind in the process.
    const left = completed ? [] : background();
    if (left.length > 0) {
      options.err(`[INFO] cancelling ${left.length} job${left.length === 1 ? '' : 's'} submitted by the script: ${left.map((j) => `${j.id} (${j.name})`).join(', ')}\n`);
      await Promise.all(left.map((j) => j.handle.cancel()));
    }
  }
}

export async function runStatement(session: Session, statement: Statement, options: ScriptOptions): Promise<void> {
  const result = await session.execute(statement);
  await presentResult(result, options, dmlSync(session, options));
}

/** `table.dml-sync` as the session set it, else the caller's default (see `ScriptOptions.dmlSync`). */
function dmlSync(session: Session, options: ScriptOptions): boolean {
  const set = session.configuration()['table.dml-sync'];
  if (set !== undefined) return set.trim().toLowerCase() === 'true';
  return options.dmlSync ?? (readOption({}, 'table.dml-sync') === 'true');
}

async function presentResult(result: StatementResult, options: ScriptOptions, sync: boolean): Promise<void> {
  switch (result.kind) {
    case 'ok':
      if (options.verbose) options.err(`[INFO] ${result.message}\n`);
      return;
    case 'rows':
      options.out(renderTable(result.columns, result.rows));
      return;
    case 'explain':
      options.out(result.text.endsWith('\n') ? result.text : result.text + '\n');
      return;
    case 'job': {
      if (!sync) {
        options.err(`[INFO] Submitted job '${result.job.name}' without waiting for it (table.dml-sync is false)\nJob ID: ${result.jobId}\n`);
        if (options.verbose) reportBackgroundFailure(result, options);
        return;
      }
      if (options.verbose) options.err(`[INFO] Submitting job '${result.job.name}'\n`);
      await waitForJobs([{ handle: result.handle, job: result.job }], options);
      return;
    }
    case 'query': {
      const q = result.query;
      const format = options.format ?? 'table';
      if ((options.resultMode ?? 'table') === 'changelog') {
        const printer = new ChangelogPrinter(q.resultType, format, options.out);
        for await (const batch of q.batches) printer.print(batch);
      } else {
        // The final table appears only at the end, so show progress meanwhile.
        const progress = options.progress ? new ProgressLine(q.job, q.handle, options.err) : null;
        progress?.start();
        const table = new MaterializedTable(q.resultType);
        try {
          for await (const batch of q.batches) table.apply(batch);
        } finally {
          progress?.stop();
        }
        options.out(renderFinal(q.resultType, table.snapshot(), format));
      }
      reportSkippedRows(await q.handle.done, q.job, options);
      return;
    }
  }
}

/**
 * Rows a source skipped as unparsable (a format's ignore-parse-errors option) are not an error, but the user
 * must learn of them: one line per source on stderr.
 */
function reportSkippedRows(result: JobResult, job: JobSpec, options: ScriptOptions): void {
  for (const node of result.metrics.nodes) {
    const skipped = node.gauges['numSkippedRecords'] ?? 0;
    if (skipped <= 0) continue;
    const spec = job.nodes.find((n) => n.id === node.nodeId)?.operator;
    const table = spec?.type === 'source' ? spec.tableName : node.name;
    options.err(`WARNING: table ${table}: skipped ${skipped} malformed row${skipped === 1 ? '' : 's'} (ignore-parse-errors is set)\n`);
  }
}

/** A job the client does not wait for: its failure would otherwise go unseen until SHOW JOBS. */
function reportBackgroundFailure(result: Extract<StatementResult, { kind: 'job' }>, options: ScriptOptions): void {
  result.handle.done.then(
    () => undefined,
    (e: unknown) => options.err(`[ERROR] job ${result.jobId} (${result.job.name}) failed: ${e instanceof Error ? e.message : String(e)}\n`),
  );
}

/**
 * Waits for jobs to end, with a progress line for a single job. With `stopOnSignal`, a signal stops every
 * job (see `ScriptOptions.stopOnSignal`) and the script ends after them. The first failure is thrown once
 * all have ended.
 */
async function waitForJobs(jobs: readonly { readonly handle: JobHandle; readonly job: JobSpec }[], options: ScriptOptions): Promise<void> {
  // A job that prints to the terminal itself (a `print` sink) shows its rows instead: a progress line
  // redrawn in place would interleave with them.
  const single = jobs.length === 1 ? jobs[0]! : null;
  const printsToTerminal = single?.job.nodes.some((n) => n.operator.type === 'sink' && n.operator.connector === 'print') ?? true;
  const progress = options.progress && single !== null && !printsToTerminal ? new ProgressLine(single.job, single.handle, options.err) : null;
  progress?.start();
  let interrupted = false;
  const onSignal = (): void => {
    progress?.stop();
    if (interrupted) {
      options.err('cancelling\n');
      for (const { handle } of jobs) void handle.cancel();
      return;
    }
    interrupted = true;
    for (const { handle, job } of jobs) stopOnInterrupt(handle, job, options);
  };
  if (options.stopOnSignal) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let settled: PromiseSettledResult<JobResult>[];
  try {
    settled = await Promise.allSettled(jobs.map((j) => j.handle.done));
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  for (let i = 0; i < jobs.length; i++) {
    const outcome = settled[i]!;
    if (outcome.status === 'fulfilled') {
      reportSkippedRows(outcome.value, jobs[i]!.job, options);
      reportCheckpoints(outcome.value, jobs[i]!.job, options);
    }
  }
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  if (interrupted) throw new Interrupted();
}

/** First interrupt: stop with a savepoint where the job checkpoints, else cancel. */
function stopOnInterrupt(handle: JobHandle, job: JobSpec, options: ScriptOptions): void {
  if (readCheckpointSettings(job.config, job.name) === null) {
    options.err(`[${job.name}] cancelling (no checkpointing, so no savepoint)\n`);
    void handle.cancel();
    return;
  }
  options.err(`[${job.name}] stopping with a savepoint (interrupt again to cancel without one)\n`);
  handle.stopWithSavepoint().then(
    (path) => options.err(`[${job.name}] savepoint: ${path}\n  resume with: floe run <script> --from-savepoint ${path}\n`),
    (e: unknown) => {
      options.err(`[${job.name}] savepoint failed (${e instanceof Error ? e.message : String(e)}); cancelling\n`);
      void handle.cancel();
    },
  );
}

/**
 * After a job that checkpointed, restarted or was restored: one summary line, and each checkpoint's
 * figures (the same as `<checkpoint dir>/<job>/checkpoints.json` keeps). Long histories show the last ten.
 */
function reportCheckpoints(result: JobResult, job: JobSpec, options: ScriptOptions): void {
  const list = result.checkpoints;
  if (list.length === 0 && result.restarts === 0 && result.restoredFrom === null) return;
  const parts = [`${list.length} checkpoint${list.length === 1 ? '' : 's'}`];
  if (result.restoredFrom !== null) parts.push(`restored from checkpoint ${result.restoredFrom}`);
  if (result.restarts > 0) parts.push(`${result.restarts} restart${result.restarts === 1 ? '' : 's'} after task failures`);
  options.err(`[${job.name}] ${parts.join(', ')}\n`);
  const shown = list.slice(-10);
  if (shown.length === 0) return;
  if (shown.length < list.length) options.err(`  (last ${shown.length} of ${list.length})\n`);
  // `size` is what the checkpoint wrote; `full size` what a restore reads (more when incremental).
  options.err('  id   duration   size        full size   alignment   sync\n');
  for (const c of shown) {
    options.err(
      `  ${String(c.id).padEnd(4)} ${`${c.durationMs} ms`.padEnd(10)} ${formatBytes(c.sizeBytes).padEnd(11)} ${formatBytes(c.fullSizeBytes).padEnd(11)} ${`${c.maxAlignmentMs} ms`.padEnd(11)} ${c.maxSyncMs} ms\n`,
    );
  }
}
