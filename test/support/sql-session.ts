/** Helpers for tests that drive a `Session` with SQL text. */
import { FloeError } from '../../src/common/index.js';
import type { Session, StatementResult } from '../../src/api/index.js';

/** Runs every statement of `sql` in order, waiting for each job to end; returns the last statement's result. */
export async function runSql(s: Session, sql: string): Promise<StatementResult> {
  let last: StatementResult | undefined;
  for (const st of s.parse(sql)) {
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
