// Bronze names of source tables (core/lake-names.ts): different source tables never share one.

import { expect, test } from 'vitest';
import { bronzeTableName } from '../../core/lake-names.ts';

test('tables of the plain schema keep their name; other schemas are prefixed', () => {
  expect(bronzeTableName('public', 'orders', 'public')).toBe('orders');
  expect(bronzeTableName('sales', 'orders', 'public')).toBe('sales__orders');
  expect(bronzeTableName('inventory', 'customers', 'inventory')).toBe('customers');
});

test('names that differ only in case get different bronze names, stable across runs', () => {
  const upper = bronzeTableName('public', 'Orders', 'public');
  expect(upper).toMatch(/^orders_[0-9a-f]{8}$/);
  expect(upper).not.toBe(bronzeTableName('public', 'orders', 'public'));
  expect(upper).not.toBe(bronzeTableName('public', 'ORDERS', 'public'));
  expect(bronzeTableName('public', 'Orders', 'public')).toBe(upper);
  expect(bronzeTableName('Sales', 'orders', 'public')).not.toBe(bronzeTableName('sales', 'orders', 'public'));
});

test('every pair of distinct sample names maps to distinct bronze names (but for the registry-refused kind)', () => {
  const names: [string, string][] = [];
  for (const schema of ['public', 'sales', 'Sales', 'SALES', 'a'])
    for (const table of ['orders', 'Orders', 'oRders', 'b', 'order_s', 'orders_1'])
      names.push([schema, table]);
  const bronze = names.map(([s, t]) => bronzeTableName(s, t, 'public'));
  expect(new Set(bronze).size).toBe(names.length);
  // The one kind the rule cannot tell apart: a plain-schema table named like a prefixed one. The lake's
  // registry refuses the second of such a pair, naming both (test/e2e/source-operations.test.ts).
  expect(bronzeTableName('public', 'a__b', 'public')).toBe(bronzeTableName('a', 'b', 'public'));
});
