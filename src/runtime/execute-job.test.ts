import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloeError } from '../common/index.js';
import type { RecordBatch } from '../types/index.js';
import type { JobSpec, NodeSpec } from '../spec/index.js';
import { executeJob } from './index.js';
import type { JobResult } from './index.js';
import { liveWorkerCount } from './worker-spawn.js';
import { COUNT_TYPE, resetSignals, signal, testNode } from './test-support/test-operators.js';

const bootstrapModule = new URL('./test-support/bootstrap.ts', import.meta.url).href;
const T = { timeout: 60_000 };

interface Run {
  result: JobResult;
  batches: RecordBatch[];
  events: { nodeId: number; subtask: number; event: Record<string, unknown> }[];
}

function job(nodes: NodeSpec[], config: Record<string, string> = {}): JobSpec {
  return { version: 1, name: 'test-job', config, nodes };
}

function isBatch(m: unknown): m is RecordBatch {
  return typeof m === 'object' && m !== null && 'numRows' in m && 'columns' in m;
}

async function run(spec: JobSpec, onEvent?: (e: Record<string, unknown>) => void): Promise<Run> {
  const batches: RecordBatch[] = [];
  const events: Run['events'] = [];
  const handle = executeJob(spec, {
    bootstrapModule,
    onClientMessage: (nodeId, subtask, m) => {
      if (isBatch(m)) batches.push(m);
      else {
        events.push({ nodeId, subtask, event: m as Record<string, unknown> });
        onEvent?.(m as Record<string, unknown>);
      }
    },
  });
  return { result: await handle.done, batches, events };
}

/** Rows of COUNT_TYPE batches as sorted `key/window_end=cnt` strings. */
function countRows(batches: readonly RecordBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) {
    const [k, w, c] = b.columns.map((col) => col.data as Float64Array);
    for (let r = 0; r < b.numRows; r++) out.push(`${k![r]}/${w![r]}=${c![r]}`);
  }
  return out.sort();
}

function expectedCounts(count: number, keyCount: number, tsStep: number, windowSize: number): string[] {
  const m = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const end = Math.floor((i * tsStep) / windowSize) * windowSize + windowSize;
    const id = `${i % keyCount}/${end}`;
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return [...m].map(([id, n]) => `${id}=${n}`).sort();
}

function countJob(p: number, config: Record<string, string>, lag = 0): JobSpec {
  return job(
    [
      testNode(0, 'test-numbers', p, [], { count: 3000, batchSize: 64, keyCount: 13, tsStep: 1, lag }),
      testNode(1, 'test-keyed-count', p, [{ from: 0, partitioning: { kind: 'hash', keys: [0] } }], { windowSize: 100 }, COUNT_TYPE),
      testNode(2, 'test-collect', 1, [{ from: 1, partitioning: { kind: 'global' } }], {}, COUNT_TYPE),
    ],
    config,
  );
}

test('parallelism 1, 2 and 4 give the same windowed counts, in-thread and across worker threads', T, async () => {
  const expected = expectedCounts(3000, 13, 1, 100);
  const cases: [number, Record<string, string>, number][] = [
    [1, {}, 0],
    [2, { 'execution.worker-threads': '1' }, 0], // parallelism 2 in the calling thread
    [2, { 'execution.worker-threads': '2' }, 2],
    [4, { 'execution.worker-threads': '2', 'execution.buffer-timeout': '0 ms' }, 2], // local and remote channels mixed
    [1, { 'execution.worker-threads.force': 'true' }, 1],
  ];
  for (const [p, config, threads] of cases) {
    const { result, batches } = await run(countJob(p, config, 5));
    assert.deepEqual(countRows(batches), expected, `p=${p} ${JSON.stringify(config)}`);
    assert.equal(result.status, 'finished');
    assert.equal(result.workerThreads, threads);
    assert.deepEqual(result.nodes.map((n) => [n.recordsIn, n.recordsOut]), [[0, 3000], [3000, expected.length], [expected.length, 0]]);
    const count = result.metrics.nodes[1]!;
    assert.equal(count.counters['lateRecords'] ?? 0, 0, 'the min-over-subtasks watermark never makes a row late');
    assert.equal(count.counters['timersFired'], expected.length);
    assert.equal(count.watermark, Infinity);
  }
  assert.equal(liveWorkerCount(), 0);
});

