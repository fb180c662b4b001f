/**
 * The configuration-option registry: every session/job option Floe understands, declared once with its
 * Flink key, type, default and description. `SET` and `-D` validate against it (an unknown key is an
 * error with a did-you-mean), `SET` without arguments and the docs list it, and code reads options through
 * `readOption` so the default lives in one place.
 *
 * Connector options (`WITH (…)`) are declared by each connector, not here.
 */
import { userError } from './errors.js';
import { closestMatch } from './strings.js';

export type OptionType = 'string' | 'int' | 'boolean' | 'duration' | 'enum' | 'memory';

export interface ConfigOption {
  readonly key: string;
  readonly type: OptionType;
  readonly default: string | null;
  readonly enumValues?: readonly string[];
  readonly description: string;
  /** Accepted for compatibility with Flink scripts but without effect in Floe; says why. */
  readonly noEffect?: string;
}

const OPTIONS: readonly ConfigOption[] = [
  { key: 'execution.runtime-mode', type: 'enum', enumValues: ['streaming', 'batch'], default: 'streaming', description: 'Streaming emits incremental changes; batch requires bounded sources and emits final results only.' },
  { key: 'parallelism.default', type: 'int', default: '1', description: 'Parallelism of sources, keyed operators and sinks unless an operator needs 1.' },
  { key: 'pipeline.name', type: 'string', default: null, description: 'Name of the job started by the next INSERT / statement set.' },
  { key: 'pipeline.max-parallelism', type: 'int', default: '128', description: 'Number of key groups; the upper bound for rescaling keyed state.' },
  { key: 'execution.batch-size', type: 'int', default: '4096', description: 'Rows per record batch cut by sources.' },
  { key: 'execution.buffer-timeout', type: 'duration', default: '100 ms', description: 'Longest time a partly filled batch waits before it is sent downstream.' },
  { key: 'execution.worker-threads', type: 'int', default: null, description: 'Worker threads that host subtasks; default: available cores, at most the job parallelism. 1 runs in the calling thread.' },
  { key: 'execution.worker-threads.force', type: 'boolean', default: 'false', description: 'Host subtasks in worker threads even when the job would run in the calling thread (parallelism 1 or execution.worker-threads = 1).' },
  { key: 'execution.buffer-min-rows', type: 'int', default: '256', description: 'Outgoing exchange batches with fewer rows are coalesced until this many rows, a control message or execution.buffer-timeout; 0 disables coalescing.' },
  { key: 'execution.metrics.interval', type: 'duration', default: '200 ms', description: 'How often worker threads report metrics to the job client.' },
  { key: 'execution.log.level', type: 'enum', enumValues: ['debug', 'info', 'warn', 'error'], default: 'warn', description: 'Lowest level of operator log lines written to stderr.' },
  { key: 'taskmanager.network.max-buffers-per-channel', type: 'int', default: '8', description: 'Batches in flight per exchange channel before the producer waits (backpressure).' },
  { key: 'table.exec.state.ttl', type: 'duration', default: '0 ms', description: 'Idle state retention for stateful operators; 0 keeps state forever.' },
  { key: 'table.exec.window-agg.buffer-size-limit', type: 'int', default: '100000', description: 'Window aggregation pre-aggregates (key, slice) accumulators in memory; at this many the buffer moves into keyed state.' },
  { key: 'table.exec.source.idle-timeout', type: 'duration', default: '0 ms', description: 'A source split without data for this long is marked idle and holds no watermark back; 0 disables.' },
  { key: 'pipeline.auto-watermark-interval', type: 'duration', default: '200 ms', description: 'Watermark emission interval.', noEffect: 'Floe emits watermarks after every source batch.' },
  { key: 'table.local-time-zone', type: 'string', default: 'UTC', description: 'Time zone for TIMESTAMP_LTZ display and conversions (IANA name or fixed offset).' },
  { key: 'table.dml-sync', type: 'boolean', default: 'true', description: 'Wait for each INSERT job to finish before the next statement (bounded input).' },
  { key: 'sql-client.execution.result-mode', type: 'enum', enumValues: ['table', 'changelog', 'tableau'], default: 'table', description: 'How the SQL client shows SELECT results.' },
  { key: 'floe.udf.class-bindings', type: 'string', default: '', description: "Binds Java UDF class names to JS implementations: 'com.x.Cls=file:./f.js#fn;com.y.D=builtin:name'." },
  { key: 'table.exec.mini-batch.enabled', type: 'boolean', default: 'false', description: 'Flink mini-batch aggregation.', noEffect: 'Floe always processes and emits per record batch.' },
  { key: 'table.exec.mini-batch.allow-latency', type: 'duration', default: '0 ms', description: 'Flink mini-batch latency.', noEffect: 'see execution.buffer-timeout.' },
  { key: 'table.exec.mini-batch.size', type: 'int', default: '-1', description: 'Flink mini-batch size.', noEffect: 'see execution.batch-size.' },
  { key: 'table.optimizer.distinct-agg.split.enabled', type: 'boolean', default: 'false', description: 'Flink split-distinct optimisation.', noEffect: 'not implemented yet.' },
  { key: 'table.exec.sink.not-null-enforcer', type: 'enum', enumValues: ['ERROR', 'DROP'], default: 'ERROR', description: 'What a sink does with NULL in a NOT NULL column.' },
  { key: 'state.backend.type', type: 'enum', enumValues: ['heap', 'hashmap', 'lsm'], default: 'heap', description: 'Keyed state backend.' },
  { key: 'state.backend.lsm.primary-dir', type: 'string', default: null, description: "Where the lsm backend keeps its SST files (the primary copy of keyed state): a path, file:///path, memory://name or s3://bucket/prefix. Default: <execution.checkpointing.dir>/<job>/lsm when checkpointing, else a temp folder." },
  { key: 'state.backend.lsm.memtable-size', type: 'memory', default: '8mb', description: 'Estimated memtable size per operator subtask at which the lsm backend flushes it to a new SST file (the flush encodes synchronously: about 0.5 s per 16 MB).' },
  { key: 'state.backend.lsm.block-size', type: 'memory', default: '4kb', description: 'Target size of an SST data block (the unit of a remote read and of the memory cache; point lookups read one block, so small blocks read less).' },
  { key: 'state.backend.lsm.cache.memory-size', type: 'memory', default: '64mb', description: 'Memory cache of decoded SST blocks, shared by the lsm backends of the process (LRU by bytes); 0 disables it.' },
  { key: 'state.backend.lsm.cache.index-size', type: 'memory', default: '64mb', description: 'Memory cache of SST file indexes and bloom filters, shared by the lsm backends of the process (LRU by bytes). An index has one entry per data block, so it grows with the state; an evicted one is read again (two ranged reads) when its file is next used.' },
  { key: 'state.backend.lsm.cache.disk-size', type: 'memory', default: '0', description: 'Local disk cache of whole SST files, shared by the lsm backends of the process; 0 disables it.' },
  { key: 'state.backend.lsm.cache.disk-dir', type: 'string', default: null, description: 'Folder of the lsm disk cache; default a folder under the OS temp dir, removed at exit.' },
  { key: 'state.backend.lsm.io-parallelism', type: 'int', default: '16', description: 'Concurrent reads an lsm backend issues to the primary store.' },
  { key: 'state.backend.lsm.compaction.trigger', type: 'int', default: '4', description: 'Similar-sized SST runs that trigger a size-tiered compaction.' },
  { key: 'state.backend.lsm.retained-snapshots', type: 'int', default: null, description: 'Snapshots whose SST files an lsm backend keeps (newest first). Default: execution.checkpointing.num-retained + tolerable failed checkpoints + 1.' },
  { key: 'execution.checkpointing.interval', type: 'duration', default: null, description: 'Take a checkpoint this often (streaming jobs); unset disables periodic checkpoints.' },
  { key: 'execution.checkpointing.dir', type: 'string', default: null, description: "Where checkpoints are kept: a path, file:///path or memory://name; one folder per job under it, named after 'pipeline.name'." },
  { key: 'execution.checkpointing.timeout', type: 'duration', default: '10 min', description: 'A checkpoint not complete after this long is aborted (and counts as failed).' },
  { key: 'execution.checkpointing.min-pause', type: 'duration', default: '0 ms', description: 'Least time between the end of one checkpoint and the start of the next.' },
  { key: 'execution.checkpointing.max-concurrent-checkpoints', type: 'int', default: '1', description: 'Checkpoints in flight at once. Floe aligns one checkpoint at a time, so only 1 is accepted.' },
  { key: 'execution.checkpointing.tolerable-failed-checkpoints', type: 'int', default: '0', description: 'Consecutive failed (aborted or timed out) checkpoints tolerated before the job fails.' },
  { key: 'execution.checkpointing.incremental', type: 'boolean', default: 'false', description: 'Checkpoints of the heap state backend write only the keys changed since the previous checkpoint and share its files (savepoints stay full). The lsm backend is always incremental.' },
  { key: 'execution.checkpointing.num-retained', type: 'int', default: '1', description: 'Completed checkpoints kept; older ones are deleted.' },
  { key: 'execution.checkpointing.mode', type: 'enum', enumValues: ['EXACTLY_ONCE'], default: 'EXACTLY_ONCE', description: 'Barriers are always aligned (exactly-once); AT_LEAST_ONCE is not offered.' },
  { key: 'execution.savepoint.path', type: 'string', default: null, description: 'Start the next job from this checkpoint or savepoint (a chk-N or savepoint folder, or a job folder: its latest complete checkpoint).' },
  { key: 'execution.savepoint.ignore-unclaimed-state', type: 'boolean', default: 'false', description: 'Allow a restore that leaves state of an operator the new job does not have.' },
  { key: 'restart-strategy.type', type: 'enum', enumValues: ['none', 'disable', 'off', 'fixed-delay', 'fixeddelay', 'exponential-delay', 'exponentialdelay', 'failure-rate', 'failurerate'], default: null, description: 'What a task failure does: none fails the job; the others restart it from the latest checkpoint. Default: fixed-delay when checkpointing is on, else none.' },
  { key: 'restart-strategy.fixed-delay.attempts', type: 'int', default: '2147483647', description: 'Restarts before the job fails (fixed-delay).' },
  { key: 'restart-strategy.fixed-delay.delay', type: 'duration', default: '1 s', description: 'Wait before each restart (fixed-delay).' },
  { key: 'restart-strategy.exponential-delay.initial-backoff', type: 'duration', default: '1 s', description: 'First wait (exponential-delay).' },
  { key: 'restart-strategy.exponential-delay.max-backoff', type: 'duration', default: '1 min', description: 'Longest wait (exponential-delay).' },
  { key: 'restart-strategy.exponential-delay.backoff-multiplier', type: 'string', default: '1.5', description: 'Growth of the wait per restart (exponential-delay).' },
  { key: 'restart-strategy.exponential-delay.reset-backoff-threshold', type: 'duration', default: '1 h', description: 'Running this long without failure resets the wait (exponential-delay).' },
  { key: 'restart-strategy.exponential-delay.attempts-before-reset-backoff', type: 'int', default: '2147483647', description: 'Restarts before the job fails (exponential-delay).' },
  { key: 'restart-strategy.failure-rate.max-failures-per-interval', type: 'int', default: '1', description: 'Failures tolerated per interval (failure-rate).' },
  { key: 'restart-strategy.failure-rate.failure-rate-interval', type: 'duration', default: '1 min', description: 'The interval failures are counted in (failure-rate).' },
  { key: 'restart-strategy.failure-rate.delay', type: 'duration', default: '1 s', description: 'Wait before each restart (failure-rate).' },
  { key: 's3.endpoint', type: 'string', default: null, description: 'URL of an S3-compatible service for s3:// locations (e.g. http://127.0.0.1:7480); default: AWS_ENDPOINT_URL, else AWS S3.' },
  { key: 's3.access-key', type: 'string', default: null, description: 'Access key id for s3:// locations; default: AWS_ACCESS_KEY_ID, else the AWS SDK credential chain.' },
  { key: 's3.secret-key', type: 'string', default: null, description: 'Secret access key for s3:// locations; default: AWS_SECRET_ACCESS_KEY.' },
  { key: 's3.region', type: 'string', default: 'us-east-1', description: 'Signing region for s3:// locations; default: AWS_REGION, else us-east-1.' },
  { key: 's3.path.style.access', type: 'boolean', default: null, description: 'Address buckets as endpoint/bucket rather than bucket.endpoint; default: true when an endpoint is set (s3.endpoint or AWS_ENDPOINT_URL).' },
];

