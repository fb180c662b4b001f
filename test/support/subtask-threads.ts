/**
 * Where the subtasks of a parallelism-2 run execute, for the tests that run one query in streaming and
 * batch mode at parallelism 1 and 2.
 *
 * Parallelism 2 has two deployments: both subtasks in the calling thread (`execution.worker-threads` =
 * 1), and one worker thread per subtask. Left to the default, the coordinator picks by the machine's core
 * count, so which one a test covered depended on where it ran. Starting worker threads from TypeScript
 * sources costs seconds per job (every worker loads the runtime through tsx), and it dominated these
 * suites. So each such test pins the choice: one mode's parallelism-2 run uses two worker threads (the
 * thread boundary: rows, retractions and watermarks serialized between subtasks), the other runs both
 * subtasks in the calling thread (the local exchange). Both deployments must give the same result.
 *
 * Files that run the same queries on two inputs (the Nexmark differential suite and the Nexmark
 * acceptance suite) put the worker threads on opposite modes, so that every query runs in worker threads
 * in both modes across the two.
 */

export type RuntimeMode = 'streaming' | 'batch';

/**
 * The `execution.worker-threads` setting of a run: at parallelism 1 none (one subtask, one thread); at
 * parallelism > 1 as many worker threads as subtasks in `workersIn` mode, the calling thread otherwise.
 */
export function subtaskThreads(mode: RuntimeMode, parallelism: number, workersIn: RuntimeMode): Record<string, string> {
  if (parallelism <= 1) return {};
  return { 'execution.worker-threads': mode === workersIn ? String(parallelism) : '1' };
}
