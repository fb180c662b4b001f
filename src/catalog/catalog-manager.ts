/**
 * The session's view of all catalogs: which catalog and database are current (`USE`), temporary objects
 * that shadow permanent ones with the same identifier, and name resolution with Flink's rules and errors.
 *
 * Resolution order for a table name (Flink's `CatalogManager.getTable`): qualify the name with the current
 * catalog/database, then a temporary table/view with that identifier, then the catalog's permanent one.
 * Function lookup (Flink's `FunctionCatalog`): temporary system functions, then built-ins (the planner
 * checks those), then temporary catalog functions, then catalog functions.
 *
 * Mutations that reach a catalog return what the catalog returned: nothing for in-memory catalogs, a
 * promise for catalogs that write to storage (callers await it; the checks made here are synchronous
 * either way, so a name clash throws before anything is written).
 */
import { userError, type SourceSpan } from '../common/index.js';
import type { CatalogBaseTable, CatalogFunction } from './catalog-objects.js';
import { didYouMeanSuffix } from '../common/index.js';
import type { Catalog, MaybePromise } from './catalog.js';
import { InMemoryCatalog } from './in-memory-catalog.js';
import { identifierKey, quoteIdentifier, type ObjectIdentifier } from './object-identifier.js';

export const DEFAULT_CATALOG = 'default_catalog';
export const DEFAULT_DATABASE = 'default_database';

export interface ResolvedTable {
  readonly id: ObjectIdentifier;
  readonly table: CatalogBaseTable;
  readonly temporary: boolean;
}

export interface ResolvedFunction {
  /** Null for temporary system functions (they live outside catalogs). */
  readonly id: ObjectIdentifier | null;
  readonly fn: CatalogFunction;
  readonly temporary: boolean;
}

interface Located {
  readonly span?: SourceSpan | undefined;
}

export class CatalogManager {
  private readonly catalogs = new Map<string, Catalog>();
  private readonly temporaryTables = new Map<string, { id: ObjectIdentifier; table: CatalogBaseTable }>();
  private readonly temporaryFunctions = new Map<string, { id: ObjectIdentifier; fn: CatalogFunction }>();
  /** Keyed by lower-case name. */
  private readonly temporarySystemFunctions = new Map<string, CatalogFunction>();
  private current: { catalog: string; database: string };

  constructor(options: { defaultCatalog?: string; defaultDatabase?: string } = {}) {
    const catalog = options.defaultCatalog ?? DEFAULT_CATALOG;
    const database = options.defaultDatabase ?? DEFAULT_DATABASE;
    this.catalogs.set(catalog, new InMemoryCatalog(catalog, database));
    this.current = { catalog, database };
  }

  get currentCatalog(): string {
    return this.current.catalog;
  }

  get currentDatabase(): string {
    return this.current.database;
  }

  // ---- catalogs and databases -------------------------------------------------------------------------

  listCatalogs(): string[] {
    return [...this.catalogs.keys()].sort();
  }

  getCatalog(name: string): Catalog | undefined {
    return this.catalogs.get(name);
  }

  /**
   * Brings the metadata caches of storage-backed catalogs up to date; the planner awaits this before
   * binding a statement, whose table lookups are synchronous.
   */
  async refresh(): Promise<void> {
    for (const catalog of this.catalogs.values()) if (catalog.refresh) await catalog.refresh();
  }

  registerCatalog(catalog: Catalog, opts: { ignoreIfExists?: boolean } & Located = {}): void {
    if (this.catalogs.has(catalog.name)) {
      if (opts.ignoreIfExists) return;
      throw userError('PLAN.CATALOG_EXISTS', `catalog '${catalog.name}' already exists`, { span: opts.span });
    }
    this.catalogs.set(catalog.name, catalog);
  }

  dropCatalog(name: string, opts: { ifExists?: boolean } & Located = {}): void {
    if (!this.catalogs.has(name)) {
      if (opts.ifExists) return;
      throw this.unknownCatalog(name, opts.span);
    }
    if (name === this.current.catalog) {
      throw userError('PLAN.CATALOG_IN_USE', `cannot drop catalog '${name}': it is the current catalog`, { span: opts.span });
    }
    this.catalogs.delete(name);
  }

  useCatalog(name: string, span?: SourceSpan): void {
    const catalog = this.requireCatalog(name, span);
    this.current = { catalog: name, database: catalog.defaultDatabase };
  }

