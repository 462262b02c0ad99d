// A checkout: one transaction inserting 1-3 order lines of one customer at one instant, each at the
// product's current price, with a quantity of 1-5 and a discount of 0-20% (mostly none).

import { QUANTITY_TABLE, BASKET_LINES_TABLE, DISCOUNT_TABLE } from './vocabulary.ts';
import type { Simulation } from './simulation.ts';
import { ordersTable } from './tables.ts';

/** Emits a checkout of at most `maxLines` order lines; returns the number of lines. */
export function emitCheckout(sim: Simulation, customer: number, atMs: number, maxLines: number): number {
  const { store, random, sink } = sim;
  const lines = Math.min(maxLines, BASKET_LINES_TABLE[random.int(100)] as number);
  sink.begin();
  for (let i = 0; i < lines; i++) {
    const product = 1 + random.int(store.productsCreated);
    const quantity = QUANTITY_TABLE[random.int(100)] as number;
    const discount = DISCOUNT_TABLE[random.int(100)] as number;
    const id = store.addOrder(customer, product, quantity, discount, atMs);
    sink.insert(ordersTable, store.orderRow(id));
  }
  return lines;
}
