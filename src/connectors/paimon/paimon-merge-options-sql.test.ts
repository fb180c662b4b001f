/**
 * CREATE TABLE in a Paimon catalog accepts the `aggregation` merge engine and partial-update sequence
 * groups with their per-field options, and refuses bad ones by name (checked against the columns).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../api/index.js';

async function runAll(s: Session, sql: string): Promise<void> {
  for (const st of s.parse(sql)) {
    const r = await s.execute(st);
    if (r.kind === 'job') await r.handle.done;
  }
}

describe('Paimon CREATE TABLE merge options', () => {
  it('accepts aggregation and sequence-group options and refuses bad ones', async () => {
    const root = mkdtempSync(join(tmpdir(), 'floe-merge-options-'));
    try {
      const wh = join(root, 'wh');
      const s = new Session({ warn: () => {}, config: { 'execution.runtime-mode': 'batch' } });
      await runAll(s, `CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '${wh}')`);
      await runAll(
        s,
        `CREATE TABLE lake.\`default\`.totals (id BIGINT, amount DECIMAL(10, 2), tags STRING, hi INT, PRIMARY KEY (id) NOT ENFORCED)
           WITH ('bucket' = '1', 'merge-engine' = 'aggregation', 'fields.amount.aggregate-function' = 'sum',
                 'fields.tags.aggregate-function' = 'listagg', 'fields.tags.list-agg-delimiter' = ';', 'fields.tags.ignore-retract' = 'true',
                 'fields.hi.aggregate-function' = 'max', 'aggregation.remove-record-on-delete' = 'true')`,
      );
      const schema = await readFile(join(wh, 'default.db', 'totals', 'schema', 'schema-0'), 'utf8');
      assert.match(schema, /"fields\.amount\.aggregate-function" : "sum"/);
      await runAll(
        s,
        `CREATE TABLE lake.\`default\`.wide (id BIGINT, a STRING, sa INT, b STRING, sb INT, PRIMARY KEY (id) NOT ENFORCED)
           WITH ('bucket' = '1', 'merge-engine' = 'partial-update', 'fields.sa.sequence-group' = 'a', 'fields.sb.sequence-group' = 'b',
                 'partial-update.remove-record-on-sequence-group' = 'sb')`,
      );
      const fails = async (sql: string, code: string, re: RegExp): Promise<void> => {
        await assert.rejects(runAll(s, sql), (e: Error & { code?: string }) => e.code === code && re.test(e.message));
      };
      await fails(
        `CREATE TABLE lake.\`default\`.bad1 (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'merge-engine' = 'aggregation', 'fields.v.aggregate-function' = 'sum')`,
        'LAKE.BAD_AGGREGATE_FUNCTION',
        /'v'.*'sum'/,
      );
      await fails(
        `CREATE TABLE lake.\`default\`.bad2 (id BIGINT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'merge-engine' = 'partial-update', 'fields.nope.sequence-group' = 'v')`,
        'LAKE.BAD_TABLE_OPTION',
        /'nope' is not a column/,
      );
      await fails(
        `CREATE TABLE lake.\`default\`.bad3 (id BIGINT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'merge-engine' = 'aggregation', 'fields.v.aggregate-funktion' = 'sum')`,
        'CATALOG.PAIMON_OPTION',
        /aggregate-funktion/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
