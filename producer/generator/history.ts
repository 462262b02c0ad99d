// The history: the product catalogue first, then three years of customer sign-ups and checkouts merged in
// time order, so every order refers to a customer and a product that already exist. Inserts only.

import { emitCheckout } from './checkout.ts';
import { HISTORY_START_MS, ANCHOR_MS, type Phase, type Simulation } from './simulation.ts';
import { customersTable, productsTable } from './tables.ts';
import {
  BRANDS,
  COUNTRY_TABLE,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  SEGMENT_TABLE,
  SERIES,
  SUBCATEGORIES,
  emailAddress,
} from './vocabulary.ts';

const SPAN_MS = ANCHOR_MS - HISTORY_START_MS;
/** Products loaded per transaction, as a catalogue import would. */
const PRODUCTS_PER_TRANSACTION = 5;
const PRICE_ENDINGS = [0, 49, 95, 99] as const;

export class HistoryPhase implements Phase {
  private readonly sim: Simulation;
  private readonly products: number;
  private readonly customers: number;
  private readonly orders: number;
  private ordersEmitted = 0;
  private nextCustomerAtMs = HISTORY_START_MS;
  private nextOrderAtMs: number;

  /** `orders`: the order lines of the history (the live phase places the rest). */
  constructor(sim: Simulation, counts: { products: number; customers: number; orders: number }) {
    this.sim = sim;
    this.products = counts.products;
    this.customers = counts.customers;
    this.orders = counts.orders;
    this.nextOrderAtMs = this.slotTime(0, this.orders);
  }

  fill(): boolean {
    const { store, sink } = this.sim;
    for (;;) {
      const productsLeft = store.productsCreated < this.products;
      const customersLeft = store.customersCreated < this.customers;
      const ordersLeft = this.ordersEmitted < this.orders;
      if (!productsLeft && !customersLeft && !ordersLeft) return false;
      if (sink.full) return true;
      if (productsLeft) {
        this.emitProducts();
      } else if (customersLeft && (!ordersLeft || this.nextCustomerAtMs <= this.nextOrderAtMs)) {
        this.emitCustomer(this.nextCustomerAtMs);
        this.nextCustomerAtMs = this.slotTime(store.customersCreated, this.customers);
      } else {
        const customer = 1 + this.sim.random.int(store.customersCreated);
        this.ordersEmitted += emitCheckout(
          this.sim,
          customer,
          this.nextOrderAtMs,
          this.orders - this.ordersEmitted,
        );
        this.nextOrderAtMs = this.slotTime(this.ordersEmitted, this.orders);
      }
    }
  }

  /**
   * The time of the `slot`-th of `count` events spread over the history: a random instant inside the slot's
   * own stretch, so times only grow without sorting. (The first customer signs up at the very start, so
   * the first checkout has a customer.)
   */
  private slotTime(slot: number, count: number): number {
    if (slot >= count) return ANCHOR_MS;
    return HISTORY_START_MS + Math.floor(((slot + this.sim.random.float()) * SPAN_MS) / count);
  }

  private emitProducts(): void {
    const { store, random, sink } = this.sim;
    sink.begin();
    const last = Math.min(this.products, store.productsCreated + PRODUCTS_PER_TRANSACTION);
    while (store.productsCreated < last) {
      const subcategory = store.productsCreated % SUBCATEGORIES.length;
      const { noun, minPrice, maxPrice } = SUBCATEGORIES[subcategory]!;
      const name = `${random.pick(BRANDS)} ${noun} ${random.pick(SERIES)} ${store.productsCreated + 1}`;
      const priceCents = random.between(minPrice, maxPrice) * 100 + random.pick(PRICE_ENDINGS);
      const id = store.addProduct(name, subcategory, priceCents, HISTORY_START_MS);
      sink.insert(productsTable, store.productRow(id));
    }
  }

  private emitCustomer(atMs: number): void {
    const { store, random, sink } = this.sim;
    const first = random.int(FIRST_NAMES.length);
    const last = random.int(LAST_NAMES.length);
    const id = store.customersCreated + 1;
    const fields = {
      name: `${FIRST_NAMES[first]} ${LAST_NAMES[last]}`,
      email: emailAddress(first, last, id, 0, random.int(EMAIL_DOMAINS.length)),
      first,
      last,
      segment: SEGMENT_TABLE[random.int(100)]!,
      country: COUNTRY_TABLE[random.int(100)]!,
    };
    store.addCustomer(fields, atMs);
    sink.begin();
    sink.insert(customersTable, store.customerRow(id));
  }
}
