/**
 * The definitions a catalog holds: tables, views and functions. Plain immutable data. Column types are
 * already resolved (`LogicalType`); expressions keep their AST so the planner binds them where used, plus a
 * display text for DESCRIBE / SHOW CREATE.
 */
import type { Expr, Query } from '../sql/index.js';
import type { LogicalType, RowType } from '../types/index.js';

export interface PhysicalColumnDef {
  readonly kind: 'physical';
  readonly name: string;
  readonly type: LogicalType;
  readonly comment?: string | undefined;
}

/** `name AS expr`: computed when read; its type was derived when the table was created. */
export interface ComputedColumnDef {
  readonly kind: 'computed';
  readonly name: string;
  readonly type: LogicalType;
  readonly expr: Expr;
  readonly exprText: string;
  readonly comment?: string | undefined;
}

/** `name TYPE METADATA [FROM 'key'] [VIRTUAL]`: a value the connector provides besides the payload. */
export interface MetadataColumnDef {
  readonly kind: 'metadata';
  readonly name: string;
  readonly type: LogicalType;
  readonly key: string | undefined;
  readonly virtual: boolean;
  readonly comment?: string | undefined;
}

export type ColumnDef = PhysicalColumnDef | ComputedColumnDef | MetadataColumnDef;

/** `WATERMARK FOR column AS expr`: `column` becomes the rowtime attribute of the table. */
export interface WatermarkDef {
  readonly column: string;
  readonly expr: Expr;
  readonly exprText: string;
}

export interface PrimaryKeyDef {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface CatalogTable {
  readonly kind: 'table';
  /** Declaration order; the table's row type is this order (rowtime column typed `*ROWTIME*`). */
  readonly columns: readonly ColumnDef[];
  readonly watermark: WatermarkDef | null;
  readonly primaryKey: PrimaryKeyDef | null;
  readonly partitionKeys: readonly string[];
  /** The WITH options as written (legacy keys are normalised when the table is planned). */
  readonly options: Readonly<Record<string, string>>;
  readonly comment?: string | undefined;
}

export interface CatalogView {
  readonly kind: 'view';
  /** Output columns (after `CREATE VIEW v (a, b)` renames), with the types the query had when created. */
  readonly schema: RowType;
  readonly query: Query;
  readonly queryText: string;
  /** Column names written in `CREATE VIEW v (a, b)`, applied over the query's own names. */
  readonly columnAliases: readonly string[] | null;
  /** Where unqualified names inside the query resolve (the current catalog/database at CREATE time). */
  readonly defaultCatalog: string;
  readonly defaultDatabase: string;
  readonly comment?: string | undefined;
}

export type CatalogBaseTable = CatalogTable | CatalogView;

export interface CatalogFunction {
  /** The identifier as written in `CREATE FUNCTION … AS '…'`. */
  readonly identifier: string;
  readonly language: string;
  /** Where the implementation lives: `file:/abs/path.js#export` or `builtin:name` (see `UdfCallIR.ref`). */
  readonly ref: string;
}

/** The row type of a table as queries see it: every column (physical, computed, metadata) in order. */
export function tableRowType(table: CatalogTable): RowType {
  return { fields: table.columns.map((c) => ({ name: c.name, type: c.type })) };
}
