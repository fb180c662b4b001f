/**
 * Binds scalar expressions (AST → typed IR) over a scope: name resolution, literal typing, function
 * resolution with implicit casts (the expression layer says which type each argument must have; the binder
 * inserts `cast` nodes), CASE/BETWEEN/IN/IS rewrites and time-attribute rules.
 *
 * Time attributes (Flink): a plain column reference keeps its `*ROWTIME*`/`*PROCTIME*` marker; any other
 * expression over it (a function, CAST, CASE) produces a regular timestamp ("materialised").
 *
 * Aggregation: with an `AggregateScope` the binder runs in "grouped" mode: an expression that equals a
 * GROUP BY expression (structurally, after binding) becomes a reference to that key; an aggregate call
 * becomes a reference to its result; a bare column that is neither is PLAN.NOT_GROUPED.
 */
import { FloeError, unsupported, userError, type SourceSpan } from '../common/index.js';
import {
  canCastExplicitly,
  decodeLiteral,
  isAggregateFunction,
  leastRestrictiveType,
  resolveAggregate,
  resolveFunction,
} from '../expr/index.js';
import type { CallIR, ExprIR } from '../expr/index.js';
import type { Expr, FunctionCall } from '../sql/index.js';
import type { AggregateCall } from '../spec/index.js';
import { Types, formatType, withNullable, withoutTimeAttribute, type LogicalType } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { castIfNeeded, exprDigest, inputIndices, literal } from './ir-utils.js';
import { binaryLiteral, intervalLiteral, numericLiteral, stringLiteral, temporalLiteral } from './literals.js';
import { accessField, type Scope } from './scope.js';
import { logicalTypeFromAst } from './type-from-ast.js';

/** Which clause is being bound (decides the error for a misplaced aggregate). */
export type Clause = 'SELECT' | 'WHERE' | 'QUALIFY' | 'GROUP BY' | 'HAVING' | 'ON' | 'VALUES' | 'aggregate argument' | 'computed column' | 'watermark' | 'window argument';

/** Niladic functions Flink accepts without parentheses. */
const NILADIC = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP', 'CURRENT_ROW_TIMESTAMP', 'NOW']);

/**
 * The GROUP BY state of one SELECT: the pre-aggregation calc's expressions (group keys first), and the
 * aggregate calls found so far. Output of the aggregate = keys, then aggregates.
 */
export class AggregateScope {
  readonly keyCount: number;
  readonly preExprs: ExprIR[] = [];
  readonly preNames: string[] = [];
  readonly calls: AggregateCall[] = [];
  private readonly preIndex = new Map<string, number>();
  private readonly callIndex = new Map<string, number>();
  readonly inputBinder: ExprBinder;

  constructor(inputBinder: ExprBinder, keys: readonly ExprIR[], keyNames: readonly string[]) {
    this.inputBinder = inputBinder;
    keys.forEach((k, i) => this.pre(k, keyNames[i]));
    this.keyCount = this.preExprs.length;
  }

  /** Index of `e` among the pre-aggregation columns, appending it if new. */
  pre(e: ExprIR, name?: string): number {
    const d = exprDigest(e);
    const found = this.preIndex.get(d);
    if (found !== undefined) return found;
    const i = this.preExprs.length;
    this.preExprs.push(e);
    this.preNames.push(name ?? `$f${i}`);
    this.preIndex.set(d, i);
    return i;
  }

  keyIndexOf(e: ExprIR): number | undefined {
    const i = this.preIndex.get(exprDigest(e));
    return i !== undefined && i < this.keyCount ? i : undefined;
  }

  keyType(i: number): LogicalType {
    return withoutTimeAttribute(this.preExprs[i]!.type);
  }

  addCall(call: AggregateCall): number {
    const d = JSON.stringify([call.fn, call.args, call.argTypes, call.distinct, call.filterArg, call.type]);
    const found = this.callIndex.get(d);
    if (found !== undefined) return found;
    this.calls.push(call);
    this.callIndex.set(d, this.calls.length - 1);
    return this.calls.length - 1;
  }
}

export class ExprBinder {
  readonly scope: Scope;
  readonly ctx: BinderContext;
  readonly clause: Clause;
  readonly agg: AggregateScope | null;
  /**
   * Calls the query binder has already planned, by AST node, and the column that holds each result:
   * `f() OVER (…)` (a Top-N's ROW_NUMBER) and legacy group window functions (`SESSION_START(…)`). Any
   * other OVER call is PLAN.UNSUPPORTED_OVER.
   */
  readonly overRefs: ReadonlyMap<FunctionCall, ExprIR> | null;

