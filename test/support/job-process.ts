/**
 * Test helpers for crash and recovery tests: run `nexmark-filesystem-job.ts` in a child process (optionally
 * SIGKILLed after a delay), read what its filesystem sink committed, and seeded random delays.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./nexmark-filesystem-job.ts', import.meta.url));

/** Seeded random numbers, so a failing run can be repeated (the seed is in the test name). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildRun {
  readonly finished: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the job process; kills it with SIGKILL `killAfterMs` after it printed `started` (the job was
 * submitted: start-up time, which varies with machine load, is not counted) unless it finished first.
 * With `armWhen`, the kill delay starts only once `armWhen()` (polled every 25 ms) resolves true.
 */
export function runJobProcess(
  args: readonly string[],
  killAfterMs: number | null,
  armWhen?: () => Promise<boolean>,
  env: Readonly<Record<string, string>> = {},
): Promise<ChildRun> {
  return runScriptProcess(CHILD, args, killAfterMs, armWhen, env);
}

/** As `runJobProcess`, for another job script (same protocol: prints `started`, exits 0 when done). */
export function runScriptProcess(
  script: string,
  args: readonly string[],
  killAfterMs: number | null,
  armWhen?: () => Promise<boolean>,
  env: Readonly<Record<string, string>> = {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let timer: ReturnType<typeof setTimeout> | null = null;
    let exited = false;
    const arm = (): void => {
      if (exited || killAfterMs === null) return;
      timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    };
    const poll = (): void => {
      if (exited) return;
      void armWhen!().then((ready) => (ready ? arm() : (timer = setTimeout(poll, 25))));
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterMs === null || timer !== null || !stdout.includes('started\n')) return;
      if (armWhen === undefined) arm();
      else {
        timer = setTimeout(poll, 0);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exited = true;
      if (timer !== null) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ finished: false, stdout, stderr });
      else if (code === 0) resolve({ finished: true, stdout, stderr });
      else reject(new Error(`job process exited with ${code}:\n${stderr}`));
    });
  });
}

/**
 * The committed table: the changes of every visible file under the sink folder applied (`debezium-json`
 * lines add `after` and remove `before`; other lines are inserts), sorted. Changes are counted with a
 * sign, so the result does not depend on the order files are read in (file names do not order the
 * attempts of a restarted job); a row left with a negative count fails: it was deleted more often than
 * inserted, which means a lost or duplicated change.
 */
export async function committedRows(dir: string): Promise<string[]> {
  const table = new Map<string, number>();
  const add = (row: string, n: number): void => {
    const c = (table.get(row) ?? 0) + n;
    if (c === 0) table.delete(row);
    else table.set(row, c);
  };
  for (const line of await committedLines(dir)) {
    if (!line.startsWith('{"before":')) {
      add(line, 1);
      continue;
    }
    const change = JSON.parse(line) as { before: unknown; after: unknown; op: string };
    if (change.op === 'c') add(JSON.stringify(change.after), 1);
    else add(JSON.stringify(change.before), -1);
  }
  const rows: string[] = [];
  for (const [row, n] of table) {
    if (n < 0) throw new Error(`the committed changelog deletes ${-n} more copies of a row than it inserts: ${row}`);
    for (let i = 0; i < n; i++) rows.push(row);
  }
  return rows.sort();
}

/** Every line of every visible (committed) file under `dir`, files in path order. */
async function committedLines(dir: string): Promise<string[]> {
  const rows: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else for (const line of (await readFile(p, 'utf8')).split('\n')) if (line !== '') rows.push(line);
    }
  };
  await walk(dir);
  return rows;
}

/** The run time the job process reported (`ms=`), or NaN. */
export function reportedRunMs(run: ChildRun): number {
  const m = /ms=(\d+)/.exec(run.stdout);
  return m === null ? NaN : Number(m[1]);
}

/** Complete checkpoints (those with `_metadata`) of a job under `<out>/checkpoints/<job>`, ascending ids. */
export function completeCheckpoints(out: string, job: string): Promise<number[]> {
  return completeCheckpointsIn(join(out, 'checkpoints', job));
}

/** Complete checkpoints (`chk-<id>/_metadata`) in a job's checkpoint folder, ascending ids. */
export async function completeCheckpointsIn(folder: string): Promise<number[]> {
  const ids: number[] = [];
  for (const f of await readdir(folder).catch(() => [] as string[])) {
    if (f.startsWith('chk-') && (await readdir(join(folder, f))).includes('_metadata')) ids.push(Number(f.slice(4)));
  }
  return ids.sort((a, b) => a - b);
}

export const digest = (rows: readonly string[]): string => createHash('sha256').update(rows.join('\n')).digest('hex');


/**
 * SST files under a job's lsm folder (`<checkpoint folder>/lsm/`) that no complete checkpoint of the job
 * lists, relative to the checkpoint dir. Read independently of the runtime's garbage collector: every
 * `chk-<id>/_metadata`, then the keyed manifest of each state file it names.
 */
export async function unreferencedSstFiles(checkpointDir: string, job: string): Promise<{ files: number; unreferenced: string[] }> {
  const { decodeMetadata, decodeStateFile } = await import('../../src/runtime/checkpoint-storage.js');
  const folder = join(checkpointDir, job);
  const referenced = new Set<string>();
  for (const id of await completeCheckpointsIn(folder)) {
    const chk = join(folder, `chk-${id}`);
    const meta = decodeMetadata(await readFile(join(chk, '_metadata')), chk);
    for (const node of meta.nodes) {
      for (const f of node.files) {
        const keyed = decodeStateFile(await readFile(join(chk, f.key)), f.key).keyed as unknown as { format?: string; files?: { store: string; key: string }[] } | null;
        if (keyed?.format !== 'floe.lsm-state') continue;
        for (const file of keyed.files ?? []) referenced.add(file.key);
      }
    }
  }
  const all: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.sst')) all.push(p.slice(checkpointDir.length + 1));
    }
  };
  await walk(join(folder, 'lsm'));
  return { files: all.length, unreferenced: all.filter((k) => !referenced.has(k)).sort() };
}
