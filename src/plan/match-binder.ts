/**
 * Binds `input MATCH_RECOGNIZE (…)` into a `Match` node, with Flink's rules:
 * - ORDER BY starts with a time attribute (rowtime or proctime), ascending; PARTITION BY lists columns;
 * - ONE ROW PER MATCH only (Flink rejects ALL ROWS PER MATCH); no SUBSET; PATTERN is a concatenation of
 *   (quantified) variables, each variable used once (groups and alternation are rejected);
 * - a greedy quantifier cannot be the last element of the pattern (Flink's CEP cannot tell when it ends);
 * - DEFINE names pattern variables; variables without a definition match every row.
 *
 * Expressions of DEFINE and MEASURES are rewritten before binding: every navigation (`A.price` = LAST of A,
 * `LAST/FIRST(A.price[, n])`, `PREV(price[, n])`, `AVG(A.price)`, `MATCH_ROWTIME()`, `CLASSIFIER()`, an
 * unqualified column = the last row so far) becomes a reference to a slot, and the rest binds as a normal
 * expression over the slot row (spec `MatchExpr`). Navigation arguments bind over the input row and may
 * name only one variable (Flink: `SUM(A.price * A.tax)` is valid, `AVG(A.price * B.tax)` is not).
 */
import { unsupported, userError, type SourceSpan } from '../common/index.js';
import { evaluateConstant, formatExprIR, resolveAggregate } from '../expr/index.js';
import type { ExprIR } from '../expr/index.js';
import type { ColumnRef, Expr, FunctionCall, Identifier, MatchRecognizeRef, PatternTerm } from '../sql/index.js';
import type { MatchAfterSkip, MatchExpr, MatchNavigation, MatchPatternElement, SortField } from '../spec/index.js';
import { Types, formatType, isTimestampType, withNullable, withoutTimeAttribute, type LogicalType, type RowType } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { castIfNeeded, inputIndices, inputRef, remapInputs } from './ir-utils.js';
import type { CalcNode, LogicalNode, MatchNode } from './logical-plan.js';
import { Scope } from './scope.js';

const CODE = 'PLAN.MATCH_RECOGNIZE';
const UNSUPPORTED = 'PLAN.UNSUPPORTED_MATCH_RECOGNIZE';
const AGGREGATES: ReadonlySet<string> = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);