  constructor(scope: Scope, ctx: BinderContext, clause: Clause, agg: AggregateScope | null = null, overRefs: ReadonlyMap<FunctionCall, ExprIR> | null = null) {
    this.scope = scope;
    this.ctx = ctx;
    this.clause = clause;
    this.agg = agg;
    this.overRefs = overRefs;
  }

  /** The same scope for another clause (or in grouped mode). */
  withClause(clause: Clause, agg: AggregateScope | null = this.agg): ExprBinder {
    return new ExprBinder(this.scope, this.ctx, clause, agg, this.overRefs);
  }

  /** The same binder resolving the given OVER calls to columns. */
  withOverRefs(overRefs: ReadonlyMap<FunctionCall, ExprIR>): ExprBinder {
    return new ExprBinder(this.scope, this.ctx, this.clause, this.agg, overRefs);
  }

  bind(ast: Expr): ExprIR {
    const agg = this.agg;
    if (agg === null) return this.bindNode(ast);
    if (ast.kind === 'FunctionCall' && !ast.over && isAggregateName(ast)) return this.bindAggregateCall(ast, agg);
    if (!containsAggregate(ast)) {
      const ir = agg.inputBinder.withClause(this.clause, null).bind(ast);
      const key = agg.keyIndexOf(ir);
      if (key !== undefined) return { kind: 'input', index: key, type: agg.keyType(key) };
      if (inputIndices(ir).size === 0) return ir;
      if (ast.kind === 'ColumnRef' || ast.kind === 'FieldAccess') {
        throw userError('PLAN.NOT_GROUPED', `expression '${exprText(ast)}' is not being grouped`, {
          span: ast.span,
          help: 'add it to GROUP BY or use it inside an aggregate function such as MAX()',
        });
      }
    }
    return this.bindNode(ast);
  }

  /** Binds and requires a BOOLEAN result (WHERE, HAVING, ON, FILTER, CASE WHEN). */
  bindCondition(ast: Expr): ExprIR {
    const ir = this.bind(ast);
    if (ir.type.kind !== 'BOOLEAN' && ir.type.kind !== 'NULL') {
      throw userError('PLAN.TYPE_MISMATCH', `${this.clause === 'SELECT' ? 'condition' : this.clause + ' condition'} must be BOOLEAN, got ${formatType(ir.type)}`, { span: ast.span });
    }
    return ir.type.kind === 'NULL' ? literal(null, Types.boolean()) : ir;
  }

  // ---------------------------------------------------------------------------------------------------

