/**
 * INSERT INTO: resolves the sink table, binds the query, and maps the query's columns onto the sink's
 * physical columns BY POSITION (Flink's rule; nexmark q7 relies on it), or onto an explicit column list,
 * with static `PARTITION (k = v)` values filled in and missing columns set to NULL. Each value gets an
 * implicit cast to the column type (PLAN.TYPE_MISMATCH when no implicit cast exists).
 *
 * INSERT OVERWRITE binds the same way and marks the sink target with what it overwrites (see
 * `checkOverwrite`; the physical planner hands it to the Paimon committer).
 */
import { FloeErrors, unsupported, userError, type FloeError } from '../common/index.js';
import { formatIdentifier } from '../catalog/index.js';
import { PAIMON_CONNECTOR, getSinkConnector, validateConnectorOptions } from '../connectors/index.js';
import { canCastImplicitly, encodeLiteral, evaluateConstant } from '../expr/index.js';
import type { ExprIR, JsonValue } from '../expr/index.js';
import type { InsertStatement } from '../sql/index.js';
import { formatType, withoutTimeAttribute, type RowField } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { castIfNeeded, inputRef, literal } from './ir-utils.js';
import type { LogicalNode } from './logical-plan.js';
import type { PlanRoot, SinkTarget } from './physical-planner.js';
import { runtimeMode } from './planner-context.js';
import { bindQuery, makeCalc } from './query-binder.js';
import { effectiveOptions } from './scan-table.js';
import { Scope } from './scope.js';

export function bindInsert(ins: InsertStatement, ctx: BinderContext): PlanRoot {
  const parts = ins.target.parts.map((p) => p.value);
  const resolved = ctx.planner.catalogs.resolveTable(parts, ins.target.span);
  const name = formatIdentifier(resolved.id);
  if (resolved.table.kind === 'view') {
    throw userError('PLAN.INSERT_INTO_VIEW', `cannot INSERT INTO view ${name}; INSERT needs a table with a connector`, { span: ins.target.span });
  }
  const table = resolved.table;
  const hints: Record<string, string> = {};
  for (const h of ins.targetHints) if (h.name.value.toUpperCase() === 'OPTIONS') for (const o of h.options) hints[o.key] = o.value;
  const options = effectiveOptions(ctx, resolved.id, table, hints);
  const connectorName = options['connector'];
  if (!connectorName) throw userError('PLAN.NO_CONNECTOR', `table ${name} has no 'connector' option`, { span: ins.target.span });
  if (ins.overwrite) checkOverwrite(ins, ctx, name, connectorName);
  const metadata = table.columns.find((c) => c.kind === 'metadata' && !c.virtual);
  if (metadata) throw unsupported('PLAN.UNSUPPORTED_METADATA', `table ${name}: writing metadata column '${metadata.name}' is not supported yet`, { span: ins.target.span });

  const columns: RowField[] = table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: withoutTimeAttribute(c.type) }));
  const schema = { fields: columns };
  const colIndex = (n: string) => columns.findIndex((c) => c.name === n);
  const partitionKeys = table.partitionKeys.map(colIndex);
  validateConnectorOptions('sink', name, options, schema, partitionKeys);
  const connector = getSinkConnector(connectorName);

  // Static partition values and the target column list.
  const staticValues = new Map<number, ExprIR>();
  const constBinder = new ExprBinder(Scope.empty(), ctx, 'VALUES');
  for (const p of ins.partition) {
    const i = colIndex(p.key.value);
    if (i < 0) throw userError('PLAN.UNKNOWN_COLUMN', `partition column '${p.key.value}' not found in table ${name}`, { span: p.key.span });
    staticValues.set(i, constBinder.bind(p.value));
  }
  let targets: number[];
  if (ins.columns) {
    targets = ins.columns.map((c) => {
      const i = colIndex(c.value);
      if (i < 0) throw userError('PLAN.UNKNOWN_COLUMN', `column '${c.value}' not found in table ${name}`, { span: c.span });
      return i;
    });
  } else {
    targets = columns.map((_, i) => i).filter((i) => !staticValues.has(i));
  }
  const query: LogicalNode = bindQuery(ins.query, ctx);
  const qf = query.rowType.fields;
  if (qf.length !== targets.length) {
    throw userError(
      'PLAN.INSERT_COLUMN_COUNT',
      `INSERT INTO ${name}: the query produces ${qf.length} column${qf.length === 1 ? '' : 's'} but the target has ${targets.length} (${targets.map((i) => columns[i]!.name).join(', ')})`,
      { span: ins.query.span },
    );
  }
  const errors: FloeError[] = [];
  const fromQuery = new Map(targets.map((t, q) => [t, q]));
  const projection: ExprIR[] = columns.map((col, i) => {
    const q = fromQuery.get(i);
    const value = q !== undefined ? inputRef(q, qf[q]!.type) : staticValues.get(i) ?? literal(null, col.type);
    if (value.type.kind !== 'NULL' && !canCastImplicitly(value.type, col.type) && !sameKindIgnoringTime(value.type, col.type)) {
      const what = q !== undefined ? `query column ${q + 1} ('${qf[q]!.name}')` : `the value for '${col.name}'`;
      errors.push(
        userError('PLAN.TYPE_MISMATCH', `INSERT INTO ${name}: ${what} has type ${formatType(value.type)}, which cannot be written to column '${col.name}' ${formatType(col.type)}`, {
          span: ins.query.span,
          help: 'add an explicit CAST',
        }),
      );
      return value;
    }
    return castIfNeeded(value, col.type);
  });
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new FloeErrors(errors);
  const sink: SinkTarget = {
    connector: connectorName,
    tableName: name,
    options,
    schema,
    partitionKeys,
    primaryKey: table.primaryKey ? table.primaryKey.columns.map(colIndex) : null,
    acceptsUpdates: typeof connector.acceptsUpdates === 'function' ? connector.acceptsUpdates(options) : connector.acceptsUpdates,
    ...(ins.overwrite ? { overwrite: { staticPartition: staticPartitionSpec(ins, staticValues, columns, partitionKeys, name) } } : {}),
  };
  return { node: makeCalc(query, projection, columns.map((c) => c.name)), sink };
}

