/**
 * Paimon tags: a named, long-lived copy of one snapshot, kept at `<table>/tag/tag-<name>` (a branch keeps
 * its own under `branch/branch-<b>/tag/`). The file holds the snapshot's JSON; a tag created with a
 * retention time also holds `tagCreateTime` (a Jackson `LocalDateTime` array
 * `[y, m, d, h, min, s?, nanos?]`, in the writer's local time) and `tagTimeRetained` (seconds, Jackson's
 * `Duration` form `86400.000000000`), as Paimon's `Tag` class writes them. Without a retention time the
 * file is the snapshot's JSON unchanged, which Paimon does so that readers up to 0.7 can read it.
 *
 * A tag pins its snapshot's files: expiration (`snapshot-expire.ts`), rollback and orphan removal keep
 * everything a tag names, so a tag stays readable after its snapshot file is gone.
 *
 * Tag names: not blank, not only digits (Paimon refuses those: `scan.version` reads a number as a
 * snapshot id), and no '/' (the name is part of a file name).
 */
import { ioError, userError, type FloeError } from '../common/index.js';
import { parseMetadataJson } from './metadata-json.js';
import { branchRoot, joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';
import { parseSnapshot, type Snapshot } from './snapshot.js';
import { filesOfSnapshots } from './snapshot-files.js';

export const TAG_PREFIX = 'tag-';

export interface TableTag {
  readonly name: string;
  /** The tagged snapshot (the tag file parsed as a snapshot). */
  readonly snapshot: Snapshot;
  /** `tagCreateTime` as wall-clock epoch milliseconds (Floe's TIMESTAMP value); undefined when absent. */
  readonly createTime: number | undefined;
  /** `tagTimeRetained` in milliseconds; undefined when absent. */
  readonly timeRetainedMs: number | undefined;
}

export interface CreateTagOptions {
  /** The snapshot to tag (default: the latest). */
  readonly snapshotId?: number;
  /** Retention of the tag (written as `tagTimeRetained`, with `tagCreateTime`). */
  readonly timeRetainedMs?: number;
  /** The clock, for `tagCreateTime` (default `Date.now()`); its local-time fields are written. */
  readonly now?: number;
}

export interface DeleteTagResult {
  /** Files deleted because no snapshot or other tag named them (the tag's snapshot had expired). */
  readonly deletedFiles: number;
}

function tagDir(table: PaimonTable): string {
  return joinKey(branchRoot(table.tablePath, table.branch), 'tag');
}

/** The key of tag `name`'s file. */
export function tagKey(table: PaimonTable, name: string): string {
  return joinKey(tagDir(table), TAG_PREFIX + name);
}

function checkTagName(table: PaimonTable, name: string): void {
  if (name.trim() === '') throw userError('LAKE.INVALID_TAG_NAME', `table '${table.tablePath}': a tag name must not be blank`);
  if (/^\d+$/.test(name)) {
    throw userError('LAKE.INVALID_TAG_NAME', `table '${table.tablePath}': tag name '${name}' must not be a number (it would read as a snapshot id)`);
  }
  if (name.includes('/') || name.includes('\\')) throw userError('LAKE.INVALID_TAG_NAME', `table '${table.tablePath}': tag name '${name}' must not contain '/' or '\\'`);
}

function notFound(e: unknown): boolean {
  return (e as FloeError | null)?.code === 'IO.NOT_FOUND';
}

/** Jackson's `LocalDateTime` array → wall-clock epoch milliseconds. */
function localDateTimeMillis(v: unknown): number | undefined {
  if (!Array.isArray(v) || v.length < 5 || !v.every((x) => typeof x === 'number')) return undefined;
  const [y, mo, d, h, mi, s = 0, nanos = 0] = v as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s, Math.floor(nanos / 1e6));
}

/** Parses a tag file's text. */
export function parseTag(name: string, text: string, file: string): TableTag {
  const snapshot = parseSnapshot(text, file);
  const obj = parseMetadataJson(text, file);
  const retained = obj['tagTimeRetained'];
  const retainedSeconds = typeof retained === 'number' ? retained : typeof retained === 'string' ? Number(retained) : undefined;
  return {
    name,
    snapshot,
    createTime: localDateTimeMillis(obj['tagCreateTime']),
    timeRetainedMs: retainedSeconds === undefined || !Number.isFinite(retainedSeconds) ? undefined : Math.round(retainedSeconds * 1000),
  };
}

/** Whether tag `name` exists. */
export function tagExists(table: PaimonTable, name: string): Promise<boolean> {
  return table.store.exists(tagKey(table, name));
}

/** Tag `name`; `LAKE.TAG_NOT_FOUND` when there is none. */
export async function readTag(table: PaimonTable, name: string): Promise<TableTag> {
  const key = tagKey(table, name);
  let bytes: Uint8Array;
  try {
    bytes = await table.store.get(key);
  } catch (e) {
    if (notFound(e)) throw userError('LAKE.TAG_NOT_FOUND', `table '${table.tablePath}' has no tag '${name}'`, { cause: e });
    throw e;
  }
  return parseTag(name, new TextDecoder().decode(bytes), key);
}

/** The text of tag `name`'s file; `LAKE.TAG_NOT_FOUND` when there is none. */
export async function readTagText(table: PaimonTable, name: string): Promise<string> {
  try {
    return new TextDecoder().decode(await table.store.get(tagKey(table, name)));
  } catch (e) {
    if (notFound(e)) throw userError('LAKE.TAG_NOT_FOUND', `table '${table.tablePath}' has no tag '${name}'`, { cause: e });
    throw e;
  }
}

