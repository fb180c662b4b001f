/**
 * Merge-on-read for primary-key tables, one bucket at a time.
 *
 * Each data file of a bucket is a sorted run: rows ordered by primary key, at most one row per key, each
 * with a `_SEQUENCE_NUMBER` and a row kind. The runs are merged with a k-way heap merge by (key,
 * sequence number); the rows of one key form a group, ordered by the user sequence fields
 * (`sequence.field`, when set) and then the sequence number, and the table's merge engine folds the
 * group into at most one result row:
 *
 * - `deduplicate`: the last row wins; a last row of kind -U/-D removes the key (with `ignore-delete`,
 *   retractions are skipped instead);
 * - `first-row`: the first +I/+U row wins, retractions are ignored;
 * - `partial-update`: non-null fields of later rows overwrite earlier ones; retractions are skipped with
 *   `ignore-delete` / `partial-update.ignore-delete`, reset the key with
 *   `partial-update.remove-record-on-delete`, and are an error otherwise (as in Paimon).
 *
 * - `aggregation`: every column folds with its aggregator (`merge-aggregate.ts`); -U/-D retract, and with
 *   `aggregation.remove-record-on-delete` a -D removes the key;
 * - `partial-update` with sequence groups: a group's columns take a row's values (NULLs included) only
 *   when the row's group sequence is not older than the stored one, and are retracted (set NULL, or the
 *   aggregator's retraction) by -U/-D rows; a row whose group sequence fields are all NULL leaves the
 *   group alone.
 *
 * The last two need per-column settings (`MergeSpec.fields`, from `mergeSettingsOf`); `mergeEngineOf`
 * alone refuses them (`LAKE.UNSUPPORTED_MERGE_ENGINE`) so a caller that cannot supply them stays correct.
 */
import { internalError, ioError, unsupported } from '../common/index.js';
import { RowKind, compareValues, type LogicalType } from '../types/index.js';
import type { FieldAggregator } from './merge-aggregate.js';
import { fieldMergeOf, type FieldMergeSpec, type MergeFieldsSchema, type SequenceGroup } from './merge-fields.js';

/** One data file's rows, columns in read-schema order, with system columns and deleted-row mask. */
export interface KvRun {
  readonly file: string;
  readonly numRows: number;
  readonly columns: readonly unknown[][];
  readonly sequence: Float64Array;
  readonly kinds: Uint8Array;
  /** 1 = deleted by a deletion vector. */
  readonly deleted: Uint8Array | null;
}

export type MergeEngineName = 'deduplicate' | 'first-row' | 'partial-update' | 'aggregation';

export interface MergeSpec {
  readonly engine: MergeEngineName;
  readonly keyIndexes: readonly number[];
  readonly keyTypes: readonly LogicalType[];
  /** Columns of `sequence.field`, compared before the sequence number. */
  readonly sequenceIndexes: readonly number[];
  readonly sequenceTypes: readonly LogicalType[];
  readonly ignoreDelete: boolean;
  readonly removeRecordOnDelete: boolean;
  readonly tableName: string;
  /** Per-column settings: required for `aggregation` and partial-update sequence groups. */
  readonly fields?: FieldMergeSpec;
}

/** Receives merged rows: either a whole row of a run, or a row assembled by the merge (partial update). */
export interface MergedRowSink {
  copyRow(run: KvRun, row: number): void;
  appendValues(values: readonly unknown[]): void;
}

function parseMergeEngine(options: Readonly<Record<string, string>>, tableName: string): MergeEngineName {
  const engine = (options['merge-engine'] ?? 'deduplicate').toLowerCase();
  if (engine !== 'deduplicate' && engine !== 'first-row' && engine !== 'partial-update' && engine !== 'aggregation') {
    throw unsupported('LAKE.UNSUPPORTED_MERGE_ENGINE', `table ${tableName}: unknown merge engine '${engine}'`);
  }
  return engine;
}

