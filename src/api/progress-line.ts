/**
 * The live progress line `floe run` shows on a terminal while a job runs: records read by the sources,
 * their current rate, the sources' watermark, the last completed checkpoint, and elapsed time. Redrawn in place on stderr a few times a
 * second and erased when the job ends, so it never mixes with results on stdout.
 */
import type { JobHandle } from '../runtime/index.js';
import type { JobSpec } from '../spec/index.js';
import { formatValueText, Types } from '../types/index.js';

const REDRAW_MS = 250;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export class ProgressLine {
  private timer: NodeJS.Timeout | null = null;
  private readonly sourceIds: ReadonlySet<number>;
  private lastWidth = 0;

  constructor(
    private readonly job: JobSpec,
    private readonly handle: JobHandle,
    private readonly write: (text: string) => void,
  ) {
    this.sourceIds = new Set(job.nodes.filter((n) => n.inputs.length === 0).map((n) => n.id));
  }

  start(): void {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.lastWidth > 0) this.write('\r' + ' '.repeat(this.lastWidth) + '\r');
  }

  private draw(): void {
    const metrics = this.handle.metrics();
    let records = 0;
    let rate = 0;
    let watermark = Infinity;
    for (const node of metrics.nodes) {
      if (!this.sourceIds.has(node.nodeId)) continue;
      records += node.recordsOut;
      rate += node.recordsOutPerSecond;
      watermark = Math.min(watermark, node.watermark);
    }
    const wm = Number.isFinite(watermark) ? formatValueText(watermark, Types.timestamp(3)) : watermark === Infinity ? 'end of input' : '—';
    const checkpoints = this.handle.checkpoints();
    const last = checkpoints[checkpoints.length - 1];
    const chk = last === undefined ? '' : ` · checkpoint ${last.id} (${last.durationMs} ms, ${formatBytes(last.sizeBytes)})`;
    const line = `[${this.job.name}] ${records.toLocaleString('en-US')} records in · ${Math.round(rate).toLocaleString('en-US')} rec/s · watermark ${wm}${chk} · ${(metrics.elapsedMs / 1000).toFixed(1)} s`;
    this.write('\r' + line.padEnd(this.lastWidth));
    this.lastWidth = line.length;
  }
}
