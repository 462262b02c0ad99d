// Types for columns that arrive typed by their values (Debezium's JSON without schemas): decimals and
// timestamps come as text or plain integers there. Such a column takes the type LAKE_COLUMN_TYPES names for
// it, or else the decimal, time or UUID type its bronze column already has; every value is converted exactly
// or the table's merge stops, naming the column and the value. Columns typed by a writer schema keep their type unless
// LAKE_COLUMN_TYPES names them.
//
//   LAKE_COLUMN_TYPES='orders.amount=DECIMAL(12,2); orders.created_at=TIMESTAMPTZ; orders.day=DATE'

import type { DuckDBConnection } from '@duckdb/node-api';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { identifier, renderSql } from '../core/sql-files.ts';
import { compareTypes, isKnownType } from './lake-types.ts';

/** Per bronze table, per column, the type it is stored as. */
export type ColumnTypes = Map<string, Map<string, string>>;

const ALIASES: Record<string, string> = {
  TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE',
  INT: 'INTEGER',
  INT4: 'INTEGER',
  INT8: 'BIGINT',
  INT2: 'SMALLINT',
  BOOL: 'BOOLEAN',
  FLOAT8: 'DOUBLE',
  FLOAT4: 'FLOAT',
  TEXT: 'VARCHAR',
  NUMERIC: 'DECIMAL',
};

/** DuckDB's name of a type as DESCRIBE prints it: upper case, aliases resolved, no spaces in DECIMAL(p,s). */
function normalType(text: string): string {
  const upper = text.trim().toUpperCase().replace(/\s+/g, ' ');
  const decimal = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(upper);
  if (decimal !== null) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  return ALIASES[upper] ?? upper;
}

const parsed = new Map<string, ColumnTypes>();

/** LAKE_COLUMN_TYPES read: `table.column=TYPE` entries separated by `;`. A wrong entry is named. */
export function parseColumnTypes(text: string): ColumnTypes {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const types: ColumnTypes = new Map();
  for (const entry of text.split(';')) {
    if (entry.trim() === '') continue;
    const match = /^\s*([a-z_][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*=(.+)$/.exec(entry);
    const type = match === null ? '' : normalType(match[3] as string);
    if (match === null || !isKnownType(type))
      throw new CdcError(
        ErrorCode.CONFIG_INVALID,
        `LAKE_COLUMN_TYPES: ${JSON.stringify(entry.trim())} is not <bronze table>.<column>=<type> with a type ` +
          'bronze stores (BOOLEAN, SMALLINT, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, DATE, TIME, ' +
          'TIMESTAMP, TIMESTAMPTZ, UUID, JSON, BLOB)',
        { facts: { variable: 'LAKE_COLUMN_TYPES' } },
      );
    const [, table, column] = match as unknown as [string, string, string];
    const columns = types.get(table) ?? new Map<string, string>();
    columns.set(column, type);
    types.set(table, columns);
  }
  parsed.set(text, types);
  return types;
}

const INTEGERS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT']);
const TIMES = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE']);

/**
 * Whether a column typed by its values may take bronze's type without LAKE_COLUMN_TYPES: only where JSON
 * cannot carry that type, so the value's type says nothing against it (a decimal or a time as text, a time
 * as an integer, a decimal as a number). Text arriving for an integer, boolean or double column is a change
 * of the source's column (JSON carries those types itself), and is left to stop the table, not read back.
 */
function takesBronzeType(from: string, stored: string): boolean {
  const decimal = stored.startsWith('DECIMAL(');
  if (from === 'VARCHAR') return decimal || TIMES.has(stored) || stored === 'UUID';
  if (INTEGERS.has(from)) return decimal || TIMES.has(stored);
  if (from === 'DOUBLE' || from === 'FLOAT') return decimal;
  return false;
}

/**
 * How a value of type `from` becomes `to`: text and numbers by an exact CAST; integers as Debezium encodes
 * time without schemas: DATE as days since 1970-01-01, TIMESTAMP(TZ) as microseconds since the epoch (UTC),
 * TIME as microseconds since midnight.
 */
function conversionFile(from: string, to: string): string {
  if (INTEGERS.has(from)) {
    if (to === 'DATE') return 'merge/conversions/epoch-days.sql';
    if (to === 'TIMESTAMP') return 'merge/conversions/epoch-micros.sql';
    if (to === 'TIMESTAMP WITH TIME ZONE') return 'merge/conversions/epoch-micros-utc.sql';
    if (to === 'TIME') return 'merge/conversions/day-micros.sql';
  }
  return 'merge/conversions/cast.sql';
}

/**
 * The type each staged column is stored as: LAKE_COLUMN_TYPES' for the table, else (for columns typed by
 * their values) bronze's own where the two differ and bronze's type does not simply hold the values. The
 * staged events (`incoming`) are converted in place; a value that does not convert stops the merge of the
 * table, named, with nothing committed.
 */
export async function retypeIncoming(
  connection: DuckDBConnection,
  table: string,
  incoming: { name: string; type: string }[],
  options: {
    configured: Map<string, string> | undefined;
    stored: Map<string, string>;
    typedByValues: boolean;
  },
): Promise<{ name: string; type: string }[]> {
  const out: { name: string; type: string }[] = [];
  for (const column of incoming) {
    const stored = options.stored.get(column.name);
    let target = options.configured?.get(column.name);
    if (target === undefined && options.typedByValues && stored !== undefined) {
      const change = compareTypes(stored, column.type);
      if (change === 'incompatible' && takesBronzeType(column.type, stored)) target = stored;
    }
    if (target === undefined || target === column.type) {
      out.push(column);
      continue;
    }
    const conversion = renderSql(conversionFile(column.type, target), {
      column: identifier(column.name),
      type: { raw: target },
    });
    try {
      await connection.run(
        renderSql('merge/retype-incoming-column.sql', {
          column: identifier(column.name),
          type: { raw: target },
          conversion: { raw: conversion },
        }),
      );
    } catch (error: unknown) {
      const why = error instanceof Error ? error.message : String(error);
      throw new CdcError(
        ErrorCode.SCHEMA_INCOMPATIBLE,
        `bronze.${table}: column ${column.name} arrives as ${column.type} (typed by its values) and is to be ` +
          `${target} (${options.configured?.has(column.name) === true ? 'LAKE_COLUMN_TYPES' : "bronze's type"}), ` +
          `but a value does not convert: ${why.split('\n')[0] ?? why}`,
        { facts: { table, column: column.name } },
      );
    }
    out.push({ name: column.name, type: target });
  }
  return out;
}