/**
 * The merge engine of a table and its per-column settings (aggregators, sequence groups), checked
 * against the columns the merge sees (`schema`, in run column order). Use for `MergeSpec.engine` and
 * `MergeSpec.fields`.
 */
export function mergeSettingsOf(
  options: Readonly<Record<string, string>>,
  schema: MergeFieldsSchema,
  tableName: string,
): { readonly engine: MergeEngineName; readonly fields: FieldMergeSpec | undefined } {
  const engine = parseMergeEngine(options, tableName);
  return { engine, fields: fieldMergeOf(engine, options, schema, tableName) };
}

function compareNullable(a: unknown, b: unknown, type: LogicalType): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareValues(a, b, type);
}

function isRetract(kind: number): boolean {
  return kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE;
}

/** Min-heap of run indices by (key at cursor, sequence number at cursor, run index). */
class RunHeap {
  private readonly heap: number[] = [];
  constructor(
    private readonly runs: readonly KvRun[],
    private readonly pos: Int32Array,
    private readonly spec: MergeSpec,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  peek(): number {
    return this.heap[0]!;
  }

  compareKeys(ra: number, a: number, rb: number, b: number): number {
    const { keyIndexes, keyTypes } = this.spec;
    const ca = this.runs[ra]!.columns;
    const cb = this.runs[rb]!.columns;
    for (let k = 0; k < keyIndexes.length; k++) {
      const c = keyIndexes[k]!;
      const d = compareNullable(ca[c]![a], cb[c]![b], keyTypes[k]!);
      if (d !== 0) return d;
    }
    return 0;
  }

  private less(x: number, y: number): boolean {
    const px = this.pos[x]!, py = this.pos[y]!;
    const d = this.compareKeys(x, px, y, py);
    if (d !== 0) return d < 0;
    const sx = this.runs[x]!.sequence[px]!, sy = this.runs[y]!.sequence[py]!;
    if (sx !== sy) return sx < sy;
    return x < y;
  }

  push(run: number): void {
    const h = this.heap;
    h.push(run);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Receives, for every key that has rows in a level-0 run, its merged value without the level-0 rows
 * (`before`: what the higher levels hold) and with them (`after`); null when the key has no live row.
 * Values are in the runs' column order; the arrays are the callee's to keep. `beforeSeq` / `afterSeq` are
 * the largest sequence numbers of the rows folded into each.
 */
export interface LookupGroupSink {
  group(before: unknown[] | null, beforeSeq: number, after: unknown[] | null, afterSeq: number): void;
}

/** The level-0 runs of a merge and where their keys' before/after values go (`mergeRuns`). */
export interface LookupMerge {
  /** 1 for a run of a level-0 file. */
  readonly level0: Uint8Array;
  readonly sink: LookupGroupSink;
}

/** Captures the one row a fold emits (or none) as a fresh value array. */
class CaptureSink implements MergedRowSink {
  values: unknown[] | null = null;
  copyRow(run: KvRun, row: number): void {
    const cols = run.columns;
    const v = new Array<unknown>(cols.length);
    for (let c = 0; c < cols.length; c++) v[c] = cols[c]![row] ?? null;
    this.values = v;
  }
  appendValues(values: readonly unknown[]): void {
    this.values = values.slice();
  }
}

/**
 * Merges the runs of one bucket into `sink`, in key order. Rows masked by a deletion vector are skipped
 * before merging. A run whose keys go backwards is reported as corrupt (the merge would be wrong).
 *
 * With `lookup` (the `lookup` changelog producer's compaction), every key with a row in a level-0 run is
 * also folded without its level-0 rows, and both results go to `lookup.sink`: the higher levels hold
 * the state before the level-0 files were written, so this is Paimon's look-up of the previous value.
 */
export function mergeRuns(runs: readonly KvRun[], spec: MergeSpec, sink: MergedRowSink, lookup?: LookupMerge): void {
  const capture = lookup === undefined ? null : new CaptureSink();
  const beforeRuns: number[] = [];
  const beforeRows: number[] = [];
  const pos = new Int32Array(runs.length);
  const heap = new RunHeap(runs, pos, spec);
  const advance = (r: number): void => {
    const run = runs[r]!;
    const del = run.deleted;
    while (pos[r]! < run.numRows && del !== null && del[pos[r]!] === 1) pos[r]!++;
    if (pos[r]! < run.numRows) heap.push(r);
  };
  for (let r = 0; r < runs.length; r++) advance(r);
  const groupRuns: number[] = [];
  const groupRows: number[] = [];
  while (heap.size > 0) {
    groupRuns.length = 0;
    groupRows.length = 0;
    const first = heap.pop();
    const firstRow = pos[first]!;
    groupRuns.push(first);
    groupRows.push(firstRow);
    pos[first]!++;
    advanceChecked(first, firstRow);
    while (heap.size > 0) {
      const next = heap.peek();
      if (heap.compareKeys(next, pos[next]!, first, firstRow) !== 0) break;
      heap.pop();
      groupRuns.push(next);
      groupRows.push(pos[next]!);
      const row = pos[next]!;
      pos[next]!++;
      advanceChecked(next, row);
    }
    if (lookup === undefined) foldGroup(runs, groupRuns, groupRows, spec, sink);
    else lookupGroup(lookup);
  }

  function lookupGroup(lk: LookupMerge): void {
    beforeRuns.length = 0;
    beforeRows.length = 0;
    let beforeSeq = -1, afterSeq = -1;
    for (let i = 0; i < groupRuns.length; i++) {
      const seq = runs[groupRuns[i]!]!.sequence[groupRows[i]!]!;
      if (seq > afterSeq) afterSeq = seq;
      if (lk.level0[groupRuns[i]!] === 1) continue;
      beforeRuns.push(groupRuns[i]!);
      beforeRows.push(groupRows[i]!);
      if (seq > beforeSeq) beforeSeq = seq;
    }
    // No level-0 row: the key is not new in this compaction and has no changelog.
    if (beforeRuns.length === groupRuns.length) {
      foldGroup(runs, groupRuns, groupRows, spec, sink);
      return;
    }
    const cap = capture!;
    cap.values = null;
    if (beforeRuns.length > 0) foldGroup(runs, beforeRuns, beforeRows, spec, cap);
    const before = cap.values;
    cap.values = null;
    foldGroup(runs, groupRuns, groupRows, spec, cap);
    const after = cap.values;
    if (after !== null) sink.appendValues(after);
    lk.sink.group(before, beforeSeq, after, afterSeq);
  }

  function advanceChecked(r: number, prevRow: number): void {
    advance(r);
    const p = pos[r]!;
    if (p < runs[r]!.numRows && heap.compareKeys(r, p, r, prevRow) < 0) {
      throw ioError('LAKE.UNSORTED_RUN', `table ${spec.tableName}: data file '${runs[r]!.file}' is not sorted by primary key (row ${p})`);
    }
  }
}

function foldGroup(runs: readonly KvRun[], gRuns: number[], gRows: number[], spec: MergeSpec, sink: MergedRowSink): void {
  const n = gRuns.length;
  // The heap yields a group in sequence-number order; user sequence fields come first when present.
  if (spec.sequenceIndexes.length > 0 && n > 1) {
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((x, y) => {
      for (let k = 0; k < spec.sequenceIndexes.length; k++) {
        const c = spec.sequenceIndexes[k]!;
        const d = compareNullable(runs[gRuns[x]!]!.columns[c]![gRows[x]!], runs[gRuns[y]!]!.columns[c]![gRows[y]!], spec.sequenceTypes[k]!);
        if (d !== 0) return d;
      }
      const sx = runs[gRuns[x]!]!.sequence[gRows[x]!]!, sy = runs[gRuns[y]!]!.sequence[gRows[y]!]!;
      return sx - sy || x - y;
    });
    const r2 = order.map((i) => gRuns[i]!);
    const w2 = order.map((i) => gRows[i]!);
    for (let i = 0; i < n; i++) {
      gRuns[i] = r2[i]!;
      gRows[i] = w2[i]!;
    }
  }
  switch (spec.engine) {
    case 'deduplicate': {
      for (let i = n - 1; i >= 0; i--) {
        const run = runs[gRuns[i]!]!;
        const row = gRows[i]!;
        if (isRetract(run.kinds[row]!)) {
          if (spec.ignoreDelete) continue;
          return;
        }
        sink.copyRow(run, row);
        return;
      }
      return;
    }
    case 'first-row': {
      for (let i = 0; i < n; i++) {
        const run = runs[gRuns[i]!]!;
        const row = gRows[i]!;
        if (isRetract(run.kinds[row]!)) continue;
        sink.copyRow(run, row);
        return;
      }
      return;
    }
    case 'partial-update': {
      if (spec.fields !== undefined) {
        if (n === 1) {
          passThrough(runs[gRuns[0]!]!, gRows[0]!, sink);
          return;
        }
        foldPartialUpdateGroups(runs, gRuns, gRows, spec, spec.fields, sink);
        return;
      }
      let acc: unknown[] | null = null;
      for (let i = 0; i < n; i++) {
        const run = runs[gRuns[i]!]!;
        const row = gRows[i]!;
        if (isRetract(run.kinds[row]!)) {
          if (spec.ignoreDelete) continue;
          if (spec.removeRecordOnDelete && run.kinds[row] === RowKind.DELETE) {
            acc = null;
            continue;
          }
          throw unsupported(
            'LAKE.PARTIAL_UPDATE_DELETE',
            `table ${spec.tableName}: partial-update cannot apply a ${run.kinds[row] === RowKind.DELETE ? '-D' : '-U'} record (file '${run.file}')`,
            { help: "set 'ignore-delete' = 'true' or 'partial-update.remove-record-on-delete' = 'true'" },
          );
        }
        const cols = run.columns;
        if (acc === null) acc = new Array<unknown>(cols.length).fill(null);
        for (let c = 0; c < cols.length; c++) {
          const v = cols[c]![row];
          if (v !== null && v !== undefined) acc[c] = v;
        }
      }
      if (acc !== null) sink.appendValues(acc);
      return;
    }
    case 'aggregation': {
      if (spec.fields === undefined) throw internalError(`table ${spec.tableName}: aggregation merge without column settings (use mergeSettingsOf)`);
      if (n === 1) {
        passThrough(runs[gRuns[0]!]!, gRows[0]!, sink);
        return;
      }
      foldAggregation(runs, gRuns, gRows, spec, spec.fields, sink);
      return;
    }
  }
}

/**
 * A key with a single row is not merged (Paimon's ReducerMergeFunctionWrapper returns it as is): a +I/+U
 * row is the result, a -U/-D row leaves no row. This matters for aggregators whose first fold differs
 * from the input (`count` turns a lone value into 1).
 */
function passThrough(run: KvRun, row: number, sink: MergedRowSink): void {
  if (!isRetract(run.kinds[row]!)) sink.copyRow(run, row);
}

function resetAggregators(aggs: readonly (FieldAggregator | null)[]): void {
  for (let c = 0; c < aggs.length; c++) aggs[c]?.reset();
}

/** Paimon's AggregateMergeFunction: every column folds with its aggregator, retractions included. */
function foldAggregation(runs: readonly KvRun[], gRuns: number[], gRows: number[], spec: MergeSpec, fm: FieldMergeSpec, sink: MergedRowSink): void {
  const aggs = fm.aggregators;
  resetAggregators(aggs);
  let acc: unknown[] | null = null;
  for (let i = 0; i < gRuns.length; i++) {
    const run = runs[gRuns[i]!]!;
    const row = gRows[i]!;
    const kind = run.kinds[row]!;
    const retract = isRetract(kind);
    if (retract && spec.ignoreDelete) continue;
    if (kind === RowKind.DELETE && fm.removeRecordOnDelete) {
      // The key is gone; a later row starts a fresh aggregate.
      acc = null;
      resetAggregators(aggs);
      continue;
    }
    const cols = run.columns;
    if (acc === null) acc = new Array<unknown>(cols.length).fill(null);
    for (let c = 0; c < cols.length; c++) {
      const v = cols[c]![row] ?? null;
      const agg = aggs[c]!;
      acc[c] = retract ? agg.retract(acc[c], v) : agg.agg(acc[c], v);
    }
  }
  if (acc !== null) sink.appendValues(acc);
}

const GROUP_SKIP = 0, GROUP_NEWER = 1, GROUP_OLDER = 2;

/** Whether the row's group sequence is not older (NEWER), older, or absent (all NULL: SKIP). */
function groupState(cols: readonly unknown[][], row: number, g: SequenceGroup, acc: readonly unknown[]): number {
  let allNull = true;
  for (let k = 0; k < g.seqIndexes.length; k++) if ((cols[g.seqIndexes[k]!]![row] ?? null) !== null) allNull = false;
  if (allNull) return GROUP_SKIP;
  for (let k = 0; k < g.seqIndexes.length; k++) {
    const c = g.seqIndexes[k]!;
    const d = compareNullable(cols[c]![row] ?? null, acc[c] ?? null, g.seqTypes[k]!);
    if (d !== 0) return d > 0 ? GROUP_NEWER : GROUP_OLDER;
  }
  return GROUP_NEWER;
}

/**
 * Paimon's PartialUpdateMergeFunction with sequence groups. Columns outside groups take non-null values
 * (or fold with their aggregator); a group's columns follow the rules in the module comment. The key has
 * a row only when a +I/+U row was folded after the last removal.
 */
function foldPartialUpdateGroups(runs: readonly KvRun[], gRuns: number[], gRows: number[], spec: MergeSpec, fm: FieldMergeSpec, sink: MergedRowSink): void {
  const aggs = fm.aggregators;
  const groups = fm.groups;
  const groupOf = fm.groupOf;
  resetAggregators(aggs);
  const state = new Uint8Array(groups.length);
  let acc: unknown[] | null = null;
  let live = false;
  for (let i = 0; i < gRuns.length; i++) {
    const run = runs[gRuns[i]!]!;
    const row = gRows[i]!;
    const kind = run.kinds[row]!;
    const retract = isRetract(kind);
    if (retract && spec.ignoreDelete) continue;
    const cols = run.columns;
    if (acc === null) acc = new Array<unknown>(cols.length).fill(null);
    // Decide every group against the stored sequences before any column changes.
    let remove = false;
    for (let g = 0; g < groups.length; g++) {
      state[g] = groupState(cols, row, groups[g]!, acc);
      if (kind === RowKind.DELETE && groups[g]!.removeRecord && state[g] === GROUP_NEWER) remove = true;
    }
    if (remove) {
      acc = null;
      live = false;
      resetAggregators(aggs);
      continue;
    }
    for (let c = 0; c < cols.length; c++) {
      const v = cols[c]![row] ?? null;
      const agg = aggs[c] ?? null;
      const g = groupOf[c]!;
      if (g === -1) {
        if (retract) continue;
        if (agg !== null) acc[c] = agg.agg(acc[c], v);
        else if (v !== null) acc[c] = v;
        continue;
      }
      const st = state[g]!;
      if (st === GROUP_SKIP) continue;
      if (st === GROUP_NEWER) {
        if (fm.isGroupSequence[c] === 1) acc[c] = v;
        else if (retract) acc[c] = agg === null ? null : agg.retract(acc[c], v);
        else acc[c] = agg === null ? v : agg.agg(acc[c], v);
      } else if (agg !== null) {
        acc[c] = retract ? agg.retract(acc[c], v) : agg.aggReversed(acc[c], v);
      }
    }
    if (!retract) live = true;
  }
  if (acc !== null && live) sink.appendValues(acc);
}