test('a forward chain runs as one task: only the chain head has an inbox', T, async () => {
  const spec = job(
    [
      testNode(0, 'test-numbers', 2, [], { count: 500, batchSize: 50 }),
      testNode(1, 'test-pass', 2, [{ from: 0, partitioning: { kind: 'forward' } }]),
      testNode(2, 'test-pass', 2, [{ from: 1, partitioning: { kind: 'forward' } }]),
      testNode(3, 'test-collect', 2, [{ from: 2, partitioning: { kind: 'rebalance' } }]),
    ],
    { 'execution.worker-threads': '2' },
  );
  const { result, batches } = await run(spec);
  assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 500);
  const m = result.metrics.nodes;
  assert.deepEqual(m.map((n) => n.recordsOut), [500, 500, 500, 0]);
  assert.equal(m[1]!.maxInboxDepth + m[2]!.maxInboxDepth, 0, 'chained operators receive by direct call');
  assert.equal(m[0]!.maxInFlightBatches, 0, 'the source sends nothing through an exchange');
  assert.ok(m[2]!.maxInFlightBatches > 0, 'the chain tail feeds the exchange');
});

test('async operators inside a chain are called one at a time, in order', T, async () => {
  // p = 1: a forward edge may feed the keyed operator (one subtask owns every key group), so source,
  // count and sink form one chain of direct calls with an async operator in the middle.
  const spec = job([
    testNode(0, 'test-numbers', 1, [], { count: 2000, batchSize: 7, keyCount: 13, lag: 30 }),
    testNode(1, 'test-keyed-count', 1, [{ from: 0, partitioning: { kind: 'forward' } }], { windowSize: 100 }, COUNT_TYPE),
    testNode(2, 'test-collect', 1, [{ from: 1, partitioning: { kind: 'forward' } }], {}, COUNT_TYPE),
  ]);
  const { result, batches } = await run(spec);
  assert.deepEqual(countRows(batches), expectedCounts(2000, 13, 1, 100));
  assert.deepEqual(result.metrics.nodes.map((n) => n.maxInboxDepth), [0, 0, 0], 'one chain: no inboxes used');
});

test('an operator with two inputs sees the minimum watermark; endInput precedes the final +Infinity', T, async () => {
  for (const config of [{}, { 'execution.worker-threads.force': 'true' }] as Record<string, string>[]) {
    const spec = job(
      [
        testNode(0, 'test-numbers', 1, [], { count: 100, batchSize: 10, tsStep: 1 }), // ts 0..99
        testNode(1, 'test-numbers', 1, [], { count: 100, batchSize: 10, tsStep: 10 }), // ts 0..990
        testNode(2, 'test-probe', 1, [
          { from: 0, partitioning: { kind: 'forward' } },
          { from: 1, partitioning: { kind: 'rebalance' } },
        ]),
      ],
      // No coalescing: with it, these tiny inputs would reach the probe as one batch each.
      { ...config, 'execution.buffer-timeout': '0 ms' },
    );
    const { events } = await run(spec);
    const kinds = events.map((e) => e.event['event']);
    const wms = events.filter((e) => e.event['event'] === 'watermark').map((e) => e.event['watermark'] as number);
    assert.ok(wms.length >= 2);
    for (let i = 1; i < wms.length; i++) assert.ok(wms[i]! > wms[i - 1]!, 'watermarks strictly increase');
    // Input 0's k-th row has ts k - 1, and batches reach the probe before the watermarks that follow
    // them. So a combined watermark above input 0's rows seen so far is only allowed once all 100 were
    // seen (then input 0 sent +Infinity and stops holding input 1 back).
    let rows0 = 0;
    let checked = 0;
    for (const { event } of events) {
      if (event['event'] === 'batch' && event['input'] === 0) rows0 += event['rows'] as number;
      if (event['event'] === 'watermark' && Number.isFinite(event['watermark']) && rows0 < 100) {
        assert.ok((event['watermark'] as number) <= rows0 - 1, `watermark ${String(event['watermark'])} ran ahead of input 0 (${rows0} rows)`);
        checked++;
      }
    }
    assert.ok(checked >= 2, 'the combined watermark advanced while input 0 was active');
    assert.equal(wms[wms.length - 1], Infinity);
    // Both inputs end before the single +Infinity watermark, which precedes close.
    assert.deepEqual(kinds.slice(-2), ['watermark', 'close']);
    const ends = events.flatMap((e, i) => (e.event['event'] === 'endInput' ? [[e.event['input'], i]] : []));
    assert.deepEqual(ends.map(([input]) => input).sort(), [0, 1]);
    assert.ok(ends.every(([, i]) => (i as number) < events.length - 2));
    assert.equal(wms.filter((w) => w === Infinity).length, 1);
    assert.equal(events.filter((e) => e.event['event'] === 'batch').reduce((n, e) => n + (e.event['rows'] as number), 0), 200);
  }
});

