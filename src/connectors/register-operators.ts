/**
 * Registers the connector operators (spec types `source` and `sink`) in an operator registry. The
 * connector is looked up by the spec's `connector` name when the operator is built.
 */
import type { OperatorRegistry } from '../runtime/index.js';
import type { SinkSpec, SourceSpec } from '../spec/index.js';
import { getSinkConnector, getSourceConnector } from './connector-registry.js';
import { ScanOperator } from './scan-operator.js';
import { SinkOperator } from './sink-operator.js';

export function registerConnectorOperators(registry: OperatorRegistry): void {
  registry.register('source', (spec, node) => {
    const s = spec as SourceSpec;
    return new ScanOperator(s, node, getSourceConnector(s.connector));
  });
  registry.register('sink', (spec, node) => {
    const s = spec as SinkSpec;
    return new SinkOperator(s, node, getSinkConnector(s.connector));
  });
}
