import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createObjectStore } from '../storage/index.js';
import { RestartPolicy, readCheckpointSettings, readRestartStrategy } from './checkpoint-config.js';
import {
  checkpointStore,
  decodeMetadata,
  decodeStateFile,
  encodeMetadata,
  encodeStateFile,
  findLatestCheckpoint,
  METADATA_KEY,
  type CheckpointMetadata,
  type OperatorSubtaskState,
} from './checkpoint-storage.js';

const state: OperatorSubtaskState = {
  format: 'floe.operator-state',
  checkpointId: 3,
  nodeId: 1,
  subtask: 0,
  finished: false,
  keyed: null,
  timers: { eventKeys: ['k'], eventTimes: [10], procKeys: [], procTimes: [] },
  operatorState: [{ split: { id: 's' }, position: 12n, watermark: -Infinity }],
  keyedOperatorState: [['k', 99]],
};

test('operator state files round-trip (bigint, -Infinity) and every corrupted byte is detected', () => {
  const bytes = encodeStateFile(state);
  assert.deepEqual(decodeStateFile(bytes, 'f'), state);
  for (let i = 0; i < bytes.length; i += 7) {
    const bad = bytes.slice();
    bad[i] = bad[i]! ^ 0x5a;
    assert.throws(() => decodeStateFile(bad, 'f'), { code: 'CHECKPOINT.CORRUPT' });
  }
  assert.throws(() => decodeStateFile(bytes.subarray(0, bytes.length - 1), 'f', { key: 'f', size: bytes.length, crc32: 0 }), /expected \d+ bytes/);
});

function metadata(id: number, files: { key: string; size: number; crc32: number }[]): CheckpointMetadata {
  return {
    format: 'floe.checkpoint',
    version: 1,
    id,
    job: 'j',
    maxParallelism: 128,
    nodes: [{ nodeId: 1, name: 'Op', operatorType: 'calc', parallelism: files.length, files, finished: files.map(() => false), keyedBytes: 0 }],
    stats: { id, kind: 'checkpoint', triggeredAt: 0, completedAt: 1, durationMs: 1, sizeBytes: 0, fullSizeBytes: 0, maxAlignmentMs: 0, maxSyncMs: 0, perNode: [] },
  };
}

test('metadata carries a checksum; a torn or edited metadata file is refused', () => {
  const bytes = encodeMetadata(metadata(1, []));
  assert.equal(decodeMetadata(bytes, 'm').id, 1);
  assert.throws(() => decodeMetadata(bytes.subarray(0, bytes.length - 5), 'm'), { code: 'CHECKPOINT.CORRUPT' });
  const edited = Buffer.from(Buffer.from(bytes).toString('utf8').replace('"id": 1', '"id": 2'));
  assert.throws(() => decodeMetadata(edited, 'm'), /checksum mismatch/);
});

test('findLatestCheckpoint skips incomplete and corrupted checkpoints with a reason, newest first', async () => {
  const root = createObjectStore('memory://latest');
  const write = async (id: number, corrupt: boolean, complete: boolean): Promise<void> => {
    const store = checkpointStore(root, 'job', id);
    const bytes = encodeStateFile({ ...state, checkpointId: id });
    await store.put('node-1-0.state', corrupt ? bytes.map((b, i) => (i === 3 ? b ^ 1 : b)) : bytes);
    if (complete) await store.put(METADATA_KEY, encodeMetadata(metadata(id, [{ key: 'node-1-0.state', size: bytes.length, crc32: 0 }])));
  };
  await write(1, false, true);
  await write(2, true, true);
  await write(3, false, false);
  const warnings: string[] = [];
  // memory:// stores are process-wide by name: findLatestCheckpoint opens the same one.
  const found = await findLatestCheckpoint('memory://latest', 'job', (m) => warnings.push(m));
  assert.equal(found?.id, 1);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /checkpoint 3 .*no _metadata/);
  assert.match(warnings[1]!, /checkpoint 2 .*checksum mismatch/);
  assert.equal(await findLatestCheckpoint('memory://latest', 'other-job', () => {}), null);
});

test('checkpoint settings: off in batch mode and without an interval; a directory is required', () => {
  assert.equal(readCheckpointSettings({}, 'j'), null);
  assert.equal(readCheckpointSettings({ 'execution.runtime-mode': 'batch', 'execution.checkpointing.interval': '1 s' }, 'j'), null);
  assert.throws(() => readCheckpointSettings({ 'execution.checkpointing.interval': '1 s' }, 'j'), { code: 'CONFIG.CHECKPOINT_DIR_MISSING' });
  const s = readCheckpointSettings({ 'execution.checkpointing.interval': '1 s', 'execution.checkpointing.dir': '/tmp/x', 'pipeline.name': 'my job/1' }, 'j');
  assert.equal(s?.intervalMs, 1000);
  assert.equal(s?.jobFolder, 'my_job_1');
  assert.throws(
    () => readCheckpointSettings({ 'execution.checkpointing.interval': '1 s', 'execution.checkpointing.dir': '/x', 'execution.checkpointing.max-concurrent-checkpoints': '2' }, 'j'),
    { code: 'CONFIG.CONCURRENT_CHECKPOINTS' },
  );
});

test('restart strategies decide delays and give up as Flink documents', () => {
  assert.deepEqual(readRestartStrategy({}, false), { kind: 'none' });
  assert.equal(readRestartStrategy({}, true).kind, 'fixed-delay');
  const fixed = new RestartPolicy(readRestartStrategy({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '2', 'restart-strategy.fixed-delay.delay': '5 s' }, true));
  assert.deepEqual([fixed.next(0, 0), fixed.next(0, 0), fixed.next(0, 0)], [5000, 5000, null]);
  const exp = new RestartPolicy(
    readRestartStrategy(
      {
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.initial-backoff': '1 s',
        'restart-strategy.exponential-delay.max-backoff': '3 s',
        'restart-strategy.exponential-delay.backoff-multiplier': '2',
        'restart-strategy.exponential-delay.reset-backoff-threshold': '1 min',
      },
      true,
    ),
  );
  assert.deepEqual([exp.next(0, 0), exp.next(0, 0), exp.next(0, 0), exp.next(0, 120_000)], [1000, 2000, 3000, 1000]);
  const rate = new RestartPolicy(
    readRestartStrategy(
      {
        'restart-strategy.type': 'failure-rate',
        'restart-strategy.failure-rate.max-failures-per-interval': '2',
        'restart-strategy.failure-rate.failure-rate-interval': '10 s',
        'restart-strategy.failure-rate.delay': '1 ms',
      },
      true,
    ),
  );
  assert.deepEqual([rate.next(0, 0), rate.next(1000, 0), rate.next(2000, 0), rate.next(20_000, 0)], [1, 1, null, 1]);
  assert.throws(() => readRestartStrategy({ 'restart-strategy.type': 'sometimes' }, true), { code: 'CONFIG.BAD_VALUE' });
});
