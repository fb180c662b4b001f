/**
 * The lsm backend's counters as operator gauges (`state.lsm.*`), so that job metrics show how state is
 * served: remote reads and bytes, cache hits and misses, flushes, compactions, the size of the state's
 * files. Every gauge is a count or a byte size that sums meaningfully over subtasks (job metrics add the
 * subtasks' gauges up); the hit rate is derived from them by the reader:
 * `(blockCacheHits + diskCacheHits) / (blockCacheHits + blockCacheMisses)`.
 *
 * The gauges read the backend's counters, which stay readable after dispose, so the final metrics of a
 * finished job still carry them.
 */
import type { LsmKeyedStateBackend } from './lsm-backend.js';

type Stats = ReturnType<LsmKeyedStateBackend['stats']>;

/** Gauge name suffix → stats field. */
const GAUGES: readonly (readonly [string, keyof Stats])[] = [
  ['remoteReads', 'remoteReads'],
  ['remoteBytesRead', 'remoteBytesRead'],
  ['blockCacheHits', 'blockCacheHits'],
  ['blockCacheMisses', 'blockCacheMisses'],
  ['diskCacheHits', 'diskCacheHits'],
  ['diskCacheFileHits', 'diskCacheFileHits'],
  ['bytesWritten', 'bytesWritten'],
  ['flushes', 'flushes'],
  ['compactions', 'compactions'],
  ['bloomSkips', 'bloomSkips'],
  ['uploadStalls', 'uploadStalls'],
  ['indexReads', 'indexReads'],
  ['stateBytes', 'versionBytes'],
  ['peakStateBytes', 'peakVersionBytes'],
];

/** Prefix of the gauges' names. */
export const LSM_GAUGE_PREFIX = 'state.lsm.';

/** Registers the backend's gauges with `gauge` (an `OperatorMetrics.gauge`). */
export function registerLsmGauges(backend: LsmKeyedStateBackend, gauge: (name: string, read: () => number) => void): void {
  for (const [name, field] of GAUGES) gauge(LSM_GAUGE_PREFIX + name, () => backend.stats()[field]);
}
