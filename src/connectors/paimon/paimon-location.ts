/**
 * Where a Paimon table lives, as the `path` option names it: `<warehouse>/<db>.db/<table>` written as a
 * local path, `file:` URI, `s3://bucket/prefix/…` or `memory://store/…` (tests). The table is opened in
 * an object store rooted at the directory above it (the database directory), so temporary files of a
 * local store land next to the table, never inside it.
 */
import { userError } from '../../common/index.js';
import { openPaimonTable, type OpenPaimonTableOptions, type PaimonTable } from '../../lake/index.js';
import { createObjectStore, type ConfigSource, type ObjectStore } from '../../storage/index.js';

export interface TableLocation {
  readonly store: ObjectStore;
  /** The table's key prefix in `store`. */
  readonly tablePath: string;
}

/** Splits a table location into an object store and the table's key inside it. */
export function tableLocation(path: string, config?: ConfigSource): TableLocation {
  const trimmed = path.replace(/\/+$/, '');
  const memory = /^memory:\/\/([^/]+)\/(.+)$/i.exec(trimmed);
  if (memory !== null) return { store: createObjectStore(`memory://${memory[1]}`), tablePath: memory[2]! };
  const slash = trimmed.lastIndexOf('/');
  const name = trimmed.slice(slash + 1);
  if (slash <= 0 || name === '' || /^[a-z][a-z0-9+.-]*:\/*$/i.test(trimmed.slice(0, slash + 1))) {
    throw userError('PLAN.CONNECTOR_OPTION', `Paimon table path '${path}' must name a table directory inside a database directory (<warehouse>/<db>.db/<table>)`);
  }
  return { store: createObjectStore(trimmed.slice(0, slash), config === undefined ? {} : { config }), tablePath: name };
}

/** Opens the Paimon table at `path` (see `tableLocation`). */
export function openTableAt(path: string, config?: ConfigSource, options?: OpenPaimonTableOptions): Promise<PaimonTable> {
  const { store, tablePath } = tableLocation(path, config);
  return openPaimonTable(store, tablePath, options);
}
