/**
 * Row-kind sets per plan edge, as Flink's changelog-mode inference tracks them (`[I]`, `[I,UA]`,
 * `[I,UB,UA]`, `[I,UB,UA,D]`), and their mapping to the spec's three stream modes.
 */
import type { ChangelogMode } from '../spec/index.js';

export const KIND_I = 1;
export const KIND_UB = 2;
export const KIND_UA = 4;
export const KIND_D = 8;

/** Bit set of the row kinds an edge may carry. */
export type RowKinds = number;

export const isUpdating = (kinds: RowKinds): boolean => (kinds & ~KIND_I) !== 0;

/** Flink's EXPLAIN spelling. */
export function formatKinds(kinds: RowKinds): string {
  const out: string[] = [];
  if (kinds & KIND_I) out.push('I');
  if (kinds & KIND_UB) out.push('UB');
  if (kinds & KIND_UA) out.push('UA');
  if (kinds & KIND_D) out.push('D');
  return `[${out.join(',')}]`;
}

/**
 * Insert-only when only +I; upsert on `key` when updates carry no -U but rows are identified by a key;
 * retract otherwise (-U present, or deletions/updates without a known key carry the full old row).
 */
export function toChangelogMode(kinds: RowKinds, upsertKey: readonly number[] | null): ChangelogMode {
  if (!isUpdating(kinds)) return { kind: 'insert-only' };
  if (kinds & KIND_UB || upsertKey === null) return { kind: 'retract' };
  return { kind: 'upsert', key: upsertKey };
}

export function formatChangelogMode(mode: ChangelogMode): string {
  switch (mode.kind) {
    case 'insert-only':
      return 'insert-only';
    case 'retract':
      return 'retract';
    case 'upsert':
      return `upsert[${mode.key.join(', ')}]`;
  }
}
