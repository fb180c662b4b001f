/**
 * A session: the state a user builds up statement by statement (catalogs, configuration, functions), and
 * the one place where parsed statements turn into catalog changes, plans and running jobs.
 *
 * The CLI (`floe run`, `floe sql`) and the TypeScript API both drive a `Session`. A session runs one
 * statement at a time; `INSERT` and `EXECUTE STATEMENT SET` start a job, which the caller may wait for or
 * not (`table.dml-sync`, decided in script-runner.ts). Every job started is kept in `jobs`, which
 * `SHOW JOBS` lists and `STOP JOB` stops.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FloeError, describeConfigOption, unsupported, userError, validateConfig } from '../common/index.js';
import { MaterializedTable } from './result-output.js';
import { SessionJobs, withSpan } from './session-jobs.js';
import { parseScript, substituteVariables, type Statement } from '../sql/index.js';
import { PaimonCatalog, bindFunctionIdentifier } from '../catalog/index.js';
import { CatalogManager, executeDdl, explain, planInserts, planQuery, type PlannerContext } from '../plan/index.js';
import { executeJob, type JobHandle } from '../runtime/index.js';
import type { ChangelogMode, JobSpec } from '../spec/index.js';
import type { RecordBatch, RowType } from '../types/index.js';


/** The module workers import to register operators and connectors (see runtime `executeJob`). */
const BOOTSTRAP_MODULE = new URL(`./worker-bootstrap${extensionOfThisModule()}`, import.meta.url).href;

function extensionOfThisModule(): string {
  return fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js';
}

export interface SessionOptions {
  /** Initial configuration (Flink keys), e.g. from `-D`. */
  readonly config?: Readonly<Record<string, string>>;
  /** Directory that relative paths in scripts (UDF modules, file paths) resolve against. */
  readonly baseDir?: string;
  /** Warnings (deprecated options, …) go here; default: stderr. */
  readonly warn?: (message: string) => void;
  /** Jobs resume from their latest complete checkpoint (`floe run --recover`); see `ExecuteJobOptions.recover`. */
  readonly recover?: boolean;
}

/** What running one statement produced. */
export type StatementResult =
  | { readonly kind: 'ok'; readonly statement: Statement; readonly message: string }
  | { readonly kind: 'rows'; readonly statement: Statement; readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'explain'; readonly statement: Statement; readonly text: string }
  | { readonly kind: 'job'; readonly statement: Statement; readonly job: JobSpec; readonly handle: JobHandle; readonly jobId: string }
  | { readonly kind: 'query'; readonly statement: Statement; readonly query: QueryExecution };

/** A running SELECT: its result schema, changelog mode, and a stream of result batches. */
export interface QueryExecution {
  readonly job: JobSpec;
  readonly resultType: RowType;
  readonly changelogMode: ChangelogMode;
  readonly handle: JobHandle;
  /** Result batches in arrival order (per subtask order is kept; subtasks interleave). Ends when the job ends. */
  readonly batches: AsyncIterable<RecordBatch>;
}

export class Session {
  readonly catalogs = new CatalogManager();
  /** Jobs started by this session (INSERTs, statement sets and queries), running and ended. */
  readonly jobs = new SessionJobs();
  private readonly config = new Map<string, string>();
  private readonly initialConfig: Readonly<Record<string, string>>;
  readonly baseDir: string;
  private readonly warn: (message: string) => void;
  private readonly recover: boolean;

  constructor(options: SessionOptions = {}) {
    this.initialConfig = { ...(options.config ?? {}) };
    validateConfig(this.initialConfig);
    for (const [k, v] of Object.entries(this.initialConfig)) this.config.set(k, v);
    this.baseDir = resolve(options.baseDir ?? process.cwd());
    this.warn = options.warn ?? ((m) => process.stderr.write(`WARNING: ${m}\n`));
    this.recover = options.recover === true;
  }

  /** Current configuration as Flink key → value. */
  configuration(): Readonly<Record<string, string>> {
    return Object.fromEntries(this.config);
  }

  set(key: string, value: string): void {
    validateConfig({ [key]: value });
    this.config.set(key, value);
  }

  /**
   * Registers a scalar function implemented by an export of a JS module, like `CREATE TEMPORARY SYSTEM
   * FUNCTION name AS 'file:…#export'`. The module is loaded by every worker thread that runs the function,
   * so it is named by location rather than passed as a function object. The export is a function, or an
   * object `{ eval, returnType, deterministic? }` (a plain function needs `fn.returnType = 'BIGINT'`).
   *
   * @example
   * session.registerFunction('count_char', new URL('./udf.js', import.meta.url), 'countChar');
   */
  registerFunction(name: string, module: string | URL, exportName = 'default'): void {
    const path = module instanceof URL ? fileURLToPath(module) : resolve(this.baseDir, module);
    const identifier = `file:${path}#${exportName}`;
    const ref = bindFunctionIdentifier(identifier, 'JAVASCRIPT', { baseDir: this.baseDir, config: this.configuration(), span: undefined });
    this.catalogs.createFunction([name], { identifier, language: 'JAVASCRIPT', ref }, { temporary: true, system: true });
  }

