/**
 * String functions. Positions are 1-based; lengths count UTF-16 code units except CHAR_LENGTH, which counts
 * code points (as Flink counts characters). Regular expressions use Java syntax, translated to JS
 * (`javaRegExp`); an invalid pattern makes REGEXP_* return NULL, as Flink does.
 *
 * TRIM: the planner passes `TRIM(BOTH 'x' FROM s)` as `TRIM('BOTH', 'x', s)` and `TRIM(LEADING FROM s)` as
 * `TRIM('LEADING', s)` (the Symbol becomes a string literal); `TRIM(s)` trims spaces on both sides.
 */
import { createHash } from 'node:crypto';
import { type LogicalType } from '../../types/index.js';
import { BOOLEAN, INT, STRING, defineFunction, type ScalarFunctionDef } from './function-def.js';

const NN_STRING = STRING;

// ---------------------------------------------------------------------------------------------------------
// Java regex → JS RegExp

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  L: '\\p{L}',
  IsAlphabetic: '\\p{Alphabetic}',
  javaLowerCase: 'a-z',
  javaUpperCase: 'A-Z',
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const regexCache = new Map<string, RegExp | null>();

/**
 * Translates the common Java regex syntax to a JS RegExp: leading inline flags `(?i)`/`(?s)`/`(?m)`,
 * `\Q…\E` quoting, `\A` `\z` `\Z` anchors, POSIX `\p{Alpha}`-style classes, possessive quantifiers (as greedy)
 * and atomic groups (as plain groups). Returns null when the pattern is invalid.
 */
export function javaRegExp(pattern: string, global = false): RegExp | null {
  const key = (global ? 'g:' : ':') + pattern;
  const hit = regexCache.get(key);
  if (hit !== undefined) {
    if (hit !== null) hit.lastIndex = 0;
    return hit;
  }
  let flags = global ? 'g' : '';
  let p = pattern;
  const inline = /^\(\?([imsux]+)\)/.exec(p);
  if (inline) {
    for (const f of inline[1]!) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    p = p.slice(inline[0].length);
  }
  let out = '';
  let unicode = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        out += escapeRegExp(lit);
        i = end < 0 ? p.length : end + 1;
        continue;
      }
      if (n === 'A') {
        out += '^';
        i++;
        continue;
      }
      if (n === 'z' || n === 'Z') {
        out += '$';
        i++;
        continue;
      }
      if ((n === 'p' || n === 'P') && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        const name = p.slice(i + 3, end).replace(/^Is/, (m) => (POSIX_CLASSES['Is' + p.slice(i + 5, end)] ? m : ''));
        const cls = POSIX_CLASSES[name] ?? POSIX_CLASSES[p.slice(i + 3, end)];
        if (cls !== undefined && end > 0) {
          if (cls.startsWith('\\p')) unicode = true;
          out += (n === 'p' ? '[' : '[^') + cls + ']';
          i = end;
          continue;
        }
      }
      out += c + (n ?? '');
      i++;
      continue;
    }
    if (c === '+' && i > 0 && '*+?}'.includes(p[i - 1]!) && p[i - 2] !== '\\') continue; // possessive → greedy
    if (c === '(' && p[i + 1] === '?' && p[i + 2] === '>') {
      out += '(?:';
      i += 2;
      continue;
    }
    out += c;
  }
  let re: RegExp | null;
  try {
    re = new RegExp(out, flags + (unicode ? 'u' : ''));
  } catch {
    re = null;
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/** Java's `Matcher.replaceAll` replacement text → JS: `\x` is a literal x, `$n`/`${name}` are groups. */
function javaReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '\\' && i + 1 < r.length) {
      const n = r[++i]!;
      out += n === '$' ? '$$' : n;
    } else if (c === '$' && r[i + 1] === '{') {
      const end = r.indexOf('}', i);
      out += '$<' + r.slice(i + 2, end) + '>';
      i = end;
    } else out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** Flink's substring: start > 0 is 1-based, start < 0 counts from the end, 0 is treated as 1; len < 0 → NULL. */
