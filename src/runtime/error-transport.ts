/**
 * Errors across the worker boundary: structured clone drops a FloeError's class and fields, so a failure
 * is sent as plain data and rebuilt on the other side with the same kind, code, message, span, notes and
 * help (tests and the CLI match on `code`).
 */
import { FloeError, runtimeError } from '../common/index.js';
import type { ErrorKind, SourceSpan } from '../common/index.js';

export interface SerializedError {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly span: SourceSpan | undefined;
  readonly notes: readonly string[];
  readonly help: string | undefined;
  readonly stack: string | undefined;
}

/** Where a failure happened, for the note added to the error. */
export interface TaskLocation {
  readonly nodeId: number;
  readonly nodeName: string;
  readonly subtask: number;
  readonly parallelism: number;
}

/**
 * A FloeError for anything an operator threw: FloeErrors keep kind/code/message and gain a note naming
 * the task; other errors (bugs, library errors) become `RUNTIME.OPERATOR_FAILED` naming the task.
 */
export function toTaskError(error: unknown, where: TaskLocation | null): FloeError {
  const note = where ? `in ${where.nodeName} (node ${where.nodeId}, subtask ${where.subtask + 1}/${where.parallelism})` : null;
  if (error instanceof FloeError) {
    if (note === null || error.notes.includes(note)) return error;
    const copy = new FloeError(error.kind, error.code, error.message, { span: error.span, notes: [...error.notes, note], help: error.help, cause: error.cause });
    if (error.stack) copy.stack = error.stack;
    return copy;
  }
  const message = error instanceof Error ? error.message : String(error);
  const what = where ? `operator ${where.nodeName} (node ${where.nodeId}, subtask ${where.subtask + 1}/${where.parallelism}) failed: ${message}` : message;
  const wrapped = runtimeError('RUNTIME.OPERATOR_FAILED', what, { cause: error });
  if (error instanceof Error && error.stack) wrapped.stack = error.stack;
  return wrapped;
}

export function serializeError(error: unknown): SerializedError {
  const e = toTaskError(error, null);
  return { kind: e.kind, code: e.code, message: e.message, span: e.span, notes: e.notes, help: e.help, stack: e.stack };
}

export function deserializeError(data: SerializedError): FloeError {
  const e = new FloeError(data.kind, data.code, data.message, { span: data.span, notes: data.notes, help: data.help });
  if (data.stack) e.stack = data.stack;
  return e;
}
