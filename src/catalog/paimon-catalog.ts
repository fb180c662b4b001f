/**
 * A Paimon catalog (`CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '…')`): the databases
 * and tables of a Paimon warehouse in the filesystem-catalog layout (`<warehouse>/<db>.db/<table>/`),
 * local or on an object store. What the warehouse holds is the truth: tables written by Paimon Java show
 * up, and tables created here are real Paimon tables (schema files written by src/lake).
 *
 * Tables appear to the planner as ordinary `CatalogTable`s of the `paimon` connector: their columns,
 * keys and options come from the latest schema file, plus `connector` and `path`. `t$snapshots`,
 * `t$schemas`, `t$options` and `t$files` are the system tables of `t`; `t$audit_log` is `t`'s rows
 * (as changes in streaming mode) behind a `rowkind` column; `t$tags` lists its tags and `t$consumers`
 * its consumers. `CALL sys.<procedure>(…)` runs Paimon's procedures (compact, expire_snapshots,
 * create_tag, delete_tag, rollback_to, remove_orphan_files, reset_consumer, clear_consumers) on the
 * catalog's tables (`paimon-procedures.ts`).
 *
 * Metadata is cached (the binder reads synchronously); `refresh()` lists the warehouse once and re-reads
 * only tables whose latest schema file changed — schema files are immutable, so the key of the latest
 * one identifies a table definition. A local warehouse is listed directory by directory (databases,
 * tables, schema folders) rather than file by file, so data files cost nothing; an object store has no
 * directories and is listed whole. A table whose schema cannot be read is still listed, and using it
 * raises that error; the rest of the warehouse stays usable. An empty database has no files, so on object stores it exists only
 * in this catalog's memory (Paimon's filesystem catalog has the same limit on object stores); on a local
 * warehouse it is a `<db>.db` directory, as Paimon makes it.
 */
import { existsSync, mkdirSync, promises as fsp, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FloeError, closestMatch, ioError, unsupported, userError, type SourceSpan } from '../common/index.js';
import {
  PAIMON_CONNECTOR,
  PAIMON_PATH_OPTION,
  PAIMON_SYSTEM_TABLE_OPTION,
  PAIMON_SYSTEM_TABLE_TYPES,
  checkPaimonCreateOptions,
  isPaimonSystemTableName,
} from '../connectors/index.js';
import { PaimonWarehouse, createPaimonTable, formatMetadataJson, openPaimonTable, parseTableSchema, type PaimonTable, type TableSchema, type WarehouseLayout } from '../lake/index.js';
import type { CallArgument } from '../sql/index.js';
import { LocalFileObjectStore, createObjectStore, type ConfigSource, type ObjectStore } from '../storage/index.js';
import type { Catalog } from './catalog.js';
import type { CatalogBaseTable, CatalogFunction, CatalogTable, PhysicalColumnDef } from './catalog-objects.js';
import { PROCEDURE_DATABASE, callPaimonProcedure, paimonProcedureNames, type ProcedureResult } from './paimon-procedures.js';

/** Catalog options besides `type`; `table-default.<option>` sets an option of every table created here. */
const CATALOG_OPTIONS = ['warehouse', 'default-database'];
const TABLE_DEFAULT_PREFIX = 'table-default.';
/** Separates a table name from its system table (`orders$snapshots`). */
const SYSTEM_TABLE_SEPARATOR = '$';

export class PaimonCatalog implements Catalog {
  readonly type = 'paimon';
  private readonly warehouse: PaimonWarehouse;
  /** Local directory of the warehouse (null on object stores). */
  private readonly localRoot: string | null;
  private databases = new Set<string>();
  /** Databases created here and not seen in storage (object stores keep no empty databases). */
  private readonly sessionDatabases = new Set<string>();
  /** Table definitions (or why one cannot be read) by the key of the schema file they were read from. */
  private readonly bySchemaKey = new Map<string, CatalogTable | FloeError>();
  private tables = new Map<string, Map<string, CatalogTable | FloeError>>();

  private constructor(
    readonly name: string,
    readonly defaultDatabase: string,
    readonly options: Readonly<Record<string, string>>,
    private readonly store: ObjectStore,
  ) {
    this.warehouse = new PaimonWarehouse(store, '');
    this.localRoot = store instanceof LocalFileObjectStore ? store.root : null;
    this.sessionDatabases.add(defaultDatabase);
  }

