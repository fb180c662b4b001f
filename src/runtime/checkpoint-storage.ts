/**
 * How checkpoints are laid out in the object store, written and found again.
 *
 * Layout under `execution.checkpointing.dir`:
 *
 *     <job>/chk-<id>/_metadata                  written last: its presence (and checksum) makes chk-<id> complete
 *     <job>/chk-<id>/job-spec.json              the job spec (plan) whose state this is
 *     <job>/chk-<id>/node-<n>-<s>.state         one per operator subtask (node n, subtask s)
 *     <job>/chk-<id>/node-<n>-<s>/…             that subtask's keyed-state files (heap snapshot format)
 *     <job>/savepoint-<id>/…                    a savepoint: the same, always self-contained
 *     <job>/checkpoints.json                    history of completed checkpoints with their statistics
 *
 * Every key inside a checkpoint is relative to its `chk-<id>` folder (it is written through a prefixed view
 * of the store). A savepoint or a full checkpoint is self-contained: it can be copied and restored anywhere.
 * An incremental checkpoint (`execution.checkpointing.incremental`) also lists keyed-state files of earlier
 * checkpoints as `../chk-<id>/…`; its metadata names those checkpoints (`references`), and retention keeps
 * a checkpoint's folder (without its `_metadata`, so it is never restored from) while a retained one
 * references it.
 *
 * Integrity: a `.state` file is a V8 structured-clone serialisation followed by its CRC-32 (4 bytes, little
 * endian); `_metadata` is JSON followed by a `#crc32=` line. Keyed-state files carry their own CRC. A
 * checkpoint whose metadata is missing, unreadable or fails its checksum, or whose state files are missing,
 * have the wrong size or fail their checksum, is skipped by `findLatestCheckpoint` with a warning naming the reason, and the
 * previous complete one is used.
 */
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import { userError } from '../common/index.js';
import { createObjectStore, prefixedObjectStore, type ObjectStore } from '../storage/index.js';
import type { KeyedStateSnapshot } from '../state/index.js';
import type { TimersSnapshot } from './timer-service.js';

export const CHECKPOINT_METADATA_FORMAT = 'floe.checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
const STATE_FILE_FORMAT = 'floe.operator-state';
export const METADATA_KEY = '_metadata';
/** The job spec that wrote the checkpoint (JSON), beside its metadata. */
export const JOB_SPEC_KEY = 'job-spec.json';

/** What one operator subtask contributes to a checkpoint. */
export interface OperatorSubtaskState {
  readonly format: typeof STATE_FILE_FORMAT;
  readonly checkpointId: number;
  readonly nodeId: number;
  readonly subtask: number;
  /** The subtask had processed all its input (its operators finished) when it was snapshotted. */
  readonly finished: boolean;
  readonly keyed: KeyedStateSnapshot | null;
  readonly timers: TimersSnapshot | null;
  readonly operatorState: readonly unknown[] | null;
  /** Keyed operator memory as (state key, value) pairs, redistributed by key group on restore. */
  readonly keyedOperatorState: readonly (readonly [string, unknown])[] | null;
}

export interface StateFileRef {
  readonly key: string;
  readonly size: number;
  readonly crc32: number;
}

export interface CheckpointNodeEntry {
  readonly nodeId: number;
  readonly name: string;
  readonly operatorType: string;
  readonly parallelism: number;
  /** Indexed by subtask. */
  readonly files: readonly StateFileRef[];
  readonly finished: readonly boolean[];
  /** Keyed-state bytes of this node (all subtasks). */
  readonly keyedBytes: number;
}

export interface CheckpointStats {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly triggeredAt: number;
  readonly completedAt: number;
  readonly durationMs: number;
  /** Bytes written for this checkpoint (state files + keyed state). */
  readonly sizeBytes: number;
  /** Bytes a restore reads: `sizeBytes` plus the keyed-state files shared with earlier checkpoints. */
  readonly fullSizeBytes: number;
  /** Longest barrier alignment of any subtask. */
  readonly maxAlignmentMs: number;
  /** Longest synchronous part of a subtask snapshot (processing paused). */
  readonly maxSyncMs: number;
  readonly perNode: readonly { readonly nodeId: number; readonly name: string; readonly bytes: number; readonly maxAlignmentMs: number; readonly maxAsyncMs: number }[];
}

export interface CheckpointMetadata {
  readonly format: typeof CHECKPOINT_METADATA_FORMAT;
  readonly version: number;
  readonly id: number;
  readonly job: string;
  readonly maxParallelism: number;
  readonly nodes: readonly CheckpointNodeEntry[];
  readonly stats: CheckpointStats;
  /** Checkpoints whose folders hold keyed-state files this one lists (incremental); absent = none. */
  readonly references?: readonly number[];
}