  /** `USE db` or `USE cat.db`. */
  useDatabase(parts: readonly string[], span?: SourceSpan): void {
    if (parts.length < 1 || parts.length > 2) {
      throw userError('PLAN.INVALID_IDENTIFIER', `a database name has one or two parts, got '${parts.join('.')}'`, { span });
    }
    const catalogName = parts.length === 2 ? parts[0]! : this.current.catalog;
    const database = parts[parts.length - 1]!;
    this.requireDatabase(catalogName, database, span);
    this.current = { catalog: catalogName, database };
  }

  listDatabases(catalogName = this.current.catalog): string[] {
    return this.requireCatalog(catalogName).listDatabases();
  }

  createDatabase(
    parts: readonly string[],
    opts: { ignoreIfExists?: boolean; comment?: string | undefined; options?: Record<string, string> } & Located = {},
  ): MaybePromise<void> {
    if (parts.length < 1 || parts.length > 2) {
      throw userError('PLAN.INVALID_IDENTIFIER', `a database name has one or two parts, got '${parts.join('.')}'`, { span: opts.span });
    }
    const catalog = this.requireCatalog(parts.length === 2 ? parts[0]! : this.current.catalog, opts.span);
    const name = parts[parts.length - 1]!;
    if (catalog.databaseExists(name)) {
      if (opts.ignoreIfExists) return;
      throw userError('PLAN.DATABASE_EXISTS', `database '${catalog.name}.${name}' already exists`, { span: opts.span });
    }
    return thenVoid(catalog.createDatabase(name, opts.comment, opts.options ?? {}));
  }

  dropDatabase(parts: readonly string[], opts: { ifExists?: boolean; cascade?: boolean } & Located = {}): MaybePromise<void> {
    if (parts.length < 1 || parts.length > 2) {
      throw userError('PLAN.INVALID_IDENTIFIER', `a database name has one or two parts, got '${parts.join('.')}'`, { span: opts.span });
    }
    const catalogName = parts.length === 2 ? parts[0]! : this.current.catalog;
    const catalog = this.requireCatalog(catalogName, opts.span);
    const name = parts[parts.length - 1]!;
    if (!catalog.databaseExists(name)) {
      if (opts.ifExists) return;
      throw this.unknownDatabase(catalog, name, opts.span);
    }
    if (catalogName === this.current.catalog && name === this.current.database) {
      throw userError('PLAN.DATABASE_IN_USE', `cannot drop database '${catalogName}.${name}': it is the current database`, { span: opts.span });
    }
    if (!opts.cascade && !catalog.isDatabaseEmpty(name)) {
      throw userError('PLAN.DATABASE_NOT_EMPTY', `database '${catalogName}.${name}' is not empty`, {
        span: opts.span,
        help: 'use DROP DATABASE … CASCADE to drop it with its tables, views and functions',
      });
    }
    return thenVoid(catalog.dropDatabase(name));
  }

  // ---- identifiers --------------------------------------------------------------------------------------

  /** Completes `a` / `db.a` / `cat.db.a` with the current catalog and database. */
  qualify(parts: readonly string[], span?: SourceSpan): ObjectIdentifier {
    switch (parts.length) {
      case 1:
        return { catalog: this.current.catalog, database: this.current.database, name: parts[0]! };
      case 2:
        return { catalog: this.current.catalog, database: parts[0]!, name: parts[1]! };
      case 3:
        return { catalog: parts[0]!, database: parts[1]!, name: parts[2]! };
      default:
        throw userError('PLAN.INVALID_IDENTIFIER', `an object name has at most three parts (catalog.database.object), got '${parts.join('.')}'`, { span });
    }
  }

  // ---- tables and views ---------------------------------------------------------------------------------

  /** The table or view with this identifier (temporary first), or undefined. */
  getTable(id: ObjectIdentifier): ResolvedTable | undefined {
    const temp = this.temporaryTables.get(identifierKey(id));
    if (temp) return { id, table: temp.table, temporary: true };
    const table = this.catalogs.get(id.catalog)?.getTable(id.database, id.name);
    return table ? { id, table, temporary: false } : undefined;
  }