const BY_KEY = new Map(OPTIONS.map((o) => [o.key, o]));

export function listConfigOptions(): readonly ConfigOption[] {
  return OPTIONS;
}

export function findConfigOption(key: string): ConfigOption | undefined {
  return BY_KEY.get(key);
}

/** Checks keys and values; throws a FloeError naming the key and what was expected. */
export function validateConfig(config: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(config)) {
    const option = BY_KEY.get(key);
    if (!option) {
      const guess = closestMatch(key, OPTIONS.map((o) => o.key));
      throw userError('CONFIG.UNKNOWN_KEY', `unknown configuration key '${key}'`, {
        ...(guess ? { help: `did you mean '${guess}'?` } : {}),
      });
    }
    const problem = checkValue(option, value);
    if (problem) throw userError('CONFIG.BAD_VALUE', `bad value '${value}' for '${key}': expected ${problem}`);
  }
}

function checkValue(option: ConfigOption, value: string): string | null {
  switch (option.type) {
    case 'int':
      return /^-?\d+$/.test(value.trim()) ? null : 'an integer';
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? null : 'true or false';
    case 'enum':
      return option.enumValues!.includes(value.trim().toLowerCase()) || option.enumValues!.includes(value.trim())
        ? null
        : `one of ${option.enumValues!.join(', ')}`;
    case 'duration':
      return parseDurationMs(value) === null ? "a duration such as '10 s', '500 ms', '1 h' or '1d'" : null;
    case 'memory':
      return parseMemoryBytes(value) === null ? "a size such as '64mb' or '2gb'" : null;
    default:
      return null;
  }
}

/** A note for `SET` output when an option is accepted without effect. */
export function describeConfigOption(key: string): string {
  const o = BY_KEY.get(key);
  return o?.noEffect ? ` (accepted for Flink compatibility; no effect: ${o.noEffect})` : '';
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, m: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Flink duration syntax: `10 s`, `500ms`, `1 h`, `2d`; a bare number is milliseconds. */
export function parseDurationMs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : DURATION_UNITS[unit];
  return factor === undefined ? null : Number(m[1]) * factor;
}

const MEMORY_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Flink memory syntax: `64mb`, `2 gb`, `0`. */
export function parseMemoryBytes(text: string): number | null {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : MEMORY_UNITS[unit];
  return factor === undefined ? null : Number(m[1]) * factor;
}

/** The value of `key` in `config`, or the option's declared default. */
export function readOption(config: Readonly<Record<string, string>> | ((key: string) => string | undefined), key: string): string | null {
  const v = typeof config === 'function' ? config(key) : config[key];
  if (v !== undefined) return v;
  return BY_KEY.get(key)?.default ?? null;
}
