/**
 * Per-column merge settings of a primary-key table, from its options: the aggregators of the `aggregation`
 * merge engine and the sequence groups (`fields.<seq>.sequence-group`) and aggregators of `partial-update`.
 * Built once per table schema (`fieldMergeOf`) and carried by the `MergeSpec` (`merge-read.ts`).
 *
 * Option rules follow Paimon:
 * - aggregation: every non-key column gets `fields.<f>.aggregate-function`, else
 *   `fields.default-aggregate-function`, else `last_non_null_value`; primary-key columns keep their value;
 * - partial-update: `fields.<s1>[,<s2>].sequence-group` = 'a,b' makes a group of a, b and its sequence
 *   fields; a column belongs to at most one group; aggregate functions need sequence groups
 *   (`fields.default-aggregate-function` applies to the grouped non-sequence columns only);
 *   `partial-update.remove-record-on-delete` cannot be combined with sequence groups;
 *   `partial-update.remove-record-on-sequence-group` names sequence fields whose -D removes the row.
 */
import { unsupported, userError } from '../common/index.js';
import type { LogicalType } from '../types/index.js';
import { booleanOption, createFieldAggregator, type FieldAggregator } from './merge-aggregate.js';
import type { MergeEngineName } from './merge-read.js';

/** A partial-update sequence group: its sequence columns (compared in order) and all its columns. */
export interface SequenceGroup {
  readonly seqIndexes: readonly number[];
  readonly seqTypes: readonly LogicalType[];
  /** 1 for a column of the group (its sequence columns included). */
  readonly members: Uint8Array;
  /** A -D record that updates this group removes the whole row (`remove-record-on-sequence-group`). */
  readonly removeRecord: boolean;
}

export interface FieldMergeSpec {
  /** Per column: its aggregator, or null (partial-update column without a function, sequence columns). */
  readonly aggregators: readonly (FieldAggregator | null)[];
  /** Per column: index into `groups`, -1 for none. */
  readonly groupOf: Int32Array;
  readonly groups: readonly SequenceGroup[];
  /** 1 for a sequence column of a group (updated with its group, never aggregated). */
  readonly isGroupSequence: Uint8Array;
  /** `aggregation.remove-record-on-delete`: a -D record removes the row. */
  readonly removeRecordOnDelete: boolean;
}

/** The columns a merge sees: names and types in run column order, and the primary key names. */
export interface MergeFieldsSchema {
  readonly fields: readonly { readonly name: string; readonly type: LogicalType }[];
  readonly primaryKeys: readonly string[];
}

const GROUP_PREFIX = 'fields.';
const GROUP_SUFFIX = '.sequence-group';

function splitNames(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/**
 * The per-column merge settings of a table with `engine`, or undefined when the engine needs none
 * (deduplicate, first-row, plain partial-update).
 */
export function fieldMergeOf(
  engine: MergeEngineName,
  options: Readonly<Record<string, string>>,
  schema: MergeFieldsSchema,
  tableName: string,
): FieldMergeSpec | undefined {
  if (engine !== 'aggregation' && engine !== 'partial-update') return undefined;
  const what = `table ${tableName}`;
  const n = schema.fields.length;
  const index = (name: string, role: string): number => {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw userError('LAKE.BAD_TABLE_OPTION', `${what}: ${role} '${name}' is not a column`);
    return i;
  };
  const groupKeys = Object.keys(options).filter((k) => k.startsWith(GROUP_PREFIX) && k.endsWith(GROUP_SUFFIX));
  const aggregators: (FieldAggregator | null)[] = new Array<FieldAggregator | null>(n).fill(null);
  const groupOf = new Int32Array(n).fill(-1);
  const isGroupSequence = new Uint8Array(n);
  const groups: SequenceGroup[] = [];
  const defaultFn = options['fields.default-aggregate-function'];
  const fnOf = (f: string): string | undefined => options[`fields.${f}.aggregate-function`];

  if (engine === 'aggregation') {
    if (groupKeys.length > 0) {
      throw unsupported('LAKE.UNSUPPORTED_MERGE_ENGINE', `${what}: sequence groups ('${groupKeys[0]}') with merge engine 'aggregation' are not supported`);
    }
    for (let i = 0; i < n; i++) {
      const f = schema.fields[i]!;
      const fn = fnOf(f.name) ?? defaultFn ?? 'last_non_null_value';
      aggregators[i] = createFieldAggregator(fn, f.name, f.type, schema.primaryKeys.includes(f.name), options, tableName);
    }
    return { aggregators, groupOf, groups, isGroupSequence, removeRecordOnDelete: booleanOption(options, 'aggregation.remove-record-on-delete', what) };
  }

  const removeOn = new Set(splitNames(options['partial-update.remove-record-on-sequence-group'] ?? '').map((s) => index(s, 'sequence field of remove-record-on-sequence-group')));
  for (const key of groupKeys) {
    const seqNames = splitNames(key.slice(GROUP_PREFIX.length, key.length - GROUP_SUFFIX.length));
    const g = groups.length;
    const members = new Uint8Array(n);
    const seqIndexes = seqNames.map((s) => index(s, 'sequence field'));
    const claim = (i: number): void => {
      if (groupOf[i] !== -1 && groupOf[i] !== g) {
        throw userError('LAKE.BAD_TABLE_OPTION', `${what}: field '${schema.fields[i]!.name}' is defined repeatedly by multiple sequence groups`);
      }
      groupOf[i] = g;
      members[i] = 1;
    };
    for (const s of seqIndexes) {
      claim(s);
      isGroupSequence[s] = 1;
    }
    for (const name of splitNames(options[key]!)) claim(index(name, `field of '${key}'`));
    groups.push({
      seqIndexes,
      seqTypes: seqIndexes.map((i) => schema.fields[i]!.type),
      members,
      removeRecord: seqIndexes.some((i) => removeOn.has(i)),
    });
  }
  if (removeOn.size > 0 && groups.every((g) => !g.removeRecord)) {
    throw userError('LAKE.BAD_TABLE_OPTION', `${what}: 'partial-update.remove-record-on-sequence-group' must name sequence fields of sequence groups`);
  }
  let anyAgg = false;
  for (let i = 0; i < n; i++) {
    const f = schema.fields[i]!;
    if (schema.primaryKeys.includes(f.name) || isGroupSequence[i] === 1) continue;
    const fn = fnOf(f.name) ?? (groupOf[i] !== -1 ? defaultFn : undefined);
    if (fn === undefined) continue;
    aggregators[i] = createFieldAggregator(fn, f.name, f.type, false, options, tableName);
    anyAgg = true;
  }
  if (groups.length === 0) {
    if (anyAgg) throw userError('LAKE.BAD_TABLE_OPTION', `${what}: partial-update aggregate functions need sequence groups ('fields.<seq>.sequence-group')`);
    return undefined;
  }
  if (booleanOption(options, 'partial-update.remove-record-on-delete', what)) {
    throw userError('LAKE.BAD_TABLE_OPTION', `${what}: sequence groups and 'partial-update.remove-record-on-delete' cannot be enabled together`);
  }
  return { aggregators, groupOf, groups, isGroupSequence, removeRecordOnDelete: false };
}
