import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FloeError } from '../../common/index.js';
import { commitFileOnce } from '../../storage/index.js';
import { BatchBuilder, Types, parseTimestamp, type RecordBatch, type RowType } from '../../types/index.js';
import type { SinkSpec } from '../../spec/index.js';
import type { TimerService } from '../../runtime/index.js';
import type { SinkContext, SinkWriter } from '../connector.js';
import { TestOperatorContext } from '../operator-test-context.js';
import { SinkOperator } from '../sink-operator.js';
import { filesystemSink, FileSystemSinkWriter } from './filesystem-sink.js';
import { applyPartitionCommit, parseCommitPolicies, partitionTimeCommittable, procTimeCommittable } from './partition-commit.js';
import { PartitionTimeExtractor, partitionInstant } from './partition-time-extractor.js';

const ts = (text: string): number => parseTimestamp(text)!;

// ---------------------------------------------------------------------------------------------------------
// Partition time extractor

test('extractor: $dt $hm:00 pattern, first-column default, date-only values', () => {
  const e = new PartitionTimeExtractor('t', ['dt', 'hm'], { pattern: '$dt $hm:00' });
  assert.equal(e.timestampText(['2024-01-01', '10:05']), '2024-01-01 10:05:00');
  assert.equal(e.extract(['2024-01-01', '10:05']), ts('2024-01-01 10:05:00'));
  const first = new PartitionTimeExtractor('t', ['dt', 'h'], {});
  assert.equal(first.extract(['2024-02-29', '7']), ts('2024-02-29 00:00:00'));
  assert.equal(first.extract(['2024-2-3 4:05:06', 'x']), ts('2024-02-03 04:05:06'));
});

test('extractor: formatter with Java letters; longer column names win over prefixes', () => {
  const e = new PartitionTimeExtractor('t', ['y', 'm', 'd', 'h', 'hm'], { pattern: '$y$m$d $hm|$h', formatter: "yyyyMMdd HH:mm'|'H" });
  assert.equal(e.timestampText(['2024', '03', '09', '7', '07:30']), '20240309 07:30|7');
  assert.equal(e.extract(['2024', '03', '09', '7', '07:30']), ts('2024-03-09 07:30:00'));
  // A date alone still parses with a formatter that does not match (Flink falls back to the date).
  const d = new PartitionTimeExtractor('t', ['dt'], { pattern: '$dt', formatter: 'yyyy-MM-dd HH:mm:ss' });
  assert.equal(d.extract(['2024-03-09']), ts('2024-03-09 00:00:00'));
});

test('extractor: errors name the table, the partition and the pattern', () => {
  assert.throws(
    () => new PartitionTimeExtractor('q10', ['dt', 'hm'], { pattern: '$dt $hour:00' }),
    (e: unknown) => e instanceof FloeError && e.code === 'PLAN.CONNECTOR_OPTION' && /table 'q10'.*'\$hour', which is not a partition column \(partition columns: dt, hm\)/.test(e.message),
  );
  const e = new PartitionTimeExtractor('q10', ['dt', 'hm'], { pattern: '$dt $hm:00' });
  assert.throws(
    () => e.extract(['__DEFAULT_PARTITION__', '10:00']),
    (err: unknown) => err instanceof FloeError && err.code === 'SINK.PARTITION_TIME' && err.message.includes('partition dt=__DEFAULT_PARTITION__/hm=10:00'),
  );
  assert.throws(() => new PartitionTimeExtractor('q10', ['dt'], { kind: 'custom' }), (err: unknown) => err instanceof FloeError && err.kind === 'unsupported');
});

test('partition time in the watermark time zone', () => {
  const wall = ts('2024-01-01 08:00:00');
  assert.equal(partitionInstant(wall, 'UTC'), wall);
  assert.equal(partitionInstant(wall, 'Asia/Shanghai'), ts('2024-01-01 00:00:00'));
  assert.equal(partitionInstant(wall, '-02:00'), ts('2024-01-01 10:00:00'));
});

// ---------------------------------------------------------------------------------------------------------
// Triggers and policies

