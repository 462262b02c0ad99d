// The star schema of the synthetic workload as OLTP source tables (schema `public`), key = first column.
// sql/generator/create-tables.sql creates the same tables in PostgreSQL; a unit test keeps the two equal.

import type { ColumnDef, ColumnType, TableDef } from '../../core/events/types.ts';

const int4: ColumnType = { kind: 'int4' };
const int8: ColumnType = { kind: 'int8' };
const text: ColumnType = { kind: 'text' };
const timestamptz: ColumnType = { kind: 'timestamptz' };
const numeric = (precision: number, scale: number): ColumnType => ({ kind: 'numeric', precision, scale });

// Only keys are NOT NULL, as in a typical operational schema; the generator fills every column anyway.
const key = (name: string): ColumnDef => ({ name, type: int8, nullable: false });
const column = (name: string, type: ColumnType): ColumnDef => ({ name, type, nullable: true });

export const customersTable: TableDef = {
  schema: 'public',
  name: 'customers',
  columns: [
    key('customer_id'),
    column('name', text),
    column('email', text),
    column('segment', text),
    column('country', text),
    column('created_at', timestamptz),
    column('updated_at', timestamptz),
  ],
  key: ['customer_id'],
};

export const productsTable: TableDef = {
  schema: 'public',
  name: 'products',
  columns: [
    key('product_id'),
    column('product_name', text),
    column('category', text),
    column('subcategory', text),
    column('unit_price', numeric(10, 2)),
    column('updated_at', timestamptz),
  ],
  key: ['product_id'],
};

export const ordersTable: TableDef = {
  schema: 'public',
  name: 'orders',
  columns: [
    key('order_id'),
    column('customer_id', int8),
    column('product_id', int8),
    column('ordered_at', timestamptz),
    column('quantity', int4),
    column('unit_price', numeric(10, 2)),
    column('discount', numeric(4, 2)),
    column('total_amount', numeric(12, 2)),
    column('status', text),
    column('updated_at', timestamptz),
  ],
  key: ['order_id'],
};

/** The workload's tables in dependency order: a table only refers to tables before it. */
export const starSchemaTables: readonly TableDef[] = [productsTable, customersTable, ordersTable];