export function sqlSubstring(s: string, start: number, length?: number): string | null {
  if (length !== undefined && length < 0) return null;
  const n = s.length;
  let from: number;
  if (start > 0) {
    from = start - 1;
    if (from >= n) return '';
  } else if (start < 0) {
    from = n + start;
    if (from < 0) return '';
  } else from = 0;
  const to = length === undefined || n - from < length ? n : from + length;
  return s.slice(from, to);
}

function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let a = 0;
  let b = s.length;
  if (leading) while (a < b && chars.includes(s[a]!)) a++;
  if (trailing) while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function trimMode(mode: string): [boolean, boolean] {
  const m = mode.toUpperCase();
  return [m !== 'TRAILING', m !== 'LEADING'];
}

/** SPLIT_INDEX: 0-based token of `s` split on the whole separator, keeping empty tokens; NULL out of range. */
export function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0) return null;
  if (sep.length === 0) return index === 0 && s.length > 0 ? s : null;
  let start = 0;
  for (let i = 0; i < index; i++) {
    const at = s.indexOf(sep, start);
    if (at < 0) return null;
    start = at + sep.length;
  }
  // Flink (commons-lang splitByWholeSeparatorPreserveAllTokens) yields no tokens for an empty string.
  if (s.length === 0) return null;
  const end = s.indexOf(sep, start);
  return end < 0 ? s.slice(start) : s.slice(start, end);
}

/** REGEXP_EXTRACT: group `index` (0 = whole match) of the first match; NULL when no match or bad index/pattern. */
export function regexpExtract(s: string, regex: string, index = 0): string | null {
  const re = javaRegExp(regex);
  if (re === null || index < 0) return null;
  const m = re.exec(s);
  if (m === null || index >= m.length) return null;
  return m[index] ?? null;
}

function pad(s: string, len: number, padding: string, left: boolean): string | null {
  if (len < 0 || padding.length === 0) return null;
  if (len <= s.length) return s.slice(0, len);
  const need = len - s.length;
  const fill = padding.repeat(Math.ceil(need / padding.length)).slice(0, need);
  return left ? fill + s : s + fill;
}

function initcap(s: string): string {
  let out = '';
  let startOfWord = true;
  for (const ch of s) {
    const isWordChar = /[\p{L}\p{N}]/u.test(ch);
    out += startOfWord && isWordChar ? ch.toUpperCase() : ch.toLowerCase();
    startOfWord = !isWordChar;
  }
  return out;
}

function hash(algorithm: string): (s: string) => string {
  return (s) => createHash(algorithm).update(s, 'utf8').digest('hex');
}

const concatType = (args: readonly LogicalType[]): LogicalType => {
  let len = 0;
  for (const a of args) len += (a as { length?: number }).length ?? 0;
  return len > 0 && len < 2147483647 ? { kind: 'VARCHAR', length: len, nullable: true } : STRING;
};

const concatOp = defineFunction({
  names: ['||'],
  signatures: [{ args: ['string', 'string'], returns: concatType }],
  description: "a || b: concatenation; NULL if either is NULL. 'ab' || 'cd' = 'abcd'",
  implement: () => ({ kernel: (a: string, b: string) => a + b, inline: ([a, b]) => `(${a} + ${b})` }),
});

const concat = defineFunction({
  names: ['CONCAT'],
  signatures: [{ args: ['string'], variadic: true, returns: STRING }],
  description: "CONCAT(s1, s2, …): concatenation; NULL if any argument is NULL. CONCAT('a', 'b', 'c') = 'abc'",
  implement: () => (...xs: string[]) => xs.join(''),
});

const concatWs = defineFunction({
  names: ['CONCAT_WS'],
  signatures: [{ args: ['string', 'string'], variadic: true, returns: STRING }],
  description: "CONCAT_WS(sep, s1, …): joins the non-NULL strings with sep; NULL only when sep is NULL. CONCAT_WS('-', 'a', NULL, 'b') = 'a-b'",
  nulls: 'custom',
  resultNullable: false,
  implement: () => ({
    kernel: (sep: string | null, ...xs: (string | null)[]) => {
      if (sep === null) return null;
      let out = '';
      let first = true;
      for (const x of xs) {
        if (x === null) continue;
        out += first ? x : sep + x;
        first = false;
      }
      return out;
    },
    mayReturnNull: true,
  }),
});

