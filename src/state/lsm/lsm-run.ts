/**
 * The runs of an LSM version and what reads find in them. A run is one SST file (written by this backend
 * or inherited from a restored snapshot); right after a flush it is also the frozen memtable that
 * answers reads until the upload completes.
 */
import { ByteReader } from '../byte-buffer.js';
import type { KeyGroupRange } from '../state-api.js';
import { readStateValue } from '../value-codec.js';
import type { Memtable } from './memtable.js';
import type { DecodedBlock } from './sst-format.js';
import type { SstFileRef } from './sst-reader.js';

/** One sorted run of the version. */
export class Run {
  /** Version membership, retained snapshots, in-flight reads and compactions. */
  refs = 1;
  /** The frozen memtable while the file is being uploaded (reads use it); null once durable. */
  mem: Memtable | null;
  /** Data blocks of the file, once its index was seen (0 before): what `forget` evicts from the block cache. */
  blockCount: number;
  durable: Promise<void> = Promise.resolve();
  deleted = false;

  constructor(
    readonly ref: SstFileRef,
    /** Key groups this run may answer for (file range ∩ snapshot range ∩ backend range). */
    readonly range: KeyGroupRange,
    /** The file's own key-group range. */
    readonly fileRange: KeyGroupRange,
    /** Written by this backend (only those are ever deleted by it). */
    readonly owned: boolean,
    readonly entries: number,
    readonly liveKeys: number,
    mem: Memtable | null,
    blockCount: number,
  ) {
    this.mem = mem;
    this.blockCount = blockCount;
  }
}

/** A version found in an SST block. */
export class FoundEntry {
  constructor(
    readonly block: DecodedBlock,
    readonly pos: number,
    readonly file: string,
  ) {}

  get type(): number {
    return this.block.types[this.pos]!;
  }

  get time(): number {
    return this.block.times[this.pos]!;
  }

  value(): unknown {
    return decodeValue(this.block, this.pos, this.file);
  }
}

export function decodeValue(block: DecodedBlock, j: number, file: string): unknown {
  const r = new ByteReader(block.raw, `LSM state file '${file}'`, 'STATE.CORRUPT_SNAPSHOT', block.valueStart[j]!, block.valueEnd[j]!);
  const v = readStateValue(r);
  if (r.remaining !== 0) throw r.corrupt(`${r.remaining} bytes after a value`);
  return v;
}

/** Whether an entry written at `time` is live at `now` under `ttlMs`. */
export function live(ttlMs: number, now: number, time: number): boolean {
  return ttlMs <= 0 || now - time < ttlMs;
}

/** The first durable run of a version (frozen memtables come first). */
export function firstDurable(runs: readonly Run[]): number {
  let i = 0;
  while (i < runs.length && runs[i]!.mem !== null) i++;
  return i;
}
