import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FloeError } from '../common/index.js';
import { parseQuery } from '../sql/index.js';
import { Types } from '../types/index.js';
import { CatalogManager } from './catalog-manager.js';
import type { CatalogTable, CatalogView } from './catalog-objects.js';
import { closestMatch as didYouMean } from '../common/index.js';
import { bindFunctionIdentifier } from './function-binding.js';
import { InMemoryCatalog } from './in-memory-catalog.js';

const table = (comment?: string): CatalogTable => ({
  kind: 'table',
  columns: [{ kind: 'physical', name: 'a', type: Types.int() }],
  watermark: null,
  primaryKey: null,
  partitionKeys: [],
  options: { connector: 'blackhole' },
  comment,
});

const view = (): CatalogView => ({
  kind: 'view',
  schema: { fields: [{ name: 'x', type: Types.int(false) }] },
  query: parseQuery('SELECT 1 AS x'),
  queryText: 'SELECT 1 AS x',
  columnAliases: null,
  defaultCatalog: 'default_catalog',
  defaultDatabase: 'default_database',
});

const code = (c: string) => (e: FloeError) => e.code === c;

describe('CatalogManager', () => {
  test('starts in default_catalog.default_database and qualifies names', () => {
    const m = new CatalogManager();
    assert.equal(m.currentCatalog, 'default_catalog');
    assert.equal(m.currentDatabase, 'default_database');
    assert.deepEqual(m.qualify(['t']), { catalog: 'default_catalog', database: 'default_database', name: 't' });
    assert.deepEqual(m.qualify(['db', 't']), { catalog: 'default_catalog', database: 'db', name: 't' });
    assert.deepEqual(m.qualify(['c', 'db', 't']), { catalog: 'c', database: 'db', name: 't' });
    assert.throws(() => m.qualify(['a', 'b', 'c', 'd']), code('PLAN.INVALID_IDENTIFIER'));
  });

  test('create, resolve (case-sensitive) and drop tables with Flink errors', () => {
    const m = new CatalogManager();
    const id = m.qualify(['orders']);
    m.createTable(id, table());
    assert.equal(m.resolveTable(['orders']).table.kind, 'table');
    assert.equal(m.resolveTable(['default_catalog', 'default_database', 'orders']).temporary, false);
    assert.throws(() => m.createTable(id, table()), code('PLAN.TABLE_EXISTS'));
    m.createTable(id, table('ignored'), { ignoreIfExists: true });
    assert.equal((m.resolveTable(['orders']).table as CatalogTable).comment, undefined);
    assert.throws(
      () => m.resolveTable(['Orders']),
      (e: FloeError) => e.code === 'PLAN.UNKNOWN_TABLE' && /did you mean 'orders'\?/.test(e.message),
    );
    assert.throws(() => m.dropTable(id, 'view'), code('PLAN.WRONG_OBJECT_KIND'));
    m.dropTable(id, 'table');
    assert.throws(() => m.dropTable(id, 'table'), code('PLAN.UNKNOWN_TABLE'));
    m.dropTable(id, 'table', { ifExists: true });
  });

  test('temporary objects shadow permanent ones and must be dropped first', () => {
    const m = new CatalogManager();
    const id = m.qualify(['t']);
    m.createTable(id, table('permanent'));
    m.createTable(id, table('temporary'), { temporary: true });
    const r = m.resolveTable(['t']);
    assert.equal(r.temporary, true);
    assert.equal((r.table as CatalogTable).comment, 'temporary');
    assert.throws(() => m.dropTable(id, 'table'), code('PLAN.TEMPORARY_SHADOWS'));
    m.dropTable(id, 'table', { temporary: true });
    assert.equal((m.resolveTable(['t']).table as CatalogTable).comment, 'permanent');
    assert.deepEqual(m.listTables(), ['t']);
  });

  test('views are listed separately and cannot be dropped as tables', () => {
    const m = new CatalogManager();
    m.createTable(m.qualify(['v']), view());
    m.createTable(m.qualify(['t']), table());
    assert.deepEqual(m.listTables(), ['t', 'v']);
    assert.deepEqual(m.listTables({ kind: 'view' }), ['v']);
    assert.throws(() => m.dropTable(m.qualify(['v']), 'table'), code('PLAN.WRONG_OBJECT_KIND'));
  });

  test('databases and catalogs: USE, not found with did-you-mean, non-empty drop', () => {
    const m = new CatalogManager();
    m.createDatabase(['sales']);
    assert.throws(() => m.createDatabase(['sales']), code('PLAN.DATABASE_EXISTS'));
    m.useDatabase(['sales']);
    assert.equal(m.currentDatabase, 'sales');
    m.createTable(m.qualify(['t']), table());
    assert.deepEqual(m.resolveTable(['sales', 't']).id, { catalog: 'default_catalog', database: 'sales', name: 't' });
    assert.throws(() => m.useDatabase(['sale']), (e: FloeError) => e.code === 'PLAN.UNKNOWN_DATABASE' && /did you mean 'sales'/.test(e.message));
    m.useDatabase(['default_database']);
    assert.throws(() => m.dropDatabase(['sales']), code('PLAN.DATABASE_NOT_EMPTY'));
    m.dropDatabase(['sales'], { cascade: true });
    assert.deepEqual(m.listDatabases(), ['default_database']);
    m.registerCatalog(new InMemoryCatalog('lake', 'default'));
    m.useCatalog('lake');
    assert.equal(m.currentDatabase, 'default');
    assert.throws(() => m.useCatalog('lak'), (e: FloeError) => e.code === 'PLAN.UNKNOWN_CATALOG' && /did you mean 'lake'/.test(e.message));
    assert.throws(() => m.dropCatalog('lake'), code('PLAN.CATALOG_IN_USE'));
  });

  test('functions: case-insensitive names, temporary system functions, shadowing', () => {
    const m = new CatalogManager();
    m.createFunction(['Count_Char'], { identifier: 'x', language: 'JAVA', ref: 'builtin:count_char' });
    assert.equal(m.getCatalogFunction(['COUNT_CHAR'])?.fn.ref, 'builtin:count_char');
    assert.throws(() => m.createFunction(['count_char'], { identifier: 'y', language: 'JAVA', ref: 'builtin:y' }), code('PLAN.FUNCTION_EXISTS'));
    m.createFunction(['f'], { identifier: 'y', language: 'JAVA', ref: 'builtin:y' }, { system: true, temporary: true });
    assert.equal(m.getTemporarySystemFunction('F')?.ref, 'builtin:y');
    assert.deepEqual(m.listUserFunctions(), ['count_char', 'f']);
    assert.throws(() => m.dropFunction(['count_chr']), (e: FloeError) => e.code === 'PLAN.UNKNOWN_FUNCTION' && /did you mean 'count_char'/.test(e.message));
    m.dropFunction(['count_char']);
    assert.equal(m.getCatalogFunction(['count_char']), undefined);
  });
});