const trim = defineFunction({
  names: ['TRIM', 'BTRIM'],
  signatures: [
    { args: ['string'], returns: STRING },
    { args: ['string', 'string'], returns: STRING },
    { args: ['string', 'string', 'string'], returns: STRING },
  ],
  description: "TRIM([BOTH|LEADING|TRAILING] [chars] FROM s): removes the characters (default space). TRIM(LEADING 'x' FROM 'xxa') = 'a'",
  implement(argTypes) {
    if (argTypes.length === 1) return (s: string) => trimChars(s, ' ', true, true);
    if (argTypes.length === 2) return (mode: string, s: string) => trimChars(s, ' ', ...trimMode(mode));
    return (mode: string, chars: string, s: string) => trimChars(s, chars, ...trimMode(mode));
  },
});

const sideTrim = (name: 'LTRIM' | 'RTRIM', leading: boolean): ScalarFunctionDef =>
  defineFunction({
    names: [name],
    signatures: [{ args: ['string', 'string'], optional: 1, returns: STRING }],
    description: `${name}(s[, chars]): removes ${leading ? 'leading' : 'trailing'} characters (default space). ${name}('  a  ') = '${leading ? 'a  ' : '  a'}'`,
    implement: () => (s: string, chars = ' ') => trimChars(s, chars, leading, !leading),
  });

const substring = defineFunction({
  names: ['SUBSTRING', 'SUBSTR'],
  signatures: [{ args: ['string', 'integer', 'integer'], optional: 1, returns: STRING }],
  description: "SUBSTRING(s, start[, len]): 1-based; a negative start counts from the end. SUBSTRING('hello', 2, 3) = 'ell'",
  resultNullable: true,
  implement: () => ({ kernel: sqlSubstring, mayReturnNull: true }),
});

const position = defineFunction({
  names: ['POSITION'],
  signatures: [{ args: ['string', 'string'], returns: INT }],
  description: "POSITION(sub IN s): 1-based position of the first occurrence, 0 if none. POSITION('b' IN 'abc') = 2",
  implement: () => (sub: string, s: string) => s.indexOf(sub) + 1,
});

const locate = defineFunction({
  names: ['LOCATE'],
  signatures: [{ args: ['string', 'string', 'integer'], optional: 1, returns: INT }],
  description: "LOCATE(sub, s[, from]): 1-based position of sub in s at or after from, 0 if none. LOCATE('b', 'abcb', 3) = 4",
  implement: () => (sub: string, s: string, from = 1) => (from < 1 ? 0 : s.indexOf(sub, from - 1) + 1),
});

const instr = defineFunction({
  names: ['INSTR'],
  signatures: [{ args: ['string', 'string'], returns: INT }],
  description: "INSTR(s, sub): 1-based position of the first occurrence of sub in s, 0 if none. INSTR('abc', 'c') = 3",
  implement: () => (s: string, sub: string) => s.indexOf(sub) + 1,
});

const padFn = (name: 'LPAD' | 'RPAD', left: boolean): ScalarFunctionDef =>
  defineFunction({
    names: [name],
    signatures: [{ args: ['string', 'integer', 'string'], returns: STRING }],
    description: `${name}(s, len, pad): pads s on the ${left ? 'left' : 'right'} to len characters (or cuts it to len). ${name}('hi', 4, '?') = '${left ? '??hi' : 'hi??'}'`,
    resultNullable: true,
    implement: () => ({ kernel: (s: string, len: number, p: string) => pad(s, len, p, left), mayReturnNull: true }),
  });

const splitIndexDef = defineFunction({
  names: ['SPLIT_INDEX'],
  signatures: [{ args: ['string', 'string', 'integer'], returns: STRING }],
  description: "SPLIT_INDEX(s, sep, i): the i-th (0-based) token of s split by sep, keeping empty tokens; NULL out of range. SPLIT_INDEX('a,b,c', ',', 1) = 'b'",
  resultNullable: true,
  implement: () => ({ kernel: splitIndex, mayReturnNull: true }),
});

