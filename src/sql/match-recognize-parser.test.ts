import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from './parser.js';
import type { MatchRecognizeRef, PatternTerm, Select } from './ast.js';

/** The MATCH_RECOGNIZE item of `SELECT * FROM …`. */
function mr(sql: string): MatchRecognizeRef {
  const q = parseQuery(sql) as Select;
  assert.equal(q.from?.kind, 'MatchRecognize');
  return q.from as MatchRecognizeRef;
}

/** Compact pattern text: `A B+ C{2,}?`, groups in parentheses, alternation with `|`. */
function show(p: PatternTerm): string {
  switch (p.kind) {
    case 'PatternVariable':
      return p.name.value;
    case 'PatternConcat':
      return p.terms.map(show).join(' ');
    case 'PatternAlternation':
      return `(${p.alternatives.map(show).join(' | ')})`;
    case 'PatternQuantified': {
      const inner = p.term.kind === 'PatternVariable' ? show(p.term) : `(${show(p.term)})`;
      return `${inner}{${p.min},${p.max ?? ''}}${p.reluctant ? '?' : ''}`;
    }
  }
}

describe('MATCH_RECOGNIZE', () => {
  it('parses every clause of the Flink documentation example', () => {
    const m = mr(`SELECT * FROM Ticker MATCH_RECOGNIZE (
      PARTITION BY symbol ORDER BY rowtime
      MEASURES START_ROW.rowtime AS start_tstamp, LAST(PRICE_DOWN.rowtime) AS bottom_tstamp
      ONE ROW PER MATCH
      AFTER MATCH SKIP TO LAST PRICE_UP
      PATTERN (START_ROW PRICE_DOWN+ PRICE_UP) WITHIN INTERVAL '1' HOUR
      DEFINE PRICE_DOWN AS PRICE_DOWN.price < 10, PRICE_UP AS PRICE_UP.price > 20
    ) AS T`);
    assert.equal(m.input.kind, 'TableName');
    assert.equal(m.partitionBy.length, 1);
    assert.equal(m.orderBy.length, 1);
    assert.deepEqual(m.measures.map((x) => x.alias.value), ['start_tstamp', 'bottom_tstamp']);
    assert.equal(m.rowsPerMatch, 'ONE');
    assert.equal(m.afterMatch?.kind, 'ToLast');
    assert.equal(show(m.pattern), 'START_ROW PRICE_DOWN{1,} PRICE_UP');
    assert.equal(m.within?.kind, 'IntervalLiteral');
    assert.deepEqual(m.define.map((d) => d.variable.value), ['PRICE_DOWN', 'PRICE_UP']);
    assert.equal(m.alias?.value, 'T');
  });

  it('parses every quantifier, reluctant forms, groups and alternation', () => {
    const p = (text: string) => show(mr(`SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (${text}) DEFINE A AS true)`).pattern);
    assert.equal(p('A* B+ C?'), 'A{0,} B{1,} C{0,1}');
    assert.equal(p('A*? B+? C??'), 'A{0,}? B{1,}? C{0,1}?');
    assert.equal(p('A{3} B{2,} C{1,4} D{,5}?'), 'A{3,3} B{2,} C{1,4} D{0,5}?');
    assert.equal(p('A (B C)+ | D'), '(A (B C){1,} | D)');
  });

  it('reads the skip strategies and defaults', () => {
    const after = (text: string) => mr(`SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts ${text} PATTERN (A) DEFINE A AS true)`).afterMatch;
    assert.equal(after('AFTER MATCH SKIP PAST LAST ROW')?.kind, 'PastLastRow');
    assert.equal(after('AFTER MATCH SKIP TO NEXT ROW')?.kind, 'ToNextRow');
    assert.deepEqual(after('AFTER MATCH SKIP TO FIRST A') && { kind: after('AFTER MATCH SKIP TO FIRST A')!.kind }, { kind: 'ToFirst' });
    assert.equal(after('AFTER MATCH SKIP TO A')?.kind, 'ToLast');
    assert.equal(after(''), undefined);
    const all = mr('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts ALL ROWS PER MATCH PATTERN (A) DEFINE A AS true)');
    assert.equal(all.rowsPerMatch, 'ALL');
    assert.deepEqual(all.rowsPerMatchSpan?.start, { line: 1, col: 46, offset: 45 });
  });

  it('follows a subquery and an aliased table', () => {
    assert.equal(mr('SELECT * FROM (SELECT * FROM t) MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS true)').input.kind, 'Subquery');
    const m = mr('SELECT * FROM t AS x MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS true) m');
    assert.equal((m.input as { alias?: { value: string } }).alias?.value, 'x');
    assert.equal(m.alias?.value, 'm');
  });
});
