/**
 * Helpers that generated code may call as `H.name(...)` (inline templates of function definitions use them).
 * The compiler passes exactly this object; nothing else outside the generated function is reachable by name.
 */
import { runtimeError } from '../../common/index.js';
import { compareStrings } from '../../types/index.js';

function divZero(): never {
  throw runtimeError('EXPR.DIVISION_BY_ZERO', 'division by zero', {
    help: 'guard the divisor, e.g. CASE WHEN b <> 0 THEN a / b END, or use a DOUBLE operand (→ Infinity/NaN)',
  });
}

export const HELPERS = Object.freeze({
  divZero,
  cmpStr: compareStrings,
  /** Java int/long remainder (sign of the dividend), with the division-by-zero error. */
  imod(a: number, b: number): number {
    if (b === 0) divZero();
    return (a % b) + 0; // + 0 turns JS's -0 into 0: Java integers have no negative zero
  },
  /** Java integer division (truncating), with the division-by-zero error. */
  idiv(a: number, b: number): number {
    if (b === 0) divZero();
    return Math.trunc(a / b) + 0;
  },
});

export type Helpers = typeof HELPERS;
