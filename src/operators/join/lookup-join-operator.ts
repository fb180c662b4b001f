/**
 * Lookup join (spec `lookup-join`, Flink's LookupJoin with a full-table cache as its filesystem connector
 * has): enriches each input row with the dimension-table rows whose keys equal the row's keys.
 *
 * The table comes from a `LookupTableLoader` (the connector layer reads the bounded table through its
 * connector); this operator keeps it as one batch plus a hash index from the canonical key encoding to a
 * chain of row numbers (`head` / `next`, no per-row allocation), in table order. The index is a cache:
 * it is reloaded when older than `cacheTtlMs`, rebuilt from the table on every (re)start, and nothing is
 * kept in keyed state (checkpoints need nothing from this operator).
 *
 * Rules (Flink's LookupJoinRunner): every input row keeps its row kind (+I/-U/+U/-D pass through, so an
 * updating input stays updating); an INNER join emits one row per matching table row, a LEFT join emits
 * the input row NULL-padded when nothing matches; an input row with a NULL key matches nothing. With a
 * `lookup_miss` retry, rows without match are looked up again after `fixedDelayMs` against a reloaded
 * table, at most `maxAttempts` retries (a batch waits once per retry, not once per row).
 */
import { internalError } from '../../common/index.js';
import { compileCalc, compileTwoInputPredicate, loadUdfs } from '../../expr/index.js';
import type { ExprIR } from '../../expr/index.js';
import type { Operator, OperatorContext } from '../../runtime/index.js';
import type { LookupJoinSpec } from '../../spec/index.js';
import { encodeBatchKeys } from '../../state/index.js';
import { nullKeyRows } from './join-keys.js';
import { BatchBuilder, concatBatches } from '../../types/index.js';
import type { RecordBatch, RowKind, RowType } from '../../types/index.js';

/**
 * Reads every row of a lookup join's table (`spec.table`: connector, options, computed columns, filter
 * and projection applied, all splits). Called at open and on every reload; must be deterministic for a
 * given table content.
 */
