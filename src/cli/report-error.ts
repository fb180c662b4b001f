import { FloeError } from '../common/index.js';

/**
 * The text the CLI prints for an error: `error: FILE:LINE:COL: message` plus notes for FloeErrors; anything
 * else is an unexpected failure and says it is likely a bug, with the stack.
 */
export function reportErrorText(error: unknown, file?: string): string {
  if (error instanceof FloeError) {
    const where = file && error.span ? `${file}:` : '';
    return `error: ${where}${error.describe()}\n`;
  }
  if (error instanceof Error) {
    return `error: ${error.message}\n  (this is likely a bug in Floe; please report it)\n${error.stack ?? ''}\n`;
  }
  return `error: ${String(error)}\n`;
}
