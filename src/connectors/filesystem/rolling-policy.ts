/**
 * When the filesystem sink closes its in-progress part file and starts a new one (Flink's table rolling
 * policy for row formats):
 * - on write: the file reached `sink.rolling-policy.file-size` (checked after each written batch, so a
 *   file can exceed the size by at most one batch);
 * - on processing time, every `sink.rolling-policy.check-interval`: the file has been open for
 *   `sink.rolling-policy.rollover-interval`, or nothing was written to it for
 *   `sink.rolling-policy.inactivity-interval`.
 */
export interface RollingPolicyOptions {
  readonly fileSizeBytes: number;
  readonly rolloverIntervalMs: number;
  readonly inactivityIntervalMs: number;
  readonly checkIntervalMs: number;
}

export class RollingPolicy {
  constructor(readonly options: RollingPolicyOptions) {}

  shouldRollOnWrite(bytesWritten: number): boolean {
    return bytesWritten >= this.options.fileSizeBytes;
  }

  shouldRollOnProcessingTime(openedAtMs: number, lastWriteMs: number, nowMs: number): boolean {
    return nowMs - openedAtMs >= this.options.rolloverIntervalMs || nowMs - lastWriteMs >= this.options.inactivityIntervalMs;
  }
}
