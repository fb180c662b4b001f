/**
 * Flink's legacy group windows: `GROUP BY k, TUMBLE(ts, size)` / `HOP(ts, slide, size)` /
 * `SESSION(ts, gap)`, with the auxiliary functions `TUMBLE_START(ts, size)`, `…_END`, `…_ROWTIME` in the
 * SELECT list and HAVING (Nexmark q11). They bind as the window TVF form they mean: a `WindowTvf` over the
 * FROM/WHERE input, the window call in GROUP BY replaced by window_start and window_end (plus window_time
 * when `…_ROWTIME` is used), and each auxiliary call resolved to one of those columns. The window
 * aggregate rule then turns the aggregate into a `WindowAggregate` exactly as for the TVF syntax.
 *
 * Invariant: the `WindowTvf` keeps its input's columns at the same positions, so the FROM scope stays
 * valid for binding the rest of the query over it.
 */
import { unsupported, userError } from '../common/index.js';
import { evaluateConstant } from '../expr/index.js';
import type { ExprIR } from '../expr/index.js';
import type { Expr, FunctionCall } from '../sql/index.js';
import { Types, formatType, isTimestampType, withoutTimeAttribute } from '../types/index.js';
import type { LogicalType, RowField } from '../types/index.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './expr-binder.js';
import { inputRef } from './ir-utils.js';
import type { LogicalNode, LogicalWindow, WindowTvfNode } from './logical-plan.js';
import { Scope } from './scope.js';

/** The legacy group window functions and their interval parameters (after the time column). */
const GROUP_WINDOWS: Readonly<Record<string, readonly string[]>> = {
  TUMBLE: ['size'],
  HOP: ['slide', 'size'],
  SESSION: ['gap'],
};

function callName(e: FunctionCall): string {
  return e.name.parts.map((p) => p.value).join('.').toUpperCase();
}

/** Whether `e` is a legacy group window call (`TUMBLE(ts, …)` etc.) as written in GROUP BY. */
export function isGroupWindowCall(e: Expr): boolean {
  return e.kind === 'FunctionCall' && e.over === undefined && GROUP_WINDOWS[callName(e)] !== undefined;
}

const AUXILIARY = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/;

/** The auxiliary calls (`SESSION_START(…)` …) anywhere in `exprs` (not inside subqueries). */
function findAuxiliaryCalls(exprs: readonly (Expr | undefined)[]): FunctionCall[] {
  const out: FunctionCall[] = [];
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) visit(x);
      return;
    }
    const node = e as { kind?: string };
    if (node.kind === 'Exists' || node.kind === 'ScalarSubquery') return;
    if (node.kind === 'FunctionCall' && AUXILIARY.test(callName(node as FunctionCall))) {
      out.push(node as FunctionCall);
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'query') visit(v);
  };
  for (const e of exprs) if (e !== undefined) visit(e);
  return out;
}

export interface BoundGroupWindow {
  /** The FROM/WHERE input with window_start, window_end, window_time appended. */
  readonly node: WindowTvfNode;
  /** GROUP BY keys replacing the window call: window_start, window_end (and window_time if used). */
  readonly keys: readonly ExprIR[];
  readonly keyNames: readonly string[];
  /** Each auxiliary call → its window column (for `ExprBinder.withOverRefs`). */
  readonly auxiliary: ReadonlyMap<FunctionCall, ExprIR>;
}

/**
 * Binds the group window `call` over `input` (whose columns `scope` names); `uses` are the SELECT items and
 * HAVING, searched for auxiliary calls.
 */