test('an idle source subtask does not hold the watermark back', T, async () => {
  resetSignals();
  const spec = job([
    testNode(0, 'test-numbers', 2, [], { count: 400, batchSize: 10, idleSubtasks: [1], waitForSignal: 'release' }),
    testNode(1, 'test-probe', 1, [{ from: 0, partitioning: { kind: 'global' } }]),
  ], { 'execution.buffer-timeout': '0 ms', 'execution.worker-threads': '1' }); // signals work within one thread
  // Subtask 1 stays idle until the probe reports a finite watermark: without idleness this would hang.
  const { events } = await run(spec, (e) => {
    if (e['event'] === 'watermark' && Number.isFinite(e['watermark'])) signal('release');
  });
  const wms = events.filter((e) => e.event['event'] === 'watermark').map((e) => e.event['watermark'] as number);
  assert.ok(wms.some((w) => Number.isFinite(w) && w > 0));
  assert.equal(wms[wms.length - 1], Infinity);
});

test('event-time timers fire in timestamp order, never ahead of the watermark, and all fire at end of input', T, async () => {
  const { events, batches } = await run(countJob(2, { 'execution.worker-threads': '2' }, 250));
  const fired = events.filter((e) => e.event['event'] === 'fired');
  const bySubtask = new Map<number, { watermark: number; timestamps: number[] }[]>();
  for (const f of fired) {
    const list = bySubtask.get(f.subtask) ?? [];
    list.push(f.event as unknown as { watermark: number; timestamps: number[] });
    bySubtask.set(f.subtask, list);
  }
  for (const list of bySubtask.values()) {
    let last = -Infinity;
    for (const f of list) {
      for (const t of f.timestamps) {
        assert.ok(t >= last, 'timestamp order across calls');
        assert.ok(t <= f.watermark, 'a timer fires only once the watermark reached it');
        last = t;
      }
    }
    assert.equal(list[list.length - 1]!.watermark, Infinity, 'the last windows fire at end of input');
    assert.ok(list.some((f) => Number.isFinite(f.watermark)), 'earlier windows fire on finite watermarks');
  }
  assert.deepEqual(countRows(batches), expectedCounts(3000, 13, 1, 100));
});

test('processing-time timers fire from the clock (deduplicated); pending ones are dropped at end of input', T, async () => {
  resetSignals();
  const spec = job([
    testNode(0, 'test-numbers', 1, [], { count: 30, batchSize: 10, keyCount: 3, waitForSignal: 'procFired' }),
    testNode(1, 'test-proc-timer', 1, [{ from: 0, partitioning: { kind: 'forward' } }], { delayMs: 1 }),
  ]);
  const { events, result } = await run(spec);
  const timers = events.filter((e) => e.event['event'] === 'timers').map((e) => e.event);
  assert.ok(timers.length >= 1);
  assert.ok(timers.every((t) => t['domain'] === 'processing-time'));
  const keys = timers.flatMap((t) => t['keys'] as string[]);
  assert.deepEqual([...keys].sort(), ['0', '1', '2'], 'each key fired exactly once');
  assert.equal(result.metrics.nodes[1]!.counters['droppedProcessingTimeTimers'], 1, "the hour-ahead 'late' timer never fired");
});

test('backpressure: a slow sink bounds the batches in flight per channel', T, async () => {
  for (const config of [
    { 'taskmanager.network.max-buffers-per-channel': '2', 'execution.buffer-timeout': '0 ms' },
    { 'taskmanager.network.max-buffers-per-channel': '3', 'execution.buffer-timeout': '0 ms', 'execution.worker-threads': '2' },
  ] as Record<string, string>[]) {
    const max = Number(config['taskmanager.network.max-buffers-per-channel']);
    const spec = job(
      [
        testNode(0, 'test-numbers', 2, [], { count: 600, batchSize: 5 }),
        testNode(1, 'test-collect', 2, [{ from: 0, partitioning: { kind: 'rebalance' } }], { slowMs: 1 }),
      ],
      config,
    );
    const { result, batches } = await run(spec);
    assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 600);
    const [source, sink] = result.metrics.nodes;
    assert.equal(source!.maxInFlightBatches, max, 'channels fill up to their credit and no further');
    assert.ok(source!.backpressureWaits > 0, 'the source had to wait for credit');
    // Inbox: per channel (2 of them) at most `max` batches, each with at most one watermark behind it,
    // plus one watermark ahead and the end marker.
    assert.ok(sink!.maxInboxDepth <= 2 * (2 * max + 2), `inbox depth ${sink!.maxInboxDepth}`);
  }
});

