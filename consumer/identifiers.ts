// Table and column names arrive in events from outside: they are data, checked here before they can
// name anything in a file, an object key or a SQL statement.

import { UndecodableRecord } from './decoded-change.ts';

export const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Contract 2's own columns: a source column of these names would be shadowed. */
export const META_COLUMNS = new Set([
  '_op',
  '_pos',
  '_ts_ms',
  '_topic',
  '_partition',
  '_offset',
  '_ingested_at',
  '_unchanged',
]);

export function checkTableName(kind: 'table' | 'schema', name: unknown): string {
  if (typeof name !== 'string' || !PLAIN_IDENTIFIER.test(name)) {
    throw new UndecodableRecord(
      'CDC_INVALID_NAME',
      `${kind} name ${JSON.stringify(name)} is not a plain identifier`,
    );
  }
  return name;
}

export function checkColumnName(table: string, name: string): string {
  if (!PLAIN_IDENTIFIER.test(name) || META_COLUMNS.has(name)) {
    throw new UndecodableRecord(
      'CDC_INVALID_NAME',
      `table ${table}: column name ${JSON.stringify(name)} is not a plain identifier or is one of cdclake's own columns`,
    );
  }
  return name;
}
