/**
 * The `lookup` changelog producer's merge of one bucket: the compaction of a bucket that holds level-0
 * files, which also yields the changelog of the keys those files hold (Paimon's
 * `LookupChangelogMergeFunctionWrapper` and, for `first-row`, `FirstRowMergeFunctionWrapper`).
 *
 * For every key with a level-0 record, BEFORE is the key's merged value in the higher levels (the table
 * before the level-0 files were written) and AFTER its value with them, both folded by the table's merge
 * engine (`merge-read.ts`); a key without a live row (deleted, or never added) has none. Then:
 * - `first-row`: +I AFTER when there is no BEFORE (a key's first row never changes afterwards);
 * - other engines: no BEFORE → +I AFTER (if any); BEFORE but no AFTER → -D BEFORE; both → -U BEFORE,
 *   +U AFTER — also when they are equal, unless `changelog-producer.row-deduplicate` = true (then equal
 *   rows, ignoring the columns of `changelog-producer.row-deduplicate-ignore-fields`, give nothing).
 * Keys without a level-0 record are only rewritten. The changelog of a key comes out in key order,
 * -U before +U; each record carries the largest sequence number of the rows its value folds.
 *
 * Values leave in the Floe value representation (`finishValue`), ready for `WriteLayout.writeFile`.
 */
import { RowKind, type LogicalType } from '../types/index.js';
import { finishValue, needsFinish } from './data-file-reader.js';
import { mergeRuns, type KvRun, type LookupGroupSink, type MergeSpec, type MergedRowSink } from './merge-read.js';

/** A merged bucket: its rows (one per live key, key order) and its changelog records. */
export interface LookupMergeResult {
  readonly rows: unknown[][];
  readonly changelogRows: unknown[][];
  readonly changelogKinds: number[];
  readonly changelogSeqs: number[];
}

export interface LookupChangelogOptions {
  readonly firstRow: boolean;
  /** `changelog-producer.row-deduplicate`: no -U/+U pair for a key whose row did not change. */
  readonly rowDeduplicate: boolean;
  /** Column indexes left out of that comparison (`changelog-producer.row-deduplicate-ignore-fields`). */
  readonly ignoreColumns: readonly number[];
}

/** Reads the lookup changelog options of a table (`columns`: its column names, in schema order). */
export function lookupChangelogOptions(options: Readonly<Record<string, string>>, columns: readonly string[]): LookupChangelogOptions {
  const ignored = (options['changelog-producer.row-deduplicate-ignore-fields'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return {
    firstRow: (options['merge-engine'] ?? 'deduplicate').toLowerCase() === 'first-row',
    rowDeduplicate: (options['changelog-producer.row-deduplicate'] ?? 'false').toLowerCase() === 'true',
    ignoreColumns: ignored.map((n) => columns.indexOf(n)).filter((i) => i >= 0),
  };
}

/** Structural equality of two values of the Floe representation (nested rows, arrays, maps, bytes). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return typeof a === typeof b && a !== a && b !== b; // NaN = NaN
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** Collects the merged rows and the changelog of one bucket (see the module comment). */
class LookupCollector implements MergedRowSink, LookupGroupSink {
  readonly rows: unknown[][] = [];
  readonly changelogRows: unknown[][] = [];
  readonly changelogKinds: number[] = [];
  readonly changelogSeqs: number[] = [];
  private readonly finish: boolean[];
  private readonly compared: boolean[];

  constructor(
    private readonly types: readonly LogicalType[],
    private readonly options: LookupChangelogOptions,
  ) {
    this.finish = types.map(needsFinish);
    this.compared = types.map((_, i) => !options.ignoreColumns.includes(i));
  }

  /** Converts raw file values in place (the arrays come fresh from the merge). */
  private finished(values: unknown[]): unknown[] {
    for (let c = 0; c < values.length; c++) {
      const v = values[c] ?? null;
      values[c] = this.finish[c] ? finishValue(v, this.types[c]!) : v;
    }
    return values;
  }

  copyRow(run: KvRun, row: number): void {
    const cols = run.columns;
    const v = new Array<unknown>(cols.length);
    for (let c = 0; c < cols.length; c++) v[c] = cols[c]![row] ?? null;
    this.rows.push(this.finished(v));
  }

  appendValues(values: readonly unknown[]): void {
    // The lookup merge hands AFTER here and then to `group`: convert a copy, keep `values` raw.
    this.rows.push(this.finished(values.slice()));
  }

  group(before: unknown[] | null, beforeSeq: number, after: unknown[] | null, afterSeq: number): void {
    if (this.options.firstRow) {
      if (before === null && after !== null) this.emit(RowKind.INSERT, after, afterSeq);
      return;
    }
    if (before === null) {
      if (after !== null) this.emit(RowKind.INSERT, after, afterSeq);
      return;
    }
    if (after === null) {
      this.emit(RowKind.DELETE, before, beforeSeq);
      return;
    }
    if (this.options.rowDeduplicate && this.equalRows(before, after)) return;
    this.emit(RowKind.UPDATE_BEFORE, before, beforeSeq);
    this.emit(RowKind.UPDATE_AFTER, after, afterSeq);
  }

  private equalRows(a: readonly unknown[], b: readonly unknown[]): boolean {
    for (let c = 0; c < a.length; c++) if (this.compared[c] && !sameValue(a[c] ?? null, b[c] ?? null)) return false;
    return true;
  }

  private emit(kind: number, values: readonly unknown[], seq: number): void {
    this.changelogRows.push(this.finished(values.slice()));
    this.changelogKinds.push(kind);
    this.changelogSeqs.push(seq);
  }
}

/**
 * Merges the runs of one bucket (`level0[i]` = 1 when run i is a level-0 file) into its compacted rows
 * and the lookup changelog of its level-0 keys. `types`: the column types of the runs.
 */
export function lookupMerge(runs: readonly KvRun[], level0: Uint8Array, spec: MergeSpec, types: readonly LogicalType[], options: LookupChangelogOptions): LookupMergeResult {
  const collector = new LookupCollector(types, options);
  mergeRuns(runs, spec, collector, { level0, sink: collector });
  return collector;
}