/** Binds the clause over an already bound input (`inputScope` names its columns). */
export function bindMatchRecognize(ref: MatchRecognizeRef, input: LogicalNode, inputScope: Scope, ctx: BinderContext): MatchNode {
  if (ref.rowsPerMatch === 'ALL') {
    throw unsupported(UNSUPPORTED, 'ALL ROWS PER MATCH is not supported (Flink supports only ONE ROW PER MATCH)', { span: ref.rowsPerMatchSpan ?? ref.span });
  }
  if (ref.subsets.length > 0) throw unsupported(UNSUPPORTED, 'SUBSET is not supported in MATCH_RECOGNIZE', { span: ref.subsets[0]!.span });
  const inputType = input.rowType;
  const binder = new ExprBinder(inputScope, ctx, 'SELECT');
  const partitionKeys = ref.partitionBy.map((e) => {
    const ir = binder.bind(e);
    if (ir.kind !== 'input') throw unsupported(UNSUPPORTED, 'MATCH_RECOGNIZE PARTITION BY must list columns, not expressions', { span: e.span });
    return ir.index;
  });

  const firstOrder = ref.orderBy[0];
  if (firstOrder === undefined) {
    throw userError(CODE, 'MATCH_RECOGNIZE needs ORDER BY a time attribute (rowtime or proctime) as its first sort key', { span: ref.span });
  }
  const time = binder.bind(firstOrder.expr);
  const attr = isTimestampType(time.type) ? (time.type as { timeAttribute?: string }).timeAttribute : undefined;
  if (time.kind !== 'input' || attr === undefined || firstOrder.descending) {
    throw userError(CODE, `the first ORDER BY key of MATCH_RECOGNIZE must be a time attribute (rowtime or proctime) in ascending order, not ${formatType(time.type)}${firstOrder.descending ? ' DESC' : ''}`, {
      span: firstOrder.span,
      help: 'declare a WATERMARK FOR the column in the source table, or order by a PROCTIME() column',
    });
  }
  const orderBy: SortField[] = ref.orderBy.slice(1).map((o) => {
    const ir = binder.bind(o.expr);
    if (ir.kind !== 'input') throw unsupported(UNSUPPORTED, 'MATCH_RECOGNIZE ORDER BY must list columns, not expressions', { span: o.expr.span });
    return { index: ir.index, descending: o.descending, nullsFirst: o.nullsFirst ?? !o.descending };
  });

  // PATTERN: a flat sequence of (quantified) variables.
  const terms = ref.pattern.kind === 'PatternConcat' ? ref.pattern.terms : [ref.pattern];
  const variables: string[] = [];
  const elements: MatchPatternElement[] = [];
  for (const term of terms) {
    const { name, min, max, reluctant } = patternElement(term);
    if (variables.includes(name.value)) {
      throw unsupported(UNSUPPORTED, `pattern variable '${name.value}' appears more than once in PATTERN`, { span: name.span });
    }
    variables.push(name.value);
    elements.push({ variable: variables.length - 1, min, max, greedy: !reluctant && max !== min });
  }
  const last = elements[elements.length - 1]!;
  if (last.greedy) {
    throw unsupported(UNSUPPORTED, 'Greedy quantifiers are not allowed as the last element of a Pattern yet. Consider using reluctant quantifier instead.', {
      span: terms[terms.length - 1]!.span,
    });
  }
  const varIndex = (id: Identifier, what: string): number => {
    const i = variables.indexOf(id.value);
    if (i < 0) {
      throw userError(CODE, `${what} '${id.value}' is not a variable of the PATTERN (${variables.join(', ')})`, { span: id.span });
    }
    return i;
  };

  const within = ref.within === undefined ? null : withinMs(ref.within, ctx);
  let after: MatchAfterSkip = { kind: 'past-last-row' };
  if (ref.afterMatch !== undefined) {
    const a = ref.afterMatch;
    if (a.kind === 'PastLastRow') after = { kind: 'past-last-row' };
    else if (a.kind === 'ToNextRow') after = { kind: 'to-next-row' };
    else if ('variable' in a) after = { kind: a.kind === 'ToFirst' ? 'to-first' : 'to-last', variable: varIndex(a.variable, 'AFTER MATCH SKIP TO') };
  }

  const nav = new NavigationBinder(variables, inputType, ctx);
  const defines: (MatchExpr | null)[] = variables.map(() => null);
  for (const d of ref.define) {
    const v = varIndex(d.variable, 'DEFINE');
    if (defines[v] !== null) throw userError(CODE, `pattern variable '${d.variable.value}' is defined twice`, { span: d.variable.span });
    const bound = nav.bind(d.condition, 'DEFINE');
    if (bound.expr.type.kind !== 'BOOLEAN' && bound.expr.type.kind !== 'NULL') {
      throw userError(CODE, `DEFINE ${d.variable.value} must be a BOOLEAN condition, not ${formatType(bound.expr.type)}`, { span: d.condition.span });
    }
    defines[v] = bound;
  }
  const measures = ref.measures.map((m) => ({ name: m.alias.value, expr: nav.bind(m.expr, 'MEASURES') }));

  const fields = [
    ...partitionKeys.map((k) => ({ name: inputType.fields[k]!.name, type: withoutTimeAttribute(inputType.fields[k]!.type) })),
    ...measures.map((m) => ({ name: m.name, type: m.expr.expr.type })),
  ];
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw userError(CODE, `MATCH_RECOGNIZE output column '${f.name}' is defined twice (partition columns come first)`, { span: ref.span });
    seen.add(f.name);
  }
  return pruneInput({
    kind: 'Match',
    input,
    partitionKeys,
    timeIndex: time.index,
    orderBy,
    variables,
    elements,
    within,
    after,
    defines,
    measures,
    rowType: { fields },
  });
}

/**
 * Puts a Calc below the Match that keeps only the input columns it reads (partition keys, order keys and
 * navigation arguments): rows wait in keyed state, so narrower rows are cheaper to keep and to snapshot.
 */
