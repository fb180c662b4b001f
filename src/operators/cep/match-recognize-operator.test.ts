import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExprIR } from '../../expr/index.js';
import type { MatchAfterSkip, MatchExpr, MatchNavigation, MatchPatternElement, MatchRecognizeSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { MatchRecognizeOperator } from './match-recognize-operator.js';

// Input: k STRING, v BIGINT, ts TIMESTAMP(3) *ROWTIME*. Variables: A = 0, B = 1, C = 2.
const TS: LogicalType = { kind: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'rowtime' };
const INPUT: RowType = { fields: [{ name: 'k', type: Types.string() }, { name: 'v', type: Types.bigint() }, { name: 'ts', type: TS }] };
const BIG = Types.bigint();
const BOOL = Types.boolean();
const V: ExprIR = { kind: 'input', index: 1, type: BIG };
const slot = (i: number, type: LogicalType = BIG): ExprIR => ({ kind: 'input', index: i, type });
const lit = (n: number): ExprIR => ({ kind: 'literal', value: n, type: Types.bigint(false) });
const call = (fn: string, ...args: ExprIR[]): ExprIR => ({ kind: 'call', fn, args, type: BOOL });
const last = (variable: number | null, offset = 0): MatchNavigation => ({ kind: 'last', variable, offset, arg: V, type: BIG });
const first = (variable: number | null, offset = 0): MatchNavigation => ({ kind: 'first', variable, offset, arg: V, type: BIG });
const prev = (variable: number | null, offset = 1): MatchNavigation => ({ kind: 'prev', variable, offset, arg: V, type: BIG });
const count = (variable: number | null): MatchNavigation => ({ kind: 'aggregate', fn: 'COUNT', variable, arg: null, type: Types.bigint(false) });
const expr = (e: ExprIR, ...slots: MatchNavigation[]): MatchExpr => ({ expr: e, slots });
const el = (variable: number, min: number, max: number | null, greedy = max !== min): MatchPatternElement => ({ variable, min, max, greedy });

/** Measures: first and last v of the match, number of B rows, and MATCH_ROWTIME(). */
const MEASURES: MatchRecognizeSpec['measures'] = [
  { name: 'first_v', expr: expr(slot(0), first(null)) },
  { name: 'last_v', expr: expr(slot(0), last(null)) },
  { name: 'nb', expr: expr(slot(0, Types.bigint(false)), count(1)) },
  { name: 'mt', expr: expr(slot(0, TS), { kind: 'match-rowtime', type: TS }) },
];
const OUTPUT: RowType = {
  fields: [{ name: 'k', type: Types.string() }, ...MEASURES.map((m) => ({ name: m.name, type: m.expr.slots[0]!.type }))],
};

function spec(elements: MatchPatternElement[], defines: (MatchExpr | null)[], extra: Partial<MatchRecognizeSpec> = {}): MatchRecognizeSpec {
  return {
    type: 'match-recognize',
    version: 1,
    partitionKeys: [0],
    timeIndex: 2,
    procTime: false,
    orderBy: [],
    variables: ['A', 'B', 'C'],
    elements,
    within: null,
    after: { kind: 'past-last-row' },
    defines,
    measures: MEASURES,
    ...extra,
  };
}

async function run(s: MatchRecognizeSpec, rows: string[]): Promise<string[]> {
  const h = await new OperatorHarness(new MatchRecognizeOperator(s), { spec: s, inputTypes: [INPUT], outputType: OUTPUT }).open();
  await h.process(0, rows);
  await h.finish();
  return h.take();
}

const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const out = (k: string, firstV: number, lastV: number, nb: number, ts: number): string => `+I[${k}, ${firstV}, ${lastV}, ${nb}, ${t(ts)}]`;
/** Rows of key `k` with values `vs` at times 1, 2, 3, … */
const series = (k: string, vs: (number | null)[]): string[] => vs.map((v, i) => `+I[${k}, ${v ?? 'null'}, ${i + 1}]`);

// C: v = 0.
const C_ZERO = expr(call('=', slot(0), lit(0)), last(2));
// B: v > PREV(v) (within the match).
const B_RISING = expr(call('>', slot(0), slot(1)), last(1), prev(1));

describe('MatchRecognizeOperator', () => {
  it('a reluctant B+? ends at the first C; a greedy B+ over an always-true B never ends', async () => {
    const rows = series('a', [1, 2, 0, 3, 0]);
    const reluctant = spec([el(0, 1, 1), el(1, 1, null, false), el(2, 1, 1)], [null, null, C_ZERO]);
    assert.deepEqual(await run(reluctant, rows), [out('a', 1, 0, 1, 3)]);
    const greedy = spec([el(0, 1, 1), el(1, 1, null, true), el(2, 1, 1)], [null, null, C_ZERO]);
    assert.deepEqual(await run(greedy, rows), []);
  });

  it('a greedy B+ takes rows while its condition holds, then proceeds', async () => {
    const s = spec([el(0, 1, 1), el(1, 1, null), el(2, 1, 1)], [null, B_RISING, null]);
    // 5 | 6 7 8 | 2 ; then 1 | 4 | 3
    assert.deepEqual(await run(s, series('a', [5, 6, 7, 8, 2, 1, 4, 3])), [out('a', 5, 2, 3, 5), out('a', 1, 3, 1, 8)]);
  });

  it('bounded quantifiers {n} and {n,m}', async () => {
    const exact = spec([el(0, 1, 1), el(1, 2, 2), el(2, 1, 1)], [null, B_RISING, null]);
    assert.deepEqual(await run(exact, series('a', [5, 6, 7, 8, 2])), [out('a', 5, 8, 2, 4)]);
    // B{1,2} greedy: at most two rising rows, then C takes the next row whatever it is.
    const upTo2 = spec([el(0, 1, 1), el(1, 1, 2), el(2, 1, 1)], [null, B_RISING, null]);
    assert.deepEqual(await run(upTo2, series('a', [5, 6, 7, 8, 9])), [out('a', 5, 8, 2, 4)]);
  });

  it('skip strategies: PAST LAST ROW, TO NEXT ROW, TO FIRST / TO LAST of a variable', async () => {
    const rows = series('a', [1, 2, 3, 4, 0]);
    const base = [el(0, 1, 1), el(1, 1, null, false), el(2, 1, 1)];
    const defs = [null, null, C_ZERO];
    const with_ = (after: MatchAfterSkip) => run(spec(base, defs, { after }), rows);
    assert.deepEqual(await with_({ kind: 'past-last-row' }), [out('a', 1, 0, 3, 5)]);
    // Every start before the C completes at the same row; TO NEXT ROW keeps all of them.
    assert.deepEqual(await with_({ kind: 'to-next-row' }), [out('a', 1, 0, 3, 5), out('a', 2, 0, 2, 5), out('a', 3, 0, 1, 5)]);
    // TO FIRST B resumes at the match's second row: the match starting there (same end) is kept too.
    assert.deepEqual(await with_({ kind: 'to-first', variable: 1 }), [out('a', 1, 0, 3, 5), out('a', 2, 0, 2, 5), out('a', 3, 0, 1, 5)]);
    // TO LAST B resumes at row 4: matches starting at rows 2 and 3 are discarded.
    assert.deepEqual(await with_({ kind: 'to-last', variable: 1 }), [out('a', 1, 0, 3, 5)]);
  });

  it('WITHIN discards partial matches once a row comes that long after their first row', async () => {
    const s = spec([el(0, 1, 1), el(1, 0, null, false), el(2, 1, 1)], [null, null, C_ZERO], { within: 3 });
    // From v=1 (t=1) the C at t=5 is 4 ms later: too late; from v=3 (t=3) it is 2 ms later.
    assert.deepEqual(await run(s, series('a', [1, 2, 3, 4, 0])), [out('a', 3, 0, 1, 5)]);
  });

  it('orders rows by time per partition, drops late rows, breaks time ties by value', async () => {
    const s = spec([el(0, 1, 1), el(1, 1, 1), el(2, 1, 1)], [null, B_RISING, C_ZERO]);
    const h = await new OperatorHarness(new MatchRecognizeOperator(s), { spec: s, inputTypes: [INPUT], outputType: OUTPUT }).open();
    // Out of order within the watermark; b's rows arrive interleaved.
    await h.process(0, ['+I[a, 0, 3]', '+I[b, 5, 1]', '+I[a, 1, 1]', '+I[a, 2, 2]', '+I[b, 9, 2]']);
    assert.deepEqual(h.take(), []);
    await h.watermark(3);
    assert.deepEqual(h.take(), [out('a', 1, 0, 1, 3)]);
    // At or behind the watermark: late (b's 5 and 9 at t=1, 2 were buffered before it and are matched).
    await h.process(0, ['+I[b, 1, 3]', '+I[b, 7, 2]']);
    assert.equal(h.counter('numLateRecordsDropped'), 2);
    // Two rows at t=4 arrive as 4, 0 and are matched sorted by value: the 0 completes A=5 B=9 C=0.
    await h.process(0, ['+I[b, 4, 4]', '+I[b, 0, 4]']);
    await h.finish();
    assert.deepEqual(h.take(), [out('b', 5, 0, 1, 4)]);
  });

  it('NULL values never satisfy a condition; no input, no output', async () => {
    const s = spec([el(0, 1, 1), el(1, 1, 1), el(2, 1, 1)], [null, B_RISING, C_ZERO]);
    assert.deepEqual(await run(s, series('a', [1, null, 0, 1, 2, 0])), [out('a', 1, 0, 1, 6)]);
    assert.deepEqual(await run(s, []), []);
  });

  it('processing time: rows are matched on arrival, in arrival order', async () => {
    const s = spec([el(0, 1, 1), el(1, 1, 1)], [null, expr(call('=', slot(0), lit(0)), last(1))], { procTime: true });
    const h = await new OperatorHarness(new MatchRecognizeOperator(s), { spec: s, inputTypes: [INPUT], outputType: OUTPUT, processingTime: 1000 }).open();
    // The time column is ignored: arrival order decides (0 after 7 completes A=7 B=0).
    await h.process(0, ['+I[a, 7, 50]', '+I[a, 0, 10]']);
    assert.deepEqual(h.take(), [out('a', 7, 0, 1, 10)]);
  });

  it('keeps no state for a partition without pending rows or partial matches', async () => {
    const s = spec([el(0, 1, 1), el(1, 1, 1)], [null, expr(call('=', slot(0), lit(0)), last(1))]);
    const h = await new OperatorHarness(new MatchRecognizeOperator(s), { spec: s, inputTypes: [INPUT], outputType: OUTPUT }).open();
    await h.process(0, ['+I[a, 1, 1]', '+I[a, 0, 2]']);
    await h.watermark(10);
    assert.deepEqual(h.take(), [out('a', 1, 0, 1, 2)]);
    assert.equal(h.state.approximateKeyCount(), 0);
  });
});
