/**
 * JSON functions over JSON text: JSON_VALUE, JSON_QUERY, JSON_EXISTS, JSON_STRING.
 *
 * Paths are SQL/JSON paths in lax mode (the default): `$`, `$.a.b`, `$.a[0]`, `$['a b']`, `$.a[*].b`;
 * a leading `lax`/`strict` keyword is accepted (strict behaves like lax here). As in Flink's defaults
 * (NULL ON EMPTY, NULL ON ERROR), invalid JSON, a missing item or a non-scalar for JSON_VALUE give NULL.
 */
import { userError } from '../../common/index.js';
import { formatValueText, type LogicalType } from '../../types/index.js';
import { BOOLEAN, STRING, defineFunction, type ScalarFunctionDef } from './function-def.js';

type PathStep = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'wildcard' };

const pathCache = new Map<string, PathStep[]>();

/** Parses a SQL/JSON path; throws EXPR.JSON_PATH for malformed paths (a planning-time constant in practice). */
export function parseJsonPath(path: string): PathStep[] {
  const hit = pathCache.get(path);
  if (hit) return hit;
  let p = path.trim();
  const mode = /^(lax|strict)\s+/i.exec(p);
  if (mode) p = p.slice(mode[0].length);
  if (!p.startsWith('$')) throw userError('EXPR.JSON_PATH', `JSON path '${path}' must start with '$'`);
  const steps: PathStep[] = [];
  let i = 1;
  const bad = (): never => {
    throw userError('EXPR.JSON_PATH', `cannot read JSON path '${path}' at position ${i + 1}`);
  };
  while (i < p.length) {
    const c = p[i]!;
    if (c === '.') {
      i++;
      if (p[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
      } else if (p[i] === '"') {
        const end = p.indexOf('"', i + 1);
        if (end < 0) bad();
        steps.push({ kind: 'key', key: p.slice(i + 1, end) });
        i = end + 1;
      } else {
        const m = /^[A-Za-z_$][\w$]*/.exec(p.slice(i));
        if (!m) bad();
        steps.push({ kind: 'key', key: m![0] });
        i += m![0].length;
      }
    } else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) bad();
      const inner = p.slice(i + 1, end).trim();
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1) });
      else bad();
      i = end + 1;
    } else if (c === ' ') i++;
    else bad();
  }
  if (pathCache.size > 1000) pathCache.clear();
  pathCache.set(path, steps);
  return steps;
}

/** All items the path selects (lax: missing keys select nothing). */
export function selectJsonPath(doc: unknown, steps: readonly PathStep[]): unknown[] {
  let current: unknown[] = [doc];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === 'key') {
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, step.key)) {
          next.push((v as Record<string, unknown>)[step.key]);
        }
      } else if (step.kind === 'index') {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (Array.isArray(v)) next.push(...v);
      else if (v !== null && typeof v === 'object') next.push(...Object.values(v as Record<string, unknown>));
    }
    current = next;
  }
  return current;
}

/** JSON.parse with a one-entry cache per call site and NULL for invalid text. */
function jsonReader(): (text: string) => { ok: boolean; value: unknown } {
  let lastText: string | null = null;
  let last = { ok: false, value: null as unknown };
  return (text) => {
    if (text !== lastText) {
      try {
        last = { ok: true, value: JSON.parse(text) };
      } catch {
        last = { ok: false, value: null };
      }
      lastText = text;
    }
    return last;
  };
}

const jsonValue = defineFunction({
  names: ['JSON_VALUE'],
  signatures: [{ args: ['string', 'string'], returns: STRING }],
  description: "JSON_VALUE(json, path): the scalar at path as a string; NULL when missing, not scalar or invalid JSON. JSON_VALUE('{\"a\": {\"b\": 1}}', '$.a.b') = '1'",
  resultNullable: true,
  implement() {
    const read = jsonReader();
    return {
      kernel: (text: string, path: string) => {
        const doc = read(text);
        if (!doc.ok) return null;
        const items = selectJsonPath(doc.value, parseJsonPath(path));
        if (items.length !== 1) return null;
        const v = items[0];
        if (v === null || typeof v === 'object') return null;
        return typeof v === 'string' ? v : String(v);
      },
      mayReturnNull: true,
    };
  },
});

const jsonQuery = defineFunction({
  names: ['JSON_QUERY'],
  signatures: [{ args: ['string', 'string'], returns: STRING }],
  description: "JSON_QUERY(json, path): the object or array at path as JSON text; NULL for scalars, missing items or invalid JSON. JSON_QUERY('{\"a\": [1, 2]}', '$.a') = '[1,2]'",
  resultNullable: true,
  implement() {
    const read = jsonReader();
    return {
      kernel: (text: string, path: string) => {
        const doc = read(text);
        if (!doc.ok) return null;
        const items = selectJsonPath(doc.value, parseJsonPath(path));
        if (items.length !== 1 || items[0] === null || typeof items[0] !== 'object') return null;
        return JSON.stringify(items[0]);
      },
      mayReturnNull: true,
    };
  },
});

const jsonExists = defineFunction({
  names: ['JSON_EXISTS'],
  signatures: [{ args: ['string', 'string'], returns: BOOLEAN }],
  description: "JSON_EXISTS(json, path): TRUE when path selects an item; FALSE for invalid JSON. JSON_EXISTS('{\"a\": true}', '$.a') = TRUE",
  implement() {
    const read = jsonReader();
    return (text: string, path: string) => {
      const doc = read(text);
      return doc.ok && selectJsonPath(doc.value, parseJsonPath(path)).length > 0;
    };
  },
});

function toJson(v: unknown, t: LogicalType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'CHAR':
    case 'VARCHAR':
      return v;
    case 'ARRAY':
      return (v as unknown[]).map((e) => toJson(e, t.element));
    case 'ROW': {
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => (o[f.name] = toJson((v as unknown[])[i], f.type)));
      return o;
    }
    case 'MAP': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) o[formatValueText(k, t.key)] = toJson(x, t.value);
      return o;
    }
    case 'DECIMAL':
      return Number(formatValueText(v, t));
    default:
      return formatValueText(v, t);
  }
}

const jsonString = defineFunction({
  names: ['JSON_STRING'],
  signatures: [{ args: ['any'], returns: STRING }],
  description: "JSON_STRING(value): the value serialised as JSON text. JSON_STRING(ARRAY[1, 2]) = '[1,2]'",
  implement(argTypes) {
    const t = argTypes[0]!;
    return (v: unknown) => JSON.stringify(toJson(v, t));
  },
});

export const JSON_FUNCTIONS: readonly ScalarFunctionDef[] = [jsonValue, jsonQuery, jsonExists, jsonString];

