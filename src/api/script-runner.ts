/**
 * Runs a SQL script the way `floe run` promises (DESIGN.md, command line contract): statements in order,
 * each INSERT / statement set waited for, SELECT results printed to stdout in the chosen format and mode,
 * EXPLAIN text printed, errors thrown as FloeErrors for the caller to report.
 */
import type { Statement } from '../sql/index.js';
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
}

/** The script stopped because the user interrupted a job (see `ScriptOptions.stopOnSignal`). */
class Interrupted {}

export async function runScript(session: Session, text: string, options: ScriptOptions): Promise<void> {
  const statements = session.parse(text, options.vars ?? {});
  try {
    for (const statement of statements) await runStatement(session, statement, options);
  } catch (e) {
    if (e instanceof Interrupted) return;
    throw e;
  }
}

export async function runStatement(session: Session, statement: Statement, options: ScriptOptions): Promise<void> {
  const result = await session.execute(statement);
  await presentResult(result, options);
}

async function presentResult(result: StatementResult, options: ScriptOptions): Promise<void> {
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
      if (options.verbose) options.err(`[INFO] Submitting job '${result.job.name}'\n`);
      await waitWithProgress(result.handle, result.job, options);
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

async function waitWithProgress(handle: JobHandle, job: JobSpec, options: ScriptOptions): Promise<void> {
  // A job that prints to the terminal itself (a `print` sink) shows its rows instead: a progress line
  // redrawn in place would interleave with them.
  const printsToTerminal = job.nodes.some((n) => n.operator.type === 'sink' && n.operator.connector === 'print');
  const progress = options.progress && !printsToTerminal ? new ProgressLine(job, handle, options.err) : null;
  progress?.start();
  let interrupted = false;
  const onSignal = (): void => {
    progress?.stop();
    if (interrupted) {
      options.err('cancelling\n');
      void handle.cancel();
      return;
    }
    interrupted = true;
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
  };
  if (options.stopOnSignal) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let result: JobResult;
  try {
    result = await handle.done;
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  reportSkippedRows(result, job, options);
  reportCheckpoints(result, job, options);
  if (interrupted) throw new Interrupted();
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
  options.err('  id   duration   size        alignment   sync\n');
  for (const c of shown) {
    options.err(
      `  ${String(c.id).padEnd(4)} ${`${c.durationMs} ms`.padEnd(10)} ${formatBytes(c.sizeBytes).padEnd(11)} ${`${c.maxAlignmentMs} ms`.padEnd(11)} ${c.maxSyncMs} ms\n`,
    );
  }
}