test('a failure in a worker rejects with its FloeError and terminates every worker', T, async () => {
  const spec = job(
    [
      testNode(0, 'test-numbers', 2, [], { unbounded: true, batchSize: 10 }),
      testNode(1, 'test-pass', 2, [{ from: 0, partitioning: { kind: 'hash', keys: [0] } }], { failAtBatch: 3 }),
      testNode(2, 'test-collect', 2, [{ from: 1, partitioning: { kind: 'forward' } }]),
    ],
    { 'execution.worker-threads': '2' },
  );
  const handle = executeJob(spec, { bootstrapModule });
  await assert.rejects(handle.done, (e: unknown) => {
    assert.ok(e instanceof FloeError);
    assert.equal(e.code, 'TEST.BOOM');
    assert.equal(e.kind, 'user');
    assert.match(e.message, /^boom at batch 3 in subtask \d$/);
    assert.equal(e.help, 'this is a test');
    assert.ok(e.notes.some((n) => /test-pass#1 \(node 1, subtask \d\/2\)/.test(n)));
    return true;
  });
  assert.equal(liveWorkerCount(), 0);
});

test('non-Floe errors become RUNTIME.OPERATOR_FAILED naming the operator; source failures too', T, async () => {
  const plain = job([
    testNode(0, 'test-numbers', 1, [], { count: 100 }),
    testNode(1, 'test-pass', 1, [{ from: 0, partitioning: { kind: 'forward' } }], { plainError: true }),
  ]);
  await assert.rejects(executeJob(plain, { bootstrapModule }).done, { code: 'RUNTIME.OPERATOR_FAILED', message: /test-pass#1 .*plain failure/ });
  const source = job([testNode(0, 'test-numbers', 2, [], { count: 1000, failAfterBatches: 2 })], { 'execution.worker-threads.force': 'true' });
  await assert.rejects(executeJob(source, { bootstrapModule }).done, { code: 'TEST.SOURCE_FAILED', kind: 'runtime' });
  assert.equal(liveWorkerCount(), 0);
});

test('setup errors: unknown operator types and bad bootstrap modules', T, async () => {
  const unknown = job([testNode(0, 'no-such-operator', 2, [])], { 'execution.worker-threads': '2' });
  await assert.rejects(executeJob(unknown, { bootstrapModule }).done, { kind: 'internal', message: /no-such-operator/ });
  const ok = job([testNode(0, 'test-numbers', 1, [])]);
  await assert.rejects(executeJob(ok, { bootstrapModule: new URL('./missing.ts', import.meta.url).href }).done, { code: 'RUNTIME.BOOTSTRAP_FAILED' });
  await assert.rejects(executeJob(job([testNode(0, 'test-numbers', 1, [])], { 'taskmanager.network.max-buffers-per-channel': '0' }), { bootstrapModule }).done, {
    code: 'CONFIG.BAD_VALUE',
  });
  assert.equal(liveWorkerCount(), 0);
});

test('cancellation stops an unbounded job, closes operators and reports live metrics before', T, async () => {
  for (const config of [{}, { 'execution.worker-threads': '2' }] as Record<string, string>[]) {
    const spec = job(
      [
        testNode(0, 'test-numbers', 2, [], { unbounded: true, batchSize: 10 }),
        testNode(1, 'test-probe', 2, [{ from: 0, partitioning: { kind: 'hash', keys: [0] } }]),
      ],
      { ...config, 'execution.metrics.interval': '20 ms' },
    );
    let seen = 0;
    let resolveSeen!: () => void;
    const enough = new Promise<void>((r) => (resolveSeen = r));
    const abort = new AbortController();
    const handle = executeJob(spec, {
      bootstrapModule,
      signal: abort.signal,
      onClientMessage: () => {
        if (++seen === 50) resolveSeen();
      },
    });
    await enough;
    // Live metrics arrive while the job runs (polling is not timing: it waits for a report to land).
    while (handle.metrics().nodes[0]!.recordsOut === 0) await new Promise((r) => setTimeout(r, 10));
    if (Object.keys(config).length === 0) abort.abort();
    else await handle.cancel();
    const result = await handle.done;
    assert.equal(result.status, 'cancelled');
    assert.ok(result.metrics.nodes[1]!.recordsIn > 0);
  }
  assert.equal(liveWorkerCount(), 0);
});