/**
 * INSERT OVERWRITE, as Flink: batch mode only (a streaming job has no end at which to replace the old
 * data), and only into tables whose connector can replace data atomically — `paimon`, with an OVERWRITE
 * snapshot. The filesystem connector's partition directories are not replaced (yet).
 */
function checkOverwrite(ins: InsertStatement, ctx: BinderContext, name: string, connectorName: string): void {
  if (connectorName !== PAIMON_CONNECTOR) {
    throw unsupported('PLAN.UNSUPPORTED_OVERWRITE', `INSERT OVERWRITE into ${name} is not supported: connector '${connectorName}' cannot replace existing data`, {
      span: ins.span,
      notes: [`INSERT OVERWRITE is supported for '${PAIMON_CONNECTOR}' tables only (the 'filesystem' connector does not replace partitions yet)`],
      help: 'use INSERT INTO to append',
    });
  }
  if (runtimeMode(ctx.planner.config) !== 'batch') {
    throw unsupported('PLAN.OVERWRITE_STREAMING', `INSERT OVERWRITE into ${name} is only supported in batch mode`, {
      span: ins.span,
      help: "SET 'execution.runtime-mode' = 'batch';",
    });
  }
}

/** The static partition of an INSERT OVERWRITE: each PARTITION value cast to its column and encoded as a literal. */
function staticPartitionSpec(
  ins: InsertStatement,
  staticValues: ReadonlyMap<number, ExprIR>,
  columns: readonly RowField[],
  partitionKeys: readonly number[],
  name: string,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [i, value] of staticValues) {
    const col = columns[i]!;
    const p = ins.partition.find((q) => q.key.value === col.name);
    if (!partitionKeys.includes(i)) {
      // What an overwrite replaces is a set of partitions; a value for another column names none.
      const keys = partitionKeys.map((k) => columns[k]!.name);
      throw userError('PLAN.NOT_A_PARTITION_COLUMN', `INSERT OVERWRITE ${name}: '${col.name}' is not a partition column (partition columns: ${keys.length === 0 ? 'none' : keys.join(', ')})`, {
        span: p?.key.span ?? ins.span,
      });
    }
    let v: unknown;
    try {
      v = evaluateConstant(castIfNeeded(value, col.type));
    } catch (e) {
      throw userError('PLAN.BAD_PARTITION_VALUE', `INSERT OVERWRITE ${name}: the value of partition column '${col.name}' cannot be computed (${(e as Error).message})`, { span: p?.value.span ?? ins.span });
    }
    out[col.name] = encodeLiteral(v, col.type);
  }
  return out;
}

function sameKindIgnoringTime(a: ExprIR['type'], b: ExprIR['type']): boolean {
  return formatType(withoutTimeAttribute({ ...a, nullable: true } as ExprIR['type'])) === formatType({ ...b, nullable: true } as ExprIR['type']);
}