test('triggers: process-time (creation + delay, delay 0 = always) and partition-time (strictly after)', () => {
  assert.equal(procTimeCommittable(1000, 1000, 0), true);
  assert.equal(procTimeCommittable(1000, 61_000, 60_000), false);
  assert.equal(procTimeCommittable(1000, 61_001, 60_000), true);
  const p = ts('2024-01-01 10:00:00');
  assert.equal(partitionTimeCommittable(p, p + 60_000, 60_000), false);
  assert.equal(partitionTimeCommittable(p, p + 60_001, 60_000), true);
  assert.equal(partitionTimeCommittable(p, -Infinity, 0), false);
  assert.equal(partitionTimeCommittable(p, Infinity, 60_000), true);
});

test('policies: success-file; metastore and custom are unsupported; unknown kinds and bad names are rejected', () => {
  assert.deepEqual(parseCommitPolicies('t', ' Success-File ', '_DONE'), { successFileName: '_DONE' });
  assert.deepEqual(parseCommitPolicies('t', undefined, '_SUCCESS'), { successFileName: null });
  assert.throws(() => parseCommitPolicies('t', 'success-file,metastore', '_SUCCESS'), (e: unknown) => e instanceof FloeError && e.kind === 'unsupported' && /'metastore' needs a Hive metastore/.test(e.message));
  assert.throws(() => parseCommitPolicies('t', 'custom', '_SUCCESS'), (e: unknown) => e instanceof FloeError && e.kind === 'unsupported' && /'custom' needs a Java class/.test(e.message));
  assert.throws(() => parseCommitPolicies('t', 'success', '_SUCCESS'), /unknown partition commit policy 'success'/);
  assert.throws(() => parseCommitPolicies('t', 'success-file', 'a/b'), /must be a plain file name/);
});

// ---------------------------------------------------------------------------------------------------------
// The sink writer

const T: RowType = {
  fields: [
    { name: 'id', type: Types.bigint() },
    { name: 'dt', type: Types.string() },
    { name: 'hm', type: Types.string() },
  ],
};
const KEYS = [1, 2];
const Q10_OPTIONS = {
  format: 'csv',
  'sink.partition-commit.trigger': 'partition-time',
  'sink.partition-commit.delay': '1 min',
  'sink.partition-commit.policy.kind': 'success-file',
  'partition.time-extractor.timestamp-pattern': '$dt $hm:00',
};

const batchOf = (rows: unknown[][]): RecordBatch => {
  const b = new BatchBuilder(T);
  for (const r of rows) b.appendRow(r);
  return b.finish();
};

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'floe-fs-commit-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

class Clock {
  constructor(public now: number) {}
  read = (): number => this.now;
}

function writerCtx(dir: string, options: Record<string, string>, clock: Clock, config: Record<string, string> = {}, subtaskIndex = 0): SinkContext {
  return {
    tableName: 'out',
    options: { connector: 'filesystem', path: dir, ...options },
    physicalType: T,
    partitionKeys: KEYS,
    config: (k) => config[k],
    subtaskIndex,
    parallelism: 1,
    sendToClient: () => undefined,
    processingTime: clock.read,
  };
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)).replace(/part-[0-9a-f-]{36}-/, 'part-'));
  }
  return out.sort();
}

const P0 = 'dt=2024-01-01/hm=10%3A00';
const P1 = 'dt=2024-01-01/hm=10%3A01';

