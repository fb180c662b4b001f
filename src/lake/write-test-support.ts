/**
 * Helpers shared by the writer tests: copying fixture tables into a store, reading a table back as
 * sorted rows, decoding what a snapshot's manifests hold.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ObjectStore } from '../storage/index.js';
import { batchFromRows, getRow, Types, type RowKind, type RowType } from '../types/index.js';
import type { ManifestEntry } from './manifest.js';
import type { PaimonTable, ReadSnapshotOptions } from './paimon-table.js';
import { createPaimonTable } from './table-create.js';

/** Copies the files under `dir` into `store` below `prefix`, keeping relative paths. */
export async function copyDirInto(store: ObjectStore, dir: string, prefix: string, root = dir): Promise<void> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) await copyDirInto(store, path, prefix, root);
    else await store.put(`${prefix}/${relative(root, path)}`, readFileSync(path));
  }
}

function sortKey(row: readonly unknown[]): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v));
}

/** All rows of a snapshot (latest by default), sorted for order-free comparison. */
export async function readRows(table: PaimonTable, snapshot?: number, options?: ReadSnapshotOptions): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const b of table.readSnapshot(snapshot, options)) for (let i = 0; i < b.numRows; i++) out.push(getRow(b, i, table.rowType));
  return sortRows(out);
}

export function sortRows(rows: unknown[][]): unknown[][] {
  return rows.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

/** The live manifest entries of the latest snapshot. */
export async function liveEntries(table: PaimonTable): Promise<ManifestEntry[]> {
  const s = await table.latestSnapshot();
  return s === undefined ? [] : table.manifestEntries(s);
}

/** The (id INT, name STRING) row type of the small writer tests. */
export const KV_TYPE: RowType = { fields: [{ name: 'id', type: Types.int() }, { name: 'name', type: Types.string() }] };

/** Commits `rows` of `KV_TYPE` (all +I unless `kinds`) as one snapshot. */
export async function commitKv(t: PaimonTable, rows: unknown[][], kinds?: RowKind[]): Promise<void> {
  const w = t.newWrite();
  w.write(batchFromRows(KV_TYPE, rows, kinds));
  await w.commit();
}

/** A `KV_TYPE` table at `name`: primary key `id` in one bucket, or an append table without keys. */
export async function kvTable(store: ObjectStore, name = 't', primaryKeys = ['id']): Promise<PaimonTable> {
  return createPaimonTable(store, name, { fields: KV_TYPE, primaryKeys, options: primaryKeys.length > 0 ? { bucket: '1' } : {} });
}

/** The rows of tag `name`, sorted. */
export async function tagRows(t: PaimonTable, name: string): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const b of t.readSnapshot((await t.tag(name)).snapshot)) for (let i = 0; i < b.numRows; i++) out.push(getRow(b, i, t.rowType));
  return sortRows(out);
}

/** The keys under `prefix`. */
export async function storeKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).map((o) => o.key);
}
