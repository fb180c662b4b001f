/**
 * Encodes manifests and manifest lists (Avro, see `avro-writer.ts`) with the writer schemas Paimon Java
 * 1.x records in its own files (taken from the header of a Java-written fixture manifest): record `record`
 * in namespace `org.apache.paimon.avro.generated`, entry `_VERSION` 2. The schema includes
 * `_FIRST_ROW_ID` (null here: row tracking is not written) but not the newer `_WRITE_COLS`, which readers
 * treat as absent = all columns.
 */
import type { DataFileMeta, IndexManifestEntry, ManifestEntry, ManifestFileMeta, SimpleStats } from './manifest.js';
import { avroType, writeAvroContainer, type AvroWriteCodec } from './avro-writer.js';

const NS = 'org.apache.paimon.avro.generated';
const NULL_COUNTS = { name: '_NULL_COUNTS', type: ['null', { type: 'array', items: ['null', 'long'] }], default: null };

function statsRecord(name: string): unknown {
  return {
    type: 'record',
    name,
    fields: [{ name: '_MIN_VALUES', type: 'bytes' }, { name: '_MAX_VALUES', type: 'bytes' }, NULL_COUNTS],
  };
}

export const MANIFEST_SCHEMA = {
  type: 'record',
  name: 'record',
  namespace: NS,
  fields: [
    { name: '_VERSION', type: 'int' },
    { name: '_KIND', type: 'int' },
    { name: '_PARTITION', type: 'bytes' },
    { name: '_BUCKET', type: 'int' },
    { name: '_TOTAL_BUCKETS', type: 'int' },
    {
      name: '_FILE',
      type: {
        type: 'record',
        name: 'record__FILE',
        fields: [
          { name: '_FILE_NAME', type: 'string' },
          { name: '_FILE_SIZE', type: 'long' },
          { name: '_ROW_COUNT', type: 'long' },
          { name: '_MIN_KEY', type: 'bytes' },
          { name: '_MAX_KEY', type: 'bytes' },
          { name: '_KEY_STATS', type: statsRecord('record__FILE__KEY_STATS') },
          { name: '_VALUE_STATS', type: statsRecord('record__FILE__VALUE_STATS') },
          { name: '_MIN_SEQUENCE_NUMBER', type: 'long' },
          { name: '_MAX_SEQUENCE_NUMBER', type: 'long' },
          { name: '_SCHEMA_ID', type: 'long' },
          { name: '_LEVEL', type: 'int' },
          { name: '_EXTRA_FILES', type: { type: 'array', items: 'string' } },
          { name: '_CREATION_TIME', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
          { name: '_DELETE_ROW_COUNT', type: ['null', 'long'], default: null },
          { name: '_EMBEDDED_FILE_INDEX', type: ['null', 'bytes'], default: null },
          { name: '_FILE_SOURCE', type: ['null', 'int'], default: null },
          { name: '_VALUE_STATS_COLS', type: ['null', { type: 'array', items: 'string' }], default: null },
          { name: '_EXTERNAL_PATH', type: ['null', 'string'], default: null },
          { name: '_FIRST_ROW_ID', type: ['null', 'long'], default: null },
        ],
      },
    },
  ],
} as const;

export const MANIFEST_LIST_SCHEMA = {
  type: 'record',
  name: 'record',
  namespace: NS,
  fields: [
    { name: '_VERSION', type: 'int' },
    { name: '_FILE_NAME', type: 'string' },
    { name: '_FILE_SIZE', type: 'long' },
    { name: '_NUM_ADDED_FILES', type: 'long' },
    { name: '_NUM_DELETED_FILES', type: 'long' },
    { name: '_PARTITION_STATS', type: statsRecord('record__PARTITION_STATS') },
    { name: '_SCHEMA_ID', type: 'long' },
    { name: '_MIN_BUCKET', type: ['null', 'int'], default: null },
    { name: '_MAX_BUCKET', type: ['null', 'int'], default: null },
    { name: '_MIN_LEVEL', type: ['null', 'int'], default: null },
    { name: '_MAX_LEVEL', type: ['null', 'int'], default: null },
  ],
} as const;

/**
 * Index manifests (`manifest/index-manifest-<uuid>-<n>`): the writer schema of Java-written fixtures with
 * deletion vectors (entry `_VERSION` 1, no `_EXTERNAL_PATH`, which readers treat as absent = null). Each
 * index manifest lists every live index file of its snapshot (ADD entries only).
 */
export const INDEX_MANIFEST_SCHEMA = {
  type: 'record',
  name: 'record',
  namespace: NS,
  fields: [
    { name: '_VERSION', type: 'int' },
    { name: '_KIND', type: 'int' },
    { name: '_PARTITION', type: 'bytes' },
    { name: '_BUCKET', type: 'int' },
    { name: '_INDEX_TYPE', type: 'string' },
    { name: '_FILE_NAME', type: 'string' },
    { name: '_FILE_SIZE', type: 'long' },
    { name: '_ROW_COUNT', type: 'long' },
    {
      name: '_DELETIONS_VECTORS_RANGES',
      type: [
        'null',
        {
          type: 'array',
          items: [
            'null',
            {
              type: 'record',
              name: 'record__DELETIONS_VECTORS_RANGES',
              fields: [
                { name: 'f0', type: 'string' },
                { name: 'f1', type: 'int' },
                { name: 'f2', type: 'int' },
                { name: '_CARDINALITY', type: ['null', 'long'], default: null },
              ],
            },
          ],
        },
      ],
      default: null,
    },
  ],
} as const;

const MANIFEST_TYPE = avroType(MANIFEST_SCHEMA);
const INDEX_MANIFEST_TYPE = avroType(INDEX_MANIFEST_SCHEMA);
const MANIFEST_LIST_TYPE = avroType(MANIFEST_LIST_SCHEMA);

const EMPTY_STATS: SimpleStats = { minValues: new Uint8Array(0), maxValues: new Uint8Array(0), nullCounts: null };

function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function statsRec(s: SimpleStats | null): Record<string, unknown> {
  const x = s ?? EMPTY_STATS;
  return {
    _MIN_VALUES: buf(x.minValues),
    _MAX_VALUES: buf(x.maxValues),
    _NULL_COUNTS: x.nullCounts === null ? null : x.nullCounts.map((c) => (c === null ? null : BigInt(c))),
  };
}

const optLong = (v: number | undefined): bigint | null => (v === undefined ? null : BigInt(v));
const optInt = (v: number | undefined): number | null => (v === undefined ? null : v);

function fileRec(f: DataFileMeta): Record<string, unknown> {
  return {
    _FILE_NAME: f.fileName,
    _FILE_SIZE: BigInt(f.fileSize),
    _ROW_COUNT: BigInt(f.rowCount),
    _MIN_KEY: buf(f.minKey),
    _MAX_KEY: buf(f.maxKey),
    _KEY_STATS: statsRec(f.keyStats),
    _VALUE_STATS: statsRec(f.valueStats),
    _MIN_SEQUENCE_NUMBER: BigInt(f.minSequenceNumber),
    _MAX_SEQUENCE_NUMBER: BigInt(f.maxSequenceNumber),
    _SCHEMA_ID: BigInt(f.schemaId),
    _LEVEL: f.level,
    _EXTRA_FILES: [...f.extraFiles],
    // avsc builds the logical-typed long of this union with its stock LongType (JS numbers), not the registry.
    _CREATION_TIME: f.creationTime ?? null,
    _DELETE_ROW_COUNT: optLong(f.deleteRowCount),
    _EMBEDDED_FILE_INDEX: f.embeddedIndex === null ? null : buf(f.embeddedIndex),
    _FILE_SOURCE: optInt(f.fileSource),
    _VALUE_STATS_COLS: f.valueStatsCols === null ? null : [...f.valueStatsCols],
    _EXTERNAL_PATH: f.externalPath,
    _FIRST_ROW_ID: optLong(f.firstRowId),
  };
}

export function encodeManifest(entries: readonly ManifestEntry[], codec?: AvroWriteCodec): Uint8Array {
  const recs = entries.map((e) => ({
    _VERSION: 2,
    _KIND: e.kind,
    _PARTITION: buf(e.partition),
    _BUCKET: e.bucket,
    _TOTAL_BUCKETS: e.totalBuckets,
    _FILE: fileRec(e.file),
  }));
  return writeAvroContainer(MANIFEST_SCHEMA, MANIFEST_TYPE, recs, codec);
}

export function encodeManifestList(metas: readonly ManifestFileMeta[], codec?: AvroWriteCodec): Uint8Array {
  const recs = metas.map((m) => ({
    _VERSION: 2,
    _FILE_NAME: m.fileName,
    _FILE_SIZE: BigInt(m.fileSize),
    _NUM_ADDED_FILES: BigInt(m.numAddedFiles),
    _NUM_DELETED_FILES: BigInt(m.numDeletedFiles),
    _PARTITION_STATS: statsRec(m.partitionStats),
    _SCHEMA_ID: BigInt(m.schemaId),
    _MIN_BUCKET: optInt(m.minBucket),
    _MAX_BUCKET: optInt(m.maxBucket),
    _MIN_LEVEL: optInt(m.minLevel),
    _MAX_LEVEL: optInt(m.maxLevel),
  }));
  return writeAvroContainer(MANIFEST_LIST_SCHEMA, MANIFEST_LIST_TYPE, recs, codec);
}

export function encodeIndexManifest(entries: readonly IndexManifestEntry[], codec?: AvroWriteCodec): Uint8Array {
  const recs = entries.map((e) => ({
    _VERSION: 1,
    _KIND: e.kind,
    _PARTITION: buf(e.partition),
    _BUCKET: e.bucket,
    _INDEX_TYPE: e.indexType,
    _FILE_NAME: e.fileName,
    _FILE_SIZE: BigInt(e.fileSize),
    _ROW_COUNT: BigInt(e.rowCount),
    _DELETIONS_VECTORS_RANGES:
      e.deletionVectorRanges === null ? null : e.deletionVectorRanges.map((r) => ({ f0: r.dataFile, f1: r.offset, f2: r.length, _CARDINALITY: optLong(r.cardinality) })),
  }));
  return writeAvroContainer(INDEX_MANIFEST_SCHEMA, INDEX_MANIFEST_TYPE, recs, codec);
}
