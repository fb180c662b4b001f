/**
 * Small constructors for IR nodes that apply `resolveFunction` and insert the casts it asks for — what the
 * planner does for each call. Used by tests across layers and handy for hand-built operator specs.
 */
import { type LogicalType } from '../types/index.js';
import type { ExprIR } from './ir.js';
import { encodeLiteral } from './literal.js';
import { needsCast, resolveFunction } from './resolve.js';

export const IR = {
  input: (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type }),
  /** A literal from its JS value (bigint for DECIMAL's unscaled value, numbers for times). */
  literal: (value: unknown, type: LogicalType): ExprIR => ({ kind: 'literal', value: encodeLiteral(value, type), type }),
  cast: (arg: ExprIR, type: LogicalType, safe = false): ExprIR => ({ kind: 'cast', arg, type, safe }),
  /** A resolved call with implicit casts inserted where the function wants other argument types. */
  call(fn: string, ...args: ExprIR[]): ExprIR {
    const literals = args.map((a) => (a.kind === 'literal' ? a.value : undefined));
    const r = resolveFunction(fn, args.map((a) => a.type), literals);
    const cast = args.map((a, i): ExprIR => (needsCast(a.type, r.argTypes[i]!) ? { kind: 'cast', arg: a, type: r.argTypes[i]!, safe: false } : a));
    return { kind: 'call', fn: r.fn, args: cast, type: r.returnType };
  },
  caseWhen(branches: readonly [ExprIR, ExprIR][], otherwise: ExprIR | null, type: LogicalType): ExprIR {
    return { kind: 'case', branches: branches.map(([when, then]) => ({ when, then })), else: otherwise, type };
  },
} as const;