  /** Resolves a name as written; throws PLAN.UNKNOWN_TABLE (with did-you-mean) and friends. */
  resolveTable(parts: readonly string[], span?: SourceSpan): ResolvedTable {
    const id = this.qualify(parts, span);
    const found = this.getTable(id);
    if (found) return found;
    const catalog = this.requireCatalog(id.catalog, span);
    this.requireDatabase(id.catalog, id.database, span);
    const candidates = this.tableNamesIn(catalog.name, id.database);
    throw userError(
      'PLAN.UNKNOWN_TABLE',
      `table or view '${parts.join('.')}' not found in ${id.catalog}.${id.database}${didYouMeanSuffix(id.name, candidates)}`,
      { span, notes: [existingTablesNote(id.catalog, id.database, candidates)] },
    );
  }

  createTable(id: ObjectIdentifier, table: CatalogBaseTable, opts: { temporary?: boolean; ignoreIfExists?: boolean } & Located = {}): MaybePromise<void> {
    const what = table.kind === 'view' ? 'view' : 'table';
    if (opts.temporary) {
      // A temporary object may shadow a permanent one, but the database must exist (Flink checks too).
      this.requireDatabase(id.catalog, id.database, opts.span);
      const key = identifierKey(id);
      if (this.temporaryTables.has(key)) {
        if (opts.ignoreIfExists) return;
        throw userError('PLAN.TABLE_EXISTS', `temporary ${what} ${quoteIdentifier(id)} already exists`, { span: opts.span });
      }
      this.temporaryTables.set(key, { id, table });
      return;
    }
    const catalog = this.requireCatalog(id.catalog, opts.span);
    this.requireDatabase(id.catalog, id.database, opts.span);
    if (catalog.getTable(id.database, id.name)) {
      if (opts.ignoreIfExists) return;
      throw userError('PLAN.TABLE_EXISTS', `${what} ${quoteIdentifier(id)} already exists`, { span: opts.span });
    }
    return catalog.createTable(id.database, id.name, table);
  }

  /**
   * `DROP [TEMPORARY] TABLE|VIEW`. `kind` is what the statement says it drops; dropping a view with
   * DROP TABLE (or the reverse) is an error, as in Flink. A permanent drop is refused while a temporary
   * object shadows the name, because the user would otherwise not see the effect.
   */
  dropTable(id: ObjectIdentifier, kind: 'table' | 'view', opts: { temporary?: boolean; ifExists?: boolean } & Located = {}): MaybePromise<void> {
    const key = identifierKey(id);
    if (opts.temporary) {
      const temp = this.temporaryTables.get(key);
      if (!temp) {
        if (opts.ifExists) return;
        throw userError('PLAN.UNKNOWN_TABLE', `temporary ${kind} ${quoteIdentifier(id)} does not exist`, { span: opts.span });
      }
      this.checkKind(id, temp.table, kind, opts.span);
      this.temporaryTables.delete(key);
      return;
    }
    if (this.temporaryTables.has(key)) {
      throw userError('PLAN.TEMPORARY_SHADOWS', `temporary ${kind} with identifier ${quoteIdentifier(id)} exists`, {
        span: opts.span,
        help: `drop it first with DROP TEMPORARY ${kind.toUpperCase()}`,
      });
    }
    const catalog = this.catalogs.get(id.catalog);
    const table = catalog?.getTable(id.database, id.name);
    if (!catalog || !table) {
      if (opts.ifExists) return;
      const candidates = catalog ? this.tableNamesIn(catalog.name, id.database) : [];
      throw userError('PLAN.UNKNOWN_TABLE', `${kind} ${quoteIdentifier(id)} does not exist${didYouMeanSuffix(id.name, candidates)}`, {
        span: opts.span,
      });
    }
    this.checkKind(id, table, kind, opts.span);
    return thenVoid(catalog.dropTable(id.database, id.name));
  }

  /** Replaces a table's definition (ALTER TABLE); temporary tables are altered in place. */
  alterTable(id: ObjectIdentifier, table: CatalogBaseTable, span?: SourceSpan): MaybePromise<void> {
    const key = identifierKey(id);
    if (this.temporaryTables.has(key)) {
      this.temporaryTables.set(key, { id, table });
      return;
    }
    const catalog = this.requireCatalog(id.catalog, span);
    // resolveTable throws the usual not-found error (no temporary object has this identifier here).
    if (!catalog.getTable(id.database, id.name)) this.resolveTable([id.catalog, id.database, id.name], span);
    return catalog.alterTable(id.database, id.name, table);
  }

