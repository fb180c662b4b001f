/** Helpers for tests that drive a `Session` with SQL text. */
import assert from 'node:assert/strict';
import { FloeError } from '../../src/common/index.js';
import type { Session, StatementResult } from '../../src/api/index.js';

/** Runs every statement of `sql` in order, waiting for each job to end; returns the last statement's result. */
export async function runSql(s: Session, sql: string, vars: Record<string, string> = {}): Promise<StatementResult> {
  let last: StatementResult | undefined;
  for (const st of s.parse(sql, vars)) {
    last = await s.execute(st);
    if (last.kind === 'job') await last.handle.done;
  }
  return last!;
}

/**
 * An `assert.rejects` matcher: a FloeError with code `code` whose message, notes or help match `message`
 * (when given).
 */
export function floeError(code: string, message?: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof FloeError && e.code === code && (message === undefined || message.test(`${e.message}\n${e.notes.join('\n')}\n${e.help ?? ''}`));
}

/** Executes the statements of `sql`; returns the job the last one started, without waiting for it. */
export async function startJob(s: Session, sql: string, vars: Record<string, string> = {}): Promise<Extract<StatementResult, { kind: 'job' }>> {
  let last: StatementResult | undefined;
  for (const st of s.parse(sql, vars)) last = await s.execute(st);
  assert.equal(last?.kind, 'job');
  return last as Extract<StatementResult, { kind: 'job' }>;
}

/** Polls `check` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