export function bindGroupWindow(call: FunctionCall, input: LogicalNode, scope: Scope, uses: readonly (Expr | undefined)[], ctx: BinderContext): BoundGroupWindow {
  const fn = callName(call);
  const params = GROUP_WINDOWS[fn]!;
  if (call.args.length !== params.length + 1) {
    throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${fn}(time_attr, ${params.join(', ')}) takes ${params.length + 1} arguments, got ${call.args.length}`, { span: call.span });
  }
  const binder = new ExprBinder(scope, ctx, 'GROUP BY');
  const time = binder.bind(call.args[0]!);
  const attr = isTimestampType(time.type) ? (time.type as { timeAttribute?: 'rowtime' | 'proctime' }).timeAttribute : undefined;
  if (time.kind !== 'input' || attr === undefined) {
    throw userError('PLAN.NOT_TIME_ATTRIBUTE', `${fn}: the first argument must be a time attribute column, got ${formatType(time.type)}`, {
      span: call.args[0]!.span,
      help: 'declare a WATERMARK FOR the column in the source table, or use a PROCTIME() column',
    });
  }
  const intervals = call.args.slice(1).map((a, i) => intervalMs(a, `${fn}: ${params[i]}`, ctx));
  let window: LogicalWindow;
  if (fn === 'TUMBLE') window = { kind: 'TUMBLE', size: intervals[0]!, offset: 0 };
  else if (fn === 'HOP') {
    const [slide, size] = intervals as [number, number];
    if (size % slide !== 0) throw userError('PLAN.BAD_WINDOW_ARGUMENT', `HOP: size (${size} ms) must be an integral multiple of slide (${slide} ms)`, { span: call.span });
    window = { kind: 'HOP', size, slide, offset: 0 };
  } else window = { kind: 'SESSION', gap: intervals[0]! };

  const timeIndex = time.index;
  const timeType = time.type;
  const windowTime: LogicalType =
    attr === 'rowtime'
      ? { kind: timeType.kind as 'TIMESTAMP' | 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'rowtime' }
      : { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'proctime' };
  const fields: RowField[] = input.rowType.fields.map((f, i) => (i === timeIndex ? { name: f.name, type: withoutTimeAttribute(f.type) } : f));
  const n = fields.length;
  fields.push(
    { name: 'window_start', type: Types.timestamp(3, false) },
    { name: 'window_end', type: Types.timestamp(3, false) },
    { name: 'window_time', type: windowTime },
  );
  const node: WindowTvfNode = { kind: 'WindowTvf', input, window, timeIndex, rowType: { fields }, groupWindow: true };
  const start = inputRef(n, fields[n]!.type);
  const end = inputRef(n + 1, fields[n + 1]!.type);
  const rowtime = inputRef(n + 2, windowTime);

  const auxiliary = new Map<FunctionCall, ExprIR>();
  let usesRowtime = false;
  for (const aux of findAuxiliaryCalls(uses)) {
    const [, family, what] = AUXILIARY.exec(callName(aux))!;
    if (family !== fn) {
      throw userError('PLAN.BAD_GROUP_WINDOW_FUNCTION', `${callName(aux)} does not match the group window ${fn}(…) in GROUP BY`, { span: aux.span });
    }
    if (aux.args.length !== call.args.length) {
      throw userError('PLAN.BAD_GROUP_WINDOW_FUNCTION', `${callName(aux)} takes the same arguments as ${fn}(…) in GROUP BY`, { span: aux.span });
    }
    if (what === 'ROWTIME') {
      if (attr !== 'rowtime') throw unsupported('PLAN.BAD_GROUP_WINDOW_FUNCTION', `${callName(aux)} needs an event-time window`, { span: aux.span });
      usesRowtime = true;
    }
    auxiliary.set(aux, what === 'START' ? start : what === 'END' ? end : rowtime);
  }
  const keys = usesRowtime ? [start, end, rowtime] : [start, end];
  const keyNames = usesRowtime ? ['window_start', 'window_end', 'window_time'] : ['window_start', 'window_end'];
  return { node, keys, keyNames, auxiliary };
}

function intervalMs(e: Expr, what: string, ctx: BinderContext): number {
  const ir = new ExprBinder(Scope.empty(), ctx, 'window argument').bind(e);
  if (ir.type.kind !== 'INTERVAL_DAY_TIME') throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${what} must be a day-time INTERVAL, got ${formatType(ir.type)}`, { span: e.span });
  const v = evaluateConstant(ir);
  if (typeof v !== 'number' || !(v > 0)) throw userError('PLAN.BAD_WINDOW_ARGUMENT', `${what} must be a positive constant interval`, { span: e.span });
  return v;
}
