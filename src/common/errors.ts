/**
 * Structured errors. Every error Floe raises on purpose is a `FloeError`: it has a kind (who is at fault),
 * a stable code (for tests, docs and tools), a message that names the offending thing, an optional SQL
 * span, and notes/help lines. Errors serialise to JSON unchanged (`toJSON`) for the REST API and UI.
 */

/** Who is at fault, which decides how the CLI reports it and whether a restart could help. */
export type ErrorKind = 'user' | 'unsupported' | 'runtime' | 'io' | 'internal';

/** A position in SQL text: 1-based line and column, 0-based character offset. */
export interface SourcePos {
  readonly line: number;
  readonly col: number;
  readonly offset: number;
}

/** A half-open range of SQL text, `start` inclusive, `end` exclusive. */
export interface SourceSpan {
  readonly start: SourcePos;
  readonly end: SourcePos;
}

export interface FloeErrorOptions {
  readonly span?: SourceSpan | undefined;
  readonly notes?: readonly string[];
  readonly help?: string | undefined;
  readonly cause?: unknown;
}

export class FloeError extends Error {
  readonly kind: ErrorKind;
  /** Stable, dotted, upper-case code, e.g. `SQL.PARSE`, `PLAN.UNKNOWN_COLUMN`. Never reworded. */
  readonly code: string;
  readonly span: SourceSpan | undefined;
  readonly notes: readonly string[];
  readonly help: string | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: FloeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FloeError';
    this.kind = kind;
    this.code = code;
    this.span = options.span;
    this.notes = options.notes ?? [];
    this.help = options.help;
  }

  /** `line:col: message` when there is a span, else the message; notes and help follow on their own lines. */
  describe(): string {
    const head = this.span ? `${this.span.start.line}:${this.span.start.col}: ${this.message}` : this.message;
    const tail = [...this.notes.map((n) => `  note: ${n}`), ...(this.help ? [`  help: ${this.help}`] : [])];
    const bug = this.kind === 'internal' ? ['  (this is likely a bug in Floe; please report it)'] : [];
    return [head, ...tail, ...bug].join('\n');
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      span: this.span,
      notes: this.notes,
      help: this.help,
    };
  }
}

/** Several diagnostics collected in one pass (the parser and binder report all they find). */
export class FloeErrors extends FloeError {
  readonly errors: readonly FloeError[];
  constructor(errors: readonly FloeError[]) {
    const first = errors[0];
    if (!first) throw new Error('FloeErrors needs at least one error');
    super(first.kind, first.code, first.message, { span: first.span, notes: first.notes, help: first.help });
    this.errors = errors;
  }
  override describe(): string {
    return this.errors.map((e) => e.describe()).join('\n');
  }
}

export const userError = (code: string, message: string, options?: FloeErrorOptions): FloeError =>
  new FloeError('user', code, message, options);
export const unsupported = (code: string, message: string, options?: FloeErrorOptions): FloeError =>
  new FloeError('unsupported', code, message, options);
export const runtimeError = (code: string, message: string, options?: FloeErrorOptions): FloeError =>
  new FloeError('runtime', code, message, options);
export const ioError = (code: string, message: string, options?: FloeErrorOptions): FloeError =>
  new FloeError('io', code, message, options);
export const internalError = (message: string, options?: FloeErrorOptions): FloeError =>
  new FloeError('internal', 'INTERNAL', message, options);

/** Exhaustiveness check for `switch` over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw internalError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
