// Rows of the PostgreSQL source as cdclake values: from text columns (snapshot) or pgoutput tuples
// (streaming), with a clear error naming table, column and value when one cannot be carried.

import type { Row, TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import type { TupleValue } from './pgoutput.ts';
import { fromText } from './text-values.ts';

function convert(table: TableDef, index: number, text: string): Row[string] {
  const column = table.columns[index];
  if (column === undefined)
    throw new CdcError(ErrorCode.INTERNAL, `no column ${index} in ${table.schema}.${table.name}`);
  try {
    return fromText(column.type, text);
  } catch (error: unknown) {
    throw new CdcError(
      ErrorCode.INVALID_VALUE,
      `table ${table.schema}.${table.name} column ${column.name}: ${error instanceof Error ? error.message : String(error)}`,
      { facts: { table: `${table.schema}.${table.name}`, column: column.name } },
    );
  }
}

/** Values in the table's column order. */
export function rowFromText(table: TableDef, values: (string | null)[]): Row {
  const row: Row = {};
  for (let i = 0; i < table.columns.length; i++) {
    const text = values[i];
    row[(table.columns[i] as { name: string }).name] =
      text === null || text === undefined ? null : convert(table, i, text);
  }
  return row;
}

/** A pgoutput tuple: unchanged TOASTed values are left out of the row and named in `unchanged`. */
export function rowFromTuple(table: TableDef, tuple: TupleValue[], unchanged: string[] | undefined): Row {
  const row: Row = {};
  for (let i = 0; i < table.columns.length; i++) {
    const name = (table.columns[i] as { name: string }).name;
    const value = tuple[i];
    if (value === undefined || value.kind === 'null') row[name] = null;
    else if (value.kind === 'unchanged') unchanged?.push(name);
    else row[name] = convert(table, i, value.text);
  }
  return row;
}

/** A key-only before image: the key columns, everything else absent. */
export function keyRowFromTuple(table: TableDef, tuple: TupleValue[]): Row {
  const full = rowFromTuple(table, tuple, undefined);
  const row: Row = {};
  for (const name of table.key) row[name] = full[name] ?? null;
  return row;
}
