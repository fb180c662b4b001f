/**
 * Compaction after a commit (`compactIfDue`), a full compaction of the table as one COMPACT snapshot:
 * - always for tables whose batch reads skip level 0 (`merge-engine` = `first-row`, deletion vectors):
 *   Paimon's writer compacts those on every commit, and without it the new rows would stay invisible;
 * - always for `changelog-producer` = `lookup` tables: that compaction writes the changelog of the
 *   commit's rows (lookup-changelog.ts in src/lake), as Paimon's lookup compaction after every commit;
 * - for other primary-key tables when a bucket the commit touched holds
 *   `num-sorted-run.compaction-trigger` (default 5) files or more, so reads merge few runs.
 * Not with `write-only` = true (Paimon's option: a separate job compacts). Compactions commit under
 * their own commit user: a COMPACT snapshot carries Paimon's batch identifier (Long.MAX_VALUE), which
 * under the writer's user would make later checkpoint commits look already committed. A compaction
 * that loses to a concurrent one (another job compacting the same bucket) is retried once on the new
 * latest snapshot, then left to the next commit.
 */
import { FloeError } from '../../common/index.js';
import type { ManifestEntry, PaimonTable } from '../../lake/index.js';

function bucketKey(e: ManifestEntry): string {
  let s = '';
  for (let i = 0; i < e.partition.length; i++) s += e.partition[i]!.toString(16).padStart(2, '0');
  return `${s}/${e.bucket}`;
}

/** See the module comment. `written`: the entries just committed (they name the touched buckets). */
export async function compactIfDue(table: PaimonTable, compactUser: string, written: readonly ManifestEntry[]): Promise<void> {
  const o = table.options;
  if (written.length === 0 || table.primaryKeys.length === 0 || (o['write-only'] ?? 'false').toLowerCase() === 'true') return;
  // A `lookup` table produces its changelog by compacting level 0 (Paimon compacts it at every commit).
  const lookup = (o['changelog-producer'] ?? 'none').trim().toLowerCase() === 'lookup';
  if (!table.levelZeroHidden && !lookup) {
    const trigger = Number(o['num-sorted-run.compaction-trigger'] ?? '5');
    const touched = new Set(written.map((e) => bucketKey(e)));
    const latest = await table.latestSnapshot();
    if (latest === undefined) return;
    const files = new Map<string, number>();
    for (const e of await table.manifestEntries(latest)) {
      const k = bucketKey(e);
      if (touched.has(k)) files.set(k, (files.get(k) ?? 0) + 1);
    }
    if (![...files.values()].some((n) => n >= trigger)) return;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await table.compact({ commitUser: compactUser });
      return;
    } catch (e) {
      if (!(e instanceof FloeError && e.code === 'LAKE.COMMIT_CONFLICT')) throw e;
    }
  }
}
