/**
 * The checkpoint coordinator of one job attempt: triggers checkpoints, collects every operator subtask's
 * acknowledgement, completes a checkpoint by writing its `_metadata` (the commit point), notifies the
 * subtasks, keeps the last `num-retained` checkpoints and a JSON history of their statistics.
 *
 * One checkpoint is in flight at a time. The next is triggered `interval` after the previous trigger, but
 * not before `min-pause` after the previous one ended. A checkpoint not complete within `timeout`, or
 * declined by a subtask, is aborted; more than `tolerable-failed-checkpoints` failures in a row fail the
 * job. When every subtask has processed all its input, the final checkpoint is triggered at once: its
 * completion lets the subtasks commit and close (see subtask.ts).
 */
import { runtimeError, type FloeError } from '../common/index.js';
import type { JobSpec } from '../spec/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { CheckpointSettings } from './checkpoint-config.js';
import type { CheckpointMetadata, CheckpointNodeEntry, CheckpointStats, StateFileRef } from './checkpoint-storage.js';
import {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_METADATA_FORMAT,
  checkpointFolder,
  checkpointStore,
  deleteCheckpoint,
  encodeMetadata,
  JOB_SPEC_KEY,
  METADATA_KEY,
  readCheckpointReferences,
  retireCheckpoint,
  under,
} from './checkpoint-storage.js';
import type { SnapshotAck } from './subtask.js';
import { buildJobGraph } from './job-graph.js';

export const HISTORY_KEY = 'checkpoints.json';
const HISTORY_LIMIT = 200;

interface PendingCheckpoint {
  readonly id: number;
  /** A savepoint: written to `savepoint-<id>`, kept whatever the retention, and resolves `done`. */
  readonly savepoint: { resolve(path: string): void; reject(e: FloeError): void } | null;
  readonly triggeredAt: number;
  readonly acks: Map<string, SnapshotAck>;
  readonly timer: ReturnType<typeof setTimeout>;
  completing: boolean;
}

export interface CheckpointCoordinatorHooks {
  /** Sends a message to every host. */
  broadcast(
    message:
      | { t: 'trigger'; checkpointId: number; savepoint: boolean }
      | { t: 'complete'; checkpointId: number; reports?: Record<number, unknown[]> }
      | { t: 'abort'; checkpointId: number },
  ): void;
  /** Too many checkpoints failed: the job must fail with this error. */
  fail(error: FloeError): void;
  warn(message: string): void;
  /**
   * Runs after the retention that follows each completed checkpoint (not savepoint), in the same serial
   * housekeeping chain: the lsm garbage collection of inherited SST files (lsm-garbage.ts).
   */
  afterRetain?(): Promise<unknown>;
}

/** The checkpoint reports of a checkpoint's acknowledgements, by node id in subtask order; undefined when none. */
function reportsOf(p: PendingCheckpoint): Record<number, unknown[]> | undefined {
  let out: Record<number, unknown[]> | undefined;
  const acks = [...p.acks.values()].filter((a) => a.report !== undefined).sort((a, b) => a.nodeId - b.nodeId || a.subtask - b.subtask);
  for (const a of acks) ((out ??= {})[a.nodeId] ??= []).push(a.report);
  return out;
}

export class CheckpointCoordinator {
  private readonly expectedAcks: number;
  private readonly totalSubtasks: number;
  private pending: PendingCheckpoint | null = null;
  private nextId: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastEndedAt = 0;
  private failures = 0;
  private awaitingFinal = 0;
  private stopped = false;
  /** A checkpoint in which every subtask was finished completed: the job is ending, no more checkpoints. */
  private finalCompleted = false;
  private finalTriggered = false;
  private readonly savepointRequests: { resolve(path: string): void; reject(e: FloeError): void }[] = [];
  /** Stop with drain: the final checkpoint (every subtask finished) is taken as this savepoint. */
  private finalSavepoint: { resolve(path: string): void; reject(e: FloeError): void } | null = null;
  private readonly completedIds: number[] = [];
  /** Checkpoints past retention whose folders a retained checkpoint still references. */
  private readonly retired = new Set<number>();
  /** `references` of completed checkpoints (see CheckpointMetadata), by id. */
  private readonly references = new Map<number, readonly number[]>();
  readonly history: CheckpointStats[] = [];
  /** Store writes that outlive a checkpoint's completion (retention, history); awaited by `drain`. */
  private housekeeping: Promise<void> = Promise.resolve();
  /** Completions writing their metadata (at most one at a time in practice). */
  private readonly completions = new Set<Promise<void>>();