  /**
   * Opens the warehouse named by `options.warehouse` and reads what it holds. A local warehouse that
   * does not exist yet is created when its parent directory exists (as Paimon does); a missing parent is
   * more likely a typo, so it is an error.
   */
  static async open(name: string, options: Readonly<Record<string, string>>, config?: ConfigSource): Promise<PaimonCatalog> {
    for (const key of Object.keys(options)) {
      if (CATALOG_OPTIONS.includes(key) || (key.startsWith(TABLE_DEFAULT_PREFIX) && key.length > TABLE_DEFAULT_PREFIX.length)) continue;
      const hint = closestMatch(key, CATALOG_OPTIONS);
      throw unsupported('CATALOG.UNSUPPORTED_OPTION', `Paimon catalog '${name}': option '${key}' is not supported`, {
        help: hint === undefined ? undefined : `did you mean '${hint}'?`,
        notes: [`supported options: type, ${CATALOG_OPTIONS.join(', ')}, ${TABLE_DEFAULT_PREFIX}<table option>`],
      });
    }
    const warehouse = options['warehouse'];
    if (warehouse === undefined || warehouse.trim() === '') {
      throw userError('CATALOG.MISSING_WAREHOUSE', `Paimon catalog '${name}' needs the 'warehouse' option`, {
        help: "add 'warehouse' = '/path/to/warehouse' (a local directory, file:///…, or s3://bucket/prefix)",
      });
    }
    const store = createObjectStore(warehouse, config === undefined ? {} : { config });
    if (store instanceof LocalFileObjectStore) {
      if (!existsSync(store.root)) {
        if (!existsSync(dirname(store.root))) {
          throw userError('CATALOG.UNKNOWN_WAREHOUSE', `Paimon catalog '${name}': warehouse '${warehouse}' does not exist, nor does its parent directory ${dirname(store.root)}`, {
            help: 'check the path, or create the directory first',
          });
        }
        mkdirSync(store.root);
      } else if (!statSync(store.root).isDirectory()) {
        throw userError('CATALOG.UNKNOWN_WAREHOUSE', `Paimon catalog '${name}': warehouse '${warehouse}' is a file, not a directory`);
      }
    }
    const { warehouse: _w, 'default-database': db, ...rest } = options;
    const catalog = new PaimonCatalog(name, db ?? 'default', { warehouse, ...rest }, store);
    try {
      await catalog.refresh();
    } catch (e) {
      if (e instanceof FloeError && e.kind === 'io') {
        throw ioError('CATALOG.UNKNOWN_WAREHOUSE', `Paimon catalog '${name}': cannot read warehouse '${warehouse}': ${e.message}`, { cause: e });
      }
      throw e;
    }
    return catalog;
  }

  /** `<warehouse>/<db>.db/<table>` as a location the `paimon` connector opens. */
  private tableLocation(database: string, table: string): string {
    return `${this.store.uri.replace(/\/+$/, '')}/${this.warehouse.tablePath(database, table)}`;
  }

  async refresh(): Promise<void> {
    const layout = this.localRoot !== null ? await localLayout(this.localRoot) : await this.warehouse.layout();
    const databases = new Set<string>(layout.databases);
    for (const db of this.sessionDatabases) databases.add(db);
    const tables = new Map<string, Map<string, CatalogTable | FloeError>>();
    for (const [db, byName] of layout.tables) {
      const defs = new Map<string, CatalogTable | FloeError>();
      for (const [table, schemaKey] of byName) {
        let def = this.bySchemaKey.get(schemaKey);
        if (def === undefined) {
          try {
            const schema = parseTableSchema(new TextDecoder().decode(await this.store.get(schemaKey)), schemaKey);
            def = this.definitionOf(db, table, schema);
          } catch (e) {
            if (!(e instanceof FloeError) || e.kind === 'internal') throw e;
            def = e;
          }
          this.bySchemaKey.set(schemaKey, def);
        }
        defs.set(table, def);
      }
      tables.set(db, defs);
    }
    this.databases = databases;
    this.tables = tables;
  }