  private bindNode(ast: Expr): ExprIR {
    switch (ast.kind) {
      case 'Literal':
        switch (ast.literalType) {
          case 'number':
            return numericLiteral(ast.value, false, ast);
          case 'string':
            return stringLiteral(ast.value);
          case 'boolean':
            return literal(ast.value.toUpperCase() === 'TRUE', Types.boolean(false));
          case 'unknown':
            return literal(null, Types.boolean());
          case 'null':
            return literal(null, Types.null());
          case 'binary':
            return binaryLiteral(ast);
          default:
            return temporalLiteral(ast);
        }
      case 'IntervalLiteral':
        return intervalLiteral(ast);
      case 'ColumnRef': {
        try {
          return this.scope.resolve(ast.parts, ast.span);
        } catch (e) {
          const only = ast.parts.length === 1 ? ast.parts[0]! : undefined;
          if (only && !only.quoted && NILADIC.has(only.value.toUpperCase())) return this.call(only.value.toUpperCase(), [], ast.span);
          throw e;
        }
      }
      case 'Binary': {
        const l = this.bind(ast.left);
        const r = this.bind(ast.right);
        return this.call(ast.op, [l, r], ast.span);
      }
      case 'Unary': {
        if (ast.op === '-' && ast.operand.kind === 'Literal' && ast.operand.literalType === 'number') {
          return numericLiteral(ast.operand.value, true, ast.operand);
        }
        const x = this.bind(ast.operand);
        if (ast.op === '+') return x;
        return this.call(ast.op === 'NOT' ? 'NOT' : 'NEGATE', [x], ast.span);
      }
      case 'IsNull':
        return this.call(ast.negated ? 'IS NOT NULL' : 'IS NULL', [this.bind(ast.operand)], ast.span);
      case 'IsBool': {
        const x = this.bind(ast.operand);
        const test = ast.value === 'UNKNOWN' ? this.call('IS NULL', [x], ast.span) : this.call(`IS ${ast.value}`, [x], ast.span);
        return ast.negated ? this.call('NOT', [test], ast.span) : test;
      }
      case 'IsDistinctFrom': {
        const d = this.call('IS DISTINCT FROM', [this.bind(ast.left), this.bind(ast.right)], ast.span);
        return ast.negated ? this.call('NOT', [d], ast.span) : d;
      }
      case 'Between': {
        const x = this.bind(ast.operand);
        const lo = this.bind(ast.low);
        const hi = this.bind(ast.high);
        const between = (a: ExprIR, b: ExprIR): ExprIR =>
          ast.negated
            ? this.call('OR', [this.call('<', [x, a], ast.span), this.call('>', [x, b], ast.span)], ast.span)
            : this.call('AND', [this.call('>=', [x, a], ast.span), this.call('<=', [x, b], ast.span)], ast.span);
        if (!ast.symmetric) return between(lo, hi);
        return ast.negated
          ? this.call('AND', [between(lo, hi), between(hi, lo)], ast.span)
          : this.call('OR', [between(lo, hi), between(hi, lo)], ast.span);
      }
      case 'In': {
        if (ast.query) {
          throw unsupported('PLAN.UNSUPPORTED_SUBQUERY', 'IN (SELECT …) is only supported as a condition of WHERE combined with AND (not under OR or NOT, nor in SELECT, ON or HAVING)', { span: ast.span });
        }
        const args = [this.bind(ast.operand), ...(ast.list ?? []).map((e) => this.bind(e))];
        const types = args.map((a) => a.type);
        if (leastRestrictiveType(types) === null) {
          throw userError('PLAN.TYPE_MISMATCH', `IN list values must have a type comparable with the operand: ${types.map(formatType).join(', ')}`, { span: ast.span });
        }
        const inCall = this.call('IN', args, ast.span);
        return ast.negated ? this.call('NOT', [inCall], ast.span) : inCall;
      }
      case 'Like': {
        const args = [this.bind(ast.operand), this.bind(ast.pattern)];
        if (ast.escape) args.push(this.bind(ast.escape));
        const like = this.call(ast.similar ? 'SIMILAR TO' : 'LIKE', args, ast.span);
        return ast.negated ? this.call('NOT', [like], ast.span) : like;
      }
      case 'Exists':
      case 'ScalarSubquery':
        throw unsupported(
          'PLAN.UNSUPPORTED_SUBQUERY',
          ast.kind === 'Exists'
            ? 'EXISTS (SELECT …) is only supported as a condition of WHERE combined with AND (not under OR, nor in SELECT, ON or HAVING)'
            : 'scalar subqueries are not supported yet',
          { span: ast.span },
        );
      case 'FunctionCall':
        return this.bindFunctionCall(ast);
      case 'Case':
        return this.bindCase(ast);
      case 'Cast': {
        const x = this.bind(ast.operand);
        const target = logicalTypeFromAst(ast.type);
        if (!canCastExplicitly(x.type, target)) {
          throw userError('PLAN.TYPE_MISMATCH', `cannot cast ${formatType(x.type)} to ${formatType(target)}`, { span: ast.span });
        }
        const nullable = ast.try || x.type.nullable;
        return { kind: 'cast', arg: x, safe: ast.try, type: withNullable(target, nullable) };
      }
      case 'Symbol':
        return literal(ast.value, Types.varchar(ast.value.length, false));
      case 'FieldAccess':
        return accessField(this.bind(ast.operand), ast.field, ast.span);
      case 'Subscript':
        return this.call('ITEM', [this.bind(ast.operand), this.bind(ast.index)], ast.span);
      case 'Constructor':
        return this.call(ast.type, ast.args.map((a) => this.bind(a)), ast.span);
      case 'Star':
        throw userError('PLAN.BAD_STAR', `'*' is only allowed in a SELECT list or COUNT(*)`, { span: ast.span });
    }
  }

  /** A built-in call with implicit casts on arguments; time attributes are materialised in the result. */
  call(fn: string, args: readonly ExprIR[], span: SourceSpan): CallIR {
    const literals = args.map((a) => (a.kind === 'literal' ? decodeLiteral(a.value, a.type) : undefined));
    const resolved = withSpan(span, () => resolveFunction(fn, args.map((a) => a.type), literals));
    const castArgs = args.map((a, i) => castIfNeeded(a, resolved.argTypes[i] ?? a.type));
    const type = resolved.fn === 'PROCTIME' ? resolved.returnType : withoutTimeAttribute(resolved.returnType);
    return { kind: 'call', fn: resolved.fn, args: castArgs, type };
  }

