import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from '../types/index.js';
import { branchRoot, escapePathName, externalPathKey, partitionPath } from './paimon-paths.js';

test('partition directories use Paimon legacy names, the default name for NULL/empty, and escaping', () => {
  const types = [Types.int(), Types.string(), Types.date()];
  assert.equal(partitionPath(['a', 'b', 'd'], types, [1, 'x', 19000], '__DEFAULT_PARTITION__', true), 'a=1/b=x/d=19000');
  assert.equal(partitionPath(['a', 'b', 'd'], types, [null, '', 0], '__DEFAULT_PARTITION__', false), 'a=__DEFAULT_PARTITION__/b=__DEFAULT_PARTITION__/d=1970-01-01');
  assert.equal(partitionPath([], [], [], 'x', true), '');
  assert.equal(escapePathName('a/b=c:d%'), 'a%2Fb%3Dc%3Ad%25');
});

test('branches live under branch/branch-<name>; external paths map into the store', () => {
  assert.equal(branchRoot('db.db/t', 'main'), 'db.db/t');
  assert.equal(branchRoot('db.db/t', 'dev'), 'db.db/t/branch/branch-dev');
  assert.throws(() => branchRoot('t', '../x'), (e: Error & { code?: string }) => e.code === 'LAKE.INVALID_BRANCH');
  assert.equal(externalPathKey('file:/data/wh/ext/bucket-0/f.parquet', 'file:///data/wh'), 'ext/bucket-0/f.parquet');
  assert.equal(externalPathKey('file:///data/wh/ext/f.parquet', 'file:///data/wh/'), 'ext/f.parquet');
  assert.throws(() => externalPathKey('s3://bucket/x.parquet', 'file:///data/wh'), (e: Error & { code?: string }) => e.code === 'LAKE.EXTERNAL_PATH');
});