  private definitionOf(database: string, table: string, schema: TableSchema): CatalogTable {
    return {
      kind: 'table',
      columns: schema.fields.map((f): PhysicalColumnDef => ({ kind: 'physical', name: f.name, type: f.type, comment: f.description })),
      watermark: null,
      primaryKey: schema.primaryKeys.length > 0 ? { name: `PK_${schema.primaryKeys.join('_')}`, columns: schema.primaryKeys } : null,
      partitionKeys: schema.partitionKeys,
      options: { ...schema.options, connector: PAIMON_CONNECTOR, [PAIMON_PATH_OPTION]: this.tableLocation(database, table) },
      comment: schema.comment,
    };
  }

  // ---- databases ----------------------------------------------------------------------------------------

  listDatabases(): string[] {
    return [...this.databases].sort();
  }

  databaseExists(name: string): boolean {
    return this.databases.has(name);
  }

  isDatabaseEmpty(name: string): boolean {
    return this.databases.has(name) && (this.tables.get(name)?.size ?? 0) === 0;
  }

  async createDatabase(name: string, _comment: string | undefined, options: Readonly<Record<string, string>>): Promise<boolean> {
    if (this.databases.has(name)) return false;
    if (Object.keys(options).length > 0) {
      throw unsupported('CATALOG.UNSUPPORTED_OPTION', `Paimon catalog '${this.name}': database options are not supported (${Object.keys(options).join(', ')})`);
    }
    checkName(this.name, 'database', name);
    if (this.localRoot !== null) mkdirSync(join(this.localRoot, `${name}.db`), { recursive: true });
    this.sessionDatabases.add(name);
    this.databases.add(name);
    return true;
  }

  async dropDatabase(name: string): Promise<boolean> {
    if (!this.databases.has(name)) return false;
    await this.deletePrefix(`${name}.db`);
    this.sessionDatabases.delete(name);
    this.databases.delete(name);
    this.tables.delete(name);
    return true;
  }

  // ---- tables -------------------------------------------------------------------------------------------

  getTable(database: string, name: string): CatalogBaseTable | undefined {
    const byName = this.tables.get(database);
    const direct = byName?.get(name);
    if (direct instanceof FloeError) throw direct;
    if (direct !== undefined) return direct;
    const sep = name.lastIndexOf(SYSTEM_TABLE_SEPARATOR);
    if (sep <= 0) return undefined;
    const base = byName?.get(name.slice(0, sep));
    const system = name.slice(sep + 1);
    if (base instanceof FloeError) throw base;
    if (base === undefined) return undefined;
    if (!isPaimonSystemTableName(system)) {
      const known = Object.keys(PAIMON_SYSTEM_TABLE_TYPES);
      const hint = closestMatch(system, known);
      throw unsupported('CATALOG.UNKNOWN_SYSTEM_TABLE', `Paimon table '${database}.${name.slice(0, sep)}' has no system table '${system}'`, {
        help: hint === undefined ? undefined : `did you mean '${name.slice(0, sep)}$${hint}'?`,
        notes: [`supported system tables: ${known.map((k) => '$' + k).join(', ')}`],
      });
    }
    return {
      kind: 'table',
      columns: [
        ...PAIMON_SYSTEM_TABLE_TYPES[system].fields.map((f): PhysicalColumnDef => ({ kind: 'physical', name: f.name, type: f.type })),
        // `t$audit_log` is `rowkind` followed by t's own columns (their rows, as changes).
        ...(system === 'audit_log' && base.kind === 'table' ? base.columns : []),
      ],
      watermark: null,
      primaryKey: null,
      partitionKeys: [],
      options: { connector: PAIMON_CONNECTOR, [PAIMON_PATH_OPTION]: base.options[PAIMON_PATH_OPTION]!, [PAIMON_SYSTEM_TABLE_OPTION]: system },
    };
  }

  listTables(database: string): string[] {
    return [...(this.tables.get(database)?.keys() ?? [])].sort();
  }

