/**
 * Garbage collection of orphaned lsm SST files: files under `<primary-dir>/<job>/lsm/` that no retained
 * checkpoint of the job references.
 *
 * The lsm backends delete the files they wrote once nothing references them (lsm-snapshot.ts), but two
 * kinds of files escape that: files of an attempt that died (a killed process, a failed attempt whose
 * workers were terminated) and files a backend restored from ("inherited" files, which it never deletes:
 * other subtasks and older checkpoints may share them). This collector removes both:
 *
 * 1. At attempt start (`collectUnreferenced`, before any subtask of the attempt exists): every `.sst`
 *    file under the job's lsm folder that no complete checkpoint in the job's checkpoint folder lists is
 *    deleted. No backend of this attempt runs yet, so no live state can use such a file; the checkpoint
 *    the attempt restores from is complete and in the folder, so everything the attempt will read is kept.
 *    The files that remain are remembered as this attempt's inherited files. The same collection runs
 *    when the job has ended (every backend disposed): it removes what the backends keep for snapshots
 *    beyond the checkpoint retention and deletions a backend left unfinished.
 *
 * 2. After each completed checkpoint's retention (`collectAfterCheckpoint`): an inherited file that no
 *    retained complete checkpoint lists any more is deleted.
 *
 *    Invariant (why this never deletes a file live state uses): let C be the newest completed checkpoint,
 *    taken by this attempt. A backend's version (the runs it reads) changes only by adding files it
 *    creates (flushes, compaction outputs) and by removing runs (compaction); the restored runs are
 *    installed once, before the attempt's first checkpoint. So at any moment after its snapshot for C,
 *    a backend's version is a subset of (its version at the snapshot, which C lists) ∪ (files created
 *    after the snapshot). Inherited files existed before the attempt started, so they are never in the
 *    second set: an inherited file in any live version, in-flight read or running compaction (whose
 *    inputs stay in the version until it swaps its output in) is listed by C. C is the newest, hence
 *    retained, and retention runs in the same serial housekeeping chain as this collection, so C is in
 *    the folder while the references are read. Files created by this attempt are never touched here:
 *    the backends own them (and the next attempt's start collects them if the process dies).
 *
 * Reading references is conservative: a checkpoint whose `_metadata` or state files cannot be read
 * (a transient store error, corruption) makes the collection skip its deletions with a warning, since the
 * set of referenced files is then unknown. Checkpoint folders without `_metadata` (incomplete: they can
 * never be restored from) reference nothing. Savepoints copy their files and reference nothing here.
 */
import { isLsmStateSnapshot, lsmPrimaryStore } from '../state/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { CheckpointSettings } from './checkpoint-config.js';
import { checkpointStore, decodeMetadata, decodeStateFile, listCheckpointIds, METADATA_KEY } from './checkpoint-storage.js';

type Config = Readonly<Record<string, string>>;

/** What one collection did (tests, logs). */
export interface LsmGarbageReport {
  /** SST files listed under the job's lsm folder. */
  readonly listed: number;
  /** Files referenced by the retained checkpoints (of those listed). */
  readonly referenced: number;
  readonly deleted: number;
  /** The collection was skipped (references could not be read): nothing was deleted. */
  readonly skipped: boolean;
}

const NO_REPORT: LsmGarbageReport = { listed: 0, referenced: 0, deleted: 0, skipped: false };

export class LsmGarbageCollector {
  /** Files that existed when the current attempt started and were referenced then (inherited files). */
  private inherited = new Set<string>();
  /** Referenced keys per checkpoint id (a complete checkpoint never changes). */
  private readonly refsById = new Map<number, ReadonlySet<string>>();

