/**
 * The contract every catalog implements (Flink's `Catalog`): databases holding tables, views and
 * functions. `CatalogManager` adds current names, temporary objects and the user-facing errors on top.
 *
 * Reads are synchronous because the binder is: a catalog backed by external storage (a Paimon warehouse)
 * serves them from a metadata cache that `refresh()` brings up to date, and the planner awaits
 * `CatalogManager.refresh()` before it binds a statement. Mutations may be asynchronous (they write to
 * storage); `CatalogManager` passes their promise on, and callers must await it.
 *
 * Methods return `false`/`undefined` for "not there" and leave error wording to the manager, which knows
 * the user's spelling; a catalog throws only for what it alone knows (an option its storage cannot
 * honour, an object kind it cannot hold).
 */
import type { CatalogBaseTable, CatalogFunction } from './catalog-objects.js';

export type MaybePromise<T> = T | Promise<T>;

export interface Catalog {
  readonly name: string;
  /** `generic_in_memory`, `paimon`, … (the `'type'` of `CREATE CATALOG`). */
  readonly type: string;
  /** The database `USE CATALOG` switches to. */
  readonly defaultDatabase: string;
  /** The catalog's `CREATE CATALOG … WITH` options (without `type`). */
  readonly options: Readonly<Record<string, string>>;

  /** Re-reads externally stored metadata so the synchronous reads below see the current state. */
  refresh?(): Promise<void>;

  /** Sorted. */
  listDatabases(): string[];
  databaseExists(name: string): boolean;
  /** True when the database holds no table, view or function (false for a missing database). */
  isDatabaseEmpty(name: string): boolean;
  /** False when it already exists. */
  createDatabase(name: string, comment: string | undefined, options: Readonly<Record<string, string>>): MaybePromise<boolean>;
  /** Drops the database and everything in it; false when it does not exist. */
  dropDatabase(name: string): MaybePromise<boolean>;

  getTable(database: string, name: string): CatalogBaseTable | undefined;
  /** Sorted. */
  listTables(database: string): string[];
  /** Creates a table or view; the manager checked that the database exists and the name is free. */
  createTable(database: string, name: string, table: CatalogBaseTable): MaybePromise<void>;
  /** Replaces the definition of an existing table (ALTER TABLE). */
  alterTable(database: string, name: string, table: CatalogBaseTable): MaybePromise<void>;
  dropTable(database: string, name: string): MaybePromise<boolean>;

  getFunction(database: string, name: string): CatalogFunction | undefined;
  putFunction(database: string, name: string, fn: CatalogFunction): void;
  dropFunction(database: string, name: string): boolean;
  /** Sorted, lower-case. */
  listFunctions(database: string): string[];
}
