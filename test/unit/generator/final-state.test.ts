import { describe, expect, test } from 'vitest';
import type { ColumnValue, Row } from '../../../core/events/types.ts';
import {
  applyChange,
  emptyState,
  finalState,
  finalStateRowCounts,
  rowCounts,
} from '../../../producer/generator/final-state.ts';
import { ORDER_STATUSES } from '../../../producer/generator/vocabulary.ts';
import { generateWorkload, type GeneratedChange } from '../../../producer/generator/workload.ts';
import { customersTable, ordersTable } from '../../../producer/generator/tables.ts';
import { FEW_ORDERS, SMALL, changesOf } from './workload-fixtures.ts';

/** A numeric(_, 2) string as integer cents. */
const cents = (value: ColumnValue | undefined): bigint => {
  const [whole, fraction] = String(value).split('.');
  return BigInt(whole!) * 100n + BigInt(fraction!);
};

describe('the final state', () => {
  test('every update and delete refers to a key that exists at that point, with its stored row as before image', () => {
    for (const options of [SMALL, FEW_ORDERS]) {
      expect(() => finalState(generateWorkload(options))).not.toThrow();
    }
  });

  test('edge sizes keep the invariants: no orders, no changes, one customer and product, batches of one', () => {
    const edges = [
      { seed: 1, customers: 1, products: 1, orders: 0, changes: 50 },
      { seed: 2, customers: 1, products: 1, orders: 30, changes: 200, batchSize: 1 },
      { seed: 3, customers: 5, products: 2, orders: 100, changes: 0 },
    ];
    for (const options of edges) {
      const changes = changesOf(options);
      expect(changes.filter((c) => c.op === 'c')).toHaveLength(
        options.customers + options.products + options.orders,
      );
      expect(changes.filter((c) => c.op !== 'c')).toHaveLength(options.changes);
      expect(rowCounts(finalState([changes])).customers).toBeGreaterThan(0);
    }
  });

  test('applying a change to a key in the wrong state is an error', () => {
    const row: Row = { customer_id: 1n, name: 'A' };
    const change = (op: 'c' | 'u' | 'd', before: Row | null, after: Row | null): GeneratedChange => ({
      table: customersTable,
      op,
      before,
      after,
      pos: 1n,
      txId: 1,
    });
    const state = emptyState();
    expect(() => applyChange(state, change('u', row, row))).toThrow(/update of a missing key/);
    expect(() => applyChange(state, change('d', row, null))).toThrow(/delete of a missing key/);
    applyChange(state, change('c', null, row));
    expect(() => applyChange(state, change('c', null, row))).toThrow(/insert of an existing key/);
    expect(() => applyChange(state, change('u', { ...row, name: 'B' }, row))).toThrow(/before image differs/);
    applyChange(state, change('d', row, null));
    expect(rowCounts(state)).toEqual({ products: 0, customers: 0, orders: 0 });
  });

  test('every order total is exactly round(quantity * unit_price * (1 - discount), 2)', () => {
    const orders = finalState(generateWorkload(SMALL)).get('orders')!;
    expect(orders.size).toBeGreaterThan(0);
    for (const row of orders.values()) {
      const tenThousandths =
        BigInt(row.quantity as number) * cents(row.unit_price) * (100n - cents(row.discount));
      expect(cents(row.total_amount)).toBe((tenThousandths + 50n) / 100n);
    }
  });

  test('row counts are inserts minus deletes, with or without keeping the rows', () => {
    const changes = changesOf(SMALL);
    const count = (table: string, op: string) =>
      changes.filter((c) => c.table.name === table && c.op === op).length;
    const expected = {
      products: SMALL.products!,
      customers: SMALL.customers! - count('customers', 'd'),
      orders: SMALL.orders! - count('orders', 'd'),
    };
    expect(rowCounts(finalState(generateWorkload(SMALL)))).toEqual(expected);
    expect(finalStateRowCounts(generateWorkload(SMALL))).toEqual(expected);
  });

  test('order statuses only move forward, one step at a time: pending, paid, shipped, delivered', () => {
    const reached = new Set<ColumnValue>();
    for (const change of changesOf(SMALL)) {
      if (change.table !== ordersTable || change.op !== 'u') continue;
      const from = ORDER_STATUSES.indexOf(change.before!.status as (typeof ORDER_STATUSES)[number]);
      expect(ORDER_STATUSES.indexOf(change.after!.status as (typeof ORDER_STATUSES)[number])).toBe(from + 1);
      const { status: _b, updated_at: _bu, ...beforeRest } = change.before!;
      const { status: _a, updated_at: _au, ...afterRest } = change.after!;
      expect(afterRest).toEqual(beforeRest);
      reached.add(change.after!.status!);
    }
    expect([...reached].sort()).toEqual(['delivered', 'paid', 'shipped']);
  });

  test('orders refer to existing customers and products; only customers without orders are deleted', () => {
    for (const options of [SMALL, FEW_ORDERS]) {
      const state = emptyState();
      const ordersOf = new Map<ColumnValue, number>();
      let customersDeleted = 0;
      for (const change of changesOf(options)) {
        if (change.table === ordersTable && change.op !== 'u') {
          const row = (change.after ?? change.before)!;
          if (change.op === 'c') {
            expect(state.get('customers')!.has(row.customer_id!)).toBe(true);
            expect(state.get('products')!.has(row.product_id!)).toBe(true);
          }
          ordersOf.set(
            row.customer_id!,
            (ordersOf.get(row.customer_id!) ?? 0) + (change.op === 'c' ? 1 : -1),
          );
        }
        if (change.table === customersTable && change.op === 'd') {
          expect(ordersOf.get(change.before!.customer_id!) ?? 0).toBe(0);
          customersDeleted++;
        }
        applyChange(state, change);
      }
      if (options === FEW_ORDERS) expect(customersDeleted).toBeGreaterThan(0);
      expect(state.get('customers')!.size).toBeGreaterThan(0);
    }
  });
});
