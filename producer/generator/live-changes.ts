// The live phase after the history: from the anchor on, a clock advancing 1 ms-2 s per transaction, new
// checkouts interleaved at random with the change mix (updates and deletes), each change its own transaction
// except product repricings (1-3 products together).

import { emitCheckout } from './checkout.ts';
import { percentTable } from './random.ts';
import { ANCHOR_MS, type Phase, type Simulation } from './simulation.ts';
import { micros } from './store-state.ts';
import { customersTable, ordersTable, productsTable } from './tables.ts';
import { EMAIL_DOMAINS, SEGMENTS, Status, emailAddress } from './vocabulary.ts';

/** The change mix, in percent of change events. */
export const CHANGE_MIX = {
  advanceOrder: 75,
  cancelOrder: 6,
  changeEmail: 7,
  changeSegment: 5,
  repriceProduct: 5,
  deleteCustomer: 2,
} as const;
type ChangeKind = keyof typeof CHANGE_MIX;
const KINDS = Object.keys(CHANGE_MIX) as ChangeKind[];
const KIND_TABLE = percentTable(Object.values(CHANGE_MIX));
/** Which status move an order update tries first: pay a pending order, ship a paid one, deliver a shipped one. */
const STAGE_TABLE = percentTable([40, 32, 28]);
const REPRICE_SIZE_TABLE = percentTable([0, 70, 20, 10]);
const MIN_PRICE_CENTS = 100;
const MAX_PRICE_CENTS = 9_999_999;

export class LivePhase implements Phase {
  private readonly sim: Simulation;
  private ordersLeft: number;
  private changesLeft: number;
  private clockMs = ANCHOR_MS;

  constructor(sim: Simulation, counts: { orders: number; changes: number }) {
    this.sim = sim;
    this.ordersLeft = counts.orders;
    this.changesLeft = counts.changes;
  }

  fill(): boolean {
    const { random, sink } = this.sim;
    for (;;) {
      if (this.ordersLeft === 0 && this.changesLeft === 0) return false;
      if (sink.full) return true;
      this.clockMs += 1 + random.int(2000);
      if (random.int(this.ordersLeft + this.changesLeft) < this.ordersLeft) {
        this.ordersLeft -= emitCheckout(this.sim, this.liveCustomer(), this.clockMs, this.ordersLeft);
      } else {
        // A change with nothing to change (no customer without orders, no order left to move) becomes an
        // order move, else an e-mail change, which is always possible: one customer is always left.
        const kind = KINDS[KIND_TABLE[random.int(100)]!]!;
        this.changesLeft -= this.emit(kind) || this.emit('advanceOrder') || this.emit('changeEmail');
      }
    }
  }

  /** Emits one change transaction of `kind`; returns its number of changes (0: nothing to change). */
  private emit(kind: ChangeKind): number {
    switch (kind) {
      case 'advanceOrder':
        return this.advanceOrder();
      case 'cancelOrder':
        return this.cancelOrder();
      case 'changeEmail':
        return this.changeCustomer(true);
      case 'changeSegment':
        return this.changeCustomer(false);
      case 'repriceProduct':
        return this.repriceProducts();
      case 'deleteCustomer':
        return this.deleteCustomer();
    }
  }

  private liveCustomer(): number {
    const { store, random } = this.sim;
    for (;;) {
      const id = 1 + random.int(store.customersCreated);
      if (store.customerDeleted[id] === 0) return id;
    }
  }

  private advanceOrder(): number {
    const { store, random, sink } = this.sim;
    const stage = STAGE_TABLE[random.int(100)]!;
    for (let i = 0; i < 3; i++) {
      const orders = store.ordersByStatus[((stage + i) % 3) as 0 | 1 | 2];
      if (orders.size === 0) continue;
      const id = orders.at(random.int(orders.size));
      const before = store.orderRow(id);
      store.advanceOrder(id, this.clockMs);
      sink.begin();
      sink.update(ordersTable, before, store.orderRowAfterAdvance(id, before));
      return 1;
    }
    return 0;
  }

  /** Cancels a pending or paid order (shipped ones are past cancelling): the row is deleted. */
  private cancelOrder(): number {
    const { store, random, sink } = this.sim;
    const pending = store.ordersByStatus[Status.pending];
    const paid = store.ordersByStatus[Status.paid];
    if (pending.size + paid.size === 0) return 0;
    const pick = random.int(pending.size + paid.size);
    const id = pick < pending.size ? pending.at(pick) : paid.at(pick - pending.size);
    sink.begin();
    sink.delete(ordersTable, store.orderRow(id));
    store.cancelOrder(id);
    return 1;
  }

  private changeCustomer(email: boolean): number {
    const { store, random, sink } = this.sim;
    const id = this.liveCustomer();
    const before = store.customerRow(id);
    if (email) {
      const version = store.customerEmailVersion[id]! + 1;
      store.customerEmailVersion[id] = version;
      const domain = random.int(EMAIL_DOMAINS.length);
      store.customerEmails[id] = emailAddress(
        store.customerFirst[id]!,
        store.customerLast[id]!,
        id,
        version,
        domain,
      );
    } else {
      const moves = 1 + random.int(SEGMENTS.length - 1);
      store.customerSegment[id] = (store.customerSegment[id]! + moves) % SEGMENTS.length;
    }
    store.customerUpdatedAt[id] = micros(this.clockMs);
    sink.begin();
    sink.update(customersTable, before, store.customerRow(id));
    return 1;
  }

  /** Reprices 1-3 products by up to ±10% each in one transaction; later checkouts use the new prices. */
  private repriceProducts(): number {
    const { store, random, sink } = this.sim;
    const count = Math.min(this.changesLeft, store.productsCreated, REPRICE_SIZE_TABLE[random.int(100)]!);
    const first = random.int(store.productsCreated);
    sink.begin();
    for (let i = 0; i < count; i++) {
      // Neighbouring ids, so a product changes at most once per transaction.
      const id = 1 + ((first + i) % store.productsCreated);
      const before = store.productRow(id);
      const old = store.productPriceCents[id]!;
      const basisPoints = random.between(-1000, 1000);
      let cents = old + Math.round((old * basisPoints) / 10_000);
      if (cents === old) cents = old + 1;
      cents = Math.max(MIN_PRICE_CENTS, Math.min(MAX_PRICE_CENTS, cents));
      if (cents === old) cents = old === MIN_PRICE_CENTS ? old + 1 : old - 1;
      store.setProductPrice(id, cents, this.clockMs);
      sink.update(productsTable, before, store.productRow(id));
    }
    return count;
  }

  /** Deletes a customer without orders (never ordered, or all cancelled), keeping at least one customer. */
  private deleteCustomer(): number {
    const { store, random, sink } = this.sim;
    const candidates = store.customersWithoutOrders;
    if (candidates.size === 0 || store.liveCustomers <= 1) return 0;
    const id = candidates.at(random.int(candidates.size));
    sink.begin();
    sink.delete(customersTable, store.customerRow(id));
    store.deleteCustomer(id);
    return 1;
  }
}
