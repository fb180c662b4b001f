/** Bootstrap module for runtime tests: registers the test operators (see test-operators.ts). */
import type { OperatorRegistry } from '../operator.js';
import { registerTestOperators } from './test-operators.js';

export function register(registry: OperatorRegistry): void {
  registerTestOperators(registry);
}
