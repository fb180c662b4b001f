/**
 * Name resolution inside a query: the relations of a FROM clause (each with an alias and columns at known
 * positions of the combined input row) and Flink's rules for `col`, `t.col`, `col.field`, `t.col.field`:
 * a qualified reference first tries its first part as a table alias; otherwise the first part is a column
 * and the rest are ROW field names. Identifiers are case-sensitive.
 */
import { didYouMeanSuffix, userError, type SourceSpan } from '../common/index.js';
import type { ExprIR } from '../expr/index.js';
import type { Identifier } from '../sql/index.js';
import type { LogicalType, RowType } from '../types/index.js';
import { inputRef } from './ir-utils.js';

export interface ScopeColumn {
  readonly name: string;
  readonly type: LogicalType;
  /** Position in the combined input row. */
  readonly index: number;
}

export interface ScopeTable {
  /** The alias (or the table's own name); null for an unnamed subquery or table function. */
  readonly alias: string | null;
  readonly columns: readonly ScopeColumn[];
}

export class Scope {
  readonly tables: readonly ScopeTable[];

  constructor(tables: readonly ScopeTable[]) {
    this.tables = tables;
  }

  /** A scope for one relation with the given row type. */
  static of(alias: string | null, rowType: RowType, offset = 0): Scope {
    return new Scope([{ alias, columns: rowType.fields.map((f, i) => ({ name: f.name, type: f.type, index: offset + i })) }]);
  }

  static empty(): Scope {
    return new Scope([]);
  }

  /** The scope of a join's output: the right side's positions shifted past the left's columns. */
  static concat(left: Scope, right: Scope, leftWidth: number): Scope {
    const shifted = right.tables.map((t) => ({ alias: t.alias, columns: t.columns.map((c) => ({ ...c, index: c.index + leftWidth })) }));
    return new Scope([...left.tables, ...shifted]);
  }

  /** Every column in order (what `*` expands to). */
  allColumns(): ScopeColumn[] {
    return this.tables.flatMap((t) => t.columns);
  }

  findTable(alias: string): ScopeTable | undefined {
    return this.tables.find((t) => t.alias === alias);
  }

  /** Resolves a column path to an input ref plus ROW field accesses. */
  resolve(parts: readonly Identifier[], span: SourceSpan): ExprIR {
    const first = parts[0]!;
    if (parts.length >= 2) {
      const table = this.findTable(first.value);
      if (table) {
        const colName = parts[1]!.value;
        const col = table.columns.find((c) => c.name === colName);
        if (!col) {
          throw userError(
            'PLAN.UNKNOWN_COLUMN',
            `column '${colName}' not found in table '${first.value}'${didYouMeanSuffix(colName, table.columns.map((c) => c.name))}`,
            { span: parts[1]!.span },
          );
        }
        return accessFields(inputRef(col.index, col.type), parts.slice(2), span);
      }
    }
    const matches = this.tables.flatMap((t) => t.columns.filter((c) => c.name === first.value).map((c) => ({ t, c })));
    if (matches.length > 1) {
      const where = matches.map((m) => (m.t.alias ? `'${m.t.alias}'` : 'a subquery')).join(', ');
      throw userError('PLAN.AMBIGUOUS_COLUMN', `column '${first.value}' is ambiguous: it exists in ${where}`, {
        span: first.span,
        help: `qualify it, e.g. ${matches[0]!.t.alias ?? 't'}.${first.value}`,
      });
    }
    const match = matches[0];
    if (!match) {
      const names = this.allColumns().map((c) => c.name);
      const suffix = didYouMeanSuffix(first.value, names);
      const table = parts.length >= 2 ? ` (and no table '${first.value}' is in scope)` : '';
      throw userError('PLAN.UNKNOWN_COLUMN', `column '${first.value}' not found in any table${table}${suffix}`, { span: first.span });
    }
    return accessFields(inputRef(match.c.index, match.c.type), parts.slice(1), span);
  }
}

/** `base.f1.f2…` over ROW types; NULL-propagating (a NULL row gives NULL fields, so results are nullable). */
export function accessFields(base: ExprIR, fields: readonly Identifier[], span: SourceSpan): ExprIR {
  let cur = base;
  for (const f of fields) cur = accessField(cur, f, span);
  return cur;
}

export function accessField(base: ExprIR, field: Identifier, _span: SourceSpan): ExprIR {
  const t = base.type;
  if (t.kind !== 'ROW') {
    throw userError('PLAN.NOT_A_ROW', `cannot access field '${field.value}' of a value of type ${t.kind}`, { span: field.span });
  }
  const index = t.fields.findIndex((x) => x.name === field.value);
  if (index < 0) {
    throw userError(
      'PLAN.UNKNOWN_FIELD',
      `field '${field.value}' not found in ROW type${didYouMeanSuffix(field.value, t.fields.map((x) => x.name))}`,
      { span: field.span },
    );
  }
  const ft = t.fields[index]!.type;
  const type = t.nullable && ft.kind !== 'NULL' && !ft.nullable ? ({ ...ft, nullable: true } as LogicalType) : ft;
  return { kind: 'field', arg: base, index, type };
}