  constructor(
    private readonly spec: JobSpec,
    private readonly settings: CheckpointSettings,
    private readonly root: ObjectStore,
    firstId: number,
    private readonly maxParallelism: number,
    private readonly hooks: CheckpointCoordinatorHooks,
    /** Ids of complete checkpoints already in the folder (restored from), oldest first, for retention. */
    existing: readonly number[],
  ) {
    this.nextId = firstId;
    this.expectedAcks = spec.nodes.reduce((n, node) => n + node.parallelism, 0);
    // Subtasks are per chain (one awaiting-final report each), acks per operator subtask.
    this.totalSubtasks = buildJobGraph(spec).chains.reduce((n, c) => n + c.parallelism, 0);
    this.completedIds.push(...existing);
  }

  get nextCheckpointId(): number {
    return this.nextId;
  }

  /** Called once every subtask is running. */
  start(): void {
    this.schedule(this.settings.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.finalSavepoint?.reject(runtimeError('CHECKPOINT.SAVEPOINT_FAILED', 'the job stopped before the drained savepoint was taken'));
    this.finalSavepoint = null;
    for (const r of this.savepointRequests.splice(0)) r.reject(runtimeError('CHECKPOINT.SAVEPOINT_FAILED', 'the job stopped before the savepoint was taken'));
    this.pending?.savepoint?.reject(runtimeError('CHECKPOINT.SAVEPOINT_FAILED', `the job stopped before savepoint ${this.pending.id} completed`));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending !== null) clearTimeout(this.pending.timer);
    this.pending = null;
  }

  /** A subtask processed all input; once all have, the final checkpoint is triggered right away. */
  onAwaitingFinal(): void {
    this.awaitingFinal++;
    this.maybeTriggerFinal();
  }

  onAck(ack: SnapshotAck): void {
    const p = this.pending;
    if (p === null || p.id !== ack.checkpointId || this.stopped) return;
    p.acks.set(`${ack.nodeId}/${ack.subtask}`, ack);
    if (p.acks.size === this.expectedAcks && !p.completing) {
      p.completing = true;
      // Tracked so `drain` waits for it: a metadata write that lands after the job stopped would make a
      // checkpoint complete behind the back of the restart that already chose what to restore (and of the
      // lsm garbage collection, which would have deleted the files it lists as unreferenced).
      const completing = this.complete(p);
      this.completions.add(completing);
      void completing.finally(() => this.completions.delete(completing));
    }
  }

  onDecline(checkpointId: number, error: FloeError): void {
    const p = this.pending;
    if (p === null || p.id !== checkpointId) return;
    this.abort(p, `a subtask could not snapshot: ${error.message}`);
  }

