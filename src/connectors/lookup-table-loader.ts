/**
 * Reads a lookup join's dimension table in full through its source connector: every split (not only this
 * subtask's: each lookup-join subtask needs the whole table), with the scan's computed columns, filter and
 * projection applied as `SourceSpec` defines them. The lookup-join operator keeps the rows as an in-memory
 * index and calls this again when its cache expires.
 */
import { unsupported } from '../common/index.js';
import { compileCalc, compileProjection, loadUdfs, type ExprIR } from '../expr/index.js';
import type { LookupTableLoader } from '../operators/index.js';
import type { OperatorContext } from '../runtime/index.js';
import type { LookupJoinSpec } from '../spec/index.js';
import type { RecordBatch, RowType } from '../types/index.js';
import type { ConnectorContext } from './connector.js';
import { getSourceConnector } from './connector-registry.js';
import { batchSizeFrom } from './scan-operator.js';

export const loadLookupTable: LookupTableLoader = async (spec: LookupJoinSpec, ctx: OperatorContext): Promise<readonly RecordBatch[]> => {
  const t = spec.table;
  const connector = getSourceConnector(t.connector);
  const cctx: ConnectorContext = {
    tableName: t.tableName,
    options: t.options,
    physicalType: t.physicalType,
    ...(t.partitionKeys ? { partitionKeys: t.partitionKeys } : {}),
    // A cache load reads the table as it is now, once: a batch read even in a streaming job (a Paimon
    // table would otherwise be read continuously).
    config: (key) => (key === 'execution.runtime-mode' ? 'batch' : ctx.config(key)),
  };
  if (!connector.isBounded(cctx)) {
    throw unsupported('OPERATOR.LOOKUP_UNBOUNDED', `lookup table ${t.tableName} (connector '${t.connector}') is unbounded and cannot be loaded into the lookup cache`);
  }
  const exprs: ExprIR[] = t.computed.map((c) => c.expr);
  if (t.filter !== null) exprs.push(t.filter);
  await loadUdfs(exprs);
  const options = { context: { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' } };
  const extended: RowType = { fields: [...t.physicalType.fields, ...t.computed.map((c) => ({ name: c.name, type: c.expr.type }))] };
  const computed = t.computed.length > 0 ? compileProjection(exprs.slice(0, t.computed.length), t.physicalType, options) : null;
  const projection: ExprIR[] = t.projection.map((i) => ({ kind: 'input', index: i, type: extended.fields[i]!.type }));
  const outType: RowType = { fields: t.projection.map((i) => extended.fields[i]!) };
  const calc = compileCalc(projection, t.filter, extended, outType, options);
  const batchSize = batchSizeFrom((k) => ctx.config(k));
  const out: RecordBatch[] = [];
  for (const split of await connector.createSplits(cctx, 1)) {
    const reader = await connector.createReader(cctx, split);
    try {
      for (;;) {
        const physical = await reader.next(batchSize);
        if (physical === null) break;
        if (physical.numRows === 0) continue;
        const batch = computed === null ? physical : { numRows: physical.numRows, kinds: physical.kinds, columns: [...physical.columns, ...computed(physical)] };
        const rows = calc(batch);
        if (rows.numRows > 0) out.push(rows);
      }
    } finally {
      await reader.close();
    }
  }
  return out;
};
