import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import { Types } from '../types/index.js';
import { getSinkConnector, getSourceConnector, listConnectors, validateConnectorOptions } from './connector-registry.js';
import { normalizeLegacyOptions } from './legacy-options.js';

function failure(fn: () => void): FloeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FloeError);
    return e;
  }
  assert.fail('expected an error');
}

test('listConnectors lists the user-visible connectors with their roles', () => {
  assert.deepEqual(listConnectors(), [
    { name: 'blackhole', source: false, sink: true },
    { name: 'datagen', source: true, sink: false },
    { name: 'filesystem', source: true, sink: true },
    { name: 'memory', source: true, sink: false },
    { name: 'nexmark', source: true, sink: false },
    { name: 'paimon', source: true, sink: true },
    { name: 'print', source: false, sink: true },
  ]);
  assert.equal(getSourceConnector('nexmark').name, 'nexmark');
  assert.equal(getSinkConnector('__collect').name, '__collect');
});

test('unknown connector: PLAN.UNKNOWN_CONNECTOR listing what is available, with did-you-mean', () => {
  const e = failure(() => validateConnectorOptions('source', 'bids', { connector: 'nexmrk' }));
  assert.equal(e.code, 'PLAN.UNKNOWN_CONNECTOR');
  assert.equal(e.message, "table 'bids': unknown connector 'nexmrk'; available source connectors: datagen, filesystem, memory, nexmark, paimon");
  assert.equal(e.help, "did you mean 'nexmark'?");
  assert.match(failure(() => validateConnectorOptions('source', 't', { connector: 'print' })).message, /connector 'print' cannot be used as a source/);
  assert.match(failure(() => validateConnectorOptions('sink', 't', { connector: '__collect' })).message, /unknown connector '__collect'/);
  assert.match(failure(() => validateConnectorOptions('sink', 't', {})).message, /'connector' option is missing/);
});

test('options: unknown keys with did-you-mean, missing required keys, bad values', () => {
  const e = failure(() => validateConnectorOptions('source', 'datagen', { connector: 'nexmark', 'evnts.num': '10' }));
  assert.equal(e.code, 'PLAN.CONNECTOR_OPTION');
  assert.equal(e.message, "table 'datagen': unknown option 'evnts.num' for connector 'nexmark'");
  assert.equal(e.help, "did you mean 'events.num'?");
  assert.match(failure(() => validateConnectorOptions('sink', 'out', { connector: 'filesystem', format: 'csv' })).message, /required option 'path' is missing/);
  assert.match(failure(() => validateConnectorOptions('source', 'd', { connector: 'nexmark', 'events.num': 'lots' })).message, /option 'events.num' must be an integer \(BIGINT\), got 'lots'/);
  assert.match(failure(() => validateConnectorOptions('source', 'd', { connector: 'nexmark', 'bid.avg-size': 'big' })).message, /must be a memory size/);
  assert.match(failure(() => validateConnectorOptions('sink', 'p', { connector: 'print', 'standard-error': 'maybe' })).message, /'true' or 'false'/);
  assert.match(failure(() => validateConnectorOptions('sink', 'o', { connector: 'filesystem', path: '/x', format: 'orc' })).message, /must be one of 'csv', 'json'/);
  // Valid tables pass, including the Nexmark q10 sink with its partition-commit options.
  validateConnectorOptions('sink', 'nexmark_q10', {
    connector: 'filesystem',
    path: 'file:///tmp/out/bid/',
    format: 'csv',
    'sink.partition-commit.trigger': 'partition-time',
    'sink.partition-commit.delay': '1 min',
    'sink.partition-commit.policy.kind': 'success-file',
    'partition.time-extractor.timestamp-pattern': '$dt $hm:00',
    'sink.rolling-policy.rollover-interval': '1min',
    'sink.rolling-policy.check-interval': '1min',
  });
  validateConnectorOptions('source', 'gen', { connector: 'datagen', 'fields.x.kind': 'sequence', 'fields.x.start': '1', 'fields.x.end': '9' }, { fields: [{ name: 'x', type: Types.int() }] });
});

test('schema-aware checks run when the physical type is given', () => {
  assert.match(
    failure(() => validateConnectorOptions('source', 'gen', { connector: 'datagen', 'fields.y.kind': 'random' }, { fields: [{ name: 'x', type: Types.int() }] })).message,
    /names column 'y'/,
  );
  assert.equal(failure(() => validateConnectorOptions('source', 'n', { connector: 'nexmark' }, { fields: [] })).code, 'PLAN.CONNECTOR_SCHEMA');
});

test("legacy options (q13's 'connector.type' style) map to the current keys with warnings", () => {
  const { options, warnings } = normalizeLegacyOptions({
    'connector.type': 'filesystem',
    'connector.path': 'file:///opt/flink/data/side_input.txt',
    'format.type': 'csv',
    'format.field-delimiter': '|',
    'format.derive-schema': 'true',
    'connector.property-version': '1',
  });
  assert.deepEqual(options, { connector: 'filesystem', path: 'file:///opt/flink/data/side_input.txt', format: 'csv', 'csv.field-delimiter': '|' });
  assert.ok(warnings.includes("option 'connector.type' is deprecated; use 'connector'"));
  assert.ok(warnings.some((w) => w.includes("'format.derive-schema' is deprecated and ignored")));
  validateConnectorOptions('source', 'side_input', options);
  const plain = normalizeLegacyOptions({ connector: 'print' });
  assert.deepEqual(plain, { options: { connector: 'print' }, warnings: [] });
  const both = normalizeLegacyOptions({ connector: 'print', 'connector.type': 'blackhole' });
  assert.equal(both.options['connector'], 'print');
  assert.match(both.warnings[0]!, /ignored because 'connector' is also set/);
});
