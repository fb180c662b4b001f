/**
 * An in-memory catalog (Flink's `GenericInMemoryCatalog`): databases holding tables, views and functions.
 * It knows nothing about "current" names or temporary objects; `CatalogManager` adds those. Methods return
 * `false`/`undefined` for "not there" and leave error wording to the manager, which knows the user's spelling.
 */
import { internalError } from '../common/index.js';
import type { Catalog } from './catalog.js';
import type { CatalogBaseTable, CatalogFunction } from './catalog-objects.js';

export interface CatalogDatabase {
  readonly comment: string | undefined;
  readonly options: Readonly<Record<string, string>>;
  readonly tables: Map<string, CatalogBaseTable>;
  /** Keyed by lower-case name (Flink function names are case-insensitive). */
  readonly functions: Map<string, CatalogFunction>;
}

export class InMemoryCatalog implements Catalog {
  readonly name: string;
  readonly type = 'generic_in_memory';
  readonly defaultDatabase: string;
  readonly options: Readonly<Record<string, string>>;
  private readonly databases = new Map<string, CatalogDatabase>();

  constructor(name: string, defaultDatabase = 'default_database', options: Readonly<Record<string, string>> = {}) {
    this.name = name;
    this.defaultDatabase = defaultDatabase;
    this.options = options;
    this.createDatabase(defaultDatabase, undefined, {});
  }

  listDatabases(): string[] {
    return [...this.databases.keys()].sort();
  }

  getDatabase(name: string): CatalogDatabase | undefined {
    return this.databases.get(name);
  }

  databaseExists(name: string): boolean {
    return this.databases.has(name);
  }

  isDatabaseEmpty(name: string): boolean {
    const db = this.databases.get(name);
    return db !== undefined && db.tables.size === 0 && db.functions.size === 0;
  }

  /** False when it already exists. */
  createDatabase(name: string, comment: string | undefined, options: Readonly<Record<string, string>>): boolean {
    if (this.databases.has(name)) return false;
    this.databases.set(name, { comment, options, tables: new Map(), functions: new Map() });
    return true;
  }

  dropDatabase(name: string): boolean {
    return this.databases.delete(name);
  }

  getTable(database: string, name: string): CatalogBaseTable | undefined {
    return this.databases.get(database)?.tables.get(name);
  }

  /** Creates or replaces; the manager checks existence first. */
  putTable(database: string, name: string, table: CatalogBaseTable): void {
    const db = this.databases.get(database);
    if (!db) throw internalError(`database ${database} does not exist in catalog ${this.name}`); // CatalogManager checks first
    db.tables.set(name, table);
  }

  createTable(database: string, name: string, table: CatalogBaseTable): void {
    this.putTable(database, name, table);
  }

  alterTable(database: string, name: string, table: CatalogBaseTable): void {
    this.putTable(database, name, table);
  }

  dropTable(database: string, name: string): boolean {
    return this.databases.get(database)?.tables.delete(name) ?? false;
  }

  listTables(database: string): string[] {
    return [...(this.databases.get(database)?.tables.keys() ?? [])].sort();
  }

  getFunction(database: string, name: string): CatalogFunction | undefined {
    return this.databases.get(database)?.functions.get(name.toLowerCase());
  }

  putFunction(database: string, name: string, fn: CatalogFunction): void {
    const db = this.databases.get(database);
    if (!db) throw internalError(`database ${database} does not exist in catalog ${this.name}`); // CatalogManager checks first
    db.functions.set(name.toLowerCase(), fn);
  }

  dropFunction(database: string, name: string): boolean {
    return this.databases.get(database)?.functions.delete(name.toLowerCase()) ?? false;
  }

  listFunctions(database: string): string[] {
    return [...(this.databases.get(database)?.functions.keys() ?? [])].sort();
  }
}
