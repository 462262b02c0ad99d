// When a change may join an open batch, for every raw writer: the same source table and key, and no column
// of another type (a batch is one Parquet file of one table with one key).

import { expect, test } from 'vitest';
import type { ColumnDef } from '../../../core/events/types.ts';
import {
  batchIdentity,
  joinedIdentity,
  sameTable,
  typesAgree,
  type ChangeShape,
} from '../../../consumer/raw-batch.ts';

const id: ColumnDef = { name: 'id', type: { kind: 'int8' }, nullable: false };
const price: ColumnDef = {
  name: 'price',
  type: { kind: 'numeric', precision: 10, scale: 2 },
  nullable: true,
};
const change = (over: Partial<ChangeShape> = {}): ChangeShape => ({
  schema: 'public',
  table: 'orders',
  key: ['id'],
  columns: [id, price],
  ...over,
});

test('any change fits an empty batch; then only the same schema, table and key', () => {
  expect(sameTable(undefined, change({ table: 'anything' }))).toBe(true);
  const identity = batchIdentity(change());
  expect(sameTable(identity, change())).toBe(true);
  expect(sameTable(identity, change({ key: ['id'] }))).toBe(true); // another array, same key
  expect(sameTable(identity, change({ table: 'customers' }))).toBe(false);
  expect(sameTable(identity, change({ schema: 'sales' }))).toBe(false);
  expect(sameTable(identity, change({ key: ['id', 'line'] }))).toBe(false);
  // A truncate names no key: it fits any batch of its table, and a batch it opened takes the next key.
  expect(sameTable(identity, change({ key: [] }))).toBe(true);
  expect(sameTable(identity, change({ key: [], table: 'customers' }))).toBe(false);
  const keyless = batchIdentity(change({ key: [] }));
  expect(sameTable(keyless, change())).toBe(true);
  expect(joinedIdentity(keyless, change()).key).toEqual(['id']);
  expect(joinedIdentity(identity, change({ key: [] })).key).toEqual(['id']);
  // Names that would run together without a separator are different keys.
  expect(sameTable(batchIdentity(change({ key: ['a', 'bc'] })), change({ key: ['ab', 'c'] }))).toBe(false);
});

test('new columns fit; a known column with another type, precision or scale does not', () => {
  const known = new Map([id, price].map((c) => [c.name, c]));
  expect(typesAgree(known, [id, price])).toBe(true);
  expect(typesAgree(known, [id, { name: 'note', type: { kind: 'text' }, nullable: true }])).toBe(true);
  expect(typesAgree(known, [{ ...id, nullable: true }])).toBe(true); // nullability is not the type
  expect(typesAgree(known, [{ ...id, type: { kind: 'int4' } }])).toBe(false);
  expect(typesAgree(known, [{ ...price, type: { kind: 'numeric', precision: 12, scale: 2 } }])).toBe(false);
  expect(typesAgree(known, [{ ...price, type: { kind: 'numeric', precision: 10, scale: 3 } }])).toBe(false);
});
