// Source column types as DuckDB types, and appending Row values through a DuckDB appender with exact
// types: decimals stay decimals (scaled bigint), timestamps stay microseconds, int8 stays bigint.

import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUUIDValue,
  type DuckDBAppender,
} from '@duckdb/node-api';
import type { ColumnDef, ColumnType, ColumnValue, TableDef } from './events/types.ts';
import { quotedIdentifier } from './sql.ts';
import { CdcError, ErrorCode } from './errors.ts';

export function duckdbType(type: ColumnType): string {
  switch (type.kind) {
    case 'int2':
      return 'SMALLINT';
    case 'int4':
      return 'INTEGER';
    case 'int8':
      return 'BIGINT';
    case 'float4':
      return 'FLOAT';
    case 'float8':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'text':
    case 'json':
      return 'VARCHAR';
    case 'uuid':
      return 'UUID';
    case 'bytea':
      return 'BLOB';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMPTZ';
    case 'numeric':
      return `DECIMAL(${type.precision}, ${type.scale})`;
  }
}

/** `"name" TYPE, ...` for a CREATE TABLE of the table's columns. */
export function columnDefinitions(table: TableDef): string {
  return table.columns.map((c) => `${quotedIdentifier(c.name)} ${duckdbType(c.type)}`).join(', ');
}

/** Scaled integer of a plain decimal string at `scale`: "-12.5" at scale 2 is -1250n. */
export function decimalToScaled(text: string, scale: number): bigint {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) throw new CdcError(ErrorCode.INVALID_VALUE, `not a decimal: ${JSON.stringify(text)}`);
  const fraction = (match[3] ?? '').padEnd(scale, '0');
  if (fraction.length > scale)
    throw new CdcError(ErrorCode.INVALID_VALUE, `${text} has more than ${scale} fractional digits`);
  const scaled = BigInt((match[2] ?? '0') + fraction);
  return match[1] === '-' ? -scaled : scaled;
}

export function appendValue(
  appender: DuckDBAppender,
  column: ColumnDef,
  value: ColumnValue | undefined,
): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  const type = column.type;
  switch (type.kind) {
    case 'int2':
      return appender.appendSmallInt(value as number);
    case 'int4':
      return appender.appendInteger(value as number);
    case 'int8':
      return appender.appendBigInt(value as bigint);
    case 'float4':
      return appender.appendFloat(value as number);
    case 'float8':
      return appender.appendDouble(value as number);
    case 'bool':
      return appender.appendBoolean(value as boolean);
    case 'text':
    case 'json':
      return appender.appendVarchar(value as string);
    case 'uuid':
      return appender.appendUUID(
        DuckDBUUIDValue.fromUint128(BigInt('0x' + (value as string).replaceAll('-', ''))),
      );
    case 'bytea':
      return appender.appendBlob(value as Buffer);
    case 'date':
      return appender.appendDate(new DuckDBDateValue(value as number));
    case 'timestamp':
      return appender.appendTimestamp(new DuckDBTimestampValue(value as bigint));
    case 'timestamptz':
      return appender.appendTimestampTZ(new DuckDBTimestampTZValue(value as bigint));
    case 'numeric':
      return appender.appendDecimal(
        new DuckDBDecimalValue(decimalToScaled(value as string, type.scale), type.precision, type.scale),
      );
  }
}
