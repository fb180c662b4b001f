/**
 * Type coercion rules: the common type of several expressions (CASE, COALESCE, UNION, IN), and which casts
 * are allowed implicitly (the planner may insert them) or explicitly (CAST). Modelled on Flink's
 * `LogicalTypeMerging.findCommonType` and `LogicalTypeCasts`.
 */
import { MAX_DECIMAL_PRECISION, decimalShapeOf, type LogicalType, type RowField } from '../types/index.js';
import { isApproxKind, isBinaryKind, isIntegerKind, isNumericKind, isStringKind, isTimestampKind, nullable } from './functions/function-def.js';

const INTEGER_RANK: Readonly<Record<string, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

function plain(t: LogicalType): LogicalType {
  if (isTimestampKind(t)) {
    const ts = t as { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ'; precision: number; nullable: boolean };
    return { kind: ts.kind, precision: ts.precision, nullable: ts.nullable };
  }
  return t;
}

function commonOfTwo(a: LogicalType, b: LogicalType): LogicalType | null {
  const n = a.nullable || b.nullable;
  if (a.kind === 'NULL') return nullable(plain(b), true);
  if (b.kind === 'NULL') return nullable(plain(a), true);
  if (isNumericKind(a) && isNumericKind(b)) {
    if (isApproxKind(a) || isApproxKind(b)) {
      return { kind: a.kind === 'FLOAT' && b.kind === 'FLOAT' ? 'FLOAT' : 'DOUBLE', nullable: n };
    }
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      const x = decimalShapeOf(a)!, y = decimalShapeOf(b)!;
      const scale = Math.max(x.scale, y.scale);
      const intDigits = Math.max(x.precision - x.scale, y.precision - y.scale);
      const precision = Math.min(MAX_DECIMAL_PRECISION, intDigits + scale);
      return { kind: 'DECIMAL', precision, scale: Math.min(scale, precision), nullable: n };
    }
    return { kind: INTEGER_RANK[a.kind]! >= INTEGER_RANK[b.kind]! ? a.kind : b.kind, nullable: n } as LogicalType;
  }
  if (isStringKind(a) && isStringKind(b)) {
    const la = (a as { length: number }).length, lb = (b as { length: number }).length;
    // Flink sets Calcite's shouldConvertRaggedUnionTypesToVarying: CHAR(1) and CHAR(3) meet at VARCHAR(3).
    if (a.kind === 'CHAR' && b.kind === 'CHAR' && la === lb) return { kind: 'CHAR', length: la, nullable: n };
    return { kind: 'VARCHAR', length: Math.max(la, lb), nullable: n };
  }
  if (isBinaryKind(a) && isBinaryKind(b)) {
    const la = (a as { length: number }).length, lb = (b as { length: number }).length;
    if (a.kind === 'BINARY' && b.kind === 'BINARY' && la === lb) return { kind: 'BINARY', length: la, nullable: n };
    return { kind: 'VARBINARY', length: Math.max(la, lb), nullable: n };
  }
  if ((isTimestampKind(a) || a.kind === 'DATE') && (isTimestampKind(b) || b.kind === 'DATE')) {
    if (a.kind === 'DATE' && b.kind === 'DATE') return { kind: 'DATE', nullable: n };
    const pa = a.kind === 'DATE' ? 0 : (a as { precision: number }).precision;
    const pb = b.kind === 'DATE' ? 0 : (b as { precision: number }).precision;
    const kind = a.kind === 'TIMESTAMP_LTZ' || b.kind === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ' : 'TIMESTAMP';
    return { kind, precision: Math.max(pa, pb), nullable: n };
  }
  if (a.kind === 'TIME' && b.kind === 'TIME') return { kind: 'TIME', precision: Math.max(a.precision, b.precision), nullable: n };
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const e = commonOfTwo(a.element, b.element);
    return e === null ? null : { kind: 'ARRAY', element: e, nullable: n };
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = commonOfTwo(a.key, b.key);
    const v = commonOfTwo(a.value, b.value);
    return k === null || v === null ? null : { kind: 'MAP', key: k, value: v, nullable: n };
  }
  if (a.kind === 'ROW' && b.kind === 'ROW') {
    if (a.fields.length !== b.fields.length) return null;
    const fields: RowField[] = [];
    for (let i = 0; i < a.fields.length; i++) {
      const t = commonOfTwo(a.fields[i]!.type, b.fields[i]!.type);
      if (t === null) return null;
      fields.push({ name: a.fields[i]!.name, type: t });
    }
    return { kind: 'ROW', fields, nullable: n };
  }
  if (a.kind === b.kind && (a.kind === 'BOOLEAN' || a.kind === 'INTERVAL_DAY_TIME' || a.kind === 'INTERVAL_YEAR_MONTH')) {
    return nullable(a, n);
  }
  return null;
}