/** Where checkpoints of one job live: the store at `execution.checkpointing.dir` and the job's folder. */
export interface CheckpointLocation {
  readonly dir: string;
  readonly jobFolder: string;
}

/** `chk-<id>` for checkpoints; savepoints (self-contained, never removed by retention) are `savepoint-<id>`. */
export function checkpointFolder(id: number, savepoint = false): string {
  return savepoint ? `savepoint-${id}` : `chk-${id}`;
}

export function openStore(dir: string): ObjectStore {
  return createObjectStore(dir);
}

/** The store view of one checkpoint folder (`<job>/chk-<id>`). */
export function checkpointStore(root: ObjectStore, jobFolder: string, id: number, savepoint = false): ObjectStore {
  return prefixedObjectStore(root, under(jobFolder, checkpointFolder(id, savepoint)));
}

/** `folder/key`, or `key` for the root folder ''. */
export function under(folder: string, key: string): string {
  return folder === '' ? key : `${folder}/${key}`;
}

/** The checkpoints whose folders a keyed-state manifest reaches into (`../chk-<id>/…` keys), ascending. */
export function referencedCheckpoints(keyed: KeyedStateSnapshot): number[] {
  const ids = new Set<number>();
  for (const f of keyed.files) {
    const m = /^\.\.\/chk-(\d+)\//.exec(f.key);
    if (m !== null) ids.add(Number(m[1]));
  }
  return [...ids].sort((a, b) => a - b);
}

export function stateFileKey(nodeId: number, subtask: number): string {
  return `node-${nodeId}-${subtask}.state`;
}

export function keyedStatePrefix(nodeId: number, subtask: number): string {
  return `node-${nodeId}-${subtask}`;
}

export function encodeStateFile(state: OperatorSubtaskState): Uint8Array {
  const body = serialize(state);
  const out = new Uint8Array(body.length + 4);
  out.set(body, 0);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

export function decodeStateFile(bytes: Uint8Array, where: string, expected?: StateFileRef): OperatorSubtaskState {
  if (bytes.length < 4) throw corrupt(where, 'the file is truncated');
  if (expected !== undefined && bytes.length !== expected.size) throw corrupt(where, `expected ${expected.size} bytes, found ${bytes.length}`);
  const n = bytes.length - 4;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(n, true);
  const actual = crc32(bytes.subarray(0, n));
  if (stored !== actual) throw corrupt(where, `checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
  let state: OperatorSubtaskState;
  try {
    state = deserialize(bytes.subarray(0, n)) as OperatorSubtaskState;
  } catch (e) {
    throw corrupt(where, `cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (state?.format !== STATE_FILE_FORMAT) throw corrupt(where, 'not an operator state file');
  return state;
}

export function encodeMetadata(meta: CheckpointMetadata): Uint8Array {
  const body = JSON.stringify(meta, null, 1);
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.from(`${body}\n#crc32=${hex(crc32(bytes))}\n`, 'utf8');
}

export function decodeMetadata(bytes: Uint8Array, where: string): CheckpointMetadata {
  const text = Buffer.from(bytes).toString('utf8');
  const m = /\n#crc32=([0-9a-f]{8})\n$/.exec(text);
  if (m === null) throw corrupt(where, 'the metadata has no checksum line (incomplete write?)');
  const body = text.slice(0, m.index);
  const actual = hex(crc32(Buffer.from(body, 'utf8')));
  if (actual !== m[1]) throw corrupt(where, `metadata checksum mismatch (stored ${m[1]}, computed ${actual})`);
  const meta = JSON.parse(body) as CheckpointMetadata;
  if (meta.format !== CHECKPOINT_METADATA_FORMAT) throw corrupt(where, 'not a Floe checkpoint');
  if (meta.version !== CHECKPOINT_FORMAT_VERSION) {
    throw userError('CHECKPOINT.VERSION', `${where}: checkpoint format version ${meta.version}; this Floe reads ${CHECKPOINT_FORMAT_VERSION}`);
  }
  return meta;
}

/** Reads and verifies one checkpoint folder: metadata checksum, and every state file present with its size. */
export async function readCheckpoint(store: ObjectStore): Promise<CheckpointMetadata> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(METADATA_KEY);
  } catch {
    throw corrupt(store.uri, 'no _metadata (the checkpoint did not complete)');
  }
  const meta = decodeMetadata(bytes, store.uri);
  const present = new Map((await store.list('')).map((o) => [o.key, o.size]));
  for (const node of meta.nodes) {
    for (const f of node.files) {
      const size = present.get(f.key);
      if (size === undefined) throw corrupt(store.uri, `state file ${f.key} of '${node.name}' is missing`);
      if (size !== f.size) throw corrupt(store.uri, `state file ${f.key} of '${node.name}' has ${size} bytes, expected ${f.size}`);
      // State files are small (keyed state lives in its own files, checked on restore): verify them now.
      decodeStateFile(await store.get(f.key), `${store.uri}/${f.key}`, f);
    }
  }
  return meta;
}

