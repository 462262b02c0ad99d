import { expect, test } from 'vitest';
import { parseColumnTypes } from '../../../merge/column-types.ts';

test('LAKE_COLUMN_TYPES: entries by bronze table and column, types as DuckDB names them', () => {
  const types = parseColumnTypes(
    ' orders.amount = numeric(12, 2) ;orders.created_at=timestamptz; inventory__customers.Born=date;;',
  );
  expect(Object.fromEntries([...types].map(([t, c]) => [t, Object.fromEntries(c)]))).toEqual({
    orders: { amount: 'DECIMAL(12,2)', created_at: 'TIMESTAMP WITH TIME ZONE' },
    inventory__customers: { Born: 'DATE' },
  });
  expect(parseColumnTypes('').size).toBe(0);
});

test('LAKE_COLUMN_TYPES: a wrong entry is named', () => {
  for (const wrong of [
    'orders.amount',
    'amount=DECIMAL(12,2)',
    'orders.amount=MONEY',
    'Orders.x=INT',
    'o.x=INT; DROP TABLE',
  ]) {
    expect(() => parseColumnTypes(wrong), wrong).toThrow(
      /LAKE_COLUMN_TYPES: ".*" is not <bronze table>\.<column>=<type>/,
    );
  }
});