export type LookupTableLoader = (spec: LookupJoinSpec, ctx: OperatorContext) => Promise<readonly RecordBatch[]>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LookupJoinOperator implements Operator {
  private ctx!: OperatorContext;
  private writer!: BatchBuilder;
  private tableCalc: ((batch: RecordBatch) => RecordBatch) | null = null;
  private condition: ((left: RecordBatch, lrow: number, right: RecordBatch, rrow: number) => boolean) | null = null;
  private inputBoolColumns!: ReadonlySet<number>;
  private tableBoolColumns!: ReadonlySet<number>;
  /** The table as joined (after `tableCalc`), one batch. */
  private table: RecordBatch = { numRows: 0, kinds: null, columns: [] };
  /** First table row of each key; `next[row]` chains rows of the same key in table order (-1 ends). */
  private head = new Map<string, number>();
  private next = new Int32Array(0);
  private loadedAt = 0;
  private reloads!: { inc(n?: number): void };
  private misses!: { inc(n?: number): void };

  constructor(
    readonly spec: LookupJoinSpec,
    private readonly loader: LookupTableLoader,
  ) {
    if (spec.inputKeys.length !== spec.tableKeys.length || spec.inputKeys.length === 0) {
      throw internalError(`lookup join: ${spec.inputKeys.length} input keys but ${spec.tableKeys.length} table keys`);
    }
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    const spec = this.spec;
    this.writer = new BatchBuilder(ctx.outputType);
    this.inputBoolColumns = boolColumns(spec.inputType);
    this.tableBoolColumns = boolColumns(spec.tableType);
    const exprs: ExprIR[] = [];
    if (spec.condition !== null) exprs.push(spec.condition);
    if (spec.tableCalc !== null) {
      exprs.push(...spec.tableCalc.projection);
      if (spec.tableCalc.condition !== null) exprs.push(spec.tableCalc.condition);
    }
    await loadUdfs(exprs);
    const context = { timeZone: ctx.config('table.local-time-zone') ?? 'UTC' };
    if (spec.condition !== null) this.condition = compileTwoInputPredicate(spec.condition, spec.inputType, spec.tableType, { context });
    if (spec.tableCalc !== null) {
      const scanType: RowType = { fields: spec.table.projection.map((i) => extendedField(spec, i)) };
      this.tableCalc = compileCalc(spec.tableCalc.projection, spec.tableCalc.condition, scanType, spec.tableType, { context });
    }
    this.reloads = ctx.metrics().counter('lookupTableLoads');
    this.misses = ctx.metrics().counter('lookupMisses');
    await this.load();
  }

  /** (Re)reads the table and rebuilds the index. */
  private async load(): Promise<void> {
    const batches = await this.loader(this.spec, this.ctx);
    const calc = this.tableCalc;
    const joined = calc === null ? batches : batches.map((b) => calc(b));
    const table = joined.length === 0 ? { numRows: 0, kinds: null, columns: this.spec.tableType.fields.map(() => ({ data: [], nulls: null })) } : concatBatches(this.spec.tableType, joined);
    const n = table.numRows;
    const keys = encodeBatchKeys(table, this.spec.tableKeys, this.tableBoolColumns);
    const nullKey = nullKeyRows(table, this.spec.tableKeys);
    const head = new Map<string, number>();
    const next = new Int32Array(n);
    // Built back to front so that each chain lists its rows in table order.
    for (let r = n - 1; r >= 0; r--) {
      if (nullKey !== null && nullKey[r] === 1) continue;
      const k = keys[r]!;
      const h = head.get(k);
      next[r] = h === undefined ? -1 : h;
      head.set(k, r);
    }
    this.table = table;
    this.head = head;
    this.next = next;
    this.loadedAt = this.ctx.processingTime();
    this.reloads.inc();
  }

  async processBatch(input: number, batch: RecordBatch): Promise<void> {
    if (input !== 0) throw internalError(`lookup join has one input, got input ${input}`);
    const n = batch.numRows;
    if (n === 0) return;
    const spec = this.spec;
    if (spec.cacheTtlMs > 0 && this.ctx.processingTime() - this.loadedAt >= spec.cacheTtlMs) await this.load();
    const keys = encodeBatchKeys(batch, spec.inputKeys, this.inputBoolColumns);
    const nullKey = nullKeyRows(batch, spec.inputKeys);
    const retry = spec.retry;
    if (retry !== null) {
      for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
        let missed = false;
        for (let r = 0; r < n && !missed; r++) if ((nullKey === null || nullKey[r] === 0) && !this.hasMatch(batch, r, keys[r]!)) missed = true;
        if (!missed) break;
        await sleep(retry.fixedDelayMs);
        await this.load();
      }
    }
    const w = this.writer;
    const table = this.table;
    const next = this.next;
    const nIn = spec.inputType.fields.length;
    const nTable = spec.tableType.fields.length;
    const kinds = batch.kinds;
    const cond = this.condition;
    const left = spec.joinType === 'LEFT';
    let misses = 0;
    for (let r = 0; r < n; r++) {
      const kind = kinds === null ? 0 : kinds[r]!;
      let matched = false;
      if (nullKey === null || nullKey[r] === 0) {
        for (let t = this.head.get(keys[r]!) ?? -1; t >= 0; t = next[t]!) {
          if (cond !== null && !cond(batch, r, table, t)) continue;
          matched = true;
          w.beginRow(kind as RowKind);
          for (let c = 0; c < nIn; c++) w.copyFrom(c, batch, c, r);
          for (let c = 0; c < nTable; c++) w.copyFrom(nIn + c, table, c, t);
        }
      }
      if (matched) continue;
      misses++;
      if (left) {
        w.beginRow(kind as RowKind);
        for (let c = 0; c < nIn; c++) w.copyFrom(c, batch, c, r);
        for (let c = 0; c < nTable; c++) w.setNull(nIn + c);
      }
    }
    if (misses > 0) this.misses.inc(misses);
    if (w.numRows > 0) this.ctx.emit(w.finish());
  }

  private hasMatch(batch: RecordBatch, r: number, key: string): boolean {
    const cond = this.condition;
    for (let t = this.head.get(key) ?? -1; t >= 0; t = this.next[t]!) {
      if (cond === null || cond(batch, r, this.table, t)) return true;
    }
    return false;
  }

  processWatermark(watermark: number): void {
    this.ctx.emitWatermark(watermark);
  }

  close(): void {
    this.head = new Map();
    this.table = { numRows: 0, kinds: null, columns: [] };
  }
}

/** The scan's output field `i` (an index into the extended row: physical then computed columns). */
function extendedField(spec: LookupJoinSpec, i: number): RowType['fields'][number] {
  const t = spec.table;
  const nPhys = t.physicalType.fields.length;
  if (i < nPhys) return t.physicalType.fields[i]!;
  const c = t.computed[i - nPhys];
  if (c === undefined) throw internalError(`lookup join: table column ${i} out of range`);
  return { name: c.name, type: c.expr.type };
}

function boolColumns(type: RowType): ReadonlySet<number> {
  const out = new Set<number>();
  type.fields.forEach((f, i) => {
    if (f.type.kind === 'BOOLEAN') out.add(i);
  });
  return out;
}