  async createTable(database: string, name: string, table: CatalogBaseTable): Promise<void> {
    const what = `${this.name}.${database}.${name}`;
    if (table.kind === 'view') {
      throw unsupported('CATALOG.UNSUPPORTED_OBJECT', `Paimon catalog '${this.name}' cannot store view ${what}`, { help: 'create a TEMPORARY VIEW instead' });
    }
    checkName(this.name, 'table', name);
    const other = table.columns.find((c) => c.kind !== 'physical');
    if (other !== undefined) {
      throw unsupported('CATALOG.UNSUPPORTED_COLUMN', `Paimon table ${what}: ${other.kind} column '${other.name}' cannot be stored in a Paimon schema by Floe`, {
        help: 'declare physical columns only; compute the value in the query that writes the table',
      });
    }
    if (table.watermark !== null) {
      throw unsupported('CATALOG.UNSUPPORTED_WATERMARK', `Paimon table ${what}: a WATERMARK cannot be stored in a Paimon schema by Floe`);
    }
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options)) if (k.startsWith(TABLE_DEFAULT_PREFIX)) options[k.slice(TABLE_DEFAULT_PREFIX.length)] = v;
    Object.assign(options, table.options);
    checkPaimonCreateOptions(what, options);
    const created = await createPaimonTable(this.store, this.warehouse.tablePath(database, name), {
      fields: table.columns.map((c) => ({ name: c.name, type: c.type, ...(c.comment === undefined ? {} : { description: c.comment }) })),
      primaryKeys: table.primaryKey?.columns ?? [],
      partitionKeys: table.partitionKeys,
      options,
      ...(table.comment === undefined ? {} : { comment: table.comment }),
    });
    const def = this.definitionOf(database, name, created.schema());
    this.bySchemaKey.set(`${this.warehouse.tablePath(database, name)}/schema/schema-0`, def);
    let byName = this.tables.get(database);
    if (byName === undefined) this.tables.set(database, (byName = new Map()));
    byName.set(name, def);
  }

  /**
   * ALTER TABLE … SET: a new schema file with the changed options (Paimon's schema evolution of
   * options). Options that change the data layout (`bucket`, keys, formats) cannot change in place.
   */
  async alterTable(database: string, name: string, table: CatalogBaseTable): Promise<void> {
    const what = `${this.name}.${database}.${name}`;
    const current = this.tables.get(database)?.get(name);
    if (current instanceof FloeError) throw current;
    if (current === undefined || table.kind !== 'table') throw unsupported('CATALOG.UNSUPPORTED_ALTER', `cannot alter ${what}`);
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(table.options)) if (current.options[k] !== v) changed[k] = v;
    for (const k of ['bucket', 'bucket-key', 'file.format', 'manifest.format', 'merge-engine', 'sequence.field']) {
      if (k in changed) throw unsupported('CATALOG.UNSUPPORTED_ALTER', `Paimon table ${what}: option '${k}' cannot be changed on an existing table`);
    }
    checkPaimonCreateOptions(what, changed);
    const tablePath = this.warehouse.tablePath(database, name);
    const listed = await this.store.list(`${tablePath}/schema/schema-`);
    const ids = listed.map((o) => /\/schema-(\d+)$/.exec(o.key)?.[1]).filter((x): x is string => x !== undefined).map(Number);
    const latest = Math.max(...ids);
    const json = JSON.parse(new TextDecoder().decode(await this.store.get(`${tablePath}/schema/schema-${latest}`))) as Record<string, unknown>;
    const options = { ...(json['options'] as Record<string, string>), ...changed };
    const next = { ...json, id: latest + 1, options, timeMillis: Date.now() };
    const key = `${tablePath}/schema/schema-${latest + 1}`;
    if (!(await this.store.putIfAbsent(key, new TextEncoder().encode(formatMetadataJson(next))))) {
      throw ioError('CATALOG.CONCURRENT_ALTER', `Paimon table ${what} was altered concurrently; retry`);
    }
    const def = this.definitionOf(database, name, parseTableSchema(formatMetadataJson(next), key));
    this.bySchemaKey.set(key, def);
    this.tables.get(database)!.set(name, def);
  }

  async dropTable(database: string, name: string): Promise<boolean> {
    if (this.tables.get(database)?.get(name) === undefined) return false;
    await this.deletePrefix(this.warehouse.tablePath(database, name));
    this.tables.get(database)!.delete(name);
    return true;
  }

  /** Deletes every object under `prefix/` (and the directory itself on a local warehouse). */
  private async deletePrefix(prefix: string): Promise<void> {
    if (this.localRoot !== null) {
      rmSync(join(this.localRoot, prefix), { recursive: true, force: true });
      return;
    }
    for (const o of await this.store.list(`${prefix}/`)) await this.store.delete(o.key);
  }

  // ---- procedures (`CALL sys.compact(…)`, paimon-procedures.ts) ------------------------------------------

  /** Opens table `database.name` of this warehouse for a procedure; `CATALOG.TABLE_NOT_FOUND` when it is not there. */
  async openTable(database: string, name: string, span?: SourceSpan): Promise<PaimonTable> {
    await this.refresh();
    const def = this.tables.get(database)?.get(name);
    if (def instanceof FloeError) throw def;
    if (def === undefined) {
      const hint = closestMatch(name, this.listTables(database));
      throw userError('CATALOG.TABLE_NOT_FOUND', `Paimon catalog '${this.name}' has no table ${database}.${name}`, {
        span,
        help: hint === undefined ? undefined : `did you mean ${database}.${hint}?`,
      });
    }
    return openPaimonTable(this.store, this.warehouse.tablePath(database, name));
  }

  /**
   * Runs procedure `database.name` (Paimon's are in database `sys`) with parsed arguments; the result
   * is Flink's one-column `result` table. `timeZone` reads timestamp arguments.
   */
  async callProcedure(database: string, name: string, args: readonly CallArgument[], options: { readonly span: SourceSpan; readonly timeZone: string }): Promise<ProcedureResult> {
    if (database !== PROCEDURE_DATABASE) {
      throw userError('PROCEDURE.UNKNOWN', `Paimon catalog '${this.name}' has no procedure '${database}.${name}': its procedures are in database '${PROCEDURE_DATABASE}'`, {
        span: options.span,
        help: `write CALL ${this.name}.${PROCEDURE_DATABASE}.${name}(…)`,
        notes: [`procedures: ${paimonProcedureNames().join(', ')}`],
      });
    }
    const ctx = {
      catalogName: this.name,
      timeZone: options.timeZone,
      openTable: (db: string, table: string, span: SourceSpan) => this.openTable(db, table, span),
      listTables: (db: string) => this.listTables(db),
    };
    return callPaimonProcedure(ctx, name, args, options.span);
  }

  // ---- functions: a Paimon filesystem warehouse stores none ---------------------------------------------

  getFunction(): CatalogFunction | undefined {
    return undefined;
  }

  putFunction(database: string, name: string): void {
    throw unsupported('CATALOG.UNSUPPORTED_OBJECT', `Paimon catalog '${this.name}' cannot store function ${database}.${name}`, {
      help: 'create a TEMPORARY FUNCTION or TEMPORARY SYSTEM FUNCTION instead',
    });
  }

  dropFunction(): boolean {
    return false;
  }

  listFunctions(): string[] {
    return [];
  }
}

