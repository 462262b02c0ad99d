// Table definitions of the PostgreSQL source: from the catalog at start, from pgoutput's Relation
// messages while streaming (so a column added in the source flows on as a new schema version).

import type pg from 'pg';
import { columnTypeFromPostgres } from '../../core/events/avro-schema.ts';
import type { ColumnDef, TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { sqlFile } from '../../core/sql-files.ts';
import type { Relation } from './pgoutput.ts';

/** Built-in type OIDs, so Relation messages need no catalog round trip for the common types. */
const BUILTIN_TYPES: Record<number, string> = {
  16: 'bool',
  17: 'bytea',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  114: 'json',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
  1700: 'numeric',
  2950: 'uuid',
  3802: 'jsonb',
};

/** Configured key columns for tables without a primary key: `{ "public.events": ["id"] }`. */
import type { KeyOverrides } from '../../core/config.ts';
export type { KeyOverrides };

interface ColumnRow {
  column_name: string;
  type_name: string;
  type_mod: number;
  nullable: boolean;
  key_position: string | null;
  replica_identity: string;
}

export async function listTables(client: pg.Client, schema: string): Promise<string[]> {
  const result = await client.query<{ table_name: string }>(sqlFile('postgres/list-tables.sql'), [schema]);
  return result.rows.map((r) => r.table_name);
}

export async function readTableDef(
  client: pg.Client,
  schema: string,
  name: string,
  keys: KeyOverrides,
): Promise<TableDef> {
  const result = await client.query<ColumnRow>(sqlFile('postgres/table-columns.sql'), [schema, name]);
  if (result.rows.length === 0) {
    throw new CdcError(
      ErrorCode.SOURCE_TABLE_MISSING,
      `table ${schema}.${name} does not exist in the source`,
      {
        facts: { table: `${schema}.${name}` },
      },
    );
  }
  const qualified = `${schema}.${name}`;
  const columns: ColumnDef[] = result.rows.map((r) => ({
    name: r.column_name,
    type: columnTypeFromPostgres(qualified, r.column_name, r.type_name, r.type_mod),
    nullable: r.nullable,
  }));
  const primaryKey = result.rows
    .filter((r) => r.key_position !== null)
    .sort((a, b) => Number(a.key_position) - Number(b.key_position))
    .map((r) => r.column_name);
  const identity = result.rows[0]?.replica_identity ?? 'd';
  const key = resolveKey(qualified, primaryKey, keys, columns, identity);
  return { schema, name, columns, key };
}

function resolveKey(
  table: string,
  primaryKey: string[],
  keys: KeyOverrides,
  columns: ColumnDef[],
  identity: string,
): string[] {
  const configured = keys[table];
  if (configured !== undefined) {
    for (const column of configured) {
      if (!columns.some((c) => c.name === column)) {
        throw new CdcError(
          ErrorCode.SOURCE_NO_KEY,
          `configured key column ${column} is not a column of ${table}`,
          {
            facts: { table, column },
          },
        );
      }
    }
    if (primaryKey.length === 0 && identity !== 'f') {
      throw new CdcError(
        ErrorCode.SOURCE_NO_KEY,
        `table ${table} has no primary key: its updates and deletes carry no before image; ` +
          `run ALTER TABLE ${table} REPLICA IDENTITY FULL to capture it with the configured key`,
        { facts: { table } },
      );
    }
    return configured;
  }
  if (primaryKey.length > 0) return primaryKey;
  throw new CdcError(
    ErrorCode.SOURCE_NO_KEY,
    `table ${table} has no primary key: add one, or configure its key columns ` +
      `(CDC_KEY_COLUMNS='${table}=col1+col2') and set REPLICA IDENTITY FULL, or leave it out of PG_TABLES`,
    { facts: { table } },
  );
}

/** The TableDef a Relation message describes; nullability and key order come from the previous def. */
export async function tableDefFromRelation(
  relation: Relation,
  previous: TableDef | undefined,
  typeName: (oid: number) => Promise<string>,
): Promise<TableDef> {
  const qualified = `${relation.schema}.${relation.name}`;
  const columns: ColumnDef[] = [];
  for (const column of relation.columns) {
    const name = BUILTIN_TYPES[column.typeOid] ?? (await typeName(column.typeOid));
    const before = previous?.columns.find((c) => c.name === column.name);
    columns.push({
      name: column.name,
      type: columnTypeFromPostgres(qualified, column.name, name, column.typeMod),
      nullable: before?.nullable ?? true,
    });
  }
  const key =
    previous !== undefined && previous.key.every((k) => relation.columns.some((c) => c.name === k))
      ? previous.key
      : relation.columns.filter((c) => c.isKey).map((c) => c.name);
  return { schema: relation.schema, name: relation.name, columns, key };
}

export async function lookupTypeName(client: pg.Client, oid: number): Promise<string> {
  const result = await client.query<{ type_name: string }>(sqlFile('postgres/type-name.sql'), [oid]);
  return result.rows[0]?.type_name ?? `oid ${oid}`;
}
