/**
 * `${NAME}` substitution, as `floe run --var NAME=VALUE` does before parsing (the Nexmark scripts rely on it:
 * `'first-event.rate' = '${TPS}'`, `FROM ${NEXMARK_TABLE}`).
 */
import { userError } from '../common/index.js';
import { closestMatch as didYouMean } from '../common/index.js';
import { LineIndex, formatPos } from './line-index.js';
import { SqlErrorCode } from './sql-error-codes.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/**
 * Replaces every `${NAME}` in `text` by `vars[NAME]`. Substitution is textual (inside strings too, which is
 * where most variables live) and single-pass: a value containing `${…}` is not expanded again.
 * Throws a `FloeError` (`SQL.UNKNOWN_VARIABLE`) naming the line:col of the first unknown variable.
 *
 * @example
 * substituteVariables("SELECT * FROM ${T}", { T: 'datagen' }) // "SELECT * FROM datagen"
 */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>): string {
  let lines: LineIndex | undefined;
  return text.replace(VARIABLE, (match: string, name: string, offset: number) => {
    const value = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
    if (value !== undefined) return value;
    lines ??= new LineIndex(text);
    const span = lines.span(offset, offset + match.length);
    const guess = didYouMean(name, Object.keys(vars));
    throw userError(
      SqlErrorCode.UNKNOWN_VARIABLE,
      `unknown variable \${${name}} at ${formatPos(span.start)}; pass --var ${name}=VALUE`,
      { span, help: guess === undefined ? undefined : `did you mean \${${guess}}?` },
    );
  });
}