  /** Tables and views visible in a database (permanent and temporary), sorted. */
  listTables(opts: { catalog?: string; database?: string; kind?: 'table' | 'view' } = {}): string[] {
    const catalogName = opts.catalog ?? this.current.catalog;
    const database = opts.database ?? this.current.database;
    const catalog = this.requireCatalog(catalogName);
    this.requireDatabase(catalogName, database);
    const names = new Set<string>();
    for (const name of catalog.listTables(database)) {
      if (opts.kind === undefined) {
        names.add(name);
        continue;
      }
      // A storage-backed catalog lists a table whose definition it cannot read (using it raises the
      // error); listing must not fail on it, and only tables can be unreadable.
      let kind: 'table' | 'view' = 'table';
      try {
        kind = catalog.getTable(database, name)?.kind ?? 'table';
      } catch {
        kind = 'table';
      }
      if (kind === opts.kind) names.add(name);
    }
    for (const { id, table } of this.temporaryTables.values()) {
      if (id.catalog === catalogName && id.database === database && (opts.kind === undefined || table.kind === opts.kind)) names.add(id.name);
    }
    return [...names].sort();
  }

  // ---- functions ----------------------------------------------------------------------------------------

  createFunction(
    parts: readonly string[],
    fn: CatalogFunction,
    opts: { temporary?: boolean; system?: boolean; ignoreIfExists?: boolean } & Located = {},
  ): void {
    if (opts.system) {
      if (parts.length !== 1) {
        throw userError('PLAN.INVALID_IDENTIFIER', `a temporary system function name has one part, got '${parts.join('.')}'`, { span: opts.span });
      }
      const name = parts[0]!.toLowerCase();
      if (this.temporarySystemFunctions.has(name)) {
        if (opts.ignoreIfExists) return;
        throw userError('PLAN.FUNCTION_EXISTS', `temporary system function '${name}' already exists`, { span: opts.span });
      }
      this.temporarySystemFunctions.set(name, fn);
      return;
    }
    const id = this.functionIdentifier(parts, opts.span);
    if (opts.temporary) {
      this.requireDatabase(id.catalog, id.database, opts.span);
      const key = identifierKey(id);
      if (this.temporaryFunctions.has(key)) {
        if (opts.ignoreIfExists) return;
        throw userError('PLAN.FUNCTION_EXISTS', `temporary function ${quoteIdentifier(id)} already exists`, { span: opts.span });
      }
      this.temporaryFunctions.set(key, { id, fn });
      return;
    }
    const catalog = this.requireCatalog(id.catalog, opts.span);
    this.requireDatabase(id.catalog, id.database, opts.span);
    if (catalog.getFunction(id.database, id.name)) {
      if (opts.ignoreIfExists) return;
      throw userError('PLAN.FUNCTION_EXISTS', `function ${quoteIdentifier(id)} already exists`, { span: opts.span });
    }
    catalog.putFunction(id.database, id.name, fn);
  }

  dropFunction(parts: readonly string[], opts: { temporary?: boolean; system?: boolean; ifExists?: boolean } & Located = {}): void {
    if (opts.system) {
      const name = (parts[parts.length - 1] ?? '').toLowerCase();
      if (!this.temporarySystemFunctions.delete(name) && !opts.ifExists) {
        throw userError('PLAN.UNKNOWN_FUNCTION', `temporary system function '${name}' does not exist`, { span: opts.span });
      }
      return;
    }
    const id = this.functionIdentifier(parts, opts.span);
    if (opts.temporary) {
      if (!this.temporaryFunctions.delete(identifierKey(id)) && !opts.ifExists) {
        throw userError('PLAN.UNKNOWN_FUNCTION', `temporary function ${quoteIdentifier(id)} does not exist`, { span: opts.span });
      }
      return;
    }
    if (this.temporaryFunctions.has(identifierKey(id))) {
      throw userError('PLAN.TEMPORARY_SHADOWS', `temporary function with identifier ${quoteIdentifier(id)} exists`, {
        span: opts.span,
        help: 'drop it first with DROP TEMPORARY FUNCTION',
      });
    }
    const catalog = this.catalogs.get(id.catalog);
    if (!catalog?.dropFunction(id.database, id.name) && !opts.ifExists) {
      const candidates = catalog ? catalog.listFunctions(id.database) : [];
      throw userError('PLAN.UNKNOWN_FUNCTION', `function ${quoteIdentifier(id)} does not exist${didYouMeanSuffix(id.name, candidates)}`, {
        span: opts.span,
      });
    }
  }

