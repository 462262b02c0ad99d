// The simulated store's current rows (products and customers column-wise in arrays, orders in 32-byte records;
// ids are 1-based indexes) and the row images built from them; the workload changes rows only through here.

import type { Row } from '../../core/events/types.ts';
import { IntSet } from './int-set.ts';
import { formatCents, orderTotalCents } from './money.ts';
import { OrderRecords } from './order-records.ts';
import {
  COUNTRIES,
  DISCOUNT_PERCENTS,
  ORDER_STATUSES,
  SEGMENTS,
  Status,
  SUBCATEGORIES,
} from './vocabulary.ts';

const DISCOUNT_STRINGS: readonly string[] = DISCOUNT_PERCENTS.map(formatCents);

/** Timestamps are whole milliseconds (as microseconds), so any driver's Date round-trips them exactly. */
export const micros = (ms: number): bigint => BigInt(ms * 1000);

export class StoreState {
  // products
  readonly productIds: bigint[];
  readonly productNames: string[];
  readonly productSubcategory: Uint8Array;
  readonly productPriceCents: Int32Array;
  readonly productPrice: string[];
  readonly productUpdatedAt: bigint[];
  productsCreated = 0;

  // customers
  readonly customerIds: bigint[];
  readonly customerNames: string[];
  readonly customerEmails: string[];
  readonly customerFirst: Uint8Array;
  readonly customerLast: Uint8Array;
  readonly customerEmailVersion: Int32Array;
  readonly customerSegment: Uint8Array;
  readonly customerCountry: Uint8Array;
  readonly customerCreatedAt: bigint[];
  readonly customerUpdatedAt: bigint[];
  readonly customerDeleted: Uint8Array;
  /** Orders of the customer that are not cancelled. */
  readonly customerOrders: Int32Array;
  /** Customers neither deleted nor with any order: the only ones that may be deleted. */
  readonly customersWithoutOrders: IntSet;
  customersCreated = 0;
  liveCustomers = 0;

  // orders
  readonly orders: OrderRecords;
  /** Orders by status, for pending, paid and shipped (delivered orders change no more). */
  readonly ordersByStatus: readonly [IntSet, IntSet, IntSet];
  ordersCreated = 0;

  constructor(counts: { products: number; customers: number; orders: number }) {
    const p = counts.products + 1;
    this.productIds = [];
    this.productNames = new Array<string>(p).fill('');
    this.productSubcategory = new Uint8Array(p);
    this.productPriceCents = new Int32Array(p);
    this.productPrice = new Array<string>(p).fill('');
    this.productUpdatedAt = new Array<bigint>(p).fill(0n);
    for (let id = 0; id < p; id++) this.productIds.push(BigInt(id));

    const c = counts.customers + 1;
    this.customerIds = [];
    for (let id = 0; id < c; id++) this.customerIds.push(BigInt(id));
    this.customerNames = new Array<string>(c).fill('');
    this.customerEmails = new Array<string>(c).fill('');
    this.customerFirst = new Uint8Array(c);
    this.customerLast = new Uint8Array(c);
    this.customerEmailVersion = new Int32Array(c);
    this.customerSegment = new Uint8Array(c);
    this.customerCountry = new Uint8Array(c);
    this.customerCreatedAt = new Array<bigint>(c).fill(0n);
    this.customerUpdatedAt = new Array<bigint>(c).fill(0n);
    this.customerDeleted = new Uint8Array(c);
    this.customerOrders = new Int32Array(c);
    this.customersWithoutOrders = new IntSet(IntSet.slots(c));

    const o = counts.orders + 1;
    this.orders = new OrderRecords(o);
    const slots = IntSet.slots(o); // an order is in one status set at a time
    this.ordersByStatus = [new IntSet(slots), new IntSet(slots), new IntSet(slots)];
  }

  productRow(id: number): Row {
    const sub = SUBCATEGORIES[this.productSubcategory[id] as number]!;
    return {
      product_id: this.productIds[id]!,
      product_name: this.productNames[id]!,
      category: sub.category,
      subcategory: sub.subcategory,
      unit_price: this.productPrice[id]!,
      updated_at: this.productUpdatedAt[id]!,
    };
  }

  customerRow(id: number): Row {
    return {
      customer_id: this.customerIds[id]!,
      name: this.customerNames[id]!,
      email: this.customerEmails[id]!,
      segment: SEGMENTS[this.customerSegment[id] as number]!,
      country: COUNTRIES[this.customerCountry[id] as number]!,
      created_at: this.customerCreatedAt[id]!,
      updated_at: this.customerUpdatedAt[id]!,
    };
  }

