/**
 * `floe sql`: an interactive client. Reads statements (possibly over several lines, ended by `;`), runs
 * each in the session, shows results as tables, keeps history in `~/.floe_history` (or
 * `$FLOE_HISTORY_FILE`) across sessions.
 * A failing statement prints its error and the client goes on.
 *
 * As in Flink's SQL client, `table.dml-sync` is false unless the user sets it: an INSERT is submitted, its
 * job id printed, and the prompt comes back while the job runs. `SHOW JOBS` and `STOP JOB` manage such
 * jobs; leaving the client (QUIT, or the end of its input) cancels the ones still running, since they run
 * in this process.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runStatement, type OutputFormat, type ResultMode, type Session } from '../api/index.js';
import { reportErrorText } from './report-error.js';

/** `$FLOE_HISTORY_FILE`, else `~/.floe_history`. */
const HISTORY_FILE = process.env['FLOE_HISTORY_FILE'] ?? join(homedir(), '.floe_history');
const HISTORY_LIMIT = 1000;

function loadHistory(): string[] {
  try {
    return readFileSync(HISTORY_FILE, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_LIMIT).reverse();
  } catch {
    return [];
  }
}

/** True when `text` holds at least one complete statement: a `;` outside quotes and comments. */
export function endsStatement(text: string): boolean {
  let quote: string | null = null;
  let lineComment = false;
  let blockComment = false;
  let last = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (lineComment) {
      if (c === '\n') lineComment = false;
      continue;
    }
    if (blockComment) {
      if (c === '*' && next === '/') {
        blockComment = false;
        i++;
      }
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '`' || c === '"') quote = c;
    else if (c === '-' && next === '-') lineComment = true;
    else if (c === '/' && next === '*') blockComment = true;
    else if (!/\s/.test(c)) last = c;
  }
  return last === ';' && !quote;
}

export async function runInteractive(session: Session, options: { format: OutputFormat; resultMode: ResultMode }): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, history: loadHistory(), historySize: HISTORY_LIMIT, terminal: process.stdin.isTTY === true });
  process.stdout.write("Floe SQL client. End statements with ';'. Type HELP; for help, QUIT; to leave.\n");
  let buffer = '';
  rl.setPrompt('Floe SQL> ');
  rl.prompt();
  for await (const line of rl) {
    buffer += (buffer ? '\n' : '') + line;
    if (!endsStatement(buffer)) {
      rl.setPrompt(buffer.trim() ? '       > ' : 'Floe SQL> ');
      rl.prompt();
      continue;
    }
    const text = buffer.trim();
    buffer = '';
    try {
      appendFileSync(HISTORY_FILE, text.replace(/\n/g, ' ') + '\n');
    } catch {
      // History is a convenience; an unwritable home directory must not stop the client.
    }
    const command = text.replace(/;\s*$/, '').trim().toUpperCase();
    if (command === 'QUIT' || command === 'EXIT') break;
    if (command === 'HELP') {
      process.stdout.write(HELP);
    } else {
      try {
        for (const statement of session.parse(text)) {
          await runStatement(session, statement, {
            format: options.format,
            resultMode: options.resultMode,
            out: (t) => process.stdout.write(t),
            err: (t) => process.stdout.write(t),
            verbose: true,
            dmlSync: false,
          });
        }
      } catch (e) {
        process.stdout.write(reportErrorText(e));
      }
    }
    rl.setPrompt('Floe SQL> ');
    rl.prompt();
  }
  rl.close();
  await cancelRunningJobs(session);
}

/** Jobs run inside this process, so they cannot outlive the client: cancel them, and say which. */
async function cancelRunningJobs(session: Session): Promise<void> {
  const running = session.jobs.running();
  if (running.length === 0) return;
  process.stdout.write(`[INFO] Cancelling ${running.length} running job${running.length === 1 ? '' : 's'} before exit:\n`);
  for (const j of running) process.stdout.write(`  ${j.id} (${j.name})\n`);
  await session.jobs.cancelAll();
}

const HELP = `Statements: CREATE TABLE/VIEW/FUNCTION, DROP, SHOW TABLES|VIEWS|FUNCTIONS, DESCRIBE t,
SET 'key' = 'value' (SET; lists), RESET, EXPLAIN …, INSERT INTO … SELECT …, SELECT …,
EXECUTE STATEMENT SET BEGIN … END;  SHOW JOBS;  STOP JOB '<id>' [WITH SAVEPOINT];
INSERTs run in the background unless SET 'table.dml-sync' = 'true'.  QUIT; leaves (cancelling running jobs).
`;
