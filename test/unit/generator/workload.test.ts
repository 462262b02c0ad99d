import { describe, expect, test } from 'vitest';
import type { ColumnDef, ColumnValue } from '../../../core/events/types.ts';
import {
  WORKLOAD_DEFAULTS,
  eachChange,
  generateWorkload,
  liveOrderCount,
  resolveWorkloadOptions,
} from '../../../producer/generator/workload.ts';
import { ANCHOR_MS, HISTORY_START_MS } from '../../../producer/generator/simulation.ts';
import { FEW_ORDERS, SMALL, changesOf, digest } from './workload-fixtures.ts';

const small = changesOf(SMALL);

function conforms(column: ColumnDef, value: ColumnValue | undefined): boolean {
  if (value === null) return column.nullable;
  switch (column.type.kind) {
    case 'int8':
      return typeof value === 'bigint' && value > 0n;
    case 'int4':
      return typeof value === 'number' && Number.isInteger(value);
    case 'text':
      return typeof value === 'string' && value.length > 0;
    case 'numeric': {
      const { precision, scale } = column.type;
      const pattern = new RegExp(`^(0|[1-9]\\d{0,${precision - scale - 1}})\\.\\d{${scale}}$`);
      return typeof value === 'string' && pattern.test(value);
    }
    case 'timestamptz':
      // Whole milliseconds, so every driver's Date carries them exactly.
      return typeof value === 'bigint' && value % 1000n === 0n;
    default:
      return false;
  }
}

describe('the workload options', () => {
  test('default to 10,000 customers, 600 products, 1,000,000 orders and changes of 30% of the orders', () => {
    expect(resolveWorkloadOptions({ seed: 1 })).toEqual({
      seed: 1,
      customers: 10_000,
      products: 600,
      orders: 1_000_000,
      changes: 300_000,
      batchSize: WORKLOAD_DEFAULTS.batchSize,
    });
    expect(resolveWorkloadOptions({ seed: 1, orders: 1000 }).changes).toBe(300);
  });

  test('a wrong count is refused with CDC_CONFIG_INVALID naming the option', () => {
    expect(() => resolveWorkloadOptions({ seed: 1, orders: -1 })).toThrow(/orders = -1/);
    expect(() => resolveWorkloadOptions({ seed: 1, customers: 0 })).toThrow(
      expect.objectContaining({ code: 'CDC_CONFIG_INVALID' }),
    );
    expect(() => resolveWorkloadOptions({ seed: 0.5 })).toThrow(/seed/);
    expect(() => generateWorkload({ seed: 1, products: 1.5 }).next()).toThrow(/products/);
  });
});

