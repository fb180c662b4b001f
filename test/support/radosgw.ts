/**
 * Starts a real S3 server for tests: Ceph radosgw on a one-monitor, one-OSD (memstore) cluster on
 * loopback, in a fresh temp directory, ready in 3-6 s. Recipe and the reasons for each setting are in
 * /work/shared/DEPENDENCIES.md (S3): no cephx (`auth … required = none`) plus `ms … mode = crc`, or
 * radosgw loops on auth; pool size 1 on a single OSD.
 *
 * Added here for speed (each cuts seconds, none changes what S3 clients see): the monitor proposes map
 * changes every 10 ms instead of every second, and ticks / receives OSD reports every second instead of
 * every 5 s — radosgw creates six pools on first start, and each waited on those timers.
 * The monitor listens on a free port rather than 3300, so several clusters can run side by side.
 * The memstore OSD holds 6 GiB instead of its default 1 GiB (allocated as written): a benchmark's lsm
 * runs wrote past 1 GiB, the OSD went full, and Ceph then blocks writes instead of failing them. For the
 * same reason deleted objects are garbage-collected within seconds (radosgw's default waits two hours
 * before it frees the tail of a deleted object, so an lsm backend's compactions never gave memory back).
 *
 * Daemons run in the foreground as children of the test process (`-f`); `stop()` ends them in the order
 * that lets each shut down cleanly (radosgw, then the OSD, then the monitor), and exit and SIGTERM/SIGHUP
 * hooks kill any left behind if a test run dies before calling it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ioError } from '../../src/common/index.js';

export interface Radosgw {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** How long the cluster took to become ready, in milliseconds. */
  readonly startupMs: number;
  /** The cluster's directory (config, logs); removed by `stop()`. */
  readonly dir: string;
  stop(): Promise<void>;
}

/** Fixed keys of the test user: only ever valid for a throwaway loopback cluster. */
const ACCESS_KEY = 'FLOETESTACCESSKEY000';
const SECRET_KEY = 'floe-test-secret-key-not-a-real-secret';

const BINARIES = ['ceph-authtool', 'monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin'] as const;
export const RADOSGW_INSTALL_HINT = 'apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common';

/** The Ceph programs `startRadosgw` needs that are not on PATH (empty when all are there). */
export function missingRadosgwBinaries(): string[] {
  const found = locateBinaries();
  return BINARIES.filter((b) => !found.has(b));
}

/** Full paths of the Ceph programs that exist. */
function locateBinaries(): Map<string, string> {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  // Debian puts some Ceph tools in /usr/sbin, which is not on every user's PATH.
  for (const d of ['/usr/bin', '/usr/sbin', '/sbin', '/bin']) if (!dirs.includes(d)) dirs.push(d);
  const out = new Map<string, string>();
  for (const b of BINARIES) {
    const p = binaryPath(b, dirs);
    if (p !== undefined) out.set(b, p);
  }
  return out;
}