  /**
   * Once every subtask processed all its input, the final checkpoint is triggered at once, one time; if it
   * does not release them all (it failed, or a subtask was not yet snapshotted as finished), the periodic
   * schedule takes the next one, so a stuck final phase can never become a tight loop of checkpoints.
   */
  private maybeTriggerFinal(): void {
    if (this.awaitingFinal < this.totalSubtasks || this.pending !== null || this.stopped || this.finalCompleted || this.finalTriggered) return;
    this.finalTriggered = true;
    this.trigger();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pending !== null) return; // the one in flight schedules the next when it ends (`ended`)
      const pause = this.lastEndedAt + this.settings.minPauseMs - Date.now();
      if (pause > 0) this.schedule(pause);
      else this.trigger();
    }, Math.max(0, delayMs));
  }

  /** A checkpoint ended (completed or aborted): the next is due `interval` after this one's trigger. */
  private ended(triggeredAt: number): void {
    this.lastEndedAt = Date.now();
    if (this.savepointRequests.length > 0) {
      queueMicrotask(() => this.trigger());
      return;
    }
    if (this.timer === null) this.schedule(triggeredAt + this.settings.intervalMs - Date.now());
  }

  /**
   * Takes a savepoint as soon as no checkpoint is in flight; resolves to its folder (a full, self-contained
   * copy of the job's state, restorable with `execution.savepoint.path`).
   */
  triggerSavepoint(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.savepointRequests.push({ resolve, reject });
      if (this.pending === null) this.trigger();
    });
  }

  /**
   * Stop with drain: resolves to the savepoint that the final checkpoint becomes once every subtask has
   * ended its input (the caller tells the sources to end it). Fails when the job already finished.
   */
  requestFinalSavepoint(): Promise<string> {
    if (this.finalCompleted || this.finalTriggered || this.finalSavepoint !== null) {
      return Promise.reject(runtimeError('CHECKPOINT.SAVEPOINT_FAILED', 'the job is already finishing (its input ended or a drain was requested)'));
    }
    return new Promise((resolve, reject) => {
      this.finalSavepoint = { resolve, reject };
    });
  }

  private trigger(): void {
    if (this.stopped || this.pending !== null) return;
    const id = this.nextId++;
    const drained = this.finalSavepoint !== null && this.awaitingFinal >= this.totalSubtasks;
    const savepoint = drained ? this.finalSavepoint : (this.savepointRequests.shift() ?? null);
    if (drained) this.finalSavepoint = null;
    const timer = setTimeout(() => {
      if (this.pending?.id === id) this.abort(this.pending, `not complete after ${this.settings.timeoutMs} ms (execution.checkpointing.timeout)`);
    }, this.settings.timeoutMs);
    this.pending = { id, savepoint, triggeredAt: Date.now(), acks: new Map(), timer, completing: false };
    this.hooks.broadcast({ t: 'trigger', checkpointId: id, savepoint: savepoint !== null });
    this.schedule(this.settings.intervalMs);
  }

  private abort(p: PendingCheckpoint, why: string): void {
    clearTimeout(p.timer);
    this.pending = null;
    this.ended(p.triggeredAt);
    this.hooks.broadcast({ t: 'abort', checkpointId: p.id });
    if (p.savepoint !== null) {
      // A failed savepoint is the caller's failure, not the job's: it does not count against tolerance.
      p.savepoint.reject(runtimeError('CHECKPOINT.SAVEPOINT_FAILED', `savepoint ${p.id} failed: ${why}`));
      this.maybeTriggerFinal();
      return;
    }
    this.failures++;
    this.hooks.warn(`checkpoint ${p.id} failed: ${why}`);
    if (this.failures > this.settings.tolerableFailures) {
      this.hooks.fail(
        runtimeError('CHECKPOINT.TOO_MANY_FAILURES', `checkpoint ${p.id} failed (${why}); ${this.failures} failed in a row, more than execution.checkpointing.tolerable-failed-checkpoints = ${this.settings.tolerableFailures}`),
      );
      return;
    }
    this.maybeTriggerFinal();
  }

  private async complete(p: PendingCheckpoint): Promise<void> {
    const store = checkpointStore(this.root, this.settings.jobFolder, p.id, p.savepoint !== null);
    const completedAt = Date.now();
    const metadata = this.metadata(p, completedAt);
    try {
      // The plan that was snapshotted travels with its state (DESIGN.md: specs are stored with every
      // checkpoint), so a restore can be checked against, or run, exactly what wrote the state.
      await store.put(JOB_SPEC_KEY, Buffer.from(JSON.stringify(this.spec)));
      if (this.stopped) return; // the job failed meanwhile: never complete a checkpoint after stop
      await store.put(METADATA_KEY, encodeMetadata(metadata));
    } catch (e) {
      if (this.pending === p) this.abort(p, `writing its metadata failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // Aborted (timeout) while the metadata was written: the folder holds a complete, consistent checkpoint
    // this coordinator does not count (not retained by it, never confirmed); a restore may still use it.
    if (this.pending !== p) return;
    clearTimeout(p.timer);
    this.pending = null;
    this.failures = 0;
    let allFinished = true;
    for (const a of p.acks.values()) allFinished &&= a.finished;
    // Stop with drain: a periodic checkpoint triggered before the sources ended can still find every
    // subtask finished. It completes as a checkpoint, but it must not release the subtasks (that would end
    // the job without its savepoint): the drained savepoint is taken next and is the final checkpoint.
    const savepointFollows = allFinished && p.savepoint === null && this.finalSavepoint !== null;
    if (savepointFollows) {
      this.lastEndedAt = Date.now();
      queueMicrotask(() => this.trigger());
    } else if (allFinished) {
      this.finalCompleted = true;
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    } else this.ended(p.triggeredAt);
    this.history.push(metadata.stats);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    // Not notified when the savepoint follows: its own notification covers this one (sinks commit everything
    // up to the id they are notified of, as when a notification is skipped for an aborted checkpoint).
    if (!savepointFollows) {
      const reports = reportsOf(p);
      this.hooks.broadcast(reports === undefined ? { t: 'complete', checkpointId: p.id } : { t: 'complete', checkpointId: p.id, reports });
    }
    if (p.savepoint !== null) p.savepoint.resolve(`${this.settings.dir.replace(/\/+$/, '')}/${under(this.settings.jobFolder, checkpointFolder(p.id, true))}`);
    else {
      this.completedIds.push(p.id);
      this.references.set(p.id, metadata.references ?? []);
    }
    const history = Buffer.from(JSON.stringify(this.history, null, 1));
    const afterRetain = p.savepoint === null ? this.hooks.afterRetain : undefined;
    this.housekeeping = this.housekeeping.then(async () => {
      await this.retain();
      if (afterRetain !== undefined) await afterRetain.call(this.hooks).catch((e: unknown) => this.hooks.warn(`lsm garbage collection failed: ${e instanceof Error ? e.message : String(e)}`));
      await this.root.put(under(this.settings.jobFolder, HISTORY_KEY), history).catch(() => undefined);
    });
    this.maybeTriggerFinal();
  }

  /** Resolves when no store write of the coordinator is in flight (the job ends only after that). */
  async drain(): Promise<void> {
    await Promise.all(this.completions);
    await this.housekeeping;
  }

  /**
   * Keeps the newest `num-retained` completed checkpoints. An older one is deleted, unless a retained one
   * lists its keyed-state files (incremental): then only its `_metadata` goes (it can no longer be restored
   * from) and its folder stays until no retained checkpoint references it. A snapshot in flight builds only
   * on the newest completed checkpoint (its completion is notified before the next trigger), which is
   * always retained, so nothing it lists is deleted under it.
   */
  private async retain(): Promise<void> {
    const { jobFolder } = this.settings;
    while (this.completedIds.length > this.settings.numRetained) this.retired.add(this.completedIds.shift()!);
    if (this.retired.size === 0) return;
    const needed = new Set<number>();
    for (const id of this.completedIds) {
      let refs = this.references.get(id);
      if (refs === undefined) {
        refs = await readCheckpointReferences(this.root, jobFolder, id); // from an earlier run of the job
        this.references.set(id, refs);
      }
      for (const r of refs) needed.add(r);
    }
    for (const id of [...this.retired]) {
      try {
        if (needed.has(id)) await retireCheckpoint(this.root, jobFolder, id);
        else {
          await deleteCheckpoint(this.root, jobFolder, id);
          this.retired.delete(id);
          this.references.delete(id);
        }
      } catch (e) {
        this.hooks.warn(`could not delete old checkpoint ${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private metadata(p: PendingCheckpoint, completedAt: number): CheckpointMetadata {
    let sizeBytes = 0;
    let fullSizeBytes = 0;
    const references = new Set<number>();
    let maxAlignmentMs = 0;
    let maxSyncMs = 0;
    const nodes: CheckpointNodeEntry[] = [];
    const perNode: { nodeId: number; name: string; bytes: number; maxAlignmentMs: number; maxAsyncMs: number }[] = [];
    for (const node of this.spec.nodes) {
      const files: StateFileRef[] = [];
      const finished: boolean[] = [];
      let keyedBytes = 0;
      let bytes = 0;
      let align = 0;
      let asyncMs = 0;
      for (let s = 0; s < node.parallelism; s++) {
        const a = p.acks.get(`${node.id}/${s}`)!;
        files.push(a.file);
        finished.push(a.finished);
        keyedBytes += a.keyedBytes;
        bytes += a.keyedBytes + a.file.size;
        fullSizeBytes += a.keyedStateBytes + a.file.size;
        for (const r of a.references) references.add(r);
        align = Math.max(align, a.alignmentMs);
        asyncMs = Math.max(asyncMs, a.asyncMs);
        maxSyncMs = Math.max(maxSyncMs, a.syncMs);
      }
      sizeBytes += bytes;
      maxAlignmentMs = Math.max(maxAlignmentMs, align);
      nodes.push({ nodeId: node.id, name: node.name, operatorType: node.operator.type, parallelism: node.parallelism, files, finished, keyedBytes });
      perNode.push({ nodeId: node.id, name: node.name, bytes, maxAlignmentMs: round(align), maxAsyncMs: round(asyncMs) });
    }
    return {
      format: CHECKPOINT_METADATA_FORMAT,
      version: CHECKPOINT_FORMAT_VERSION,
      id: p.id,
      job: this.settings.jobFolder,
      maxParallelism: this.maxParallelism,
      nodes,
      ...(references.size > 0 ? { references: [...references].sort((a, b) => a - b) } : {}),
      stats: {
        id: p.id,
        kind: p.savepoint === null ? 'checkpoint' : 'savepoint',
        triggeredAt: p.triggeredAt,
        completedAt,
        durationMs: completedAt - p.triggeredAt,
        sizeBytes,
        fullSizeBytes,
        maxAlignmentMs: round(maxAlignmentMs),
        maxSyncMs: round(maxSyncMs),
        perNode,
      },
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