function pruneInput(node: MatchNode): MatchNode {
  const used = new Set<number>([...node.partitionKeys, node.timeIndex, ...node.orderBy.map((o) => o.index)]);
  const exprs = [...node.defines.filter((d): d is MatchExpr => d !== null), ...node.measures.map((m) => m.expr)];
  for (const e of exprs) for (const slot of e.slots) if ('arg' in slot && slot.arg !== null) inputIndices(slot.arg, used);
  const width = node.input.rowType.fields.length;
  if (used.size === width) return node;
  const kept = [...used].sort((a, b) => a - b);
  const to = new Map(kept.map((c, i) => [c, i]));
  const map = (c: number): number => to.get(c)!;
  const fields = node.input.rowType.fields;
  const input: CalcNode = {
    kind: 'Calc',
    input: node.input,
    projection: kept.map((c) => inputRef(c, fields[c]!.type)),
    condition: null,
    rowType: { fields: kept.map((c) => fields[c]!) },
  };
  const remapSlot = (slot: MatchNavigation): MatchNavigation => ('arg' in slot && slot.arg !== null ? { ...slot, arg: remapInputs(slot.arg, map) } : slot);
  const remapExpr = (e: MatchExpr): MatchExpr => ({ expr: e.expr, slots: e.slots.map(remapSlot) });
  return {
    ...node,
    input,
    partitionKeys: node.partitionKeys.map(map),
    timeIndex: map(node.timeIndex),
    orderBy: node.orderBy.map((o) => ({ ...o, index: map(o.index) })),
    defines: node.defines.map((d) => (d === null ? null : remapExpr(d))),
    measures: node.measures.map((m) => ({ name: m.name, expr: remapExpr(m.expr) })),
  };
}

function patternElement(term: PatternTerm): { name: Identifier; min: number; max: number | null; reluctant: boolean } {
  if (term.kind === 'PatternVariable') return { name: term.name, min: 1, max: 1, reluctant: false };
  if (term.kind === 'PatternQuantified' && term.term.kind === 'PatternVariable') {
    if (term.max === 0) throw userError(CODE, 'a pattern quantifier must allow at least one row', { span: term.span });
    return { name: term.term.name, min: term.min, max: term.max, reluctant: term.reluctant };
  }
  const what = term.kind === 'PatternAlternation' ? 'alternation (|)' : 'groups of pattern variables';
  throw unsupported(UNSUPPORTED, `${what} in PATTERN are not supported yet; write a sequence of (quantified) variables`, { span: term.span });
}

function withinMs(e: Expr, ctx: BinderContext): number {
  const ir = new ExprBinder(Scope.empty(), ctx, 'window argument').bind(e);
  let v: unknown;
  try {
    v = evaluateConstant(ir);
  } catch {
    v = undefined;
  }
  if (ir.type.kind !== 'INTERVAL_DAY_TIME' || typeof v !== 'number' || !(v > 0)) {
    throw userError(CODE, `WITHIN needs a positive day-time INTERVAL constant (e.g. INTERVAL '5' SECOND), got ${formatType(ir.type)}`, { span: e.span });
  }
  return v;
}

/** Rewrites navigations into slots (see the file comment) and binds what remains over the slot row. */
class NavigationBinder {
  private slots: MatchNavigation[] = [];
  private slotNames: string[] = [];
  private readonly inputBinder: ExprBinder;

  constructor(
    private readonly variables: readonly string[],
    private readonly inputType: RowType,
    private readonly ctx: BinderContext,
  ) {
    this.inputBinder = new ExprBinder(Scope.of(null, inputType), ctx, 'SELECT');
  }

  bind(e: Expr, clause: 'DEFINE' | 'MEASURES'): MatchExpr {
    this.slots = [];
    this.slotNames = [];
    const rewritten = this.rewrite(e, clause) as Expr;
    const scope = Scope.of(null, { fields: this.slots.map((s, i) => ({ name: this.slotNames[i]!, type: s.type })) });
    const expr = new ExprBinder(scope, this.ctx, 'SELECT').bind(rewritten);
    return { expr, slots: this.slots };
  }

  /** Display text of a navigation (EXPLAIN). */
  private slotRef(slot: MatchNavigation, span: SourceSpan): ColumnRef {
    const key = JSON.stringify(slot);
    let i = this.slots.findIndex((s) => JSON.stringify(s) === key);
    if (i < 0) {
      this.slots.push(slot);
      i = this.slots.length - 1;
      this.slotNames.push(`$nav${i}`);
    }
    return { kind: 'ColumnRef', parts: [{ kind: 'Identifier', value: `$nav${i}`, quoted: true, span }], span };
  }

