/**
 * Paimon consumers: named reading positions of a table, kept at `<table>/consumer/consumer-<id>` (a
 * branch keeps its own under `branch/branch-<b>/consumer/`). The file is Paimon's `Consumer` JSON,
 * `{"nextSnapshot":N}`: the first snapshot whose changes the consumer has not fully read.
 *
 * Who writes them: a streaming read with `consumer-id` records its progress there whenever a checkpoint
 * completes (src/connectors/paimon), and starts from it when the job starts again without a checkpoint;
 * `sys.reset_consumer` sets or removes one by hand.
 *
 * What they protect: snapshot expiration keeps every snapshot from the smallest `nextSnapshot` on, so a
 * reader that stopped can resume where it was (`snapshot-expire.ts`). A consumer nobody updates any more
 * would pin snapshots forever; `consumer.expiration-time` bounds that by the file's modification time
 * (`expireConsumers`), as Paimon does.
 *
 * Consumer ids become part of a file name: not blank, no '/', not '.' or '..'.
 */
import { ioError, userError, type FloeError } from '../common/index.js';
import { parseMetadataJson } from './metadata-json.js';
import { branchRoot, joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';

export const CONSUMER_PREFIX = 'consumer-';

export interface TableConsumer {
  readonly id: string;
  readonly nextSnapshot: number;
}

/** Fails with `LAKE.INVALID_CONSUMER_ID` unless `id` can name a consumer file. */
export function checkConsumerId(id: string): void {
  if (id.trim() === '' || id.includes('/') || id.includes('\\') || id === '.' || id === '..') {
    throw userError('LAKE.INVALID_CONSUMER_ID', `invalid Paimon consumer id '${id}'`, { help: "a consumer id is part of a file name: not blank, without '/' or '\\'" });
  }
}

function consumerDir(table: PaimonTable): string {
  return joinKey(branchRoot(table.tablePath, table.branch), 'consumer');
}

export function consumerKey(table: PaimonTable, id: string): string {
  checkConsumerId(id);
  return joinKey(consumerDir(table), CONSUMER_PREFIX + id);
}

function parseConsumer(table: PaimonTable, id: string, bytes: Uint8Array): TableConsumer {
  const file = consumerKey(table, id);
  const raw = parseMetadataJson(new TextDecoder().decode(bytes), file)['nextSnapshot'];
  // Long literals past 2^53 come back as strings (metadata-json.ts); no snapshot id gets there.
  const next = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof next !== 'number' || !Number.isSafeInteger(next) || next < 0) {
    throw ioError('LAKE.CORRUPT_FILE', `consumer file '${file}': 'nextSnapshot' is ${raw === undefined ? 'missing' : `${JSON.stringify(raw)}, not a snapshot id`}`);
  }
  return { id, nextSnapshot: next };
}

/** The consumer `id`, or undefined when there is none. */
export async function readConsumer(table: PaimonTable, id: string): Promise<TableConsumer | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await table.store.get(consumerKey(table, id));
  } catch (e) {
    if ((e as FloeError).code === 'IO.NOT_FOUND') return undefined;
    throw e;
  }
  return parseConsumer(table, id, bytes);
}

/** Creates or replaces consumer `id` (an atomic put: readers see the old or the new position). */
export async function writeConsumer(table: PaimonTable, id: string, nextSnapshot: number): Promise<void> {
  if (!Number.isSafeInteger(nextSnapshot) || nextSnapshot < 1) {
    throw userError('LAKE.INVALID_CONSUMER', `consumer '${id}': next snapshot must be a positive snapshot id, got ${nextSnapshot}`);
  }
  await table.store.put(consumerKey(table, id), new TextEncoder().encode(JSON.stringify({ nextSnapshot })));
}

/** Removes consumer `id`; a missing one is not an error. */
export async function deleteConsumer(table: PaimonTable, id: string): Promise<void> {
  await table.store.delete(consumerKey(table, id));
}

/** The ids of the table's consumers (files named `consumer-<id>`), sorted. */
async function consumerIds(table: PaimonTable): Promise<string[]> {
  const dir = consumerDir(table) + '/';
  const ids: string[] = [];
  for (const o of await table.store.list(dir + CONSUMER_PREFIX)) {
    const name = o.key.slice(dir.length);
    if (!name.includes('/') && name.length > CONSUMER_PREFIX.length) ids.push(name.slice(CONSUMER_PREFIX.length));
  }
  return ids.sort();
}

/** Every consumer of the table (one removed while listing is left out), by id. */
export async function listConsumers(table: PaimonTable): Promise<TableConsumer[]> {
  const out: TableConsumer[] = [];
  for (const id of await consumerIds(table)) {
    const c = await readConsumer(table, id);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** The smallest `nextSnapshot` of the table's consumers, or undefined without consumers. */
export async function minConsumerSnapshot(table: PaimonTable): Promise<number | undefined> {
  let min: number | undefined;
  for (const c of await listConsumers(table)) if (min === undefined || c.nextSnapshot < min) min = c.nextSnapshot;
  return min;
}

/** Deletes the consumers last written before `olderThan` (epoch ms); returns their ids. */
export async function expireConsumers(table: PaimonTable, olderThan: number): Promise<string[]> {
  const expired: string[] = [];
  for (const id of await consumerIds(table)) {
    let modified: number;
    try {
      modified = await table.store.lastModified(consumerKey(table, id));
    } catch (e) {
      if ((e as FloeError).code === 'IO.NOT_FOUND') continue; // removed meanwhile
      throw e;
    }
    if (modified >= olderThan) continue;
    await deleteConsumer(table, id);
    expired.push(id);
  }
  return expired;
}

/**
 * Deletes the consumers whose id matches `including` and not `excluding` (whole-id matches, as Paimon's
 * `clear_consumers`); returns their ids.
 */
export async function clearConsumers(table: PaimonTable, including: RegExp, excluding?: RegExp): Promise<string[]> {
  const whole = (r: RegExp, s: string): boolean => new RegExp(`^(?:${r.source})$`, r.flags.replace('g', '')).test(s);
  const cleared: string[] = [];
  for (const id of await consumerIds(table)) {
    if (!whole(including, id) || (excluding !== undefined && whole(excluding, id))) continue;
    await deleteConsumer(table, id);
    cleared.push(id);
  }
  return cleared;
}