describe('the workload', () => {
  test('the same seed gives the same changes, in the same order', () => {
    expect(digest(changesOf(SMALL))).toBe(digest(small));
    const firstN = (n: number) => {
      const changes = [];
      for (const change of eachChange(generateWorkload({ seed: 3 }))) {
        changes.push(change);
        if (changes.length === n) break;
      }
      return changes;
    };
    expect(digest(firstN(20_000))).toBe(digest(firstN(20_000)));
  });

  test('a different seed gives different changes', () => {
    expect(digest(changesOf({ ...SMALL, seed: 8 }))).not.toBe(digest(small));
  });

  // Pinned: a seed must give the same data on every machine and Node version. A deliberate change of the
  // workload's rules changes it too; update it then, and say so.
  test('the digest of a small workload is pinned, so the same seed gives the same data on every machine', () => {
    expect(digest(changesOf({ seed: 1, customers: 50, products: 10, orders: 400, changes: 200 }))).toBe(
      'd6cf08f42ede4269e7114a489de24d211fe54581c7df6effd784112605ae69d6',
    );
  });

  test('counts: every product, customer and order line is inserted once, then exactly `changes` updates and deletes', () => {
    const count = (table: string, op: string) =>
      small.filter((c) => c.table.name === table && c.op === op).length;
    expect(count('products', 'c')).toBe(SMALL.products);
    expect(count('customers', 'c')).toBe(SMALL.customers);
    expect(count('orders', 'c')).toBe(SMALL.orders);
    expect(small.filter((c) => c.op !== 'c')).toHaveLength(SMALL.changes!);
    for (const table of ['products', 'customers', 'orders']) expect(count(table, 'u')).toBeGreaterThan(0);
    expect(count('orders', 'd')).toBeGreaterThan(0);
  });

  test('pos grows by one from 1n; txId groups 1-5 adjacent changes and only grows', () => {
    small.forEach((change, i) => expect(change.pos).toBe(BigInt(i + 1)));
    const sizes = new Map<number, number>();
    let previous = 0;
    for (const change of small) {
      expect(change.txId === previous || change.txId === previous + 1).toBe(true);
      previous = change.txId;
      sizes.set(change.txId, (sizes.get(change.txId) ?? 0) + 1);
    }
    expect(Math.min(...sizes.values())).toBe(1);
    expect(Math.max(...sizes.values())).toBeLessThanOrEqual(5);
    expect([...sizes.keys()][0]).toBe(1);
  });

  test('batches end on transaction boundaries and hold about batchSize changes', () => {
    const batches = [...generateWorkload(SMALL)];
    for (let i = 0; i < batches.length - 1; i++) {
      const batch = batches[i]!;
      expect(batch.length).toBeGreaterThanOrEqual(SMALL.batchSize!);
      expect(batch.length).toBeLessThan(SMALL.batchSize! + 5);
      expect(batches[i + 1]![0]!.txId).toBe(batch.at(-1)!.txId + 1);
    }
  });

  test('every row has exactly the columns of its table, typed as the change-event contract says', () => {
    for (const change of small) {
      for (const row of [change.before, change.after]) {
        if (row === null) continue;
        expect(Object.keys(row)).toEqual(change.table.columns.map((c) => c.name));
        for (const column of change.table.columns) {
          if (!conforms(column, row[column.name])) {
            throw new Error(
              `${change.table.name}.${column.name} = ${String(row[column.name])} at ${change.pos}`,
            );
          }
        }
      }
      expect(change.before === null).toBe(change.op === 'c');
      expect(change.after === null).toBe(change.op === 'd');
    }
  });

  test('history rows are dated in the three years before 2026-01-01 and live changes after it, in order', () => {
    const start = BigInt(HISTORY_START_MS) * 1000n;
    const anchor = BigInt(ANCHOR_MS) * 1000n;
    const live = liveOrderCount(SMALL.orders!, SMALL.changes!);
    const orders = small.filter((c) => c.table.name === 'orders' && c.op === 'c').map((c) => c.after!);
    const history = orders.slice(0, SMALL.orders! - live);
    for (const row of history) {
      expect(row.ordered_at as bigint).toBeGreaterThanOrEqual(start);
      expect(row.ordered_at as bigint).toBeLessThan(anchor);
    }
    for (const row of orders.slice(history.length)) expect(row.ordered_at as bigint).toBeGreaterThan(anchor);
    const times = orders.map((row) => row.ordered_at as bigint);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    const customers = small.filter((c) => c.table.name === 'customers' && c.op === 'c').map((c) => c.after!);
    expect(customers[0]!.created_at).toBe(start);
    expect(customers.at(-1)!.created_at as bigint).toBeLessThan(anchor);
    for (const change of small.filter((c) => c.op === 'u')) {
      expect(change.after!.updated_at as bigint).toBeGreaterThan(change.before!.updated_at as bigint);
      expect(change.after!.updated_at as bigint).toBeGreaterThan(anchor);
    }
  });

  test('new orders are pending, at their product price of the moment, with a listed discount and quantity 1-5', () => {
    const prices = new Map<ColumnValue, ColumnValue>();
    let repriced = 0;
    for (const change of small) {
      if (change.table.name === 'products') {
        if (change.op === 'u' && change.after!.unit_price !== change.before!.unit_price) repriced++;
        prices.set(change.after!.product_id!, change.after!.unit_price!);
      } else if (change.table.name === 'orders' && change.op === 'c') {
        const row = change.after!;
        expect(row.status).toBe('pending');
        expect(row.unit_price).toBe(prices.get(row.product_id!));
        expect(['0.00', '0.05', '0.10', '0.15', '0.20']).toContain(row.discount);
        expect(row.quantity as number).toBeGreaterThanOrEqual(1);
        expect(row.quantity as number).toBeLessThanOrEqual(5);
      }
    }
    expect(repriced).toBeGreaterThan(0);
  });

  test('segments, countries and categories come from their lists; every customer has an address of its own', () => {
    const owner = new Map<string, ColumnValue>();
    for (const change of changesOf(FEW_ORDERS)) {
      const row = change.after;
      if (row === null) continue;
      if (change.table.name === 'customers') {
        expect(['Consumer', 'Corporate', 'Home Office']).toContain(row.segment);
        expect(row.email).toMatch(/^[a-z]+\.[a-z]+\d+(\.\d+)?@[a-z.]+$/);
        const email = row.email as string;
        expect(owner.get(email) ?? row.customer_id).toBe(row.customer_id);
        owner.set(email, row.customer_id!);
      } else if (change.table.name === 'products') {
        expect(['Electronics', 'Furniture', 'Office Supplies', 'Home & Kitchen']).toContain(row.category);
      }
    }
    expect(owner.size).toBeGreaterThan(FEW_ORDERS.customers!);
  });
});