  private rewrite(node: unknown, clause: 'DEFINE' | 'MEASURES'): unknown {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((x) => this.rewrite(x, clause));
    const e = node as Expr;
    switch (e.kind) {
      case 'ColumnRef':
        return this.slotRef(this.navigation('last', e, 0, e.span), e.span);
      case 'ScalarSubquery':
      case 'Exists':
        throw unsupported(UNSUPPORTED, `subqueries are not supported in ${clause}`, { span: e.span });
      case 'FunctionCall': {
        const name = e.name.parts.length === 1 ? e.name.parts[0]!.value.toUpperCase() : '';
        const slot = this.callSlot(name, e, clause);
        if (slot !== null) return this.slotRef(slot, e.span);
        break;
      }
      default:
        break;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) out[k] = k === 'span' || k === 'name' || k === 'type' ? v : this.rewrite(v, clause);
    return out;
  }

  private callSlot(name: string, e: FunctionCall, clause: 'DEFINE' | 'MEASURES'): MatchNavigation | null {
    switch (name) {
      case 'FIRST':
      case 'LAST':
      case 'PREV': {
        if (e.args.length < 1 || e.args.length > 2) throw userError(CODE, `${name} takes a column and an optional offset`, { span: e.span });
        const offset = e.args.length === 2 ? this.offset(e.args[1]!) : name === 'PREV' ? 1 : 0;
        return this.navigation(name === 'FIRST' ? 'first' : name === 'LAST' ? 'last' : 'prev', e.args[0]!, offset, e.span);
      }
      case 'NEXT':
        throw unsupported(UNSUPPORTED, 'NEXT is not supported in MATCH_RECOGNIZE (rows after the current one are not known yet)', { span: e.span });
      case 'MATCH_ROWTIME':
      case 'CLASSIFIER': {
        if (clause === 'DEFINE') throw userError(CODE, `${name}() is only allowed in MEASURES`, { span: e.span });
        if (e.args.length > 0) throw userError(CODE, `${name}() takes no arguments`, { span: e.span });
        return name === 'CLASSIFIER'
          ? { kind: 'classifier', type: Types.string(false) }
          : { kind: 'match-rowtime', type: { kind: 'TIMESTAMP', precision: 3, nullable: false, timeAttribute: 'rowtime' } };
      }
      case 'MATCH_PROCTIME':
      case 'MATCH_NUMBER':
      case 'RUNNING':
      case 'FINAL':
        throw unsupported(UNSUPPORTED, `${name} is not supported in MATCH_RECOGNIZE yet`, { span: e.span });
      default:
        if (!AGGREGATES.has(name) || e.over !== undefined) return null;
        return this.aggregate(name as 'COUNT', e);
    }
  }

  private offset(e: Expr): number {
    if (e.kind === 'Literal' && e.literalType === 'number' && /^\d+$/.test(e.value)) return Number(e.value);
    throw userError(CODE, 'the offset of FIRST/LAST/PREV must be a non-negative integer literal', { span: e.span });
  }

  /** Binds a navigation argument over the input row, stripping its (single) pattern variable qualifier. */
  private navArg(arg: Expr): { ir: ExprIR; variable: number | null } {
    let variable: number | null = null;
    let varSpan: SourceSpan | null = null;
    const strip = (node: unknown): unknown => {
      if (node === null || typeof node !== 'object') return node;
      if (Array.isArray(node)) return node.map(strip);
      const n = node as Expr;
      if (n.kind === 'ColumnRef' && n.parts.length >= 2) {
        const v = this.variables.indexOf(n.parts[0]!.value);
        if (v >= 0) {
          if (variable !== null && variable !== v) {
            throw userError(CODE, `a navigation or aggregate may refer to one pattern variable only, but uses '${this.variables[variable]}' and '${this.variables[v]}'`, {
              span: n.span,
              notes: varSpan === null ? [] : [],
            });
          }
          variable = v;
          varSpan = n.span;
          return { ...n, parts: n.parts.slice(1) };
        }
        return n;
      }
      if (n.kind === 'FunctionCall') {
        const name = n.name.parts.length === 1 ? n.name.parts[0]!.value.toUpperCase() : '';
        if (name === 'FIRST' || name === 'LAST' || name === 'PREV' || AGGREGATES.has(name)) {
          throw unsupported(UNSUPPORTED, `${name} cannot be nested inside another navigation or aggregate`, { span: n.span });
        }
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(n)) out[k] = k === 'span' || k === 'name' || k === 'type' ? v : strip(v);
      return out;
    };
    const stripped = strip(arg) as Expr;
    return { ir: this.inputBinder.bind(stripped), variable };
  }