/** Paimon database and table names become directory names; `$` is the system-table separator. */
function checkName(catalog: string, what: 'database' | 'table', name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name.includes(SYSTEM_TABLE_SEPARATOR) || name.startsWith('.')) {
    throw userError('CATALOG.INVALID_NAME', `Paimon catalog '${catalog}': invalid ${what} name '${name}' (no '/', '\\', '$' or leading '.')`);
  }
}

/** The warehouse layout of a local directory, read directory by directory (see the module comment). */
async function localLayout(root: string): Promise<WarehouseLayout> {
  const dirs = async (path: string): Promise<string[]> => {
    try {
      return (await fsp.readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw ioError('CATALOG.LIST_FAILED', `cannot list Paimon warehouse directory ${path}`, { cause: e });
    }
  };
  const databases: string[] = [];
  const tables = new Map<string, Map<string, string>>();
  for (const dbDir of (await dirs(root)).filter((d) => d.endsWith('.db') && d.length > 3).sort()) {
    const db = dbDir.slice(0, -3);
    databases.push(db);
    const byName = new Map<string, string>();
    for (const t of await dirs(join(root, dbDir))) {
      let latest = -1;
      try {
        for (const f of await fsp.readdir(join(root, dbDir, t, 'schema'))) {
          const m = /^schema-(\d+)$/.exec(f);
          if (m !== null && Number(m[1]) > latest) latest = Number(m[1]);
        }
      } catch {
        continue; // no schema folder: not a table
      }
      if (latest >= 0) byName.set(t, `${dbDir}/${t}/schema/schema-${latest}`);
    }
    if (byName.size > 0) tables.set(db, byName);
  }
  return { databases, tables };
}
