/**
 * The checkpoint and restart settings of a job, read once from `JobSpec.config` with Flink's keys (declared
 * in the common option registry, where their defaults live).
 *
 * Checkpointing is on when the job runs in streaming mode and `execution.checkpointing.interval` is set;
 * it then needs `execution.checkpointing.dir`. Batch jobs are never checkpointed (as in Flink: a failed
 * batch job reruns from its bounded input).
 */
import { parseDurationMs, readOption, unsupported, userError } from '../common/index.js';

export interface CheckpointSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly tolerableFailures: number;
  readonly numRetained: number;
  /** `execution.checkpointing.incremental`: keyed state snapshots build on the previous checkpoint. */
  readonly incremental: boolean;
  /** The store URI (`execution.checkpointing.dir`). */
  readonly dir: string;
  /** The job's folder under `dir`: `pipeline.name` (or the job name), made safe as one path segment. */
  readonly jobFolder: string;
}

export type RestartStrategy =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | {
      readonly kind: 'exponential-delay';
      readonly initialMs: number;
      readonly maxMs: number;
      readonly multiplier: number;
      readonly resetAfterMs: number;
      readonly attempts: number;
    }
  | { readonly kind: 'failure-rate'; readonly maxFailures: number; readonly intervalMs: number; readonly delayMs: number };

type Config = Readonly<Record<string, string>>;

/** Null when checkpointing is off. */
export function readCheckpointSettings(config: Config, jobName: string): CheckpointSettings | null {
  const get = (key: string): string | null => readOption(config, key);
  if ((get('execution.runtime-mode') ?? 'streaming').trim().toLowerCase() === 'batch') return null;
  const interval = get('execution.checkpointing.interval');
  if (interval === null || interval.trim() === '') return null;
  const intervalMs = duration(config, 'execution.checkpointing.interval');
  if (intervalMs <= 0) return null; // Flink: a non-positive interval disables periodic checkpoints
  const dir = get('execution.checkpointing.dir');
  if (dir === null || dir.trim() === '') {
    throw userError('CONFIG.CHECKPOINT_DIR_MISSING', "checkpointing is on ('execution.checkpointing.interval') but 'execution.checkpointing.dir' is not set", {
      help: "SET 'execution.checkpointing.dir' = 'file:///path/to/checkpoints';",
    });
  }
  const concurrent = int(config, 'execution.checkpointing.max-concurrent-checkpoints', 1);
  if (concurrent !== 1) {
    throw unsupported('CONFIG.CONCURRENT_CHECKPOINTS', `'execution.checkpointing.max-concurrent-checkpoints' = ${concurrent}: Floe aligns one checkpoint at a time; use 1`);
  }
  return {
    intervalMs,
    timeoutMs: duration(config, 'execution.checkpointing.timeout'),
    minPauseMs: duration(config, 'execution.checkpointing.min-pause'),
    tolerableFailures: int(config, 'execution.checkpointing.tolerable-failed-checkpoints', 0),
    numRetained: int(config, 'execution.checkpointing.num-retained', 1),
    incremental: bool(config, 'execution.checkpointing.incremental'),
    dir: dir.trim(),
    jobFolder: jobFolderName(get('pipeline.name') ?? jobName),
  };
}

/** A job name as one safe object-key segment (kept readable: `nexmark_q5`, `insert-into_sink`). */
export function jobFolderName(name: string): string {
  const safe = name.trim().replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return safe === '' ? 'job' : safe.slice(0, 120);
}

/**
 * Flink's rule: without `restart-strategy.type`, a job with checkpointing restarts (fixed-delay, effectively
 * unbounded attempts, 1 s delay) and a job without fails at once.
 */
export function readRestartStrategy(config: Config, checkpointing: boolean): RestartStrategy {
  const type = (readOption(config, 'restart-strategy.type') ?? (checkpointing ? 'fixed-delay' : 'none')).trim().toLowerCase();
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return { kind: 'none' };
    case 'fixed-delay':
    case 'fixeddelay':
      return { kind: 'fixed-delay', attempts: int(config, 'restart-strategy.fixed-delay.attempts', 0), delayMs: duration(config, 'restart-strategy.fixed-delay.delay') };
    case 'exponential-delay':
    case 'exponentialdelay': {
      const multiplier = Number(readOption(config, 'restart-strategy.exponential-delay.backoff-multiplier'));
      if (!(multiplier >= 1)) throw badValue('restart-strategy.exponential-delay.backoff-multiplier', String(multiplier), 'a number >= 1');
      return {
        kind: 'exponential-delay',
        initialMs: duration(config, 'restart-strategy.exponential-delay.initial-backoff'),
        maxMs: duration(config, 'restart-strategy.exponential-delay.max-backoff'),
        multiplier,
        resetAfterMs: duration(config, 'restart-strategy.exponential-delay.reset-backoff-threshold'),
        attempts: int(config, 'restart-strategy.exponential-delay.attempts-before-reset-backoff', 0),
      };
    }
    case 'failure-rate':
    case 'failurerate':
      return {
        kind: 'failure-rate',
        maxFailures: int(config, 'restart-strategy.failure-rate.max-failures-per-interval', 1),
        intervalMs: duration(config, 'restart-strategy.failure-rate.failure-rate-interval'),
        delayMs: duration(config, 'restart-strategy.failure-rate.delay'),
      };
    default:
      throw badValue('restart-strategy.type', type, 'none, fixed-delay, exponential-delay or failure-rate');
  }
}

/**
 * Decides restarts: `next(now)` returns the delay before the next attempt, or null when the strategy is
 * exhausted. `succeededFor(ms)` tells it how long the last attempt ran (exponential-delay resets).
 */
export class RestartPolicy {
  private failures: number[] = [];
  private restarts = 0;
  private backoff = 0;

  constructor(private readonly strategy: RestartStrategy) {}

  next(now: number, ranForMs: number): number | null {
    const s = this.strategy;
    switch (s.kind) {
      case 'none':
        return null;
      case 'fixed-delay':
        if (this.restarts >= s.attempts) return null;
        this.restarts++;
        return s.delayMs;
      case 'exponential-delay':
        if (ranForMs >= s.resetAfterMs) {
          this.backoff = 0;
          this.restarts = 0;
        }
        if (this.restarts >= s.attempts) return null;
        this.restarts++;
        this.backoff = this.backoff === 0 ? s.initialMs : Math.min(s.maxMs, this.backoff * s.multiplier);
        return this.backoff;
      case 'failure-rate':
        this.failures = this.failures.filter((t) => now - t < s.intervalMs);
        this.failures.push(now);
        if (this.failures.length > s.maxFailures) return null;
        return s.delayMs;
    }
  }
}

function duration(config: Config, key: string): number {
  const text = readOption(config, key) ?? '0 ms';
  const ms = parseDurationMs(text);
  if (ms === null) throw badValue(key, text, "a duration such as '10 s'");
  return ms;
}

function int(config: Config, key: string, min: number): number {
  const text = readOption(config, key) ?? '';
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < min) throw badValue(key, text, `an integer >= ${min}`);
  return n;
}

function bool(config: Config, key: string): boolean {
  const text = (readOption(config, key) ?? 'false').trim().toLowerCase();
  if (text !== 'true' && text !== 'false') throw badValue(key, text, "'true' or 'false'");
  return text === 'true';
}

function badValue(key: string, text: string, expected: string) {
  return userError('CONFIG.BAD_VALUE', `bad value '${text}' for '${key}': expected ${expected}`);
}
