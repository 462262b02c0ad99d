import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ColumnType } from '../../../core/events/types.ts';
import { SQL_ROOT } from '../../../core/sql-files.ts';
import { starSchemaTables } from '../../../producer/generator/tables.ts';

const ddl = fs.readFileSync(`${SQL_ROOT}/generator/create-tables.sql`, 'utf8');

function sqlType(type: ColumnType): string {
  switch (type.kind) {
    case 'int4':
      return 'integer';
    case 'int8':
      return 'bigint';
    case 'numeric':
      return `numeric(${type.precision}, ${type.scale})`;
    default:
      return type.kind;
  }
}

/** The column lines of one `create table` statement, as written. */
function columnLines(table: string): string[] {
  const match = new RegExp(`create table if not exists public\\.${table} \\(\\n([\\s\\S]*?)\\n\\);`).exec(
    ddl,
  );
  if (match === null) throw new Error(`no create table for ${table}`);
  return match[1]!.split('\n').map((line) => line.trim().replace(/,$/, ''));
}

describe('the generator tables', () => {
  test('are customers, products and orders of schema public, keyed by their first column', () => {
    expect(starSchemaTables.map((t) => t.name).sort()).toEqual(['customers', 'orders', 'products']);
    for (const table of starSchemaTables) {
      expect(table.schema).toBe('public');
      expect(table.key).toEqual([table.columns[0]!.name]);
      expect(table.columns[0]!.nullable).toBe(false);
      expect(table.columns.slice(1).every((c) => c.nullable)).toBe(true);
    }
  });

  test('the PostgreSQL DDL declares the same columns, types, keys and nullability', () => {
    for (const table of starSchemaTables) {
      const lines = columnLines(table.name);
      expect(lines).toHaveLength(table.columns.length);
      table.columns.forEach((column, i) => {
        const [name, ...rest] = lines[i]!.split(' ');
        expect(name).toBe(column.name);
        const declaration = rest.join(' ');
        expect(declaration.startsWith(sqlType(column.type))).toBe(true);
        const notNull = /primary key|not null/.test(declaration);
        expect(notNull).toBe(!column.nullable);
        expect(/primary key/.test(declaration)).toBe(table.key.includes(column.name));
      });
    }
  });
});
