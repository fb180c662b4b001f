/**
 * Binds the identifier of `CREATE FUNCTION name AS '…'` to an implementation reference any worker can load
 * (`UdfCallIR.ref`):
 * - `'file:./udf.js#countChar'`: a JS module; the path is resolved against the script's directory
 *   (`baseDir`), giving `file:/abs/udf.js#countChar` (export `default` when no `#` is given).
 * - `'builtin:name'`: a JS implementation Floe ships.
 * - A Java class name (`com.x.Cls`, the default LANGUAGE JAVA): looked up in config
 *   `floe.udf.class-bindings` (`com.x.Cls=file:…#fn;com.y.Other=builtin:…`), then in the built-in table
 *   below; an unbound class is an error that says how to bind it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { unsupported, userError, type SourceSpan } from '../common/index.js';

export const CLASS_BINDINGS_OPTION = 'floe.udf.class-bindings';

/** Java UDF classes of well-known workloads that Floe implements natively. */
export const BUILTIN_CLASS_BINDINGS: Readonly<Record<string, string>> = {
  'com.github.nexmark.flink.udf.CountChar': 'builtin:count_char',
};

export interface FunctionBindingContext {
  readonly baseDir: string;
  readonly config: Readonly<Record<string, string>>;
  readonly span?: SourceSpan | undefined;
}

/** Parses `floe.udf.class-bindings`; malformed entries are errors naming the entry. */
export function parseClassBindings(value: string | undefined, span?: SourceSpan): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const raw of value.split(';')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) {
      throw userError('PLAN.BAD_CLASS_BINDING', `bad entry '${entry}' in '${CLASS_BINDINGS_OPTION}': expected 'com.x.Cls=file:./udf.js#fn' or 'com.x.Cls=builtin:name'`, { span });
    }
    out.set(entry.slice(0, eq).trim(), entry.slice(eq + 1).trim());
  }
  return out;
}

/** The `ref` for a function identifier (see the module comment); throws FloeError when it cannot be bound. */
export function bindFunctionIdentifier(identifier: string, language: string | undefined, ctx: FunctionBindingContext): string {
  const lang = (language ?? 'JAVA').toUpperCase();
  if (identifier.startsWith('builtin:')) {
    if (identifier.length === 'builtin:'.length) {
      throw userError('PLAN.BAD_FUNCTION_IDENTIFIER', `'${identifier}' names no built-in implementation`, { span: ctx.span });
    }
    return identifier;
  }
  if (identifier.startsWith('file:')) return bindFile(identifier, ctx);
  if (lang === 'PYTHON') {
    throw unsupported('PLAN.UNSUPPORTED_LANGUAGE', `Python functions are not supported ('${identifier}')`, {
      span: ctx.span,
      help: `implement it in JavaScript and register it with AS 'file:./udf.js#name'`,
    });
  }
  if ((lang === 'JAVASCRIPT' || lang === 'TYPESCRIPT') && !identifier.includes(':')) {
    return bindFile(`file:${identifier}`, ctx);
  }
  const bound = parseClassBindings(ctx.config[CLASS_BINDINGS_OPTION], ctx.span).get(identifier) ?? BUILTIN_CLASS_BINDINGS[identifier];
  if (bound !== undefined) return bound.startsWith('file:') ? bindFile(bound, ctx) : bindFunctionIdentifier(bound, 'JAVASCRIPT', ctx);
  throw userError('PLAN.UNBOUND_JAVA_FUNCTION', `Java class '${identifier}' has no JavaScript implementation bound to it`, {
    span: ctx.span,
    help: `bind it with SET '${CLASS_BINDINGS_OPTION}' = '${identifier}=file:./udf.js#myFunction' (or =builtin:<name>), or create the function AS 'file:./udf.js#myFunction'`,
  });
}

function bindFile(identifier: string, ctx: FunctionBindingContext): string {
  const body = identifier.slice('file:'.length);
  const hash = body.lastIndexOf('#');
  const path = hash >= 0 ? body.slice(0, hash) : body;
  const exportName = hash >= 0 ? body.slice(hash + 1) : 'default';
  if (path === '' || exportName === '') {
    throw userError('PLAN.BAD_FUNCTION_IDENTIFIER', `bad function identifier '${identifier}': expected 'file:./path.js#exportName'`, { span: ctx.span });
  }
  const abs = isAbsolute(path) ? path : resolve(ctx.baseDir, path);
  if (!existsSync(abs)) {
    throw userError('PLAN.UDF_NOT_FOUND', `function module '${path}' not found (looked for ${abs})`, { span: ctx.span });
  }
  return `file:${abs}#${exportName}`;
}