/**
 * Flink's common type of several types (CASE branches, COALESCE, UNION columns, IN lists); null when there is
 * none (e.g. STRING and INT). The result is nullable when any input is; time attributes are dropped.
 */
export function leastRestrictiveType(types: readonly LogicalType[]): LogicalType | null {
  if (types.length === 0) return null;
  let acc: LogicalType = plain(types[0]!);
  for (let i = 1; i < types.length; i++) {
    const next = commonOfTwo(acc, types[i]!);
    if (next === null) return null;
    acc = next;
  }
  return acc;
}

function integerFitsDecimal(from: LogicalType, to: { precision: number; scale: number }): boolean {
  const s = decimalShapeOf(from)!;
  return to.precision - to.scale >= s.precision - s.scale && to.scale >= s.scale;
}

/** Casts the planner may insert without the user asking (widening within a family, NULL to anything). */
export function canCastImplicitly(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  if (from.nullable && !to.nullable) return false;
  if (isNumericKind(from) && isNumericKind(to)) {
    if (to.kind === 'DOUBLE') return true;
    if (to.kind === 'FLOAT') return from.kind !== 'DOUBLE';
    if (to.kind === 'DECIMAL') return (isIntegerKind(from) || from.kind === 'DECIMAL') && integerFitsDecimal(from, to);
    if (isIntegerKind(to)) return isIntegerKind(from) && INTEGER_RANK[from.kind]! <= INTEGER_RANK[to.kind]!;
    return false;
  }
  if (isStringKind(from) && isStringKind(to)) return to.kind === 'VARCHAR' || (from.kind === 'CHAR' && (from as { length: number }).length <= (to as { length: number }).length);
  if (isBinaryKind(from) && isBinaryKind(to)) return to.kind === 'VARBINARY' || from.kind === to.kind;
  if (from.kind === 'DATE' && isTimestampKind(to)) return to.kind === 'TIMESTAMP';
  if (isTimestampKind(from) && isTimestampKind(to)) return from.kind === to.kind || from.kind === 'TIMESTAMP';
  if (from.kind === 'TIME' && to.kind === 'TIME') return true;
  if (from.kind === to.kind && (from.kind === 'BOOLEAN' || from.kind === 'DATE' || from.kind === 'INTERVAL_DAY_TIME' || from.kind === 'INTERVAL_YEAR_MONTH')) return true;
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') return canCastImplicitly(from.element, nullable(to.element, true));
  if (from.kind === 'MAP' && to.kind === 'MAP') return canCastImplicitly(from.key, nullable(to.key, true)) && canCastImplicitly(from.value, nullable(to.value, true));
  if (from.kind === 'ROW' && to.kind === 'ROW') {
    return from.fields.length === to.fields.length && from.fields.every((f, i) => canCastImplicitly(f.type, nullable(to.fields[i]!.type, true)));
  }
  return false;
}

