// Table and column names arrive in events from outside: they are data, checked here (by Contract 2's rule,
// core/raw-layer/columns.ts) before they can name anything in a file, an object key or a SQL statement.

import { META_COLUMNS, PLAIN_IDENTIFIER } from '../core/raw-layer/columns.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';

export function checkTableName(kind: 'table' | 'schema', name: unknown): string {
  if (typeof name !== 'string' || !PLAIN_IDENTIFIER.test(name)) {
    throw new CdcError(
      ErrorCode.INVALID_NAME,
      `${kind} name ${JSON.stringify(name)} is not a plain identifier`,
    );
  }
  return name;
}

export function checkColumnName(table: string, name: string): string {
  if (!PLAIN_IDENTIFIER.test(name) || META_COLUMNS.has(name)) {
    throw new CdcError(
      ErrorCode.INVALID_NAME,
      `table ${table}: column name ${JSON.stringify(name)} is not a plain identifier or is one of cdclake's own columns`,
    );
  }
  return name;
}