  getTemporarySystemFunction(name: string): CatalogFunction | undefined {
    return this.temporarySystemFunctions.get(name.toLowerCase());
  }

  /** A temporary or permanent catalog function for a name as written, or undefined. */
  getCatalogFunction(parts: readonly string[]): ResolvedFunction | undefined {
    if (parts.length > 3) return undefined;
    const id = this.functionIdentifier(parts);
    const temp = this.temporaryFunctions.get(identifierKey(id));
    if (temp) return { id, fn: temp.fn, temporary: true };
    const fn = this.catalogs.get(id.catalog)?.getFunction(id.database, id.name);
    return fn ? { id, fn, temporary: false } : undefined;
  }

  /** User-defined function names visible from the current database (for SHOW USER FUNCTIONS, did-you-mean). */
  listUserFunctions(): string[] {
    const names = new Set<string>(this.temporarySystemFunctions.keys());
    const catalog = this.catalogs.get(this.current.catalog);
    for (const name of catalog?.listFunctions(this.current.database) ?? []) names.add(name);
    for (const { id } of this.temporaryFunctions.values()) {
      if (id.catalog === this.current.catalog && id.database === this.current.database) names.add(id.name);
    }
    return [...names].sort();
  }

  /** Every registered function definition anywhere (the planner describes their implementations up front). */
  allFunctions(): CatalogFunction[] {
    const out: CatalogFunction[] = [...this.temporarySystemFunctions.values()];
    for (const { fn } of this.temporaryFunctions.values()) out.push(fn);
    for (const catalog of this.catalogs.values()) {
      for (const db of catalog.listDatabases()) {
        for (const name of catalog.listFunctions(db)) {
          const fn = catalog.getFunction(db, name);
          if (fn) out.push(fn);
        }
      }
    }
    return out;
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private functionIdentifier(parts: readonly string[], span?: SourceSpan): ObjectIdentifier {
    const id = this.qualify(parts, span);
    return { ...id, name: id.name.toLowerCase() };
  }

  private tableNamesIn(catalogName: string, database: string): string[] {
    try {
      return this.listTables({ catalog: catalogName, database });
    } catch {
      return [];
    }
  }

  private checkKind(id: ObjectIdentifier, table: CatalogBaseTable, kind: 'table' | 'view', span?: SourceSpan): void {
    if (table.kind !== kind) {
      throw userError('PLAN.WRONG_OBJECT_KIND', `${quoteIdentifier(id)} is a ${table.kind}, not a ${kind}`, {
        span,
        help: `use DROP ${table.kind.toUpperCase()}`,
      });
    }
  }

  private requireCatalog(name: string, span?: SourceSpan): Catalog {
    const catalog = this.catalogs.get(name);
    if (!catalog) throw this.unknownCatalog(name, span);
    return catalog;
  }

  private requireDatabase(catalogName: string, database: string, span?: SourceSpan): void {
    const catalog = this.requireCatalog(catalogName, span);
    if (!catalog.databaseExists(database)) throw this.unknownDatabase(catalog, database, span);
  }

  private unknownCatalog(name: string, span?: SourceSpan) {
    return userError('PLAN.UNKNOWN_CATALOG', `catalog '${name}' does not exist${didYouMeanSuffix(name, this.catalogs.keys())}`, { span });
  }

  private unknownDatabase(catalog: Catalog, name: string, span?: SourceSpan) {
    return userError(
      'PLAN.UNKNOWN_DATABASE',
      `database '${name}' does not exist in catalog '${catalog.name}'${didYouMeanSuffix(name, catalog.listDatabases())}`,
      { span },
    );
  }
}

/** Drops a mutation's boolean result, keeping it synchronous when the catalog was. */
function thenVoid(result: MaybePromise<boolean>): MaybePromise<void> {
  return typeof result === 'boolean' ? undefined : result.then(() => undefined);
}

/** Names what a database holds, for "not found" errors (at most 20 names). */
function existingTablesNote(catalog: string, database: string, names: readonly string[]): string {
  if (names.length === 0) return `${catalog}.${database} has no tables or views`;
  const shown = names.slice(0, 20).join(', ');
  return `tables and views in ${catalog}.${database}: ${shown}${names.length > 20 ? `, … (${names.length} in all)` : ''}`;
}
