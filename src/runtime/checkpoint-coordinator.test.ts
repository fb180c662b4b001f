import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryObjectStore } from '../storage/index.js';
import type { JobSpec } from '../spec/index.js';
import { CheckpointCoordinator } from './checkpoint-coordinator.js';
import type { CheckpointSettings } from './checkpoint-config.js';
import { METADATA_KEY } from './checkpoint-storage.js';
import { testNode } from './test-support/test-operators.js';

const spec: JobSpec = { version: 1, name: 't', config: {}, nodes: [testNode(0, 'test-numbers', 1, [])] };
const settings: CheckpointSettings = {
  intervalMs: 60_000,
  timeoutMs: 60_000,
  minPauseMs: 0,
  tolerableFailures: 0,
  numRetained: 1,
  incremental: false,
  dir: 'memory://chk',
  jobFolder: 'job',
};
const ack = (checkpointId: number) => ({
  checkpointId,
  nodeId: 0,
  subtask: 0,
  file: { key: 'state-0-0', size: 0, crc32: 0 },
  finished: false,
  keyedBytes: 0,
  keyedStateBytes: 0,
  references: [],
  alignmentMs: 0,
  syncMs: 0,
  asyncMs: 0,
});

/** A store whose puts of `_metadata` wait until `release` is called. */
class GatedStore extends MemoryObjectStore {
  private gate: Promise<void>;
  release!: () => void;
  metadataPutStarted = false;
  constructor() {
    super('memory://chk');
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  override async put(key: string, bytes: Uint8Array): Promise<void> {
    if (key.endsWith(METADATA_KEY)) {
      this.metadataPutStarted = true;
      await this.gate;
    }
    return super.put(key, bytes);
  }
}

function coordinator(store: MemoryObjectStore, using: CheckpointSettings = settings): { c: CheckpointCoordinator; triggered: number[]; completed: number[] } {
  const triggered: number[] = [];
  const completed: number[] = [];
  const c = new CheckpointCoordinator(spec, using, store, 1, 128, {
    broadcast: (m) => {
      if (m.t === 'trigger') triggered.push(m.checkpointId);
      if (m.t === 'complete') completed.push(m.checkpointId);
    },
    fail: () => undefined,
    warn: () => undefined,
  }, []);
  return { c, triggered, completed };
}

/** Waits (bounded, so a regression fails instead of hanging) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(condition(), what);
}

test('drain waits for a checkpoint whose metadata is being written when the job stops', async () => {
  // A restart chooses its checkpoint after `drain`: a metadata write landing later would complete a
  // checkpoint the restart (and the lsm garbage collection) did not see.
  const store = new GatedStore();
  const { c, triggered } = coordinator(store);
  c.start();
  void c.triggerSavepoint().catch(() => undefined); // triggered at once; written like a checkpoint
  assert.deepEqual(triggered, [1]);
  c.onAck(ack(1));
  while (!store.metadataPutStarted) await new Promise((r) => setImmediate(r));
  c.stop();
  let drained = false;
  const d = c.drain().then(() => (drained = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(drained, false, 'drain must not resolve while the metadata write is in flight');
  store.release();
  await d;
});

test('a checkpoint whose acks completed after stop never writes its metadata', async () => {
  const store = new MemoryObjectStore('memory://chk');
  const { c } = coordinator(store);
  c.start();
  void c.triggerSavepoint().catch(() => undefined);
  c.onAck(ack(1)); // completion starts: the job spec put is in flight
  c.stop();
  await c.drain();
  const keys = (await store.list('')).map((o) => o.key);
  assert.ok(!keys.some((k) => k.endsWith(METADATA_KEY)), `no metadata written: ${keys.join(', ')}`);
});

test('stop with drain: a periodic checkpoint that finds every subtask finished is followed by the savepoint', async () => {
  // The periodic checkpoint was triggered before the drain, but its barrier met sources that had already
  // ended. Notifying it would release the subtasks and end the job without the requested savepoint.
  const store = new MemoryObjectStore('memory://chk');
  const { c, triggered, completed } = coordinator(store, { ...settings, intervalMs: 1 });
  c.start();
  await until(() => triggered.length === 1, 'periodic checkpoint 1 is triggered')
  const drained = c.requestFinalSavepoint();
  c.onAwaitingFinal();
  c.onAck({ ...ack(1), finished: true });
  await until(() => triggered.length === 2, 'the drained savepoint is triggered after checkpoint 1');
  assert.deepEqual(completed, [], 'checkpoint 1 completes without being notified');
  assert.ok((await store.list('')).some((o) => o.key.endsWith(`chk-1/${METADATA_KEY}`)), 'checkpoint 1 is complete on storage');
  c.onAck({ ...ack(2), finished: true });
  assert.match(await drained, /savepoint-2$/);
  assert.deepEqual(completed, [2]);
  c.stop();
  await c.drain();
});

test("a completed checkpoint carries every subtask's report to the operator's subtasks, in subtask order", async () => {
  const twoSubtasks: JobSpec = { ...spec, nodes: [testNode(0, 'test-numbers', 2, [])] };
  const messages: unknown[] = [];
  const c = new CheckpointCoordinator(twoSubtasks, settings, new MemoryObjectStore('memory://chk'), 1, 128, {
    broadcast: (m) => messages.push(m),
    fail: () => undefined,
    warn: () => undefined,
  }, []);
  c.start();
  void c.triggerSavepoint().catch(() => undefined);
  c.onAck({ ...ack(1), subtask: 1, report: { split: 'b', next: 7 } });
  c.onAck({ ...ack(1), subtask: 0, report: { split: 'a', next: 5 } });
  await c.drain();
  await until(() => messages.some((m) => (m as { t: string }).t === 'complete'), 'checkpoint 1 completes');
  assert.deepEqual(messages.find((m) => (m as { t: string }).t === 'complete'), {
    t: 'complete',
    checkpointId: 1,
    reports: { 0: [{ split: 'a', next: 5 }, { split: 'b', next: 7 }] },
  });
  c.stop();
});
