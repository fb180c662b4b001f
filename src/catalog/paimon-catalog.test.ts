/**
 * `PaimonCatalog` through its `Catalog` interface (SQL-level behaviour is in test/paimon-sql.test.ts):
 * what a refresh picks up from storage written by someone else, the table definitions it derives from
 * schema files, system tables, and what it refuses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import { createPaimonTable } from '../lake/index.js';
import { createObjectStore } from '../storage/index.js';
import { Types } from '../types/index.js';
import { PaimonCatalog } from './paimon-catalog.js';
import type { CatalogTable } from './catalog-objects.js';

let n = 0;
const code = (c: string) => (e: unknown) => e instanceof FloeError && e.code === c;

async function fresh(): Promise<{ catalog: PaimonCatalog; uri: string }> {
  const uri = `memory://paimon-catalog-test-${process.pid}-${++n}`;
  return { catalog: await PaimonCatalog.open('lake', { warehouse: uri }), uri };
}

describe('PaimonCatalog', () => {
  it('sees tables another writer created after a refresh, with keys, options and location', async () => {
    const { catalog, uri } = await fresh();
    assert.deepEqual(catalog.listDatabases(), ['default']);
    await createPaimonTable(createObjectStore(uri), 'sales.db/orders', {
      fields: { fields: [{ name: 'id', type: Types.bigint() }, { name: 'dt', type: Types.string() }, { name: 'v', type: Types.double() }] },
      primaryKeys: ['id', 'dt'],
      partitionKeys: ['dt'],
      options: { bucket: '2' },
      comment: 'c',
    });
    assert.equal(catalog.getTable('sales', 'orders'), undefined, 'not before a refresh');
    await catalog.refresh();
    assert.deepEqual(catalog.listDatabases(), ['default', 'sales']);
    assert.deepEqual(catalog.listTables('sales'), ['orders']);
    const t = catalog.getTable('sales', 'orders') as CatalogTable;
    assert.deepEqual(t.columns.map((c) => [c.name, c.type.nullable]), [['id', false], ['dt', false], ['v', true]]);
    assert.deepEqual(t.primaryKey, { name: 'PK_id_dt', columns: ['id', 'dt'] });
    assert.deepEqual(t.partitionKeys, ['dt']);
    assert.equal(t.comment, 'c');
    assert.deepEqual(t.options, { bucket: '2', 'file.format': 'parquet', connector: 'paimon', path: `${uri}/sales.db/orders` });
    assert.equal(catalog.isDatabaseEmpty('sales'), false);
    await catalog.refresh();
    assert.equal(catalog.getTable('sales', 'orders'), t, 'an unchanged schema file keeps its definition');
  });

  it('derives system tables from a base table and names the supported ones otherwise', async () => {
    const { catalog } = await fresh();
    await catalog.createTable('default', 't', { kind: 'table', columns: [{ kind: 'physical', name: 'a', type: Types.int() }], watermark: null, primaryKey: null, partitionKeys: [], options: {} });
    const snaps = catalog.getTable('default', 't$snapshots') as CatalogTable;
    assert.equal(snaps.options['paimon.system-table'], 'snapshots');
    assert.equal(snaps.columns[0]!.name, 'snapshot_id');
    assert.equal(catalog.getTable('default', 'missing$snapshots'), undefined);
    assert.throws(() => catalog.getTable('default', 't$nope'), code('CATALOG.UNKNOWN_SYSTEM_TABLE'));
    assert.deepEqual(catalog.listTables('default'), ['t'], 'system tables are not listed');
  });

  it('databases: created ones exist before they hold files; dropped ones are gone with their tables', async () => {
    const { catalog } = await fresh();
    assert.equal(await catalog.createDatabase('db', undefined, {}), true);
    assert.equal(await catalog.createDatabase('db', undefined, {}), false);
    await catalog.refresh();
    assert.ok(catalog.databaseExists('db') && catalog.isDatabaseEmpty('db'));
    await catalog.createTable('db', 't', { kind: 'table', columns: [{ kind: 'physical', name: 'a', type: Types.int() }], watermark: null, primaryKey: null, partitionKeys: [], options: {} });
    assert.equal(await catalog.dropDatabase('db'), true);
    await catalog.refresh();
    assert.deepEqual(catalog.listDatabases(), ['default']);
    await assert.rejects(catalog.createDatabase('x', undefined, { k: 'v' }), code('CATALOG.UNSUPPORTED_OPTION'));
  });

  it('refuses functions and views, and unknown catalog options', async () => {
    const { catalog } = await fresh();
    assert.throws(() => catalog.putFunction('default', 'f'), code('CATALOG.UNSUPPORTED_OBJECT'));
    assert.deepEqual(catalog.listFunctions(), []);
    await assert.rejects(PaimonCatalog.open('c', { warehouse: 'memory://x', 'default-databse': 'd' }), code('CATALOG.UNSUPPORTED_OPTION'));
    await assert.rejects(PaimonCatalog.open('c', {}), code('CATALOG.MISSING_WAREHOUSE'));
  });
});