  /**
   * Runs SQL statements and returns the final rows of the last query as objects keyed by column name
   * (bounded input). DDL, SET and INSERT statements before it run first; each INSERT is waited for.
   *
   * @example
   * const rows = await session.query<{ customer: string; n: number }>('SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer');
   */
  async query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string): Promise<Row[]> {
    let rows: Row[] = [];
    for (const statement of this.parse(sql)) {
      const result = await this.execute(statement);
      if (result.kind === 'job') await result.handle.done;
      if (result.kind !== 'query') continue;
      const { resultType, batches, handle } = result.query;
      const names = resultType.fields.map((f) => f.name);
      const table = new MaterializedTable(resultType);
      for await (const batch of batches) table.apply(batch);
      await handle.done;
      rows = table.snapshot().map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]])) as Row);
    }
    return rows;
  }

  /** Parses a script (after `${VAR}` substitution) into statements; throws FloeError(s) with line:column. */
  parse(text: string, vars: Readonly<Record<string, string>> = {}): Statement[] {
    return parseScript(substituteVariables(text, vars));
  }

  private plannerContext(): PlannerContext {
    return { catalogs: this.catalogs, config: this.configuration(), baseDir: this.baseDir, warn: this.warn };
  }

  /**
   * Runs one statement. Jobs are started, not awaited: the caller decides whether to wait
   * (`result.handle.done`); the CLI follows `table.dml-sync` (see script-runner.ts). `SHOW JOBS` and
   * `STOP JOB` act on `jobs`.
   */
  async execute(statement: Statement): Promise<StatementResult> {
    switch (statement.kind) {
      case 'Set':
        return this.executeSet(statement);
      case 'Reset': {
        if (statement.key === undefined) {
          this.config.clear();
          for (const [k, v] of Object.entries(this.initialConfig)) this.config.set(k, v);
        } else if (this.initialConfig[statement.key] !== undefined) {
          this.config.set(statement.key, this.initialConfig[statement.key]!);
        } else {
          this.config.delete(statement.key);
        }
        return { kind: 'ok', statement, message: 'configuration reset' };
      }
      case 'Explain':
        return { kind: 'explain', statement, text: await explain(statement, this.plannerContext()) };
      case 'Insert':
      case 'StatementSet': {
        const inserts = statement.kind === 'Insert' ? [statement] : statement.inserts;
        const job = await planInserts(inserts, this.plannerContext());
        const handle = this.startJob(job);
        return { kind: 'job', statement, job, handle, jobId: this.jobs.register(job, handle).id };
      }
      case 'StopJob':
        return this.executeStopJob(statement);
      case 'Call':
        return this.executeCall(statement);
      case 'QueryStatement':
        return { kind: 'query', statement, query: await this.startQuery(statement) };
      default: {
        if (statement.kind === 'Show' && statement.what === 'JOBS') return this.executeShowJobs(statement);
        const result = await executeDdl(statement, this.plannerContext());
        return result.kind === 'ok'
          ? { kind: 'ok', statement, message: result.message }
          : { kind: 'rows', statement, columns: result.columns, rows: result.rows };
      }
    }
  }

  private executeSet(statement: Extract<Statement, { kind: 'Set' }>): StatementResult {
    if (statement.key === undefined) {
      const rows = [...this.config.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v]);
      return { kind: 'rows', statement, columns: ['key', 'value'], rows };
    }
    if (statement.value === undefined) {
      throw userError('CONFIG.MISSING_VALUE', `SET '${statement.key}' needs a value: SET '${statement.key}' = '…'`, { span: statement.span });
    }
    try {
      this.set(statement.key, statement.value);
    } catch (e) {
      if (e instanceof FloeError && !e.span) throw new FloeError(e.kind, e.code, e.message, { span: statement.span, notes: e.notes, help: e.help });
      throw e;
    }
    return { kind: 'ok', statement, message: `${statement.key} = ${statement.value}${describeConfigOption(statement.key)}` };
  }

  private executeShowJobs(statement: Extract<Statement, { kind: 'Show' }>): StatementResult {
    if (statement.like !== undefined || statement.name !== undefined) {
      throw userError('JOB.SHOW_JOBS_FILTER', 'SHOW JOBS takes no FROM or LIKE clause', { span: statement.span });
    }
    const { columns, rows } = this.jobs.showJobs(this.configuration()['table.local-time-zone'] ?? 'UTC');
    return { kind: 'rows', statement, columns, rows };
  }

  /** Flink's STOP JOB: with a savepoint, the result is one row `savepoint path`; without, the job is cancelled. */
  private async executeStopJob(statement: Extract<Statement, { kind: 'StopJob' }>): Promise<StatementResult> {
    let path: string | null;
    try {
      path = await this.jobs.stop(statement.jobId, { savepoint: statement.withSavepoint, drain: statement.withDrain, span: statement.span });
    } catch (e) {
      throw withSpan(e, statement.span);
    }
    if (path === null) return { kind: 'ok', statement, message: `job ${statement.jobId} has been cancelled` };
    return { kind: 'rows', statement, columns: ['savepoint path'], rows: [[path]] };
  }

  /**
   * `CALL [catalog.]db.procedure(…)`: the catalog (the current one when not named) runs it; only Paimon
   * catalogs have procedures. The result is Flink's one-column `result` table.
   */
  private async executeCall(statement: Extract<Statement, { kind: 'Call' }>): Promise<StatementResult> {
    const parts = statement.procedure.parts;
    if (parts.length < 2 || parts.length > 3) {
      throw userError('PROCEDURE.UNKNOWN', `procedure name '${parts.map((p) => p.value).join('.')}' must be [catalog.]database.procedure, e.g. sys.compact`, { span: statement.procedure.span });
    }
    const catalogName = parts.length === 3 ? parts[0]!.value : this.catalogs.currentCatalog;
    const catalog = this.catalogs.getCatalog(catalogName);
    if (catalog === undefined) throw userError('PLAN.UNKNOWN_CATALOG', `catalog '${catalogName}' does not exist`, { span: parts.length === 3 ? parts[0]!.span : statement.span });
    if (!(catalog instanceof PaimonCatalog)) {
      throw unsupported('PROCEDURE.UNSUPPORTED_CATALOG', `catalog '${catalogName}' (type ${catalog.type}) has no procedures; procedures are called on Paimon catalogs`, {
        span: statement.procedure.span,
        help: parts.length === 3 ? undefined : "name the catalog, e.g. CALL lake.sys.compact('db.t'), or USE CATALOG a Paimon catalog first",
      });
    }
    const [database, name] = [parts[parts.length - 2]!.value, parts[parts.length - 1]!.value];
    let result;
    try {
      result = await catalog.callProcedure(database, name, statement.args, { span: statement.span, timeZone: this.configuration()['table.local-time-zone'] ?? 'UTC' });
    } catch (e) {
      throw withSpan(e, statement.span);
    }
    return { kind: 'rows', statement, columns: result.columns, rows: result.rows };
  }

  private startJob(job: JobSpec, onClientMessage?: (nodeId: number, subtask: number, message: unknown) => void): JobHandle {
    return executeJob(job, { bootstrapModule: BOOTSTRAP_MODULE, warn: this.warn, recover: this.recover, ...(onClientMessage ? { onClientMessage } : {}) });
  }

  private async startQuery(statement: Extract<Statement, { kind: 'QueryStatement' }>): Promise<QueryExecution> {
    const planned = await planQuery(statement, this.plannerContext());
    const queue = new BatchQueue();
    const handle = this.startJob(planned.job, (nodeId, _subtask, message) => {
      if (nodeId !== planned.collectNodeId) return;
      const m = message as { kind?: string; batch?: RecordBatch };
      if (m.kind === 'rows' && m.batch) queue.push(m.batch);
    });
    this.jobs.register(planned.job, handle);
    handle.done.then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    return { job: planned.job, resultType: planned.resultType, changelogMode: planned.changelogMode, handle, batches: queue };
  }
}

/** An unbounded async queue of batches with end and failure, read by one consumer. */
class BatchQueue implements AsyncIterable<RecordBatch> {
  private readonly items: RecordBatch[] = [];
  private waiting: (() => void) | null = null;
  private ended = false;
  private error: unknown = null;

  push(batch: RecordBatch): void {
    this.items.push(batch);
    this.wake();
  }
  end(): void {
    this.ended = true;
    this.wake();
  }
  fail(error: unknown): void {
    this.error = error ?? new Error('query failed');
    this.wake();
  }
  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.error !== null) throw this.error;
      if (this.ended) return;
      await new Promise<void>((r) => (this.waiting = r));
    }
  }
}

/** Resolves a script path's directory (for `baseDir`). */
export function scriptBaseDir(file: string): string {
  return dirname(resolve(file));
}
