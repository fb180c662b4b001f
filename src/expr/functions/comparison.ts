/**
 * Comparison predicates: = <> < <= > >=, IS [NOT] NULL/TRUE/FALSE, IS [NOT] DISTINCT FROM, IN, LIKE, SIMILAR TO.
 * (BETWEEN is rewritten by the planner into >= AND <=.)
 */
import { userError } from '../../common/index.js';
import { columnStorageOf, compareStrings as compareStringsLocal, compareValues, decimalCompare, valuesEqual, type LogicalType } from '../../types/index.js';
import { comparisonTypes, leastRestrictiveType } from '../type-coercion.js';
import {
  BOOLEAN,
  anyNullable,
  defineFunction,
  isStringKind,
  nullable,
  type Implementation,
  type ScalarFunctionDef,
} from './function-def.js';

type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
const JS_OP: Record<CmpOp, string> = { '=': '===', '<>': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function testOrder(op: CmpOp, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** A comparison kernel for two values of the given (comparison-coerced) types. */
export function comparator(op: CmpOp, a: LogicalType, b: LogicalType): Implementation {
  const js = JS_OP[op];
  const storageA = columnStorageOf(a);
  if ((storageA === 'float64' || storageA === 'int32') && columnStorageOf(b) !== 'object') {
    // Numbers, dates, times, timestamps, intervals: plain JS comparison (NaN compares false, as Java's ==).
    return { kernel: new Function('a', 'b', `return a ${js} b;`) as (x: number, y: number) => boolean, inline: ([x, y]) => `(${x} ${js} ${y})` };
  }
  if (a.kind === 'BOOLEAN') {
    if (op === '=' || op === '<>') return { kernel: new Function('a', 'b', `return a ${js} b;`) as (x: boolean, y: boolean) => boolean, inline: ([x, y]) => `(${x} ${js} ${y})` };
    return { kernel: (x: boolean, y: boolean) => testOrder(op, (x ? 1 : 0) - (y ? 1 : 0)), inline: ([x, y]) => `((${x} ? 1 : 0) ${js} (${y} ? 1 : 0))` };
  }
  if (isStringKind(a) && isStringKind(b)) {
    if (op === '=' || op === '<>') return { kernel: new Function('a', 'b', `return a ${js} b;`) as (x: string, y: string) => boolean, inline: ([x, y]) => `(${x} ${js} ${y})` };
    return { kernel: (x: string, y: string) => testOrder(op, compareStringsLocal(x, y)), inline: ([x, y]) => `(H.cmpStr(${x}, ${y}) ${js} 0)` };
  }
  if (a.kind === 'DECIMAL' && b.kind === 'DECIMAL') {
    if (a.scale === b.scale) {
      return { kernel: new Function('a', 'b', `return a ${js} b;`) as (x: bigint, y: bigint) => boolean, inline: ([x, y]) => `(${x} ${js} ${y})` };
    }
    const sa = a.scale, sb = b.scale;
    return { kernel: (x: bigint, y: bigint) => testOrder(op, decimalCompare(x, sa, y, sb)) };
  }
  if (op === '=' || op === '<>') {
    const eq = op === '=';
    return { kernel: (x: unknown, y: unknown) => valuesEqual(x, y, a) === eq };
  }
  return { kernel: (x: unknown, y: unknown) => testOrder(op, compareValues(x, y, a)) };
}


function comparisonDef(op: CmpOp, description: string): ScalarFunctionDef {
  return {
    kind: 'scalar',
    names: [op, ...(op === '<>' ? ['!='] : [])],
    signatures: [`COMPARABLE ${op} COMPARABLE → BOOLEAN`],
    description,
    deterministic: true,
    nulls: 'strict',
    resolve(argTypes) {
      if (argTypes.length !== 2) return null;
      const t = comparisonTypes(argTypes[0]!, argTypes[1]!);
      if (t === null) return null;
      if ((op !== '=' && op !== '<>') && (t[0].kind === 'MAP' || t[0].kind === 'NULL' && t[1].kind === 'MAP')) return null;
      return { returnType: nullable(BOOLEAN, anyNullable(argTypes)), argTypes: t };
    },
    implement(argTypes) {
      return comparator(op, argTypes[0]!, argTypes[1]!);
    },
  };
}

const BOOL_NOT_NULL = nullable(BOOLEAN, false);

function isDef(name: string, description: string, test: (v: unknown) => boolean, accepts: (t: LogicalType) => boolean): ScalarFunctionDef {
  return {
    kind: 'scalar',
    names: [name],
    signatures: [`ANY ${name} → BOOLEAN NOT NULL`],
    description,
    deterministic: true,
    nulls: 'custom',
    resolve(argTypes) {
      if (argTypes.length !== 1 || !accepts(argTypes[0]!)) return null;
      return { returnType: BOOL_NOT_NULL, argTypes: argTypes[0]!.kind === 'NULL' && name !== 'IS NULL' && name !== 'IS NOT NULL' ? [BOOLEAN] : argTypes };
    },
    implement() {
      return { kernel: test };
    },
  };
}

const boolOrNull = (t: LogicalType): boolean => t.kind === 'BOOLEAN' || t.kind === 'NULL';

function distinctDef(name: string, negate: boolean, description: string): ScalarFunctionDef {
  return {
    kind: 'scalar',
    names: [name],
    signatures: [`ANY ${name} ANY → BOOLEAN NOT NULL`],
    description,
    deterministic: true,
    nulls: 'custom',
    resolve(argTypes) {
      if (argTypes.length !== 2) return null;
      const t = comparisonTypes(argTypes[0]!, argTypes[1]!);
      return t === null ? null : { returnType: BOOL_NOT_NULL, argTypes: t };
    },
    implement(argTypes) {
      const eq = comparator('=', argTypes[0]!, argTypes[1]!).kernel;
      return {
        kernel: (a: unknown, b: unknown): boolean => {
          const same = a === null ? b === null : b !== null && eq(a, b) === true;
          return negate ? same : !same;
        },
      };
    },
  };
}

const inDef: ScalarFunctionDef = {
  kind: 'scalar',
  names: ['IN'],
  signatures: ['IN(value, item, ...) → BOOLEAN'],
  description: "x IN (a, b, …): TRUE if x equals an item, NULL if not but x or an item is NULL, else FALSE. 2 IN (1, 2) = TRUE",
  deterministic: true,
  nulls: 'custom',
  resolve(argTypes) {
    if (argTypes.length < 2) return null;
    const common = leastRestrictiveType(argTypes);
    if (common === null) return null;
    const target = common.kind === 'NULL' ? BOOLEAN : common;
    return {
      returnType: nullable(BOOLEAN, anyNullable(argTypes)),
      argTypes: argTypes.map((t) => (t.kind === 'NULL' ? nullable(target, true) : sameFamilyNoCast(t, target) ? t : nullable(target, t.nullable))),
    };
  },
  implement(argTypes) {
    const eq = comparator('=', argTypes[0]!, argTypes[0]!).kernel;
    return {
      kernel: (x: unknown, ...items: unknown[]): boolean | null => {
        if (x === null) return null;
        let sawNull = false;
        for (const it of items) {
          if (it === null) sawNull = true;
          else if (eq(x, it) === true) return true;
        }
        return sawNull ? null : false;
      },
    };
  },
};

/** Numbers of any integer/float type and strings of any length compare without a cast. */
function sameFamilyNoCast(t: LogicalType, target: LogicalType): boolean {
  const st = columnStorageOf(t), sg = columnStorageOf(target);
  if (st !== 'object' && st === sg && target.kind !== 'BOOLEAN') return t.kind !== 'DATE' || target.kind === 'DATE';
  if (st === 'int32' && sg === 'float64' && t.kind !== 'DATE' && target.kind !== 'TIMESTAMP' && target.kind !== 'TIMESTAMP_LTZ') return true;
  return isStringKind(t) && isStringKind(target);
}

// ---------------------------------------------------------------------------------------------------------
// LIKE and SIMILAR TO

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/;

function checkEscape(escape: string | undefined): void {
  if (escape !== undefined && escape.length !== 1) {
    throw userError('EXPR.LIKE_ESCAPE', `the ESCAPE string must be one character, found '${escape}'`);
  }
}

/** Translates a LIKE pattern into an anchored RegExp. */
export function likeToRegExp(pattern: string, escape?: string): RegExp {
  checkEscape(escape);
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape) {
      const next = pattern[++i];
      if (next === undefined) throw userError('EXPR.LIKE_ESCAPE', `LIKE pattern '${pattern}' ends with the escape character`);
      re += REGEX_SPECIAL.test(next) ? '\\' + next : next;
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += REGEX_SPECIAL.test(c) ? '\\' + c : c;
  }
  return new RegExp(re + '$', 'u');
}

/** Translates a SIMILAR TO pattern (SQL regular expression) into an anchored RegExp. */
export function similarToRegExp(pattern: string, escape?: string): RegExp {
  checkEscape(escape);
  let re = '^(?:';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape) {
      const next = pattern[++i];
      if (next === undefined) throw userError('EXPR.LIKE_ESCAPE', `SIMILAR TO pattern '${pattern}' ends with the escape character`);
      re += REGEX_SPECIAL.test(next) ? '\\' + next : next;
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '.' || c === '^' || c === '$' || c === '\\' || c === '/') re += '\\' + c;
    else re += c;
  }
  return new RegExp(re + ')$', 'u');
}