const regexpExtractDef = defineFunction({
  names: ['REGEXP_EXTRACT'],
  signatures: [{ args: ['string', 'string', 'integer'], optional: 1, returns: STRING }],
  description: "REGEXP_EXTRACT(s, regex[, group]): the group (default 0, the whole match) of the first match; NULL if none. REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2) = 'bar'",
  resultNullable: true,
  implement: () => ({ kernel: regexpExtract, mayReturnNull: true }),
});

const regexpReplace = defineFunction({
  names: ['REGEXP_REPLACE'],
  signatures: [{ args: ['string', 'string', 'string'], returns: STRING }],
  description: "REGEXP_REPLACE(s, regex, replacement): replaces every match ($1 refers to a group). REGEXP_REPLACE('foobar', 'oo|ar', '') = 'fb'",
  resultNullable: true,
  implement: () => ({
    kernel: (s: string, regex: string, repl: string) => {
      const re = javaRegExp(regex, true);
      return re === null ? null : s.replace(re, javaReplacement(repl));
    },
    mayReturnNull: true,
  }),
});

const regexp = defineFunction({
  names: ['REGEXP'],
  signatures: [{ args: ['string', 'string'], returns: BOOLEAN }],
  description: "REGEXP(s, regex): TRUE when some substring of s matches. REGEXP('abc', 'b.') = TRUE",
  resultNullable: true,
  implement: () => ({
    kernel: (s: string, regex: string) => {
      const re = javaRegExp(regex);
      return re === null ? null : re.test(s);
    },
    mayReturnNull: true,
  }),
});

const simple = (names: string[], description: string, ret: LogicalType, f: (s: string) => unknown, inline?: (a: readonly string[]) => string): ScalarFunctionDef =>
  defineFunction({
    names,
    signatures: [{ args: ['string'], returns: ret }],
    description,
    implement: () => (inline ? { kernel: f, inline } : f),
  });

const fromBase64 = defineFunction({
  names: ['FROM_BASE64'],
  signatures: [{ args: ['string'], returns: STRING }],
  description: "FROM_BASE64(s): decodes base64 to a UTF-8 string. FROM_BASE64('aGVsbG8=') = 'hello'",
  implement: () => (s: string) => Buffer.from(s, 'base64').toString('utf8'),
});

const toBase64 = defineFunction({
  names: ['TO_BASE64'],
  signatures: [{ args: ['string'], returns: STRING }, { args: ['bytes'], returns: STRING }],
  description: "TO_BASE64(s): base64 of the UTF-8 bytes of s. TO_BASE64('hello') = 'aGVsbG8='",
  implement: (argTypes) =>
    argTypes[0]!.kind === 'VARCHAR' || argTypes[0]!.kind === 'CHAR'
      ? (s: string) => Buffer.from(s, 'utf8').toString('base64')
      : (b: Uint8Array) => Buffer.from(b).toString('base64'),
});

const sha2 = defineFunction({
  names: ['SHA2'],
  signatures: [{ args: ['string', 'integer'], returns: STRING }],
  description: "SHA2(s, bits): SHA-224/256/384/512 hex digest; NULL for other bit lengths. SHA2('a', 256) = 'ca978112…'",
  resultNullable: true,
  implement: () => ({
    kernel: (s: string, bits: number) => ([224, 256, 384, 512].includes(bits) ? createHash('sha' + bits).update(s, 'utf8').digest('hex') : null),
    mayReturnNull: true,
  }),
});

const repeat = defineFunction({
  names: ['REPEAT'],
  signatures: [{ args: ['string', 'integer'], returns: STRING }],
  description: "REPEAT(s, n): s repeated n times ('' for n ≤ 0). REPEAT('ab', 3) = 'ababab'",
  implement: () => (s: string, n: number) => (n <= 0 ? '' : s.repeat(n)),
});

const replace = defineFunction({
  names: ['REPLACE'],
  signatures: [{ args: ['string', 'string', 'string'], returns: STRING }],
  description: "REPLACE(s, search, replacement): replaces every occurrence. REPLACE('a-b-c', '-', '+') = 'a+b+c'",
  implement: () => (s: string, search: string, r: string) => (search.length === 0 ? s : s.split(search).join(r)),
});

