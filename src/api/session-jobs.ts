/**
 * The jobs a session started, for Flink's SQL-client job statements: `SHOW JOBS` lists them and
 * `STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]` stops one. Floe has no job server: the session (and so
 * the process) is the cluster, and this registry is its job list.
 *
 * Invariants: an entry's status is RUNNING until its handle's `done` settles, then one of FINISHED,
 * CANCELED, FAILED and never changes again. Every `done` gets a rejection handler here, so a job that
 * fails while nobody awaits it (`table.dml-sync` = false) is recorded, not an unhandled rejection.
 */
import { randomBytes } from 'node:crypto';
import { FloeError, readOption, userError, type SourceSpan } from '../common/index.js';
import { readCheckpointSettings, type JobHandle } from '../runtime/index.js';
import type { JobSpec } from '../spec/index.js';
import { formatValueText, Types } from '../types/index.js';

/** Flink's job states, as far as a Floe job has them (no RESTARTING: restarts happen inside the handle). */
export type SessionJobStatus = 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';

export interface SessionJob {
  /** 32 lower-case hex digits, like a Flink JobID. */
  readonly id: string;
  /** `pipeline.name`, else the name the planner gave the job (`insert-into_<sink>`, …). */
  readonly name: string;
  readonly startTime: Date;
  readonly spec: JobSpec;
  readonly handle: JobHandle;
  readonly status: SessionJobStatus;
  /** Why a FAILED job failed. */
  readonly error: unknown;
}

type MutableJob = { -readonly [K in keyof SessionJob]: SessionJob[K] };

/** Ended jobs kept for `SHOW JOBS`; older ones are forgotten (their handles hold metrics). */
const ENDED_JOBS_KEPT = 100;

export class SessionJobs {
  private readonly jobs = new Map<string, MutableJob>();
  /** Jobs being stopped, so a second STOP JOB gets a clear error instead of a second savepoint. */
  private readonly stopping = new Set<string>();

  /** Records a job just started; the returned entry's status follows the job. */
  register(spec: JobSpec, handle: JobHandle): SessionJob {
    const job: MutableJob = { id: randomBytes(16).toString('hex'), name: spec.name, startTime: new Date(), spec, handle, status: 'RUNNING', error: null };
    this.jobs.set(job.id, job);
    handle.done.then(
      // A stop-with-savepoint ends the job's attempt by cancelling it, but Flink reports a stopped job as
      // FINISHED: it ended where the user asked, with its state saved.
      (result) => this.ended(job, result.status === 'finished' || result.savepointPath !== null ? 'FINISHED' : 'CANCELED', null),
      (error: unknown) => this.ended(job, 'FAILED', error),
    );
    return job;
  }

  /** Every job still known, oldest first. */
  list(): readonly SessionJob[] {
    return [...this.jobs.values()];
  }

  running(): readonly SessionJob[] {
    return this.list().filter((j) => j.status === 'RUNNING');
  }

  /**
   * `SHOW JOBS`: Flink's columns, oldest job first. Flink types `start time` as TIMESTAMP_LTZ(3), shown in
   * the session time zone (`table.local-time-zone`).
   */
  showJobs(timeZone: string): { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] } {
    const startType = Types.timestampLtz(3, false);
    return {
      columns: ['job id', 'job name', 'status', 'start time'],
      rows: this.list().map((j) => [j.id, j.name, j.status, formatValueText(j.startTime.getTime(), startType, timeZone)]),
    };
  }

  /** The job with this id; an unknown id is a user error that names the ids there are. */
  get(id: string, span?: SourceSpan): SessionJob {
    const job = this.jobs.get(id.trim().toLowerCase());
    if (job !== undefined) return job;
    const known = this.list().map((j) => `${j.id} (${j.name}, ${j.status})`);
    throw userError('JOB.NOT_FOUND', `no job with id '${id}' in this session`, {
      span,
      notes: [known.length === 0 ? 'no job has been started in this session' : `known jobs: ${known.join('; ')}`],
      help: 'SHOW JOBS; lists the jobs with their ids',
    });
  }

  /**
   * Stops a running job: with a savepoint (resolving to its folder, which `execution.savepoint.path`
   * restores) or by cancelling it (resolving to null). When the savepoint fails the job keeps running and
   * the error is thrown.
   */
  async stop(id: string, options: { readonly savepoint: boolean; readonly drain: boolean; readonly span?: SourceSpan }): Promise<string | null> {
    const job = this.get(id, options.span);
    if (job.status !== 'RUNNING') {
      throw userError('JOB.NOT_RUNNING', `job ${job.id} (${job.name}) is ${job.status}; only a RUNNING job can be stopped`, { span: options.span });
    }
    if (this.stopping.has(job.id)) throw userError('JOB.ALREADY_STOPPING', `job ${job.id} (${job.name}) is already being stopped`, { span: options.span });
    if (options.drain && !options.savepoint) {
      throw userError('JOB.DRAIN_WITHOUT_SAVEPOINT', 'STOP JOB … WITH DRAIN needs WITH SAVEPOINT (as in Flink): the drained state is written to it', {
        span: options.span,
        help: `STOP JOB '${job.id}' WITH SAVEPOINT WITH DRAIN;`,
      });
    }
    if (options.savepoint) requireCheckpointing(job, options.span);
    this.stopping.add(job.id);
    try {
      if (!options.savepoint) {
        await job.handle.cancel();
        return null;
      }
      // WITH DRAIN: the sources end their input, windows and timers fire on the final watermark, and
      // the job ends FINISHED with the savepoint as its final checkpoint.
      return await job.handle.stopWithSavepoint({ drain: options.drain });
    } finally {
      this.stopping.delete(job.id);
    }
  }

  /** Cancels every running job and waits until they stopped; returns the jobs it cancelled. */
  async cancelAll(): Promise<readonly SessionJob[]> {
    const running = this.running();
    await Promise.all(running.map((j) => j.handle.cancel()));
    return running;
  }

  private ended(job: MutableJob, status: SessionJobStatus, error: unknown): void {
    job.status = status;
    job.error = error;
    const ended = this.list().filter((j) => j.status !== 'RUNNING');
    for (let i = 0; i < ended.length - ENDED_JOBS_KEPT; i++) this.jobs.delete(ended[i]!.id);
  }
}

/** A savepoint needs the job to checkpoint; say so before asking the runtime, naming the job and the keys. */
function requireCheckpointing(job: SessionJob, span: SourceSpan | undefined): void {
  if (readCheckpointSettings(job.spec.config, job.spec.name) !== null) return;
  const batch = (readOption(job.spec.config, 'execution.runtime-mode') ?? '').trim().toLowerCase() === 'batch';
  throw userError(
    'JOB.SAVEPOINT_NEEDS_CHECKPOINTING',
    batch
      ? `job ${job.id} (${job.name}) runs in batch mode, which takes no savepoints; the job keeps running`
      : `job ${job.id} (${job.name}) was started without checkpointing, so it cannot take a savepoint; the job keeps running`,
    {
      span,
      help: batch
        ? `STOP JOB '${job.id}'; cancels it`
        : `STOP JOB '${job.id}'; cancels it. For savepoints, SET 'execution.checkpointing.interval' and 'execution.checkpointing.dir' before starting the job`,
    },
  );
}

/** Re-throws a FloeError that has no span with the statement's span, so the CLI can point at it. */
export function withSpan(e: unknown, span: SourceSpan): unknown {
  if (e instanceof FloeError && !e.span) return new FloeError(e.kind, e.code, e.message, { span, notes: e.notes, help: e.help });
  return e;
}
