/**
 * MATCH_RECOGNIZE in the planner: a Match node with Flink's EXPLAIN name, its spec (pattern, navigations,
 * skip strategy, WITHIN), hash partitioning by PARTITION BY, insert-only in and out, and Flink's errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FloeError } from '../common/index.js';
import type { JobSpec, MatchRecognizeSpec } from '../spec/index.js';
import { nexmarkSession } from './test-support.js';

const matches = (job: JobSpec): MatchRecognizeSpec[] => job.nodes.flatMap((n) => (n.operator.type === 'match-recognize' ? [n.operator] : []));
const fails = (code: string, message?: RegExp) => (e: unknown) => e instanceof FloeError && e.code === code && (message === undefined || message.test(e.message));

const Q = (body: string, select = '*') => `SELECT ${select} FROM bid MATCH_RECOGNIZE (PARTITION BY auction ORDER BY dateTime ${body})`;

describe('MATCH_RECOGNIZE', () => {
  test('binds pattern, navigations, skip and WITHIN into the spec; output = partition keys + measures', async () => {
    const s = await nexmarkSession({ 'parallelism.default': '2' });
    const r = await s.query(
      Q(`MEASURES A.price AS a_price, LAST(B.price, 1) AS b1, AVG(B.price) AS avg_b, MATCH_ROWTIME() AS mt, CLASSIFIER() AS cls
         AFTER MATCH SKIP TO FIRST B
         PATTERN (A B{2,}? C) WITHIN INTERVAL '10' SECOND
         DEFINE B AS B.price > PREV(B.price), C AS C.price < FIRST(B.price)`),
    );
    const [m] = matches(r.job);
    assert.ok(m);
    assert.deepEqual(m.variables, ['A', 'B', 'C']);
    assert.deepEqual(m.elements, [
      { variable: 0, min: 1, max: 1, greedy: false },
      { variable: 1, min: 2, max: null, greedy: false },
      { variable: 2, min: 1, max: 1, greedy: false },
    ]);
    assert.deepEqual(m.after, { kind: 'to-first', variable: 1 });
    assert.equal(m.within, 10000);
    assert.equal(m.defines[0], null);
    assert.deepEqual(m.defines[1]!.slots.map((x) => x.kind), ['last', 'prev']);
    assert.deepEqual(m.measures.map((x) => x.name), ['a_price', 'b1', 'avg_b', 'mt', 'cls']);
    assert.deepEqual(r.resultType.fields.map((f) => f.name), ['auction', 'a_price', 'b1', 'avg_b', 'mt', 'cls']);
    // Navigated times are plain values; MATCH_ROWTIME() is the output's time attribute.
    assert.equal((r.resultType.fields[4]!.type as { timeAttribute?: string }).timeAttribute, 'rowtime');
    assert.deepEqual(r.changelogMode, { kind: 'insert-only' });
    const node = r.job.nodes.find((n) => n.operator.type === 'match-recognize')!;
    assert.deepEqual(node.inputs[0]!.partitioning, { kind: 'hash', keys: m.partitionKeys });
    assert.equal(node.parallelism, 2);
    assert.equal(
      node.name,
      'Match(partitionBy=[auction], orderBy=[dateTime ASC], measures=[LAST(A.price, 0) AS a_price, LAST(B.price, 1) AS b1, AVG(B.price) AS avg_b, MATCH_ROWTIME() AS mt, CLASSIFIER() AS cls], ' +
        'rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP TO FIRST B], pattern=[A B{2,}? C], within=[10 s], ' +
        'define=[B AS (LAST(B.price, 0) > PREV(B.price, 1)), C AS (LAST(C.price, 0) < FIRST(B.price, 0))])',
    );
  });

  test('no PARTITION BY runs at parallelism 1; proctime ordering is accepted', async () => {
    const s = await nexmarkSession({ 'parallelism.default': '2' });
    const r = await s.query(`SELECT * FROM bid MATCH_RECOGNIZE (ORDER BY dateTime MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 10)`);
    assert.equal(r.job.nodes.find((n) => n.operator.type === 'match-recognize')!.parallelism, 1);
    await s.ddl(`CREATE VIEW pbid AS SELECT auction, price, PROCTIME() AS pt FROM bid`);
    const p = await s.query(`SELECT * FROM pbid MATCH_RECOGNIZE (PARTITION BY auction ORDER BY pt MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 10)`);
    assert.equal(matches(p.job)[0]!.procTime, true);
  });

  test('Flink restrictions are errors with the clause position', async () => {
    const s = await nexmarkSession();
    await assert.rejects(s.query(Q('MEASURES A.price AS p PATTERN (A B+) DEFINE A AS A.price > 0')), fails('PLAN.UNSUPPORTED_MATCH_RECOGNIZE', /^Greedy quantifiers are not allowed as the last element/));
    // A reluctant last element and an exact count are fine.
    await s.query(Q('MEASURES A.price AS p PATTERN (A B+?) DEFINE A AS A.price > 0'));
    await s.query(Q('MEASURES A.price AS p PATTERN (A B{3}) DEFINE A AS A.price > 0'));
    await assert.rejects(s.query(Q('MEASURES A.price AS p ALL ROWS PER MATCH PATTERN (A B) DEFINE A AS A.price > 0')), fails('PLAN.UNSUPPORTED_MATCH_RECOGNIZE', /ALL ROWS PER MATCH/));
    await assert.rejects(
      s.query(`SELECT * FROM bid MATCH_RECOGNIZE (PARTITION BY auction ORDER BY price MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 0)`),
      fails('PLAN.MATCH_RECOGNIZE', /first ORDER BY key .* time attribute/),
    );
    await assert.rejects(
      s.query(`SELECT * FROM bid MATCH_RECOGNIZE (PARTITION BY auction ORDER BY dateTime DESC MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 0)`),
      fails('PLAN.MATCH_RECOGNIZE', /ascending/),
    );
    await assert.rejects(s.query(Q('MEASURES A.price AS p PATTERN (A (B C)+ D) DEFINE A AS A.price > 0')), fails('PLAN.UNSUPPORTED_MATCH_RECOGNIZE', /groups/));
    await assert.rejects(s.query(Q('MEASURES A.price AS p PATTERN (A B A) DEFINE A AS A.price > 0')), fails('PLAN.UNSUPPORTED_MATCH_RECOGNIZE', /more than once/));
    await assert.rejects(s.query(Q('MEASURES A.price AS p AFTER MATCH SKIP TO LAST Z PATTERN (A B) DEFINE A AS A.price > 0')), fails('PLAN.MATCH_RECOGNIZE', /'Z' is not a variable/));
    await assert.rejects(s.query(Q('MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price')), fails('PLAN.MATCH_RECOGNIZE', /BOOLEAN/));
    await assert.rejects(s.query(Q('MEASURES A.nope AS p PATTERN (A B) DEFINE A AS A.price > 0')), fails('PLAN.UNKNOWN_COLUMN'));
    await assert.rejects(s.query(Q('MEASURES SUM(A.channel) AS p PATTERN (A B) DEFINE A AS A.price > 0')), fails('PLAN.UNSUPPORTED_MATCH_RECOGNIZE', /SUM over/));
    await assert.rejects(s.query(Q('MEASURES A.price AS auction PATTERN (A B) DEFINE A AS A.price > 0')), fails('PLAN.MATCH_RECOGNIZE', /defined twice/));
  });

  test('updating input is rejected as Flink does', async () => {
    const s = await nexmarkSession();
    await assert.rejects(
      s.query(`SELECT * FROM (SELECT auction, price, dateTime FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY dateTime DESC) AS rn FROM bid) WHERE rn = 1)
        MATCH_RECOGNIZE (PARTITION BY auction ORDER BY dateTime MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 0)`),
      fails('PLAN.MATCH_UPDATING_INPUT'),
    );
  });
});
