/**
 * Restoring a job from a checkpoint or savepoint: which old state goes to which new operator subtask.
 *
 * Operators are matched by node id, operator type and name (the name spells the operator's expressions,
 * so a changed query gives a different name). `checkRestoreCompatible` runs once in the coordinator before
 * any subtask starts: state of an old operator the new job does not have, or has in a different shape, is
 * an error naming the operator (unless `execution.savepoint.ignore-unclaimed-state`); a new operator
 * without old state starts empty.
 *
 * Redistribution when parallelism changes (key groups stay fixed, `pipeline.max-parallelism`):
 * - keyed state and timers: each new subtask takes the key groups it owns from every old subtask;
 * - keyed operator memory: the (key, value) pairs in its key groups;
 * - operator state entries: kept per subtask index when the parallelism is unchanged, else all entries
 *   in old-subtask order dealt round-robin.
 * A subtask is restored as finished only if every old subtask of its node had finished and the
 * parallelism is unchanged.
 */
import { userError } from '../common/index.js';
import type { JobSpec, NodeSpec } from '../spec/index.js';
import { isLsmStateSnapshot, keyGroupOf, keyGroupRangeForSubtask, KEYED_STATE_SNAPSHOT_FORMAT, restoreHeapKeyedStateBackend, SNAPSHOT_FILE_FORMAT_VERSION, STATE_VALUE_CODEC_VERSION } from '../state/index.js';
import type { KeyedStateBackend, KeyedStateSnapshot, KeyGroupRange } from '../state/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { CheckpointMetadata, OperatorSubtaskState } from './checkpoint-storage.js';
import { decodeStateFile } from './checkpoint-storage.js';
import type { TimersSnapshot } from './timer-service.js';

export interface RestoreSource {
  readonly store: ObjectStore;
  readonly metadata: CheckpointMetadata;
}

export interface NodeRestore {
  readonly keyed: KeyedStateBackend | null;
  readonly timers: TimersSnapshot[];
  readonly owns: (key: string) => boolean;
  readonly operatorState: readonly unknown[] | undefined;
  readonly keyedOperatorState: readonly (readonly [string, unknown])[] | undefined;
  readonly finished: boolean;
  /** Set (and `keyed` null) when the keyed state is an LSM snapshot: the operator context opens it. */
  readonly lsmSnapshots?: readonly KeyedStateSnapshot[] | undefined;
  /** The checkpoint folder the manifests come from (an lsm savepoint's files are in it). */
  readonly snapshotStore?: ObjectStore | undefined;
}

export function checkRestoreCompatible(spec: JobSpec, metadata: CheckpointMetadata, ignoreUnclaimed: boolean): void {
  if (metadata.maxParallelism !== readMaxParallelism(spec)) {
    throw incompatible(
      `the checkpoint was taken with pipeline.max-parallelism ${metadata.maxParallelism}, the job has ${readMaxParallelism(spec)}: keyed state cannot be redistributed`,
    );
  }
  for (const old of metadata.nodes) {
    const node = spec.nodes.find((n) => n.id === old.nodeId);
    const same = node !== undefined && node.operator.type === old.operatorType && node.name === old.name;
    if (same || ignoreUnclaimed) continue;
    const hasState = old.keyedBytes > 0 || old.files.length > 0;
    if (!hasState) continue;
    throw incompatible(
      node === undefined
        ? `the checkpoint holds state of operator '${old.name}' (node ${old.nodeId}), which the new job does not have`
        : `the checkpoint holds state of operator '${old.name}' (node ${old.nodeId}, ${old.operatorType}), but node ${old.nodeId} of the new job is '${node.name}' (${node.operator.type})`,
      "the query changed in a way that moves or changes stateful operators; start without the checkpoint, or SET 'execution.savepoint.ignore-unclaimed-state' = 'true' to drop that state",
    );
  }
}

function readMaxParallelism(spec: JobSpec): number {
  const text = spec.config['pipeline.max-parallelism'];
  return text === undefined ? 128 : Number(text);
}

/** The old state for subtask `subtask` of `node` at `parallelism`; null when the checkpoint has none. */
export async function loadNodeRestore(
  source: RestoreSource,
  node: NodeSpec,
  subtask: number,
  parallelism: number,
  maxParallelism: number,
  range: KeyGroupRange,
): Promise<NodeRestore | null> {
  const entry = source.metadata.nodes.find((n) => n.nodeId === node.id && n.operatorType === node.operator.type && n.name === node.name);
  if (entry === undefined) return null;
  const states: OperatorSubtaskState[] = [];
  for (let s = 0; s < entry.files.length; s++) {
    const ref = entry.files[s]!;
    states.push(decodeStateFile(await source.store.get(ref.key), `${source.store.uri}/${ref.key}`, ref));
  }
  const owns = (key: string): boolean => {
    const g = keyGroupOf(key, maxParallelism);
    return g >= range.start && g <= range.end;
  };
  const finished = entry.parallelism === parallelism && states.every((st) => st.finished);
  let keyed: KeyedStateBackend | null = null;
  let lsmSnapshots: KeyedStateSnapshot[] | undefined;
  const manifests = states.filter((st) => st.keyed !== null).map((st) => st.keyed!);
  if (!finished && manifests.length > 0) {
    // Subtasks that never created state left no manifest; stand in empty ones so the ranges cover.
    const all: KeyedStateSnapshot[] = states.map((st, i) => st.keyed ?? emptyManifest(maxParallelism, i, entry.parallelism));
    // The manifest format, not the job's current state.backend.type, decides the backend that reads it.
    if (manifests.some((m) => isLsmStateSnapshot(m))) lsmSnapshots = all;
    else keyed = await restoreHeapKeyedStateBackend(source.store, all, { maxParallelism, keyGroupRange: range });
  }
  const timers = finished ? [] : states.filter((st) => st.timers !== null).map((st) => st.timers!);
  const keyedOperatorState = finished ? undefined : states.flatMap((st) => (st.keyedOperatorState ?? []).filter(([k]) => owns(k)));
  let operatorState: unknown[];
  if (entry.parallelism === parallelism) operatorState = [...(states[subtask]?.operatorState ?? [])];
  else {
    const flat = states.flatMap((st) => st.operatorState ?? []);
    operatorState = flat.filter((_e, i) => i % parallelism === subtask);
  }
  return { keyed, timers, owns, operatorState, keyedOperatorState, finished, lsmSnapshots, snapshotStore: source.store };
}

function emptyManifest(maxParallelism: number, subtask: number, parallelism: number): KeyedStateSnapshot {
  const r = keyGroupRangeForSubtask(maxParallelism, parallelism, subtask);
  return {
    format: KEYED_STATE_SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FILE_FORMAT_VERSION,
    valueCodecVersion: STATE_VALUE_CODEC_VERSION,
    maxParallelism,
    keyGroupRange: { start: r.start, end: r.end },
    takenAtMs: 0,
    states: [],
    files: [],
    totalBytes: 0,
  };
}

function incompatible(message: string, help?: string) {
  return userError('CHECKPOINT.INCOMPATIBLE', message, help === undefined ? undefined : { help });
}