/** Checkpoint ids present under a job folder (complete or not), descending. */
export async function listCheckpointIds(root: ObjectStore, jobFolder: string): Promise<number[]> {
  const ids = new Set<number>();
  const base = under(jobFolder, '');
  for (const o of await root.list(base + 'chk-')) {
    const m = /^chk-(\d+)\//.exec(o.key.slice(base.length));
    if (m !== null) ids.add(Number(m[1]));
  }
  return [...ids].sort((a, b) => b - a);
}

export interface FoundCheckpoint {
  readonly id: number;
  /** The store URI and the checkpoint folder's key prefix in it (what worker threads reopen). */
  readonly dir: string;
  readonly prefix: string;
  readonly store: ObjectStore;
  readonly metadata: CheckpointMetadata;
}

/**
 * The newest complete and intact checkpoint of a job, or null. Broken ones (a crash during the snapshot,
 * a corrupted or truncated file) are reported through `warn` and skipped.
 */
export async function findLatestCheckpoint(dir: string, jobFolder: string, warn: (message: string) => void): Promise<FoundCheckpoint | null> {
  const root = openStore(dir);
  for (const id of await listCheckpointIds(root, jobFolder)) {
    const store = checkpointStore(root, jobFolder, id);
    try {
      return { id, dir, prefix: under(jobFolder, checkpointFolder(id)), store, metadata: await readCheckpoint(store) };
    } catch (e) {
      warn(`skipping checkpoint ${id} of job '${jobFolder}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return null;
}

/**
 * Opens `execution.savepoint.path`: a checkpoint or savepoint folder (holding `_metadata`), or a job folder
 * (its latest complete checkpoint).
 */
export async function openRestorePath(path: string, warn: (message: string) => void): Promise<FoundCheckpoint> {
  // A folder is opened as a view of its parent, so an incremental checkpoint's `../chk-<id>/…` keys resolve.
  const split = parentAndName(path);
  const store = split === null ? createObjectStore(path) : prefixedObjectStore(createObjectStore(split.parent), split.name);
  if (await store.exists(METADATA_KEY)) {
    const metadata = await readCheckpoint(store);
    return split === null ? { id: metadata.id, dir: path, prefix: '', store, metadata } : { id: metadata.id, dir: split.parent, prefix: split.name, store, metadata };
  }
  const found = await findLatestCheckpoint(path, '', warn).catch(() => null);
  if (found !== null) return found;
  throw userError('CHECKPOINT.NOT_FOUND', `no complete checkpoint or savepoint at '${path}'`, {
    help: 'give a chk-<id> or savepoint folder (it holds a _metadata file), or the job folder under execution.checkpointing.dir',
  });
}

/** `s3://b/job/chk-5` → `s3://b/job` and `chk-5`; null when the path has no parent folder to open. */
function parentAndName(path: string): { parent: string; name: string } | null {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  if (i <= 0) return null;
  const parent = trimmed.slice(0, i);
  if (parent.endsWith(':') || parent.endsWith(':/')) return null; // the root of a bucket or scheme
  return { parent, name: trimmed.slice(i + 1) };
}

/** Removes every object of checkpoint `id` (retention). */
export async function deleteCheckpoint(root: ObjectStore, jobFolder: string, id: number): Promise<void> {
  const store = checkpointStore(root, jobFolder, id);
  // Metadata first: a half-deleted checkpoint must never look complete.
  await store.delete(METADATA_KEY);
  for (const o of await store.list('')) await store.delete(o.key);
}

/** Makes checkpoint `id` unrestorable (drops its `_metadata`) while keeping its files for those sharing them. */
export async function retireCheckpoint(root: ObjectStore, jobFolder: string, id: number): Promise<void> {
  await checkpointStore(root, jobFolder, id).delete(METADATA_KEY);
}

/** The `references` of checkpoint `id`'s metadata; none when it has no readable metadata. */
export async function readCheckpointReferences(root: ObjectStore, jobFolder: string, id: number): Promise<readonly number[]> {
  const store = checkpointStore(root, jobFolder, id);
  try {
    return decodeMetadata(await store.get(METADATA_KEY), store.uri).references ?? [];
  } catch {
    return [];
  }
}

function corrupt(where: string, why: string) {
  return userError('CHECKPOINT.CORRUPT', `checkpoint ${where}: ${why}`);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
