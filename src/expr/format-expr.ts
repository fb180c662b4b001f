/**
 * Readable text of expression IR for EXPLAIN and error messages: infix operators with parentheses, input
 * references by column name, SQL-style literals. `0.908 * price` prints as `(0.908 * price)`.
 */
import { formatType, formatValueText, type LogicalType } from '../types/index.js';
import type { ExprIR } from './ir.js';
import { decodeLiteral } from './literal.js';

const INFIX = new Set(['=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '||', 'AND', 'OR']);
const POSTFIX = new Set(['IS NULL', 'IS NOT NULL', 'IS TRUE', 'IS NOT TRUE', 'IS FALSE', 'IS NOT FALSE']);

function literalText(value: unknown, type: LogicalType): string {
  if (value === null) return 'NULL';
  const text = formatValueText(value, type);
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return `'${text.replace(/'/g, "''")}'`;
    case 'DATE':
      return `DATE '${text}'`;
    case 'TIME':
      return `TIME '${text}'`;
    case 'TIMESTAMP':
      return `TIMESTAMP '${text}'`;
    case 'TIMESTAMP_LTZ':
      return `TIMESTAMP_LTZ '${text}'`;
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return `INTERVAL '${text}'`;
    case 'BINARY':
    case 'VARBINARY':
      return `X'${Buffer.from(value as Uint8Array).toString('hex').toUpperCase()}'`;
    default:
      return text;
  }
}

export function formatExprIR(expr: ExprIR, inputNames: readonly string[]): string {
  const f = (e: ExprIR): string => formatExprIR(e, inputNames);
  switch (expr.kind) {
    case 'input':
      return inputNames[expr.index] ?? `$${expr.index}`;
    case 'literal':
      return literalText(decodeLiteral(expr.value, expr.type), expr.type);
    case 'cast':
      return `${expr.safe ? 'TRY_CAST' : 'CAST'}(${f(expr.arg)} AS ${formatType(expr.type)})`;
    case 'case':
      return `CASE ${expr.branches.map((b) => `WHEN ${f(b.when)} THEN ${f(b.then)}`).join(' ')}${expr.else ? ` ELSE ${f(expr.else)}` : ''} END`;
    case 'field': {
      const t = expr.arg.type;
      const name = t.kind === 'ROW' ? t.fields[expr.index]?.name : undefined;
      return `${f(expr.arg)}.${name ?? expr.index}`;
    }
    case 'udf':
      return `${expr.name}(${expr.args.map(f).join(', ')})`;
    case 'call': {
      const fn = expr.fn;
      const args = expr.args;
      if (INFIX.has(fn) && args.length >= 2) return `(${args.map(f).join(` ${fn} `)})`;
      if (POSTFIX.has(fn) && args.length === 1) return `${f(args[0]!)} ${fn}`;
      if ((fn === 'IS DISTINCT FROM' || fn === 'IS NOT DISTINCT FROM') && args.length === 2) return `(${f(args[0]!)} ${fn} ${f(args[1]!)})`;
      if (fn === 'NOT' && args.length === 1) return `NOT ${f(args[0]!)}`;
      if (fn === 'NEGATE' && args.length === 1) return `-${f(args[0]!)}`;
      if (fn === 'IN' && args.length >= 1) return `${f(args[0]!)} IN (${args.slice(1).map(f).join(', ')})`;
      if ((fn === 'LIKE' || fn === 'SIMILAR TO') && args.length >= 2) {
        return `(${f(args[0]!)} ${fn} ${f(args[1]!)}${args[2] ? ` ESCAPE ${f(args[2])}` : ''})`;
      }
      if (fn === 'ITEM' && args.length === 2) return `${f(args[0]!)}[${f(args[1]!)}]`;
      return `${fn}(${args.map(f).join(', ')})`;
    }
  }
}
