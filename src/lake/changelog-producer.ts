/**
 * Paimon's `changelog-producer` table option: how a primary-key table records the changelog that
 * streaming readers consume.
 *
 * - `none` (default): no changelog files; a streaming read derives changes from the data files.
 * - `input`: each writer flush also writes the input records as received (every row kind, in key then
 *   arrival order) to a changelog file beside the data file (level 0, file source APPEND); the commit
 *   lists those files in the snapshot's changelog manifest list.
 * - `lookup`: the compaction that moves level-0 files up looks up each of their keys' previous value in
 *   the higher levels and writes -U/+U, +I or -D records (`lookup-changelog.ts`) to a changelog file of
 *   the output level (file source APPEND), listed by the COMPACT snapshot's changelog manifest list.
 * - `full-compaction` is refused: Floe does not produce (or follow) it yet.
 *
 * Changelog files share the data files' key-value layout and bucket directory and differ by name only:
 * `changelog-<uuid>-<n>.<format>` (Paimon's `changelog-file.prefix` default) against `data-…`. The name
 * is how a committable that carries both kinds tells them apart (`splitChangelogEntries`).
 */
import { unsupported, userError } from '../common/index.js';
import type { ManifestEntry } from './manifest.js';

export type ChangelogProducer = 'none' | 'input' | 'lookup';

/** File-name prefix of changelog files (Paimon's `changelog-file.prefix` default). */
export const CHANGELOG_FILE_PREFIX = 'changelog-';

/**
 * The changelog producer a table's options choose. Throws for `full-compaction` (not supported yet), an
 * unknown value, and a producer other than `none` on a table without primary key (Paimon refuses that
 * too: an append table's data files are already its changelog).
 */
export function changelogProducerOf(options: Readonly<Record<string, string>>, isPk: boolean, tableName: string): ChangelogProducer {
  const value = (options['changelog-producer'] ?? 'none').trim().toLowerCase();
  if (value === 'full-compaction') {
    throw unsupported('LAKE.UNSUPPORTED_CHANGELOG_PRODUCER', `Paimon table '${tableName}' uses changelog-producer 'full-compaction', which Floe does not support yet`, {
      help: "use 'changelog-producer' = 'lookup', which produces the same changelog at every commit",
    });
  }
  if (value !== 'none' && value !== 'input' && value !== 'lookup') {
    throw userError('LAKE.BAD_CHANGELOG_PRODUCER', `Paimon table '${tableName}': unknown changelog-producer '${value}' (expected 'none', 'input' or 'lookup')`);
  }
  if (value !== 'none' && !isPk) {
    throw userError('LAKE.CHANGELOG_PRODUCER_WITHOUT_PK', `Paimon table '${tableName}' has no primary key, so it cannot set changelog-producer '${value}'`, {
      help: "define a primary key, or remove 'changelog-producer'",
    });
  }
  return value;
}

/** Whether `fileName` names a changelog file (rather than a data file). */
export function isChangelogFile(fileName: string): boolean {
  return fileName.startsWith(CHANGELOG_FILE_PREFIX);
}

/** Splits entries that mix data and changelog files (a writer's committable) by file name. */
export function splitChangelogEntries(entries: readonly ManifestEntry[]): { data: ManifestEntry[]; changelog: ManifestEntry[] } {
  const data: ManifestEntry[] = [];
  const changelog: ManifestEntry[] = [];
  for (const e of entries) (isChangelogFile(e.file.fileName) ? changelog : data).push(e);
  return { data, changelog };
}
