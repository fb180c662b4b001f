/**
 * Registers every operator and connector implementation with a runtime registry. The runtime imports this
 * module by URL in each worker thread (and in the calling thread), so that `src/runtime/` never imports the
 * layers above it.
 */
import { registerConnectorOperators } from '../connectors/index.js';
import { registerOperators } from '../operators/index.js';
import type { OperatorRegistry } from '../runtime/index.js';

export function register(registry: OperatorRegistry): void {
  registerOperators(registry);
  registerConnectorOperators(registry);
}