  private bindFunctionCall(ast: FunctionCall): ExprIR {
    const parts = ast.name.parts.map((p) => p.value);
    const name = parts[parts.length - 1]!;
    const planned = this.overRefs?.get(ast);
    if (planned !== undefined) return planned;
    if (ast.over) {
      throw unsupported('PLAN.UNSUPPORTED_OVER', `OVER windows are not supported yet (${name} OVER …)`, { span: ast.span });
    }
    if (parts.length === 1 && isAggregateName(ast)) {
      const code = this.clause === 'WHERE' ? 'PLAN.AGGREGATE_IN_WHERE' : this.clause === 'aggregate argument' ? 'PLAN.NESTED_AGGREGATE' : 'PLAN.AGGREGATE_NOT_ALLOWED';
      const msg =
        this.clause === 'WHERE'
          ? `aggregate function ${name.toUpperCase()} is not allowed in WHERE`
          : this.clause === 'aggregate argument'
            ? `aggregate function calls cannot be nested (${name.toUpperCase()} inside another aggregate)`
            : `aggregate function ${name.toUpperCase()} is not allowed in ${this.clause}`;
      throw userError(code, msg, { span: ast.span, help: this.clause === 'WHERE' ? 'filter on aggregates with HAVING' : undefined });
    }
    if (ast.filter || ast.distinct) {
      throw userError('PLAN.NOT_AN_AGGREGATE', `${ast.filter ? 'FILTER' : 'DISTINCT'} is only allowed on aggregate functions, not on ${name}`, { span: ast.span });
    }
    if (ast.star) throw userError('PLAN.BAD_STAR', `${name}(*) is not allowed; only COUNT(*)`, { span: ast.span });
    const args = ast.args.map((a) => this.bind(a));
    const catalogs = this.ctx.planner.catalogs;
    if (parts.length === 1) {
      const tempSystem = catalogs.getTemporarySystemFunction(name);
      if (tempSystem) return this.udfCall(name, tempSystem.ref, args, ast.span);
      try {
        return this.call(name.toUpperCase(), args, ast.span);
      } catch (e) {
        if (!(e instanceof FloeError) || e.code !== 'PLAN.UNKNOWN_FUNCTION') throw e;
        const user = catalogs.getCatalogFunction(parts);
        if (user) return this.udfCall(name, user.fn.ref, args, ast.span);
        throw e;
      }
    }
    const user = catalogs.getCatalogFunction(parts);
    if (!user) throw userError('PLAN.UNKNOWN_FUNCTION', `function '${parts.join('.')}' not found`, { span: ast.name.span });
    return this.udfCall(name, user.fn.ref, args, ast.span);
  }

  private udfCall(name: string, ref: string, args: readonly ExprIR[], span: SourceSpan): ExprIR {
    const desc = this.ctx.udfs.get(ref);
    if (desc === undefined) {
      throw userError('PLAN.UDF_LOAD', `function '${name}' (${ref}) was registered after planning started`, { span });
    }
    if (desc instanceof FloeError) throw new FloeError(desc.kind, desc.code, desc.message, { span, notes: desc.notes, help: desc.help });
    if (desc.returnType === null) {
      throw userError('PLAN.UDF_RETURN_TYPE', `function '${name}' (${ref}) does not declare its return type`, {
        span,
        help: 'export a `returnType` with the function (see the UDF guide)',
      });
    }
    return { kind: 'udf', name, ref, args, type: withNullable(desc.returnType, true), deterministic: desc.deterministic };
  }

  private bindCase(ast: Extract<Expr, { kind: 'Case' }>): ExprIR {
    const operand = ast.operand ? this.bind(ast.operand) : null;
    const whens = ast.whens.map((w) =>
      operand ? this.call('=', [operand, this.bind(w.when)], w.when.span) : this.bindConditionKeepMode(w.when),
    );
    const thens = ast.whens.map((w) => this.bind(w.then));
    const els = ast.else ? this.bind(ast.else) : null;
    const results = els ? [...thens, els] : thens;
    const common = leastRestrictiveType(results.map((r) => r.type));
    if (common === null) {
      throw userError('PLAN.TYPE_MISMATCH', `CASE branches have incompatible types: ${results.map((r) => formatType(r.type)).join(', ')}`, { span: ast.span });
    }
    const nullable = els === null || results.some((r) => r.type.nullable);
    const type = withoutTimeAttribute(withNullable(common, nullable));
    return {
      kind: 'case',
      branches: whens.map((w, i) => ({ when: w, then: castIfNeeded(thens[i]!, type) })),
      else: els ? castIfNeeded(els, type) : null,
      type,
    };
  }

