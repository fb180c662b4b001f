/**
 * A Paimon warehouse (filesystem catalog layout): `<root>/<database>.db/<table>/schema/schema-N`.
 * Databases and tables are found by listing the store, so this works the same on S3.
 */
import type { ObjectStore } from '../storage/index.js';
import { openPaimonTable, type OpenPaimonTableOptions, type PaimonTable } from './paimon-table.js';
import { joinKey } from './paimon-paths.js';

/** What one listing of a warehouse shows: its databases and, per table, the key of its latest schema file. */
export interface WarehouseLayout {
  /** Sorted database names. */
  readonly databases: readonly string[];
  /** Database → table → key (relative to the store) of the table's highest `schema/schema-N`. */
  readonly tables: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

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

  /**
   * Databases and tables with one listing of the store (a catalog refreshes its cache from this; schema
   * files are immutable, so an unchanged latest-schema key means an unchanged table definition).
   */
  async layout(): Promise<WarehouseLayout> {
    const prefix = this.root === '' ? '' : this.root.replace(/\/+$/, '') + '/';
    const dbs = new Set<string>();
    const tables = new Map<string, Map<string, { id: number; key: string }>>();
    for (const key of await this.keys()) {
      const parts = key.split('/');
      const first = parts[0]!;
      if (!first.endsWith('.db') || first.length <= 3 || parts.length < 2) continue;
      const db = first.slice(0, -3);
      dbs.add(db);
      const m = parts.length === 4 && parts[2] === 'schema' ? /^schema-(\d+)$/.exec(parts[3]!) : null;
      if (m === null) continue;
      let byTable = tables.get(db);
      if (byTable === undefined) tables.set(db, (byTable = new Map()));
      const id = Number(m[1]);
      const seen = byTable.get(parts[1]!);
      if (seen === undefined || seen.id < id) byTable.set(parts[1]!, { id, key: prefix + key });
    }
    const out = new Map<string, Map<string, string>>();
    for (const [db, byTable] of tables) out.set(db, new Map([...byTable].map(([t, v]) => [t, v.key])));
    return { databases: [...dbs].sort(), tables: out };
  }

  /** The key prefix of a table (`<root>/<database>.db/<table>`). */
  tablePath(database: string, table: string): string {
    return joinKey(this.root.replace(/\/+$/, ''), `${database}.db`, table);
  }

  openTable(database: string, table: string, options?: OpenPaimonTableOptions): Promise<PaimonTable> {
    return openPaimonTable(this.store, joinKey(this.root.replace(/\/+$/, ''), `${database}.db`, table), options);
  }
}