test('partition-time: a partition commits when the watermark passes its time + delay; late rows re-commit it', async () => {
  await withDir(async (dir) => {
    const clock = new Clock(0);
    const w = new FileSystemSinkWriter(writerCtx(dir, Q10_OPTIONS, clock));
    await w.write(batchOf([[1, '2024-01-01', '10:00'], [2, '2024-01-01', '10:01'], [3, '2024-01-01', '10:00']]));
    assert.deepEqual(await files(dir), [`${P0}/.part-0-0.csv.inprogress`, `${P1}/.part-0-1.csv.inprogress`]);
    // 10:00 + 1 min delay = 10:01:00: the watermark must be strictly later.
    await w.onWatermark(ts('2024-01-01 10:01:00'));
    assert.deepEqual(w.openPartitions, [P0, P1]);
    await w.onWatermark(ts('2024-01-01 10:01:00') + 1);
    assert.deepEqual(w.openPartitions, [P1]);
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`, `${P1}/.part-0-1.csv.inprogress`]);
    assert.equal(await readFile(path.join(dir, P0, (await readdir(path.join(dir, P0))).find((f) => f.startsWith('part-'))!), 'utf8'), '1\n3\n');
    // A late row for the committed partition opens a new file, committed again at the next watermark.
    await w.write(batchOf([[4, '2024-01-01', '10:00']]));
    assert.deepEqual(w.openPartitions, [P1, P0]);
    await w.onWatermark(ts('2024-01-01 10:01:30'));
    assert.deepEqual(w.openPartitions, [P1]);
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`, `${P0}/part-0-2.csv`, `${P1}/.part-0-1.csv.inprogress`]);
    // End of input commits everything; the final +Infinity watermark afterwards is harmless.
    await w.finish();
    await w.onWatermark(Infinity);
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`, `${P0}/part-0-2.csv`, `${P1}/_SUCCESS`, `${P1}/part-0-1.csv`]);
    await w.close();
  });
});

test('partition-time with a watermark time zone: partition times are wall clock in that zone', async () => {
  await withDir(async (dir) => {
    const w = new FileSystemSinkWriter(writerCtx(dir, { ...Q10_OPTIONS, 'sink.partition-commit.delay': '0 s', 'sink.partition-commit.watermark-time-zone': 'Asia/Shanghai' }, new Clock(0)));
    await w.write(batchOf([[1, '2024-01-01', '08:00']]));
    // 08:00 in Shanghai is 00:00 UTC.
    await w.onWatermark(ts('2024-01-01 00:00:00'));
    assert.equal(w.openPartitions.length, 1);
    await w.onWatermark(ts('2024-01-01 00:00:00') + 1);
    assert.equal(w.openPartitions.length, 0);
    await w.close();
  });
});

test('process-time: committed at the first check after creation + delay; the success file name is configurable', async () => {
  await withDir(async (dir) => {
    const clock = new Clock(1_000_000);
    const w = new FileSystemSinkWriter(
      writerCtx(dir, { format: 'csv', 'sink.partition-commit.delay': '10 s', 'sink.partition-commit.policy.kind': 'success-file', 'sink.partition-commit.success-file.name': '_DONE' }, clock),
    );
    assert.equal(w.processingTimeIntervalMs, 60_000);
    await w.write(batchOf([[1, '2024-01-01', '10:00']]));
    clock.now += 5_000;
    await w.write(batchOf([[2, '2024-01-01', '10:01']]));
    // Watermarks do not commit with the process-time trigger.
    await w.onWatermark(Infinity - 1);
    assert.equal(w.openPartitions.length, 2);
    await w.onProcessingTime(1_010_000);
    assert.equal(w.openPartitions.length, 2);
    await w.onProcessingTime(1_010_001);
    assert.deepEqual(w.openPartitions, [P1]);
    assert.deepEqual(await files(dir), [`${P0}/_DONE`, `${P0}/part-0-0.csv`, `${P1}/.part-0-1.csv.inprogress`]);
    await w.onProcessingTime(1_015_001);
    assert.deepEqual(w.openPartitions, []);
    await w.finish();
    assert.deepEqual(await files(dir), [`${P0}/_DONE`, `${P0}/part-0-0.csv`, `${P1}/_DONE`, `${P1}/part-0-1.csv`]);
  });
});

test('batch mode: triggers are not consulted; everything commits at the end', async () => {
  await withDir(async (dir) => {
    const w = new FileSystemSinkWriter(writerCtx(dir, Q10_OPTIONS, new Clock(0), { 'execution.runtime-mode': 'batch' }));
    await w.write(batchOf([[1, '2024-01-01', '10:00']]));
    await w.onWatermark(ts('2024-01-02 00:00:00'));
    assert.equal(w.openPartitions.length, 1);
    assert.deepEqual(await files(dir), [`${P0}/.part-0-0.csv.inprogress`]);
    await w.finish();
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`]);
  });
});

