import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createObjectStore } from '../storage/index.js';
import type { ObjectStore } from '../storage/index.js';
import { LSM_STATE_SNAPSHOT_FORMAT } from '../state/index.js';
import type { KeyedStateSnapshot, LsmStateSnapshot } from '../state/index.js';
import { readCheckpointSettings } from './checkpoint-config.js';
import type { CheckpointSettings } from './checkpoint-config.js';
import { CHECKPOINT_FORMAT_VERSION, CHECKPOINT_METADATA_FORMAT, checkpointStore, deleteCheckpoint, encodeMetadata, encodeStateFile, METADATA_KEY, stateFileKey } from './checkpoint-storage.js';
import type { CheckpointMetadata, OperatorSubtaskState } from './checkpoint-storage.js';
import { LsmGarbageCollector } from './lsm-garbage.js';

let seq = 0;

interface Fixture {
  readonly store: ObjectStore;
  readonly settings: CheckpointSettings;
  readonly gc: LsmGarbageCollector;
  readonly warnings: string[];
  readonly config: Record<string, string>;
}

function fixture(extra: Record<string, string> = {}): Fixture {
  const dir = `memory://lsm-garbage-${process.pid}-${++seq}`;
  const config = {
    'execution.checkpointing.interval': '1 s',
    'execution.checkpointing.dir': dir,
    'pipeline.name': 'job',
    'state.backend.type': 'lsm',
    ...extra,
  };
  const settings = readCheckpointSettings(config, 'job')!;
  const store = createObjectStore(dir);
  const warnings: string[] = [];
  const gc = LsmGarbageCollector.forJob(config, settings, store, (m) => warnings.push(m))!;
  assert.ok(gc !== null);
  return { store, settings, gc, warnings, config };
}

const sst = (name: string): string => `job/lsm/node-1-0/kg-0-127-abcd0123/${name}.sst`;

async function putFiles(store: ObjectStore, keys: readonly string[]): Promise<void> {
  for (const k of keys) await store.put(k, new Uint8Array([1, 2, 3]));
}

function lsmManifest(storeUri: string, keys: readonly string[]): LsmStateSnapshot {
  return {
    format: LSM_STATE_SNAPSHOT_FORMAT,
    formatVersion: 1,
    valueCodecVersion: 1,
    snapshotId: `s-${++seq}`,
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
    takenAtMs: 0,
    states: [],
    files: keys.map((key) => ({ store: storeUri, key, keyGroupRange: { start: 0, end: 127 }, size: 3, crc32: 0, entries: 1 })),
    totalBytes: keys.length * 3,
  };
}

/** Writes checkpoint `id` whose one subtask's lsm manifest lists `keys` (`complete`: with `_metadata`). */
async function writeCheckpoint(f: Fixture, id: number, keys: readonly string[], complete = true, storeUri = f.store.uri): Promise<void> {
  const chk = checkpointStore(f.store, f.settings.jobFolder, id);
  const state: OperatorSubtaskState = {
    format: 'floe.operator-state',
    checkpointId: id,
    nodeId: 1,
    subtask: 0,
    finished: false,
    keyed: lsmManifest(storeUri, keys) as unknown as KeyedStateSnapshot,
    timers: null,
    operatorState: null,
    keyedOperatorState: null,
  } as OperatorSubtaskState;
  const bytes = encodeStateFile(state);
  const key = stateFileKey(1, 0);
  await chk.put(key, bytes);
  if (!complete) return;
  const meta: CheckpointMetadata = {
    format: CHECKPOINT_METADATA_FORMAT,
    version: CHECKPOINT_FORMAT_VERSION,
    id,
    job: 'job',
    maxParallelism: 128,
    nodes: [{ nodeId: 1, name: 'agg', operatorType: 'group-aggregate', parallelism: 1, files: [{ key, size: bytes.length, crc32: 0 }], finished: [false], keyedBytes: 0 }],
    stats: { id, kind: 'checkpoint', triggeredAt: 0, completedAt: 0, durationMs: 0, sizeBytes: 0, fullSizeBytes: 0, maxAlignmentMs: 0, maxSyncMs: 0, perNode: [] },
  };
  await chk.put(METADATA_KEY, encodeMetadata(meta));
}

async function sstKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list('job/lsm/')).map((o) => o.key);
}

test('lsm garbage: at attempt start, SST files no complete checkpoint lists are deleted; referenced ones and non-SST objects stay', async () => {
  const f = fixture();
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(sst) as [string, string, string, string, string];
  await putFiles(f.store, [a, b, c, d, e, 'job/lsm/node-1-0/README']);
  await writeCheckpoint(f, 3, [a, b]);
  await writeCheckpoint(f, 4, [b, c]);
  // An incomplete checkpoint (a killed attempt's) references nothing: it can never be restored from.
  await writeCheckpoint(f, 5, [d], false);
  const report = await f.gc.collectUnreferenced();
  assert.deepEqual(report, { listed: 5, referenced: 3, deleted: 2, skipped: false });
  assert.deepEqual(await sstKeys(f.store), [a, b, c, 'job/lsm/node-1-0/README'].sort());
  assert.deepEqual([...f.gc.inheritedFiles].sort(), [a, b, c].sort());
  assert.deepEqual(f.warnings, []);
});

