import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ExprIR } from '../../expr/index.js';
import type { JoinSpec } from '../../spec/index.js';
import { Types } from '../../types/index.js';
import type { LogicalType, RowType } from '../../types/index.js';
import { OperatorHarness } from '../test-support/harness.js';
import { JoinOperator } from './join-operator.js';

const row = (...fields: [string, LogicalType][]): RowType => ({ fields: fields.map(([name, type]) => ({ name, type })) });
const L = row(['lk', Types.bigint()], ['lv', Types.string()]);
const R = row(['rk', Types.bigint()], ['rv', Types.string()]);

function spec(joinType: JoinSpec['joinType'], extra: Partial<JoinSpec> = {}): JoinSpec {
  return {
    type: 'join',
    version: 1,
    joinType,
    leftKeys: [0],
    rightKeys: [0],
    condition: null,
    leftType: L,
    rightType: R,
    leftUniqueKey: null,
    rightUniqueKey: null,
    leftMode: { kind: 'retract' },
    rightMode: { kind: 'retract' },
    leftStateTtlMs: 0,
    rightStateTtlMs: 0,
    ...extra,
  };
}

async function harness(s: JoinSpec) {
  const output: RowType = s.joinType === 'SEMI' || s.joinType === 'ANTI' ? s.leftType : { fields: [...s.leftType.fields, ...s.rightType.fields] };
  return new OperatorHarness(new JoinOperator(s), { spec: s, inputTypes: [s.leftType, s.rightType], outputType: output }).open();
}

const ref = (index: number, type: LogicalType): ExprIR => ({ kind: 'input', index, type });
const fn = (name: string, type: LogicalType, ...args: ExprIR[]): ExprIR => ({ kind: 'call', fn: name, args, type });

