/** Procedure argument binding and results, over a table in a memory store (no session). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import { createPaimonTable, type PaimonTable } from '../lake/index.js';
import { parseStatement, type CallStatement } from '../sql/index.js';
import { MemoryObjectStore } from '../storage/index.js';
import { Types, batchFromRows, type RowType } from '../types/index.js';
import { callPaimonProcedure, paimonProcedureNames, type ProcedureContext } from './paimon-procedures.js';

const kv: RowType = { fields: [{ name: 'id', type: Types.int() }, { name: 'name', type: Types.string() }] };
const code = (c: string, message?: RegExp) => (e: unknown) => e instanceof FloeError && e.code === c && (message === undefined || message.test(e.message));

async function setup(): Promise<{ table: PaimonTable; ctx: ProcedureContext; run: (sql: string) => Promise<string[]> }> {
  const store = new MemoryObjectStore('procedures');
  const table = await createPaimonTable(store, 'db.db/t', { fields: kv, primaryKeys: ['id'], options: { bucket: '1' } });
  for (const rows of [[[1, 'a']], [[2, 'b']], [[3, 'c']]]) {
    const w = table.newWrite();
    w.write(batchFromRows(kv, rows));
    await w.commit();
  }
  const ctx: ProcedureContext = {
    catalogName: 'lake',
    timeZone: 'UTC',
    openTable: async (db, name) => {
      if (db !== 'db' || name !== 't') throw new FloeError('user', 'CATALOG.TABLE_NOT_FOUND', `no table ${db}.${name}`);
      return table;
    },
    listTables: () => ['t'],
  };
  const run = async (sql: string): Promise<string[]> => {
    const call = parseStatement(sql) as CallStatement;
    const result = await callPaimonProcedure(ctx, call.procedure.parts.at(-1)!.value, call.args, call.span);
    assert.deepEqual(result.columns, ['result']);
    return result.rows.map((r) => r[0]!);
  };
  return { table, ctx, run };
}

describe('Paimon procedures', () => {
  it('lists its procedures', () => {
    assert.deepEqual(paimonProcedureNames(), ['clear_consumers', 'compact', 'create_tag', 'delete_tag', 'expire_snapshots', 'remove_orphan_files', 'reset_consumer', 'rollback_to']);
  });

  it('binds positional and named arguments to the same parameters; NULL is an omitted argument', async () => {
    const { table, run } = await setup();
    assert.deepEqual(await run("CALL sys.create_tag('db.t', 'a', 1)"), ['Success']);
    assert.deepEqual(await run("CALL sys.create_tag(snapshot_id => 2, tag => 'b', `table` => 'db.t')"), ['Success']);
    assert.deepEqual(await run("CALL sys.create_tag('db.t', 'c', NULL, '2 h')"), ['Success']);
    assert.deepEqual((await table.tags()).map((t) => [t.name, t.snapshot.id, t.timeRetainedMs ?? null]), [['a', 1, null], ['b', 2, null], ['c', 3, 7_200_000]]);
    assert.deepEqual(await run("CALL sys.expire_snapshots('db.t', 1, NULL, NULL, 1)"), ['1']);
    assert.deepEqual(await run("CALL sys.expire_snapshots(`table` => 'db.t', retain_max => 1)"), ['1']);
    assert.deepEqual(await table.snapshotIds(), [3]);
    assert.deepEqual(await run("CALL sys.rollback_to('db.t', 'a')"), ['Success']);
    assert.deepEqual(await table.snapshotIds(), [1]);
    assert.deepEqual((await table.tags()).map((t) => t.name), ['a'], 'tags of newer snapshots go with them');
    assert.deepEqual(await run("CALL sys.remove_orphan_files('db.t', '2999-01-01 00:00:00', true)"), ['0', '0']);
  });

  it('checks argument types, counts and values', async () => {
    const { run } = await setup();
    await assert.rejects(run("CALL sys.expire_snapshots('db.t', '5')"), code('PROCEDURE.ARGUMENT', /'retain_max' of expire_snapshots must be INT, got the string '5'/));
    await assert.rejects(run("CALL sys.expire_snapshots('db.t', 3000000000)"), code('PROCEDURE.ARGUMENT', /must be INT/));
    await assert.rejects(run("CALL sys.remove_orphan_files('db.t', NULL, 'yes')"), code('PROCEDURE.ARGUMENT', /'dry_run' .* must be BOOLEAN/));
    await assert.rejects(run("CALL sys.remove_orphan_files('db.t', NULL, NULL, NULL, 'remote')"), code('PROCEDURE.ARGUMENT', /unknown mode 'remote'/));
    await assert.rejects(run("CALL sys.expire_snapshots('db.t', NULL, NULL, 'last week')"), code('PROCEDURE.ARGUMENT', /'older_than' must be a time/));
    await assert.rejects(run("CALL sys.create_tag('db.t', 'x', NULL, 'forever')"), code('PROCEDURE.ARGUMENT', /'time_retained' must be a positive duration/));
    await assert.rejects(run("CALL sys.delete_tag('db.t', ' , ')"), code('PROCEDURE.ARGUMENT', /names no tag/));
    await assert.rejects(run("CALL sys.delete_tag('db.t', 'nope')"), code('LAKE.TAG_NOT_FOUND'));
    await assert.rejects(run("CALL sys.compact('db.t', 'id=1')"), code('PROCEDURE.ARGUMENT', /'id' is not a partition key/));
    await assert.rejects(run("CALL sys.compact('other.t')"), code('CATALOG.TABLE_NOT_FOUND'));
    await assert.rejects(run('CALL sys.compact()'), code('PROCEDURE.ARGUMENT', /compact needs argument 'table'/));
  });
});