test('lsm garbage: after a checkpoint, inherited files are deleted once no retained checkpoint lists them; files created since are never touched', async () => {
  const f = fixture();
  const [a, b, c] = ['a', 'b', 'c'].map(sst) as [string, string, string];
  await putFiles(f.store, [a, b, c]);
  await writeCheckpoint(f, 1, [a, b, c]);
  await f.gc.collectUnreferenced();
  assert.equal(f.gc.inheritedFiles.size, 3);
  // The attempt writes new files (x: live, y: in its first checkpoint) and compacts a and b away.
  const [x, y] = ['x', 'y'].map(sst) as [string, string];
  await putFiles(f.store, [x, y]);
  await writeCheckpoint(f, 2, [c, y]);
  // chk-1 is still retained: everything it lists stays.
  assert.deepEqual(await f.gc.collectAfterCheckpoint(), { listed: 3, referenced: 3, deleted: 0, skipped: false });
  await deleteCheckpoint(f.store, 'job', 1); // retention
  const report = await f.gc.collectAfterCheckpoint();
  assert.deepEqual(report, { listed: 3, referenced: 1, deleted: 2, skipped: false });
  assert.deepEqual(await sstKeys(f.store), [c, x, y].sort(), 'x is live state nobody checkpointed yet: kept');
  assert.deepEqual([...f.gc.inheritedFiles], [c]);
  // Nothing inherited left to collect: no reads at all.
  await deleteCheckpoint(f.store, 'job', 2);
  await writeCheckpoint(f, 3, [x]);
  assert.equal((await f.gc.collectAfterCheckpoint()).deleted, 1);
  assert.deepEqual(await f.gc.collectAfterCheckpoint(), { listed: 0, referenced: 0, deleted: 0, skipped: false });
  assert.deepEqual(await sstKeys(f.store), [x, y].sort());
});

test('lsm garbage: an unreadable checkpoint makes the collection delete nothing and warn', async () => {
  const f = fixture();
  const [a, b] = ['a', 'b'].map(sst) as [string, string];
  await putFiles(f.store, [a, b]);
  await writeCheckpoint(f, 1, [a]);
  // Corrupt the state file: its references are unknown, so b might be referenced.
  const chk = checkpointStore(f.store, 'job', 1);
  const bytes = await chk.get(stateFileKey(1, 0));
  bytes[10] = bytes[10]! ^ 0xff;
  await chk.put(stateFileKey(1, 0), bytes);
  const report = await f.gc.collectUnreferenced();
  assert.equal(report.skipped, true);
  assert.equal(report.deleted, 0);
  assert.deepEqual(await sstKeys(f.store), [a, b].sort());
  assert.equal(f.warnings.length, 1);
  assert.match(f.warnings[0]!, /checkpoint 1/);
});

test('lsm garbage: a reference to the same key in another store does not keep a file; jobs without lsm state or checkpointing are left alone', async () => {
  const f = fixture();
  const a = sst('a');
  await putFiles(f.store, [a]);
  await writeCheckpoint(f, 1, [a], true, 'memory://some-other-primary');
  assert.equal((await f.gc.collectUnreferenced()).deleted, 1);
  assert.deepEqual(await sstKeys(f.store), []);
  assert.equal(LsmGarbageCollector.forJob({ ...f.config, 'state.backend.type': 'heap' }, f.settings, f.store, () => undefined), null);
  assert.equal(LsmGarbageCollector.forJob(f.config, null, null, () => undefined), null);
});

test('lsm garbage: with state.backend.lsm.primary-dir set, files are listed and deleted there', async () => {
  const primaryUri = `memory://lsm-garbage-primary-${process.pid}`;
  const f = fixture({ 'state.backend.lsm.primary-dir': primaryUri });
  const primary = createObjectStore(primaryUri);
  const [a, b] = ['a', 'b'].map(sst) as [string, string];
  await putFiles(primary, [a, b]);
  await putFiles(f.store, [b]); // same key in the checkpoint store: not the primary copy
  await writeCheckpoint(f, 1, [a], true, primaryUri);
  assert.deepEqual(await f.gc.collectUnreferenced(), { listed: 2, referenced: 1, deleted: 1, skipped: false });
  assert.deepEqual(await sstKeys(primary), [a]);
  assert.deepEqual(await sstKeys(f.store), [b]);
});
