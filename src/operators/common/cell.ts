/**
 * Reading single cells of a batch and comparing result values: small helpers the stateful operators use
 * where they must touch individual values (accumulator arguments, rows kept in state).
 */
import type { Column } from '../../types/index.js';
import { encodeValue } from '../../state/index.js';

/**
 * The JS value of one cell (`null` for SQL NULL). `isBool` says the column is BOOLEAN (stored 0/1), so
 * the value is returned as a boolean as the value table requires.
 */
export function readCell(col: Column, row: number, isBool: boolean): unknown {
  if (col.nulls !== null && col.nulls[row] === 1) return null;
  const v = col.data[row];
  if (isBool) return v === 1;
  return v === undefined ? null : v;
}

/** True when the cell is SQL NULL. */
export function isNullCell(col: Column, row: number): boolean {
  return col.nulls !== null ? col.nulls[row] === 1 : col.data[row] === null || col.data[row] === undefined;
}

/**
 * SQL-value equality for deciding whether an aggregate result changed: primitives by `===` (bigint
 * included), NaN equal to NaN, nested values (arrays, maps, bytes) by canonical encoding.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  if (ta !== typeof b) return false;
  if (ta === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (ta === 'object') return encodeValue(a) === encodeValue(b);
  return false;
}

/** Element-wise `sameValue` over `len` values of two arrays. */
export function sameValues(a: readonly unknown[], b: readonly unknown[], len = a.length): boolean {
  for (let i = 0; i < len; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}
