/**
 * Entry point of a worker thread. `workerData` carries the job spec, the bootstrap module URL, this
 * worker's index and the MessagePorts to its peers; the coordinator talks to it over `parentPort`
 * (`CoordinatorMessage` in, `HostMessage` out).
 *
 * This file is loaded both as TypeScript (tests run under `node --import tsx`; workers inherit execArgv, so
 * tsx's loader applies) and as compiled JS from dist/: the coordinator resolves it with the extension of
 * its own module file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { JobSpec } from '../spec/index.js';
import { buildJobGraph } from './job-graph.js';
import { readRuntimeConfig } from './runtime-config.js';
import { loadOperatorRegistry } from './bootstrap.js';
import { TaskHost } from './task-host.js';
import type { CoordinatorMessage, HostCheckpointSetup, HostMessage, HostRestoreSetup } from './task-host.js';
import { serializeError } from './error-transport.js';
import { internalError } from '../common/index.js';

export interface WorkerStartData {
  readonly spec: JobSpec;
  readonly bootstrapModule: string;
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly peers: readonly { readonly worker: number; readonly port: MessagePort }[];
  readonly checkpointing: HostCheckpointSetup | null;
  readonly restore: HostRestoreSetup | null;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw internalError('worker-main.ts must run in a worker thread');
  const data = workerData as WorkerStartData;
  const post = (message: HostMessage): void => port.postMessage(message);
  let host: TaskHost | null = null;
  let cancelled = false;
  port.on('message', (m: CoordinatorMessage) => {
    if (m.t === 'start') host?.start();
    else if (m.t === 'cancel') {
      cancelled = true;
      host?.cancel();
    } else host?.onCheckpointMessage(m);
  });
  try {
    const registry = await loadOperatorRegistry(data.bootstrapModule);
    const spec = data.spec;
    host = new TaskHost({
      spec,
      graph: buildJobGraph(spec),
      config: readRuntimeConfig(spec.config),
      registry,
      workerIndex: data.workerIndex,
      workerCount: data.workerCount,
      peers: new Map(data.peers.map((p) => [p.worker, p.port])),
      post,
      checkpointing: data.checkpointing,
      restore: data.restore,
    });
  } catch (e) {
    post({ t: 'failed', error: serializeError(e), snapshots: [] });
    return;
  }
  await host.init();
  if (cancelled) host.cancel();
}

void main();
