/**
 * `CREATE CATALOG name WITH ('type' = …, …)`: the catalog implementation for a type. `generic_in_memory`
 * (the default) keeps everything in this session; `paimon` is a Paimon warehouse (`paimon-catalog.ts`).
 */
import { unsupported } from '../common/index.js';
import type { ConfigSource } from '../storage/index.js';
import type { Catalog } from './catalog.js';
import { InMemoryCatalog } from './in-memory-catalog.js';
import { PaimonCatalog } from './paimon-catalog.js';

export const CATALOG_TYPES = ['generic_in_memory', 'paimon'] as const;

/** Creates (and for storage-backed types, opens and reads) the catalog `name` from its WITH options. */
export async function createCatalog(name: string, options: Readonly<Record<string, string>>, config?: ConfigSource): Promise<Catalog> {
  const { type = 'generic_in_memory', ...rest } = options;
  switch (type) {
    case 'generic_in_memory': {
      const { 'default-database': db, ...others } = rest;
      return new InMemoryCatalog(name, db ?? 'default', others);
    }
    case 'paimon':
      return PaimonCatalog.open(name, rest, config);
    default:
      throw unsupported('PLAN.UNSUPPORTED_CATALOG', `catalog type '${type}' is not supported (supported: ${CATALOG_TYPES.join(', ')})`);
  }
}