  private navigation(kind: 'last' | 'first' | 'prev', arg: Expr, offset: number, _span: SourceSpan): MatchNavigation {
    const { ir, variable } = this.navArg(arg);
    // Navigated values are plain values: only MATCH_ROWTIME() is a time attribute of the output.
    return { kind, variable, offset, arg: ir, type: withNullable(withoutTimeAttribute(ir.type), true) };
  }

  private aggregate(fn: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX', e: FunctionCall): MatchNavigation {
    if (e.distinct) throw unsupported(UNSUPPORTED, 'DISTINCT aggregates are not supported in MATCH_RECOGNIZE', { span: e.span });
    if (e.filter !== undefined) throw unsupported(UNSUPPORTED, 'FILTER on aggregates is not supported in MATCH_RECOGNIZE', { span: e.span });
    if (e.star || e.args.length === 0) {
      if (fn !== 'COUNT') throw userError(CODE, `${fn} needs an argument`, { span: e.span });
      return { kind: 'aggregate', fn, variable: null, arg: null, type: Types.bigint(false) };
    }
    if (e.args.length !== 1) throw userError(CODE, `${fn} takes one argument in MATCH_RECOGNIZE`, { span: e.span });
    const { ir, variable } = this.navArg(e.args[0]!);
    const numeric = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE'].includes(ir.type.kind);
    const ordered = numeric || ['VARCHAR', 'CHAR', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'DATE', 'TIME'].includes(ir.type.kind);
    if ((fn === 'SUM' || fn === 'AVG') && !numeric) {
      throw unsupported(UNSUPPORTED, `${fn} over ${formatType(ir.type)} is not supported in MATCH_RECOGNIZE (numeric types other than DECIMAL only)`, { span: e.span });
    }
    if ((fn === 'MIN' || fn === 'MAX') && !ordered) {
      throw unsupported(UNSUPPORTED, `${fn} over ${formatType(ir.type)} is not supported in MATCH_RECOGNIZE`, { span: e.span });
    }
    const resolved = resolveAggregate(fn, [ir.type], false);
    const arg = castIfNeeded(ir, resolved.argTypes[0] ?? ir.type);
    const type: LogicalType = fn === 'COUNT' ? Types.bigint(false) : withNullable(withoutTimeAttribute(resolved.returnType), true);
    return { kind: 'aggregate', fn, variable, arg, type };
  }
}

/** EXPLAIN text of one navigation, e.g. `LAST(PRICE_DOWN.price, 1)`, `AVG(A.price)`, `MATCH_ROWTIME()`. */
export function formatNavigation(slot: MatchNavigation, variables: readonly string[], inputNames: readonly string[]): string {
  const qualified = (variable: number | null, arg: ExprIR | null): string => {
    if (arg === null) return variable === null ? '*' : `${variables[variable]}.*`;
    const text = formatExprIR(arg, inputNames);
    return variable === null ? text : `${variables[variable]}.${text}`;
  };
  switch (slot.kind) {
    case 'last':
    case 'first':
    case 'prev':
      return `${slot.kind.toUpperCase()}(${qualified(slot.variable, slot.arg)}, ${slot.offset})`;
    case 'aggregate':
      return `${slot.fn}(${qualified(slot.variable, slot.arg)})`;
    case 'match-rowtime':
      return 'MATCH_ROWTIME()';
    case 'classifier':
      return 'CLASSIFIER()';
  }
}

/** EXPLAIN text of a DEFINE/MEASURES expression. */
export function formatMatchExpr(e: MatchExpr, variables: readonly string[], inputNames: readonly string[]): string {
  return formatExprIR(e.expr, e.slots.map((s) => formatNavigation(s, variables, inputNames)));
}

/** `START_ROW PRICE_DOWN+ PRICE_UP`, `A{2,5}? B`. */
export function formatPattern(elements: readonly MatchPatternElement[], variables: readonly string[]): string {
  return elements
    .map((el) => {
      const name = variables[el.variable]!;
      let q = '';
      if (el.min === 1 && el.max === 1) q = '';
      else if (el.min === 0 && el.max === null) q = '*';
      else if (el.min === 1 && el.max === null) q = '+';
      else if (el.min === 0 && el.max === 1) q = '?';
      else if (el.max === el.min) q = `{${el.min}}`;
      else q = `{${el.min},${el.max ?? ''}}`;
      const reluctant = !el.greedy && el.max !== el.min ? '?' : '';
      return name + q + reluctant;
    })
    .join(' ');
}