  private constructor(
    private readonly checkpointRoot: ObjectStore,
    private readonly settings: CheckpointSettings,
    private readonly primary: ObjectStore,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * A collector for a job that checkpoints with the lsm backend (`state.backend.type = lsm`), or null
   * when there is nothing to collect (no checkpointing, another backend).
   */
  static forJob(config: Config, settings: CheckpointSettings | null, checkpointRoot: ObjectStore | null, warn: (message: string) => void): LsmGarbageCollector | null {
    if (settings === null || checkpointRoot === null) return null;
    if ((config['state.backend.type'] ?? 'heap').trim().toLowerCase() !== 'lsm') return null;
    const primary = lsmPrimaryStore(config, settings.dir);
    return primary === null ? null : new LsmGarbageCollector(checkpointRoot, settings, primary, warn);
  }

  /** The folder (key prefix) of the job's SST files in the primary store. */
  get prefix(): string {
    return `${this.settings.jobFolder}/lsm/`;
  }

  /**
   * Deletes every SST file of the job that no complete checkpoint references. Must run only while no
   * backend of the job is alive: before any subtask of an attempt starts, or after the job ended (see the
   * module comment); the files kept become the next attempt's inherited files.
   */
  async collectUnreferenced(): Promise<LsmGarbageReport> {
    this.inherited = new Set();
    const listed = await this.listFiles();
    if (listed === null) return { ...NO_REPORT, skipped: true };
    const refs = await this.references();
    if (refs === null) return { ...NO_REPORT, listed: listed.length, skipped: true };
    let deleted = 0;
    for (const key of listed) {
      if (refs.has(key)) this.inherited.add(key);
      else if (await this.delete(key)) deleted++;
    }
    return { listed: listed.length, referenced: this.inherited.size, deleted, skipped: false };
  }

  /**
   * After a checkpoint of this attempt completed and retention removed older ones: deletes the inherited
   * files no retained checkpoint references any more. Only inherited files are candidates (files this
   * attempt created belong to its live backends).
   */
  async collectAfterCheckpoint(): Promise<LsmGarbageReport> {
    if (this.inherited.size === 0) return NO_REPORT;
    const refs = await this.references();
    if (refs === null) return { ...NO_REPORT, skipped: true };
    let deleted = 0;
    let referenced = 0;
    for (const key of [...this.inherited]) {
      if (refs.has(key)) {
        referenced++;
        continue;
      }
      if (await this.delete(key)) {
        deleted++;
        this.inherited.delete(key);
      }
    }
    return { listed: referenced + deleted, referenced, deleted, skipped: false };
  }

  /** Inherited files still kept (tests). */
  get inheritedFiles(): ReadonlySet<string> {
    return this.inherited;
  }

  private async listFiles(): Promise<string[] | null> {
    try {
      // Only SST files: they are the only objects the backends write under the folder.
      return (await this.primary.list(this.prefix)).map((o) => o.key).filter((k) => k.endsWith('.sst'));
    } catch (e) {
      this.warn(`lsm garbage collection skipped: cannot list ${this.primary.uri}/${this.prefix}: ${message(e)}`);
      return null;
    }
  }

  /**
   * Keys (in the primary store) of the SST files every complete checkpoint in the job's folder lists,
   * or null when one of them cannot be read.
   */
  private async references(): Promise<Set<string> | null> {
    const { jobFolder } = this.settings;
    const all = new Set<string>();
    let ids: number[];
    try {
      ids = await listCheckpointIds(this.checkpointRoot, jobFolder);
    } catch (e) {
      this.warn(`lsm garbage collection skipped: cannot list the checkpoints of '${jobFolder}': ${message(e)}`);
      return null;
    }
    const present = new Set(ids);
    for (const id of [...this.refsById.keys()]) if (!present.has(id)) this.refsById.delete(id);
    for (const id of ids) {
      let refs = this.refsById.get(id);
      if (refs === undefined) {
        const read = await this.readCheckpointRefs(id);
        if (read === null) return null;
        refs = read.refs;
        // An incomplete checkpoint may still complete (a checkpoint in flight): never cache its emptiness.
        if (read.complete) this.refsById.set(id, refs);
      }
      for (const k of refs) all.add(k);
    }
    return all;
  }

  /** The primary-store keys checkpoint `id` lists (none when it is incomplete), or null when unreadable. */
  private async readCheckpointRefs(id: number): Promise<{ refs: Set<string>; complete: boolean } | null> {
    const store = checkpointStore(this.checkpointRoot, this.settings.jobFolder, id);
    const refs = new Set<string>();
    try {
      let bytes: Uint8Array;
      try {
        bytes = await store.get(METADATA_KEY);
      } catch (e) {
        if (await store.exists(METADATA_KEY)) throw e;
        return { refs, complete: false }; // never completed: it can never be restored from
      }
      const meta = decodeMetadata(bytes, store.uri);
      for (const node of meta.nodes) {
        for (const f of node.files) {
          const state = decodeStateFile(await store.get(f.key), `${store.uri}/${f.key}`, f);
          // The keyed manifest is typed as the heap format; an lsm one is told apart by its `format`.
          const keyed: unknown = state.keyed;
          if (!isLsmStateSnapshot(keyed)) continue;
          for (const file of keyed.files) if (file.store === this.primary.uri) refs.add(file.key);
        }
      }
      return { refs, complete: true };
    } catch (e) {
      this.warn(`lsm garbage collection skipped: cannot read the SST references of checkpoint ${id} (${store.uri}): ${message(e)}`);
      return null;
    }
  }

  private async delete(key: string): Promise<boolean> {
    try {
      await this.primary.delete(key);
      return true;
    } catch (e) {
      // Garbage left behind is retried at the next collection; it is never wrong state.
      this.warn(`lsm garbage collection could not delete ${this.primary.uri}/${key}: ${message(e)}`);
      return false;
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
