/**
 * A Paimon warehouse (filesystem catalog layout): `<root>/<database>.db/<table>/schema/schema-N`.
 * Databases and tables are found by listing the store, so this works the same on S3.
 */
import type { ObjectStore } from '../storage/index.js';
import { openPaimonTable, type OpenPaimonTableOptions, type PaimonTable } from './paimon-table.js';
import { joinKey } from './paimon-paths.js';

export class PaimonWarehouse {
  /** `root` is the warehouse's key prefix in `store` ('' for the store root). */
  constructor(
    readonly store: ObjectStore,
    readonly root = '',
  ) {}

  private async keys(): Promise<string[]> {
    const prefix = this.root === '' ? '' : this.root.replace(/\/+$/, '') + '/';
    return (await this.store.list(prefix)).map((o) => o.key.slice(prefix.length));
  }

  /** Database names (directories named `<name>.db`), sorted. */
  async listDatabases(): Promise<string[]> {
    const dbs = new Set<string>();
    for (const key of await this.keys()) {
      const first = key.split('/')[0]!;
      if (first.endsWith('.db') && key.includes('/')) dbs.add(first.slice(0, -3));
    }
    return [...dbs].sort();
  }

  /** Table names of a database (directories with a `schema/schema-N` file), sorted. */
  async listTables(database: string): Promise<string[]> {
    const tables = new Set<string>();
    for (const key of await this.keys()) {
      const parts = key.split('/');
      if (parts.length === 4 && parts[0] === `${database}.db` && parts[2] === 'schema' && /^schema-\d+$/.test(parts[3]!)) tables.add(parts[1]!);
    }
    return [...tables].sort();
  }

  openTable(database: string, table: string, options?: OpenPaimonTableOptions): Promise<PaimonTable> {
    return openPaimonTable(this.store, joinKey(this.root.replace(/\/+$/, ''), `${database}.db`, table), options);
  }
}
