/**
 * Bucket assignment of dynamic-bucket primary-key tables (`bucket` = -1), as Paimon's `HashBucketAssigner`
 * and `PartitionIndex` do it: per partition, a hash index maps each key hash to its bucket.
 *
 * - A key whose hash is in the index keeps its bucket (so an upsert lands next to the row it replaces and
 *   the merge engine folds them).
 * - A new hash goes to the first (lowest id) of this assigner's buckets holding fewer than
 *   `dynamic-bucket.target-row-num` hashes (default 2,000,000); when all are full, to a new bucket: the
 *   lowest id that is this assigner's and not yet used, at most `dynamic-bucket.max-buckets` − 1 (default
 *   unbounded, i.e. Java's Short.MAX_VALUE, since Paimon keeps bucket ids as shorts). When the limit is
 *   reached the hash joins one of this assigner's buckets chosen by the hash (Paimon picks at random; a
 *   deterministic choice keeps replays identical).
 * - Assigners: with n parallel assigners, assigner i owns the buckets b with b mod n = i (Paimon's
 *   `isMyBucket`). It only creates and fills its own buckets, so two assigners never hand out the same
 *   bucket id or grow the same bucket's index concurrently; a key routed to it that already sits in
 *   another assigner's bucket (after a change of parallelism) keeps that bucket.
 *
 * The index of a partition is read from the latest snapshot when the partition is first touched and then
 * kept in memory: this assigner is the only writer of its buckets' index, so its memory stays the truth
 * for them while the job runs. `takeChangedFiles` writes one new HASH index file per bucket whose hash set
 * grew (all its hashes, replacing the bucket's previous file) and returns their index manifest entries for
 * the commit (`table-commit.ts` swaps them into the snapshot's index manifest).
 */
import { randomUUID } from 'node:crypto';
import { userError } from '../common/index.js';
import { HASH_INDEX_TYPE, readHashIndex, writeHashIndex } from './hash-index.js';
import { FileKind, type IndexManifestEntry } from './manifest.js';
import { joinKey } from './paimon-paths.js';
import type { PaimonTable } from './paimon-table.js';

/** Java's Short.MAX_VALUE: the highest bucket id Paimon's hash index can hold. */
const MAX_BUCKET_ID = 32767;
export const DEFAULT_TARGET_ROW_NUM = 2000000;

export interface DynamicBucketOptions {
  /** `dynamic-bucket.target-row-num`: hashes per bucket before a new bucket is opened. */
  readonly targetRowNum: number;
  /** `dynamic-bucket.max-buckets`: bucket ids stay below this per partition; -1 = unbounded. */
  readonly maxBuckets: number;
}

/** Which of n parallel assigners this is (`assignId` in [0, `numAssigners`)). */
export interface AssignerIdentity {
  readonly assignId: number;
  readonly numAssigners: number;
}