function patternMatcher(toRe: (p: string, e?: string) => RegExp): (s: string, p: string, e?: string) => boolean {
  // One cache slot per call site: patterns are almost always constant.
  let lastPattern: string | null = null;
  let lastEscape: string | undefined;
  let lastRe: RegExp = /$^/;
  return (s, p, e) => {
    if (p !== lastPattern || e !== lastEscape) {
      lastRe = toRe(p, e);
      lastPattern = p;
      lastEscape = e;
    }
    return lastRe.test(s);
  };
}

const like = defineFunction({
  names: ['LIKE'],
  signatures: [{ args: ['string', 'string', 'string'], optional: 1, returns: BOOLEAN }],
  description: "s LIKE pattern [ESCAPE c]: % matches any run of characters, _ one character. 'abc' LIKE 'a%' = TRUE",
  implement: () => patternMatcher(likeToRegExp),
});

const similar = defineFunction({
  names: ['SIMILAR TO'],
  signatures: [{ args: ['string', 'string', 'string'], optional: 1, returns: BOOLEAN }],
  description: "s SIMILAR TO pattern [ESCAPE c]: SQL regular expression over the whole string. 'abc' SIMILAR TO '(a|b)%' = TRUE",
  implement: () => patternMatcher(similarToRegExp),
});