const leftRight = (name: 'LEFT' | 'RIGHT'): ScalarFunctionDef =>
  defineFunction({
    names: [name],
    signatures: [{ args: ['string', 'integer'], returns: STRING }],
    description: `${name}(s, n): the ${name.toLowerCase()}most n characters ('' for n ≤ 0). ${name}('hello', 2) = '${name === 'LEFT' ? 'he' : 'lo'}'`,
    implement: () => (name === 'LEFT' ? (s: string, n: number) => (n <= 0 ? '' : s.slice(0, n)) : (s: string, n: number) => (n <= 0 ? '' : s.slice(Math.max(0, s.length - n)))),
  });

const chr = defineFunction({
  names: ['CHR'],
  signatures: [{ args: ['integer'], returns: STRING }],
  description: "CHR(n): the character with code n modulo 256 (Flink). CHR(97) = 'a'",
  implement: () => (n: number) => (n < 0 ? '' : String.fromCharCode(n & 0xff)),
});

const stringEquals = defineFunction({
  names: ['STARTS_WITH'],
  signatures: [{ args: ['string', 'string'], returns: BOOLEAN }],
  description: "STARTS_WITH(s, prefix): TRUE when s begins with prefix. STARTS_WITH('abc', 'ab') = TRUE",
  implement: () => (s: string, p: string) => s.startsWith(p),
});

const endsWith = defineFunction({
  names: ['ENDS_WITH'],
  signatures: [{ args: ['string', 'string'], returns: BOOLEAN }],
  description: "ENDS_WITH(s, suffix): TRUE when s ends with suffix. ENDS_WITH('abc', 'bc') = TRUE",
  implement: () => (s: string, p: string) => s.endsWith(p),
});

export const STRING_FUNCTIONS: readonly ScalarFunctionDef[] = [
  concatOp,
  concat,
  concatWs,
  simple(['CHAR_LENGTH', 'CHARACTER_LENGTH'], "CHAR_LENGTH(s): number of characters. CHAR_LENGTH('héllo') = 5", INT, codePointLength),
  simple(['UPPER', 'UCASE'], "UPPER(s): upper case. UPPER('ab') = 'AB'", NN_STRING, (s) => s.toUpperCase(), ([s]) => `${s}.toUpperCase()`),
  simple(['LOWER', 'LCASE'], "LOWER(s): lower case. LOWER('AB') = 'ab'", NN_STRING, (s) => s.toLowerCase(), ([s]) => `${s}.toLowerCase()`),
  substring,
  trim,
  sideTrim('LTRIM', true),
  sideTrim('RTRIM', false),
  replace,
  position,
  locate,
  instr,
  padFn('LPAD', true),
  padFn('RPAD', false),
  repeat,
  simple(['REVERSE'], "REVERSE(s): the characters in reverse order. REVERSE('abc') = 'cba'", STRING, (s) => Array.from(s).reverse().join('')),
  simple(['INITCAP'], "INITCAP(s): first letter of each word upper case, the rest lower case. INITCAP('hello WORLD') = 'Hello World'", STRING, initcap),
  splitIndexDef,
  regexpExtractDef,
  regexpReplace,
  regexp,
  toBase64,
  fromBase64,
  simple(['MD5'], "MD5(s): MD5 hex digest of the UTF-8 bytes. MD5('a') = '0cc175b9c0f1b6a831c399e269772661'", STRING, hash('md5')),
  simple(['SHA1'], "SHA1(s): SHA-1 hex digest. SHA1('a') = '86f7e437…'", STRING, hash('sha1')),
  simple(['SHA256'], "SHA256(s): SHA-256 hex digest. SHA256('a') = 'ca978112…'", STRING, hash('sha256')),
  sha2,
  simple(['ASCII'], "ASCII(s): the code of the first character, 0 for ''. ASCII('a') = 97", INT, (s) => (s.length === 0 ? 0 : s.charCodeAt(0))),
  chr,
  leftRight('LEFT'),
  leftRight('RIGHT'),
  stringEquals,
  endsWith,
];