/** Every tag of the table, by name. A tag file that vanishes while listing (a concurrent delete) is skipped. */
export async function listTags(table: PaimonTable): Promise<TableTag[]> {
  const prefix = joinKey(tagDir(table), TAG_PREFIX);
  const out: TableTag[] = [];
  for (const o of await table.store.list(prefix)) {
    const name = o.key.slice(prefix.length);
    if (name === '' || name.includes('/')) continue;
    let text: string;
    try {
      text = new TextDecoder().decode(await table.store.get(o.key));
    } catch (e) {
      if (notFound(e)) continue;
      throw e;
    }
    out.push(parseTag(name, text, o.key));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Jackson's `Duration` with nanoseconds: seconds with nine decimals. */
function durationSecondsText(ms: number): string {
  const negative = ms < 0;
  const abs = Math.abs(Math.round(ms));
  const seconds = Math.floor(abs / 1000);
  const nanos = (abs % 1000) * 1_000_000;
  return `${negative ? '-' : ''}${seconds}.${String(nanos).padStart(9, '0')}`;
}

/** Jackson's `LocalDateTime` array of the local time at `now` (seconds and nanos omitted when zero, as Jackson does). */
function localDateTimeArray(now: number): string {
  const d = new Date(now);
  const parts = [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  const s = d.getSeconds(), nanos = d.getMilliseconds() * 1_000_000;
  if (s !== 0 || nanos !== 0) parts.push(s);
  if (nanos !== 0) parts.push(nanos);
  return `[ ${parts.join(', ')} ]`;
}

/**
 * Adds the tag fields to a snapshot's JSON text. The text is edited rather than re-printed because
 * snapshot JSON holds 64-bit integers (`commitIdentifier`) that a JS number would round.
 */
function withTagFields(snapshotText: string, createTimeArray: string, retainedSeconds: string, file: string): string {
  const end = snapshotText.lastIndexOf('}');
  if (end < 0) throw ioError('LAKE.CORRUPT_FILE', `snapshot file '${file}' does not hold a JSON object`);
  const body = snapshotText.slice(0, end).replace(/\s+$/, '');
  return `${body},\n  "tagCreateTime" : ${createTimeArray},\n  "tagTimeRetained" : ${retainedSeconds}\n}`;
}

/** A tag file's text without the tag fields: the snapshot file it was made from (for rollback). */
export function tagTextAsSnapshot(tagText: string): string {
  return tagText.replace(/,\s*"tagCreateTime"\s*:\s*(\[[^\]]*\]|null)/, '').replace(/,\s*"tagTimeRetained"\s*:\s*(-?[\d.eE+-]+|null)/, '');
}

/**
 * Creates tag `name` of a snapshot (default the latest). Refuses an existing name
 * (`LAKE.TAG_EXISTS`), a missing snapshot (`LAKE.SNAPSHOT_NOT_FOUND`) and a table without snapshots
 * (`LAKE.NO_SNAPSHOT`). The file is created only if absent, so two concurrent creators cannot both win.
 */
export async function createTag(table: PaimonTable, name: string, options: CreateTagOptions = {}): Promise<TableTag> {
  checkTagName(table, name);
  if (await tagExists(table, name)) throw userError('LAKE.TAG_EXISTS', `table '${table.tablePath}' already has a tag '${name}'`);
  let id = options.snapshotId;
  if (id === undefined) {
    id = await table.latestSnapshotId();
    if (id === undefined) throw userError('LAKE.NO_SNAPSHOT', `table '${table.tablePath}' has no snapshot to tag`);
  }
  const snapshotKey = joinKey(branchRoot(table.tablePath, table.branch), 'snapshot', `snapshot-${id}`);
  let snapshotText: string;
  try {
    snapshotText = new TextDecoder().decode(await table.store.get(snapshotKey));
  } catch (e) {
    if (notFound(e)) throw userError('LAKE.SNAPSHOT_NOT_FOUND', `table '${table.tablePath}' has no snapshot ${id} to tag`, { cause: e });
    throw e;
  }
  let text = snapshotText;
  if (options.timeRetainedMs !== undefined) {
    if (!(options.timeRetainedMs > 0)) throw userError('LAKE.INVALID_TAG_RETENTION', `table '${table.tablePath}': a tag's retention time must be positive`);
    text = withTagFields(snapshotText, localDateTimeArray(options.now ?? Date.now()), durationSecondsText(options.timeRetainedMs), snapshotKey);
  }
  const key = tagKey(table, name);
  const tag = parseTag(name, text, key);
  if (!(await table.store.putIfAbsent(key, new TextEncoder().encode(text)))) {
    throw userError('LAKE.TAG_EXISTS', `table '${table.tablePath}' already has a tag '${name}'`);
  }
  return tag;
}

/**
 * Deletes tag `name` (`LAKE.TAG_NOT_FOUND` when there is none). When its snapshot has expired, the files
 * only the tag kept alive — named by it and by no snapshot or other tag — are deleted too, after the tag
 * file (a crash in between leaves garbage, never a tag without its files).
 */
export async function deleteTag(table: PaimonTable, name: string): Promise<DeleteTagResult> {
  const tag = await readTag(table, name);
  const key = tagKey(table, name);
  if (await table.snapshotExists(tag.snapshot.id)) {
    await table.store.delete(key);
    return { deletedFiles: 0 };
  }
  const others = (await listTags(table)).filter((t) => t.name !== name);
  const snapshots = await table.snapshots();
  const keep = await filesOfSnapshots(table, [...snapshots, ...others.map((t) => t.snapshot)], 'live');
  const candidates = await filesOfSnapshots(table, [tag.snapshot], 'all');
  await table.store.delete(key);
  let deleted = 0;
  for (const k of candidates) {
    if (keep.has(k)) continue;
    await table.store.delete(k);
    deleted++;
  }
  return { deletedFiles: deleted };
}

