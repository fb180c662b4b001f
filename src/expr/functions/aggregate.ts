/**
 * Aggregate function signatures: result types per Flink (the accumulators live in src/operators/).
 *
 * Flink's rules (`FlinkReturnTypes`, `LogicalTypeMerging.findSumAggType/findAvgAggType`):
 * COUNT → BIGINT NOT NULL; SUM keeps integer and floating types (SUM(INT) is INT) and makes DECIMAL(38, s);
 * AVG keeps integer types (AVG of a BIGINT is a truncated BIGINT — nexmark q4/q17) and gives DECIMAL(38, max(6, s))
 * for decimals; MIN/MAX/FIRST_VALUE/LAST_VALUE keep the type; the variance family follows AVG's typing.
 * Every aggregate but COUNT/SUM0 is NULL over an empty group, so results are nullable.
 */
import { decimalAvgType, decimalSumType, type LogicalType } from '../../types/index.js';
import { BIGINT, BOOLEAN, STRING, isNumericKind, isStringKind, nullable } from './function-def.js';

export interface AggregateDef {
  readonly kind: 'aggregate';
  readonly names: readonly string[];
  readonly signatures: readonly string[];
  readonly description: string;
  /** Whether the accumulator can retract rows (the planner needs it for updating inputs). */
  readonly retractable: boolean;
  resolve(argTypes: readonly LogicalType[], distinct: boolean): { returnType: LogicalType; argTypes: readonly LogicalType[] } | null;
}

