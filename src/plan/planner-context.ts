/**
 * What the planner needs from the session: the catalogs, the effective configuration, the directory that
 * relative paths in the script resolve against, and a sink for warnings (deprecated options and the like).
 */
import { userError } from '../common/index.js';
import type { CatalogManager } from '../catalog/index.js';

export interface PlannerContext {
  readonly catalogs: CatalogManager;
  readonly config: Readonly<Record<string, string>>;
  readonly baseDir: string;
  warn(message: string): void;
}

export type RuntimeMode = 'streaming' | 'batch';

export function runtimeMode(config: Readonly<Record<string, string>>): RuntimeMode {
  const raw = (config['execution.runtime-mode'] ?? 'streaming').trim().toLowerCase();
  if (raw === 'streaming' || raw === 'batch') return raw;
  if (raw === 'automatic') return 'streaming';
  throw userError('PLAN.BAD_CONFIG', `'execution.runtime-mode' must be 'streaming' or 'batch', got '${raw}'`);
}

/** `parallelism.default` (default 1). */
export function defaultParallelism(config: Readonly<Record<string, string>>): number {
  const raw = config['parallelism.default'];
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1) throw userError('PLAN.BAD_CONFIG', `'parallelism.default' must be a positive integer, got '${raw}'`);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60000, m: 60000, minute: 60000, minutes: 60000,
  h: 3600000, hour: 3600000, hours: 3600000,
  d: 86400000, day: 86400000, days: 86400000,
};

/** Flink duration syntax (`10 s`, `1h`, `500`, `2 min`) in milliseconds. */
export function parseDurationMs(key: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  const unit = m ? DURATION_UNITS[(m[2] ?? '').toLowerCase() || 'ms'] : undefined;
  if (!m || unit === undefined) throw userError('PLAN.BAD_CONFIG', `'${key}' must be a duration like '10 s' or '1 h', got '${raw}'`);
  return Math.round(Number(m[1]) * unit);
}

/** `table.exec.state.ttl` in ms (0 = keep state forever). */
export function stateTtlMs(config: Readonly<Record<string, string>>): number {
  const raw = config['table.exec.state.ttl'];
  return raw === undefined || raw.trim() === '' ? 0 : parseDurationMs('table.exec.state.ttl', raw);
}
