/**
 * The runtime's reading of a job's configuration: every knob the task runtime obeys, parsed once per job
 * (coordinator and every worker parse the same `JobSpec.config`, so they agree).
 *
 * Every key is declared in the common option registry (`src/common/config.ts`) and read through
 * `readOption`, so its default lives there.
 */
import { parseDurationMs, readOption, userError } from '../common/index.js';
import { DEFAULT_MAX_PARALLELISM } from '../state/index.js';

export interface RuntimeConfig {
  /** `pipeline.max-parallelism`: number of key groups. */
  readonly maxParallelism: number;
  /** `execution.worker-threads` if set, else null (the coordinator picks cores capped by parallelism). */
  readonly workerThreads: number | null;
  /** `execution.worker-threads.force`: run in worker threads even when one thread would do. */
  readonly forceWorkerThreads: boolean;
  /** `execution.buffer-timeout` in ms: the longest a partly filled outgoing batch waits. 0 = send every batch at once. */
  readonly bufferTimeoutMs: number;
  /** `execution.buffer-min-rows`: outgoing batches with fewer rows are coalesced (until this many rows or the timeout). */
  readonly bufferMinRows: number;
  /** `taskmanager.network.max-buffers-per-channel`: credits per exchange channel (batches in flight). */
  readonly maxBuffersPerChannel: number;
  /** `execution.metrics.interval` in ms: how often workers report metrics to the coordinator. */
  readonly metricsIntervalMs: number;
  /** `execution.log.level`: lowest `ctx.log` level written to stderr. */
  readonly logLevel: LogLevel;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function readRuntimeConfig(config: Readonly<Record<string, string>>): RuntimeConfig {
  const get = (key: string): string | null => readOption(config, key);
  const workers = get('execution.worker-threads');
  const level = (get('execution.log.level') ?? 'warn').trim().toLowerCase();
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw userError('CONFIG.BAD_VALUE', `bad value '${level}' for 'execution.log.level': expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    maxParallelism: intOption('pipeline.max-parallelism', get('pipeline.max-parallelism'), DEFAULT_MAX_PARALLELISM, 1),
    workerThreads: workers === null || workers.trim() === '' ? null : intOption('execution.worker-threads', workers, 1, 1),
    forceWorkerThreads: boolOption('execution.worker-threads.force', get('execution.worker-threads.force')),
    bufferTimeoutMs: durationOption('execution.buffer-timeout', get('execution.buffer-timeout'), 100),
    bufferMinRows: intOption('execution.buffer-min-rows', get('execution.buffer-min-rows'), 256, 0),
    maxBuffersPerChannel: intOption('taskmanager.network.max-buffers-per-channel', get('taskmanager.network.max-buffers-per-channel'), 8, 1),
    metricsIntervalMs: Math.max(10, durationOption('execution.metrics.interval', get('execution.metrics.interval'), 200)),
    logLevel: level as LogLevel,
  };
}

function intOption(key: string, text: string | null, fallback: number, min: number): number {
  if (text === null) return fallback;
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < min) {
    throw userError('CONFIG.BAD_VALUE', `bad value '${text}' for '${key}': expected an integer >= ${min}`);
  }
  return n;
}

function boolOption(key: string, text: string | null): boolean {
  if (text === null) return false;
  const t = text.trim().toLowerCase();
  if (t !== 'true' && t !== 'false') throw userError('CONFIG.BAD_VALUE', `bad value '${text}' for '${key}': expected true or false`);
  return t === 'true';
}

function durationOption(key: string, text: string | null, fallback: number): number {
  if (text === null) return fallback;
  const ms = parseDurationMs(text);
  if (ms === null) throw userError('CONFIG.BAD_VALUE', `bad value '${text}' for '${key}': expected a duration such as '100 ms'`);
  return ms;
}
