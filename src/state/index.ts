export { keyGroupRangeForSubtask, subtaskForKeyGroup } from './state-api.js';
export type {
  StateKey,
  StateDescriptor,
  ValueState,
  MapState,
  ListState,
  KeyedStateBackend,
  KeyGroupRange,
} from './state-api.js';
export { encodeValue, encodeKey, encodeBatchKeys, murmur3String, keyGroupOf, DEFAULT_MAX_PARALLELISM } from './key-codec.js';
export { createHeapKeyedStateBackend } from './heap-backend.js';
export type { HeapKeyedStateBackendOptions } from './heap-backend.js';
