export { keyGroupRangeForSubtask, subtaskForKeyGroup } from './state-api.js';
export type {
  StateKey,
  StateDescriptor,
  ValueState,
  MapState,
  ListState,
  KeyedStateBackend,
  KeyGroupRange,
  SnapshotOptions,
} from './state-api.js';
export { encodeValue, encodeKey, encodeBatchKeys, encodeRowKey, murmur3String, murmur3Units, keyGroupOf, DEFAULT_MAX_PARALLELISM } from './key-codec.js';
export { createHeapKeyedStateBackend } from './heap-backend.js';
export type { HeapKeyedStateBackendOptions } from './heap-backend.js';
export { restoreHeapKeyedStateBackend } from './heap-backend.js';
export { KEYED_STATE_SNAPSHOT_FORMAT } from './keyed-state-snapshot.js';
export type { KeyedStateSnapshot, SnapshotFileInfo, SnapshotStateInfo, KeyedStateKind } from './keyed-state-snapshot.js';
export { SNAPSHOT_FILE_FORMAT_VERSION } from './heap-snapshot-file.js';
export { encodeStateValue, decodeStateValue, STATE_VALUE_CODEC_VERSION } from './value-codec.js';
export { createLsmKeyedStateBackend } from './lsm/lsm-backend.js';
export { restoreLsmKeyedStateBackend, openLsmKeyedStateBackend } from './lsm/lsm-restore.js';
export type { LsmKeyedStateBackend, LsmKeyedStateBackendOptions } from './lsm/lsm-backend.js';
export { LSM_STATE_SNAPSHOT_FORMAT, isLsmStateSnapshot } from './lsm/lsm-snapshot.js';
export type { LsmStateSnapshot, LsmSnapshotFileInfo } from './lsm/lsm-snapshot.js';
export { lsmOptionsFromConfig, lsmPrimaryStore, sharedLsmCaches } from './lsm/lsm-options.js';
export type { LsmConfigContext } from './lsm/lsm-options.js';
export type { LsmStats, LsmCaches } from './lsm/sst-reader.js';
export { registerLsmGauges, LSM_GAUGE_PREFIX } from './lsm/lsm-metrics.js';
