/**
 * State shared while binding one statement: the planner context, descriptions of user functions (fetched
 * asynchronously before binding so the binder itself stays synchronous), CTEs in scope, the views being
 * expanded (to detect cycles) and the catalog path unqualified names resolve against.
 */
import { FloeError, userError } from '../common/index.js';
import { describeUdf } from '../expr/index.js';
import type { Query } from '../sql/index.js';
import type { LogicalType } from '../types/index.js';
import type { LookupHint } from './lookup-hint.js';
import type { PlannerContext } from './planner-context.js';

export interface UdfDescription {
  readonly returnType: LogicalType | null;
  readonly deterministic: boolean;
}

export interface CteDef {
  readonly query: Query;
  readonly columns: readonly string[] | null;
}

export interface BinderContext {
  readonly planner: PlannerContext;
  readonly udfs: ReadonlyMap<string, UdfDescription | FloeError>;
  /** Innermost WITH last. */
  readonly ctes: readonly ReadonlyMap<string, CteDef>[];
  /** Views being expanded, outermost first (`cat.db.name`). */
  readonly viewStack: readonly string[];
  /** Where unqualified table names resolve; null = the session's current catalog/database. */
  readonly path: { readonly catalog: string; readonly database: string } | null;
  /** `LOOKUP` hints of the innermost SELECT being bound (they name lookup tables of its FROM clause). */
  readonly lookupHints?: readonly LookupHint[];
}

/** Describes every registered user function's implementation (few per session), keeping failures per ref. */
export async function describeUserFunctions(ctx: PlannerContext): Promise<Map<string, UdfDescription | FloeError>> {
  const out = new Map<string, UdfDescription | FloeError>();
  for (const fn of ctx.catalogs.allFunctions()) {
    if (out.has(fn.ref)) continue;
    try {
      out.set(fn.ref, await describeUdf(fn.ref));
    } catch (e) {
      out.set(
        fn.ref,
        e instanceof FloeError ? e : userError('PLAN.UDF_LOAD', `cannot load function implementation '${fn.ref}': ${(e as Error).message}`, { cause: e }),
      );
    }
  }
  return out;
}

export async function newBinderContext(ctx: PlannerContext): Promise<BinderContext> {
  // Table lookups while binding are synchronous: storage-backed catalogs (Paimon) refresh their cache first.
  await ctx.catalogs.refresh();
  return { planner: ctx, udfs: await describeUserFunctions(ctx), ctes: [], viewStack: [], path: null };
}
