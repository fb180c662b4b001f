/**
 * Turns a catalog table into what a scan reads (`ScanTable`): options after legacy-key normalisation and
 * `OPTIONS` hints, validated against the connector; computed columns and the watermark bound to IR; the
 * rowtime column marked; boundedness asked from the connector.
 */
import { unsupported, userError, type SourceSpan } from '../common/index.js';
import type { CatalogTable, ObjectIdentifier } from '../catalog/index.js';
import { formatIdentifier } from '../catalog/index.js';
import { getSourceConnector, normalizeLegacyOptions, validateConnectorOptions } from '../connectors/index.js';
import type { ExprIR } from '../expr/index.js';
import { formatType, isTimestampType, type LogicalType, type RowField, type RowType } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import type { ScanTable } from './logical-plan.js';
import { Scope } from './scope.js';

/**
 * Catalog tables whose legacy-option warning was shown. A table definition is an immutable catalog
 * object, so its identity says "this CREATE TABLE": EXPLAIN and INSERT of the same table warn once, and
 * a re-created table warns again.
 */
const warnedLegacyTables = new WeakSet<CatalogTable>();

/** Options with legacy keys mapped (one warning per table definition) and hint options applied on top. */
export function effectiveOptions(
  ctx: BinderContext,
  id: ObjectIdentifier,
  table: CatalogTable,
  hintOptions: Readonly<Record<string, string>>,
): Record<string, string> {
  const { options, warnings } = normalizeLegacyOptions({ ...table.options, ...hintOptions });
  if (warnings.length > 0 && !warnedLegacyTables.has(table)) {
    warnedLegacyTables.add(table);
    ctx.planner.warn(`table ${formatIdentifier(id)}: ${warnings.join('; ')}`);
  }
  return options;
}

/** The table's row type as queries see it: declaration order, the watermark column typed `*ROWTIME*`. */
export function markRowtime(type: LogicalType, table: CatalogTable, name: string): LogicalType {
  if (table.watermark?.column !== name || !isTimestampType(type)) return type;
  return { ...(type as Extract<LogicalType, { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ' }>), timeAttribute: 'rowtime' };
}

export function buildScanTable(
  ctx: BinderContext,
  id: ObjectIdentifier,
  table: CatalogTable,
  hintOptions: Readonly<Record<string, string>>,
  span: SourceSpan,
): { scan: ScanTable; columnToExtended: number[] } {
  const name = formatIdentifier(id);
  const metadata = table.columns.find((c) => c.kind === 'metadata');
  if (metadata) {
    throw unsupported('PLAN.UNSUPPORTED_METADATA', `table ${name}: metadata column '${metadata.name}' cannot be read yet`, { span });
  }
  const options = effectiveOptions(ctx, id, table, hintOptions);
  const connectorName = options['connector'];
  if (!connectorName) {
    throw userError('PLAN.NO_CONNECTOR', `table ${name} has no 'connector' option`, { span, help: `add WITH ('connector' = '…')` });
  }
  const physical: RowField[] = [];
  const physicalPos = new Map<string, number>();
  for (const c of table.columns) {
    if (c.kind !== 'physical') continue;
    physicalPos.set(c.name, physical.length);
    physical.push({ name: c.name, type: c.type });
  }
  // With the physical row type, connectors also check the table's shape (nexmark's columns, datagen's fields.*).
  const partitionKeys = table.partitionKeys.map((k) => physicalPos.get(k)!);
  validateConnectorOptions('source', name, options, { fields: physical }, partitionKeys);
  const connector = getSourceConnector(connectorName);
  const physicalType: RowType = { fields: physical };
  const physicalBinder = new ExprBinder(Scope.of(null, physicalType), { ...ctx, path: { catalog: id.catalog, database: id.database } }, 'computed column');
  const computed: { name: string; expr: ExprIR }[] = [];
  const extended: RowField[] = physical.map((f) => ({ name: f.name, type: markRowtime(f.type, table, f.name) }));
  const columnToExtended: number[] = [];
  for (const c of table.columns) {
    if (c.kind === 'physical') {
      columnToExtended.push(physicalPos.get(c.name)!);
    } else if (c.kind === 'computed') {
      const expr = physicalBinder.bind(c.expr);
      columnToExtended.push(extended.length);
      computed.push({ name: c.name, expr });
      extended.push({ name: c.name, type: markRowtime(expr.type, table, c.name) });
    }
  }
  const extendedType: RowType = { fields: extended };
  let watermark: ScanTable['watermark'] = null;
  if (table.watermark) {
    const rowtimeIndex = extended.findIndex((f) => f.name === table.watermark!.column);
    const rowtime = extended[rowtimeIndex];
    if (!rowtime || !isTimestampType(rowtime.type)) {
      throw userError('PLAN.BAD_WATERMARK', `table ${name}: the watermark column '${table.watermark.column}' must be a TIMESTAMP(3) or TIMESTAMP_LTZ(3) column${rowtime ? `, not ${formatType(rowtime.type)}` : ''}`, { span });
    }
    const expr = new ExprBinder(Scope.of(null, extendedType), ctx, 'watermark').bind(table.watermark.expr);
    if (!isTimestampType(expr.type)) {
      throw userError('PLAN.BAD_WATERMARK', `table ${name}: the watermark expression must return a timestamp, not ${formatType(expr.type)}`, { span });
    }
    watermark = { rowtimeIndex, expr };
  }
  const bounded = connector.isBounded({
    tableName: name,
    options,
    physicalType,
    partitionKeys,
    config: (key: string) => ctx.planner.config[key],
  });
  return {
    scan: {
      id,
      connector: connectorName,
      options,
      physicalType,
      partitionKeys,
      computed,
      extendedType,
      watermark,
      bounded,
      ...(table.primaryKey ? { primaryKey: table.primaryKey.columns.map((c) => extended.findIndex((f) => f.name === c)) } : {}),
    },
    columnToExtended,
  };
}