describe('function binding', () => {
  test('built-in Java class table, config bindings and unbound classes', () => {
    const ctx = { baseDir: '/tmp', config: {} };
    assert.equal(bindFunctionIdentifier('com.github.nexmark.flink.udf.CountChar', undefined, ctx), 'builtin:count_char');
    assert.equal(bindFunctionIdentifier('builtin:upper2', 'JAVASCRIPT', ctx), 'builtin:upper2');
    const withBinding = { baseDir: '/tmp', config: { 'floe.udf.class-bindings': 'com.x.A=builtin:a; com.x.B=builtin:b' } };
    assert.equal(bindFunctionIdentifier('com.x.B', 'JAVA', withBinding), 'builtin:b');
    assert.throws(
      () => bindFunctionIdentifier('com.x.C', 'JAVA', ctx),
      (e: FloeError) => e.code === 'PLAN.UNBOUND_JAVA_FUNCTION' && /floe\.udf\.class-bindings/.test(e.help ?? ''),
    );
    assert.throws(() => bindFunctionIdentifier('com.x.A', 'JAVA', { baseDir: '/tmp', config: { 'floe.udf.class-bindings': 'nonsense' } }), code('PLAN.BAD_CLASS_BINDING'));
  });

  test('file: paths resolve against the script directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-udf-'));
    writeFileSync(join(dir, 'udf.js'), 'export function countChar() { return 0; }');
    assert.equal(bindFunctionIdentifier('file:./udf.js#countChar', undefined, { baseDir: dir, config: {} }), `file:${join(dir, 'udf.js')}#countChar`);
    assert.equal(bindFunctionIdentifier('file:udf.js', undefined, { baseDir: dir, config: {} }), `file:${join(dir, 'udf.js')}#default`);
    assert.throws(() => bindFunctionIdentifier('file:./missing.js#f', undefined, { baseDir: dir, config: {} }), code('PLAN.UDF_NOT_FOUND'));
  });
});

test('didYouMean prefers a case-only difference, then the closest within a third of the length', () => {
  assert.equal(didYouMean('Price', ['prize', 'price']), 'price');
  assert.equal(didYouMean('pricee', ['price', 'bidder']), 'price');
  assert.equal(didYouMean('xyz', ['price', 'bidder']), undefined);
});