test('rolling on processing time: rollover-interval and inactivity-interval; rolled files are visible before the commit', async () => {
  await withDir(async (dir) => {
    const clock = new Clock(0);
    const w = new FileSystemSinkWriter(
      writerCtx(
        dir,
        { ...Q10_OPTIONS, 'sink.rolling-policy.rollover-interval': '60 s', 'sink.rolling-policy.inactivity-interval': '20 s', 'sink.rolling-policy.check-interval': '5 s' },
        clock,
        {},
        3,
      ),
    );
    assert.equal(w.processingTimeIntervalMs, 5_000);
    await w.write(batchOf([[1, '2024-01-01', '10:00'], [2, '2024-01-01', '10:01']]));
    // P0 keeps getting rows every 10 s (never inactive for 20 s); P1 gets none.
    for (clock.now = 10_000; clock.now <= 50_000; clock.now += 10_000) {
      await w.write(batchOf([[clock.now, '2024-01-01', '10:00']]));
      await w.onProcessingTime(clock.now);
    }
    // P1 was inactive for 20 s at t=20 s: rolled; P0 still in progress (open 50 s < 60 s).
    assert.deepEqual(await files(dir), [`${P0}/.part-3-0.csv.inprogress`, `${P1}/part-3-1.csv`]);
    clock.now = 60_000;
    await w.onProcessingTime(clock.now);
    assert.deepEqual(await files(dir), [`${P0}/part-3-0.csv`, `${P1}/part-3-1.csv`]);
    // Rolling does not commit: both partitions are still open, no success files yet.
    assert.deepEqual(w.openPartitions, [P0, P1]);
    await w.write(batchOf([[7, '2024-01-01', '10:00']]));
    await w.finish();
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-3-0.csv`, `${P0}/part-3-2.csv`, `${P1}/_SUCCESS`, `${P1}/part-3-1.csv`]);
    const p0 = await readdir(path.join(dir, P0));
    const texts = await Promise.all(p0.filter((f) => f.startsWith('part-')).sort().map((f) => readFile(path.join(dir, P0, f), 'utf8')));
    assert.deepEqual(texts, ['1\n10000\n20000\n30000\n40000\n50000\n', '7\n']);
  });
});

test('unpartitioned tables: files roll and commit at the end, no success file', async () => {
  await withDir(async (dir) => {
    const ctx = { ...writerCtx(dir, { format: 'csv', 'sink.partition-commit.policy.kind': 'success-file' }, new Clock(0)), partitionKeys: [] };
    const w = new FileSystemSinkWriter(ctx);
    await w.write(batchOf([[1, 'a', 'b']]));
    await w.onProcessingTime(1);
    assert.deepEqual(await files(dir), ['.part-0-0.csv.inprogress']);
    await w.finish();
    assert.deepEqual(await files(dir), ['part-0-0.csv']);
    assert.equal(await readFile(path.join(dir, (await readdir(dir))[0]!), 'utf8'), '1,a,b\n');
  });
});

test('commit is idempotent: pre-commit then commit twice leaves the same files; a lost pending file is an error', async () => {
  await withDir(async (dir) => {
    const w = new FileSystemSinkWriter(writerCtx(dir, Q10_OPTIONS, new Clock(0)));
    await w.write(batchOf([[1, '2024-01-01', '10:00']]));
    const record = await w.preCommitPartition(P0);
    assert.ok(record !== null);
    assert.equal(await w.preCommitPartition(P0), null, 'a partition is pre-committed once');
    // Pre-committed: closed but still hidden.
    assert.deepEqual(await files(dir), [`${P0}/.part-0-0.csv.inprogress`]);
    const policies = { successFileName: '_SUCCESS' };
    await applyPartitionCommit(record, policies);
    const after = await files(dir);
    await applyPartitionCommit(record, policies);
    assert.deepEqual(await files(dir), after);
    assert.deepEqual(after, [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`]);
    // Replaying after a crash between rename and marker: the rename is skipped, the marker is written.
    await rm(path.join(dir, P0, '_SUCCESS'));
    await applyPartitionCommit(record, policies);
    assert.deepEqual(await files(dir), after);
    assert.equal(await commitFileOnce(record.files[0]!.inProgressPath, record.files[0]!.finalPath), false);
    await assert.rejects(commitFileOnce(path.join(dir, 'nope'), path.join(dir, 'nope2')), (e: unknown) => e instanceof FloeError && e.code === 'STORAGE.WRITE');
    await w.close();
  });
});