describe('JoinOperator', () => {
  it('INNER: joins both ways, duplicates, and forwards the input kinds of retractions', async () => {
    const h = await harness(spec('INNER'));
    await h.process(0, ['+I[1, a]', '+I[1, a]', '+I[2, b]']);
    assert.deepEqual(h.take(), []);
    await h.process(1, ['+I[1, x]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, x]', '+I[1, a, 1, x]']);
    await h.process(0, ['-U[1, a]', '+U[1, c]']);
    assert.deepEqual(h.take(), ['-U[1, a, 1, x]', '+U[1, c, 1, x]']);
    await h.process(1, ['-D[1, x]', '+I[2, y]']);
    assert.deepEqual(h.take(), ['-D[1, a, 1, x]', '-D[1, c, 1, x]', '+I[2, b, 2, y]']);
  });

  it('LEFT: null-padded row retracted on the first match and re-emitted after the last', async () => {
    const h = await harness(spec('LEFT'));
    await h.process(0, ['+I[1, a]']);
    assert.deepEqual(h.take(), ['+I[1, a, null, null]']);
    await h.process(1, ['+I[1, x]']);
    assert.deepEqual(h.take(), ['-D[1, a, null, null]', '+I[1, a, 1, x]']);
    await h.process(1, ['+I[1, y]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, y]']);
    await h.process(1, ['-D[1, x]']);
    assert.deepEqual(h.take(), ['-D[1, a, 1, x]']);
    await h.process(1, ['-U[1, y]']);
    assert.deepEqual(h.take(), ['-U[1, a, 1, y]', '+I[1, a, null, null]']);
    await h.process(0, ['-D[1, a]']);
    assert.deepEqual(h.take(), ['-D[1, a, null, null]']);
    // A left row arriving when the right side already matches joins directly.
    await h.process(1, ['+I[2, z]']);
    await h.process(0, ['+U[2, b]']);
    assert.deepEqual(h.take(), ['+I[2, b, 2, z]']);
  });

  it('RIGHT and FULL mirror LEFT', async () => {
    const r = await harness(spec('RIGHT'));
    await r.process(1, ['+I[1, x]']);
    await r.process(0, ['+I[1, a]']);
    await r.process(0, ['-D[1, a]']);
    assert.deepEqual(r.take(), ['+I[null, null, 1, x]', '-D[null, null, 1, x]', '+I[1, a, 1, x]', '-D[1, a, 1, x]', '+I[null, null, 1, x]']);
    const f = await harness(spec('FULL'));
    await f.process(0, ['+I[1, a]', '+I[2, b]']);
    await f.process(1, ['+I[1, x]', '+I[3, z]']);
    await f.process(0, ['-D[1, a]']);
    assert.deepEqual(f.take(), [
      '+I[1, a, null, null]',
      '+I[2, b, null, null]',
      '-D[1, a, null, null]',
      '+I[1, a, 1, x]',
      '+I[null, null, 3, z]',
      '-D[1, a, 1, x]',
      '+I[null, null, 1, x]',
    ]);
  });

  it('LEFT with duplicates on the outer side retracts and re-emits every copy', async () => {
    const h = await harness(spec('LEFT'));
    await h.process(0, ['+I[1, a]', '+I[1, a]']);
    await h.process(1, ['+I[1, x]']);
    assert.deepEqual(h.take(), [
      '+I[1, a, null, null]',
      '+I[1, a, null, null]',
      '-D[1, a, null, null]',
      '+I[1, a, 1, x]',
      '-D[1, a, null, null]',
      '+I[1, a, 1, x]',
    ]);
  });

  it('SEMI and ANTI flip left rows as right matches come and go', async () => {
    const semi = await harness(spec('SEMI'));
    await semi.process(0, ['+I[1, a]']);
    await semi.process(1, ['+I[1, x]', '+I[1, y]']);
    await semi.process(0, ['+I[1, b]']);
    await semi.process(1, ['-D[1, x]', '-D[1, y]']);
    assert.deepEqual(semi.take(), ['+I[1, a]', '+I[1, b]', '-D[1, a]', '-D[1, b]']);
    const anti = await harness(spec('ANTI'));
    await anti.process(0, ['+I[1, a]', '+I[null, n]']);
    await anti.process(1, ['+I[1, x]', '+I[null, q]']);
    await anti.process(0, ['+I[1, b]', '-D[null, n]']);
    await anti.process(1, ['-D[1, x]']);
    assert.deepEqual(anti.take(), ['+I[1, a]', '+I[null, n]', '-D[1, a]', '-D[null, n]', '+I[1, a]', '+I[1, b]']);
  });

  it('NULL keys never match; outer rows with NULL keys are NULL-padded', async () => {
    const h = await harness(spec('FULL'));
    await h.process(0, ['+I[null, a]']);
    await h.process(1, ['+I[null, x]']);
    await h.process(0, ['-D[null, a]']);
    assert.deepEqual(h.take(), ['+I[null, a, null, null]', '+I[null, null, null, x]', '-D[null, a, null, null]']);
    const inner = await harness(spec('INNER'));
    await inner.process(0, ['+I[null, a]']);
    await inner.process(1, ['+I[null, x]']);
    assert.deepEqual(inner.take(), []);
  });

  it('non-equi condition (nexmark q7 style BETWEEN on time)', async () => {
    const ts = Types.timestamp(3);
    const LT = row(['price', Types.bigint()], ['t', ts]);
    const RT = row(['maxprice', Types.bigint()], ['t', ts]);
    // l.t BETWEEN r.t - 10 AND r.t  →  l.t >= r.t - 10 AND l.t <= r.t
    const cond = fn(
      'AND',
      Types.boolean(),
      fn('>=', Types.boolean(), ref(1, ts), fn('-', ts, ref(3, ts), { kind: 'literal', value: 10, type: Types.intervalDayTime() })),
      fn('<=', Types.boolean(), ref(1, ts), ref(3, ts)),
    );
    const h = await harness(spec('INNER', { leftType: LT, rightType: RT, condition: cond }));
    await h.process(0, ['+I[5, 100]', '+I[5, 89]', '+I[5, 90]', '+I[5, 101]', '+I[6, 95]']);
    await h.process(1, ['+I[5, 100]']);
    const t = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    assert.deepEqual(h.take(), [`+I[5, ${t(100)}, 5, ${t(100)}]`, `+I[5, ${t(90)}, 5, ${t(100)}]`]);
    // LEFT join with a condition: a left row that fails the condition stays NULL-padded.
    const lj = await harness(spec('LEFT', { leftType: LT, rightType: RT, condition: cond }));
    await lj.process(1, ['+I[5, 100]']);
    await lj.process(0, ['+I[5, 50]', '+I[5, 95]']);
    assert.deepEqual(lj.take(), [`+I[5, ${t(50)}, null, null]`, `+I[5, ${t(95)}, 5, ${t(100)}]`]);
  });

  it('unique keys: an accumulate for an existing unique key replaces the record', async () => {
    const h = await harness(spec('INNER', { leftUniqueKey: [1] }));
    await h.process(1, ['+I[1, x]']);
    await h.process(0, ['+I[1, a]', '-U[1, a]', '+U[1, a]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, x]', '-U[1, a, 1, x]', '+U[1, a, 1, x]']);
    await h.process(1, ['+I[1, y]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, y]']);
  });

  it('state TTL: expired records no longer match', async () => {
    const h = await harness(spec('INNER', { leftStateTtlMs: 1000, rightStateTtlMs: 1000 }));
    await h.process(0, ['+I[1, a]']);
    h.now += 999;
    await h.process(1, ['+I[1, x]']);
    assert.deepEqual(h.take(), ['+I[1, a, 1, x]']);
    h.now += 1;
    await h.process(1, ['+I[1, y]']);
    assert.deepEqual(h.take(), []);
    await h.process(0, ['+I[1, b]']);
    assert.deepEqual(h.take(), ['+I[1, b, 1, x]', '+I[1, b, 1, y]']);
  });

  for (const joinType of ['INNER', 'LEFT', 'FULL', 'SEMI', 'ANTI'] as const) {
    it(`property: ${joinType} output applied to an empty table equals the join of the net inputs`, async () => {
      const op = fc.record({ side: fc.integer({ min: 0, max: 1 }), k: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null, freq: 6 }), v: fc.constantFrom('a', 'b'), del: fc.boolean() });
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(op, { maxLength: 5 }), { maxLength: 8 }), async (batches) => {
          const h = await harness(spec(joinType));
          const live: [string[], string[]] = [[], []];
          for (const b of batches) {
            const lines: [string[], string[]] = [[], []];
            for (const o of b) {
              const r = `${o.k}, ${o.v}`;
              if (o.del) {
                const i = live[o.side]!.indexOf(r);
                if (i < 0) continue;
                live[o.side]!.splice(i, 1);
                lines[o.side]!.push(`-D[${r}]`);
              } else {
                live[o.side]!.push(r);
                lines[o.side]!.push(`+I[${r}]`);
              }
            }
            for (const side of [0, 1]) if (lines[side]!.length > 0) await h.process(side, lines[side]!);
          }
          const table = new Map<string, number>();
          for (const line of h.take()) {
            const body = line.slice(3, -1);
            const delta = line.startsWith('+') ? 1 : -1;
            const n = (table.get(body) ?? 0) + delta;
            assert.ok(n >= 0, `retraction of a row that is not in the result: ${line}`);
            if (n === 0) table.delete(body);
            else table.set(body, n);
          }
          const expected = new Map<string, number>();
          const add = (s: string) => expected.set(s, (expected.get(s) ?? 0) + 1);
          const key = (r: string) => r.split(', ')[0];
          const [ls, rs] = live;
          const matches = (l: string, r: string) => key(l) !== 'null' && key(l) === key(r);
          for (const l of ls) {
            const m = rs.filter((r) => matches(l, r));
            if (joinType === 'SEMI') {
              if (m.length > 0) add(l);
            } else if (joinType === 'ANTI') {
              if (m.length === 0) add(l);
            } else {
              for (const r of m) add(`${l}, ${r}`);
              if (m.length === 0 && joinType !== 'INNER') add(`${l}, null, null`);
            }
          }
          if (joinType === 'FULL') for (const r of rs) if (!ls.some((l) => matches(l, r))) add(`null, null, ${r}`);
          assert.deepEqual(new Map([...table].sort()), new Map([...expected].sort()));
        }),
        { numRuns: 300 },
      );
    });
  }
});