export const COMPARISON_FUNCTIONS: readonly ScalarFunctionDef[] = [
  comparisonDef('=', 'a = b: equality; NULL if either side is NULL. 1 = 1.0 = TRUE'),
  comparisonDef('<>', 'a <> b: inequality; NULL if either side is NULL. 1 <> 2 = TRUE'),
  comparisonDef('<', "a < b. 'a' < 'b' = TRUE"),
  comparisonDef('<=', 'a <= b. 2 <= 2 = TRUE'),
  comparisonDef('>', 'a > b. 3 > 2 = TRUE'),
  comparisonDef('>=', 'a >= b. 2 >= 3 = FALSE'),
  isDef('IS NULL', 'x IS NULL. NULL IS NULL = TRUE', (v) => v === null, () => true),
  isDef('IS NOT NULL', 'x IS NOT NULL. 1 IS NOT NULL = TRUE', (v) => v !== null, () => true),
  isDef('IS TRUE', 'b IS TRUE: FALSE for NULL. NULL IS TRUE = FALSE', (v) => v === true, boolOrNull),
  isDef('IS NOT TRUE', 'b IS NOT TRUE: TRUE for NULL. NULL IS NOT TRUE = TRUE', (v) => v !== true, boolOrNull),
  isDef('IS FALSE', 'b IS FALSE: FALSE for NULL. FALSE IS FALSE = TRUE', (v) => v === false, boolOrNull),
  isDef('IS NOT FALSE', 'b IS NOT FALSE: TRUE for NULL. NULL IS NOT FALSE = TRUE', (v) => v !== false, boolOrNull),
  distinctDef('IS DISTINCT FROM', false, 'a IS DISTINCT FROM b: inequality where NULL equals NULL. 1 IS DISTINCT FROM NULL = TRUE'),
  distinctDef('IS NOT DISTINCT FROM', true, 'a IS NOT DISTINCT FROM b: equality where NULL equals NULL. NULL IS NOT DISTINCT FROM NULL = TRUE'),
  inDef,
  like,
  similar,
];
