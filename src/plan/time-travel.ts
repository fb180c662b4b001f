/**
 * `SELECT … FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '…'` on a table whose connector can time-travel
 * (it declares Flink's `scan.timestamp-millis` option, as the `paimon` connector does): the constant
 * instant becomes that option, exactly as if written in an `OPTIONS` hint. A TIMESTAMP is read in the
 * session time zone (`table.local-time-zone`), as Flink does; a TIMESTAMP_LTZ is already an instant.
 * Elsewhere FOR SYSTEM_TIME AS OF belongs to the right side of a temporal or lookup join.
 */
import { unsupported, userError } from '../common/index.js';
import { getSourceConnector } from '../connectors/index.js';
import { evaluateConstant } from '../expr/index.js';
import type { Expr, TableName } from '../sql/index.js';
import { formatType, localToUtc } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { Scope } from './scope.js';

export const TIME_TRAVEL_OPTION = 'scan.timestamp-millis';

/** Whether `ref` (already known not to be a CTE) names a table that can be read as of a time. */
export function canTimeTravel(ref: TableName, ctx: BinderContext): boolean {
  const parts = ref.name.parts.map((p) => p.value);
  const path = ctx.path;
  const full = path === null || parts.length === 3 ? parts : parts.length === 2 ? [path.catalog, ...parts] : [path.catalog, path.database, ...parts];
  const id = ctx.planner.catalogs.getTable(ctx.planner.catalogs.qualify(full, ref.name.span));
  if (id === undefined || id.table.kind !== 'table') return false;
  const connector = id.table.options['connector'];
  if (connector === undefined) return false;
  try {
    return getSourceConnector(connector).options.some((o) => o.key === TIME_TRAVEL_OPTION && o.prefix !== true);
  } catch {
    return false; // an unknown connector is reported when the scan is built
  }
}

export function unsupportedTimeTravel(ref: TableName): never {
  throw unsupported('PLAN.UNSUPPORTED_TEMPORAL_JOIN', 'FOR SYSTEM_TIME AS OF is only supported on the right side of a JOIN (a lookup or temporal join) or on a table that keeps snapshots (paimon)', { span: ref.span });
}

/** The epoch-millisecond instant of a constant `FOR SYSTEM_TIME AS OF` expression, as option text. */
export function timeTravelMillis(expr: Expr, ctx: BinderContext): string {
  // Bound like a VALUES item: a constant expression over no columns.
  const ir = new ExprBinder(Scope.empty(), ctx, 'VALUES').bind(expr);
  if (ir.type.kind !== 'TIMESTAMP' && ir.type.kind !== 'TIMESTAMP_LTZ') {
    throw userError('PLAN.BAD_TIME_TRAVEL', `FOR SYSTEM_TIME AS OF needs a constant TIMESTAMP or TIMESTAMP_LTZ, not ${formatType(ir.type)}`, { span: expr.span });
  }
  const tz = ctx.planner.config['table.local-time-zone'] ?? 'UTC';
  const value = evaluateConstant(ir, { timeZone: tz });
  if (typeof value !== 'number') {
    throw userError('PLAN.BAD_TIME_TRAVEL', 'FOR SYSTEM_TIME AS OF needs a constant, non-NULL time', { span: expr.span });
  }
  return String(Math.floor(ir.type.kind === 'TIMESTAMP' ? localToUtc(value, tz) : value));
}
