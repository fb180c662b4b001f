/**
 * Registers the connector operators (spec types `source` and `sink`, and the Paimon sink's `lake-*`
 * operators) in an operator registry. The
 * connector is looked up by the spec's `connector` name when the operator is built. The lookup join
 * (`lookup-join`) is registered here too: it reads its dimension table through a source connector.
 */
import type { OperatorRegistry } from '../runtime/index.js';
import { LookupJoinOperator } from '../operators/index.js';
import type { LakeBucketAssignSpec, LakeCommitterSpec, LakeWriterSpec, LookupJoinSpec, SinkSpec, SourceSpec } from '../spec/index.js';
import { unsupported } from '../common/index.js';
import { getSinkConnector, getSourceConnector } from './connector-registry.js';
import { loadLookupTable } from './lookup-table-loader.js';
import { ScanOperator } from './scan-operator.js';
import { SinkOperator } from './sink-operator.js';
import { PaimonBucketAssignOperator } from './paimon/paimon-bucket-assign-operator.js';
import { PaimonCommitterOperator } from './paimon/paimon-committer-operator.js';
import { PaimonWriterOperator } from './paimon/paimon-writer-operator.js';

export function registerConnectorOperators(registry: OperatorRegistry): void {
  registry.register('source', (spec, node) => {
    const s = spec as SourceSpec;
    return new ScanOperator(s, node, getSourceConnector(s.connector));
  });
  registry.register('sink', (spec, node) => {
    const s = spec as SinkSpec;
    return new SinkOperator(s, node, getSinkConnector(s.connector));
  });
  // The Paimon sink topology (parallel writers, one committer): src/spec/lake-sink-specs.ts.
  registry.register('lake-bucket-assign', (spec) => new PaimonBucketAssignOperator(spec as LakeBucketAssignSpec));
  registry.register('lake-writer', (spec) => new PaimonWriterOperator(spec as LakeWriterSpec));
  registry.register('lake-committer', (spec) => new PaimonCommitterOperator(spec as LakeCommitterSpec));
  registry.register('lookup-join', (spec, node) => {
    const s = spec as LookupJoinSpec;
    if (s.version !== 1) {
      throw unsupported('OPERATOR.UNSUPPORTED_SPEC_VERSION', `operator 'lookup-join' spec version ${String(s.version)} is not supported by this Floe (node ${node.id} ${node.name}); it reads version 1`);
    }
    return new LookupJoinOperator(s, loadLookupTable);
  });
}
