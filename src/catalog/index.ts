export { CatalogManager, DEFAULT_CATALOG, DEFAULT_DATABASE } from './catalog-manager.js';
export type { ResolvedTable, ResolvedFunction } from './catalog-manager.js';
export { InMemoryCatalog } from './in-memory-catalog.js';
export type { Catalog, MaybePromise } from './catalog.js';
export { createCatalog, CATALOG_TYPES } from './catalog-factory.js';
export { PaimonCatalog } from './paimon-catalog.js';
export { PROCEDURE_DATABASE, paimonProcedureNames } from './paimon-procedures.js';
export type { ProcedureResult } from './paimon-procedures.js';
export type { CatalogDatabase } from './in-memory-catalog.js';
export { tableRowType } from './catalog-objects.js';
export type {
  CatalogTable,
  CatalogView,
  CatalogBaseTable,
  CatalogFunction,
  ColumnDef,
  PhysicalColumnDef,
  ComputedColumnDef,
  MetadataColumnDef,
  WatermarkDef,
  PrimaryKeyDef,
} from './catalog-objects.js';
export { formatIdentifier, quoteIdentifier, identifierKey } from './object-identifier.js';
export type { ObjectIdentifier } from './object-identifier.js';
export { bindFunctionIdentifier, parseClassBindings, BUILTIN_CLASS_BINDINGS, CLASS_BINDINGS_OPTION } from './function-binding.js';
export type { FunctionBindingContext } from './function-binding.js';
