/**
 * Paimon snapshots (`snapshot/snapshot-N`, JSON): the root of one table version. A snapshot names its
 * base manifest list (all files before the commit), its delta manifest list (the commit's changes), an
 * optional changelog manifest list and an optional index manifest (deletion vectors, hash indexes).
 *
 * Old snapshots lack newer fields (`*ManifestListSize`, `nextRowId`, `indexManifest`, ...): every field not
 * needed to read data is optional here.
 */
import { ioError } from '../common/index.js';
import { jsonInt, jsonLong, jsonOptInt, jsonOptString, parseMetadataJson } from './metadata-json.js';

export type CommitKind = 'APPEND' | 'COMPACT' | 'OVERWRITE' | 'ANALYZE';

export interface Snapshot {
  readonly version: number;
  readonly id: number;
  readonly schemaId: number;
  readonly baseManifestList: string;
  readonly deltaManifestList: string;
  readonly changelogManifestList: string | undefined;
  readonly indexManifest: string | undefined;
  readonly commitUser: string;
  /** Exact: Paimon often writes Long.MAX_VALUE here. */
  readonly commitIdentifier: bigint;
  readonly commitKind: CommitKind;
  readonly timeMillis: number;
  readonly totalRecordCount: number | undefined;
  readonly deltaRecordCount: number | undefined;
  readonly changelogRecordCount: number | undefined;
  readonly watermark: number | undefined;
  readonly statistics: string | undefined;
  readonly nextRowId: number | undefined;
}

export function parseSnapshot(text: string, file: string): Snapshot {
  const obj = parseMetadataJson(text, file);
  const base = jsonOptString(obj, 'baseManifestList');
  const delta = jsonOptString(obj, 'deltaManifestList');
  if (base === undefined || delta === undefined) {
    throw ioError('LAKE.CORRUPT_FILE', `snapshot file '${file}' lacks its base or delta manifest list`);
  }
  return {
    version: jsonOptInt(obj, 'version') ?? 1,
    id: jsonInt(obj, 'id', file),
    schemaId: jsonInt(obj, 'schemaId', file),
    baseManifestList: base,
    deltaManifestList: delta,
    changelogManifestList: jsonOptString(obj, 'changelogManifestList'),
    indexManifest: jsonOptString(obj, 'indexManifest'),
    commitUser: jsonOptString(obj, 'commitUser') ?? '',
    commitIdentifier: jsonLong(obj, 'commitIdentifier') ?? 0n,
    commitKind: (jsonOptString(obj, 'commitKind') ?? 'APPEND') as CommitKind,
    timeMillis: jsonOptInt(obj, 'timeMillis') ?? 0,
    totalRecordCount: jsonOptInt(obj, 'totalRecordCount'),
    deltaRecordCount: jsonOptInt(obj, 'deltaRecordCount'),
    changelogRecordCount: jsonOptInt(obj, 'changelogRecordCount'),
    watermark: jsonOptInt(obj, 'watermark'),
    statistics: jsonOptString(obj, 'statistics'),
    nextRowId: jsonOptInt(obj, 'nextRowId'),
  };
}