test('validation: commit and extractor options are checked at plan time', () => {
  const ctx = (options: Record<string, string>) => ({ tableName: 'q10', options: { connector: 'filesystem', path: '/x', ...Q10_OPTIONS, ...options }, physicalType: T, partitionKeys: KEYS, config: () => undefined });
  assert.doesNotThrow(() => filesystemSink.validate!(ctx({})));
  assert.throws(() => filesystemSink.validate!(ctx({ 'sink.partition-commit.policy.kind': 'metastore,success-file' })), /'metastore' needs a Hive metastore/);
  assert.throws(() => filesystemSink.validate!(ctx({ 'partition.time-extractor.timestamp-pattern': '$day' })), /'\$day', which is not a partition column/);
  assert.throws(() => filesystemSink.validate!(ctx({ 'sink.partition-commit.watermark-time-zone': 'Mars/Olympus' })), /unknown time zone 'Mars\/Olympus'/);
  assert.throws(() => filesystemSink.validate!(ctx({ 'partition.time-extractor.kind': 'custom' })), /needs a Java class/);
  // Unpartitioned tables have no partitions to extract times from: the pattern is not checked.
  assert.doesNotThrow(() => filesystemSink.validate!({ ...ctx({ 'partition.time-extractor.timestamp-pattern': '$day' }), partitionKeys: [] }));
});

// ---------------------------------------------------------------------------------------------------------
// The sink operator hands watermarks and processing time to the writer

class TimerTestContext extends TestOperatorContext {
  readonly procTimers: number[] = [];
  now = 5_000;
  override processingTime(): number {
    return this.now;
  }
  override timers(): TimerService {
    return {
      registerEventTimeTimer: () => undefined,
      deleteEventTimeTimer: () => undefined,
      registerProcessingTimeTimer: (_key, t) => void this.procTimers.push(t),
      deleteProcessingTimeTimer: () => undefined,
      currentWatermark: () => -Infinity,
    };
  }
}

test('sink operator: forwards watermarks and re-arms a processing-time timer every check interval', async () => {
  await withDir(async (dir) => {
    const spec: SinkSpec = {
      type: 'sink',
      version: 1,
      connector: 'filesystem',
      tableName: 'out',
      options: { connector: 'filesystem', path: dir, ...Q10_OPTIONS, 'sink.rolling-policy.check-interval': '2 s', 'sink.rolling-policy.inactivity-interval': '1 s' },
      schema: T,
      inputMode: { kind: 'insert-only' },
      partitionKeys: KEYS,
      primaryKey: null,
    };
    const ctx = new TimerTestContext(spec, T);
    const op = new SinkOperator(spec, ctx.node, filesystemSink);
    await op.open(ctx);
    assert.deepEqual(ctx.procTimers, [7_000]);
    await op.processBatch(0, batchOf([[1, '2024-01-01', '10:00'], [2, '2024-01-01', '10:01']]));
    await op.processWatermark(ts('2024-01-01 10:01:00') + 1);
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`, `${P1}/.part-0-1.csv.inprogress`]);
    ctx.now = 7_000;
    await op.onTimers('processing-time');
    assert.deepEqual(ctx.procTimers, [7_000, 9_000]);
    // Inactive for 2 s > 1 s: rolled (visible) but not committed.
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`, `${P1}/part-0-1.csv`]);
    await op.endInput();
    await op.onTimers('processing-time');
    assert.deepEqual(ctx.procTimers, [7_000, 9_000], 'no timer after the input ended');
    await op.processWatermark(Infinity);
    await op.close();
    assert.deepEqual(await files(dir), [`${P0}/_SUCCESS`, `${P0}/part-0-0.csv`, `${P1}/_SUCCESS`, `${P1}/part-0-1.csv`]);
  });
});

test('sink operator: writers without time hooks get no timers', async () => {
  const spec: SinkSpec = { type: 'sink', version: 1, connector: 'blackhole', tableName: 'b', options: {}, schema: T, inputMode: { kind: 'insert-only' }, partitionKeys: [], primaryKey: null };
  const ctx = new TimerTestContext(spec, T);
  const writer: SinkWriter = { write: () => undefined, finish: () => undefined, close: () => undefined };
  const op = new SinkOperator(spec, ctx.node, { name: 'x', options: [], acceptsUpdates: false, createWriter: () => writer });
  await op.open(ctx);
  await op.processWatermark(10);
  await op.onTimers('processing-time');
  await op.close();
  assert.deepEqual(ctx.procTimers, []);
});
