/**
 * User-defined scalar functions (`UdfCallIR`). Implementations are found by `ref`:
 * - `file:/abs/path/udf.js#exportName`: a JS module on disk; `loadUdfs` imports it (once per process) before
 *   compiling. The export is a function (optionally with `returnType`/`deterministic` properties), or an
 *   object `{ eval(...args), returnType?: 'BIGINT', deterministic? }`.
 * - `builtin:name`: a JS implementation Floe ships (`registerBuiltinUdf`), e.g. `builtin:count_char`.
 *
 * UDFs receive NULL arguments as `null` (they decide what NULL means, like Flink's eval methods) and return a
 * JS value per the value table; `undefined` is read as NULL.
 */
import { pathToFileURL } from 'node:url';
import { userError } from '../common/index.js';
import { parseTypeString, type LogicalType } from '../types/index.js';
import type { ExprIR } from './ir.js';

export type UdfFunction = (...args: unknown[]) => unknown;

export interface UdfObject {
  eval(...args: unknown[]): unknown;
  /** A type string, e.g. 'BIGINT', 'DECIMAL(10, 2)', 'STRING'. */
  readonly returnType?: string;
  readonly deterministic?: boolean;
}

export type UdfImplementation = UdfFunction | UdfObject;

export interface LoadedUdf {
  readonly fn: UdfFunction;
  readonly returnType: LogicalType | null;
  readonly deterministic: boolean;
}

const loaded = new Map<string, LoadedUdf>();

function normalise(ref: string, impl: unknown): LoadedUdf {
  // A plain function may carry its metadata as properties (`fn.returnType = 'BIGINT'`).
  const isFunction = typeof impl === 'function';
  if (isFunction || (impl !== null && typeof impl === 'object' && typeof (impl as UdfObject).eval === 'function')) {
    const o = impl as UdfObject;
    let returnType: LogicalType | null = null;
    if (o.returnType !== undefined) {
      try {
        returnType = parseTypeString(o.returnType);
      } catch (cause) {
        throw userError('EXPR.UDF_TYPE', `function ${ref} declares returnType '${o.returnType}', which is not a type`, { cause });
      }
    }
    const fn = isFunction ? (impl as UdfFunction) : (o.eval.bind(o) as UdfFunction);
    return { fn, returnType, deterministic: o.deterministic ?? true };
  }
  throw userError('EXPR.UDF_SHAPE', `function ${ref} must export a function or an object with an eval(...) method`);
}

/** Registers an implementation for `builtin:<name>` refs. */
export function registerBuiltinUdf(name: string, impl: UdfImplementation): void {
  loaded.set(`builtin:${name}`, normalise(`builtin:${name}`, impl));
}

function moduleUrl(ref: string): { url: string; exportName: string } {
  const hash = ref.indexOf('#');
  const location = hash < 0 ? ref : ref.slice(0, hash);
  const exportName = hash < 0 ? 'default' : ref.slice(hash + 1) || 'default';
  const url = location.startsWith('file://') ? location : pathToFileURL(location.slice('file:'.length)).href;
  return { url, exportName };
}

async function loadOne(ref: string): Promise<LoadedUdf> {
  const hit = loaded.get(ref);
  if (hit) return hit;
  if (ref.startsWith('builtin:')) {
    throw userError('EXPR.UDF_NOT_FOUND', `no built-in implementation '${ref.slice('builtin:'.length)}' for a user function`, {
      help: 'built-in implementations: ' + [...loaded.keys()].filter((k) => k.startsWith('builtin:')).join(', '),
    });
  }
  if (!ref.startsWith('file:')) throw userError('EXPR.UDF_NOT_FOUND', `unsupported function reference '${ref}' (expected file:… or builtin:…)`);
  const { url, exportName } = moduleUrl(ref);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw userError('EXPR.UDF_LOAD', `cannot load the module of function ${ref}: ${(cause as Error).message}`, { cause });
  }
  if (!(exportName in mod)) {
    throw userError('EXPR.UDF_NOT_FOUND', `module ${url} has no export '${exportName}'`, { notes: [`exports: ${Object.keys(mod).join(', ')}`] });
  }
  const udf = normalise(ref, mod[exportName]);
  loaded.set(ref, udf);
  return udf;
}

function collectRefs(expr: ExprIR, out: Set<string>): void {
  switch (expr.kind) {
    case 'udf':
      out.add(expr.ref);
      for (const a of expr.args) collectRefs(a, out);
      break;
    case 'call':
      for (const a of expr.args) collectRefs(a, out);
      break;
    case 'cast':
    case 'field':
      collectRefs(expr.arg, out);
      break;
    case 'case':
      for (const b of expr.branches) {
        collectRefs(b.when, out);
        collectRefs(b.then, out);
      }
      if (expr.else) collectRefs(expr.else, out);
      break;
    default:
      break;
  }
}

/** Imports every UDF module the expressions refer to (call before `compile*`; cached per process). */
export async function loadUdfs(exprs: readonly ExprIR[]): Promise<void> {
  const refs = new Set<string>();
  for (const e of exprs) collectRefs(e, refs);
  for (const ref of refs) await loadOne(ref);
}

/** Loads a UDF and reports what the planner needs: its declared return type (if any) and determinism. */
export async function describeUdf(ref: string): Promise<{ returnType: LogicalType | null; deterministic: boolean }> {
  const udf = await loadOne(ref);
  return { returnType: udf.returnType, deterministic: udf.deterministic };
}

/** The loaded implementation; throws EXPR.UDF_NOT_LOADED naming the function when `loadUdfs` was not called. */
export function getLoadedUdf(name: string, ref: string): LoadedUdf {
  const udf = loaded.get(ref);
  if (udf === undefined) {
    throw userError('EXPR.UDF_NOT_LOADED', `user function ${name} (${ref}) is not loaded`, {
      help: 'call loadUdfs(expressions) before compiling expressions that use user functions',
    });
  }
  return udf;
}

// ---------------------------------------------------------------------------------------------------------
// Built-in implementations

/**
 * nexmark's `com.github.nexmark.flink.udf.CountChar`: occurrences of the first character of `c` in `s`;
 * 0 when s is NULL.
 */
export function countChar(s: unknown, c: unknown): number {
  if (s === null || s === undefined || c === null || c === undefined || (c as string).length === 0) return 0;
  const str = s as string;
  const ch = (c as string).charCodeAt(0);
  let n = 0;
  for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) === ch) n++;
  return n;
}

registerBuiltinUdf('count_char', { eval: countChar, returnType: 'BIGINT NOT NULL', deterministic: true });
