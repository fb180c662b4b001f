/**
 * Loading operator implementations: the runtime registers nothing itself. The layer that assembles a job
 * names a bootstrap module (a URL string, e.g. `import.meta.resolve('./register-operators.js')`) that
 * exports `register(registry)`; the calling thread and every worker import it to fill their registry.
 */
import { userError } from '../common/index.js';
import { OperatorRegistry } from './operator.js';

/** The shape a bootstrap module must have. */
export interface BootstrapModule {
  register(registry: OperatorRegistry): void | Promise<void>;
}

/** Imports `moduleUrl` and lets it register operator factories into a fresh registry. */
export async function loadOperatorRegistry(moduleUrl: string): Promise<OperatorRegistry> {
  let mod: Partial<BootstrapModule>;
  try {
    mod = (await import(moduleUrl)) as Partial<BootstrapModule>;
  } catch (e) {
    throw userError('RUNTIME.BOOTSTRAP_FAILED', `cannot load the operator bootstrap module '${moduleUrl}': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (typeof mod.register !== 'function') {
    throw userError('RUNTIME.BOOTSTRAP_FAILED', `the operator bootstrap module '${moduleUrl}' does not export a function 'register(registry)'`);
  }
  const registry = new OperatorRegistry();
  await mod.register(registry);
  return registry;
}
