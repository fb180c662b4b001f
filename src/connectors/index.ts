export type {
  ConnectorOption,
  ConnectorContext,
  SourceSplit,
  SplitReader,
  SplitPosition,
  SourceCheckpointListener,
  SinkWriter,
  SinkContext,
  SourceConnector,
  SinkConnector,
} from './connector.js';
export {
  getSourceConnector,
  getSinkConnector,
  listConnectors,
  validateConnectorOptions,
  COLLECT_CONNECTOR,
} from './connector-registry.js';
export type { ConnectorInfo } from './connector-registry.js';
export { normalizeLegacyOptions } from './legacy-options.js';
export type { NormalizedOptions } from './legacy-options.js';
export { registerConnectorOperators } from './register-operators.js';
export { ScanOperator, DEFAULT_BATCH_SIZE, batchSizeFrom, idleTimeoutFrom } from './scan-operator.js';
export { SinkOperator } from './sink-operator.js';
export type { CollectMessage } from './collect-sink.js';
export { VALUES_CONNECTOR } from './values-source.js';
export { MEMORY_CONNECTOR, registerMemoryDataset, unregisterMemoryDataset } from './memory-source.js';
export { formatPrintRow, printPrefix } from './print-sink.js';
export { DEFAULT_NEXMARK_BASE_TIME } from './nexmark/nexmark-source.js';
export { PAIMON_CONNECTOR, PATH_OPTION as PAIMON_PATH_OPTION, SYSTEM_TABLE_OPTION as PAIMON_SYSTEM_TABLE_OPTION, checkCreateOptions as checkPaimonCreateOptions } from './paimon/paimon-options.js';
export { SYSTEM_TABLE_TYPES as PAIMON_SYSTEM_TABLE_TYPES, isSystemTableName as isPaimonSystemTableName } from './paimon/paimon-system-tables.js';
export type { SystemTableName as PaimonSystemTableName } from './paimon/paimon-system-tables.js';
export { resolveScanSnapshot as resolvePaimonScanSnapshot } from './paimon/paimon-source.js';
export type { PaimonCommittable } from './paimon/paimon-sink.js';
export { COMMITTABLE_TYPE as PAIMON_COMMITTABLE_TYPE } from './paimon/paimon-committable.js';
