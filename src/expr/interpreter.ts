/**
 * A plain tree-walking evaluator over JS rows: the reference semantics for `compile.ts` (property tests compare
 * the two), constant folding, and a debugging fallback. Rows are arrays of JS values per the value table.
 */
import { internalError } from '../common/index.js';
import { castKernel, type CastFn } from './cast.js';
import { DEFAULT_EVAL_CONTEXT, type EvalContext, type Implementation, type ScalarFunctionDef } from './functions/function-def.js';
import { lookupScalar } from './functions/registry.js';
import type { CallIR, CastIR, ExprIR, LiteralIR } from './ir.js';
import { decodeLiteral } from './literal.js';
import { getLoadedUdf } from './udf.js';

export interface Interpreter {
  evaluate(expr: ExprIR, row: readonly unknown[]): unknown;
}

/** An interpreter for one session context; it caches kernels per IR node. */
export function createInterpreter(ctx: EvalContext = DEFAULT_EVAL_CONTEXT): Interpreter {
  const kernels = new WeakMap<CallIR, { def: ScalarFunctionDef; impl: Implementation }>();
  const casts = new WeakMap<CastIR, CastFn | null>();
  const literals = new WeakMap<LiteralIR, unknown>();

  function callOf(e: CallIR): { def: ScalarFunctionDef; impl: Implementation } {
    let hit = kernels.get(e);
    if (hit === undefined) {
      const def = lookupScalar(e.fn);
      if (def === undefined) throw internalError(`expression uses unknown function '${e.fn}'`);
      hit = { def, impl: def.implement(e.args.map((a) => a.type), e.type, ctx) };
      kernels.set(e, hit);
    }
    return hit;
  }

  function evaluate(e: ExprIR, row: readonly unknown[]): unknown {
    switch (e.kind) {
      case 'input':
        return row[e.index] ?? null;
      case 'literal': {
        if (literals.has(e)) return literals.get(e);
        const v = decodeLiteral(e.value, e.type);
        literals.set(e, v);
        return v;
      }
      case 'cast': {
        const v = evaluate(e.arg, row);
        if (v === null) return null;
        let k = casts.get(e);
        if (k === undefined) {
          k = castKernel(e.arg.type, e.type, ctx);
          casts.set(e, k);
        }
        if (k === null) return v;
        if (!e.safe) return k(v) ?? null;
        try {
          return k(v) ?? null;
        } catch {
          return null;
        }
      }
      case 'case':
        for (const b of e.branches) if (evaluate(b.when, row) === true) return evaluate(b.then, row);
        return e.else === null ? null : evaluate(e.else, row);
      case 'field': {
        const r = evaluate(e.arg, row) as unknown[] | null;
        return r === null ? null : r[e.index] ?? null;
      }
      case 'udf': {
        const udf = getLoadedUdf(e.name, e.ref);
        const out = udf.fn(...e.args.map((a) => evaluate(a, row))) ?? null;
        if (out === null) return null;
        if (e.type.kind === 'BOOLEAN') return out === true;
        return typeof out === 'bigint' && e.type.kind !== 'DECIMAL' ? Number(out) : out;
      }
      case 'call':
        return evalCall(e, row);
    }
  }

  function evalCall(e: CallIR, row: readonly unknown[]): unknown {
    const { def, impl } = callOf(e);
    switch (def.names[0]) {
      case 'AND': {
        let sawNull = false;
        for (const a of e.args) {
          const v = evaluate(a, row);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      }
      case 'OR': {
        let sawNull = false;
        for (const a of e.args) {
          const v = evaluate(a, row);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      }
      case 'IF':
        return evaluate(e.args[0]!, row) === true ? evaluate(e.args[1]!, row) : evaluate(e.args[2]!, row);
      case 'COALESCE':
      case 'IFNULL':
        for (const a of e.args) {
          const v = evaluate(a, row);
          if (v !== null) return v;
        }
        return null;
      default:
        break;
    }
    const args = e.args.map((a) => evaluate(a, row));
    if (def.nulls === 'strict' && args.some((a) => a === null)) return null;
    const out = impl.kernel(...args);
    return out === undefined ? null : out;
  }

  return { evaluate };
}

const defaultInterpreter = createInterpreter(DEFAULT_EVAL_CONTEXT);

/** Evaluates an expression over one row of JS values (the reference semantics of `compile*`). */
export function evaluate(expr: ExprIR, row: readonly unknown[], ctx?: EvalContext): unknown {
  return (ctx === undefined || ctx === DEFAULT_EVAL_CONTEXT ? defaultInterpreter : createInterpreter(ctx)).evaluate(expr, row);
}

/** Evaluates an expression without inputs (literals, casts of literals, deterministic calls). */
export function evaluateConstant(expr: ExprIR, ctx?: EvalContext): unknown {
  return evaluate(expr, [], ctx);
}