function plain(t: LogicalType): LogicalType {
  if (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') return { kind: t.kind, precision: t.precision, nullable: t.nullable };
  return t;
}

const NULL_TO_INT = (t: LogicalType): LogicalType => (t.kind === 'NULL' ? { kind: 'INT', nullable: true } : t);

function numericResult(argTypes: readonly LogicalType[], decimal: (t: { precision: number; scale: number }) => { precision: number; scale: number }): { returnType: LogicalType; argTypes: readonly LogicalType[] } | null {
  if (argTypes.length !== 1) return null;
  const t = NULL_TO_INT(argTypes[0]!);
  if (!isNumericKind(t)) return null;
  if (t.kind === 'DECIMAL') {
    const s = decimal(t);
    return { returnType: { kind: 'DECIMAL', precision: s.precision, scale: s.scale, nullable: true }, argTypes: [t] };
  }
  return { returnType: nullable(t, true), argTypes: [t] };
}

const defs: AggregateDef[] = [
  {
    kind: 'aggregate',
    names: ['COUNT'],
    signatures: ['COUNT(*) → BIGINT NOT NULL', 'COUNT([DISTINCT] x, ...) → BIGINT NOT NULL'],
    description: 'COUNT(*) counts rows; COUNT(x) counts rows where x is not NULL. COUNT(DISTINCT bidder)',
    retractable: true,
    resolve: (argTypes) => ({ returnType: nullable(BIGINT, false), argTypes }),
  },
  {
    kind: 'aggregate',
    names: ['SUM'],
    signatures: ['SUM(NUMERIC) → NUMERIC'],
    description: 'SUM(x): the sum; NULL over no non-NULL values; DECIMAL(p, s) sums to DECIMAL(38, s). SUM(price)',
    retractable: true,
    resolve: (argTypes) => numericResult(argTypes, decimalSumType),
  },
  {
    kind: 'aggregate',
    names: ['SUM0', '$SUM0'],
    signatures: ['SUM0(NUMERIC) → NUMERIC NOT NULL'],
    description: 'SUM0(x): the sum, 0 over no values. SUM0(price)',
    retractable: true,
    resolve(argTypes) {
      const r = numericResult(argTypes, decimalSumType);
      return r === null ? null : { returnType: nullable(r.returnType, false), argTypes: r.argTypes };
    },
  },
  {
    kind: 'aggregate',
    names: ['AVG'],
    signatures: ['AVG(NUMERIC) → NUMERIC'],
    description: 'AVG(x): the mean; integer inputs give a truncated integer (AVG of BIGINT is BIGINT). AVG(price)',
    retractable: true,
    resolve: (argTypes) => numericResult(argTypes, decimalAvgType),
  },
  ...['STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'STDDEV', 'VARIANCE'].map(
    (name): AggregateDef => ({
      kind: 'aggregate',
      names: [name],
      signatures: [`${name}(NUMERIC) → NUMERIC`],
      description: `${name}(x): ${name.startsWith('STD') ? 'standard deviation' : 'variance'} (${name.endsWith('POP') ? 'population' : 'sample'}); typed like AVG. ${name}(price)`,
      retractable: true,
      resolve: (argTypes) => numericResult(argTypes, decimalAvgType),
    }),
  ),
  ...['MIN', 'MAX'].map(
    (name): AggregateDef => ({
      kind: 'aggregate',
      names: [name],
      signatures: [`${name}(COMPARABLE) → COMPARABLE`],
      description: `${name}(x): the ${name === 'MIN' ? 'smallest' : 'largest'} non-NULL value. ${name}(price)`,
      retractable: true,
      resolve(argTypes) {
        if (argTypes.length !== 1 || argTypes[0]!.kind === 'MAP') return null;
        const t = argTypes[0]!.kind === 'NULL' ? STRING : plain(argTypes[0]!);
        return { returnType: nullable(t, true), argTypes: [t] };
      },
    }),
  ),
  ...['FIRST_VALUE', 'LAST_VALUE'].map(
    (name): AggregateDef => ({
      kind: 'aggregate',
      names: [name],
      signatures: [`${name}(T) → T`],
      description: `${name}(x): the ${name === 'FIRST_VALUE' ? 'first' : 'last'} non-NULL value in input order. ${name}(price)`,
      retractable: true,
      resolve(argTypes) {
        if (argTypes.length !== 1) return null;
        const t = argTypes[0]!.kind === 'NULL' ? STRING : plain(argTypes[0]!);
        return { returnType: nullable(t, true), argTypes: [t] };
      },
    }),
  ),
  {
    kind: 'aggregate',
    names: ['LISTAGG'],
    signatures: ['LISTAGG(STRING[, STRING separator]) → STRING'],
    description: "LISTAGG(s[, sep]): the non-NULL values joined with sep (default ','). LISTAGG(name, ';')",
    retractable: true,
    resolve(argTypes) {
      if (argTypes.length < 1 || argTypes.length > 2) return null;
      if (!argTypes.every((t) => isStringKind(t) || t.kind === 'NULL')) return null;
      return { returnType: STRING, argTypes: argTypes.map((t) => (t.kind === 'NULL' ? STRING : t)) };
    },
  },
  ...['BOOL_AND', 'BOOL_OR'].map(
    (name): AggregateDef => ({
      kind: 'aggregate',
      names: [name, name === 'BOOL_AND' ? 'EVERY' : 'SOME'],
      signatures: [`${name}(BOOLEAN) → BOOLEAN`],
      description: `${name}(b): TRUE when ${name === 'BOOL_AND' ? 'all' : 'any'} non-NULL values are TRUE. ${name}(flag)`,
      retractable: true,
      resolve(argTypes) {
        if (argTypes.length !== 1 || (argTypes[0]!.kind !== 'BOOLEAN' && argTypes[0]!.kind !== 'NULL')) return null;
        return { returnType: BOOLEAN, argTypes: [BOOLEAN] };
      },
    }),
  ),
  {
    kind: 'aggregate',
    names: ['ARRAY_AGG'],
    signatures: ['ARRAY_AGG(T) → ARRAY<T>'],
    description: 'ARRAY_AGG(x): the values in input order as an array (NULLs included). ARRAY_AGG(bidder)',
    retractable: true,
    resolve(argTypes) {
      if (argTypes.length !== 1) return null;
      const t = argTypes[0]!.kind === 'NULL' ? STRING : plain(argTypes[0]!);
      return { returnType: { kind: 'ARRAY', element: nullable(t, true), nullable: true }, argTypes: [t] };
    },
  },
];

export const AGGREGATE_FUNCTIONS: readonly AggregateDef[] = defs;