  /** `bindCondition` that keeps grouped mode (CASE WHEN inside a grouped SELECT). */
  private bindConditionKeepMode(ast: Expr): ExprIR {
    const ir = this.bind(ast);
    if (ir.type.kind !== 'BOOLEAN' && ir.type.kind !== 'NULL') {
      throw userError('PLAN.TYPE_MISMATCH', `CASE WHEN condition must be BOOLEAN, got ${formatType(ir.type)}`, { span: ast.span });
    }
    return ir;
  }

  /**
   * Binds an aggregate call into `agg` (arguments and FILTER become pre-aggregation columns) and returns
   * a reference to its result column. Also used for `agg(x) OVER (…)`, whose window the caller handles.
   */
  bindAggregateCall(ast: FunctionCall, agg: AggregateScope): ExprIR {
    const name = ast.name.parts[ast.name.parts.length - 1]!.value.toUpperCase();
    const argBinder = agg.inputBinder.withClause('aggregate argument', null);
    const args = ast.star ? [] : ast.args.map((a) => argBinder.bind(a));
    const resolved = withSpan(ast.span, () => resolveAggregate(name, args.map((a) => a.type), ast.distinct));
    const argCols = args.map((a, i) => agg.pre(castIfNeeded(a, resolved.argTypes[i] ?? a.type), a.kind === 'input' ? inputName(agg, a.index) : undefined));
    let filterArg: number | null = null;
    if (ast.filter) filterArg = agg.pre(agg.inputBinder.withClause('WHERE', null).bindCondition(ast.filter));
    const argText = ast.star ? '*' : argCols.map((c) => agg.preNames[c]).join(', ');
    const display = `${resolved.fn}(${ast.distinct ? 'DISTINCT ' : ''}${argText})${filterArg === null ? '' : ` FILTER ${agg.preNames[filterArg]}`}`;
    const index = agg.addCall({
      fn: resolved.fn,
      args: argCols,
      argTypes: resolved.argTypes,
      distinct: ast.distinct,
      filterArg,
      type: resolved.returnType,
      name: display,
    });
    return { kind: 'input', index: agg.keyCount + index, type: agg.calls[index]!.type };
  }
}

function inputName(agg: AggregateScope, inputIndex: number): string | undefined {
  const col = agg.inputBinder.scope.allColumns().find((c) => c.index === inputIndex);
  return col?.name;
}

function isAggregateName(ast: FunctionCall): boolean {
  return ast.name.parts.length === 1 && isAggregateFunction(ast.name.parts[0]!.value.toUpperCase());
}

/** Whether an expression contains an aggregate call (not looking into subqueries or OVER calls). */
export function containsAggregate(ast: Expr): boolean {
  let found = false;
  const visit = (e: unknown): void => {
    if (found || e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) visit(x);
      return;
    }
    const node = e as { kind?: string };
    if (node.kind === 'FunctionCall') {
      const call = node as FunctionCall;
      if (!call.over && isAggregateName(call)) {
        found = true;
        return;
      }
    }
    if (node.kind === 'Exists' || node.kind === 'ScalarSubquery') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'span' || k === 'query') continue;
      visit(v);
    }
  };
  visit(ast);
  return found;
}

/** Re-raises a span-less FloeError from the expression layer at `span`. */
export function withSpan<T>(span: SourceSpan, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FloeError && e.span === undefined) {
      throw new FloeError(e.kind, e.code, e.message, { span, notes: e.notes, help: e.help, cause: e });
    }
    throw e;
  }
}

/** A short rendering of simple expressions for messages (`bidder`, `B.price`, `person.id`). */
export function exprText(ast: Expr): string {
  switch (ast.kind) {
    case 'ColumnRef':
      return ast.parts.map((p) => p.value).join('.');
    case 'FieldAccess':
      return `${exprText(ast.operand)}.${ast.field.value}`;
    case 'Literal':
      return ast.literalType === 'string' ? `'${ast.value}'` : ast.value;
    case 'FunctionCall':
      return `${ast.name.parts.map((p) => p.value).join('.')}(${ast.star ? '*' : ast.args.map(exprText).join(', ')})`;
    default:
      return ast.kind;
  }
}