function binaryPath(name: string, dirs: readonly string[]): string | undefined {
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Daemons started by this process and not yet stopped, and their cluster directories. */
const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function trackForExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    const killAll = (): void => {
      for (const c of live) c.kill('SIGKILL');
      for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
    };
    process.once('exit', killAll);
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      // Kill the daemons, then die of the same signal as if no handler had been installed.
      process.once(signal, () => {
        killAll();
        process.kill(process.pid, signal);
      });
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/**
 * Starts the cluster and radosgw and creates an S3 user with fixed keys. Fails with the daemons' log
 * tails when something does not come up within `timeoutMs` (default 60 s).
 */
export async function startRadosgw(options: { timeoutMs?: number } = {}): Promise<Radosgw> {
  const bins = locateBinaries();
  const missing = BINARIES.filter((b) => !bins.has(b));
  if (missing.length > 0) {
    throw ioError('TEST.RADOSGW_MISSING', `cannot start the radosgw test server: ${missing.join(', ')} not found`, {
      help: `install them: ${RADOSGW_INSTALL_HINT} (or set FLOE_SKIP_S3_TESTS=1 to skip the S3 tests)`,
    });
  }
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'floe-radosgw-'));
  liveDirs.add(dir);
  const conf = path.join(dir, 'ceph.conf');
  for (const sub of ['run', 'log', 'mon', 'osd/0', 'rgw']) mkdirSync(path.join(dir, sub), { recursive: true });
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  writeFileSync(
    conf,
    `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
osd objectstore = memstore
memstore device bytes = 6442450944
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
paxos propose interval = 0.01
paxos min wait = 0.001
mon tick interval = 1
osd mon report interval = 1
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
keyring = ${dir}/keyring
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$id
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort} tcp_nodelay=1
rgw data = ${dir}/rgw
rgw gc obj min wait = 0
rgw gc processor period = 5
`,
  );

  const daemons: { name: string; child: ChildProcess }[] = [];
  const logTails = (): string =>
    ['mon.a', 'osd.0', 'client.rgw']
      .filter((n) => existsSync(path.join(dir, 'log', `${n}.log`)) || existsSync(path.join(dir, 'log', `${n}.stderr`)))
      .map((n) => `--- ${n}.log (last lines) ---\n${tail(path.join(dir, 'log', `${n}.log`), 25)}\n--- ${n} stderr ---\n${tail(path.join(dir, 'log', `${n}.stderr`), 10)}`)
      .join('\n');

  const stopAll = async (): Promise<void> => {
    // radosgw first (it holds client sessions to the OSD), then the OSD, then the monitor it reports to.
    for (const d of [...daemons].reverse()) await stopDaemon(d.child);
    daemons.length = 0;
  };

  const fail = async (what: string, cause?: unknown): Promise<never> => {
    const logs = logTails();
    await stopAll();
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    const err = ioError('TEST.RADOSGW_START_FAILED', `radosgw test server did not start (${what})${detail}\n${logs}`, cause === undefined ? {} : { cause });
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  };

  const remaining = (): number => Math.max(1000, deadline - Date.now());
  const run = async (cmd: string, args: string[]): Promise<string> => {
    try {
      return await execFileText(bins.get(cmd) ?? cmd, args, remaining());
    } catch (e) {
      return fail(`${cmd} ${args.filter((a) => a !== conf).join(' ')}`, e);
    }
  };
  const daemon = (name: string, cmd: string, args: string[]): void => {
    const stderr = openSync(path.join(dir, 'log', `${name}.stderr`), 'a');
    const child = spawn(bins.get(cmd) ?? cmd, ['-c', conf, ...args, '-f'], { stdio: ['ignore', stderr, stderr] });
    closeSync(stderr);
    trackForExit(child);
    daemons.push({ name, child });
  };
  const exited = (): string | undefined => daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null)?.name;

  const keyring = path.join(dir, 'keyring');
  await run('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
  await run('ceph-authtool', [keyring, '--gen-key', '-n', 'client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *']);
  const monmap = path.join(dir, 'monmap');
  await run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, monmap]);
  await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
  daemon('mon.a', 'ceph-mon', ['-i', 'a']);

  // `ceph` waits for the monitor to answer (bounded by --connect-timeout), so this doubles as its readiness check.
  const ceph = (...args: string[]): Promise<string> => run('ceph', ['-c', conf, '--connect-timeout', String(Math.ceil(remaining() / 1000)), ...args]);
  const osdUuid = randomUUID();
  const osdId = (await ceph('osd', 'create', osdUuid)).trim();
  if (osdId !== '0') await fail(`expected OSD id 0, got '${osdId}'`);
  await run('ceph-osd', ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
  await ceph('osd', 'crush', 'add-bucket', 'floe-host', 'host');
  await ceph('osd', 'crush', 'move', 'floe-host', 'root=default');
  await ceph('osd', 'crush', 'add', 'osd.0', '1.0', 'host=floe-host');
  daemon('osd.0', 'ceph-osd', ['-i', '0']);
  daemon('client.rgw', 'radosgw', ['-n', 'client.rgw']);

  // radosgw answers HTTP only after it has created its pools, which needs the OSD up: one wait covers both.
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  for (;;) {
    const gone = exited();
    if (gone !== undefined) await fail(`${gone} exited`);
    if (Date.now() > deadline) await fail(`no HTTP 200 from ${endpoint} within ${options.timeoutMs ?? 60_000} ms`);
    const status = await fetch(endpoint, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await run('radosgw-admin', ['-c', conf, 'user', 'create', '--uid=floe-test', '--display-name=Floe tests', `--access-key=${ACCESS_KEY}`, `--secret=${SECRET_KEY}`]);

  let stopped = false;
  return {
    endpoint,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    region: 'us-east-1',
    startupMs: Date.now() - started,
    dir,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

/** SIGTERM, then SIGKILL if the daemon has not exited after 10 s. */
async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function execFileText(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const text = `${stderr}`.trim().split('\n').slice(-8).join('\n');
        reject(Object.assign(new Error(`${err.message.split('\n')[0]}${text === '' ? '' : `\n${text}`}`), { cause: err }));
      } else {
        resolve(stdout);
      }
    });
  });
}
