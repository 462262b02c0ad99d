// The bronze table of a source table (Contract 3). Two source tables never share one: the name is built so
// that different (schema, table) pairs give different names, case included, and the lake keeps a registry
// (lake.cdclake.tables) that refuses the rare pair the rule cannot tell apart.
//
//   public.orders      -> orders             (tables of LAKE_PLAIN_SCHEMA keep their own name)
//   sales.orders       -> sales__orders      (any other schema: <schema>__<table>)
//   public."Orders"    -> orders_5b0f3a1c    (a name that is not all lower case: lower-cased, then _ and
//                                             8 hex digits of the SHA-256 of the name as the source spells it)
//
// DuckDB compares identifiers without case, so `Orders` and `orders` would otherwise be one table.

import { createHash } from 'node:crypto';

const LOWER_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** One part of a bronze name: itself when all lower case, otherwise lower-cased with a hash of its spelling. */
export function lakeNamePart(name: string): string {
  if (LOWER_IDENTIFIER.test(name)) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  return `${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${hash}`;
}

export function bronzeTableName(schema: string, table: string, plainSchema: string): string {
  const name = lakeNamePart(table);
  return schema === plainSchema ? name : `${lakeNamePart(schema)}__${name}`;
}