function intOption(options: Readonly<Record<string, string>>, key: string, fallback: number, min: number, what: string): number {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < min) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: option '${key}' must be an integer ≥ ${min}, got '${raw}'`);
  return n;
}

/** The dynamic-bucket options of a table (validated; `what` names the table in errors). */
export function dynamicBucketOptions(options: Readonly<Record<string, string>>, what: string): DynamicBucketOptions {
  const targetRowNum = intOption(options, 'dynamic-bucket.target-row-num', DEFAULT_TARGET_ROW_NUM, 1, what);
  const maxBuckets = intOption(options, 'dynamic-bucket.max-buckets', -1, -1, what);
  if (maxBuckets === 0) throw userError('LAKE.BAD_TABLE_SPEC', `${what}: option 'dynamic-bucket.max-buckets' must be positive or -1`);
  // Paimon sizes its assigner operator by it; Floe's assigners are its writers, so it is only validated.
  intOption(options, 'dynamic-bucket.initial-buckets', 1, 1, what);
  return { targetRowNum, maxBuckets };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The hashes of one of this assigner's buckets (a growable int32 list). */
class BucketHashes {
  hashes: Int32Array;
  count = 0;
  changed = false;

  constructor(initial: Int32Array | null) {
    this.hashes = initial ?? new Int32Array(16);
    this.count = initial?.length ?? 0;
  }

  add(hash: number): void {
    if (this.count === this.hashes.length) {
      const grown = new Int32Array(Math.max(16, this.hashes.length * 2));
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = hash;
    this.changed = true;
  }
}

/** One partition's hash index as seen by one assigner. */
export class PartitionHashIndex {
  /** Key hash → bucket, for every bucket of the partition. */
  private readonly bucketOfHash = new Map<number, number>();
  /** This assigner's buckets, by id. */
  private readonly own = new Map<number, BucketHashes>();
  /** This assigner's buckets that may still take hashes, ascending. */
  private nonFull: number[] = [];

  constructor(
    readonly partition: Uint8Array,
    private readonly options: DynamicBucketOptions,
    private readonly identity: AssignerIdentity,
  ) {}

  private isMine(bucket: number): boolean {
    return bucket % this.identity.numAssigners === this.identity.assignId;
  }

  /** Adds the hashes of a bucket's index file (loading). */
  load(bucket: number, hashes: Int32Array): void {
    for (let i = 0; i < hashes.length; i++) this.bucketOfHash.set(hashes[i]!, bucket);
    if (!this.isMine(bucket)) return;
    const prev = this.own.get(bucket);
    if (prev === undefined) this.own.set(bucket, new BucketHashes(hashes.slice()));
    else for (let i = 0; i < hashes.length; i++) prev.add(hashes[i]!);
  }

  /** Call after loading: orders the buckets that may take new hashes. */
  sealLoaded(): void {
    for (const b of this.own.values()) b.changed = false;
    this.nonFull = [...this.own.keys()].filter((b) => this.own.get(b)!.count < this.options.targetRowNum).sort((a, b) => a - b);
  }

  /** The bucket of a key hash, assigning one to a new hash (see the module comment). */
  assign(hash: number): number {
    const known = this.bucketOfHash.get(hash);
    if (known !== undefined) return known;
    const target = this.options.targetRowNum;
    while (this.nonFull.length > 0) {
      const b = this.nonFull[0]!;
      const hashes = this.own.get(b)!;
      if (hashes.count < target) return this.put(hash, b, hashes);
      this.nonFull.shift();
    }
    const maxId = this.options.maxBuckets < 0 ? MAX_BUCKET_ID : this.options.maxBuckets - 1;
    const { assignId, numAssigners } = this.identity;
    for (let b = assignId; b <= maxId; b += numAssigners) {
      if (this.own.has(b)) continue;
      const hashes = new BucketHashes(null);
      this.own.set(b, hashes);
      this.nonFull.push(b);
      this.nonFull.sort((x, y) => x - y);
      return this.put(hash, b, hashes);
    }
    if (this.options.maxBuckets < 0 || this.own.size === 0) {
      throw userError(
        'LAKE.DYNAMIC_BUCKET_LIMIT',
        `dynamic bucket assigner ${assignId} of ${numAssigners} has no bucket left (max-buckets ${this.options.maxBuckets}, target-row-num ${target})`,
        { help: "raise 'dynamic-bucket.max-buckets' or 'dynamic-bucket.target-row-num', or write with fewer parallel writers" },
      );
    }
    const ids = [...this.own.keys()].sort((a, b) => a - b);
    const b = ids[Math.abs(hash % ids.length)]!;
    return this.put(hash, b, this.own.get(b)!);
  }

  private put(hash: number, bucket: number, hashes: BucketHashes): number {
    this.bucketOfHash.set(hash, bucket);
    hashes.add(hash);
    return bucket;
  }

  /** This assigner's buckets whose hash set grew since the last call, with all their hashes. */
  takeChanged(): { bucket: number; hashes: Int32Array }[] {
    const out: { bucket: number; hashes: Int32Array }[] = [];
    for (const [bucket, h] of this.own) {
      if (!h.changed) continue;
      h.changed = false;
      out.push({ bucket, hashes: h.hashes.subarray(0, h.count) });
    }
    return out.sort((a, b) => a.bucket - b.bucket);
  }

  /** The number of hashes in a bucket, when this assigner owns it (for tests and metrics). */
  ownBucketSize(bucket: number): number | undefined {
    return this.own.get(bucket)?.count;
  }
}

/** The hash indexes of the partitions one assigner (writer) has touched. */
export class DynamicBucketIndex {
  readonly options: DynamicBucketOptions;
  private readonly partitions = new Map<string, PartitionHashIndex>();
  private readonly uuid = randomUUID();
  private fileSeq = 0;

  constructor(
    readonly table: PaimonTable,
    readonly identity: AssignerIdentity = { assignId: 0, numAssigners: 1 },
  ) {
    const what = `Paimon table '${table.tablePath}'`;
    this.options = dynamicBucketOptions(table.options, what);
    if (!Number.isInteger(identity.numAssigners) || identity.numAssigners < 1 || !Number.isInteger(identity.assignId) || identity.assignId < 0 || identity.assignId >= identity.numAssigners) {
      throw userError('LAKE.BAD_ASSIGNER', `${what}: assigner ${identity.assignId} of ${identity.numAssigners} is not a valid assigner identity`);
    }
  }

  /** The partition's index (serialized partition BinaryRow), read from the latest snapshot on first use. */
  async partition(partition: Uint8Array): Promise<PartitionHashIndex> {
    const key = hex(partition);
    const cached = this.partitions.get(key);
    if (cached !== undefined) return cached;
    const index = new PartitionHashIndex(partition, this.options, this.identity);
    const latest = await this.table.latestSnapshot();
    if (latest !== undefined) {
      for (const e of await this.table.indexEntries(latest)) {
        if (e.indexType !== HASH_INDEX_TYPE || !sameBytes(e.partition, partition)) continue;
        const fileKey = joinKey(this.table.tablePath, 'index', e.fileName);
        index.load(e.bucket, readHashIndex(await this.table.store.get(fileKey), `'${fileKey}'`));
      }
    }
    index.sealLoaded();
    this.partitions.set(key, index);
    return index;
  }

  /**
   * Writes a new HASH index file for every bucket whose hash set grew since the last call, and returns
   * their index manifest entries (ADD). Each file holds all of its bucket's hashes, so it replaces the
   * bucket's previous file in the snapshot that commits it.
   */
  async takeChangedFiles(): Promise<IndexManifestEntry[]> {
    const out: IndexManifestEntry[] = [];
    for (const index of this.partitions.values()) {
      for (const { bucket, hashes } of index.takeChanged()) {
        const bytes = writeHashIndex(hashes);
        const fileName = `index-${this.uuid}-${this.fileSeq++}`;
        await this.table.store.put(joinKey(this.table.tablePath, 'index', fileName), bytes);
        out.push({
          kind: FileKind.ADD,
          partition: index.partition,
          bucket,
          indexType: HASH_INDEX_TYPE,
          fileName,
          fileSize: bytes.length,
          rowCount: hashes.length,
          deletionVectorRanges: null,
          externalPath: null,
        });
      }
    }
    return out;
  }
}
