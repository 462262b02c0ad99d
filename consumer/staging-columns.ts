// How each source column travels through the appender and becomes its exact type again: decimals as their
// unscaled integer, timestamps and dates as integers, uuids as text; the appender's fast paths only, no value objects.
// Column names are quoted; types come from a fixed vocabulary, never from data.

import { duckdbType } from '../core/duckdb-types.ts';
import type { ColumnDef, ColumnValue } from '../core/events/types.ts';
import { decimalTextToUnscaled } from '../core/events/decimal.ts';
import { quotedIdentifier } from '../core/sql.ts';
import type { ColumnChunkAppender } from './column-chunk.ts';

/** The staging column's type. */
export function stagingType(column: ColumnDef): string {
  switch (column.type.kind) {
    case 'int2':
    case 'int4':
      return 'INTEGER';
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return 'BIGINT';
    case 'date':
      return 'INTEGER';
    case 'float4':
    case 'float8':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'bytea':
      return 'BLOB';
    case 'numeric':
      return 'HUGEINT';
    case 'text':
    case 'json':
    case 'uuid':
      return 'VARCHAR';
  }
}

/** The expression turning the staging column back into the column's exact type. */
export function projection(column: ColumnDef): string {
  const name = quotedIdentifier(column.name);
  switch (column.type.kind) {
    case 'timestamp':
      return `make_timestamp(${name}) AS ${name}`;
    case 'timestamptz':
      return `make_timestamptz(${name}) AS ${name}`;
    case 'date':
      return `CAST(DATE '1970-01-01' + ${name} AS DATE) AS ${name}`;
    case 'numeric': {
      // The unscaled integer times 10^-scale: a decimal multiplication, exact (no float, no text).
      const { scale } = column.type;
      const unit = scale === 0 ? '' : ` * CAST('0.${'1'.padStart(scale, '0')}' AS DECIMAL(38, ${scale}))`;
      return `CAST(CAST(${name} AS DECIMAL(38, 0))${unit} AS ${duckdbType(column.type)}) AS ${name}`;
    }
    case 'int2':
    case 'float4':
    case 'uuid':
      return `CAST(${name} AS ${duckdbType(column.type)}) AS ${name}`;
    default:
      return name;
  }
}

/** `"name" TYPE` of a staging column. */
export function stagingColumn(column: ColumnDef): string {
  return `${quotedIdentifier(column.name)} ${stagingType(column)}`;
}

export function projectionList(columns: ColumnDef[]): string {
  return columns.map((c) => `,\n        ${projection(c)}`).join('');
}

export function appendStaged(
  appender: ColumnChunkAppender,
  column: ColumnDef,
  value: ColumnValue | undefined,
): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (column.type.kind) {
    case 'int2':
    case 'int4':
    case 'date':
      return appender.appendInteger(value as number);
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return appender.appendBigInt(value as bigint);
    case 'float4':
    case 'float8':
      return appender.appendDouble(value as number);
    case 'bool':
      return appender.appendBoolean(value as boolean);
    case 'bytea':
      return appender.appendBlob(value as Buffer);
    case 'numeric':
      return appender.appendHugeInt(decimalTextToUnscaled(value as string, column.type.scale));
    case 'text':
    case 'json':
    case 'uuid':
      return appender.appendVarchar(value as string);
  }
}
