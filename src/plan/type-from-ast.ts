/**
 * Data types as written (`TypeAst`) → logical types, with Flink SQL's defaults: bare `VARCHAR` is
 * VARCHAR(2147483647) (= STRING, Calcite's "precision not specified"), bare `CHAR` is CHAR(1), `DECIMAL` is
 * DECIMAL(10, 0), `TIMESTAMP` is TIMESTAMP(6), `TIME` is TIME(0).
 */
import { userError } from '../common/index.js';
import type { TypeAst } from '../sql/index.js';
import { MAX_DECIMAL_PRECISION, MAX_VARCHAR_LENGTH, Types, withNullable, type LogicalType } from '../types/index.js';

export function logicalTypeFromAst(ast: TypeAst): LogicalType {
  return withNullable(baseType(ast), ast.nullable);
}

function param(ast: TypeAst, i: number, dflt: number): number {
  return ast.params[i] ?? dflt;
}

function baseType(ast: TypeAst): LogicalType {
  const bad = (why: string): never => {
    throw userError('PLAN.BAD_TYPE', `invalid type ${ast.name}: ${why}`, { span: ast.span });
  };
  switch (ast.name) {
    case 'BOOLEAN':
      return Types.boolean();
    case 'TINYINT':
      return Types.tinyint();
    case 'SMALLINT':
      return Types.smallint();
    case 'INT':
    case 'INTEGER':
      return Types.int();
    case 'BIGINT':
      return Types.bigint();
    case 'FLOAT':
    case 'REAL':
      return Types.float();
    case 'DOUBLE':
      return Types.double();
    case 'DECIMAL': {
      const p = param(ast, 0, 10);
      const s = param(ast, 1, 0);
      if (p < 1 || p > MAX_DECIMAL_PRECISION) bad(`precision must be between 1 and ${MAX_DECIMAL_PRECISION}`);
      if (s < 0 || s > p) bad('scale must be between 0 and the precision');
      return Types.decimal(p, s);
    }
    case 'STRING':
      return Types.string();
    case 'VARCHAR':
      return Types.varchar(param(ast, 0, MAX_VARCHAR_LENGTH));
    case 'CHAR':
      return Types.char(param(ast, 0, 1));
    case 'BYTES':
      return Types.bytes();
    case 'VARBINARY':
      return { kind: 'VARBINARY', length: param(ast, 0, MAX_VARCHAR_LENGTH), nullable: true };
    case 'BINARY':
      return { kind: 'BINARY', length: param(ast, 0, 1), nullable: true };
    case 'DATE':
      return Types.date();
    case 'TIME':
      return Types.time(param(ast, 0, 0));
    case 'TIMESTAMP':
      return Types.timestamp(param(ast, 0, 6));
    case 'TIMESTAMP_LTZ':
      return Types.timestampLtz(param(ast, 0, 6));
    case 'INTERVAL': {
      const from = ast.intervalFrom ?? 'SECOND';
      return from === 'YEAR' || from === 'MONTH' ? Types.intervalYearMonth() : Types.intervalDayTime();
    }
    case 'ARRAY':
    case 'MULTISET':
      if (!ast.elementType) return bad('missing element type');
      if (ast.name === 'MULTISET') {
        throw userError('PLAN.UNSUPPORTED_TYPE', 'MULTISET is not supported yet', { span: ast.span });
      }
      return Types.array(logicalTypeFromAst(ast.elementType));
    case 'MAP':
      if (!ast.keyType || !ast.valueType) return bad('missing key or value type');
      return Types.map(logicalTypeFromAst(ast.keyType), logicalTypeFromAst(ast.valueType));
    case 'ROW':
      return Types.row((ast.fields ?? []).map((f) => ({ name: f.name.value, type: logicalTypeFromAst(f.type) })));
    case 'NULL':
      return Types.null();
    default:
      throw userError('PLAN.UNSUPPORTED_TYPE', `type ${ast.name} is not supported`, { span: ast.span });
  }
}
