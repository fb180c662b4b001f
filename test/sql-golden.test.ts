/**
 * SQL golden files (sqllogictest-like), one fresh session per file, under test/sql/*.slt:
 *
 *   # comment
 *   statement ok
 *   CREATE TABLE t (…) WITH (…)
 *
 *   statement error PLAN.UNKNOWN_COLUMN
 *   SELECT nope FROM t
 *
 *   query rowsort            (or: query, query changelog)
 *   SELECT a, COUNT(*) FROM t GROUP BY a
 *   ----
 *   1 2
 *   2 1
 *
 * A record ends at a blank line. `statement error <text>` passes when the error's code or message contains
 * <text>. `query` compares the final materialized rows (`rowsort` sorts both sides); `query changelog`
 * compares every emitted change as `+I[…]` strings in order. Cells print as Flink prints values, NULL as
 * `NULL`, separated by single spaces. `${DATA}` in SQL is the folder test/sql/data.
 *
 * FLOE_COMPLETE=1 rewrites the expected output of every query from the actual results (review the diff).
 * FLOE_SLT=name.slt:LINE runs only the record starting at that line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MaterializedTable, Session, cellText } from '../src/api/index.js';
import { FloeError } from '../src/common/index.js';
import { getRow, ROW_KIND_SHORT, rowKindAt } from '../src/types/index.js';

const DIR = join(import.meta.dirname, 'sql');
const DATA = join(DIR, 'data');

interface SltRecord {
  readonly line: number;
  readonly kind: 'statement-ok' | 'statement-error' | 'query';
  readonly errorText?: string;
  readonly sort: boolean;
  readonly changelog: boolean;
  readonly sql: string;
  readonly expected: string[];
  /** Line range of the expected block (for FLOE_COMPLETE), 0-based [start, end). */
  readonly expectedRange?: [number, number];
}

function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const header = lines[i]!.trim();
    if (header === '' || header.startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    const words = header.split(/\s+/);
    i++;
    const sqlLines: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----') sqlLines.push(lines[i++]!);
    const expected: string[] = [];
    let expectedRange: [number, number] | undefined;
    if (words[0] === 'query') {
      if (lines[i]?.trim() === '----') {
        i++;
        const from = i;
        while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!.trim());
        expectedRange = [from, i];
      } else {
        expectedRange = [i, i];
      }
      records.push({ line: start + 1, kind: 'query', sort: words.includes('rowsort'), changelog: words.includes('changelog'), sql: sqlLines.join('\n'), expected, expectedRange });
    } else if (words[0] === 'statement' && words[1] === 'ok') {
      records.push({ line: start + 1, kind: 'statement-ok', sort: false, changelog: false, sql: sqlLines.join('\n'), expected });
    } else if (words[0] === 'statement' && words[1] === 'error') {
      records.push({ line: start + 1, kind: 'statement-error', errorText: words.slice(2).join(' '), sort: false, changelog: false, sql: sqlLines.join('\n'), expected });
    } else {
      throw new Error(`line ${start + 1}: unknown record '${header}'`);
    }
  }
  return records;
}

async function runRecord(session: Session, record: SltRecord): Promise<string[]> {
  const sql = record.sql.replaceAll('${DATA}', DATA);
  const out: string[] = [];
  for (const statement of session.parse(sql)) {
    const result = await session.execute(statement);
    if (result.kind === 'job') await result.handle.done;
    else if (result.kind === 'rows') out.push(...result.rows.map((r) => r.join(' ')));
    else if (result.kind === 'explain') out.push(...result.text.trimEnd().split('\n').map((l) => l.trim()));
    else if (result.kind === 'query') {
      const q = result.query;
      const types = q.resultType.fields.map((f) => f.type);
      const table = new MaterializedTable(q.resultType);
      for await (const batch of q.batches) {
        if (record.changelog) {
          for (let r = 0; r < batch.numRows; r++) {
            const cells = getRow(batch, r, q.resultType).map((v, c) => cellText(v, types[c]!));
            out.push(`${ROW_KIND_SHORT[rowKindAt(batch, r)]}[${cells.join(', ')}]`);
          }
        } else table.apply(batch);
      }
      await q.handle.done;
      if (!record.changelog) out.push(...table.snapshot().map((row) => row.map((v, c) => cellText(v, types[c]!)).join(' ')));
    }
  }
  return record.sort ? out.sort() : out;
}

const only = process.env['FLOE_SLT'];
const complete = process.env['FLOE_COMPLETE'] === '1';
let files: string[] = [];
try {
  files = readdirSync(DIR).filter((f) => f.endsWith('.slt')).sort();
} catch {
  files = [];
}

for (const file of files) {
  if (only && !only.startsWith(file)) continue;
  test(`sql golden: ${file}`, async () => {
    const path = join(DIR, file);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const session = new Session({ baseDir: DIR, warn: () => {} });
    const rewrites: { range: [number, number]; rows: string[] }[] = [];
    for (const record of parseSlt(text)) {
      if (only?.includes(':') && only !== `${file}:${record.line}` && record.kind === 'query') continue;
      const where = `${file}:${record.line}`;
      if (record.kind === 'statement-error') {
        await assert.rejects(runRecord(session, record), (e: unknown) => {
          const text = e instanceof FloeError ? `${e.code} ${e.describe()}` : String(e);
          assert.ok(text.includes(record.errorText!), `${where}: expected an error containing '${record.errorText}', got: ${text}`);
          return true;
        });
        continue;
      }
      const actual = await runRecord(session, record);
      if (record.kind === 'query') {
        const expected = record.sort ? [...record.expected].sort() : record.expected;
        if (complete) rewrites.push({ range: record.expectedRange!, rows: actual });
        else assert.deepEqual(actual, expected, where);
      }
    }
    if (complete && rewrites.length) {
      for (const { range, rows } of rewrites.reverse()) {
        const needsRule = range[0] === range[1] && lines[range[0] - 1]?.trim() !== '----';
        lines.splice(range[0], range[1] - range[0], ...(needsRule ? ['----', ...rows] : rows));
      }
      writeFileSync(path, lines.join('\n'));
    }
  });
}
