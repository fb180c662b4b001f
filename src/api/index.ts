export { Session, scriptBaseDir } from './session.js';
export type { SessionOptions, StatementResult, QueryExecution } from './session.js';
export { SessionJobs } from './session-jobs.js';
export type { SessionJob, SessionJobStatus } from './session-jobs.js';
export { runScript, runStatement } from './script-runner.js';
export type { ScriptOptions } from './script-runner.js';
export { MaterializedTable, ChangelogPrinter, renderFinal, renderTable, cellText } from './result-output.js';
export type { OutputFormat, ResultMode } from './result-output.js';
