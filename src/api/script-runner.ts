/**
 * Runs a SQL script the way `floe run` promises (DESIGN.md, command line contract): statements in order,
 * each INSERT / statement set waited for, SELECT results printed to stdout in the chosen format and mode,
 * EXPLAIN text printed, errors thrown as FloeErrors for the caller to report.
 */
import type { Statement } from '../sql/index.js';
import type { JobHandle, JobResult } from '../runtime/index.js';
import type { JobSpec } from '../spec/index.js';
import { ChangelogPrinter, MaterializedTable, renderFinal, renderTable, type OutputFormat, type ResultMode } from './result-output.js';
import { ProgressLine } from './progress-line.js';
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
}

export async function runScript(session: Session, text: string, options: ScriptOptions): Promise<void> {
  const statements = session.parse(text, options.vars ?? {});
  for (const statement of statements) await runStatement(session, statement, options);
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
  let result: JobResult;
  try {
    result = await handle.done;
  } finally {
    progress?.stop();
  }
  reportSkippedRows(result, job, options);
}