/** Casts a user may write with CAST/TRY_CAST (Flink's `LogicalTypeCasts.supportsExplicitCast`). */
export function canCastExplicitly(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  if (canCastImplicitly(nullable(from, true), nullable(to, true))) return true;
  const f = from, t = to;
  // Everything has a text form.
  if (isStringKind(t)) return true;
  if (isStringKind(f)) {
    return isNumericKind(t) || t.kind === 'BOOLEAN' || t.kind === 'DATE' || t.kind === 'TIME' || isTimestampKind(t) || isBinaryKind(t) || isStringKind(t);
  }
  if (isNumericKind(f) && isNumericKind(t)) return true;
  if (f.kind === 'BOOLEAN' && isNumericKind(t)) return true;
  if (isNumericKind(f) && t.kind === 'BOOLEAN') return isIntegerKind(f) || f.kind === 'DECIMAL';
  if (isIntegerKind(f) && t.kind === 'TIMESTAMP_LTZ') return true;
  if (isTimestampKind(f) && (t.kind === 'DATE' || t.kind === 'TIME' || isTimestampKind(t))) return true;
  if (isTimestampKind(f) && (t.kind === 'BIGINT' || t.kind === 'INT')) return f.kind === 'TIMESTAMP_LTZ';
  if (f.kind === 'DATE' && isTimestampKind(t)) return true;
  if (f.kind === 'TIME' && isTimestampKind(t)) return true;
  if (isBinaryKind(f) && isBinaryKind(t)) return true;
  if ((f.kind === 'INTERVAL_DAY_TIME' || f.kind === 'INTERVAL_YEAR_MONTH') && isIntegerKind(t)) return true;
  if (isIntegerKind(f) && (t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH')) return true;
  if (f.kind === 'ARRAY' && t.kind === 'ARRAY') return canCastExplicitly(f.element, t.element);
  if (f.kind === 'MAP' && t.kind === 'MAP') return canCastExplicitly(f.key, t.key) && canCastExplicitly(f.value, t.value);
  if (f.kind === 'ROW' && t.kind === 'ROW') {
    return f.fields.length === t.fields.length && f.fields.every((x, i) => canCastExplicitly(x.type, t.fields[i]!.type));
  }
  return false;
}

/**
 * The type both sides of a comparison are brought to (null when they are not comparable). Integers and
 * floating point stay as they are (all JS numbers); an integer meets a DECIMAL as DECIMAL; a string meets a
 * date/time/timestamp as that type (Calcite coerces the string side).
 */
export function comparisonTypes(a: LogicalType, b: LogicalType): [LogicalType, LogicalType] | null {
  if (a.kind === 'NULL' && b.kind === 'NULL') return [{ kind: 'BOOLEAN', nullable: true }, { kind: 'BOOLEAN', nullable: true }];
  if (a.kind === 'NULL') return [nullable(plain(b), true), b];
  if (b.kind === 'NULL') return [a, nullable(plain(a), true)];
  if (isNumericKind(a) && isNumericKind(b)) {
    if (isApproxKind(a) || isApproxKind(b)) {
      return [a.kind === 'DECIMAL' ? nullable({ kind: 'DOUBLE', nullable: true }, a.nullable) : a, b.kind === 'DECIMAL' ? nullable({ kind: 'DOUBLE', nullable: true }, b.nullable) : b];
    }
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      const sa = decimalShapeOf(a)!, sb = decimalShapeOf(b)!;
      return [
        { kind: 'DECIMAL', precision: sa.precision, scale: sa.scale, nullable: a.nullable },
        { kind: 'DECIMAL', precision: sb.precision, scale: sb.scale, nullable: b.nullable },
      ];
    }
    return [a, b];
  }
  const temporal = (t: LogicalType): boolean => t.kind === 'DATE' || t.kind === 'TIME' || isTimestampKind(t);
  if (isStringKind(a) && temporal(b)) return [nullable(plain(b), a.nullable), b];
  if (temporal(a) && isStringKind(b)) return [a, nullable(plain(a), b.nullable)];
  const common = leastRestrictiveType([a, b]);
  if (common === null) return null;
  if (isStringKind(common) || isBinaryKind(common)) return [a, b];
  if (isTimestampKind(common) && isTimestampKind(a) && isTimestampKind(b) && a.kind === b.kind) return [a, b];
  return [nullable(common, a.nullable), nullable(common, b.nullable)];
}

/** DECIMAL(p, s) for an exact type, used when integers meet decimals. */
export function asDecimalType(t: LogicalType): LogicalType {
  const s = decimalShapeOf(t);
  return s === null ? t : { kind: 'DECIMAL', precision: s.precision, scale: s.scale, nullable: t.nullable };
}

