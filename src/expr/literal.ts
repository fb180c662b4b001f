/**
 * The JSON-safe literal encoding used in `LiteralIR.value` (specs are JSON and stored with checkpoints):
 * - numbers, booleans, strings as themselves; non-finite doubles as the strings 'NaN', 'Infinity', '-Infinity';
 * - DECIMAL as its exact text with all scale digits ('0.908'), so specs stay readable and exact;
 * - BINARY/VARBINARY as base64; ARRAY and ROW as JSON arrays; MAP as an array of [key, value] pairs;
 * - DATE/TIME/TIMESTAMP/INTERVAL as their numbers (see the value table in types/logical-type.ts).
 */
import { internalError } from '../common/index.js';
import { formatDecimal, formatType, parseDecimal, type LogicalType } from '../types/index.js';
import type { JsonValue } from './ir.js';

export function encodeLiteral(value: unknown, type: LogicalType): JsonValue {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      return value === true;
    case 'DECIMAL':
      return formatDecimal(value as bigint, type.scale);
    case 'CHAR':
    case 'VARCHAR':
      return value as string;
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'ARRAY':
      return (value as unknown[]).map((e) => encodeLiteral(e, type.element));
    case 'ROW':
      return type.fields.map((f, i) => encodeLiteral((value as unknown[])[i], f.type));
    case 'MAP': {
      const out: JsonValue[] = [];
      for (const [k, v] of value as Map<unknown, unknown>) out.push([encodeLiteral(k, type.key), encodeLiteral(v, type.value)]);
      return out;
    }
    case 'NULL':
      return null;
    default: {
      const n = typeof value === 'bigint' ? Number(value) : (value as number);
      return Number.isFinite(n) ? n : String(n);
    }
  }
}

function bad(json: JsonValue, type: LogicalType): Error {
  return internalError(`literal ${JSON.stringify(json)} is not a valid ${formatType(type)} encoding`);
}

export function decodeLiteral(json: JsonValue, type: LogicalType): unknown {
  if (json === null) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      if (typeof json !== 'boolean') throw bad(json, type);
      return json;
    case 'DECIMAL': {
      const v = parseDecimal(String(json), type.precision, type.scale);
      if (v === null) throw bad(json, type);
      return v;
    }
    case 'CHAR':
    case 'VARCHAR':
      if (typeof json !== 'string') throw bad(json, type);
      return json;
    case 'BINARY':
    case 'VARBINARY':
      if (typeof json !== 'string') throw bad(json, type);
      return new Uint8Array(Buffer.from(json, 'base64'));
    case 'ARRAY':
      if (!Array.isArray(json)) throw bad(json, type);
      return json.map((e) => decodeLiteral(e as JsonValue, type.element));
    case 'ROW':
      if (!Array.isArray(json)) throw bad(json, type);
      return type.fields.map((f, i) => decodeLiteral((json[i] ?? null) as JsonValue, f.type));
    case 'MAP': {
      if (!Array.isArray(json)) throw bad(json, type);
      const m = new Map<unknown, unknown>();
      for (const pair of json as JsonValue[][]) m.set(decodeLiteral(pair[0]!, type.key), decodeLiteral(pair[1]!, type.value));
      return m;
    }
    case 'NULL':
      return null;
    default:
      if (typeof json === 'number') return json;
      if (json === 'NaN') return NaN;
      if (json === 'Infinity') return Infinity;
      if (json === '-Infinity') return -Infinity;
      throw bad(json, type);
  }
}
