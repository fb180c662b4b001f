export { openPaimonTable, PaimonTable } from './paimon-table.js';
export type { OpenPaimonTableOptions, ReadSnapshotOptions, DataSplit } from './paimon-table.js';
export { mayMatch, predicateColumns, sameOrdering } from './scan-predicate.js';
export type { ScanPredicate, ComparisonOp, ColumnRange } from './scan-predicate.js';
export { PaimonWarehouse } from './paimon-warehouse.js';
export type { WarehouseLayout } from './paimon-warehouse.js';
export { parseTableSchema, bucketKeys, trimmedPrimaryKeys } from './table-schema.js';
export type { TableSchema } from './table-schema.js';
export { parseSnapshot } from './snapshot.js';
export type { Snapshot, CommitKind } from './snapshot.js';
export { parsePaimonType, parsePaimonFields } from './paimon-data-type.js';
export type { PaimonField } from './paimon-data-type.js';
export { readAvroContainer } from './avro-container.js';
export type { AvroContainer } from './avro-container.js';
export { decodeManifestList, decodeManifest, decodeIndexManifest, mergeManifestEntries, FileKind } from './manifest.js';
export type { ManifestFileMeta, ManifestEntry, DataFileMeta, IndexManifestEntry, DeletionVectorRange, SimpleStats } from './manifest.js';
export {
  BinaryRowWriter,
  decodeBinaryRow,
  deserializeBinaryRow,
  encodeBinaryRow,
  bigintFromTwosComplement,
  bigintToTwosComplement,
} from './binary-row.js';
export { hashBytesByWords, bucketOfHash, bucketOfRow } from './bucket-hash.js';
export { DeletionVector, readDeletionVector, readRoaringBitmap, writeRoaringBitmap } from './deletion-vector.js';
export { partitionPath, escapePathName } from './paimon-paths.js';
export { createPaimonTable } from './table-create.js';
export type { CreatePaimonTableSpec, PaimonColumnSpec } from './table-create.js';
export { PaimonTableWrite } from './table-write.js';
export type { PaimonWriteOptions, SequenceCounter, PreparedFiles } from './table-write.js';
export { PaimonBucketAssigner, DYNAMIC_BUCKET_CHANNELS, dynamicBucketChannel } from './bucket-assigner.js';
export { DynamicBucketIndex, PartitionHashIndex, dynamicBucketOptions, DEFAULT_TARGET_ROW_NUM } from './dynamic-bucket-index.js';
export type { DynamicBucketOptions, AssignerIdentity } from './dynamic-bucket-index.js';
export { readHashIndex, writeHashIndex, HASH_INDEX_TYPE } from './hash-index.js';
export { commitEntries, findCommitted, applyIndexChanges, BATCH_COMMIT_IDENTIFIER } from './table-commit.js';
export type { CommitRequest, CommitResult } from './table-commit.js';
export { overwriteEntries, dynamicPartitionOverwriteOption } from './table-overwrite.js';
export type { OverwriteRequest } from './table-overwrite.js';
export type { CompactOptions } from './table-compact.js';
export type { ExpireOptions, ExpireResult, ExpirationSettings } from './snapshot-expire.js';
export { expireAfterCommit, expirationSettingsOf } from './snapshot-expire.js';
export { checkConsumerId, readConsumer, writeConsumer, deleteConsumer, listConsumers, clearConsumers, expireConsumers } from './table-consumers.js';
export type { TableConsumer } from './table-consumers.js';
export { listTags, readTag, createTag, deleteTag, tagKey, parseTag } from './table-tags.js';
export type { TableTag, CreateTagOptions, DeleteTagResult } from './table-tags.js';
export { rollbackTo } from './table-rollback.js';
export type { RollbackTarget, RollbackResult } from './table-rollback.js';
export { removeOrphanFiles, DEFAULT_ORPHAN_AGE_MS } from './orphan-files.js';
export type { RemoveOrphanFilesOptions, RemoveOrphanFilesResult } from './orphan-files.js';
export { snapshotFileKeys } from './snapshot-files.js';
export type { SnapshotFileScope } from './snapshot-files.js';
export { formatPaimonType } from './paimon-data-type.js';
export { formatMetadataJson } from './metadata-json.js';
export { encodeManifest, encodeManifestList, encodeIndexManifest } from './manifest-writer.js';
export { changelogProducerOf, isChangelogFile, splitChangelogEntries, CHANGELOG_FILE_PREFIX } from './changelog-producer.js';
export type { ChangelogProducer } from './changelog-producer.js';
