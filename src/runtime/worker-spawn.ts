/**
 * Starting a worker thread that runs `worker-main`, from compiled JS (dist/) or from TypeScript sources.
 *
 * The entry is `./worker-main` with this module's own extension. From JS that is all. From TypeScript
 * sources run with `node --import tsx`, workers inherit execArgv, but on Node 20 a loader registered with
 * `--import` does not apply inside worker threads (nodejs/node#47747, privatenumber/tsx#354: tsx only
 * registers itself in workers on Node versions that expose `worker_threads.isInternalThread`). There the
 * worker starts from a two-line bootstrap that registers tsx's ESM hooks in the worker (`tsx/esm/api`,
 * resolved from here) and then imports the TypeScript entry. tsx is a dev dependency: this path is only
 * taken when the runtime itself runs from `.ts` files.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as workerThreads from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

let live = 0;

/** Worker threads started by this module that have not exited yet (tests assert it returns to 0). */
export function liveWorkerCount(): number {
  return live;
}

export function spawnWorker(options: WorkerOptions): Worker {
  const worker = createWorker(options);
  live++;
  worker.once('exit', () => live--);
  return worker;
}

function createWorker(options: WorkerOptions): Worker {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const entry = new URL('./worker-main' + ext, import.meta.url);
  if (ext !== '.ts' || 'isInternalThread' in workerThreads) return new Worker(entry, options);
  const api = resolveTsxApi();
  if (api === null) return new Worker(entry, options);
  const source =
    `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { process.nextTick(() => { throw e; }); });`;
  return new Worker(source, { ...options, eval: true });
}

/** URL of tsx's ESM register API as resolved from this module, or null when tsx is not installed. */
function resolveTsxApi(): string | null {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
}
