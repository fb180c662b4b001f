/**
 * Stable error codes raised by the SQL front end. Tests, docs and tools match on these; never reword one.
 */
export const SqlErrorCode = {
  /** Generic syntax error: `expected <what>, found <token>`. */
  PARSE: 'SQL.PARSE',
  /** A string, quoted identifier, comment or hint that is never closed. */
  UNTERMINATED: 'SQL.UNTERMINATED',
  /** A character that cannot start any token. */
  UNEXPECTED_CHARACTER: 'SQL.UNEXPECTED_CHARACTER',
  /** `${NAME}` left in the text (the CLI substitutes these with `--var NAME=VALUE`). */
  UNSUBSTITUTED_VARIABLE: 'SQL.UNSUBSTITUTED_VARIABLE',
  /** `substituteVariables` met `${NAME}` with no value for NAME. */
  UNKNOWN_VARIABLE: 'SQL.UNKNOWN_VARIABLE',
  /** A type name that is not a Flink data type. */
  UNKNOWN_TYPE: 'SQL.UNKNOWN_TYPE',
  /** Syntax from other SQL dialects that Flink does not accept (`x::INT`, double-quoted names). */
  FOREIGN_SYNTAX: 'SQL.FOREIGN_SYNTAX',
  /** Valid Flink SQL that Floe does not parse yet (e.g. MATCH_RECOGNIZE); kind `unsupported`. */
  UNSUPPORTED: 'SQL.UNSUPPORTED',
} as const;

export type SqlErrorCode = (typeof SqlErrorCode)[keyof typeof SqlErrorCode];
