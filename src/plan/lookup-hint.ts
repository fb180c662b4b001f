/**
 * Flink's `LOOKUP` join hint, `SELECT /*+ LOOKUP('table'='s', 'async'='true', 'retry-predicate'='lookup_miss',
 * 'retry-strategy'='fixed_delay', 'fixed-delay'='1s', 'max-attempts'='3') *\/ …`: parsed and validated
 * with Flink's rules (LookupJoinHintOptions), unknown keys rejected with a did-you-mean.
 *
 * What applies to Floe's lookup tables (bounded tables held in an in-memory index): the retry
 * (`lookup_miss` + `fixed_delay`) re-reads the table and looks a missed row up again. `async`,
 * `output-mode`, `capacity` and `timeout` are validated and have nothing to act on: a lookup in the
 * in-memory index never waits, so async and sync lookups give the same rows in the same order.
 */
import { didYouMeanSuffix, userError, type SourceSpan } from '../common/index.js';
import type { Hint } from '../sql/index.js';
import { parseDurationMs } from './planner-context.js';

export interface LookupHint {
  /** The lookup table's name or alias the hint applies to. */
  readonly table: string;
  readonly async: boolean;
  readonly retry: { readonly maxAttempts: number; readonly fixedDelayMs: number } | null;
  readonly span: SourceSpan;
}

const KEYS = ['table', 'async', 'output-mode', 'capacity', 'timeout', 'retry-predicate', 'retry-strategy', 'fixed-delay', 'max-attempts'] as const;

/** Every `LOOKUP` hint among `hints`, validated. */
export function parseLookupHints(hints: readonly Hint[]): LookupHint[] {
  return hints.filter((h) => h.name.value.toUpperCase() === 'LOOKUP').map(parseLookupHint);
}

function parseLookupHint(h: Hint): LookupHint {
  const bad = (message: string): never => {
    throw userError('PLAN.BAD_HINT', `LOOKUP hint: ${message}`, { span: h.span });
  };
  if (h.args.length > 0) bad(`takes 'key' = 'value' options, not plain arguments (${h.args.join(', ')})`);
  const opts = new Map<string, string>();
  for (const o of h.options) {
    const key = o.key.toLowerCase();
    if (!(KEYS as readonly string[]).includes(key)) bad(`unknown option '${o.key}'${didYouMeanSuffix(o.key, KEYS)} (options: ${KEYS.join(', ')})`);
    if (opts.has(key)) bad(`option '${o.key}' given twice`);
    opts.set(key, o.value);
  }
  const table = opts.get('table');
  if (table === undefined || table.trim() === '') bad(`option 'table' is required (the lookup table's name or alias)`);
  const bool = (key: string): boolean => {
    const v = opts.get(key);
    if (v === undefined) return false;
    const l = v.toLowerCase();
    if (l !== 'true' && l !== 'false') bad(`'${key}' must be 'true' or 'false', got '${v}'`);
    return l === 'true';
  };
  const positiveInt = (key: string): number | undefined => {
    const v = opts.get(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) bad(`'${key}' must be a positive integer, got '${v}'`);
    return n;
  };
  const duration = (key: string): number | undefined => {
    const v = opts.get(key);
    if (v === undefined) return undefined;
    try {
      return parseDurationMs(key, v);
    } catch {
      return bad(`'${key}' must be a duration like '1s' or '500 ms', got '${v}'`);
    }
  };
  const async = bool('async');
  const mode = opts.get('output-mode');
  if (mode !== undefined && !['ordered', 'allow_unordered'].includes(mode.toLowerCase())) bad(`'output-mode' must be 'ordered' or 'allow_unordered', got '${mode}'`);
  positiveInt('capacity');
  duration('timeout');
  const predicate = opts.get('retry-predicate');
  const strategy = opts.get('retry-strategy');
  const delay = duration('fixed-delay');
  const attempts = positiveInt('max-attempts');
  let retry: LookupHint['retry'] = null;
  if (predicate !== undefined || strategy !== undefined || delay !== undefined || attempts !== undefined) {
    // Flink requires the four retry options together.
    if (predicate === undefined || strategy === undefined || delay === undefined || attempts === undefined) {
      bad(`a retry needs all of 'retry-predicate', 'retry-strategy', 'fixed-delay' and 'max-attempts'`);
    }
    if (predicate!.toLowerCase() !== 'lookup_miss') bad(`'retry-predicate' must be 'lookup_miss', got '${predicate}'`);
    if (strategy!.toLowerCase() !== 'fixed_delay') bad(`'retry-strategy' must be 'fixed_delay', got '${strategy}'`);
    retry = { maxAttempts: attempts!, fixedDelayMs: delay! };
  }
  return { table: table!, async, retry, span: h.span };
}
