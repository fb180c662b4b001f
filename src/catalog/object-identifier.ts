/**
 * Fully qualified names of catalog objects. Flink rules: identifiers are case-sensitive; a name is `a`,
 * `db.a` or `cat.db.a`, the missing parts taken from the current catalog and database. Function names are
 * the exception: Flink normalises them to lower case.
 */

export interface ObjectIdentifier {
  readonly catalog: string;
  readonly database: string;
  readonly name: string;
}

/** `cat.db.name` as Flink prints it in plans (`default_catalog.default_database.bid`). */
export function formatIdentifier(id: ObjectIdentifier): string {
  return `${id.catalog}.${id.database}.${id.name}`;
}

/** Flink's quoted form for DDL output and messages: `` `cat`.`db`.`name` ``. */
export function quoteIdentifier(id: ObjectIdentifier): string {
  const q = (s: string): string => '`' + s.replace(/`/g, '``') + '`';
  return `${q(id.catalog)}.${q(id.database)}.${q(id.name)}`;
}

export function identifierKey(id: ObjectIdentifier): string {
  return `${id.catalog}\u0000${id.database}\u0000${id.name}`;
}
