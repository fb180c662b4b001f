/**
 * Where Paimon keeps things inside a table directory (all paths are `ObjectStore` keys, '/'-separated):
 *
 *   <table>/schema/schema-N            <table>/snapshot/snapshot-N, EARLIEST, LATEST
 *   <table>/manifest/<manifest files>  <table>/index/<index files>
 *   <table>/<k1=v1>/<k2=v2>/bucket-B/<data file>
 *   <table>/branch/branch-<name>/{schema,snapshot}/...   (a branch shares manifests, index and data files)
 */
import { userError } from '../common/index.js';
import { formatValueText, type LogicalType } from '../types/index.js';

export const MAIN_BRANCH = 'main';

export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** The directory holding a branch's `schema/` and `snapshot/` folders. */
export function branchRoot(tablePath: string, branch: string): string {
  if (branch === MAIN_BRANCH) return tablePath;
  if (!/^[A-Za-z0-9_.-]+$/.test(branch) || /^\d+$/.test(branch)) {
    throw userError('LAKE.INVALID_BRANCH', `invalid Paimon branch name '${branch}'`);
  }
  return joinKey(tablePath, 'branch', `branch-${branch}`);
}

/** Characters Paimon escapes in partition path segments (Hive-compatible `%XX`). */
const ESCAPED = /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g;

export function escapePathName(s: string): string {
  return s.replace(ESCAPED, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/**
 * The partition directory (`k1=v1/k2=v2`) of partition values, as Paimon names it with the default
 * `partition.legacy-name = true`: values are their internal text (DATE as days since the epoch), and
 * NULL or empty values use `partition.default-name`.
 */
export function partitionPath(keys: readonly string[], types: readonly LogicalType[], values: readonly unknown[], defaultName: string, legacyName: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const v = values[i];
    const type = types[i]!;
    let text: string;
    if (v === null || v === undefined) text = defaultName;
    else if (typeof v === 'string') text = v === '' ? defaultName : v;
    else if (typeof v === 'number' && (legacyName || type.kind !== 'DATE')) text = String(v);
    else if (typeof v === 'bigint' && type.kind !== 'DECIMAL') text = String(v);
    else text = formatValueText(v, type);
    parts.push(`${escapePathName(keys[i]!)}=${escapePathName(text)}`);
  }
  return parts.join('/');
}

/**
 * The store key of a file named by an absolute external path (`file:/…`, `s3://…`), or an error when it
 * lies outside the store (`storeUri` is the store's own URI).
 */
export function externalPathKey(externalPath: string, storeUri: string): string {
  const norm = (u: string): string => u.replace(/^file:\/\/\//, 'file:/').replace(/^file:\/\/localhost\//, 'file:/').replace(/\/+$/, '');
  const root = norm(storeUri) + '/';
  const p = norm(externalPath);
  if (!p.startsWith(root)) {
    throw userError('LAKE.EXTERNAL_PATH', `data file '${externalPath}' lies outside the object store ${storeUri}`, {
      help: 'open the warehouse with a store whose root contains the external data path',
    });
  }
  return p.slice(root.length);
}