  orderRow(id: number): Row {
    const orders = this.orders;
    const quantity = orders.quantity(id);
    const priceCents = orders.priceCents(id);
    const discount = orders.discount(id);
    const orderedAtMs = orders.orderedAtMs(id);
    const updatedAtMs = orders.updatedAtMs(id);
    const orderedAt = micros(orderedAtMs);
    const product = orders.product(id);
    return {
      order_id: BigInt(id),
      customer_id: this.customerIds[orders.customer(id)]!,
      product_id: this.productIds[product]!,
      ordered_at: orderedAt,
      quantity,
      // Most orders carry their product's current price, already formatted.
      unit_price:
        this.productPriceCents[product] === priceCents
          ? this.productPrice[product]!
          : formatCents(priceCents),
      discount: DISCOUNT_STRINGS[discount]!,
      total_amount: formatCents(orderTotalCents(quantity, priceCents, DISCOUNT_PERCENTS[discount]!)),
      status: ORDER_STATUSES[orders.status(id)]!,
      updated_at: updatedAtMs === orderedAtMs ? orderedAt : micros(updatedAtMs),
    };
  }

  /** The row of an order whose status just moved on, from its row before the move. */
  orderRowAfterAdvance(id: number, before: Row): Row {
    return {
      order_id: before.order_id!,
      customer_id: before.customer_id!,
      product_id: before.product_id!,
      ordered_at: before.ordered_at!,
      quantity: before.quantity!,
      unit_price: before.unit_price!,
      discount: before.discount!,
      total_amount: before.total_amount!,
      status: ORDER_STATUSES[this.orders.status(id)]!,
      updated_at: micros(this.orders.updatedAtMs(id)),
    };
  }

  addProduct(name: string, subcategory: number, priceCents: number, atMs: number): number {
    const id = ++this.productsCreated;
    this.productNames[id] = name;
    this.productSubcategory[id] = subcategory;
    this.setProductPrice(id, priceCents, atMs);
    return id;
  }

  setProductPrice(id: number, priceCents: number, atMs: number): void {
    this.productPriceCents[id] = priceCents;
    this.productPrice[id] = formatCents(priceCents);
    this.productUpdatedAt[id] = micros(atMs);
  }

  addCustomer(
    fields: { name: string; email: string; first: number; last: number; segment: number; country: number },
    atMs: number,
  ): number {
    const id = ++this.customersCreated;
    this.customerNames[id] = fields.name;
    this.customerEmails[id] = fields.email;
    this.customerFirst[id] = fields.first;
    this.customerLast[id] = fields.last;
    this.customerSegment[id] = fields.segment;
    this.customerCountry[id] = fields.country;
    const at = micros(atMs);
    this.customerCreatedAt[id] = at;
    this.customerUpdatedAt[id] = at;
    this.liveCustomers++;
    this.customersWithoutOrders.add(id);
    return id;
  }

  deleteCustomer(id: number): void {
    this.customerDeleted[id] = 1;
    this.liveCustomers--;
    this.customersWithoutOrders.delete(id);
  }

  addOrder(customer: number, product: number, quantity: number, discount: number, atMs: number): number {
    const id = ++this.ordersCreated;
    const priceCents = this.productPriceCents[product] as number;
    this.orders.set(id, { customer, product, priceCents, quantity, discount }, Status.pending, atMs);
    this.ordersByStatus[Status.pending].add(id);
    const orders = this.customerOrders[customer] as number;
    this.customerOrders[customer] = orders + 1;
    if (orders === 0) this.customersWithoutOrders.delete(customer);
    return id;
  }

  /** Moves a pending, paid or shipped order one status on. */
  advanceOrder(id: number, atMs: number): void {
    const status = this.orders.status(id) as 0 | 1 | 2;
    this.ordersByStatus[status].delete(id);
    if (status < Status.shipped) this.ordersByStatus[(status + 1) as 1 | 2].add(id);
    this.orders.setStatus(id, status + 1, atMs);
  }

  /** Cancels a pending or paid order: the row goes (the status is left; the id is never used again). */
  cancelOrder(id: number): void {
    this.ordersByStatus[this.orders.status(id) as 0 | 1].delete(id);
    const customer = this.orders.customer(id);
    const left = (this.customerOrders[customer] as number) - 1;
    this.customerOrders[customer] = left;
    if (left === 0 && this.customerDeleted[customer] === 0) this.customersWithoutOrders.add(customer);
  }
}
