/**
 * The `blackhole` sink: swallows every row (Flink's BlackHole connector, used by the Nexmark queries to
 * measure everything but output). Counts what it received so benchmarks and tests can check the volume.
 */
import type { RecordBatch } from '../types/index.js';
import type { ConnectorOption, SinkConnector, SinkWriter } from './connector.js';

export const BLACKHOLE_OPTIONS: readonly ConnectorOption[] = [
  { key: 'sink.parallelism', type: 'int', description: 'Parallelism of the sink (planner hint).' },
];

export class BlackholeSinkWriter implements SinkWriter {
  rowsReceived = 0;
  batchesReceived = 0;

  write(batch: RecordBatch): void {
    this.rowsReceived += batch.numRows;
    this.batchesReceived++;
  }

  finish(): void {}
  close(): void {}
}

export const blackholeSink: SinkConnector = {
  name: 'blackhole',
  options: BLACKHOLE_OPTIONS,
  acceptsUpdates: true,
  createWriter(): SinkWriter {
    return new BlackholeSinkWriter();
  },
};
